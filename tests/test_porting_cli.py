"""Carrier scenarios through the command line, as separate processes with no terminal: each
`portout` call a session of its own, the store the only thing they share."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import logical_digest
from test_cli import PIN, ok, run

N1, N2, N3 = "+14255550100", "+14255550101", "+14255550102"


@pytest.fixture
def tenant(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env = {**base, "PORTOUT_STORE": str(tmp_path / "store.db"), "PORTOUT_HASH_PROFILE": "test",
           "PORTOUT_ALLOW_TEST_PROFILE": "1", "PORTOUT_ACTOR": "admin@contoso.com",
           "PYTHONWARNINGS": "error", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    ok(env, "New-PortOutTenant", "contoso.com", "Contoso", "US")
    ok(env, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n")
    ok(env, "Add-PortOutPhoneNumber", "contoso.com", "-PhoneNumber", f"{N1},{N2},{N3}")
    ok(env, "Set-PortOutTenant", "contoso.com", "-ServiceZipCode", "98052", "-AuthorizedName", "Megan Bowen")
    return env


def as_carrier(env: dict[str, str], name: str) -> dict[str, str]:
    return {**env, "PORTOUT_ROLE": "Carrier", "PORTOUT_ACTOR": f"orders@{name}.example"}


def request(env: dict[str, str], pin: str, *extra: str) -> dict[str, object]:
    done = run(env, "New-PortOutOrder", "contoso.com", "-PhoneNumber", N1, "-GainingCarrier", "Northwind",
               "-CarrierSpid", "6529", "-Pon", "PON-1", "-PinFromStdin", *extra, "-OutputFormat", "Json",
               stdin=pin + "\n")
    assert done.returncode == 0, done.stderr
    out: dict[str, object] = json.loads(done.stdout)
    return out


def saturday_after(days: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=days)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return f"{day.isoformat()}T16:00:00Z"


def weekday_after(days: int) -> str:
    day = datetime.now(timezone.utc).date() + timedelta(days=days)
    while day.weekday() != 2:  # a Wednesday: never a federal holiday's observed day but Jul 4, Nov 11, Jun 19, Dec 25, Jan 1
        day += timedelta(days=1)
    if (day.month, day.day) in ((7, 4), (11, 11), (6, 19), (12, 25), (1, 1)):
        day += timedelta(days=1)
    return f"{day.isoformat()}T16:00:00Z"


def test_a_wrong_zip_is_told_only_behind_the_right_pin(tenant: dict[str, str]) -> None:
    carrier = as_carrier(tenant, "northwind")
    right = request(carrier, PIN, "-ServiceZipCode", "10001")
    assert (right["Status"], right["Reason"], right["InternalReason"]) == ("Rejected", "PostalCodeMismatch", None)
    wrong_alone = request(carrier, "000001")
    wrong_both = request(carrier, "000002", "-ServiceZipCode", "10001", "-AccountNumber", "999999999",
                         "-AuthorizedName", "Someone Else")
    keys = ("Status", "Reason", "InternalReason", "NumberProblems")
    assert [wrong_alone[k] for k in keys] == [wrong_both[k] for k in keys] == [
        "Rejected", "PinNotAccepted", None, {}]
    admin_view = json.loads(ok(tenant, "Get-PortOutOrder", "-Identity", "contoso.com", "-OutputFormat", "Json"))
    assert [o["InternalReason"] for o in admin_view] == ["PostalCodeMismatch", "WrongPin", "WrongPin"]


def test_one_carrier_spraying_does_not_stop_another(tenant: dict[str, str]) -> None:
    sprayer = as_carrier(tenant, "tailspin")
    for guess in ("000001", "000002", "000003", "000004", "000005", "000006", "000007"):
        assert request(sprayer, guess)["Reason"] == "PinNotAccepted"
    status = json.loads(ok(tenant, "Get-PortOutPin", "contoso.com", "-OutputFormat", "Json"))
    assert status["LockedUntil"] is None
    [locked] = status["Carriers"]
    assert locked["Carrier"] == "orders@tailspin.example" and locked["LockedUntil"] is not None
    assert locked["FailuresInWindow"] == 5, "two more were refused uncounted"
    order = request(as_carrier(tenant, "northwind"), PIN, "-ServiceZipCode", "98052")
    assert order["Status"] == "PendingReview"
    # The tenant's admin lifts the sprayer's lock; the audit log tells who was locked out.
    ok(tenant, "Unlock-PortOutPin", "contoso.com", "-Force")
    assert json.loads(ok(tenant, "Get-PortOutPin", "contoso.com", "-OutputFormat", "Json"))["Carriers"] == []
    event = json.loads(ok(tenant, "Get-PortOutAuditLog", "-Identity", "contoso.com", "-EventType", "PinLockedOut",
                          "-OutputFormat", "Json"))  # one object, as PowerShell's ConvertTo-Json writes one
    assert "carrier=orders@tailspin.example" in event["Details"]


def test_review_foc_and_history(tenant: dict[str, str], tmp_path: Path) -> None:
    carrier = as_carrier(tenant, "northwind")
    order = request(carrier, PIN)
    oid = str(order["OrderId"])
    assert order["Status"] == "PendingReview" and order["ReviewDeadline"]
    denied = run(tenant, "Deny-PortOutOrder", oid, "-Reason", "Other")
    assert denied.returncode == 1 and "CommentRequired,Deny-PortOutOrder" in denied.stderr
    bad = run(tenant, "Deny-PortOutOrder", oid, "-Reason", "Because")  # not one of the codes: a usage error
    assert bad.returncode == 2 and "ParameterArgumentValidationError,Deny-PortOutOrder" in bad.stderr
    ok(tenant, "Approve-PortOutOrder", oid, "-Comment", "Megan confirmed")
    before = logical_digest(Path(tenant["PORTOUT_STORE"]))
    saturday = run(tenant, "Confirm-PortOutOrder", oid, "-FocDate", saturday_after(3))
    assert saturday.returncode == 1 and "FocNotBusinessDay,Confirm-PortOutOrder" in saturday.stderr
    past = run(tenant, "Confirm-PortOutOrder", oid, "-FocDate", "2020-01-06T16:00:00Z")
    assert past.returncode == 1 and "FocInPast,Confirm-PortOutOrder" in past.stderr
    assert logical_digest(Path(tenant["PORTOUT_STORE"])) == before, "a refused FOC changed the store"
    ok(tenant, "Confirm-PortOutOrder", oid, "-FocDate", weekday_after(3))
    ok(tenant, "Set-PortOutOrder", oid, "-FocDate", weekday_after(10), "-Comment", "the customer asked")
    early = run(tenant, "Complete-PortOutOrder", oid, "-Force")
    assert early.returncode == 1 and "FocNotReached,Complete-PortOutOrder" in early.stderr
    history = json.loads(ok(carrier, "Get-PortOutOrder", oid, "-History", "-OutputFormat", "Json"))
    assert [(h["FromStatus"], h["ToStatus"]) for h in history] == [
        (None, "PendingReview"), ("PendingReview", "Approved"), ("Approved", "Confirmed"),
        ("Confirmed", "Confirmed")]
    assert history[1]["Comment"] == "Megan confirmed" and history[3]["Comment"] == "the customer asked"
    notices = json.loads(ok(carrier, "Receive-PortOutNotification", "-Consumer", "orders", "-OutputFormat", "Json"))
    assert [n["Kind"] for n in notices] == ["PortOutRequest", "OrderApproved", "OrderConfirmed", "OrderFocChanged"]
    cancelled = json.loads(ok(carrier, "Stop-PortOutOrder", oid, "-Reason", "CustomerRequest", "-Confirm:$false",
                              "-OutputFormat", "Json"))
    assert (cancelled["Status"], cancelled["Reason"]) == ("Cancelled", "CustomerRequest")


def test_account_details_from_the_command_line(tenant: dict[str, str]) -> None:
    shown = json.loads(ok(tenant, "Get-PortOutTenant", "contoso.com", "-OutputFormat", "Json"))
    assert len(shown["AccountNumber"]) == 12 and shown["ServiceZipCode"] == "98052"
    before = logical_digest(Path(tenant["PORTOUT_STORE"]))
    bad = run(tenant, "Set-PortOutTenant", "contoso.com", "-DisplayName", "Renamed", "-TimeZone", "Mars/Olympus")
    assert bad.returncode == 1 and "UnknownTimeZone,Set-PortOutTenant" in bad.stderr
    assert logical_digest(Path(tenant["PORTOUT_STORE"])) == before, "half a change was kept"
    by_account = run(as_carrier(tenant, "northwind"), "New-PortOutOrder", "-AccountNumber", shown["AccountNumber"],
                     "-PhoneNumber", N2, "-GainingCarrier", "Northwind", "-PinFromStdin", "-OutputFormat", "Json",
                     stdin=PIN + "\n")
    assert by_account.returncode == 0, by_account.stderr
    assert json.loads(by_account.stdout)["TenantId"] == "contoso.com"
    auditor = json.loads(ok({**tenant, "PORTOUT_ROLE": "Auditor"}, "Get-PortOutTenant", "contoso.com",
                            "-OutputFormat", "Json"))
    assert auditor["AccountNumber"] == "********" + shown["AccountNumber"][-4:]
