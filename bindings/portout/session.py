"""Sessions: the connection a cmdlet acts through, made by Connect-PortOutStore.

A session is a :class:`portout.Store` opened as one actor, with one role and tenant scope, and
the errors its cmdlets reported (newest last, like PowerShell's ``$Error``). The last session
connected is the default one for cmdlets that are not given one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from portout.errors import InvalidOperationError
from portout.store import Store

__all__ = ["PortOutSession", "current", "default_host", "preferences"]

#: Preference variables, as a script's ``$ErrorActionPreference = 'Stop'`` sets them.
preferences: dict[str, str] = {"ErrorAction": "Stop"}

_lock = threading.Lock()
_default: PortOutSession | None = None
_host: Any = None


@dataclass(eq=False)
class PortOutSession:
    """What Connect-PortOutStore returns: a store opened as one actor, role and scope."""

    store: Store
    errors: list[Any] = field(default_factory=list)

    _fields = ("path", "key_file", "actor", "role", "tenant_scope", "hash_profile", "store_id",
               "key_id")

    @property
    def path(self) -> str:
        return self.store.path

    @property
    def key_file(self) -> str:
        return self.store.key_file

    @property
    def actor(self) -> str:
        return self.store.actor

    @property
    def role(self) -> str:
        return self.store.role

    @property
    def tenant_scope(self) -> tuple[str, ...]:
        return self.store.tenant_scope

    @property
    def hash_profile(self) -> str:
        return self.store.profile

    @property
    def store_id(self) -> str:
        return self.store.store_id

    @property
    def key_id(self) -> str:
        return self.store.key_id

    @property
    def closed(self) -> bool:
        return self.store.closed

    def close(self) -> None:
        self.store.close()

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self._fields}

    def __enter__(self) -> PortOutSession:
        return self

    def __exit__(self, *exc: object) -> None:
        disconnect(self)

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"actor={self.actor!r} role={self.role!r}"
        return f"<PortOutSession {self.store.path!r} {state}>"


def connect(store: Store) -> PortOutSession:
    """Make a session of an open store, and make it the default."""
    global _default
    session = PortOutSession(store)
    with _lock:
        _default = session
    return session


def disconnect(session: PortOutSession | None = None) -> None:
    """Close a session (the default one when none is named)."""
    global _default
    with _lock:
        target = session or _default
        if target is _default:
            _default = None
    if target is not None:
        target.close()


def current(host: Any = None) -> PortOutSession:
    """The default session, or InvalidOperationError (NotConnected)."""
    with _lock:
        session = _default
    if session is None or session.closed:
        raise InvalidOperationError(
            "No store is connected. Run Connect-PortOutStore first (or, from the command "
            "line, set PORTOUT_STORE or give --store).", error_id="NotConnected")
    return session


def default_host() -> Any:
    global _host
    if _host is None:
        from portout.cmdlet import Host

        _host = Host()
    return _host
