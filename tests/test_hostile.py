"""Hostile values through every parameter of every cmdlet, from Python.

Each call must raise a typed portout error and leave the store as it was, or succeed as the
cmdlet is meant to (reads change nothing; a write of a valid value writes). Nothing else may
escape: no other exception, no crash, no PIN echoed in a message. The suite runs a fixed sample
of the corpus per parameter; PORTOUT_HOSTILE=full (scripts/hostile) runs all of it.
"""

from __future__ import annotations

import io
import os
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import portout
from conftest import business_day, logical_digest
from hostile import CORPUS

WHEN = business_day(datetime.now(timezone.utc))  # a valid FOC date from now
# Parameters that name files: hostile paths would write outside the test's folder.
PATHS = {"Path", "KeyFile", "NewKeyFile", "Destination", "ConnectionString", "TokenFile", "CaFile"}
READ_ONLY = {"Get-PortOutTenant", "Get-PortOutPin", "Get-PortOutPinPolicy", "Test-PortOutPinPolicy",
             "Get-PortOutAuditLog", "Test-PortOutAuditLog", "Get-PortOutPhoneNumber",
             "Get-PortOutOrder", "Receive-PortOutNotification", "Disconnect-PortOutStore", "Get-PortOutCredential",
             "Get-PortOutAccount", "Get-PortOutSubscription", "Get-PortOutDelivery"}


def valid_arguments(ids: dict[str, str], folder: Path) -> dict[str, dict[str, Any]]:
    contoso = "contoso.example"
    return {
        "Connect-PortOutStore": {"Path": str(folder / "store.db"), "KeyFile": str(folder / "store.key"),
                                 "Actor": "admin", "Role": "StoreAdmin", "TenantScope": [contoso],
                                 "HashProfile": "test", "AllowTestProfile": True, },
        "Disconnect-PortOutStore": {},
        "New-PortOutTenant": {"Identity": "northwind.example", "DisplayName": "Northwind",
                              "CountryOrRegion": "US"},
        "Get-PortOutTenant": {"Identity": contoso},
        "Set-PortOutTenant": {"Identity": contoso, "DisplayName": "Contoso 2", "CountryOrRegion": "US",
                              "AccountNumber": "4021883305", "NewAccountNumber": False,
                              "ServiceZipCode": "98052", "AuthorizedName": "Megan Bowen",
                              "TimeZone": "America/Chicago", "NotificationEmail": ["noc@contoso.example"],
                              "PassThru": True},
        "Remove-PortOutTenant": {"Identity": "fabrikam.example", "Force": True},
        "Set-PortOutPin": {"Identity": contoso, "Pin": "481605", "PassThru": True},
        "Get-PortOutPin": {"Identity": contoso},
        "Test-PortOutPin": {"Identity": contoso, "Pin": "602917"},
        "Unlock-PortOutPin": {"Identity": contoso, "Force": True, "PassThru": True},
        "Repair-PortOutTenant": {"Identity": contoso, "Force": True},
        "Get-PortOutPinPolicy": {"Identity": contoso},
        "Set-PortOutPinPolicy": {"Identity": contoso, "MinimumLength": 7, "MaximumLength": 10,
                                 "BlockWeakPins": True, "Blocklist": ["111222"], "MaxFailedAttempts": 4,
                                 "LockoutDuration": 600, "MaxLockoutDuration": 3600, "TenantMaxFailures": 30,
                                 "FailureWindow": 7200, "ReviewWindow": 3600, "ReviewDeadlineAction": "Deny",
                                 "MinFocBusinessDays": 2, "MaxFocDays": 20, "CancelCutoff": 600,
                                 "Holidays": ["2026-12-24"], "PassThru": True},
        "Reset-PortOutPinPolicy": {"Identity": contoso, "PassThru": True},
        "Test-PortOutPinPolicy": {"Pin": "602917", "Identity": contoso},
        "Get-PortOutAuditLog": {"Identity": contoso, "Since": WHEN.replace(year=2020), "Until": WHEN,
                                "EventType": ["PinSet"], "First": 5},
        "Test-PortOutAuditLog": {},
        "Save-PortOutAuditCheckpoint": {"Path": str(folder)},
        "Update-PortOutKey": {"NewKeyFile": str(folder / "new.key"), "BatchSize": 100, "Force": True},
        "Add-PortOutPhoneNumber": {"Identity": contoso, "PhoneNumber": ["+14255550109"]},
        "Get-PortOutPhoneNumber": {"Identity": contoso},
        "Remove-PortOutPhoneNumber": {"Identity": contoso, "PhoneNumber": ["+14255550102"]},
        "New-PortOutOrder": {"Identity": contoso, "PhoneNumber": ["+14255550101"], "Pin": "602917",
                             "GainingCarrier": "Northwind", "RequestedDueDate": WHEN, "CarrierSpid": "6529",
                             "PurchaseOrderNumber": "PON-1", "AccountNumber": None, "ServiceZipCode": "98052",
                             "AuthorizedName": "Contoso", "PortType": "Partial", "IdempotencyKey": "k-1"},
        "Get-PortOutOrder": {"OrderId": [ids["open"]], "Identity": contoso, "Status": "PendingReview",
                             "GainingCarrier": "Northwind", "History": True},
        "Approve-PortOutOrder": {"OrderId": [ids["open"]], "Comment": "checked"},
        "Deny-PortOutOrder": {"OrderId": [ids["open"]], "Reason": "SuspectedFraud", "Comment": "not asked"},
        "Confirm-PortOutOrder": {"OrderId": [ids["open"]], "FocDate": WHEN},
        "Set-PortOutOrder": {"OrderId": [ids["confirmed"]], "FocDate": business_day(WHEN, 1),
                             "Comment": "moved"},
        "Complete-PortOutOrder": {"OrderId": [ids["confirmed"]], "Force": True},
        "Stop-PortOutOrder": {"OrderId": [ids["open"]], "Reason": "CustomerRequest", "Comment": "gone"},
        "Enable-PortOutFreeze": {"Identity": contoso, "PassThru": True},
        "Disable-PortOutFreeze": {"Identity": contoso, "Force": True},
        "Receive-PortOutNotification": {"Consumer": "pager", "MaxCount": 10},
        "Confirm-PortOutNotification": {"Consumer": "pager", "NotificationId": [1]},
        "Copy-PortOutStore": {"Destination": str(folder / "copy.db")},
        "New-PortOutCredential": {"Name": "lumen-2", "Role": "Carrier", "TenantScope": [contoso],
                                  "CarrierName": "Lumen", "CarrierSpid": "6529", "ExpiresAt": WHEN,
                                  "TokenFile": str(folder / "lumen-2.token")},
        "Get-PortOutCredential": {"Name": "lumen"},
        "Remove-PortOutCredential": {"Name": ["lumen"], "Force": True},
        "New-PortOutAccount": {"UserName": "adele", "Role": "Auditor", "TenantScope": [contoso], "Totp": True,
                               "ExpiresAt": WHEN, "Password": "amber orchard tide"},
        "Get-PortOutAccount": {"UserName": "megan"},
        "Set-PortOutAccount": {"UserName": "megan", "Password": "a different long phrase", "PassThru": True},
        "Remove-PortOutAccount": {"UserName": ["megan"], "Force": True},
        "New-PortOutWebhook": {"Url": "https://noc.contoso.example/hooks", "Event": ["PortOutRequest"],
                               "TenantScope": [contoso]},
        "Get-PortOutSubscription": {"Kind": "Webhook"},
        "Remove-PortOutSubscription": {"SubscriptionId": [ids["subscription"]], "Force": True},
        "Get-PortOutDelivery": {"SubscriptionId": ids["subscription"], "Status": "Pending", "First": 5},
        "Resume-PortOutDelivery": {"DeliveryId": [ids["delivery"]]},
    }


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile-baseline")
    with portout.Store.open(folder / "store.db", key_file=folder / "store.key", profile="test",
                            allow_test_profile=True, actor="admin") as s:
        s.create_tenant("contoso.example", "Contoso")
        s.create_tenant("fabrikam.example", "Fabrikam")
        s.set_pin("contoso.example", "602917")
        for n in ("+14255550100", "+14255550101", "+14255550102", "+14255550103"):
            s.add_phone_number("contoso.example", n)
        opened = s.submit_order("contoso.example", ["+14255550100"], "602917", "Northwind")
        confirmed = s.submit_order("contoso.example", ["+14255550103"], "602917", "Northwind")
        s.confirm_order(confirmed.order_id, WHEN)
        s.new_credential("lumen", "Carrier", carrier_name="Lumen", carrier_spid="6529")
        s.new_account("megan", "TelephonyAdmin", "violet kettle harbour lantern")
        hook = s.new_webhook("https://hooks.contoso.example/portout", ["*"])
        s.set_freeze("fabrikam.example", True)
        delivery = s.deliveries(hook.subscription_id)[0]
        s.record_delivery(delivery.delivery_id, delivered=False, status_code=500, error="HTTP 500",
                          started=datetime.now(timezone.utc), duration=timedelta(milliseconds=5),
                          policy=portout.DeliveryPolicy(max_attempts=1))
    return folder, {"open": opened.order_id, "confirmed": confirmed.order_id, "subscription": hook.subscription_id,
                    "delivery": delivery.delivery_id}


def sample(name: str) -> list[Any]:
    if os.environ.get("PORTOUT_HOSTILE") == "full":
        return CORPUS
    rng = random.Random(name)  # the same sample every run
    must = [CORPUS[i] for i in (0, 1, 6, 20, 26, 36, 38)] + [None, 602917, b"602917", 1.5, 10**100]
    return must + rng.sample(CORPUS, 18)


# Start-PortOutServer with good values serves until stopped: tests/test_server.py tests it.
CASES = [(c.name, p.name) for c in portout.commands.CMDLETS for p in c.all_parameters
         if p.name not in PATHS and c.name != "Start-PortOutServer"]


@pytest.mark.parametrize("cmdlet_name, parameter", CASES, ids=[f"{c}-{p}" for c, p in CASES])
def test_hostile_values(baseline: tuple[Path, dict[str, str]], tmp_path: Path, cmdlet_name: str,
                        parameter: str) -> None:
    source, ids = baseline
    cmdlet = portout.cmdlets[cmdlet_name]
    is_secret = cmdlet.parameter(parameter).secret  # type: ignore[union-attr]
    clean = True
    for value in sample(f"{cmdlet_name}-{parameter}"):
        if clean is False or not (tmp_path / "store.db").exists():
            for f in tmp_path.iterdir():
                if f.is_file():
                    f.unlink()
            for f in ("store.db", "store.key"):
                shutil.copy2(source / f, tmp_path / f)
        arguments = {**valid_arguments(ids, tmp_path)[cmdlet_name], parameter: value}
        before = logical_digest(tmp_path / "store.db")
        session = portout.connect_port_out_store(str(tmp_path / "store.db"),
                                                 key_file=str(tmp_path / "store.key"),
                                                 hash_profile="test", allow_test_profile=True,
                                                 actor="hostile")
        # A host that answers every question with end of input (No), and shows nothing.
        host = portout.Host(out=io.StringIO(), err=io.StringIO(), inp=io.StringIO(""))
        try:
            cmdlet(**arguments, session=session, host=host)
        except portout.PortOutError as error:
            assert error.error_id and error.category, repr(error)[:200]
            assert logical_digest(tmp_path / "store.db") == before, (cmdlet_name, parameter, repr(value)[:80])
            if is_secret and isinstance(value, str) and len(value) >= 4:
                assert value not in str(error), "a PIN echoed in a message"
            clean = True
        else:
            changed = logical_digest(tmp_path / "store.db") != before
            assert not (changed and cmdlet_name in READ_ONLY), (cmdlet_name, parameter, repr(value)[:80])
            clean = not changed
        finally:
            portout.disconnect_port_out_store()
