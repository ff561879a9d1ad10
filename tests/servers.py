"""Real servers for the tests, on loopback ports: ``portout serve`` as its own process (with a
TLS certificate made here), stopped when the test is done."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from portout.server.certificates import self_signed

PORTOUT = Path(sys.executable).with_name("portout")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``portout serve`` on a loopback port; ``url`` is where it answers."""

    def __init__(self, store: str | Path, key_file: str | Path, folder: Path, *, tls: bool = True,
                 workers: int = 1, rate_limit: float = 0, extra: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.cert: Path | None = None
        args = [str(PORTOUT), "serve", "--store", str(store), "--key-file", str(key_file),
                "--listen", f"127.0.0.1:{self.port}", "--workers", str(workers),
                "--rate-limit", str(rate_limit), "--allow-test-profile", "--log-level", "warning", *extra]
        if tls:
            self.cert, key = self_signed(folder, "portout test server")
            args += ["--tls-cert", str(self.cert), "--tls-key", str(key)]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log = folder / f"server-{self.port}.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
        self._log_file = open(self.log, "wb")
        self.proc = subprocess.Popen(args, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     env={**base, **(env or {})}, start_new_session=True)
        self.wait_ready()

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, verify=str(self.cert) if self.cert else True, headers=headers,
                            timeout=30, **kwargs)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"portout serve stopped: {self.log.read_text(errors='replace')}")
            try:
                with self.client() as c:
                    if c.get("/healthz").status_code == 200:
                        return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"portout serve did not answer: {self.log.read_text(errors='replace')}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig) if sig == signal.SIGKILL else self.proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout)
        self._log_file.close()
        return int(self.proc.returncode)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
