"""``portout serve``: the store behind an authenticated HTTPS front door.

Only the server holds the store's key file. Gaining carriers submit and follow port-out orders
through the carrier API (``/v1/port-out-orders``); admins run every cmdlet remotely
(``/v1/cmdlets/{Name}``, or ``Connect-PortOutStore -Server``). Every request is authenticated by
the core, which opens a session as the request's principal.
"""

from __future__ import annotations

from portout.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app", "serve"]


def create_app(config: ServerConfig, gate: object = None) -> object:
    from portout.server.app import create_app as make

    return make(config, gate)  # type: ignore[arg-type]


def serve(config: ServerConfig, log_level: str = "info") -> None:
    from portout.server.run import serve as run

    run(config, log_level)
