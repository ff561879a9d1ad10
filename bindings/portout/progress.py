"""Progress of long work, reported as it goes.

Every long operation (bulk cmdlets over many targets, ``Store.verify_audit``,
``Store.rotate_key``, ``Store.copy_to`` and their cmdlets) takes ``progress=``:

- a callable, ``progress(done, total)``: called as the work goes, at every hundredth of it and
  at least once a second, and once at the end; ``total`` is None while it is not known;
- ``True``: a bar, wherever the output goes;
- ``False``: nothing;
- ``None`` (the default): a bar when a person is watching (standard error is a terminal, or
  the code runs in a notebook), once the work has lasted half a second.

In a notebook the bar is a widget (tqdm's) when ``ipywidgets`` 7 or later is there, and
otherwise a bar of the cell's own output redrawn in place: an HTML ``<progress>`` whose plain-text
form is the text bar (Debian 12's ipywidgets 6 speaks a widget protocol that today's notebook
front ends no longer read). On a terminal it is a text bar that goes away when the work ends.
"""

from __future__ import annotations

import html
import importlib
import sys
import time
from typing import Any, Callable, TextIO, Union

#: ``progress=`` as callers give it.
ProgressArg = Union[bool, Callable[[int, "int | None"], Any], None]

#: Seconds of work before a bar shows, when nobody asked for one.
DELAY = 0.5


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # noqa: BLE001 - an IPython too old or half-imported is no notebook
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def widgets_available() -> bool:
    """Whether a notebook bar can be a widget: ipywidgets 7 or later, and tqdm's notebook bar."""
    try:
        widgets = importlib.import_module("ipywidgets")
        major = int(str(getattr(widgets, "__version__", "0")).split(".")[0])
        if major < 7:
            return False
        importlib.import_module("tqdm.notebook")
    except Exception:  # noqa: BLE001 - any failure to import means no widget
        return False
    return True


class NotebookBar:
    """A bar in the cell's output, redrawn in place (a display with an id): an HTML
    ``<progress>`` with the count, and the text bar as its plain-text form. It has what the
    tracker uses of a tqdm bar: ``total``, ``n``, ``refresh()``, ``close()``."""

    def __init__(self, total: int | None, description: str, unit: str) -> None:
        from IPython.display import display

        self.total, self.n = total, 0
        self.description, self.unit = description, unit
        self.started = time.monotonic()
        self.handle = display(self.bundle(), raw=True, display_id=True)

    def text(self) -> str:
        from tqdm import tqdm

        return tqdm.format_meter(self.n, self.total, time.monotonic() - self.started,
                                 ncols=80, prefix=self.description, unit=self.unit)

    def bundle(self) -> dict[str, str]:
        count = f"{self.n:,}" + (f" of {self.total:,}" if self.total else "") + f" {self.unit}s"
        if self.total:
            bar = f'<progress value="{self.n}" max="{self.total}"></progress>'
            count += f" ({100 * self.n // self.total}%)"
        else:
            bar = "<progress></progress>"  # of unknown length: the browser's busy bar
        label = html.escape(self.description)
        return {"text/plain": self.text(),
                "text/html": f'<div class="portout-progress" role="status">{label} {bar} '
                             f'<span style="font-variant-numeric: tabular-nums">{count}</span>'
                             f'</div>'}

    def refresh(self) -> None:
        if self.handle is not None:
            self.handle.update(self.bundle(), raw=True)

    def close(self) -> None:
        self.refresh()
        self.handle = None


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def watched(stream: TextIO) -> bool:
    """Whether a person sees what is written to ``stream``."""
    return _isatty(stream) or (in_notebook() and stream is sys.stderr)


def make_bar(total: int | None, description: str, unit: str, stream: TextIO) -> Any:
    """A tqdm bar for where ``stream`` goes; None without tqdm."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    notebook = in_notebook() and stream is sys.stderr
    if notebook:
        try:
            if widgets_available():
                from tqdm.notebook import tqdm as widget
                return widget(total=total, desc=description, unit=unit, leave=True)
            return NotebookBar(total, description, unit)
        except Exception:  # noqa: BLE001 - a bar that cannot be shown there: the text bar
            pass
    return tqdm(total=total, desc=description, unit=unit, file=stream, leave=notebook,
                ncols=None if _isatty(stream) else 80)


class Tracker:
    """Reports one piece of long work: to the caller's callable, and to a bar.

    Call it with ``(done, total)`` as the work goes; close it (or use it as a context manager)
    when the work ends. ``native`` is what the core takes as its hook: None when nothing would
    be reported, so the core does not call back for nothing.
    """

    def __init__(self, progress: ProgressArg, description: str, unit: str = "",
                 stream: TextIO | None = None) -> None:
        self.check(progress)
        self.description = description
        self.unit = unit or "it"
        self.stream = stream if stream is not None else sys.stderr
        self.callback = None if isinstance(progress, bool) or progress is None else progress
        self.asked = progress is True
        self.draws = self.asked or (progress is None and watched(self.stream))
        self.delay = 0.0 if self.asked else DELAY
        self.started = time.monotonic()
        self.bar: Any = None
        self.drawn = 0.0
        self.done = 0
        self.total: int | None = None

    @staticmethod
    def check(progress: object) -> None:
        """TypeError, saying what it takes, for a ``progress=`` that is none of them."""
        if progress is not None and not isinstance(progress, bool) and not callable(progress):
            raise TypeError(f"progress= takes a function (done, total), True, False or None, "
                            f"not {type(progress).__name__}.")

    @property
    def active(self) -> bool:
        return self.callback is not None or self.draws

    @property
    def native(self) -> Callable[[int, int, str], None] | None:
        if not self.active:
            return None
        return lambda done, total, stage: self(done, total or None)

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total
        if self.callback is not None:
            self.callback(done, total)
        if not self.draws:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            if not self.asked and total is not None and total < 2:
                return
            self.bar = make_bar(total, self.description, self.unit, self.stream)
            if self.bar is None:
                self.draws = False
                return
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.n = done
        now = time.monotonic()
        if now - self.drawn >= 0.1 or done == total:  # ten redraws a second at most
            self.drawn = now
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
