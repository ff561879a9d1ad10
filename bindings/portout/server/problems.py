"""Errors as RFC 9457 problem details (``application/problem+json``), with the error ids the
cmdlets report: a client tells errors apart by ``errorId`` exactly as a script does by its
FullyQualifiedErrorId.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.responses import JSONResponse

from portout.errors import PortOutError

__all__ = ["PROBLEM_TYPE", "problem", "problem_response", "status_of"]

#: The ``type`` of every problem is this, then its error id.
PROBLEM_TYPE = "urn:portout:problem:"

_BY_CATEGORY = {
    "InvalidArgument": 422,
    "InvalidType": 422,
    "ObjectNotFound": 404,
    "PermissionDenied": 403,
    "ResourceExists": 409,
    "InvalidOperation": 409,
    "SecurityError": 409,
    "ResourceUnavailable": 503,
    "InvalidData": 500,
}

_BY_ID = {
    "AuthenticationFailed": 401,
    "AuthenticationRequired": 401,
    "AuthenticationThrottled": 429,
    "RateLimited": 429,
    "IdempotencyKeyReused": 422,
    "TlsRequired": 403,
    "RequestTooLarge": 413,
    "NotRemotable": 405,
}

_TITLES = {
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Not allowed remotely",
    409: "Conflict",
    413: "Request too large",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Stored data is not valid",
    503: "Unavailable",
}


def status_of(error: PortOutError) -> int:
    return _BY_ID.get(error.error_id.split(",", 1)[0], _BY_CATEGORY.get(error.category, 500))


def problem(status: int, error_id: str, detail: str, *, category: str = "NotSpecified", target: str = "",
            instance: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + error_id.split(",", 1)[0],
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errorId": error_id,
        "category": category,
    }
    if target:
        body["target"] = target
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(error: PortOutError, instance: str = "") -> JSONResponse:
    from portout.errors import shown_target

    status = status_of(error)
    extra: dict[str, Any] = {}
    violations = getattr(error, "violations", None)
    if violations:
        extra["violations"] = [{"rule": v.rule, "message": v.message} for v in violations]
    body = problem(status, error.error_id, error.message, category=error.category,
                   target=shown_target(error.target), instance=instance, **extra)
    headers = {}
    retry = getattr(error, "retry_after", None)
    if retry is not None:
        seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
        headers["Retry-After"] = str(max(1, math.ceil(seconds)))
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="portout"'
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")
