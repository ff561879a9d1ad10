"""PowerShell's rules for values, as the language specification gives them: what is true, how a
value becomes text or a number, how comparison works (case-insensitive unless asked, the right
side converted to the left side's kind, a collection on the left filtered), arithmetic, casts,
members, and the few methods the subset allows."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any, Iterator

from portout.host.errors import ScriptRuntimeError
from portout.host.subset import COMPARISONS


class PSObject:
    """A [pscustomobject]: named properties in order, read in any case."""

    __slots__ = ("_props",)

    def __init__(self, props: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "_props", dict(props or {}))

    @property
    def properties(self) -> dict[str, Any]:
        return self._props

    def find(self, name: str) -> str | None:
        if name in self._props:
            return name
        lower = name.lower()
        return next((k for k in self._props if k.lower() == lower), None)

    def get(self, name: str) -> Any:
        key = self.find(name)
        return self._props[key] if key is not None else None

    def set(self, name: str, value: Any) -> None:
        self._props[self.find(name) or name] = value

    def __repr__(self) -> str:
        return "@{" + "; ".join(f"{k}={to_string(v)}" for k, v in self._props.items()) + "}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PSObject) and other._props == self._props

    __hash__ = None  # type: ignore[assignment]


class Hashtable(dict):  # type: ignore[type-arg]
    """@{ }: keys found in any case, in the order they were written."""

    def _key(self, key: Any) -> Any:
        if isinstance(key, str) and not dict.__contains__(self, key):
            lower = key.lower()
            for k in self.keys():
                if isinstance(k, str) and k.lower() == lower:
                    return k
        return key

    def __getitem__(self, key: Any) -> Any:
        return dict.get(self, self._key(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, self._key(key), value)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, self._key(key))

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, self._key(key))


class FileText(str):
    """Text a script read from a file it names (Import-Csv, Get-Content): a PIN may come from
    there, as from Read-Host -AsSecureString, but never from the script's own text or its
    command line. Any operation on it makes plain text again."""

    __slots__ = ()


class SecureString:
    """What Read-Host -AsSecureString gives: a PIN that never shows."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "System.Security.SecureString"

    __str__ = __repr__

    @property
    def Length(self) -> int:  # noqa: N802 (PowerShell's name)
        return len(self._value)


class ScriptBlockValue:
    """A { } block as a value: run by Where-Object, ForEach-Object, a switch clause..."""

    def __init__(self, block: Any, runtime: Any) -> None:
        self.block = block
        self.runtime = runtime

    def __repr__(self) -> str:
        text = self.block.text
        return text[1:-1] if text.startswith("{") else text

    __str__ = __repr__


class NoOutput:
    """What [void] and `$null = ...` make: nothing at all in the output."""


NOTHING = NoOutput()


# -- collections ------------------------------------------------------------------------------

def is_collection(value: Any) -> bool:
    return isinstance(value, (list, tuple)) or (hasattr(value, "__iter__") and hasattr(value, "errors")
                                               and isinstance(value, list))


def items(value: Any) -> list[Any]:
    """A value as the items a pipeline or foreach takes from it: a collection's items, $null as
    none, anything else as itself."""
    if value is None or value is NOTHING:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, Iterator):
        return list(value)
    return [value]


def unwrap(values: list[Any]) -> Any:
    """A pipeline's output as a value: nothing is $null, one item is itself, more an array."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return list(values)


# -- truth, text, numbers -----------------------------------------------------------------------

def to_bool(value: Any) -> bool:
    if value is None or value is NOTHING:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value != ""
    if isinstance(value, SecureString):
        return True
    if isinstance(value, (list, tuple)):
        if not value:
            return False
        if len(value) == 1:
            return to_bool(value[0]) if not isinstance(value[0], (list, tuple)) else True
        return True
    if isinstance(value, dict):
        return True
    return True


def format_number(value: float | int) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{abs(int(exponent)):02d}"
    return text


def format_datetime(value: datetime) -> str:
    """A date as text the way PowerShell makes it in a string: MM/dd/yyyy HH:mm:ss."""
    return value.strftime("%m/%d/%Y %H:%M:%S")


def format_timespan(value: timedelta) -> str:
    total = value.total_seconds()
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(int(total), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = total - int(total)
    text = f"{sign}{days}." if days else sign
    text += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if fraction:
        text += f".{int(round(fraction * 1e7)):07d}"
    return text


def type_name(value: Any) -> str:
    """The type PowerShell would name for a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "System.Boolean"
    if isinstance(value, int):
        return "System.Int32" if -2**31 <= value < 2**31 else "System.Int64"
    if isinstance(value, float):
        return "System.Double"
    if isinstance(value, str):
        return "System.String"
    if isinstance(value, datetime):
        return "System.DateTime"
    if isinstance(value, timedelta):
        return "System.TimeSpan"
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    if isinstance(value, Hashtable) or isinstance(value, dict):
        return "System.Collections.Hashtable"
    if isinstance(value, PSObject):
        return "System.Management.Automation.PSCustomObject"
    if isinstance(value, SecureString):
        return "System.Security.SecureString"
    if isinstance(value, ScriptBlockValue):
        return "System.Management.Automation.ScriptBlock"
    return f"portout.{type(value).__name__}"


def to_string(value: Any) -> str:
    """A value as text, as PowerShell converts it (string expansion, -join, [string])."""
    if value is None or value is NOTHING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, (list, tuple)):
        return " ".join(to_string(v) for v in value)
    if isinstance(value, dict):
        return "System.Collections.Hashtable"
    if isinstance(value, (PSObject, SecureString, ScriptBlockValue)):
        return repr(value)
    to_text = getattr(value, "to_text", None)
    if callable(to_text):
        return str(to_text())
    if hasattr(value, "_fields") or hasattr(value, "rule"):
        return type_name(value)
    return str(value)


_INT = re.compile(r"\s*[+-]?\d+\s*")
_HEX = re.compile(r"\s*0x[0-9a-f]+\s*", re.IGNORECASE)
_FLOAT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def to_number(value: Any, what: str = "a number") -> int | float:
    if value is None or value is NOTHING:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        if value.strip() == "":
            return 0
        if _INT.fullmatch(value):
            return int(value)
        if _HEX.fullmatch(value):
            return int(value.strip(), 16)
        if _FLOAT.fullmatch(value):
            return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return to_number(value[0], what)
    raise ScriptRuntimeError(f'Cannot convert value "{to_string(value)}" to type "{what}".',
                             error_id="InvalidCastFromStringToInteger")


def to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parse in (lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")),
                      lambda t: datetime.strptime(t, "%m/%d/%Y %H:%M:%S"),
                      lambda t: datetime.strptime(t, "%m/%d/%Y")):
            try:
                return parse(text)
            except ValueError:
                continue
    raise ScriptRuntimeError(f'Cannot convert value "{to_string(value)}" to type "System.DateTime".',
                             error_id="InvalidCastParseTargetInvocation")


def to_timespan(value: Any) -> timedelta:
    from portout.cmdlet import parse_timespan

    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        parsed = parse_timespan(value)
        if parsed is not None:
            return parsed
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(microseconds=value / 10)  # ticks, as [timespan]123 means
    raise ScriptRuntimeError(f'Cannot convert value "{to_string(value)}" to type "System.TimeSpan".',
                             error_id="InvalidCastParseTargetInvocation")


def cast(type_name_: str, value: Any) -> Any:
    t = type_name_
    if t == "void":
        return NOTHING
    if t in ("object",):
        return value
    if t == "string":
        return None if value is None and False else to_string(value)
    if t in ("int", "long"):
        number = to_number(value, "System.Int32")
        if isinstance(number, float):
            if math.isnan(number) or math.isinf(number):
                raise ScriptRuntimeError("Cannot convert a value that is not a number to an integer.",
                                         error_id="InvalidCastIConvertible")
            return int(round(number))  # banker's rounding, as .NET
        return number
    if t == "double":
        return float(to_number(value, "System.Double"))
    if t in ("bool", "switch"):
        return to_bool(value)
    if t == "datetime":
        return to_datetime(value)
    if t == "timespan":
        return to_timespan(value)
    if t == "char":
        text = to_string(value)
        if len(text) != 1:
            raise ScriptRuntimeError(f'Cannot convert "{text}" to a single character.',
                                     error_id="InvalidCastParseTargetInvocation")
        return text
    if t == "array":
        return items(value) if isinstance(value, (list, tuple)) else ([] if value is None else [value])
    if t == "string[]":
        return [to_string(v) for v in (items(value) if isinstance(value, (list, tuple)) else [value])]
    if t == "int[]":
        return [cast("int", v) for v in (items(value) if isinstance(value, (list, tuple)) else [value])]
    if t in ("hashtable", "ordered"):
        if isinstance(value, dict):
            return Hashtable(value)
        raise ScriptRuntimeError("Only a hashtable converts to [hashtable].", error_id="InvalidCast")
    if t == "pscustomobject":
        if isinstance(value, dict):
            return PSObject({str(k): v for k, v in value.items()})
        return value
    if t == "exception":
        return ScriptRuntimeError(to_string(value))
    raise ScriptRuntimeError(f"[{t}] is not a type a value converts to here.", error_id="InvalidCast")


# -- comparison -------------------------------------------------------------------------------

def _like(pattern: str, case: bool) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end].replace("\\", "\\\\")
                out.append(f"[{body}]")
                i = end
        elif c == "`" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), 0 if case else re.IGNORECASE | re.DOTALL)


def dotnet_regex(pattern: str) -> str:
    """A .NET pattern for Python's re: named groups (?<name>...) spelled (?P<name>...)."""
    return re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern)


def aligned(a: datetime, b: datetime) -> tuple[datetime, datetime]:
    """Two dates comparable: one without a zone is taken as this machine's local time."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        return (a.astimezone() if a.tzinfo is None else a), (b.astimezone() if b.tzinfo is None else b)
    return a, b


def _coerce(left: Any, right: Any) -> Any:
    """The right side converted to the kind of the left, as PowerShell compares."""
    if right is None:
        return None
    if isinstance(left, bool):
        return to_bool(right)
    if isinstance(left, (int, float)):
        try:
            return to_number(right)
        except ScriptRuntimeError:
            return right
    if isinstance(left, str):
        return to_string(right)
    if isinstance(left, datetime):
        try:
            return to_datetime(right)
        except ScriptRuntimeError:
            return right
    return right


def equal(left: Any, right: Any, case: bool) -> bool:
    if left is None or right is None:
        return left is None and right is None
    r = _coerce(left, right)
    if isinstance(left, str) and isinstance(r, str):
        return left == r if case else left.lower() == r.lower()
    if isinstance(left, datetime) and isinstance(r, datetime):
        left, r = aligned(left, r)
    try:
        return bool(left == r)
    except Exception:  # noqa: BLE001
        return False


def _order(left: Any, right: Any, case: bool) -> int:
    if left is None:
        return 0 if right is None else -1
    if right is None:
        return 1
    r = _coerce(left, right)
    a, b = left, r
    if isinstance(a, datetime) and isinstance(b, datetime):
        a, b = aligned(a, b)
    if isinstance(a, str) and isinstance(b, str) and not case:
        a, b = a.lower(), b.lower()
    try:
        return (a > b) - (a < b)
    except TypeError:
        raise ScriptRuntimeError(f'Cannot compare "{to_string(left)}" to "{to_string(right)}".',
                                 error_id="ComparisonFailure") from None


def operator_parts(op: str) -> tuple[str, bool]:
    """A comparison operator's name without its case prefix, and whether it is case-sensitive:
    "ceq" is ("eq", True), "ieq" and "eq" are ("eq", False)."""
    op = op.lstrip("-")
    if op[:1] in ("c", "i") and op[1:] in COMPARISONS:
        return op[1:], op[0] == "c"
    return op, False


def compare_one(op: str, left: Any, right: Any, matches: dict[str, Any] | None = None) -> Any:
    base, case = operator_parts(op)
    if base == "eq":
        return equal(left, right, case)
    if base == "ne":
        return not equal(left, right, case)
    if base in ("gt", "ge", "lt", "le"):
        c = _order(left, right, case)
        return {"gt": c > 0, "ge": c >= 0, "lt": c < 0, "le": c <= 0}[base]
    if base in ("like", "notlike"):
        hit = _like(to_string(right), case).fullmatch(to_string(left)) is not None
        return hit if base == "like" else not hit
    if base in ("match", "notmatch"):
        m = re.search(dotnet_regex(to_string(right)), to_string(left), 0 if case else re.IGNORECASE)
        if m and matches is not None:
            matches.clear()
            matches.update({0: m.group(0)})
            for k, v in enumerate(m.groups(), 1):
                if v is not None:
                    matches[k] = v
            matches.update({k: v for k, v in m.groupdict().items() if v is not None})
        return bool(m) if base == "match" else not m
    raise AssertionError(op)




def compare(op: str, left: Any, right: Any, matches: dict[str, Any] | None = None) -> Any:
    """A comparison operator; a collection on the left gives the items that compare true."""
    op = op.lstrip("-")
    base, case = operator_parts(op)
    if base in ("contains", "notcontains"):
        found = any(equal(v, right, case) for v in items(left) or [left] if left is not None) \
            if isinstance(left, (list, tuple)) else equal(left, right, case)
        return found if base == "contains" else not found
    if base in ("in", "notin"):
        pool = right if isinstance(right, (list, tuple)) else [right]
        found = any(equal(v, left, case) for v in pool)
        return found if base == "in" else not found
    if isinstance(left, (list, tuple)):
        keep = []
        for item in left:
            if compare_one(op, item, right, None):
                keep.append(item)
        return keep
    return compare_one(op, left, right, matches)


def replace(left: Any, right: Any, case: bool) -> Any:
    pattern, replacement = (right + [""])[:2] if isinstance(right, list) else (right, "")
    rx = re.compile(dotnet_regex(to_string(pattern)), 0 if case else re.IGNORECASE)
    repl = re.sub(r"\$(\d+)|\$\{(\w+)\}|\$\$", lambda m: "$" if m.group(0) == "$$" else
                  f"\\g<{m.group(1) or m.group(2)}>", to_string(replacement).replace("\\", "\\\\"))
    if isinstance(left, (list, tuple)):
        return [rx.sub(repl, to_string(v)) for v in left]
    return rx.sub(repl, to_string(left))


def split(left: Any, right: Any, case: bool) -> list[str]:
    if right is None:
        return [p for p in re.split(r"\s+", to_string(left).strip()) if p != ""] if to_string(left).strip() else [""]
    pattern = right[0] if isinstance(right, list) else right
    limit = int(to_number(right[1])) if isinstance(right, list) and len(right) > 1 else 0
    rx = re.compile(dotnet_regex(to_string(pattern)), 0 if case else re.IGNORECASE)
    out: list[str] = []
    for value in items(left) if isinstance(left, (list, tuple)) else [left]:
        out.extend(rx.split(to_string(value), maxsplit=max(limit - 1, 0)))
    return out


# -- arithmetic -------------------------------------------------------------------------------

def add(left: Any, right: Any) -> Any:
    if left is None:
        return list(right) if isinstance(right, tuple) else right
    if isinstance(left, (list, tuple)):
        return list(left) + (list(right) if isinstance(right, (list, tuple)) else [right])
    if isinstance(left, dict):
        if not isinstance(right, dict):
            raise ScriptRuntimeError("A hashtable can only be added to another hashtable.",
                                     error_id="AddHashTableToNonHashTable")
        out = Hashtable(left)
        for k, v in right.items():
            if k in out:
                raise ScriptRuntimeError(f"Item has already been added. Key in dictionary: '{k}'.",
                                         error_id="DuplicateKeyInHashLiteral")
            out[k] = v
        return out
    if isinstance(left, str):
        return left + to_string(right)
    if isinstance(left, datetime):
        return left + to_timespan(right)
    if isinstance(left, timedelta):
        return left + to_timespan(right)
    return _numeric(left, right, lambda a, b: a + b)


def subtract(left: Any, right: Any) -> Any:
    if isinstance(left, datetime):
        if isinstance(right, (datetime, str)) and _is_date(right):
            a, b = aligned(left, to_datetime(right))
            return a - b
        return left - to_timespan(right)
    if isinstance(left, timedelta):
        return left - to_timespan(right)
    return _numeric(left, right, lambda a, b: a - b)


def _is_date(value: Any) -> bool:
    if isinstance(value, datetime):
        return True
    try:
        to_datetime(value)
        return True
    except ScriptRuntimeError:
        return False


def multiply(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        return left * int(to_number(right))
    if isinstance(left, (list, tuple)):
        return list(left) * int(to_number(right))
    return _numeric(left, right, lambda a, b: a * b)


def divide(left: Any, right: Any) -> Any:
    a, b = to_number(left), to_number(right)
    if b == 0:
        raise ScriptRuntimeError("Attempted to divide by zero.", error_id="RuntimeException")
    result = a / b
    return int(result) if isinstance(a, int) and isinstance(b, int) and result.is_integer() else result


def modulo(left: Any, right: Any) -> Any:
    a, b = to_number(left), to_number(right)
    if b == 0:
        raise ScriptRuntimeError("Attempted to divide by zero.", error_id="RuntimeException")
    return math.fmod(a, b) if isinstance(a, float) or isinstance(b, float) else int(math.fmod(a, b))


def _numeric(left: Any, right: Any, fn: Any) -> Any:
    a = to_number(left)
    b = to_number(right, "System.Int32" if isinstance(a, int) else "System.Double")
    return fn(a, b)
