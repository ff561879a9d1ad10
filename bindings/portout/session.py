"""The state a cmdlet runs in: the session it acts through, the host it talks to a person
through, and the preferences.

A session is a :class:`portout.Store` opened as one actor, with one role and tenant scope, and
the errors its cmdlets reported (newest last, like PowerShell's ``$Error``); Connect-PortOutStore
makes one, and the last session connected is the default one for cmdlets that are not given one.
The :class:`Host` is where a cmdlet asks, narrates and reports: Python's default one here, the
command line's and the scripting host's in ``portout.host``.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, TextIO

from portout.errors import InvalidOperationError
from portout.progress import ProgressArg, Tracker
from portout.store import Store

__all__ = ["Host", "PortOutSession", "as_session", "current", "default_host", "preferences", "using"]

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
        if self.closed:
            return f"<PortOutSession {self.store.path!r} closed>"
        return "<PortOutSession of " + repr(self.store).removeprefix("<")

    def _repr_html_(self) -> str:
        return self.store._repr_html_().replace("<b>portout.Store</b>", "<b>PortOutSession</b>", 1)


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
        if os.environ.get("PYTEST_CURRENT_TEST"):
            advice = ("Under pytest, ask for the portout_session fixture: it connects the default "
                      "session to the test's own store (or pass session= a Store).")
        else:
            advice = ("Run Connect-PortOutStore first (or, from the command line, set "
                      "PORTOUT_STORE or give --store).")
        raise InvalidOperationError(f"No store is connected. {advice}", error_id="NotConnected")
    return session


def as_session(value: Any) -> PortOutSession:
    """What a cmdlet's ``session=`` takes: a session, or a Store (acted through as it is)."""
    if isinstance(value, PortOutSession):
        return value
    if isinstance(value, Store):
        return PortOutSession(value)
    raise TypeError(f"session= takes a PortOutSession (what connect_port_out_store returns) or a "
                    f"portout.Store, not {type(value).__name__}.")


@contextmanager
def using(session: PortOutSession) -> Iterator[PortOutSession]:
    """Make `session` the default for a while, then put the previous default back (open or
    not: it is never closed here)."""
    global _default
    with _lock:
        previous, _default = _default, session
    try:
        yield session
    finally:
        with _lock:
            _default = previous


def default_host() -> Host:
    global _host
    if _host is None:
        _host = Host()
    return _host


def isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# -- the host ---------------------------------------------------------------------------------

class Host:
    """Where a cmdlet talks to a person: What-if lines, prompts, verbose lines, errors, progress.

    The Python default writes What-if lines to stdout, reads confirmations from stdin, shows a
    progress bar where a person watches stderr (a terminal, a notebook), and keeps errors in the
    session instead of printing them. The command-line host prints errors and summaries as well.
    """

    prints_errors = False
    prints_summary = False

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None,
                 inp: TextIO | None = None) -> None:
        self._out = out
        self._err = err
        self._in = inp
        self.lock = threading.Lock()

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    @property
    def inp(self) -> TextIO:
        return self._in or sys.stdin

    def what_if(self, message: str) -> None:
        with self.lock:
            self.out.write(f"What if: {message}\n")
            self.out.flush()

    def verbose(self, message: str) -> None:
        with self.lock:
            self.err.write(f"VERBOSE: {message}\n")
            self.err.flush()

    def warning(self, message: str) -> None:
        with self.lock:
            self.err.write(f"WARNING: {message}\n")
            self.err.flush()

    def error(self, record: Any) -> None:
        """An error reported with -ErrorAction Continue: on stderr when it is a terminal (or
        the host always prints them), and always on the Output returned."""
        if self.prints_errors or isatty(self.err):
            with self.lock:
                self.err.write(record.render())
                self.err.flush()

    def summary(self, cmdlet: str, output: Any) -> None:
        if self.prints_summary:
            with self.lock:
                self.err.write(f"{cmdlet}: {output.summary}.\n")

    @property
    def interactive(self) -> bool:
        """Whether a person can answer: a terminal, or answers the caller handed in."""
        if self._in is not None and self._in is not sys.stdin:
            return True
        try:
            return self.inp.isatty()
        except (AttributeError, ValueError):
            return False

    def confirmation_required(self, cmdlet: str, target: str) -> InvalidOperationError:
        return InvalidOperationError(
            f"{cmdlet} asks for a confirmation, and there is no one to answer it (no terminal, or "
            "the input ended). Nothing was changed. To go ahead without asking, pass "
            "-Confirm:$false or -Force (in Python: confirm=False or force=True).",
            error_id=f"ConfirmationRequired,{cmdlet}", target=target)

    def confirm(self, message: str, cmdlet: str = "", target: str = "") -> str:
        """Ask; returns Y (yes), A (yes to all), N (no) or L (no to all). With no one to answer
        (no terminal, or the input ended), ConfirmationRequired, as pwsh -NonInteractive."""
        if not self.interactive:
            raise self.confirmation_required(cmdlet, target)
        with self.lock:
            while True:
                self.err.write(
                    "\nConfirm\nAre you sure you want to perform this action?\n"
                    f"{message}\n"
                    '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is "Y"): ')
                self.err.flush()
                line = self.inp.readline()
                if not line:
                    self.err.write("\n")
                    raise self.confirmation_required(cmdlet, target)
                answer = line.strip().upper()[:1] or "Y"
                if answer in "YANL":
                    return answer
                self.err.write("Y - Continue with only the next step of the operation.\n"
                               "A - Continue with all the steps of the operation.\n"
                               "N - Skip this operation and proceed with the next operation.\n"
                               "L - Skip this operation and all subsequent operations.\n")

    def tracker(self, description: str, unit: str, progress: ProgressArg = None) -> Tracker:
        """How long work reports as it goes: to ``progress`` when it is a function, and as a
        bar where a person watches this host's standard error (see :mod:`portout.progress`)."""
        return Tracker(progress, description, unit, self.err)

