"""A session on a store behind ``portout serve``: the cmdlets run on the server, as the
principal of an API token, and come back as they would locally.

``Connect-PortOutStore -Server https://host:8443 -TokenFile F`` (or ``portout --server URL``
with ``$PORTOUT_TOKEN`` or ``--token-file``) makes one. Parameters are bound, -WhatIf answered
and confirmations asked here, where the person is; each target approved is sent to
``POST /v1/cmdlets/{Name}``; objects come back as records of the same type name and fields,
errors as the same error class and FullyQualifiedErrorId. A token (and a PIN) is sent only over
TLS, or to a loopback address.
"""

from __future__ import annotations

import os
import stat
from typing import Any
from urllib.parse import urlsplit

from portout.errors import InvalidArgumentError, ResourceUnavailableError, SecurityError

__all__ = ["RemoteStore", "read_token"]

#: What the client does itself, where the person is: -WhatIf, confirmations, what a failure
#: does to the other targets, verbose lines.
_NOT_SENT = ("WhatIf", "Confirm", "Force", "ErrorAction", "Verbose")


def read_token(token_file: str | os.PathLike[str] | None) -> str:
    """The token from a file (one line; refused when group or others may read it), else
    ``$PORTOUT_TOKEN``."""
    if token_file is None:
        token = os.environ.get("PORTOUT_TOKEN", "").strip()
        if not token:
            raise InvalidArgumentError("A server needs a token: -TokenFile, or $PORTOUT_TOKEN.",
                                       error_id="TokenRequired")
        return token
    path = os.fspath(token_file)
    try:
        with open(path, encoding="utf-8") as f:
            mode = os.fstat(f.fileno()).st_mode
            token = f.readline().strip()
    except OSError as e:
        raise ResourceUnavailableError(f"The token file cannot be read: {e.strerror}.",
                                       error_id="TokenFileNotRead", target=path) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecurityError(f"The token file {path} may be read by others: chmod 600 it.",
                            error_id="TokenFileTooOpen", target=path)
    if not token:
        raise InvalidArgumentError(f"The token file {path} is empty.", error_id="TokenRequired", target=path)
    return token


def _loopback(host: str) -> bool:
    from portout.server.config import is_loopback

    return is_loopback(host)


class RemoteStore:
    """Stands where a :class:`portout.Store` stands in a session, for a server's store."""

    def __init__(self, url: str, token: str, *, ca_file: str | None = None, timeout: float = 60) -> None:
        import httpx

        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise InvalidArgumentError("-Server is a URL such as https://portout.example:8443.",
                                       error_id="InvalidServerUrl", target=url)
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise SecurityError("A token and PINs travel only over HTTPS (or to a loopback address): use "
                                "https://.", error_id="TlsRequired", target=url)
        self.url = url.rstrip("/")
        verify: Any = ca_file or os.environ.get("PORTOUT_CA_FILE") or True
        self._client = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"},
                                    verify=verify, timeout=timeout)
        self._closed = False
        self._who = self._call("GET", "/v1/session")

    # -- what a session shows ------------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.url

    @property
    def key_file(self) -> str:
        return "(held by the server)"

    @property
    def actor(self) -> str:
        return str(self._who["actor"])

    @property
    def role(self) -> str:
        return str(self._who["role"])

    @property
    def tenant_scope(self) -> tuple[str, ...]:
        return tuple(self._who["tenantScope"])

    @property
    def profile(self) -> str:
        return str(self._who["hashProfile"])

    @property
    def store_id(self) -> str:
        return str(self._who["storeId"])

    @property
    def key_id(self) -> str:
        return "(held by the server)"

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._client.close()

    def __repr__(self) -> str:
        return f"<portout.RemoteStore {self.url} as {self.actor!r} ({self.role})>"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<b>portout.Store</b> {escape(self.url)} as {escape(self.actor)} ({escape(self.role)})"

    # -- the calls -----------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        import httpx

        from portout.server.wire import decode_error

        if self._closed:
            from portout.errors import InvalidOperationError

            raise InvalidOperationError("The store session is closed.", error_id="StoreClosed", target=self.url)
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as e:
            raise ResourceUnavailableError(f"The server {self.url} cannot be reached: {e}.",
                                           error_id="ServerUnreachable", target=self.url) from None
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            error = decode_error(response.json())
            retry = response.headers.get("retry-after")
            if retry is not None:
                error.retry_after = float(retry)  # type: ignore[attr-defined]
            raise error
        if response.status_code >= 400:
            raise ResourceUnavailableError(f"The server answered {response.status_code}.",
                                           error_id="ServerError", target=self.url)
        return response.json()

    def remote_run(self, cmdlet: Any, row: dict[str, Any]) -> Any:
        """Runs one target of `cmdlet` on the server; its objects as the cmdlet would give them."""
        from portout.server.wire import decode, encode

        __tracebackhide__ = True  # the row may hold a PIN
        row = {k: v for k, v in row.items() if k not in _NOT_SENT}
        if cmdlet.name == "Save-PortOutAuditCheckpoint":
            return self._save_checkpoint(cmdlet, row)
        token_file = row.pop("TokenFile", None) if cmdlet.name == "New-PortOutCredential" else None
        fd = None
        if token_file is not None:
            fd = _new_private_file(str(token_file))
        try:
            answer = self._call("POST", f"/v1/cmdlets/{cmdlet.name}",
                                {"parameters": {k: encode(v) for k, v in row.items()}})
        except BaseException:
            if fd is not None:
                os.close(fd)
                os.unlink(str(token_file))
            raise
        output = [decode(o) for o in answer["output"]]
        if fd is not None:
            issued = output[0]
            with os.fdopen(fd, "w") as f:
                f.write(issued.token + "\n")
            from portout.server.wire import record_class

            output = [record_class(issued.type_name)(issued.type_name,
                                                     {**issued.to_dict(), "token": f"(written to {token_file})"})]
        if answer.get("listed"):
            return output
        return output[0] if output else None


    def _save_checkpoint(self, cmdlet: Any, row: dict[str, Any]) -> Any:
        """The server signs the checkpoint; it is written here, into the caller's folder, as
        locally: the folder proven writable first, never over another file."""
        from pathlib import Path

        from portout import checkpoints
        from portout.server.wire import decode, record_class

        answer: dict[str, Any] = {}

        class _Taker:
            def audit_checkpoint(taker) -> Any:  # noqa: N805 - a stand-in for Store
                answer.update(self._call("POST", f"/v1/cmdlets/{cmdlet.name}", {"parameters": {}}))
                return decode(answer["output"][0])

        taken = checkpoints.save(_Taker(), Path(row["Path"]))  # type: ignore[arg-type]
        fields = {k: v for k, v in taken.to_dict().items() if k != "document"}
        return record_class("AuditCheckpoint")("AuditCheckpoint", fields)


def _new_private_file(path: str) -> int:
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        raise ResourceUnavailableError(f"The token file cannot be made: {e.strerror}.",
                                       error_id="TokenFileNotWritten", target=path) from None

