"""Objects as text, the way PowerShell shows them: a table for several, a list for one, or
JSON and CSV for machines. Property names are shown in PascalCase.

A table shows a record type's default view (its important columns, as PowerShell's format
files do) and keeps to the terminal's width (``COLUMNS``); a list, JSON and CSV show every
property."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from portout.cmdlet import pascal

FORMATS = ("Table", "List", "Json", "Csv")


#: The columns a table shows of each record type; Format-List, -OutputFormat List, Json and
#: Csv, and Select-Object * show them all.
VIEWS: dict[str, tuple[str, ...]] = {
    "Tenant": ("tenant_id", "display_name", "country_or_region", "pin_is_set", "port_out_frozen",
               "last_modified_date_time"),
    "PinStatus": ("tenant_id", "pin_is_set", "pin_set_date_time", "failed_attempt_count", "locked_until",
                  "last_check_result"),
    "Order": ("order_id", "tenant_id", "gaining_carrier", "status", "reason", "phone_numbers", "foc_date"),
    "OrderStep": ("step", "occurred_date_time", "actor", "from_status", "to_status", "reason", "comment"),
    "CarrierPinState": ("carrier", "failed_attempt_count", "locked_until", "failures_in_window",
                        "last_failure_date_time"),
    "AuditEvent": ("event_id", "occurred_date_time", "event_type", "tenant_id", "actor", "outcome", "reason"),
    "Notification": ("notification_id", "occurred_date_time", "kind", "tenant_id", "order_id", "summary"),
    "Principal": ("name", "kind", "role", "tenant_scope", "carrier_name", "totp_enabled", "expires_date_time",
                  "last_used_date_time"),
    "Subscription": ("subscription_id", "kind", "target", "events", "tenant_scope", "audience"),
    "Delivery": ("delivery_id", "status", "event", "kind", "target", "attempts", "created_date_time",
                 "next_attempt_date_time", "last_error"),
    "PolicySettings": ("identity", "min_length", "max_length", "block_weak", "max_failed_attempts",
                       "lockout_duration", "overridden"),
}


def fields_of(obj: Any) -> list[str]:
    fields = getattr(obj, "_fields", None)
    return list(fields) if fields else []


def view_of(obj: Any) -> list[str]:
    """The fields a table shows of a record: its type's view, else all of them."""
    fields = fields_of(obj)
    view = VIEWS.get(type(obj).__name__)
    return [f for f in view if f in fields] if view else fields


def width() -> int:
    """The terminal's width: $COLUMNS, else the terminal's own, else 120 (a file or a pipe)."""
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return max(40, shutil.get_terminal_size((120, 24)).columns)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] = (),
          limit: int | None = None) -> str:
    """Cells as PowerShell's Format-Table lays them out: a space apart, each header underlined,
    numbers to the right. Within `limit` characters (the terminal's width), the widest columns
    give way first and a cut cell ends with an ellipsis; columns that still do not fit are left
    out, last first."""
    right = list(right) or [False] * len(headers)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    room = (limit or width()) - 1

    def total() -> int:
        return sum(widths) + len(widths) - 1
    while total() > room and max(widths) > 10:
        widest = max(range(len(widths)), key=lambda k: widths[k])
        widths[widest] -= 1
    shown = len(widths)
    while shown > 1 and sum(widths[:shown]) + shown - 1 > room:
        shown -= 1

    def fit(text: str, w: int, to_right: bool) -> str:
        if len(text) > w:
            return text[: max(w - 1, 0)] + "…"
        return text.rjust(w) if to_right else text.ljust(w)

    def line(cells: Sequence[str]) -> str:
        return " ".join(fit(c, w, r) for c, w, r in zip(cells[:shown], widths, right)).rstrip()
    lines = [line(headers), line(["-" * len(h) for h in headers])]
    lines += [line(r) for r in rows]
    return "\n" + "\n".join(lines) + "\n\n"


def plain(value: Any) -> Any:
    """A JSON-ready value."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, timedelta):
        return text(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if _is_violation(value):
        return {"Rule": value.rule, "Message": value.message}
    if fields_of(value):
        return {pascal(f): plain(getattr(value, f)) for f in fields_of(value)}
    return value


def text(value: Any) -> str:
    """A value as a cell shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    if isinstance(value, timedelta):
        total = int(value.total_seconds())
        days, rest = divmod(total, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        return (f"{days}." if days else "") + f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(text(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={text(v)}" for k, v in value.items()) + "}"
    if _is_violation(value):
        return str(value.rule)
    if fields_of(value):
        return type(value).__name__
    return str(value)


# Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(cell: str) -> bool:
    # A cell already starting with the quote is quoted again when what follows would be, so
    # that reading back (csv_value) is the exact inverse.
    return cell.startswith(CSV_FORMULA_STARTS) or (cell.startswith("'") and _needs_quote(cell[1:]))


def csv_cell(cell: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a cell starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading ``'`` (every such cell: phone numbers
    ``+1...`` and negative numbers too, as OWASP advises)."""
    return "'" + cell if _needs_quote(cell) else cell


def csv_value(cell: str) -> str:
    """A cell of a CSV file read back: the inverse of :func:`csv_cell`."""
    return cell[1:] if cell.startswith("'") and _needs_quote(cell[1:]) else cell


def _is_violation(value: Any) -> bool:
    return hasattr(value, "rule") and hasattr(value, "message")


def render(objects: Sequence[Any], fmt: str | None = None) -> str:
    """Render what a cmdlet wrote. ``fmt`` None: a table for several objects, a list for one."""
    objects = [o for o in objects if o is not None]
    if not objects:
        return ""
    if fmt == "Json":
        data = [plain(o) for o in objects]
        return json.dumps(data[0] if len(data) == 1 else data, indent=2) + "\n"
    scalars = all(isinstance(o, (bool, int, str)) for o in objects)
    if scalars and fmt != "Csv":
        return "".join(f"{o}\n" for o in objects)
    fields = fields_of(objects[0])
    if fmt == "Csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if scalars:  # a cell a line
            for o in objects:
                writer.writerow([csv_cell(str(o))])
            return buffer.getvalue()
        writer.writerow([pascal(f) for f in fields])
        for o in objects:
            writer.writerow([csv_cell(text(getattr(o, f))) for f in fields])
        return buffer.getvalue()
    if fmt == "List" or (fmt is None and len(objects) == 1):
        width = max(len(pascal(f)) for f in fields)
        blocks = []
        for o in objects:
            blocks.append("".join(f"{pascal(f):<{width}} : {text(getattr(o, f))}\n" for f in fields))
        return "\n" + "\n".join(blocks) + "\n"
    columns = view_of(objects[0])
    values = [[getattr(o, f) for f in columns] for o in objects]
    right = [all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in col if v is not None)
             for col in zip(*values)]
    return table([pascal(f) for f in columns], [[text(v) for v in row] for row in values], right)
