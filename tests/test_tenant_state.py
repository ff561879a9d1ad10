"""Each tenant's security state, and the store's default policy, anchored in the audit chain.

Someone who can write the store's database but has no key file (a database administrator, a
compromised database host, a backup put back) edits a tenant's security state between two
sessions: clears its failed attempts, lifts its lock or its freeze, loosens a policy, rolls its
PIN back, copies another tenant's state over it, inserts or deletes a tenant row. The next
session, through the command line or the Python API, must refuse the tenant (StoreTampered,
audited and notified) rather than obey the state it reads, answer a PIN check False as it would
for a wrong PIN, change nothing else, and let a StoreAdmin take the tenant back into use with
Repair-PortOutTenant. Both backends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import portout
from conftest import logical_digest, raw_execute, raw_query

PORTOUT = Path(sys.executable).with_name("portout")

# The PINs are named, never written out in an assertion: a failure shows names, not PINs.
CONTOSO_PIN = "602917"
FABRIKAM_PIN = "481605"
NEW_PIN = "381940"
LATER_PIN = "775913"
WRONG_PIN = "135792"
NUMBER = "+14255550100"

CONTOSO, FABRIKAM = "contoso.com", "fabrikam.com"

# The columns of a tenant row (schema 3), and those of them that are its security state.
TENANT_COLUMNS = ("tenant_id", "display_name", "country", "created_at", "modified_at", "modified_by",
                  "pin_record", "pin_key_id", "pin_set_at", "pin_changed_at", "pin_changed_by",
                  "failed_attempts", "locked_until", "lock_level", "last_check_at", "last_check_result",
                  "pin_version", "frozen")
SECURITY_COLUMNS = ("country", "pin_record", "pin_key_id", "pin_set_at", "pin_changed_at", "pin_changed_by",
                    "failed_attempts", "locked_until", "lock_level", "pin_version", "frozen")

# What a refused call may write: the finding, and the refused PIN check or order it belongs to.
REFUSAL_EVENTS = {"StoreTampered", "PinCheckAttempt", "PinCheck", "PortOutRequested"}
# Every table but the log and the outbox (and meta, but for the log's head: see _outside_the_log).
KEPT_TABLES = ("tenants", "policies", "phone_numbers", "orders", "order_numbers", "notification_consumers",
               "notification_acks")
BUT_ORDERS = tuple(t for t in KEPT_TABLES if t not in ("orders", "order_numbers"))


# -- sessions, the command line, the attacker's SQL -----------------------------------------------

def _session(location: str, key_file: Path, role: str | None = None,
             actor: str = "admin@contoso.com") -> portout.Store:
    return portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True,
                              role=role, actor=actor)


def _cli(location: str, key_file: Path, *args: str, stdin: str = "",
         role: str | None = None) -> subprocess.CompletedProcess[str]:
    """The portout command as an admin runs it from a script: no terminal, the PIN on stdin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env.update(PORTOUT_STORE=location, PORTOUT_KEY_FILE=str(key_file), PORTOUT_HASH_PROFILE="test",
               PORTOUT_ALLOW_TEST_PROFILE="1", PORTOUT_ACTOR="admin@contoso.com")
    if role:
        env["PORTOUT_ROLE"] = role
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=env)


def _cli_ok(location: str, key_file: Path, *args: str, stdin: str = "") -> str:
    done = _cli(location, key_file, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _cli_refused(location: str, key_file: Path, cmdlet: str, *args: str, stdin: str = "",
                 error_id: str = "StoreTampered", role: str | None = None) -> None:
    done = _cli(location, key_file, cmdlet, *args, stdin=stdin, role=role)
    assert done.returncode != 0, f"{cmdlet} was not refused: {done.stdout}"
    assert done.stdout == "", "a refused call writes no object"
    assert f"FullyQualifiedErrorId : {error_id},{cmdlet}" in done.stderr, done.stderr


def _test_pin(location: str, key_file: Path, tenant_id: str, pin: str) -> tuple[int, str, str]:
    done = _cli(location, key_file, "Test-PortOutPin", tenant_id, "-PinFromStdin", stdin=pin + "\n")
    return done.returncode, done.stdout, done.stderr


def _literal(location: str, value: Any) -> str:
    """A value as SQL, as the attacker would type it into either database."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return f"decode('{data.hex()}', 'hex')" if location.startswith("postgresql://") else f"X'{data.hex()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _row(location: str, tenant_id: str, columns: tuple[str, ...] = TENANT_COLUMNS) -> dict[str, Any]:
    [values] = raw_query(location, f"SELECT {', '.join(columns)} FROM tenants WHERE tenant_id = '{tenant_id}'")
    return dict(zip(columns, values))


def _put_back(location: str, tenant_id: str, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{c} = {_literal(location, v)}" for c, v in values.items() if c != "tenant_id")
    raw_execute(location, f"UPDATE tenants SET {assignments} WHERE tenant_id = '{tenant_id}'")


# -- what a refusal leaves ------------------------------------------------------------------------

def _outside_the_log(location: str, tables: tuple[str, ...] = KEPT_TABLES) -> dict[str, Any]:
    """Everything but the audit log and the outbox (the log's head in meta moves with the log):
    a refused call leaves it as it was. A refused order keeps its order: `tables` without them.
    Table by table, so that a failure names the table that changed."""
    state: dict[str, Any] = {t: logical_digest(location, (t,)) for t in tables}
    state["meta"] = raw_query(location, "SELECT name, value FROM meta WHERE name <> 'audit_head' ORDER BY name")
    return state


def _mark(location: str) -> tuple[int, int]:
    [(event,)] = raw_query(location, "SELECT coalesce(max(event_id), 0) FROM audit_events")
    [(notice,)] = raw_query(location, "SELECT coalesce(max(notification_id), 0) FROM notifications")
    return int(event), int(notice)


def _events_since(location: str, mark: tuple[int, int]) -> list[tuple[str, str, str, str, bool]]:
    """(type, tenant, outcome, reason, anchors a new state) of the events written since `mark`.

    Every event of a tenant carries a state MAC: the state it left, or the one its tenant's
    newest event carried before it. An event anchors a new state when its MAC is not the one
    carried until then."""
    rows = raw_query(location, "SELECT event_type, tenant_id, outcome, reason, state_mac "
                               f"FROM audit_events WHERE event_id > {mark[0]} ORDER BY event_id")
    carried: dict[str, Any] = {}
    out = []
    for t, tenant, outcome, reason, state in rows:
        if tenant not in carried:
            before = raw_query(location, "SELECT state_mac FROM audit_events WHERE tenant_id = "
                                         f"'{tenant}' AND event_id <= {mark[0]} ORDER BY event_id DESC LIMIT 1")
            carried[tenant] = bytes(before[0][0]) if before and before[0][0] is not None else None
        state = bytes(state) if state is not None else None
        out.append((t, tenant, outcome, reason, state != carried[tenant]))
        carried[tenant] = state
    return out


def _notices_since(location: str, mark: tuple[int, int]) -> list[tuple[str, str]]:
    return [tuple(r) for r in raw_query(location, "SELECT kind, tenant_id FROM notifications "
                                                  f"WHERE notification_id > {mark[1]} ORDER BY notification_id")]


def _assert_refusals_recorded(location: str, mark: tuple[int, int], tenant_id: str,
                              reason: str = "TenantStateNotAuthentic") -> None:
    """Since `mark`: the finding audited and notified, no other kind of event, and no new anchor
    (a refused call never makes the state it read authentic)."""
    events = _events_since(location, mark)
    assert ("StoreTampered", tenant_id, "Failure", reason, False) in events, events
    assert {e[0] for e in events} <= REFUSAL_EVENTS, events
    assert not any(e[4] for e in events), f"a refused call anchored a state: {events}"
    assert ("StoreTampered", tenant_id) in _notices_since(location, mark)


def _refused(call: Callable[[], object], target: str) -> None:
    with pytest.raises(portout.SecurityError) as refused:
        call()
    assert (refused.value.error_id, refused.value.target) == ("StoreTampered", target)
    assert refused.value.category == "SecurityError"


def _accepts(store: portout.Store, tenant_id: str, pin: str) -> bool:
    # The answer in a variable of its own: a failed assertion then shows a bool, not the call
    # with its PIN.
    return bool(store.check_pin(tenant_id, pin))


def _audit_is_valid(location: str, key_file: Path) -> bool:
    with _session(location, key_file) as s:
        return bool(s.verify_audit().is_valid)


# -- the store before the attack ------------------------------------------------------------------

def _two_tenants(location: str, key_file: Path) -> None:
    """Contoso (a PIN and a number) and Fabrikam (a PIN), as portout wrote them."""
    with _session(location, key_file) as s:
        s.create_tenant(CONTOSO, "Contoso", "US")
        s.set_pin(CONTOSO, CONTOSO_PIN)
        s.add_phone_number(CONTOSO, NUMBER)
        s.create_tenant(FABRIKAM, "Fabrikam", "US")
        s.set_pin(FABRIKAM, FABRIKAM_PIN)


def _repair_and_use_again(location: str, key_file: Path, tenant_id: str, *, cli: bool = False,
                          review: Callable[[portout.Store], object] | None = None) -> str:
    """A StoreAdmin repairs the tenant; its PIN is gone until a new one is set, then it works.
    `review`: what the admin puts right first of what the repair kept (the country, the freeze,
    the tenant's policy). Returns the details of the TenantStateRepaired event (what was kept)."""
    mark = _mark(location)
    if cli:
        status = json.loads(_cli_ok(location, key_file, "Repair-PortOutTenant", "-Identity", tenant_id, "-Force",
                                    "-OutputFormat", "Json"))
        assert (status["TenantId"], status["PinIsSet"], status["FailedAttemptCount"], status["LockedUntil"],
                status["LockoutCount"]) == (tenant_id, False, 0, None, 0)
    else:
        with _session(location, key_file) as s:
            repaired = s.repair_tenant_state(tenant_id)
            assert (repaired.tenant_id, repaired.pin_is_set, repaired.failed_attempt_count, repaired.is_locked,
                    repaired.lockout_count) == (tenant_id, False, 0, False, 0)
    assert ("TenantStateRepaired", tenant_id, "Success", "StoreTampered", True) in _events_since(location, mark)
    assert ("TenantStateRepaired", tenant_id) in _notices_since(location, mark)
    [(details,)] = raw_query(location, "SELECT details FROM audit_events WHERE event_type = 'TenantStateRepaired' "
                                       f"AND event_id > {mark[0]}")
    with _session(location, key_file) as s:
        status = s.pin_status(tenant_id)
        assert not status.pin_is_set and status.failed_attempt_count == 0 and not status.is_locked
        no_pin_yet = _accepts(s, tenant_id, LATER_PIN)
        assert not no_pin_yet, "a repaired tenant has no PIN until one is set"
        if review is not None:
            review(s)
        s.set_pin(tenant_id, LATER_PIN)
        accepted = _accepts(s, tenant_id, LATER_PIN)
        assert accepted, "the new PIN is refused after the repair"
        assert s.get_tenant(tenant_id).pin_is_set
        with pytest.raises(portout.InvalidOperationError) as nothing:
            s.repair_tenant_state(tenant_id)
        assert nothing.value.error_id == "NothingToRepair"
        assert s.verify_audit().is_valid
    return str(details)


# -- 1. failed attempts cleared -------------------------------------------------------------------

def test_failed_attempts_cleared_in_the_database(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    with _session(location, key_file) as s:
        for _ in range(4):
            wrong = _accepts(s, CONTOSO, WRONG_PIN)
            assert not wrong
        assert s.pin_status(CONTOSO).failed_attempt_count == 4

    # The attack: four more guesses before the lock, for whoever guesses.
    raw_execute(location, f"UPDATE tenants SET failed_attempts = 0 WHERE tenant_id = '{CONTOSO}'")
    assert _audit_is_valid(location, key_file), "the edit touched no audit row"

    before, mark = _outside_the_log(location), _mark(location)
    _cli_refused(location, key_file, "Get-PortOutPin", CONTOSO)
    _cli_refused(location, key_file, "Get-PortOutPin")  # the listing too
    _cli_refused(location, key_file, "Get-PortOutTenant", CONTOSO)
    _cli_refused(location, key_file, "Unlock-PortOutPin", CONTOSO, "-Force")
    _cli_refused(location, key_file, "Set-PortOutPin", CONTOSO, "-PinFromStdin", stdin=NEW_PIN + "\n")
    assert _test_pin(location, key_file, CONTOSO, CONTOSO_PIN) == (0, "False\n", ""), "the right PIN passed"
    with _session(location, key_file) as s:
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        _refused(lambda: s.get_tenant(CONTOSO), CONTOSO)
        _refused(lambda: list(s.pin_statuses()), CONTOSO)
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right, "the right PIN passed on a tampered tenant"
        wrong = _accepts(s, CONTOSO, WRONG_PIN)
        assert not wrong
        assert s.pin_status(FABRIKAM).pin_is_set, "another tenant is refused"
    # Nothing counted, nothing else written: the counter the attacker cleared is still 0.
    assert _outside_the_log(location) == before
    assert _row(location, CONTOSO, ("failed_attempts",)) == {"failed_attempts": 0}
    _assert_refusals_recorded(location, mark, CONTOSO)
    assert _audit_is_valid(location, key_file)

    _repair_and_use_again(location, key_file, CONTOSO, cli=True)
    assert _test_pin(location, key_file, CONTOSO, LATER_PIN) == (0, "True\n", "")


# -- 2. a lock lifted -----------------------------------------------------------------------------

def test_a_lock_lifted_in_the_database(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    with _session(location, key_file) as s:
        for _ in range(5):
            wrong = _accepts(s, CONTOSO, WRONG_PIN)
            assert not wrong
        status = s.pin_status(CONTOSO)
        assert status.carriers[0].is_locked and status.carriers[0].lockout_count == 1

    raw_execute(location, "UPDATE tenants SET locked_until = NULL, failed_attempts = 0, carrier_attempts = '' "
                f"WHERE tenant_id = '{CONTOSO}'")

    before, mark = _outside_the_log(location, BUT_ORDERS), _mark(location)
    with _session(location, key_file) as s:
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right, "the right PIN passed once the lock was lifted by SQL"
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        _refused(lambda: s.unlock_pin(CONTOSO), CONTOSO)
        _refused(lambda: s.set_pin(CONTOSO, NEW_PIN), CONTOSO)
        _refused(lambda: s.get_policy(CONTOSO), CONTOSO)
        order = s.submit_order(CONTOSO, NUMBER, CONTOSO_PIN, "Northwind")
        assert (order.status, order.reason, order.internal_reason) == ("Rejected", "PinNotAccepted", "StoreTampered")
    _cli_refused(location, key_file, "Unlock-PortOutPin", CONTOSO, "-Force")
    assert _test_pin(location, key_file, CONTOSO, CONTOSO_PIN) == (0, "False\n", "")
    # Beside the log, only the rejected order is new: the tenant row is as the attacker left it.
    assert _outside_the_log(location, BUT_ORDERS) == before
    assert raw_query(location, "SELECT status, internal_reason FROM orders") == [("Rejected", "StoreTampered")]
    _assert_refusals_recorded(location, mark, CONTOSO)
    assert _audit_is_valid(location, key_file)

    _repair_and_use_again(location, key_file, CONTOSO)



# -- 3. a freeze lifted ---------------------------------------------------------------------------

def _order(location: str, key_file: Path, tenant_id: str, pin: str) -> dict[str, Any]:
    return json.loads(_cli_ok(location, key_file, "New-PortOutOrder", tenant_id, "-PhoneNumber", NUMBER,
                              "-GainingCarrier", "Northwind", "-PinFromStdin", "-OutputFormat", "Json",
                              stdin=pin + "\n"))


def test_a_freeze_lifted_in_the_database_ports_nothing_out(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    _cli_ok(location, key_file, "Enable-PortOutFreeze", CONTOSO)
    frozen = _order(location, key_file, CONTOSO, CONTOSO_PIN)
    assert (frozen["Status"], frozen["Reason"]) == ("Rejected", "PortOutFrozen")

    raw_execute(location, f"UPDATE tenants SET frozen = 0 WHERE tenant_id = '{CONTOSO}'")

    before, mark = _outside_the_log(location, BUT_ORDERS), _mark(location)
    # The right PIN, the tenant's own number: rejected, and the carrier is told no more than for
    # a wrong PIN.
    order = _order(location, key_file, CONTOSO, CONTOSO_PIN)
    assert (order["Status"], order["Reason"], order["InternalReason"]) == \
        ("Rejected", "PinNotAccepted", "StoreTampered")
    with _session(location, key_file, role="Carrier", actor="northwind") as carrier:
        seen = carrier.submit_order(CONTOSO, NUMBER, CONTOSO_PIN, "Northwind")
        assert (seen.status, seen.reason, seen.internal_reason) == ("Rejected", "PinNotAccepted", None)
    with _session(location, key_file) as s:
        assert s.get_order(seen.order_id).internal_reason == "StoreTampered"
        _refused(lambda: s.set_freeze(CONTOSO, True), CONTOSO)
        _refused(lambda: s.get_tenant(CONTOSO), CONTOSO)
    _cli_refused(location, key_file, "Enable-PortOutFreeze", CONTOSO)
    _cli_refused(location, key_file, "Disable-PortOutFreeze", CONTOSO, "-Force")
    _cli_refused(location, key_file, "Get-PortOutTenant", CONTOSO)
    _cli_refused(location, key_file, "Get-PortOutTenant")
    assert _outside_the_log(location, BUT_ORDERS) == before
    assert [s for (s,) in raw_query(location, "SELECT status FROM orders")] == ["Rejected"] * 3, \
        "an order was taken"
    assert raw_query(location, f"SELECT tenant_id FROM phone_numbers WHERE number = '{NUMBER}'") == [(CONTOSO,)]
    _assert_refusals_recorded(location, mark, CONTOSO)
    assert _audit_is_valid(location, key_file)

    # The repair keeps the freeze as the database holds it (lifted) and says so, for review.
    details = _repair_and_use_again(location, key_file, CONTOSO, cli=True)
    assert "frozen=false" in details and "pin_removed=true" in details
    _cli_ok(location, key_file, "Enable-PortOutFreeze", CONTOSO)
    again = _order(location, key_file, CONTOSO, LATER_PIN)
    assert (again["Status"], again["Reason"]) == ("Rejected", "PortOutFrozen")


# -- 4. policies loosened -------------------------------------------------------------------------

def test_a_tenant_policy_loosened_in_the_database(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    with _session(location, key_file) as s:
        s.set_policy(CONTOSO, max_failed_attempts=3)

    # 100 guesses instead of 3.
    raw_execute(location, f"UPDATE policies SET max_failed_attempts = 100 WHERE scope = '{CONTOSO}'")
    assert _audit_is_valid(location, key_file)

    before, mark = _outside_the_log(location), _mark(location)
    with _session(location, key_file) as s:
        _refused(lambda: s.get_policy(CONTOSO), CONTOSO)
        _refused(lambda: s.set_policy(CONTOSO, max_failed_attempts=4), CONTOSO)
        _refused(lambda: s.reset_policy(CONTOSO), CONTOSO)
        _refused(lambda: s.test_pin_policy(NEW_PIN, CONTOSO), CONTOSO)
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right, "the right PIN passed under a policy loosened by SQL"
        # Neither the default nor another tenant's policy is concerned.
        assert s.get_policy().max_failed_attempts == 5
        assert s.get_policy(FABRIKAM).max_failed_attempts == 5
    _cli_refused(location, key_file, "Get-PortOutPinPolicy", CONTOSO)
    _cli_refused(location, key_file, "Set-PortOutPinPolicy", CONTOSO, "-MaxFailedAttempts", "4")
    assert _outside_the_log(location) == before
    _assert_refusals_recorded(location, mark, CONTOSO)

    # The tenant's own policy is kept as the database holds it and named for review: the admin
    # puts the limit back.
    details = _repair_and_use_again(location, key_file, CONTOSO)
    assert "own_policy=kept" in details
    with _session(location, key_file) as s:
        assert s.get_policy(CONTOSO).max_failed_attempts == 100
        assert s.set_policy(CONTOSO, max_failed_attempts=3).max_failed_attempts == 3
        assert s.verify_audit().is_valid


def test_the_default_policy_loosened_in_the_database(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)

    raw_execute(location, "UPDATE policies SET max_failed_attempts = 100, block_weak = 0 WHERE scope = ''")
    assert _audit_is_valid(location, key_file)

    before, mark = _outside_the_log(location, BUT_ORDERS), _mark(location)
    _cli_refused(location, key_file, "Get-PortOutPinPolicy")
    _cli_refused(location, key_file, "Set-PortOutPinPolicy", "-MaxFailedAttempts", "4")
    # Every tenant's checks stand on it: every tenant is refused, the default policy named.
    _cli_refused(location, key_file, "Get-PortOutPin", CONTOSO)
    _cli_refused(location, key_file, "Get-PortOutTenant")
    assert _test_pin(location, key_file, FABRIKAM, FABRIKAM_PIN) == (0, "False\n", "")
    with _session(location, key_file) as s:
        _refused(lambda: s.get_policy(), s.path)
        _refused(lambda: s.get_policy(CONTOSO), s.path)
        _refused(lambda: s.pin_status(FABRIKAM), s.path)
        _refused(lambda: list(s.tenants()), s.path)
        for tenant_id, pin in ((CONTOSO, CONTOSO_PIN), (FABRIKAM, FABRIKAM_PIN)):
            right = _accepts(s, tenant_id, pin)
            assert not right, f"the right PIN of {tenant_id} passed under a default policy loosened by SQL"
        order = s.submit_order(CONTOSO, NUMBER, CONTOSO_PIN, "Northwind")
        assert (order.status, order.reason, order.internal_reason) == ("Rejected", "PinNotAccepted", "StoreTampered")
        # The tenants' own states hold: nothing to repair there.
        with pytest.raises(portout.InvalidOperationError) as nothing:
            s.repair_tenant_state(CONTOSO)
        assert nothing.value.error_id == "NothingToRepair"
    assert _outside_the_log(location, BUT_ORDERS) == before
    _assert_refusals_recorded(location, mark, "", "DefaultPolicyNotAuthentic")
    assert ("StoreTampered", CONTOSO, "Failure", "TenantStateNotAuthentic", False) not in \
        _events_since(location, mark)
    assert _audit_is_valid(location, key_file)

    mark = _mark(location)
    restored = json.loads(_cli_ok(location, key_file, "Repair-PortOutTenant", "-DefaultPolicy", "-Force",
                                  "-OutputFormat", "Json"))
    assert (restored["MaxFailedAttempts"], restored["BlockWeak"]) == (5, True)
    # The built-in policy put back is the state anchored before the edit: the same MAC again.
    assert [e[:4] for e in _events_since(location, mark)] == [("DefaultPolicyRepaired", "", "Success", "StoreTampered")]
    # The PINs stay: both tenants work again as they were.
    assert _test_pin(location, key_file, FABRIKAM, FABRIKAM_PIN) == (0, "True\n", "")
    with _session(location, key_file) as s:
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert right, "the right PIN is refused after the default policy was repaired"
        assert s.get_policy().max_failed_attempts == 5 and s.get_policy().block_weak
        with pytest.raises(portout.InvalidOperationError) as nothing:
            s.repair_default_policy()
        assert (nothing.value.error_id, nothing.value.target) == ("NothingToRepair", s.path)
        assert s.verify_audit().is_valid


# -- 5. a PIN rolled back -------------------------------------------------------------------------

@pytest.mark.parametrize("kept", ["pin_columns", "whole_row"])
def test_a_pin_rolled_back_in_the_database(location: str, key_file: Path, kept: str) -> None:
    _two_tenants(location, key_file)
    columns = ("pin_record", "pin_version") if kept == "pin_columns" else TENANT_COLUMNS
    old = _row(location, CONTOSO, columns)
    # The tenant's admin changes the PIN (the old one leaked, say)...
    _cli_ok(location, key_file, "Set-PortOutPin", CONTOSO, "-PinFromStdin", stdin=NEW_PIN + "\n")
    assert _row(location, CONTOSO, ("pin_version",))["pin_version"] == 2

    # ...and the attacker, who knows the old PIN, puts the old record back.
    _put_back(location, CONTOSO, old)
    assert _row(location, CONTOSO, columns) == old
    assert _audit_is_valid(location, key_file)

    before, mark = _outside_the_log(location), _mark(location)
    with _session(location, key_file) as s:
        old_pin = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not old_pin, "the PIN rolled back to passed"
        new_pin = _accepts(s, CONTOSO, NEW_PIN)
        assert not new_pin
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        _refused(lambda: s.get_tenant(CONTOSO), CONTOSO)
    _cli_refused(location, key_file, "Set-PortOutPin", CONTOSO, "-PinFromStdin", stdin=LATER_PIN + "\n")
    _cli_refused(location, key_file, "Get-PortOutPin", CONTOSO)
    assert _test_pin(location, key_file, CONTOSO, CONTOSO_PIN) == (0, "False\n", "")
    assert _outside_the_log(location) == before
    _assert_refusals_recorded(location, mark, CONTOSO)

    _repair_and_use_again(location, key_file, CONTOSO)
    with _session(location, key_file) as s:
        for pin in (CONTOSO_PIN, NEW_PIN):
            passed = _accepts(s, CONTOSO, pin)
            assert not passed, "a PIN from before the repair passed"


# -- 6. another tenant's state copied -------------------------------------------------------------

def test_another_tenants_security_state_copied_over(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    # Fabrikam's PIN is the attacker's (a tenant of theirs, say): copied over Contoso's.
    raw_execute(location, f"UPDATE tenants SET ({', '.join(SECURITY_COLUMNS)}) = "
                          f"(SELECT {', '.join(SECURITY_COLUMNS)} FROM tenants f WHERE f.tenant_id = '{FABRIKAM}') "
                          f"WHERE tenant_id = '{CONTOSO}'")
    assert _row(location, CONTOSO, SECURITY_COLUMNS) == _row(location, FABRIKAM, SECURITY_COLUMNS)
    assert _audit_is_valid(location, key_file)

    before, mark = _outside_the_log(location, BUT_ORDERS), _mark(location)
    with _session(location, key_file) as s:
        for pin in (FABRIKAM_PIN, CONTOSO_PIN):
            passed = _accepts(s, CONTOSO, pin)
            assert not passed, "a PIN passed on a state copied from another tenant"
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        _refused(lambda: s.get_policy(CONTOSO), CONTOSO)
        order = s.submit_order(CONTOSO, NUMBER, FABRIKAM_PIN, "Northwind")
        assert (order.status, order.reason, order.internal_reason) == ("Rejected", "PinNotAccepted", "StoreTampered")
        assert s.pin_status(FABRIKAM).pin_is_set, "the tenant copied from is refused"
    _cli_refused(location, key_file, "Get-PortOutPin", CONTOSO)
    assert _outside_the_log(location, BUT_ORDERS) == before
    _assert_refusals_recorded(location, mark, CONTOSO)
    with _session(location, key_file) as s:
        fabrikam = _accepts(s, FABRIKAM, FABRIKAM_PIN)
        assert fabrikam, "the tenant copied from no longer works"

    _repair_and_use_again(location, key_file, CONTOSO)


# -- 7. a tenant row inserted ---------------------------------------------------------------------

def test_a_tenant_row_inserted_by_sql(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    intruder = "intruder.example"
    rest = ", ".join(TENANT_COLUMNS[1:])
    raw_execute(location, f"INSERT INTO tenants (tenant_id, {rest}) "
                          f"SELECT '{intruder}', {rest} FROM tenants WHERE tenant_id = '{CONTOSO}'")
    assert _audit_is_valid(location, key_file)

    before, mark = _outside_the_log(location), _mark(location)
    _cli_refused(location, key_file, "Get-PortOutTenant", intruder)
    _cli_refused(location, key_file, "Get-PortOutTenant")
    _cli_refused(location, key_file, "Get-PortOutPin")
    _cli_refused(location, key_file, "Set-PortOutPin", intruder, "-PinFromStdin", stdin=NEW_PIN + "\n")
    assert _test_pin(location, key_file, intruder, CONTOSO_PIN) == (0, "False\n", "")
    with _session(location, key_file) as s:
        _refused(lambda: s.get_tenant(intruder), intruder)
        _refused(lambda: list(s.tenants()), intruder)
        _refused(lambda: s.get_policy(intruder), intruder)
        copied = _accepts(s, intruder, CONTOSO_PIN)
        assert not copied, "the PIN of the row copied passed on the inserted tenant"
        assert s.get_tenant(CONTOSO).pin_is_set, "the tenant copied from is refused"
    assert _outside_the_log(location) == before
    _assert_refusals_recorded(location, mark, intruder)
    with _session(location, key_file) as s:
        contoso = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert contoso, "the tenant copied from no longer works"

    # Taken as it stands, without the PIN it was given.
    _repair_and_use_again(location, key_file, intruder, cli=True)
    listed = json.loads(_cli_ok(location, key_file, "Get-PortOutTenant", "-OutputFormat", "Json"))
    assert sorted(t["TenantId"] for t in listed) == [CONTOSO, FABRIKAM, intruder]


# -- 8. a tenant row deleted ----------------------------------------------------------------------

def test_a_tenant_row_deleted_by_sql_is_not_made_anew(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    raw_execute(location, f"DELETE FROM tenants WHERE tenant_id = '{CONTOSO}'")
    assert _audit_is_valid(location, key_file)

    before, mark = _outside_the_log(location), _mark(location)
    _cli_refused(location, key_file, "New-PortOutTenant", CONTOSO, "Contoso", "US")
    _cli_refused(location, key_file, "Get-PortOutTenant", CONTOSO)
    _cli_refused(location, key_file, "Get-PortOutPin", CONTOSO)
    _cli_refused(location, key_file, "Get-PortOutPinPolicy", CONTOSO)
    assert _test_pin(location, key_file, CONTOSO, CONTOSO_PIN) == (0, "False\n", "")
    with _session(location, key_file) as s:
        _refused(lambda: s.create_tenant(CONTOSO, "Contoso", "US"), CONTOSO)
        _refused(lambda: s.set_pin(CONTOSO, NEW_PIN), CONTOSO)
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right
    assert _outside_the_log(location) == before
    assert raw_query(location, f"SELECT count(*) FROM tenants WHERE tenant_id = '{CONTOSO}'") == [(0,)]
    _assert_refusals_recorded(location, mark, CONTOSO)

    # The removal is taken as it stands; then the tenant may be made anew.
    mark = _mark(location)
    status = json.loads(_cli_ok(location, key_file, "Repair-PortOutTenant", CONTOSO, "-Force", "-OutputFormat", "Json"))
    assert (status["TenantId"], status["PinIsSet"]) == (CONTOSO, False)
    [(details,)] = raw_query(location, "SELECT details FROM audit_events WHERE event_type = 'TenantStateRepaired' "
                                       f"AND tenant_id = '{CONTOSO}' AND event_id > {mark[0]}")
    assert "row_missing=true" in details
    _cli_refused(location, key_file, "Get-PortOutTenant", CONTOSO, error_id="TenantNotFound")
    _cli_ok(location, key_file, "New-PortOutTenant", CONTOSO, "Contoso", "US")
    _cli_ok(location, key_file, "Set-PortOutPin", CONTOSO, "-PinFromStdin", stdin=LATER_PIN + "\n")
    assert _test_pin(location, key_file, CONTOSO, LATER_PIN) == (0, "True\n", "")
    assert _test_pin(location, key_file, CONTOSO, CONTOSO_PIN) == (0, "False\n", "")
    verified = json.loads(_cli_ok(location, key_file, "Test-PortOutAuditLog", "-OutputFormat", "Json"))
    assert verified["IsValid"] is True


# -- a carrier cannot tell ------------------------------------------------------------------------

def test_a_tampered_tenant_answers_as_a_wrong_pin_does(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    with _session(location, key_file) as s:
        for _ in range(2):
            wrong = _accepts(s, CONTOSO, WRONG_PIN)
            assert not wrong
    raw_execute(location, f"UPDATE tenants SET failed_attempts = 0 WHERE tenant_id = '{CONTOSO}'")

    tampered = _test_pin(location, key_file, CONTOSO, CONTOSO_PIN)  # the right PIN
    wrong = _test_pin(location, key_file, FABRIKAM, WRONG_PIN)
    unknown = _test_pin(location, key_file, "unknown.example", CONTOSO_PIN)
    assert tampered == wrong == unknown == (0, "False\n", "")

    # The same work (one Argon2id computation), the same answer to a carrier's order.
    work: dict[str, int] = {}
    orders: dict[str, tuple[Any, ...]] = {}
    with _session(location, key_file, role="Carrier", actor="northwind") as carrier:
        for case, tenant_id, pin in (("tampered", CONTOSO, CONTOSO_PIN), ("wrong", FABRIKAM, WRONG_PIN),
                                     ("unknown", "unknown.example", CONTOSO_PIN)):
            computed = portout._core.argon2_computations()
            order = carrier.submit_order(tenant_id, NUMBER, pin, "Northwind")
            work[case] = portout._core.argon2_computations() - computed
            orders[case] = (order.status, order.reason, order.internal_reason, order.number_problems)
    assert work["tampered"] == work["wrong"] == work["unknown"] == 1
    assert orders["tampered"] == orders["wrong"] == orders["unknown"] == ("Rejected", "PinNotAccepted", None, {})
    with _session(location, key_file) as s:
        internal = [o.internal_reason for o in s.orders()]
        assert internal == ["StoreTampered", "WrongPin", "UnknownTenant"]

    # The default policy edited: every tenant answers so, the right PIN as a wrong one.
    raw_execute(location, "UPDATE policies SET lockout_ms = 1000 WHERE scope = ''")
    right_pin_elsewhere = _test_pin(location, key_file, FABRIKAM, FABRIKAM_PIN)
    assert right_pin_elsewhere == unknown


# -- every column of the security state, and only those ------------------------------------------

def _flip_pin_record(location: str) -> None:
    record = bytearray(_row(location, CONTOSO, ("pin_record",))["pin_record"])
    record[len(record) // 2] ^= 0x01
    _put_back(location, CONTOSO, {"pin_record": bytes(record)})


SECURITY_EDITS: list[tuple[str, str | Callable[[str], None]]] = [
    ("country", "country = 'CA'"),
    ("pin_record altered", _flip_pin_record),
    ("pin_record removed", "pin_record = NULL"),
    ("pin_set_at", "pin_set_at = pin_set_at + 1"),
    ("pin_changed_at", "pin_changed_at = pin_changed_at - 1"),
    ("pin_changed_by", "pin_changed_by = 'mallory@contoso.com'"),
    # Even an edit that looks stricter: the store obeys no state it did not write.
    ("failed_attempts raised", "failed_attempts = 2"),
    ("locked", "locked_until = 4102444800000, lock_level = 1"),
    ("lock_level", "lock_level = 3"),
    ("pin_version", "pin_version = pin_version + 1"),
    ("frozen", "frozen = 1"),
]


@pytest.mark.parametrize("edit", [e for _, e in SECURITY_EDITS], ids=[n for n, _ in SECURITY_EDITS])
def test_each_part_of_the_security_state_edited_is_refused(location: str, key_file: Path,
                                                           edit: str | Callable[[str], None]) -> None:
    _two_tenants(location, key_file)
    if callable(edit):
        edit(location)
    else:
        raw_execute(location, f"UPDATE tenants SET {edit} WHERE tenant_id = '{CONTOSO}'")

    before, mark = _outside_the_log(location), _mark(location)
    with _session(location, key_file) as s:
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right, "the right PIN passed on an edited state"
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        _refused(lambda: s.update_tenant(CONTOSO, display_name="Contoso Ltd"), CONTOSO)
        assert s.pin_status(FABRIKAM).pin_is_set
    assert _outside_the_log(location) == before
    _assert_refusals_recorded(location, mark, CONTOSO)
    assert _audit_is_valid(location, key_file)
    if edit == "country = 'CA'":
        # The country is kept as the database holds it, and named: the admin puts it back.
        details = _repair_and_use_again(
            location, key_file, CONTOSO,
            review=lambda s: s.update_tenant(CONTOSO, country_or_region="US"))
        assert "country=CA" in details
    else:
        _repair_and_use_again(location, key_file, CONTOSO)


@pytest.mark.parametrize("edit", [
    "display_name = 'Contoso Renamed'", "modified_at = 0", "modified_by = 'someone@contoso.com'",
    "last_check_at = 0, last_check_result = 'Accepted'",
], ids=["display_name", "modified_at", "modified_by", "last_check"])
def test_columns_outside_the_security_state_may_change(location: str, key_file: Path, edit: str) -> None:
    """Not every edit is tampering: what decides nothing is not anchored, and refused nothing."""
    _two_tenants(location, key_file)
    raw_execute(location, f"UPDATE tenants SET {edit} WHERE tenant_id = '{CONTOSO}'")
    mark = _mark(location)
    with _session(location, key_file) as s:
        assert s.pin_status(CONTOSO).pin_is_set
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert right, "the right PIN is refused after an edit outside the security state"
        with pytest.raises(portout.InvalidOperationError) as nothing:
            s.repair_tenant_state(CONTOSO)
        assert nothing.value.error_id == "NothingToRepair"
    assert "StoreTampered" not in {e[0] for e in _events_since(location, mark)}


# -- policy rows inserted and deleted -------------------------------------------------------------

@pytest.mark.parametrize("attack", ["own policy inserted", "own policy deleted", "default policy deleted",
                                    "default policy tightened"])
def test_policy_rows_inserted_or_deleted_by_sql(location: str, key_file: Path, attack: str) -> None:
    _two_tenants(location, key_file)
    if attack == "own policy deleted":
        with _session(location, key_file) as s:
            s.set_policy(CONTOSO, max_failed_attempts=2)
    raw_execute(location, {
        "own policy inserted": "INSERT INTO policies (scope, max_failed_attempts, modified_at, modified_by) "
                               f"VALUES ('{CONTOSO}', 100, 0, 'mallory@contoso.com')",
        "own policy deleted": f"DELETE FROM policies WHERE scope = '{CONTOSO}'",
        "default policy deleted": "DELETE FROM policies WHERE scope = ''",
        "default policy tightened": "UPDATE policies SET min_length = 8 WHERE scope = ''",
    }[attack])
    default = attack.startswith("default")

    before, mark = _outside_the_log(location), _mark(location)
    with _session(location, key_file) as s:
        target = s.path if default else CONTOSO
        _refused(lambda: s.get_policy(CONTOSO), target)
        _refused(lambda: s.test_pin_policy(NEW_PIN, CONTOSO), target)
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right, "the right PIN passed under a policy row written by SQL"
        if default:
            _refused(lambda: s.get_policy(), s.path)
        else:
            assert s.get_policy().max_failed_attempts == 5
    assert _outside_the_log(location) == before
    if default:
        _assert_refusals_recorded(location, mark, "", "DefaultPolicyNotAuthentic")
        with _session(location, key_file) as s:
            assert s.repair_default_policy().min_length == 6
            right = _accepts(s, CONTOSO, CONTOSO_PIN)
            assert right, "the right PIN is refused after the default policy was repaired"
            assert s.verify_audit().is_valid
    else:
        _assert_refusals_recorded(location, mark, CONTOSO)
        _repair_and_use_again(location, key_file, CONTOSO)


# -- who repairs, and when ------------------------------------------------------------------------

@pytest.mark.parametrize("role, scope", [("TelephonyAdmin", None), ("TelephonyAdmin", CONTOSO),
                                         ("Auditor", None), ("Carrier", None)])
def test_only_a_store_admin_repairs(location: str, key_file: Path, role: str, scope: str | None) -> None:
    _two_tenants(location, key_file)
    with _session(location, key_file) as s:
        s.set_freeze(CONTOSO, True)
    raw_execute(location, f"UPDATE tenants SET frozen = 0 WHERE tenant_id = '{CONTOSO}'; "
                          "UPDATE policies SET max_failed_attempts = 50 WHERE scope = ''")
    tenants_before = logical_digest(location, ("tenants", "policies"))
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True, role=role,
                            tenant_scope=scope, actor="someone@contoso.com") as s:
        with pytest.raises(portout.PermissionDeniedError) as denied:
            s.repair_tenant_state(CONTOSO)
        assert (denied.value.error_id, denied.value.target) == ("AccessDenied", CONTOSO)
        with pytest.raises(portout.PermissionDeniedError) as denied:
            s.repair_default_policy()
        assert denied.value.error_id == "AccessDenied"
    if role == "TelephonyAdmin" and scope is None:
        _cli_refused(location, key_file, "Repair-PortOutTenant", CONTOSO, "-Force", error_id="AccessDenied",
                     role=role)
        _cli_refused(location, key_file, "Repair-PortOutTenant", "-DefaultPolicy", "-Force",
                     error_id="AccessDenied", role=role)
    assert logical_digest(location, ("tenants", "policies")) == tenants_before
    with _session(location, key_file) as s:
        _refused(lambda: s.pin_status(FABRIKAM), s.path)  # still refused: nothing was repaired
        s.repair_default_policy()
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
        s.repair_tenant_state(CONTOSO)
    if role == "TelephonyAdmin":
        # The tenant's own admin sets the new PIN; the repair was not its to make.
        with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True, role=role,
                                tenant_scope=scope, actor="someone@contoso.com") as s:
            s.set_pin(CONTOSO, LATER_PIN)
            accepted = _accepts(s, CONTOSO, LATER_PIN)
            assert accepted, "the PIN the tenant's admin set after the repair is refused"
    assert _audit_is_valid(location, key_file)


def test_nothing_to_repair_while_the_state_holds(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    # Every kind of change portout makes anchors the state it leaves: none of them is tampering.
    with _session(location, key_file) as s:
        for _ in range(5):
            wrong = _accepts(s, CONTOSO, WRONG_PIN)
            assert not wrong
        s.unlock_pin(CONTOSO)
        s.set_policy(CONTOSO, max_failed_attempts=3)
        s.set_policy(max_failed_attempts=6)
        s.set_freeze(CONTOSO, True)
        s.set_freeze(CONTOSO, False)
        s.set_pin(CONTOSO, NEW_PIN)
        right = _accepts(s, CONTOSO, NEW_PIN)
        assert right
        s.reset_policy(CONTOSO)
        s.update_tenant(CONTOSO, display_name="Contoso Ltd")
        s.create_tenant("removed.example", "Removed", "US")
        s.remove_tenant("removed.example")

    whole = logical_digest(location)
    with _session(location, key_file) as s:
        for tenant_id in (CONTOSO, FABRIKAM, "removed.example", "never.example"):
            with pytest.raises(portout.InvalidOperationError) as nothing:
                s.repair_tenant_state(tenant_id)
            assert (nothing.value.error_id, nothing.value.target) == ("NothingToRepair", tenant_id)
        with pytest.raises(portout.InvalidOperationError) as nothing:
            s.repair_default_policy()
        assert (nothing.value.error_id, nothing.value.target) == ("NothingToRepair", s.path)
    _cli_refused(location, key_file, "Repair-PortOutTenant", CONTOSO, "-Force", error_id="NothingToRepair")
    _cli_refused(location, key_file, "Repair-PortOutTenant", "-DefaultPolicy", "-Force", error_id="NothingToRepair")
    assert logical_digest(location) == whole, "a repair with nothing to repair wrote something"
    with _session(location, key_file) as s:
        assert s.get_tenant(CONTOSO).display_name == "Contoso Ltd"
        assert [e for e in s.audit_events(event_type="StoreTampered")] == []
        assert s.verify_audit().is_valid


# -- found by attacking the first version: each was a way around the anchor ---------------------

def _newest_anchor(location: str, tenant_id: str) -> int:
    [(event_id,)] = raw_query(location, "SELECT max(event_id) FROM audit_events "
                                        f"WHERE tenant_id = '{tenant_id}' AND state_mac IS NOT NULL")
    return int(event_id)


def test_a_rolled_back_pin_is_refused_when_the_newer_anchor_is_stripped(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    old = _row(location, CONTOSO)
    with _session(location, key_file) as s:
        s.set_pin(CONTOSO, NEW_PIN)
    newest = _newest_anchor(location, CONTOSO)
    _put_back(location, CONTOSO, old)
    raw_execute(location, f"UPDATE audit_events SET state_mac = NULL WHERE event_id = {newest}")
    with _session(location, key_file) as s:
        verdict = s.verify_audit()
        assert (verdict.is_valid, verdict.problem, verdict.first_broken_event_id) == (False, "Edited", newest)
        old_pin = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not old_pin, "the PIN rolled back to passed once the newer anchor was stripped"
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)


def test_anchors_stripped_from_the_whole_log_do_not_make_the_state_authentic(location: str,
                                                                            key_file: Path) -> None:
    _two_tenants(location, key_file)
    with _session(location, key_file) as s:
        s.set_freeze(CONTOSO, True)
    raw_execute(location, f"UPDATE tenants SET frozen = 0 WHERE tenant_id = '{CONTOSO}'; "
                          "UPDATE audit_events SET state_mac = NULL")
    with _session(location, key_file) as s:
        assert not s.verify_audit().is_valid
        order = s.submit_order(CONTOSO, NUMBER, CONTOSO_PIN, "Northwind")
        assert order.status == "Rejected", "a tenant frozen by its admin ported out"
        assert order.internal_reason == "StoreTampered"


def test_import_does_not_make_a_deleted_tenant_anew(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    raw_execute(location, f"DELETE FROM tenants WHERE tenant_id = '{CONTOSO}'")
    mark = _mark(location)
    with _session(location, key_file) as s:
        try:
            s.import_tenants([(CONTOSO, "Contoso", "US")])
        except portout.SecurityError as refused:
            assert refused.error_id == "StoreTampered"
        else:
            raise AssertionError("import_tenants made anew a tenant deleted outside portout")
    _assert_refusals_recorded(location, mark, CONTOSO)


def test_a_pin_key_id_edited_is_refused_as_tampering(location: str, key_file: Path) -> None:
    _two_tenants(location, key_file)
    raw_execute(location, f"UPDATE tenants SET pin_key_id = '00000000deadbeef' WHERE tenant_id = '{CONTOSO}'")
    mark = _mark(location)
    with _session(location, key_file) as s:
        right = _accepts(s, CONTOSO, CONTOSO_PIN)
        assert not right, "the right PIN passed on an edited state"
        _refused(lambda: s.pin_status(CONTOSO), CONTOSO)
    _assert_refusals_recorded(location, mark, CONTOSO)
    _repair_and_use_again(location, key_file, CONTOSO)
