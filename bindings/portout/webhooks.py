"""Receiving portout's webhooks: the signature check a receiver makes, and a receiver on a
loopback port for tests and demos.

Each request the server sends carries ``Portout-Signature: t=<unix seconds>,v1=<hex>``, where
``v1`` is the HMAC-SHA256, under the webhook's secret, of ``t``, a full stop and the body's
bytes. :func:`verify_signature` checks it, and that ``t`` is recent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

__all__ = ["WebhookReceiver", "verify_signature"]


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: float = 300,
                     now: float | None = None) -> bool:
    """Whether ``header`` (the Portout-Signature) signs ``body`` under ``secret``, made within
    ``tolerance`` seconds of ``now`` (default: this clock). Compared in constant time."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t = parts.get("t", "")
    if not t.isdigit() or abs((time.time() if now is None else now) - int(t)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class WebhookReceiver:
    """An HTTP receiver on 127.0.0.1 (a port of its own) that keeps every request it is sent and
    answers ``status(n)`` to the n-th (204 by default). Use it as a context manager; point a
    webhook at :attr:`url` (the server needs ``--allow-private-webhooks`` to call it)."""

    def __init__(self, status: Callable[[int], int] = lambda n: 204, path: str = "/portout") -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = status
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server protocol
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer._lock:
                    outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    n = len(outer.requests)
                self.send_response(outer.status(n))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{path}"
        threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True).start()

    def events(self, secret: str) -> list[dict[str, Any]]:
        """The events of the requests whose signature holds under ``secret``, in arrival order."""
        with self._lock:
            received = list(self.requests)
        return [json.loads(body) for headers, body in received
                if verify_signature(secret, headers.get("portout-signature", ""), body)]

    def wait(self, count: int, timeout: float = 30) -> bool:
        """Until ``count`` requests came (True), or ``timeout`` seconds passed (False)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
