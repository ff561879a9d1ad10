"""``portout serve``: uvicorn serving the application, with TLS, several workers and a clean
stop on SIGTERM (requests in flight finish; nothing answered is lost: every answer follows its
transaction's commit)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Sequence, TextIO

from portout.errors import PortOutError
from portout.server.config import ENV, ServerConfig, parse_listen

__all__ = ["main", "serve"]

USAGE = "portout serve [--store PATH|URI] [--key-file PATH] [--listen HOST:PORT] [options]"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="portout serve", usage=USAGE, description=(
        "Serves one store over HTTPS: the carrier API (/v1/port-out-orders), every cmdlet "
        "(/v1/cmdlets/NAME), the admin center for people (/admin/), /healthz and /metrics. Only the server holds the key file; "
        "callers sign in with API credentials (New-PortOutCredential)."))
    p.add_argument("--store", help="The store: a SQLite path or a postgresql:// URI (default: $PORTOUT_STORE).")
    p.add_argument("--key-file", help="The store's key file (default: $PORTOUT_KEY_FILE, or <store>.key).")
    p.add_argument("--listen", default="127.0.0.1:8443", help="HOST:PORT (default 127.0.0.1:8443).")
    p.add_argument("--tls-cert", help="The certificate chain (PEM).")
    p.add_argument("--tls-key", help="The certificate's private key (PEM).")
    p.add_argument("--behind-proxy", action="store_true",
                   help="A proxy in front terminates TLS: believe its X-Forwarded-For and "
                        "X-Forwarded-Proto (from --forwarded-allow-ips), and allow listening "
                        "beyond loopback without TLS.")
    p.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                   help="The proxies whose forwarded headers are believed (default 127.0.0.1).")
    p.add_argument("--workers", type=int, default=1, help="Worker processes (default 1).")
    p.add_argument("--rate-limit", type=float, default=20.0,
                   help="Requests a second per credential, bursts of twice that (default 20; 0: none).")
    p.add_argument("--hash-profile", help="The Argon2id profile (default: the store's own).")
    p.add_argument("--allow-test-profile", action="store_true", help="For test suites only.")
    p.add_argument("--smtp", help="HOST:PORT of the SMTP relay tenants' e-mail contacts are told through "
                   "(default: none, no e-mail is sent).")
    p.add_argument("--smtp-from", default="portout@localhost", help="The sender address of those e-mails.")
    p.add_argument("--max-delivery-attempts", type=int, default=8,
                   help="Attempts before a webhook or e-mail delivery is parked (default 8).")
    p.add_argument("--first-retry", type=float, default=10.0,
                   help="Seconds before a failed delivery's first retry; each next waits twice as long "
                   "(at most an hour; default 10).")
    p.add_argument("--delivery-interval", type=float, default=1.0,
                   help="Seconds between looks at the outbox when nothing is due (default 1).")
    p.add_argument("--delivery-lease", type=float, default=120.0,
                   help="Seconds a claimed delivery is held for the worker sending it: one whose worker died "
                   "is sent again after that (default 120).")
    p.add_argument("--allow-private-webhooks", action="store_true",
                   help="Deliver webhooks to private, loopback and link-local addresses too (tests, a relay "
                   "inside); refused by default.")
    p.add_argument("--session-idle-timeout", type=float, default=15.0, metavar="MINUTES",
                   help="The admin center (/admin/) signs a browser out after this many idle minutes (default 15).")
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    return p


def config_of(args: argparse.Namespace) -> ServerConfig:
    host, port = parse_listen(args.listen)
    env = os.environ
    return ServerConfig(
        store=args.store or env.get("PORTOUT_STORE") or None,
        key_file=args.key_file or env.get("PORTOUT_KEY_FILE") or None,
        host=host, port=port, tls_cert=args.tls_cert, tls_key=args.tls_key, behind_proxy=args.behind_proxy,
        forwarded_allow_ips=args.forwarded_allow_ips, workers=args.workers, rate_limit=args.rate_limit,
        hash_profile=args.hash_profile or env.get("PORTOUT_HASH_PROFILE") or None,
        allow_test_profile=args.allow_test_profile or env.get("PORTOUT_ALLOW_TEST_PROFILE", "") in ("1", "true"),
        smtp=args.smtp, smtp_from=args.smtp_from, max_delivery_attempts=args.max_delivery_attempts,
        first_retry=args.first_retry, delivery_interval=args.delivery_interval, delivery_lease=args.delivery_lease,
        allow_private_webhooks=args.allow_private_webhooks, session_idle_timeout=args.session_idle_timeout * 60)


def serve(config: ServerConfig, log_level: str = "info") -> None:
    """Runs until SIGTERM or SIGINT."""
    import uvicorn

    config.check()
    # The store opens here first: a wrong key file or a missing store stops the server before
    # it listens, with the error a cmdlet would report.
    from portout.store import Store

    Store.open(config.store, key_file=config.key_file, profile=config.hash_profile,
               allow_test_profile=config.allow_test_profile, actor="portout serve", create=False).close()
    os.environ[ENV] = config.to_env()
    metrics_dir = None
    if config.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _remove_stale_metrics()
        metrics_dir = tempfile.mkdtemp(prefix=f"portout-metrics-{os.getpid()}-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "portout.server.app:factory", factory=True, host=config.host, port=config.port,
            workers=config.workers, ssl_certfile=config.tls_cert, ssl_keyfile=config.tls_key,
            proxy_headers=config.behind_proxy,
            forwarded_allow_ips=config.forwarded_allow_ips if config.behind_proxy else None,
            log_level=log_level, server_header=False, date_header=True, access_log=True)
    finally:
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _remove_stale_metrics() -> None:
    """The metrics folders of servers that were killed (SIGKILL leaves no time to remove them)."""
    for folder in Path(tempfile.gettempdir()).glob("portout-metrics-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's server, alive


def main(argv: Sequence[str], err: TextIO | None = None) -> int:
    err = err or sys.stderr
    try:
        args = parser().parse_args(list(argv))
    except SystemExit as stop:
        return 0 if stop.code == 0 else 2
    try:
        serve(config_of(args), args.log_level)
    except PortOutError as error:
        err.write(f"portout serve: {error.message} ({error.error_id})\n")
        return 1
    return 0
