"""The HTTP application of ``portout serve``: the carrier API, the remote cmdlets, health and
metrics, on FastAPI.

Each worker process opens the store once with its key file (the "gate" session). A request's
bearer token is authenticated by the core (:meth:`portout.Store.authenticate`), which opens a
session as the token's principal: its role, actor, tenant scope and carrier are the
principal's, and nothing in the request picks them. Every answer that is an error is an RFC 9457
problem with the cmdlets' error id.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, time as dtime, timezone
from typing import Any, Iterator, List, Optional

from fastapi import Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, StrictStr
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from portout import __version__
from portout.errors import InvalidArgumentError, PermissionDeniedError, PortOutError, ResourceUnavailableError
from portout.server.delivery import Sender
from portout.server.config import ServerConfig, is_loopback
from portout.server.metrics import CONTENT_TYPE_LATEST, Metrics
from portout.server.problems import problem, problem_response
from portout.store import Store

__all__ = ["create_app", "factory"]

#: The most a request body may hold (a port-out request of 1000 numbers is about 20 KB).
MAX_BODY = 256 * 1024


# -- the carrier API's shapes -----------------------------------------------------------------

class PortOutOrderRequest(BaseModel):
    """A port-out request as a gaining carrier sends it (47 CFR 52.36(b)). Name the tenant, or
    its account number alone. The carrier is the credential's: a name or SPID here is ignored."""

    tenantId: Optional[StrictStr] = Field(None, description="The tenant whose numbers are to move.")
    accountNumber: Optional[StrictStr] = Field(None, description="The account number on the customer's bill.")
    phoneNumbers: List[StrictStr] = Field(..., description="The numbers to port out, E.164 or national form; "
                                          "at most 1000.")
    pin: StrictStr = Field(..., description="The tenant's port-out PIN. Sent only over TLS.")
    serviceZipCode: Optional[StrictStr] = Field(None, description="The service address's ZIP code.")
    authorizedName: Optional[StrictStr] = Field(None, description="Who authorized the port.")
    purchaseOrderNumber: Optional[StrictStr] = Field(None, description="Your purchase order number (PON).")
    portType: Optional[StrictStr] = Field(None, description="Full or Partial; unstated, the numbers tell.")
    requestedDueDate: Optional[date] = Field(None, description="The day you would like the port (YYYY-MM-DD).")
    carrierName: Optional[StrictStr] = Field(None, description="Ignored: the credential's carrier is recorded.")
    carrierSpid: Optional[StrictStr] = Field(None, description="Ignored: the credential's SPID is recorded.")

    class Config:
        extra = "forbid"


class CancelRequest(BaseModel):
    reason: StrictStr = Field(..., description="CustomerRequest, DuplicateRequest, WrongNumbers, CarrierError "
                              "or Other (with a comment).")
    comment: Optional[StrictStr] = Field(None, description="Why, in words.")

    class Config:
        extra = "forbid"


class PhoneNumberLine(BaseModel):
    number: str
    problem: Optional[str] = Field(None, description="NumberNotOwned or NumberInOpenOrder, when the PIN was right.")


class PortOutOrder(BaseModel):
    id: str
    status: str = Field(..., description="PendingReview, Approved, Confirmed, Completed, Rejected, Denied or "
                        "Cancelled.")
    reason: Optional[str] = Field(None, description="Why it was rejected, denied or cancelled: a reason code "
                                  "(docs/api.md).")
    tenantId: Optional[str]
    phoneNumbers: List[PhoneNumberLine]
    carrierName: str
    carrierSpid: Optional[str]
    purchaseOrderNumber: Optional[str]
    portType: Optional[str]
    requestedDueDate: Optional[datetime]
    reviewDeadline: Optional[datetime]
    focDate: Optional[datetime]
    comment: Optional[str]
    idempotencyKey: Optional[str]
    createdAt: datetime
    updatedAt: datetime


class PortOutOrderPage(BaseModel):
    data: List[PortOutOrder]
    nextCursor: Optional[str] = Field(None, description="Pass as ?cursor= for the next page; none at the end.")


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    errorId: str
    category: str
    target: Optional[str]
    instance: Optional[str]


_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text, "content": {"application/problem+json": {}}}
    for code, text in ((401, "No token, or one that is not accepted."), (403, "The credential may not do this."),
                       (404, "No such order (or not yours)."), (409, "The order's state does not allow it."),
                       (422, "The request is malformed."), (429, "Too many requests: see Retry-After."))
}


def order_json(o: Any) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": o.order_id,
        "status": o.status,
        "reason": o.reason,
        "tenantId": o.tenant_id or None,
        "phoneNumbers": [{"number": n, "problem": o.number_problems.get(n)} for n in o.phone_numbers],
        "carrierName": o.gaining_carrier,
        "carrierSpid": o.carrier_spid,
        "purchaseOrderNumber": o.purchase_order_number,
        "portType": o.port_type,
        "requestedDueDate": iso(o.requested_foc_date),
        "reviewDeadline": iso(o.review_deadline),
        "focDate": iso(o.foc_date),
        "comment": o.comment,
        "idempotencyKey": o.idempotency_key,
        "createdAt": iso(o.created_date_time),
        "updatedAt": iso(o.last_modified_date_time),
    }


# -- the rate limit ---------------------------------------------------------------------------

class RateLimiter:
    """A token bucket per principal: `rate` requests a second, bursts of twice that. Kept by
    each worker for its own requests, each at its share of the rate."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.burst = max(1.0, 2 * rate)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go, else the seconds until it may."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


# -- the application --------------------------------------------------------------------------

def create_app(config: ServerConfig, gate: Store | None = None) -> FastAPI:
    """The application serving `config`'s store; `gate` is the store opened with its key file
    (opened here when not given)."""
    if gate is None:
        gate = Store.open(config.store, key_file=config.key_file, profile=config.hash_profile,
                          allow_test_profile=config.allow_test_profile, actor="portout serve", create=False)
    app = FastAPI(
        title="portout",
        version=__version__,
        description="Port-out orders for gaining carriers, and every portout cmdlet, over HTTPS. "
                    "Authenticate with `Authorization: Bearer <token>` (New-PortOutCredential). "
                    "Errors are RFC 9457 problem details with the cmdlets' error ids. See docs/api.md.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.gate = gate
    app.state.config = config
    metrics = Metrics(gate.tenant_counts)
    app.state.metrics = metrics
    limiter = RateLimiter(config.rate_limit / max(1, config.workers))

    sender = Sender(gate, config, metrics)
    app.state.sender = sender

    @app.on_event("startup")
    def start_sender() -> None:
        sender.start()

    @app.on_event("shutdown")
    def close_store() -> None:
        sender.stop()
        gate.close()

    # -- errors as problems ------------------------------------------------------------------

    @app.exception_handler(PortOutError)
    async def portout_error(request: Request, error: PortOutError) -> Response:
        if error.error_id.startswith(("AuthenticationFailed", "AuthenticationThrottled", "AuthenticationRequired")):
            metrics.auth_failures.labels(error.error_id.split(",", 1)[0]).inc()
        return problem_response(error, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        # Where and what, never the value: a field may be a PIN.
        issues = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "")}
                  for e in error.errors()]
        body = problem(422, "InvalidRequest", "The request does not have the form the API takes: see issues.",
                       category="InvalidArgument", instance=request.url.path, issues=issues)
        return JSONResponse(body, status_code=422, media_type="application/problem+json")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/admin/") and error.status_code in (404, 405):
            # A person in a browser gets a page, not JSON.
            return app.state.admin.render(request, "error.html", status=error.status_code, title="Not found",
                                          heading="This page does not exist",
                                          message="Go back to the admin center and choose from its menu.")
        error_id = {404: "RouteNotFound", 405: "MethodNotAllowed"}.get(error.status_code, "HttpError")
        body = problem(error.status_code, error_id, str(error.detail), instance=request.url.path)
        return JSONResponse(body, status_code=error.status_code, media_type="application/problem+json",
                            headers=getattr(error, "headers", None))

    @app.middleware("http")
    async def measure(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            response: Response = JSONResponse(
                problem(413, "RequestTooLarge", f"A request body holds at most {MAX_BODY} bytes.",
                        category="InvalidArgument", instance=request.url.path),
                status_code=413, media_type="application/problem+json")
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        metrics.requests.labels(template, request.method, str(response.status_code)).inc()
        metrics.latency.labels(template).observe(time.perf_counter() - started)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    # -- who is asking -------------------------------------------------------------------------

    def client_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def principal_session(request: Request, authorization: Optional[str] = Header(
            None, description="Bearer <token>, as New-PortOutCredential printed it.")) -> Iterator[Store]:
        client = client_of(request)
        # A token (and a PIN) travels only over TLS, or over loopback.
        if request.url.scheme != "https" and not is_loopback(client):
            raise PermissionDeniedError("This server takes credentials only over HTTPS.", error_id="TlsRequired")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise PermissionDeniedError("Send your credential as 'Authorization: Bearer <token>'.",
                                        error_id="AuthenticationRequired")
        session = gate.authenticate(token.strip(), client)
        try:
            principal = session.principal
            wait = limiter.take(principal.principal_id if principal else client)
            if wait > 0:
                error = ResourceUnavailableError("Too many requests for this credential: slow down.",
                                                 error_id="RateLimited")
                error.retry_after = wait  # type: ignore[attr-defined]
                raise error
            request.state.principal = principal
            yield session
        finally:
            session.close()

    # -- health and metrics --------------------------------------------------------------------

    @app.get("/healthz", tags=["operations"], summary="Whether the server and its store answer.")
    def healthz() -> dict[str, Any]:
        gate.get_policy()  # one read of the store
        return {"status": "ok", "storeId": gate.store_id, "version": __version__}

    @app.get("/metrics", tags=["operations"], summary="Metrics in Prometheus's text format.",
             response_class=Response)
    def scrape() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/session", tags=["operations"], summary="Who the token signs in as.", responses=_PROBLEMS)
    def who_am_i(session: Store = Depends(principal_session)) -> dict[str, Any]:
        p = session.principal
        return {"name": p.name if p else None, "kind": p.kind if p else None, "actor": session.actor,
                "role": session.role, "tenantScope": list(session.tenant_scope),
                "carrierName": p.carrier_name if p else None, "carrierSpid": p.carrier_spid if p else None,
                "hashProfile": session.profile, "storeId": session.store_id}

    # -- the carrier API ---------------------------------------------------------------------

    @app.post("/v1/port-out-orders", status_code=201, response_model=PortOutOrder, tags=["port-out orders"],
              summary="Submit a port-out request.", responses=_PROBLEMS)
    def submit(request: Request, response: Response, body: PortOutOrderRequest = Body(...),
               idempotency_key: Optional[str] = Header(
                   None, description="A key of yours (a UUID): the same request sent again with it gets "
                                     "the first order back."),
               session: Store = Depends(principal_session)) -> dict[str, Any]:
        due = None
        if body.requestedDueDate is not None:
            due = datetime.combine(body.requestedDueDate, dtime(12, 0), tzinfo=timezone.utc)
        started = time.perf_counter()
        order = session.submit_order(
            body.tenantId, body.phoneNumbers, body.pin, body.carrierName,
            requested_foc_date=due, account_number=body.accountNumber, service_zip_code=body.serviceZipCode,
            authorized_name=body.authorizedName, carrier_spid=body.carrierSpid,
            purchase_order_number=body.purchaseOrderNumber, port_type=body.portType,
            idempotency_key=idempotency_key)
        metrics.checks.observe(time.perf_counter() - started)
        response.headers["Location"] = f"/v1/port-out-orders/{order.order_id}"
        return order_json(order)

    @app.get("/v1/port-out-orders", response_model=PortOutOrderPage, tags=["port-out orders"],
             summary="Your port-out orders, oldest first, a page at a time.", responses=_PROBLEMS)
    def list_orders(status: Optional[str] = Query(None, description="Only orders in this state."),
                    cursor: Optional[str] = Query(None, description="The nextCursor of the page before."),
                    limit: int = Query(100, ge=1, le=1000, description="At most this many orders."),
                    session: Store = Depends(principal_session)) -> dict[str, Any]:
        after = 0
        if cursor is not None:
            if not cursor.isdigit() or len(cursor) > 18:
                raise InvalidArgumentError("The cursor is not one this API gave.", error_id="InvalidCursor")
            after = int(cursor)
        orders, last = session.orders_page(status=status, after=after, limit=limit)
        return {"data": [order_json(o) for o in orders],
                "nextCursor": str(last) if len(orders) == limit else None}

    @app.get("/v1/port-out-orders/{order_id}", response_model=PortOutOrder, tags=["port-out orders"],
             summary="One of your port-out orders.", responses=_PROBLEMS)
    def get_order(order_id: str, session: Store = Depends(principal_session)) -> dict[str, Any]:
        return order_json(session.get_order(order_id))

    @app.post("/v1/port-out-orders/{order_id}/cancel", response_model=PortOutOrder, tags=["port-out orders"],
              summary="Cancel one of your port-out orders.", responses=_PROBLEMS)
    def cancel_order(order_id: str, body: CancelRequest = Body(...),
                     session: Store = Depends(principal_session)) -> dict[str, Any]:
        return order_json(session.cancel_order(order_id, body.reason, body.comment))

    # -- every cmdlet, remotely ----------------------------------------------------------------

    from portout.server.remote_cmdlets import add_cmdlet_routes

    add_cmdlet_routes(app, principal_session, _PROBLEMS)

    # -- the admin center, for people in a browser ------------------------------------------------

    from portout.server.admin import add_admin_center

    add_admin_center(app, gate)
    return app


def factory() -> FastAPI:
    """For uvicorn's --factory: the application of the configuration ``portout serve`` put in
    the environment."""
    return create_app(ServerConfig.from_env())

