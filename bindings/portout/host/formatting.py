"""What a script writes, shown as PowerShell shows it: text and numbers a line each, portout's
records in portout's views (a table for several, a list for one, as the command line shows
them), other objects as a table when they have four properties or fewer and as a list
otherwise, hashtables as Name and Value. Tables keep to the terminal's width (COLUMNS)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable, TextIO

from portout.cmdlet import pascal
from portout.format import render as portout_render, table, view_of
from portout.host import members as m
from portout.host import values as v
from portout.host.values import PSObject


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, datetime, timedelta))


def scalar_text(value: Any) -> str:
    if isinstance(value, datetime):
        hour = value.hour % 12 or 12
        return (f"{value.strftime('%A, %B')} {value.day}, {value.year} "
                f"{hour}:{value.strftime('%M:%S')} {'AM' if value.hour < 12 else 'PM'}")
    if isinstance(value, timedelta):
        return v.format_timespan(value)
    return v.to_string(value)


def _record(value: Any) -> bool:
    return bool(getattr(value, "_fields", None))


def _shape(value: Any) -> tuple[str, ...]:
    if isinstance(value, PSObject):
        return ("ps",) + tuple(value.properties)
    if isinstance(value, dict):
        return ("hashtable",)
    if _record(value):
        return ("record", type(value).__name__)
    if hasattr(value, "ps_member"):
        return ("error",)
    return ("other", type(value).__name__)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return v.format_datetime(value)
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(_cell(x) for x in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}" for k in value) + "}"
    return v.to_string(value).replace("\n", " ")


def _columns(rt: Any, scope: Any, items: list[Any], props: list[Any]
             ) -> tuple[list[str], list[list[str]], list[list[Any]]]:
    from portout.host.arguments import _all_properties, _calculated, _property

    if props:
        headers = []
        for p in props:
            headers.append(_calculated(p)[0] if isinstance(p, dict) else v.to_string(p))
        raw = [[_property(rt, scope, item, p) for p in props] for item in items]
    elif isinstance(items[0], dict):
        raw = [[v.to_string(key), value] for item in items for key, value in item.items()]
        return ["Name", "Value"], [[r[0], _cell(r[1])] for r in raw], [[r[0], None] for r in raw]
    else:
        headers = [pascal(f) for f in view_of(items[0])] if _record(items[0]) else _all_properties(items[0])
        raw = [[m.get_member(item, h) for h in headers] for item in items]
    return headers, [[_cell(x) for x in r] for r in raw], raw


def table_text(rt: Any, scope: Any, items: list[Any], props: list[Any] | None = None,
               headers: bool = True) -> str:
    items = [i for i in items if i is not None]
    if not items:
        return ""
    if all(_scalar(i) for i in items) and not props:
        return "\n".join(scalar_text(i) for i in items) + "\n"
    names, rows, raw = _columns(rt, scope, items, list(props or []))
    numeric = [bool(raw) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in col if x is not None)
               for col in zip(*raw)] if raw else [False] * len(names)
    text = table(names, rows, numeric)
    if not headers:
        lines = text.split("\n")
        text = "\n".join(lines[:1] + lines[3:])
    return text


def list_text(rt: Any, scope: Any, items: list[Any], props: list[Any] | None = None) -> str:
    from portout.host.arguments import _all_properties, _calculated, _property

    blocks = []
    for item in items:
        if item is None:
            continue
        if _scalar(item):
            blocks.append(scalar_text(item))
            continue
        names = ([(_calculated(p)[0] if isinstance(p, dict) else v.to_string(p), p) for p in props]
                 if props else [(name, name) for name in _all_properties(item)])
        if not names:
            blocks.append(v.to_string(item))
            continue
        w = max(len(name) for name, _ in names)
        blocks.append("\n".join(f"{name.ljust(w)} : {_cell(_property(rt, scope, item, p))}" for name, p in names))
    if not blocks:
        return ""
    return "\n" + "\n\n".join(blocks) + "\n\n"


def objects_text(items: list[Any]) -> str:
    """A run of objects of one shape, as Out-Default shows them."""
    first = items[0]
    if _record(first):
        return portout_render(items)
    if hasattr(first, "ps_member") and hasattr(first, "render"):
        return "".join(i.render() for i in items)
    if isinstance(first, dict):
        return table_text(None, None, items)
    props = m.fields(first)
    if isinstance(first, PSObject) and len(props) > 4:
        return list_text(None, None, items)
    if not props:
        return "\n".join(v.to_string(i) for i in items) + "\n"
    return table_text(None, None, items)


def render_all(items: Iterable[Any]) -> str:
    sink = _Collect()
    out = OutDefault(sink)
    for item in items:
        out.feed(item)
    out.flush()
    return sink.text()


class _Collect:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def text(self) -> str:
        return "".join(self.parts)


class OutDefault:
    """The end of a top-level pipeline: objects shown as they come, runs of one shape together."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.pending: list[Any] = []
        self.shape: tuple[str, ...] = ()

    def feed(self, item: Any) -> None:
        if item is None or item is v.NOTHING:
            return
        if _scalar(item):
            self.flush()
            self.out.write(scalar_text(item) + "\n")
            return
        shape = _shape(item)
        if self.pending and shape != self.shape:
            self.flush()
        self.shape = shape
        self.pending.append(item)

    def flush(self) -> None:
        if self.pending:
            self.out.write(objects_text(self.pending))
            self.pending = []
        try:
            self.out.flush()
        except (AttributeError, ValueError):
            pass

