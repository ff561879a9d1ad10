"""portout: port-out PINs and port-out orders for tenants.

The native core (``portout._core``) holds the rules; this package re-exports what is public.
"""

from __future__ import annotations

from portout import errors
from portout._core import (
    COMMON_PINS,
    PIN_RULES,
    AuditCheckpoint,
    AuditEvent,
    AuditVerification,
    CarrierPinState,
    Delivery,
    DeliveryAttempt,
    DueDelivery,
    ManualClock,
    Notification,
    Order,
    OrderNumber,
    OrderStep,
    PhoneNumber,
    PinPolicy,
    PinStatus,
    PolicySettings,
    Principal,
    RotationReport,
    Subscription,
    Tenant,
    Violation,
    __version__,
    default_key_path,
    default_store_path,
)
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
from portout.store import (
    HASH_PROFILES,
    CopyReport,
    DeliveryPolicy,
    IssuedAccount,
    IssuedCredential,
    IssuedWebhook,
    PolicyTestResult,
    Store,
    TenantCounts,
)
from portout.cmdlet import Cmdlet, Parameter, UsageError
from portout.results import ErrorRecord, Output
from portout.session import Host
from portout.session import PortOutSession
from portout.outbox import follow_notifications
from portout.display import RecordList
from portout import display as _display

_display.install((PolicyTestResult, CopyReport, TenantCounts, IssuedCredential, IssuedAccount, IssuedWebhook))

from portout.api import *  # noqa: F403 - one function per cmdlet, made from its declaration
from portout.api import cmdlets, functions as _functions

__all__ = [
    *_functions,
    "Cmdlet",
    "CopyReport",
    "ErrorRecord",
    "DeliveryPolicy",
    "IssuedAccount",
    "IssuedCredential",
    "IssuedWebhook",
    "Host",
    "Output",
    "Parameter",
    "PortOutSession",
    "RecordList",
    "UsageError",
    "cmdlets",
    "follow_notifications",
    "COMMON_PINS",
    "HASH_PROFILES",
    "PIN_RULES",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditVerification",
    "CarrierPinState",
    "ManualClock",
    "Notification",
    "Principal",
    "Delivery",
    "DeliveryAttempt",
    "DueDelivery",
    "Subscription",
    "Order",
    "OrderNumber",
    "OrderStep",
    "PhoneNumber",
    "PinStatus",
    "PolicySettings",
    "PolicyTestResult",
    "RotationReport",
    "Store",
    "Tenant",
    "TenantCounts",
    "default_key_path",
    "default_store_path",
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
