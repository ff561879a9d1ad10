"""What a script may do with a value beyond its operators: read and set its members (in any
case, record fields by their PowerShell names, member enumeration over an array) and elements,
call the few methods and [type]:: members the subset allows, and format it (-f, dates with .NET
format strings)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from portout.cmdlet import pascal, snake
from portout.host import values as v
from portout.host.errors import ScriptRuntimeError
from portout.host.values import NOTHING, Hashtable, PSObject, SecureString


_DATE_MEMBERS = {
    "year": lambda d: d.year, "month": lambda d: d.month, "day": lambda d: d.day,
    "hour": lambda d: d.hour, "minute": lambda d: d.minute, "second": lambda d: d.second,
    "millisecond": lambda d: d.microsecond // 1000, "dayofweek": lambda d: d.strftime("%A"),
    "dayofyear": lambda d: d.timetuple().tm_yday, "date": lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0),
    "timeofday": lambda d: timedelta(hours=d.hour, minutes=d.minute, seconds=d.second, microseconds=d.microsecond),
    "kind": lambda d: "Utc" if d.tzinfo is not None and d.utcoffset() == timedelta(0) else "Local",
}
_SPAN_MEMBERS = {
    "days": lambda t: int(t.total_seconds() // 86400), "hours": lambda t: int(t.total_seconds() % 86400 // 3600),
    "minutes": lambda t: int(t.total_seconds() % 3600 // 60), "seconds": lambda t: int(t.total_seconds() % 60),
    "totaldays": lambda t: t.total_seconds() / 86400, "totalhours": lambda t: t.total_seconds() / 3600,
    "totalminutes": lambda t: t.total_seconds() / 60, "totalseconds": lambda t: t.total_seconds(),
    "totalmilliseconds": lambda t: t.total_seconds() * 1000,
}


def fields(value: Any) -> list[str]:
    """A record's properties, PascalCase, in order."""
    if isinstance(value, PSObject):
        return list(value.properties)
    names = getattr(value, "_fields", None)
    if names:
        return [pascal(n) for n in names]
    return []


def get_member(value: Any, name: str) -> Any:
    lower = name.lower()
    if value is None:
        return None
    if isinstance(value, Hashtable) or isinstance(value, dict):
        if lower == "count" and "count" not in {str(k).lower() for k in value}:
            return len(value)
        if lower == "keys" and "keys" not in {str(k).lower() for k in value}:
            return list(value.keys())
        if lower == "values" and "values" not in {str(k).lower() for k in value}:
            return list(value.values())
        return Hashtable(value)[name] if not isinstance(value, Hashtable) else value[name]
    if isinstance(value, PSObject):
        key = value.find(name)
        if key is not None:
            return value.properties[key]
        if lower == "count":
            return 1
        return None
    if isinstance(value, (list, tuple)):
        if lower in ("count", "length"):
            return len(value)
        # member enumeration: each item's member
        out = [get_member(v, name) for v in value]
        return [v for v in out if v is not None]
    if isinstance(value, str):
        if lower == "length":
            return len(value)
        if lower == "count":
            return 1
        return None
    if isinstance(value, SecureString):
        return len(value.reveal()) if lower == "length" else None
    if isinstance(value, datetime):
        fn = _DATE_MEMBERS.get(lower)
        return fn(value) if fn else None
    if isinstance(value, timedelta):
        fn = _SPAN_MEMBERS.get(lower)
        return fn(value) if fn else None
    if lower == "count" and not hasattr(value, "count"):
        return 1
    getter = getattr(value, "ps_member", None)
    if callable(getter):
        return getter(name)
    for candidate in (snake(name), name):
        if hasattr(value, candidate) and not candidate.startswith("_"):
            got = getattr(value, candidate)
            return None if callable(got) else got
    names = getattr(value, "_fields", None) or ()
    for n in names:
        if n.lower().replace("_", "") == lower.replace("_", ""):
            return getattr(value, n)
    return None


def set_member(value: Any, name: str, new: Any) -> None:
    if isinstance(value, dict):
        if isinstance(value, Hashtable):
            value[name] = new
        else:
            value[name] = new
        return
    if isinstance(value, PSObject):
        value.set(name, new)
        return
    raise ScriptRuntimeError(f"The property '{name}' cannot be set on this object.",
                             error_id="PropertyAssignmentException")


def get_index(value: Any, index: Any) -> Any:
    if value is None:
        raise ScriptRuntimeError("Cannot index into a null array.", error_id="NullArray")
    if isinstance(value, dict):
        if isinstance(index, (list, tuple)):
            return [get_index(value, i) for i in index]
        return value[index] if isinstance(value, Hashtable) else Hashtable(value)[index]
    if isinstance(index, (list, tuple)):
        return [get_index(value, i) for i in index]
    seq = value if isinstance(value, (list, tuple, str)) else [value]
    i = int(v.to_number(index))
    if -len(seq) <= i < len(seq):
        return seq[i]
    return None


def set_index(value: Any, index: Any, new: Any) -> None:
    if isinstance(value, dict):
        value[index] = new
        return
    if isinstance(value, list):
        i = int(v.to_number(index))
        if not -len(value) <= i < len(value):
            raise ScriptRuntimeError("Index was outside the bounds of the array.", error_id="IndexOutOfRange")
        value[i] = new
        return
    raise ScriptRuntimeError("Only an array or a hashtable takes an element.", error_id="CannotIndex")


def _date_format(fmt: str) -> str:
    """A .NET custom date format as strftime's."""
    out = []
    for token in re.findall(r"yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fff|tt|zzz|K|'[^']*'|.", fmt):
        out.append({
            "yyyy": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%-m",
            "dddd": "%A", "ddd": "%a", "dd": "%d", "d": "%-d", "HH": "%H", "H": "%-H", "hh": "%I",
            "h": "%-I", "mm": "%M", "m": "%-M", "ss": "%S", "s": "%-S", "fff": "%f", "tt": "%p",
            "zzz": "%z", "K": "%z",
        }.get(token, token[1:-1] if token.startswith("'") else token.replace("%", "%%")))
    return "".join(out)


def format_date(value: datetime, fmt: str) -> str:
    standard = {"d": "%m/%d/%Y", "D": "%A, %B %d, %Y", "t": "%I:%M %p", "T": "%I:%M:%S %p",
                "s": "%Y-%m-%dT%H:%M:%S", "u": "%Y-%m-%d %H:%M:%SZ", "g": "%m/%d/%Y %I:%M %p",
                "G": "%m/%d/%Y %I:%M:%S %p", "o": "%Y-%m-%dT%H:%M:%S.%f0%z", "O": "%Y-%m-%dT%H:%M:%S.%f0%z"}
    pattern = standard.get(fmt) or _date_format(fmt)
    text = value.strftime(pattern)
    if "%f" in pattern and fmt not in ("o", "O"):
        pass
    return text


def format_value(value: Any, spec: str) -> str:
    """One {0:spec} of the -f operator: N, F, D, X, P, C and date formats."""
    if not spec:
        return v.to_string(value)
    if isinstance(value, datetime):
        return format_date(value, spec)
    letter, digits = spec[0], spec[1:]
    try:
        number = v.to_number(value)
    except ScriptRuntimeError:
        return v.to_string(value)
    places = int(digits) if digits.isdigit() else None
    if letter in "Nn":
        return f"{number:,.{2 if places is None else places}f}"
    if letter in "Ff":
        return f"{number:.{2 if places is None else places}f}"
    if letter in "Dd":
        return f"{int(number):0{places or 0}d}"
    if letter in "Xx":
        text = f"{int(number):0{places or 0}x}"
        return text.upper() if letter == "X" else text
    if letter in "Pp":
        return f"{number * 100:,.{2 if places is None else places}f} %"
    if letter in "Cc":
        return f"${number:,.{2 if places is None else places}f}"
    if re.fullmatch(r"[0#,.]+", spec):
        decimals = len(spec.split(".")[1]) if "." in spec else 0
        return f"{number:{',' if ',' in spec else ''}.{decimals}f}"
    return v.to_string(value)


def format_operator(fmt: Any, args: Any) -> str:
    values = list(args) if isinstance(args, (list, tuple)) else [args]
    text = v.to_string(fmt)

    def one(m: re.Match[str]) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        index = int(m.group(1))
        if index >= len(values):
            raise ScriptRuntimeError("Index (zero based) must be greater than or equal to zero and less than "
                                     "the size of the argument list.", error_id="FormatError")
        cell = format_value(values[index], m.group(3) or "")
        width = int(m.group(2)) if m.group(2) else 0
        return cell.rjust(width) if width > 0 else cell.ljust(-width)
    return re.sub(r"\{\{|\}\}|\{(\d+)(?:,\s*(-?\d+))?(?::([^}]*))?\}", one, text)


def call_method(value: Any, name: str, args: list[Any]) -> Any:
    lower = name.lower()
    if lower == "tostring":
        if args and isinstance(value, datetime):
            return format_date(value, v.to_string(args[0]))
        if args and isinstance(value, (int, float)):
            return format_value(value, v.to_string(args[0]))
        return v.to_string(value)
    if lower == "gettype":
        return PSObject({"Name": v.type_name(value).split(".")[-1], "FullName": v.type_name(value)})
    if lower == "equals":
        return v.equal(value, args[0] if args else None, case=True)
    if isinstance(value, SecureString):
        raise ScriptRuntimeError("A SecureString has no methods here.", error_id="MethodNotFound")
    if isinstance(value, str):
        s = value
        a = [v.to_string(x) if not isinstance(x, (int, float)) or isinstance(x, bool) else x for x in args]
        simple = {
            "toupper": lambda: s.upper(), "tolower": lambda: s.lower(),
            "toupperinvariant": lambda: s.upper(), "tolowerinvariant": lambda: s.lower(),
            "trim": lambda: s.strip(*(a[:1] and [a[0]])), "trimstart": lambda: s.lstrip(*(a[:1] and [a[0]])),
            "trimend": lambda: s.rstrip(*(a[:1] and [a[0]])),
            "startswith": lambda: s.startswith(a[0]), "endswith": lambda: s.endswith(a[0]),
            "contains": lambda: a[0] in s, "replace": lambda: s.replace(a[0], a[1]),
            "split": lambda: s.split(a[0]) if len(a[0]) == 1 or len(a) > 1 else re.split("[" + re.escape(a[0]) + "]", s),
            "substring": lambda: s[int(a[0]):] if len(a) == 1 else s[int(a[0]):int(a[0]) + int(a[1])],
            "indexof": lambda: s.find(a[0]), "lastindexof": lambda: s.rfind(a[0]),
            "padleft": lambda: s.rjust(int(a[0]), a[1] if len(a) > 1 else " "),
            "padright": lambda: s.ljust(int(a[0]), a[1] if len(a) > 1 else " "),
            "compareto": lambda: (s > a[0]) - (s < a[0]), "insert": lambda: s[:int(a[0])] + a[1] + s[int(a[0]):],
        }
        if lower in simple:
            try:
                return simple[lower]()
            except (IndexError, ValueError, TypeError):
                raise ScriptRuntimeError(f'Cannot find an overload for "{name}" and the argument count: '
                                         f'"{len(args)}".', error_id="MethodCountCouldNotFindBest") from None
    if isinstance(value, datetime):
        amount = v.to_number(args[0]) if args else 0
        adders = {"adddays": timedelta(days=amount), "addhours": timedelta(hours=amount),
                  "addminutes": timedelta(minutes=amount), "addseconds": timedelta(seconds=amount)}
        if lower in adders:
            return value + adders[lower]
        if lower in ("addmonths", "addyears"):
            months = int(amount) * (12 if lower == "addyears" else 1)
            year, month = divmod(value.month - 1 + months, 12)
            day = min(value.day, [31, 29 if (value.year + year) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                                  31][month])
            return value.replace(year=value.year + year, month=month + 1, day=day)
        if lower == "touniversaltime":
            return value.astimezone(timezone.utc)
        if lower == "tolocaltime":
            return value.astimezone()
    if isinstance(value, dict):
        if lower == "containskey":
            return args[0] in (value if isinstance(value, Hashtable) else Hashtable(value))
        if lower == "containsvalue":
            return any(v.equal(v, args[0], False) for v in value.values())
        if lower == "add":
            if args[0] in value:
                raise ScriptRuntimeError(f"Item has already been added. Key in dictionary: '{args[0]}'.",
                                         error_id="ArgumentException")
            value[args[0]] = args[1] if len(args) > 1 else None
            return NOTHING
        if lower == "remove":
            if args[0] in value:
                del value[args[0]]
            return NOTHING
        if lower == "clear":
            value.clear()
            return NOTHING
        if lower == "getenumerator":
            return [PSObject({"Name": k, "Key": k, "Value": v}) for k, v in value.items()]
    if isinstance(value, list):
        if lower == "contains":
            return any(v.equal(v, args[0], False) for v in value)
        if lower == "indexof":
            return next((i for i, v in enumerate(value) if v.equal(v, args[0], False)), -1)
    raise ScriptRuntimeError(f"The method {name}() is not available on a value of type {v.type_name(value)}.",
                             error_id="MethodNotFound")


def call_static(type_: str, name: str, args: list[Any]) -> Any:
    lower = name.lower()
    if type_ == "datetime":
        now = datetime.now().astimezone()
        if lower == "now":
            return now
        if lower == "utcnow":
            return datetime.now(timezone.utc)
        if lower == "today":
            return now.replace(hour=0, minute=0, second=0, microsecond=0)
        if lower == "parse":
            return v.to_datetime(args[0])
        if lower == "minvalue":
            return datetime.min
        if lower == "maxvalue":
            return datetime.max
    if type_ == "math":
        nums = [v.to_number(a) for a in args]
        fns = {"floor": lambda: math.floor(nums[0]), "ceiling": lambda: math.ceil(nums[0]),
               "abs": lambda: abs(nums[0]), "max": lambda: max(nums[0], nums[1]), "min": lambda: min(nums[0], nums[1]),
               "pow": lambda: float(nums[0]) ** nums[1], "sqrt": lambda: math.sqrt(nums[0]),
               "truncate": lambda: math.trunc(nums[0]),
               "round": lambda: round(nums[0], int(nums[1])) if len(nums) > 1 else round(nums[0])}
        if lower in fns:
            return fns[lower]()
    if type_ == "string":
        if lower == "isnullorempty":
            return args[0] is None or v.to_string(args[0]) == ""
        if lower == "isnullorwhitespace":
            return args[0] is None or v.to_string(args[0]).strip() == ""
        if lower == "join":
            rest = args[1] if len(args) == 2 and isinstance(args[1], (list, tuple)) else args[1:]
            return v.to_string(args[0]).join(v.to_string(v) for v in rest)
        if lower == "empty":
            return ""
        if lower == "format":
            return format_operator(args[0], args[1:])
    if type_ == "timespan":
        if lower == "zero":
            return timedelta(0)
        if lower == "parse":
            return v.to_timespan(args[0])
        unit = {"fromseconds": "seconds", "fromminutes": "minutes", "fromhours": "hours", "fromdays": "days",
                "frommilliseconds": "milliseconds"}.get(lower)
        if unit:
            return timedelta(**{unit: v.to_number(args[0])})
    if type_ in ("int", "long", "double"):
        if lower == "maxvalue":
            return 2**31 - 1 if type_ == "int" else 2**63 - 1
        if lower == "minvalue":
            return -2**31 if type_ == "int" else -2**63
        if lower == "parse":
            return v.cast(type_, args[0])
    raise ScriptRuntimeError(f"[{type_}]::{name} is not available.", error_id="MethodNotFound")
