"""portout: port-out PINs and port-out orders for tenants.

The native core (``portout._core``) holds the rules; this package re-exports what is public.
"""

from __future__ import annotations

from portout import errors
from portout._core import COMMON_PINS, PIN_RULES, PinPolicy, Violation, __version__
from portout.errors import (
    InvalidArgumentError,
    InvalidDataError,
    InvalidOperationError,
    InvalidTypeError,
    ObjectNotFoundError,
    PermissionDeniedError,
    PinPolicyError,
    PortOutError,
    ResourceExistsError,
    ResourceUnavailableError,
    SecurityError,
)

__all__ = [
    "COMMON_PINS",
    "PIN_RULES",
    "InvalidArgumentError",
    "InvalidDataError",
    "InvalidOperationError",
    "InvalidTypeError",
    "ObjectNotFoundError",
    "PermissionDeniedError",
    "PinPolicy",
    "PinPolicyError",
    "PortOutError",
    "ResourceExistsError",
    "ResourceUnavailableError",
    "SecurityError",
    "Violation",
    "__version__",
    "errors",
]
