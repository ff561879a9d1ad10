"""Type stubs for the cmdlet functions, written by `python -m portout.reference --stub`."""

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Callable

from portout.cmdlet import Cmdlet
from portout.progress import ProgressArg
from portout.session import Host, PortOutSession
from portout.store import Store

class CmdletTable(Mapping[str, Cmdlet]):
    def __getitem__(self, name: str) -> Cmdlet: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...

cmdlets: CmdletTable
functions: dict[str, Callable[..., Any]]

def connect_port_out_store(
    path: str | None = None,
    *,
    connection_string: str | None = None,
    key_file: str | None = None,
    actor: str | None = None,
    role: str | None = None,
    tenant_scope: str | Iterable[str] | None = None,
    hash_profile: str | None = None,
    allow_test_profile: bool | None = None,
    create: bool | None = None,
    server: str | None = None,
    token_file: str | None = None,
    ca_file: str | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Connect-PortOutStore: Opens a store as one actor and role, and makes it the default session."""

def disconnect_port_out_store(
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Disconnect-PortOutStore: Closes the default session."""

def new_port_out_tenant(
    identity: str | object,
    display_name: str | object,
    country_or_region: str | object | None = None,
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """New-PortOutTenant: Creates a tenant."""

def get_port_out_tenant(
    identity: str | object | Iterable[str | object] | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutTenant: Gets tenants."""

def set_port_out_tenant(
    identity: str | object | Iterable[str | object],
    *,
    display_name: str | object | None = None,
    country_or_region: str | object | None = None,
    account_number: str | None = None,
    new_account_number: bool | None = None,
    service_zip_code: str | None = None,
    authorized_name: str | None = None,
    time_zone: str | None = None,
    notification_email: str | Iterable[str] | None = None,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Set-PortOutTenant: Renames a tenant, changes its country, or its port-out account details."""

def remove_port_out_tenant(
    identity: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Remove-PortOutTenant: Removes a tenant."""

def set_port_out_pin(
    identity: str | object | Iterable[str | object],
    *,
    pin: str | None = None,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Set-PortOutPin: Sets or changes a tenant's port-out PIN."""

def get_port_out_pin(
    identity: str | object | Iterable[str | object] | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutPin: Gets the PIN status of tenants (never the PIN)."""

def test_port_out_pin(
    identity: str | object,
    *,
    pin: str | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Test-PortOutPin: Checks a PIN: True or False."""

def unlock_port_out_pin(
    identity: str | object | Iterable[str | object],
    *,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Unlock-PortOutPin: Clears failed attempts and every lock."""

def repair_port_out_tenant(
    identity: str | object | None = None,
    *,
    default_policy: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Repair-PortOutTenant: Takes back into use a tenant whose security state was changed outside portout."""

def get_port_out_pin_policy(
    identity: str | object | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutPinPolicy: Gets the PIN and lockout policy."""

def set_port_out_pin_policy(
    identity: str | object | None = None,
    *,
    minimum_length: int | None = None,
    maximum_length: int | None = None,
    block_weak_pins: bool | None = None,
    blocklist: str | Iterable[str] | None = None,
    max_failed_attempts: int | None = None,
    lockout_duration: timedelta | float | None = None,
    max_lockout_duration: timedelta | float | None = None,
    tenant_max_failures: int | None = None,
    failure_window: timedelta | float | None = None,
    review_window: timedelta | float | None = None,
    review_deadline_action: str | None = None,
    min_foc_business_days: int | None = None,
    max_foc_days: int | None = None,
    cancel_cutoff: timedelta | float | None = None,
    holidays: str | Iterable[str] | None = None,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Set-PortOutPinPolicy: Changes the PIN and lockout policy."""

def reset_port_out_pin_policy(
    identity: str | object | Iterable[str | object],
    *,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Reset-PortOutPinPolicy: Drops a tenant's own policy settings."""

def test_port_out_pin_policy(
    identity: str | object | None = None,
    *,
    pin: str | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Test-PortOutPinPolicy: Tells whether a PIN would meet the policy, changing nothing."""

def get_port_out_audit_log(
    identity: str | object | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    event_type: str | Iterable[str] | None = None,
    first: int | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutAuditLog: Gets audit events, oldest first."""

def test_port_out_audit_log(
    *,
    checkpoint: str | Iterable[str] | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Test-PortOutAuditLog: Verifies the audit chain."""

def save_port_out_audit_checkpoint(
    path: str,
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Save-PortOutAuditCheckpoint: Writes a signed checkpoint of the audit chain's head to a folder outside the store."""

def add_port_out_phone_number(
    identity: str | object,
    phone_number: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Add-PortOutPhoneNumber: Adds numbers to a tenant's inventory."""

def get_port_out_phone_number(
    identity: str | object | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutPhoneNumber: Gets the numbers of a tenant, or of every tenant in scope."""

def remove_port_out_phone_number(
    identity: str | object,
    phone_number: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Remove-PortOutPhoneNumber: Removes numbers from a tenant's inventory."""

def new_port_out_order(
    identity: str | object | None = None,
    *,
    phone_number: str | object | Iterable[str | object] | None = None,
    pin: str | None = None,
    gaining_carrier: str | None = None,
    carrier_spid: str | None = None,
    purchase_order_number: str | None = None,
    account_number: str | None = None,
    service_zip_code: str | None = None,
    authorized_name: str | None = None,
    port_type: str | None = None,
    requested_due_date: datetime | None = None,
    idempotency_key: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """New-PortOutOrder: Submits a gaining carrier's port-out request."""

def get_port_out_order(
    order_id: str | object | Iterable[str | object] | None = None,
    *,
    identity: str | object | None = None,
    status: str | None = None,
    gaining_carrier: str | None = None,
    history: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutOrder: Gets port-out orders, or their history."""

def approve_port_out_order(
    order_id: str | object | Iterable[str | object],
    *,
    comment: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Approve-PortOutOrder: Approves a port-out request under review."""

def deny_port_out_order(
    order_id: str | object | Iterable[str | object],
    *,
    reason: str | None = None,
    comment: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Deny-PortOutOrder: Denies a port-out request under review, with a reason."""

def confirm_port_out_order(
    order_id: str | object | Iterable[str | object],
    *,
    foc_date: datetime | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Confirm-PortOutOrder: Confirms an approved order with its firm order commitment (FOC) date."""

def set_port_out_order(
    order_id: str | object | Iterable[str | object],
    *,
    foc_date: datetime | None = None,
    comment: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Set-PortOutOrder: Changes a confirmed order's FOC date."""

def complete_port_out_order(
    order_id: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Complete-PortOutOrder: Completes a confirmed order: its numbers leave the tenant's inventory."""

def stop_port_out_order(
    order_id: str | object | Iterable[str | object],
    *,
    reason: str | None = None,
    comment: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Stop-PortOutOrder: Cancels an order before it completes, with a reason."""

def enable_port_out_freeze(
    identity: str | object | Iterable[str | object],
    *,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Enable-PortOutFreeze: Freezes every port-out of a tenant."""

def disable_port_out_freeze(
    identity: str | object | Iterable[str | object],
    *,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Disable-PortOutFreeze: Lifts a tenant's port-out freeze."""

def receive_port_out_notification(
    consumer: str,
    *,
    max_count: int | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Receive-PortOutNotification: Receives the notifications a consumer has not acknowledged."""

def confirm_port_out_notification(
    consumer: str,
    notification_id: int | Iterable[int],
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Confirm-PortOutNotification: Acknowledges notifications for a consumer."""

def copy_port_out_store(
    destination: str,
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Copy-PortOutStore: Copies the whole store into an empty SQLite file or PostgreSQL schema."""

def new_port_out_credential(
    name: str,
    *,
    role: str | None = None,
    tenant_scope: str | Iterable[str] | None = None,
    carrier_name: str | None = None,
    carrier_spid: str | None = None,
    expires_at: datetime | None = None,
    token_file: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """New-PortOutCredential: Makes an API credential for the store's server, and prints its token once."""

def get_port_out_credential(
    name: str | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutCredential: Lists the API credentials."""

def remove_port_out_credential(
    name: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Remove-PortOutCredential: Removes an API credential."""

def new_port_out_account(
    user_name: str,
    *,
    role: str | None = None,
    tenant_scope: str | Iterable[str] | None = None,
    totp: bool | None = None,
    expires_at: datetime | None = None,
    password: str | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """New-PortOutAccount: Makes an account a person signs in to the server with: a password, and TOTP if asked."""

def get_port_out_account(
    user_name: str | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutAccount: Lists the accounts."""

def set_port_out_account(
    user_name: str | object,
    *,
    password: str | None = None,
    pass_thru: bool | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Set-PortOutAccount: Gives an account a new password."""

def remove_port_out_account(
    user_name: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Remove-PortOutAccount: Removes an account."""

def new_port_out_webhook(
    url: str,
    *,
    event: str | Iterable[str] | None = None,
    tenant_scope: str | Iterable[str] | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """New-PortOutWebhook: Subscribes a URL to notifications: the server POSTs each one there, signed."""

def get_port_out_subscription(
    kind: str | None = None,
    *,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutSubscription: Lists the webhooks and e-mail contacts notifications are delivered to."""

def remove_port_out_subscription(
    subscription_id: str | object | Iterable[str | object],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Remove-PortOutSubscription: Removes a webhook or an e-mail contact."""

def get_port_out_delivery(
    subscription_id: str | object | None = None,
    *,
    status: str | None = None,
    first: int | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Get-PortOutDelivery: Shows each delivery of a notification, with every attempt."""

def resume_port_out_delivery(
    delivery_id: int | Iterable[int],
    *,
    what_if: bool | None = None,
    confirm: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Resume-PortOutDelivery: Sends a parked delivery once more."""

def start_port_out_server(
    store: str | None = None,
    *,
    key_file: str | None = None,
    listen: str | None = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    behind_proxy: bool | None = None,
    workers: int | None = None,
    rate_limit: int | None = None,
    smtp: str | None = None,
    smtp_from: str | None = None,
    max_delivery_attempts: int | None = None,
    allow_private_webhooks: bool | None = None,
    session_idle_timeout: int | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Start-PortOutServer: Serves a store over HTTPS: the carrier API, every cmdlet remotely, webhooks and e-mail."""

def update_port_out_key(
    new_key_file: str,
    *,
    batch_size: int | None = None,
    what_if: bool | None = None,
    confirm: bool | None = None,
    force: bool | None = None,
    error_action: str | None = None,
    verbose: bool | None = None,
    session: PortOutSession | Store | None = None,
    host: Host | None = None,
    input_object: Iterable[Any] | None = None,
    progress: ProgressArg = None,
) -> Any:
    """Update-PortOutKey: Rotates the store key."""
