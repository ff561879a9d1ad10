"""How a cmdlet's objects and errors cross the wire to a remote caller and back.

An object is sent as its type's name and its fields; a datetime as ISO 8601 text, a timedelta as
seconds, each tagged so that the other side rebuilds the same value. Records come back as
:class:`RemoteRecord` objects of the same name and fields (attribute access, ``to_dict``,
display and the pipeline work on them as on the local ones); errors as the same
:mod:`portout.errors` class with the same error id, category and target.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from portout import errors

__all__ = ["RemoteRecord", "decode", "decode_error", "encode", "record_class"]


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": value.total_seconds()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": {str(k): encode(v) for k, v in value.items()}}
    fields = getattr(value, "_fields", None)
    if fields:
        return {"$type": type(value).__name__, "fields": {name: encode(getattr(value, name)) for name in fields}}
    return str(value)


class RemoteRecord:
    """A record a server sent: the fields of the record type it names, read-only."""

    __slots__ = ("_type", "_values")

    def __init__(self, type_name: str, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_type", type_name)
        object.__setattr__(self, "_values", values)

    @property
    def _fields(self) -> tuple[str, ...]:
        return tuple(self._values)

    @property
    def type_name(self) -> str:
        return self._type

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{self._type} has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._type} is read-only")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RemoteRecord):
            return self._type == other._type and self._values == other._values
        fields = getattr(other, "_fields", None)
        return (type(other).__name__ == self._type and bool(fields)
                and all(getattr(other, f) == self._values.get(f) for f in fields))

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"{self._type}({inner})"

    def _repr_html_(self) -> str:
        from portout.display import record_html

        return record_html(self)


_CLASSES: dict[str, type[RemoteRecord]] = {}


def record_class(type_name: str) -> type[RemoteRecord]:
    """The class of a server's records of one type: named as the local type (PinStatus), so
    displays, formats and ``type(x).__name__`` read the same."""
    cls = _CLASSES.get(type_name)
    if cls is None:
        cls = _CLASSES[type_name] = type(type_name, (RemoteRecord,), {"__slots__": (),
                                                                       "__module__": "portout.remote"})
    return cls


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$timedelta" in value:
        return timedelta(seconds=value["$timedelta"])
    if "$dict" in value:
        return {k: decode(v) for k, v in value["$dict"].items()}
    if "$type" in value:
        fields = {k: decode(v) for k, v in value["fields"].items()}
        return record_class(str(value["$type"]))(str(value["$type"]), fields)
    return {k: decode(v) for k, v in value.items()}


def decode_error(body: dict[str, Any]) -> errors.PortOutError:
    """The error a server reported, as the class the cmdlet would have raised locally."""
    error_id = str(body.get("errorId") or "RemoteError")
    message = str(body.get("message") or body.get("detail") or "The server reported an error.")
    target = str(body.get("target") or "")
    violations = body.get("violations")
    if violations:
        return errors.PinPolicyError(message, error_id=error_id, target=target,
                                     violations=[record_class("Violation")("Violation", dict(v))
                                                 for v in violations])
    return errors._from_core(str(body.get("category") or "NotSpecified"), error_id, message, target, None)
