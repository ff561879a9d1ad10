"""Rich display in Jupyter, and lists that export to pandas.

Every result record gets ``_repr_html_`` (a small two-column table) beside its plain ``repr``;
:class:`RecordList` shows a list of records as one table, capped at ``max_rows``, and exports
to pandas with :meth:`RecordList.to_pandas` (pandas is imported only then). No record holds a
secret, so none can be shown.
"""

from __future__ import annotations

import html
from collections import deque
from datetime import datetime, timedelta
from typing import Any, Container, Iterable, Iterator, Sequence

from portout import _core

__all__ = ["RecordList", "Records", "MAX_ROWS", "fields_html", "html_table"]

#: Rows a list shows before it says how many more there are.
MAX_ROWS = 50


def _fields(record: Any) -> list[str]:
    return list(getattr(record, "_fields", ()) or ())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if hasattr(value, "rule") and hasattr(value, "message"):
        return str(value.rule)
    if _fields(value):
        return type(value).__name__
    return str(value)


_STYLE = "border-collapse:collapse;font-size:90%"
_TH = "text-align:left;padding:2px 8px;border-bottom:1px solid #999"
_TD = "text-align:left;padding:2px 8px;vertical-align:top"
_WRAP = "max-width:100%;overflow-x:auto"
_NOWRAP = "white-space:nowrap"


def fields_html(caption: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Name-value pairs as a two-column table, the caption in bold."""
    rows = "".join(f'<tr><th style="{_TH}">{html.escape(name)}</th>'
                   f'<td style="{_TD}">{html.escape(value)}</td></tr>' for name, value in pairs)
    return (f'<table style="{_STYLE}"><caption style="text-align:left">'
            f"<b>{html.escape(caption)}</b></caption>{rows}</table>")


def record_html(record: Any) -> str:
    """One record as a two-column table, its type name as the caption."""
    return fields_html(type(record).__name__,
                       ((name, _cell(getattr(record, name))) for name in _fields(record)))


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, caption_html: str = "",
               code: Container[int] = (), nowrap: Container[int] = (), color: str = "") -> str:
    """Plain-text cells (escaped here) as a table under underlined headers, in a box that
    scrolls sideways; the columns in ``code`` as code, those in ``nowrap`` on one line."""
    def cell(i: int, text: str) -> str:
        body = f"<code>{html.escape(text)}</code>" if i in code else html.escape(text)
        return f'<td style="{_TD}{";" + _NOWRAP if i in nowrap else ""}">{body}</td>'

    head = "".join(f'<th style="{_TH}">{html.escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    caption = f'<caption style="text-align:left">{caption_html}</caption>' if caption_html else ""
    return (f'<div style="{_WRAP}"><table style="{_STYLE}{";color:" + color if color else ""}">'
            f"{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


#: What each field of the records holds, for frames that keep their schema with or without rows.
_KINDS: dict[str, str] = {
    **dict.fromkeys(("added_date_time", "approved_date_time", "completed_date_time", "created_date_time",
                     "foc_date", "last_check_date_time", "last_failure_date_time",
                     "last_modified_date_time", "locked_until", "occurred_date_time",
                     "pin_set_date_time", "requested_foc_date", "review_deadline",
                     "started_date_time", "taken_date_time"), "datetime"),
    **dict.fromkeys(("block_weak", "is_valid", "pin_is_set", "port_out_frozen", "resumed"), "bool"),
    **dict.fromkeys(("batches", "checkpoints_checked", "event_count", "event_id", "failed_attempt_count",
                     "failed_checkpoint", "failures_in_window", "first_broken_event_id", "lockout_count",
                     "max_failed_attempts", "max_foc_days", "max_length", "min_foc_business_days",
                     "min_length", "notification_id", "records_rotated", "step", "tenant_max_failures"),
                    "int"),
    **dict.fromkeys(("cancel_cutoff", "failure_window", "lockout_duration", "max_lockout_duration",
                     "review_window"), "timedelta"),
    **dict.fromkeys(("country_or_region", "event_type", "from_status", "gaining_carrier", "internal_reason",
                     "kind", "last_check_result", "outcome", "port_type", "problem", "reason",
                     "review_deadline_action", "status", "time_zone", "to_status"), "category"),
}


def plural(name: str, count: int) -> str:
    """`1 Tenant`, `24 Tenants`, `2 PinStatuses`, `3 more rows`."""
    if count == 1:
        return f"{count} {name}"
    if name.endswith(("us", "ss", "x")):
        return f"{count} {name}es"
    if name.endswith("s"):  # PolicySettings
        return f"{count} {name}"
    return f"{count} {name[:-1]}ies" if name.endswith("y") and name[-2:-1] not in "aeiou" else f"{count} {name}s"


class RecordList(list):  # type: ignore[type-arg]
    """A list of records that shows as a table in Jupyter and exports to pandas.

    ``record_type`` is the type of its records, known even when the list is empty, so that
    ``to_pandas()`` gives the same columns and dtypes with or without rows."""

    max_rows = MAX_ROWS

    def __init__(self, items: Iterable[Any] = (), *, record_type: type | None = None) -> None:
        super().__init__(items)
        self.record_type = record_type

    def _type(self) -> type | None:
        return type(self[0]) if self else self.record_type

    def _columns(self) -> list[str]:
        kind = self._type()
        return list(getattr(kind, "_fields", ()) or ()) if kind is not None else []

    def _view(self) -> list[str]:
        from portout.format import VIEWS

        columns = self._columns()
        kind = self._type()
        view = VIEWS.get(kind.__name__) if kind is not None else None
        return [c for c in view if c in columns] if view else columns

    def _caption(self) -> str:
        kind = self._type()
        return plural(kind.__name__ if kind is not None else "record", len(self))

    def _repr_html_(self) -> str:
        return self._table_html()

    def _table_html(self, caption: str | None = None) -> str:
        from portout.cmdlet import pascal

        if not self:
            kind = self._type()
            return f"<i>{html.escape(plural(kind.__name__, 0) if kind is not None else 'no records')}</i>"
        columns = self._view()
        head = "".join(f'<th style="{_TH};{_NOWRAP}">{html.escape(pascal(c))}</th>' for c in columns)
        body = "".join(
            "<tr>" + "".join(f'<td style="{_TD};{_NOWRAP}">{html.escape(_cell(getattr(r, c, "")))}</td>'
                             for c in columns) + "</tr>"
            for r in self[: self.max_rows])
        more = len(self) - self.max_rows
        hidden = len(self._columns()) - len(columns)
        notes = []
        if more > 0:
            notes.append(f"{plural('more row', more)} of {len(self)}")
        if hidden > 0:
            notes.append(f"{plural('more column', hidden)}: to_pandas() has them all")
        tail = f"<p><i>{html.escape('; '.join(notes))}</i></p>" if notes else ""
        return (f'<div style="{_WRAP}"><table style="{_STYLE}"><caption style="text-align:left">'
                f"<b>{html.escape(caption or self._caption())}</b></caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></div>{tail}")

    def to_pandas(self) -> Any:
        """A pandas DataFrame, a column per field, with the record type's dtypes whether the
        list has rows or not: timezone-aware datetimes, nullable booleans and integers,
        timedeltas, categoricals for statuses and reasons (pandas is imported only now)."""
        import pandas as pd

        columns = self._columns()
        frame = pd.DataFrame([{c: getattr(r, c) for c in columns} for r in self], columns=columns)
        for c in columns:
            kind = _KINDS.get(c)
            if kind == "datetime":
                frame[c] = pd.to_datetime(frame[c], utc=True)
            elif kind == "bool":
                frame[c] = frame[c].astype("boolean")
            elif kind == "int":
                frame[c] = frame[c].astype("Int64")
            elif kind == "timedelta":
                frame[c] = pd.to_timedelta(frame[c])
            elif kind == "category":
                frame[c] = frame[c].astype("category")
        return frame


class Records(Iterator[Any]):
    """Records read page by page as they are iterated (what ``store.tenants()`` and the other
    listings return): an iterator, as before, that shows what it holds without being used up.

    At a prompt or in a notebook it shows its first rows (read ahead, and still given when it
    is iterated) and how to take the rest: iterate, ``list(...)``, ``.to_list()`` (a
    :class:`RecordList`) or ``.to_pandas()``.
    """

    shown_rows = 10  # in the text form; the HTML form shows MAX_ROWS

    def __init__(self, source: Iterable[Any], record_type: type, what: str) -> None:
        self._source = iter(source)
        self._ahead: deque[Any] = deque()
        self._ended = False
        self.record_type = record_type
        self.what = what  # "tenants of 'store.db'"

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> Any:
        if self._ahead:
            return self._ahead.popleft()
        if self._ended:
            raise StopIteration
        try:
            return next(self._source)
        except StopIteration:
            self._ended = True
            raise

    def _peek(self, count: int) -> tuple[list[Any], bool]:
        """The next ``count`` records, kept to be given again; and whether more follow."""
        while len(self._ahead) <= count and not self._ended:
            try:
                self._ahead.append(next(self._source))
            except StopIteration:
                self._ended = True
        ahead = list(self._ahead)
        return ahead[:count], len(ahead) > count

    def to_list(self) -> RecordList:
        """The rest, read now, as a :class:`RecordList`."""
        return RecordList(self, record_type=self.record_type)

    def to_pandas(self) -> Any:
        """The rest, read now, as a pandas DataFrame (see :meth:`RecordList.to_pandas`)."""
        return self.to_list().to_pandas()

    def _how(self, more: bool) -> str:
        return ("more follow: iterate, or list(), .to_list() or .to_pandas() for them all" if more
                else "that is all")

    def __repr__(self) -> str:
        from portout import format as formatting

        rows, more = self._peek(self.shown_rows)
        head = f"<Records: {self.what}, read page by page as iterated"
        if not rows:
            return head + "; none (left)>"
        return (f"{head}; the next {len(rows)}, {self._how(more)}>"
                + formatting.render(rows, "Table").rstrip("\n"))

    def _repr_html_(self) -> str:
        rows, more = self._peek(MAX_ROWS)
        if not rows:
            return f"<i>{html.escape('no ' + self.what + ' (left)')}</i>"
        shown = RecordList(rows, record_type=self.record_type)
        caption = (f"The next {plural(self.record_type.__name__, len(rows))}" if more
                   else plural(self.record_type.__name__, len(rows)))
        note = (f"<p><i>{html.escape(self.what)}, read page by page as iterated: "
                f"{html.escape(self._how(more))}</i></p>")
        return shown._table_html(caption) + note


RECORD_TYPES: tuple[type, ...] = (
    _core.Tenant, _core.PinStatus, _core.PolicySettings, _core.AuditEvent,
    _core.AuditVerification, _core.AuditCheckpoint, _core.RotationReport, _core.PhoneNumber,
    _core.Order, _core.OrderNumber, _core.OrderStep, _core.CarrierPinState, _core.Notification,
    _core.Principal, _core.Subscription, _core.Delivery, _core.DeliveryAttempt, _core.DueDelivery,
)


def install(extra: Iterable[type] = ()) -> None:
    """Give every record type its HTML form (done once, when portout is imported)."""
    for cls in (*RECORD_TYPES, *extra):
        cls._repr_html_ = record_html  # type: ignore[attr-defined]
