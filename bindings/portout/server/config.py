"""What ``portout serve`` serves and how: one store, its key file, where to listen, TLS.

The configuration travels to each worker process through the environment (``PORTOUT_SERVE``),
as JSON, so every worker opens the same store the same way.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass

from portout.errors import InvalidArgumentError, SecurityError

__all__ = ["ServerConfig", "parse_listen"]

ENV = "PORTOUT_SERVE"


def parse_listen(text: str, what: str = "--listen", error_id: str = "InvalidListenAddress") -> tuple[str, int]:
    """``127.0.0.1:8443``, ``[::1]:8443`` or ``:8443`` (loopback) as (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise InvalidArgumentError(f"{what} is HOST:PORT, such as 127.0.0.1:{8443 if what == '--listen' else 25}.",
                                   error_id=error_id, target=text)
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class ServerConfig:
    store: str | None = None
    key_file: str | None = None
    host: str = "127.0.0.1"
    port: int = 8443
    tls_cert: str | None = None
    tls_key: str | None = None
    behind_proxy: bool = False
    #: Addresses whose X-Forwarded-For and X-Forwarded-Proto are believed (behind a proxy).
    forwarded_allow_ips: str = "127.0.0.1"
    workers: int = 1
    #: Requests a second each credential may make (a burst of twice as many); 0: no limit.
    rate_limit: float = 20.0
    hash_profile: str | None = None
    allow_test_profile: bool = False
    #: The SMTP relay e-mail contacts are told through ("host:port"); none: no e-mail is sent.
    smtp: str | None = None
    smtp_from: str = "portout@localhost"
    #: The sender's pause when nothing is due (seconds); the first retry's wait; attempts before
    #: a delivery is parked.
    delivery_interval: float = 1.0
    first_retry: float = 10.0
    #: How long a claimed delivery is held for its sender: one whose sender died is sent again after it.
    delivery_lease: float = 120.0
    max_delivery_attempts: int = 8
    #: Webhooks to private, loopback and link-local addresses (a test, a relay inside); off by
    #: default, so a subscription cannot make the server call into its own network.
    allow_private_webhooks: bool = False
    #: The admin center (/admin/): a signed-in browser's session ends after this long idle (seconds).
    session_idle_timeout: float = 15 * 60.0

    def check(self) -> None:
        """Refuses what would be unsafe or cannot work, before anything listens."""
        if not 1 <= self.session_idle_timeout <= 12 * 3600:
            raise InvalidArgumentError("--session-idle-timeout is 1 to 720 minutes.",
                                       error_id="InvalidSessionIdleTimeout")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise InvalidArgumentError("--tls-cert and --tls-key go together.", error_id="TlsIncomplete")
        for path in (self.tls_cert, self.tls_key):
            if path is not None and not os.path.isfile(path):
                raise InvalidArgumentError(f"The TLS file {path} is not there.", error_id="TlsFileNotFound",
                                           target=path)
        if not self.tls and not self.behind_proxy and not is_loopback(self.host):
            raise SecurityError(
                f"Listening on {self.host} without TLS would send PINs and tokens in the clear: give "
                "--tls-cert and --tls-key, or --behind-proxy when a proxy in front terminates TLS.",
                error_id="TlsRequired", target=self.host)
        if not 1 <= self.workers <= 64:
            raise InvalidArgumentError("--workers is 1 to 64.", error_id="InvalidWorkers")
        if self.rate_limit < 0:
            raise InvalidArgumentError("--rate-limit is at least 0 (0: none).", error_id="InvalidRateLimit")
        if self.smtp is not None:
            parse_listen(self.smtp, what="--smtp", error_id="InvalidSmtpAddress")
        if "@" not in self.smtp_from or any(c in self.smtp_from for c in "\r\n<>, "):
            raise InvalidArgumentError("--smtp-from is one address, such as portout@example.com.",
                                       error_id="InvalidSmtpFrom", target=self.smtp_from)
        if not 1 <= self.max_delivery_attempts <= 100:
            raise InvalidArgumentError("--max-delivery-attempts is 1 to 100.", error_id="InvalidDeliveryAttempts")
        if not (0.01 <= self.delivery_interval <= 3600 and 0.01 <= self.first_retry <= 86400
                and 1 <= self.delivery_lease <= 86400):
            raise InvalidArgumentError("--delivery-interval and --first-retry are seconds, from 0.01; --delivery-lease from 1.",
                                       error_id="InvalidDeliveryInterval")

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerConfig:
        raw = os.environ.get(ENV)
        if not raw:
            raise InvalidArgumentError(f"${ENV} holds no server configuration: start the server with "
                                       "portout serve.", error_id="NoServerConfiguration")
        return cls(**json.loads(raw))
