"""Every cmdlet as an endpoint of its own, made from its declaration: ``POST /v1/cmdlets/{Name}``.

The body is ``{"parameters": {...}}``, one target's parameters as the caller bound them (the
remote client asks for confirmation and handles -WhatIf where the person is, then sends each
target it approved). The cmdlet runs here, in a session of the caller's principal, with
-ErrorAction Stop; the answer is its objects (see :mod:`portout.server.wire`), or the error it
raised as a problem whose ``errorId`` is the FullyQualifiedErrorId. A new cmdlet is remote
with no code of its own here.
"""

from __future__ import annotations

import io
from typing import Any, Callable

from fastapi import Body, Depends, FastAPI
from starlette.responses import JSONResponse

from portout.cmdlet import Cmdlet
from portout.commands import CMDLETS
from portout.errors import InvalidOperationError, PortOutError
from portout.server import wire
from portout.server.problems import problem_response
from portout.session import Host, PortOutSession
from portout.store import Store

__all__ = ["NOT_REMOTE", "LOCAL_FILE_PARAMETERS", "add_cmdlet_routes", "remotable"]

#: Cmdlets that act on files of the machine they run on: a server's files are not the caller's.
NOT_REMOTE = frozenset({"Connect-PortOutStore", "Disconnect-PortOutStore", "Copy-PortOutStore",
                        "Update-PortOutKey", "Start-PortOutServer"})
#: Parameters naming a file on the caller's machine: the remote client handles them itself.
LOCAL_FILE_PARAMETERS = {"Save-PortOutAuditCheckpoint": "Path", "New-PortOutCredential": "TokenFile"}


def remotable(cmdlet: Cmdlet) -> bool:
    return cmdlet.needs_session and cmdlet.name not in NOT_REMOTE


class ServerHost(Host):
    """No one to ask on the server: the caller confirmed already. What-if and verbose lines are
    kept and sent back."""

    def __init__(self) -> None:
        super().__init__(io.StringIO(), io.StringIO(), io.StringIO())

    @property
    def interactive(self) -> bool:
        return False


def _run(cmdlet: Cmdlet, parameters: dict[str, Any], session: Store) -> dict[str, Any]:
    local = LOCAL_FILE_PARAMETERS.get(cmdlet.name)
    if local and parameters.get(local) is not None:
        raise InvalidOperationError(f"-{local} names a file on the caller's machine: the remote client writes "
                                    "it, and sends the call without it.",
                                    error_id=f"NotRemotable,{cmdlet.name}", target=local)
    if cmdlet.name == "Save-PortOutAuditCheckpoint":
        # The checkpoint is taken here and written by the caller, into the caller's folder.
        checkpoint = session.audit_checkpoint()
        encoded = wire.encode(checkpoint)
        encoded["fields"]["document"] = checkpoint.document
        return {"output": [encoded], "listed": False, "whatIf": []}
    bound: dict[str, Any] = {}
    for name, value in parameters.items():
        p = cmdlet.parameter(name)
        if p is None:
            from portout.cmdlet import UsageError

            raise UsageError(f"{cmdlet.name} has no parameter -{name}.",
                             error_id=f"NamedParameterNotFound,{cmdlet.name}", target=name)
        bound[p.name] = wire.decode(value)
    bound["ErrorAction"] = "Stop"
    if cmdlet.action:
        bound.setdefault("Confirm", False)
    host = ServerHost()
    output = cmdlet.invoke(bound, session=PortOutSession(session), host=host, collect=True)
    return {
        "output": [wire.encode(o) for o in output],
        "listed": bool(output.listed),
        "whatIf": host.out.getvalue().splitlines(),  # type: ignore[attr-defined]
    }


def add_cmdlet_routes(app: FastAPI, principal_session: Callable[..., Any],
                      problems: dict[int | str, dict[str, Any]]) -> None:
    for cmdlet in CMDLETS:
        if remotable(cmdlet):
            _add_route(app, cmdlet, principal_session, problems)


def _add_route(app: FastAPI, cmdlet: Cmdlet, principal_session: Callable[..., Any],
               problems: dict[int | str, dict[str, Any]]) -> None:
    def endpoint(body: dict[str, Any] = Body({}, description="{\"parameters\": {...}}"),
                 session: Store = Depends(principal_session)) -> Any:
        parameters = body.get("parameters", {})
        if not isinstance(parameters, dict):
            raise InvalidOperationError("The body is {\"parameters\": {...}}.",
                                        error_id=f"InvalidRequest,{cmdlet.name}")
        try:
            return _run(cmdlet, parameters, session)
        except PortOutError as error:
            return problem_response(error, f"/v1/cmdlets/{cmdlet.name}")

    app.add_api_route(
        f"/v1/cmdlets/{cmdlet.name}", endpoint, methods=["POST"], tags=["cmdlets"],
        summary=cmdlet.synopsis, description=cmdlet.description + f"\n\nRoles: {cmdlet.roles}",
        operation_id=cmdlet.name.replace("-", ""), responses=problems, response_class=JSONResponse)
