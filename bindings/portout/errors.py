"""The errors of portout: one base class, a leaf per category, each also the matching builtin.

Every error carries ``error_id`` (the id part of PowerShell's FullyQualifiedErrorId, such as
``PinPolicyViolation``), ``category`` (PowerShell's ErrorCategory name) and ``target`` (what the
operation acted on, such as a tenant id). Catch ``PortOutError`` for all of them, a leaf for one
category, or the builtin (``ValueError``, ``PermissionError``, ``LookupError``...) as you would for
any library. No message, attribute or repr ever holds a PIN.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Sequence

__all__ = [
    "PortOutError",
    "InvalidArgumentError",
    "PinPolicyError",
    "InvalidDataError",
    "InvalidOperationError",
    "InvalidTypeError",
    "ObjectNotFoundError",
    "PermissionDeniedError",
    "ResourceExistsError",
    "ResourceUnavailableError",
    "SecurityError",
]


# A run of four or more digits standing as a word of its own: what a PIN looks like. Text with
# one is never echoed in an error or kept in a history ("2026-11-26", "+14255550100" and
# "contoso2024.com" are not such words).
_PIN_SHAPED = re.compile(r"(?<![\w.+:/@-])\d{4,}(?![\w.:/@-])")


def pin_shaped(text: str) -> bool:
    """Whether `text` holds a word that could be a PIN (four or more digits on their own)."""
    return bool(_PIN_SHAPED.search(text))


def shown_target(target: str) -> str:
    """A target as an error shows it: as it is, or ``(not shown)`` when it could be a PIN."""
    return "(not shown)" if pin_shaped(target) else target


def position_text(where: str, line: int, column: int, line_text: str) -> str:
    """PowerShell's `At file:line char:column`, then the line with a caret under the place; the
    line is left out when it could hold a PIN."""
    text = f"At {where}:{line} char:{column}\n"
    if line_text and pin_shaped(line_text):
        return text + "+ (the line is not shown: it may hold a PIN)\n"
    if line_text:
        return text + f"+ {line_text}\n+ {' ' * max(column - 1, 0)}~\n"
    return text


class PortOutError(Exception):
    """Base of every error portout raises.

    ``partial_output``: raised with ``error_action="Stop"`` by a cmdlet given several targets,
    the :class:`portout.results.Output` of the targets done before this one failed (their changes
    are kept; no target after it was touched). None otherwise."""

    category: ClassVar[str] = "NotSpecified"
    partial_output: Any = None

    def __init__(self, message: str, *, error_id: str, target: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id
        self.target = target

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, error_id={self.error_id!r}, "
            f"category={self.category!r}, target={self.target!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields do not survive Exception's default pickling (multiprocessing).
        return (_rebuild, (type(self), self.message, self.error_id, self.target, dict(self.__dict__)))


def _rebuild(cls: type[PortOutError], message: str, error_id: str, target: str,
             state: dict[str, Any]) -> PortOutError:
    error = cls.__new__(cls, message)
    PortOutError.__init__(error, message, error_id=error_id, target=target)
    error.__dict__.update(state)
    return error


class InvalidArgumentError(PortOutError, ValueError):
    """A value is not acceptable: a PIN against the policy, a malformed id, a bad setting."""

    category = "InvalidArgument"


class PinPolicyError(InvalidArgumentError):
    """The PIN breaks one or more policy rules; ``violations`` lists every one of them."""

    def __init__(self, message: str, *, error_id: str = "PinPolicyViolation", target: str = "",
                 violations: Sequence[Any] = ()) -> None:
        super().__init__(message, error_id=error_id, target=target)
        self.violations = list(violations)

    @property
    def rules(self) -> list[str]:
        """The ids of the failed rules, in rule order."""
        return [v.rule for v in self.violations]


class InvalidDataError(PortOutError, ValueError):
    """Stored data is not what it must be: a corrupt file, a record that fails its check."""

    category = "InvalidData"


class InvalidOperationError(PortOutError, RuntimeError):
    """The operation is not allowed in the current state."""

    category = "InvalidOperation"


class InvalidTypeError(PortOutError, TypeError):
    """A value has the wrong Python type, such as a PIN given as an int."""

    category = "InvalidType"


class ObjectNotFoundError(PortOutError, LookupError):
    """What the operation names does not exist."""

    category = "ObjectNotFound"


class PermissionDeniedError(PortOutError, PermissionError):
    """The caller's role or tenant scope does not allow the operation."""

    category = "PermissionDenied"


class ResourceExistsError(PortOutError, ValueError):
    """What the operation would create exists already."""

    category = "ResourceExists"


class ResourceUnavailableError(PortOutError, OSError):
    """A store, file or server cannot be used right now."""

    category = "ResourceUnavailable"


class SecurityError(PortOutError, PermissionError):
    """A security precondition fails, such as a key file others can read."""

    category = "SecurityError"


_BY_CATEGORY: dict[str, type[PortOutError]] = {
    cls.category: cls
    for cls in (InvalidArgumentError, InvalidDataError, InvalidOperationError, InvalidTypeError,
                ObjectNotFoundError, PermissionDeniedError, ResourceExistsError,
                ResourceUnavailableError, SecurityError)
}

#: The categories an error may have, PowerShell's names.
CATEGORIES: tuple[str, ...] = tuple(sorted(_BY_CATEGORY))


def _from_core(category: str, error_id: str, message: str, target: str,
               violations: Sequence[Any] | None) -> PortOutError:
    """Build the Python error for one raised by the native core (called by the bindings)."""
    if violations is not None:
        return PinPolicyError(message, error_id=error_id, target=target, violations=violations)
    cls = _BY_CATEGORY.get(category, PortOutError)
    return cls(message, error_id=error_id, target=target)
