"""What each cmdlet does: the function its declaration in ``commands.py`` names, run once per
target with the bound parameters (an :class:`~portout.cmdlet.Invocation`), through the
session's :class:`~portout.store.Store`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from portout import checkpoints
from portout import session as sessions
from portout.cmdlet import Invocation, UsageError
from portout.store import Store


def store_of(inv: Invocation) -> Store:
    return inv.session.store


# -- sessions ---------------------------------------------------------------------------------

def connect(inv: Invocation) -> Any:
    if inv["Server"] is not None:
        local = [name for name in ("Path", "ConnectionString", "KeyFile", "Actor", "Role", "TenantScope",
                                   "HashProfile", "Create") if inv[name]]
        if local:
            raise UsageError(f"-Server runs the cmdlets on the server, as the token's principal: -{local[0]} "
                             "does not apply.", error_id="AmbiguousParameterSet,Connect-PortOutStore")
        from portout.remote import RemoteStore, read_token

        return sessions.connect(RemoteStore(inv["Server"], read_token(inv["TokenFile"]),
                                            ca_file=inv["CaFile"]))  # type: ignore[arg-type]
    remote_only = [name for name in ("TokenFile", "CaFile") if inv[name] is not None]
    if remote_only:
        raise UsageError(f"-{remote_only[0]} goes with -Server.", error_id="AmbiguousParameterSet,Connect-PortOutStore")
    if inv["Path"] is not None and inv["ConnectionString"] is not None:
        raise UsageError("Give -Path (a SQLite store) or -ConnectionString (PostgreSQL), not both.",
                         error_id="AmbiguousParameterSet,Connect-PortOutStore")
    store = Store.open(
        inv["ConnectionString"] or inv["Path"], key_file=inv["KeyFile"], profile=inv["HashProfile"],
        allow_test_profile=bool(inv["AllowTestProfile"]), actor=inv["Actor"], role=inv["Role"],
        tenant_scope=inv["TenantScope"], create=bool(inv["Create"]))
    return sessions.connect(store)


def disconnect(inv: Invocation) -> None:
    sessions.disconnect(inv.session)


# -- tenants ----------------------------------------------------------------------------------

def new_tenant(inv: Invocation) -> Any:
    return store_of(inv).create_tenant(inv["Identity"], inv["DisplayName"],
                                     inv.get("CountryOrRegion", "US"))


def get_tenant(inv: Invocation) -> Any:
    if inv["Identity"] is None:
        return list(store_of(inv).tenants())
    return store_of(inv).get_tenant(inv["Identity"])


def set_tenant(inv: Invocation) -> Any:
    emails = inv["NotificationEmail"]
    tenant = store_of(inv).update_tenant(
        inv["Identity"], display_name=inv["DisplayName"], country_or_region=inv["CountryOrRegion"],
        account_number=inv["AccountNumber"], new_account_number=bool(inv["NewAccountNumber"]),
        service_zip_code=inv["ServiceZipCode"], authorized_name=inv["AuthorizedName"],
        time_zone=inv["TimeZone"], notification_emails=None if emails is None else [e for e in emails if e])
    return tenant if inv["PassThru"] else None


def remove_tenant(inv: Invocation) -> None:
    store_of(inv).remove_tenant(inv["Identity"])


# -- PINs -------------------------------------------------------------------------------------

def set_pin(inv: Invocation) -> Any:
    status = store_of(inv).set_pin(inv["Identity"], inv["Pin"])
    return status if inv["PassThru"] else None


def get_pin(inv: Invocation) -> Any:
    if inv["Identity"] is None:
        return list(store_of(inv).pin_statuses())
    return store_of(inv).pin_status(inv["Identity"])


def test_pin(inv: Invocation) -> bool:
    return store_of(inv).check_pin(inv["Identity"], inv["Pin"])


def unlock_pin(inv: Invocation) -> Any:
    status = store_of(inv).unlock_pin(inv["Identity"])
    return status if inv["PassThru"] else None


def repair(inv: Invocation) -> Any:
    if inv["DefaultPolicy"]:
        if inv["Identity"] is not None:
            raise UsageError("Give -Identity (a tenant) or -DefaultPolicy, not both.",
                             error_id="AmbiguousParameterSet,Repair-PortOutTenant")
        return store_of(inv).repair_default_policy()
    if inv["Identity"] is None:
        raise UsageError("Give -Identity (the tenant whose state to repair) or -DefaultPolicy.",
                         error_id="MissingParameter,Repair-PortOutTenant")
    return store_of(inv).repair_tenant_state(inv["Identity"])


# -- policies ---------------------------------------------------------------------------------

def get_policy(inv: Invocation) -> Any:
    return store_of(inv).get_policy(inv["Identity"])


def set_policy(inv: Invocation) -> Any:
    policy = store_of(inv).set_policy(
        inv["Identity"], min_length=inv["MinimumLength"], max_length=inv["MaximumLength"],
        block_weak=inv["BlockWeakPins"], blocklist=inv["Blocklist"],
        max_failed_attempts=inv["MaxFailedAttempts"], lockout_duration=inv["LockoutDuration"],
        max_lockout_duration=inv["MaxLockoutDuration"], tenant_max_failures=inv["TenantMaxFailures"],
        failure_window=inv["FailureWindow"], review_window=inv["ReviewWindow"],
        review_deadline_action=inv["ReviewDeadlineAction"],
        min_foc_business_days=inv["MinFocBusinessDays"], max_foc_days=inv["MaxFocDays"],
        cancel_cutoff=inv["CancelCutoff"], holidays=inv["Holidays"])
    return policy if inv["PassThru"] else None


def reset_policy(inv: Invocation) -> Any:
    policy = store_of(inv).reset_policy(inv["Identity"])
    return policy if inv["PassThru"] else None


def test_policy(inv: Invocation) -> Any:
    return store_of(inv).test_pin_policy(inv["Pin"], inv["Identity"])


# -- audit and keys ---------------------------------------------------------------------------

def get_audit(inv: Invocation) -> Iterator[Any]:
    return store_of(inv).audit_events(inv["Identity"], since=inv["Since"], until=inv["Until"],
                                    event_type=inv["EventType"], first=inv["First"])


def test_audit(inv: Invocation) -> Any:
    files = checkpoints.files(inv["Checkpoint"] or [])
    documents = [checkpoints.read(f) for f in files]
    with inv.host.tracker("Test-PortOutAuditLog", "event", inv.progress) as track:
        result = store_of(inv).verify_audit(progress=track, checkpoints=documents)
    if result.failed_checkpoint is not None:
        inv.host.warning(f"The audit chain does not agree with the checkpoint "
                         f"{files[result.failed_checkpoint]}: {result.problem}.")
    return result


def save_checkpoint(inv: Invocation) -> Any:
    return checkpoints.save(store_of(inv), Path(inv["Path"]))


def update_key(inv: Invocation) -> Any:
    with inv.host.tracker("Update-PortOutKey", "record", inv.progress) as track:
        return store_of(inv).rotate_key(inv["NewKeyFile"], batch_size=inv.get("BatchSize", 500),
                                      progress=track)


# -- numbers, orders, the freeze, notifications -----------------------------------------------

def add_number(inv: Invocation) -> Any:
    return store_of(inv).add_phone_number(inv["Identity"], inv["PhoneNumber"])


def get_number(inv: Invocation) -> Any:
    return list(store_of(inv).phone_numbers(inv["Identity"]))


def remove_number(inv: Invocation) -> None:
    store_of(inv).remove_phone_number(inv["Identity"], inv["PhoneNumber"])


def new_order(inv: Invocation) -> Any:
    if inv["Identity"] is None and inv["AccountNumber"] is None:
        raise UsageError("Name the tenant with -Identity, or its account with -AccountNumber.",
                         error_id="MissingParameter,New-PortOutOrder")
    return store_of(inv).submit_order(
        inv["Identity"], inv["PhoneNumber"], inv["Pin"], inv["GainingCarrier"],
        requested_foc_date=inv["RequestedDueDate"], account_number=inv["AccountNumber"],
        service_zip_code=inv["ServiceZipCode"], authorized_name=inv["AuthorizedName"],
        carrier_spid=inv["CarrierSpid"], purchase_order_number=inv["PurchaseOrderNumber"],
        port_type=inv["PortType"], idempotency_key=inv["IdempotencyKey"])


def get_order(inv: Invocation) -> Any:
    if inv["History"]:
        if inv["OrderId"] is None:
            raise UsageError("-History lists the transitions of the orders named by -OrderId.",
                             error_id="MissingParameter,Get-PortOutOrder")
        return store_of(inv).order_history(inv["OrderId"])
    if inv["OrderId"] is not None:
        return store_of(inv).get_order(inv["OrderId"])
    return list(store_of(inv).orders(inv["Identity"], status=inv["Status"],
                                   gaining_carrier=inv["GainingCarrier"]))


def approve_order(inv: Invocation) -> Any:
    return store_of(inv).approve_order(inv["OrderId"], inv["Comment"])


def deny_order(inv: Invocation) -> Any:
    return store_of(inv).deny_order(inv["OrderId"], inv["Reason"], inv["Comment"])


def confirm_order(inv: Invocation) -> Any:
    return store_of(inv).confirm_order(inv["OrderId"], inv["FocDate"])


def set_order(inv: Invocation) -> Any:
    return store_of(inv).change_foc(inv["OrderId"], inv["FocDate"], inv["Comment"])


def complete_order(inv: Invocation) -> Any:
    return store_of(inv).complete_order(inv["OrderId"])


def stop_order(inv: Invocation) -> Any:
    return store_of(inv).cancel_order(inv["OrderId"], inv["Reason"], inv["Comment"])


def enable_freeze(inv: Invocation) -> Any:
    tenant = store_of(inv).set_freeze(inv["Identity"], True)
    return tenant if inv["PassThru"] else None


def disable_freeze(inv: Invocation) -> Any:
    tenant = store_of(inv).set_freeze(inv["Identity"], False)
    return tenant if inv["PassThru"] else None


def receive(inv: Invocation) -> Any:
    return store_of(inv).receive_notifications(inv["Consumer"], max_count=inv.get("MaxCount", 100))


def acknowledge(inv: Invocation) -> None:
    store_of(inv).acknowledge_notifications(inv["Consumer"], inv["NotificationId"])


def copy_store(inv: Invocation) -> Any:
    with inv.host.tracker("Copy-PortOutStore", "row", inv.progress) as track:
        return store_of(inv).copy_to(inv["Destination"], progress=track)
