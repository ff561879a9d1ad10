"""Objects as text, the way PowerShell shows them: a table for several, a list for one, or
JSON and CSV for machines. Property names are shown in PascalCase."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from portout.cmdlet import pascal

FORMATS = ("Table", "List", "Json", "Csv")


def fields_of(obj: Any) -> list[str]:
    fields = getattr(obj, "_fields", None)
    return list(fields) if fields else []


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
    headers = [pascal(f) for f in fields]
    rows = [[text(getattr(o, f)) for f in fields] for o in objects]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n" + "\n".join(lines) + "\n\n"
