"""Rich display in Jupyter, and lists that export to pandas.

Every result record gets ``_repr_html_`` (a small two-column table) beside its plain ``repr``;
:class:`RecordList` shows a list of records as one table, capped at ``max_rows``, and exports
to pandas with :meth:`RecordList.to_pandas` (pandas is imported only then). No record holds a
secret, so none can be shown.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any, Iterable

from portout import _core

__all__ = ["RecordList", "MAX_ROWS"]

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


def record_html(record: Any) -> str:
    """One record as a two-column table, its type name as the caption."""
    rows = "".join(f'<tr><th style="{_TH}">{html.escape(name)}</th>'
                   f'<td style="{_TD}">{html.escape(_cell(getattr(record, name)))}</td></tr>'
                   for name in _fields(record))
    return (f'<table style="{_STYLE}"><caption style="text-align:left">'
            f"<b>{html.escape(type(record).__name__)}</b></caption>{rows}</table>")


class RecordList(list):  # type: ignore[type-arg]
    """A list of records that shows as a table in Jupyter and exports to pandas."""

    max_rows = MAX_ROWS

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)

    def _columns(self) -> list[str]:
        return _fields(self[0]) if self else []

    def _repr_html_(self) -> str:
        if not self:
            return "<i>no records</i>"
        columns = self._columns()
        head = "".join(f'<th style="{_TH}">{html.escape(c)}</th>' for c in columns)
        body = "".join(
            "<tr>" + "".join(f'<td style="{_TD}">{html.escape(_cell(getattr(r, c, "")))}</td>'
                             for c in columns) + "</tr>"
            for r in self[: self.max_rows])
        more = len(self) - self.max_rows
        tail = f"<p><i>{more} more rows of {len(self)}</i></p>" if more > 0 else ""
        kind = html.escape(type(self[0]).__name__)
        return (f'<table style="{_STYLE}"><caption style="text-align:left"><b>{len(self)} '
                f"{kind}</b></caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"{tail}")

    def to_pandas(self) -> Any:
        """A pandas DataFrame, a column per field (pandas is imported only now)."""
        import pandas as pd

        columns = self._columns()
        return pd.DataFrame([{c: getattr(r, c) for c in columns} for r in self], columns=columns)


RECORD_TYPES: tuple[type, ...] = (
    _core.Tenant, _core.PinStatus, _core.PolicySettings, _core.AuditEvent,
    _core.AuditVerification, _core.AuditCheckpoint, _core.RotationReport, _core.PhoneNumber,
    _core.Order, _core.OrderNumber, _core.Notification,
)


def install(extra: Iterable[type] = ()) -> None:
    """Give every record type its HTML form (done once, when portout is imported)."""
    for cls in (*RECORD_TYPES, *extra):
        cls._repr_html_ = record_html  # type: ignore[attr-defined]
