"""The secure PIN store from Python: tenants, PINs, lockout, policies, audit, keys."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import portout
from conftest import START, logical_digest, raw_execute


def test_a_new_store_and_its_key_are_private(store_path: Path) -> None:
    with portout.Store.open(store_path, profile="test", allow_test_profile=True) as store:
        assert stat.S_IMODE(store_path.stat().st_mode) == 0o600
        assert stat.S_IMODE(Path(store.key_file).stat().st_mode) == 0o600
        assert store.key_file == f"{store_path}.key"
        assert store.profile == "test"
        assert len(store.key_id) == 16


def test_an_unknown_hash_profile_is_refused_and_creates_nothing(store_path: Path) -> None:
    with pytest.raises(portout.InvalidArgumentError) as caught:
        portout.Store.open(store_path, profile="fast")
    assert caught.value.error_id == "UnknownHashProfile"
    assert "owasp" in str(caught.value)
    assert not store_path.exists() and not Path(f"{store_path}.key").exists()


def test_a_writer_held_up_past_the_busy_timeout_gets_store_busy(store_path: Path) -> None:
    """Another connection holds SQLite's write lock: a write waits (in short sleeps) for the
    busy timeout, then fails with StoreBusy and changes nothing; once the lock is let go in
    time, the same write goes through."""
    with portout.Store.open(store_path, profile="test", allow_test_profile=True,
                            busy_timeout=0.2) as s:
        s.create_tenant("contoso.com", "Contoso")
        before = logical_digest(store_path)
        other = sqlite3.connect(store_path, isolation_level=None, check_same_thread=False)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(portout.ResourceUnavailableError) as caught:
                s.set_pin("contoso.com", "602917")
            assert caught.value.error_id == "StoreBusy"
            other.execute("ROLLBACK")
            assert logical_digest(store_path) == before
            other.execute("BEGIN IMMEDIATE")
            threading.Timer(0.05, lambda: other.execute("ROLLBACK")).start()
            assert s.set_pin("contoso.com", "602917").pin_is_set
        finally:
            other.close()


def test_tenant_lifecycle(store: portout.Store, clock: portout.ManualClock) -> None:
    tenant = store.create_tenant("Contoso.com", "Contoso", "us")
    assert (tenant.tenant_id, tenant.country_or_region, tenant.pin_is_set) == ("contoso.com", "US", False)
    assert tenant.created_date_time == START
    clock.advance(60)
    renamed = store.update_tenant("contoso.com", display_name="Contoso Ltd")
    assert renamed.display_name == "Contoso Ltd"
    assert renamed.last_modified_date_time == START + timedelta(seconds=60)
    assert store.get_tenant("CONTOSO.COM") == renamed
    store.remove_tenant("contoso.com")
    with pytest.raises(portout.ObjectNotFoundError) as caught:
        store.get_tenant("contoso.com")
    assert caught.value.error_id == "TenantNotFound" and caught.value.target == "contoso.com"
    assert [e.event_type for e in store.audit_events("contoso.com")] == [
        "TenantCreated", "TenantUpdated", "TenantRemoved"]


def test_tenants_are_streamed_in_order(store: portout.Store) -> None:
    for i in range(25):
        store.create_tenant(f"tenant{i:02d}", f"Tenant {i}")
    ids = [t.tenant_id for t in store.tenants(batch_size=7)]
    assert ids == [f"tenant{i:02d}" for i in range(25)]
    assert [s.tenant_id for s in store.pin_statuses(batch_size=4)] == ids


def test_set_change_and_never_clear(store: portout.Store) -> None:
    store.create_tenant("contoso", "Contoso")
    status = store.set_pin("contoso", "602917")
    assert status.pin_is_set and status.last_modified_by == "admin@contoso.com"
    with pytest.raises(portout.PinPolicyError) as caught:
        store.set_pin("contoso", "602917")
    assert caught.value.rules == ["SameAsCurrent"]
    store.set_pin("contoso", "481605")
    for blank in ("", " "):
        with pytest.raises(portout.PinPolicyError):
            store.set_pin("contoso", blank)
    assert store.check_pin("contoso", "481605")
    assert store.pin_status("contoso").pin_is_set


def test_outside_the_us_there_is_no_pin(store: portout.Store) -> None:
    store.create_tenant("fabrikam.co.uk", "Fabrikam", "GB")
    with pytest.raises(portout.InvalidOperationError) as caught:
        store.set_pin("fabrikam.co.uk", "602917")
    assert caught.value.error_id == "PinNotAvailableOutsideUS"
    assert "602917" not in str(caught.value)
    assert not store.check_pin("fabrikam.co.uk", "602917")
    assert store.pin_status("fabrikam.co.uk").last_check_result == "NotInUS"


def test_every_refusal_looks_the_same_to_the_caller(store: portout.Store) -> None:
    store.create_tenant("contoso", "Contoso")
    store.create_tenant("nopin", "No PIN")
    store.set_pin("contoso", "602917")
    answers = {store.check_pin("contoso", "602918"), store.check_pin("nopin", "602917"),
               store.check_pin("nobody", "602917")}
    assert answers == {False}
    assert store.pin_status("contoso").last_check_result == "WrongPin"
    assert store.pin_status("nopin").last_check_result == "PinNotSet"
    reasons = [e.reason for e in store.audit_events("nobody", event_type="PinCheck")]
    assert reasons == ["UnknownTenant"]


def test_lockout_expires_and_doubles(store: portout.Store, clock: portout.ManualClock) -> None:
    store.create_tenant("contoso", "Contoso")
    store.set_pin("contoso", "602917")
    for _ in range(5):
        assert not store.check_pin("contoso", "000001")
    status = store.pin_status("contoso")
    [mine] = status.carriers  # the session's actor, the one carrier that got it wrong
    assert status.failed_attempt_count == 5 and mine.is_locked and not status.is_locked
    assert mine.locked_until == clock.now() + timedelta(minutes=15)
    assert not store.check_pin("contoso", "602917"), "the right PIN while locked"
    clock.advance(timedelta(minutes=15))
    assert not store.pin_status("contoso").carriers[0].is_locked
    for _ in range(5):
        store.check_pin("contoso", "000001")
    assert store.pin_status("contoso").carriers[0].locked_until == clock.now() + timedelta(minutes=30)
    clock.advance(timedelta(minutes=30))
    assert store.check_pin("contoso", "602917")
    status = store.pin_status("contoso")
    assert (status.failed_attempt_count, status.lockout_count, status.locked_until, status.carriers) == (
        0, 0, None, ())


def test_unlock_is_audited(store: portout.Store) -> None:
    store.create_tenant("contoso", "Contoso")
    store.set_pin("contoso", "602917")
    for _ in range(5):
        store.check_pin("contoso", "000001")
    assert store.unlock_pin("contoso").failed_attempt_count == 0
    assert store.check_pin("contoso", "602917")
    [event] = store.audit_events("contoso", event_type="PinUnlocked")
    assert event.details == "failed_attempts=5 was_locked=false carriers_locked=1"
    assert event.actor == "admin@contoso.com"


def test_policy_defaults_and_overrides(store: portout.Store) -> None:
    store.create_tenant("contoso", "Contoso")
    default = store.get_policy()
    assert (default.min_length, default.max_length, default.max_failed_attempts) == (6, 10, 5)
    assert default.lockout_duration == timedelta(minutes=15)
    assert default.max_lockout_duration == timedelta(hours=24)
    own = store.set_policy("contoso", min_length=8, max_failed_attempts=3)
    assert own.overridden == ("MinimumLength", "MaxFailedAttempts")
    with pytest.raises(portout.PinPolicyError) as caught:
        store.set_pin("contoso", "6029171")
    assert caught.value.rules == ["TooShort"]
    store.set_pin("contoso", "60291748")
    for _ in range(3):
        store.check_pin("contoso", "00000001")
    assert store.pin_status("contoso").carriers[0].is_locked
    assert store.reset_policy("contoso").overridden == ()
    assert store.test_pin_policy("123").rules == ["TooShort", "Sequential"]
    assert store.test_pin_policy("602917").is_valid


def test_the_audit_log_never_holds_a_pin(store: portout.Store, location: str) -> None:
    store.create_tenant("contoso", "Contoso")
    store.set_pin("contoso", "602917")
    store.check_pin("contoso", "602918")
    store.check_pin("contoso", "602917")
    with pytest.raises(portout.PinPolicyError):
        store.set_pin("contoso", "602917")
    text = repr(list(store.audit_events())) + repr(store.pin_status("contoso"))
    assert "602917" not in text and "602918" not in text
    for name in (Path(location), Path(f"{location}-wal")):
        if not location.startswith("postgresql") and name.exists():
            data = name.read_bytes()
            assert b"602917" not in data and b"602918" not in data
            assert b"argon2" not in data, "the Argon2id string is stored only sealed"


@pytest.mark.parametrize("tamper, first, problem", [
    ("UPDATE audit_events SET outcome = 'Success' WHERE event_id = 5", 5, "Edited"),
    ("UPDATE audit_events SET actor = 'someone' WHERE event_id = 2", 2, "Edited"),
    ("DELETE FROM audit_events WHERE event_id = 4", 4, "Deleted"),
    ("DELETE FROM audit_events WHERE event_id = (SELECT max(event_id) FROM audit_events)", None, "Deleted"),
    ("UPDATE audit_events SET event_id = -event_id WHERE event_id IN (3, 4);"
     "UPDATE audit_events SET event_id = 4 WHERE event_id = -3;"
     "UPDATE audit_events SET event_id = 3 WHERE event_id = -4", 3, "Reordered"),
    ("INSERT INTO audit_events SELECT event_id + 100, occurred_at, event_type, tenant_id, actor,"
     " outcome, reason, details, prev_mac, mac, state_mac FROM audit_events WHERE event_id = 2", 102, "Inserted"),
])
def test_tampering_with_plain_sql_is_detected(location: str, key_file: Path, clock: portout.ManualClock,
                                              tamper: str, first: int | None, problem: str) -> None:
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True,
                            clock=clock) as s:
        s.create_tenant("contoso", "Contoso")
        s.set_pin("contoso", "602917")
        s.check_pin("contoso", "000001")
        assert s.verify_audit().is_valid
        count = s.verify_audit().event_count
    raw_execute(location, tamper)
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True,
                            clock=clock) as s:
        result = s.verify_audit()
    assert not result.is_valid and not result
    assert result.problem == problem
    assert result.first_broken_event_id == (first if first is not None else count)


def test_a_key_others_can_read_is_refused(store_path: Path) -> None:
    portout.Store.open(store_path, profile="test", allow_test_profile=True).close()
    key = Path(f"{store_path}.key")
    before = logical_digest(store_path)
    key.chmod(0o644)
    with pytest.raises(portout.SecurityError) as caught:
        portout.Store.open(store_path, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "KeyFileTooOpen" and caught.value.target == str(key)
    assert isinstance(caught.value, PermissionError)
    assert logical_digest(store_path) == before


def test_an_existing_store_never_gets_a_new_key(store_path: Path) -> None:
    portout.Store.open(store_path, profile="test", allow_test_profile=True).close()
    key = Path(f"{store_path}.key")
    key.unlink()
    with pytest.raises(portout.ObjectNotFoundError) as caught:
        portout.Store.open(store_path, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "KeyFileNotFound"
    assert not key.exists()


def test_a_wrong_key_is_refused(store_path: Path, tmp_path: Path) -> None:
    portout.Store.open(store_path, profile="test", allow_test_profile=True).close()
    other = tmp_path / "other.db"
    portout.Store.open(other, profile="test", allow_test_profile=True).close()
    with pytest.raises(portout.SecurityError) as caught:
        portout.Store.open(store_path, key_file=f"{other}.key", profile="test", allow_test_profile=True)
    assert caught.value.error_id == "KeyMismatch"


def test_test_profile_needs_opt_in_and_a_test_store(tmp_path: Path) -> None:
    with pytest.raises(portout.InvalidArgumentError) as caught:
        portout.Store.open(tmp_path / "a.db", profile="test")
    assert caught.value.error_id == "TestProfileNotAllowed"
    production = tmp_path / "prod.db"
    portout.Store.open(production, profile="interactive").close()
    with pytest.raises(portout.SecurityError) as refused:
        portout.Store.open(production, profile="test", allow_test_profile=True)
    assert refused.value.error_id == "TestProfileRefused"
    with pytest.raises(portout.InvalidArgumentError):
        portout.Store.open(production, profile="fast")


def test_foreign_and_corrupt_files_are_refused_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a store\n" * 100)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    for path in (notes, foreign):
        before = path.read_bytes()
        with pytest.raises(portout.InvalidDataError) as caught:
            portout.Store.open(path, profile="test", allow_test_profile=True)
        assert caught.value.error_id == "NotAPortOutStore"
        assert path.read_bytes() == before
        assert not Path(f"{path}.key").exists()


def test_a_newer_schema_is_refused(store_path: Path) -> None:
    portout.Store.open(store_path, profile="test", allow_test_profile=True).close()
    with sqlite3.connect(store_path) as db:
        db.execute("PRAGMA user_version = 99")
    before = store_path.read_bytes()
    with pytest.raises(portout.InvalidOperationError) as caught:
        portout.Store.open(store_path, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "StoreSchemaTooNew"
    assert store_path.read_bytes() == before


def test_rotation_moves_every_record_and_resumes_after_a_crash(location: str, key_file: Path,
                                                               tmp_path: Path) -> None:
    new_key = tmp_path / "new.key"
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        for i in range(30):
            s.create_tenant(f"t{i}", "T")
            s.set_pin(f"t{i}", f"60{i + 1000}")
        seen: list[tuple[int, int]] = []

        def crash(done: int, total: int) -> None:
            seen.append((done, total))
            if done == 17:
                raise KeyboardInterrupt("crash in the middle of the third batch")

        with pytest.raises(KeyboardInterrupt):
            s.rotate_key(new_key, batch_size=8, progress=crash)
        assert seen == [(n, 30) for n in range(1, 18)], "a report a record: a hundredth is less"
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        assert s.check_pin("t0", "601000")  # already moved
        assert s.check_pin("t29", "601029")  # not yet moved
        report = s.rotate_key(new_key, batch_size=8)
        assert report.resumed and report.records_rotated == 14
        assert s.key_id == report.new_key_id
        assert [e.event_type for e in s.audit_events(event_type=[
            "KeyRotationStarted", "KeyRotationResumed", "KeyRotationCompleted"])] == [
            "KeyRotationStarted", "KeyRotationResumed", "KeyRotationCompleted"]
    with pytest.raises(portout.SecurityError):
        portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True)
    with portout.Store.open(location, key_file=new_key, profile="test", allow_test_profile=True) as s:
        assert all(s.check_pin(f"t{i}", f"60{i + 1000}") for i in range(30))
        assert s.verify_audit().is_valid


def test_a_closed_store_says_so(store: portout.Store) -> None:
    store.close()
    with pytest.raises(portout.InvalidOperationError) as caught:
        store.create_tenant("contoso", "Contoso")
    assert caught.value.error_id == "StoreClosed"
    assert "closed" in repr(store)


def test_default_locations_follow_xdg_and_environment(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    code = ("import portout; s = portout.Store.open(profile='test', allow_test_profile=True); "
            "print(s.path); print(s.key_file)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(tmp_path / "data/portout/store.db"), str(tmp_path / "data/portout/store.db.key")]
    env["PORTOUT_STORE"] = str(tmp_path / "elsewhere.db")
    env["PORTOUT_KEY_FILE"] = str(tmp_path / "keys/k.key")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [env["PORTOUT_STORE"], env["PORTOUT_KEY_FILE"]]
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


def test_hashing_releases_the_gil(tmp_path: Path) -> None:
    """While one thread hashes at the moderate profile, another keeps running Python."""
    with portout.Store.open(tmp_path / "slow.db", profile="moderate") as s:
        s.create_tenant("contoso", "Contoso")
        ticks = 0
        stop = threading.Event()

        def tick() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                time.sleep(0.001)

        ticker = threading.Thread(target=tick)
        ticker.start()
        before = ticks
        s.set_pin("contoso", "602917")  # one Argon2id hash at 256 MiB, t=3, and a verify
        during = ticks - before
        stop.set()
        ticker.join()
    assert during >= 10, f"the other thread ran {during} times during the hash"


# -- bad input changes nothing --------------------------------------------------------------

BAD_CALLS = [
    ("create_tenant", ("", "Contoso"), portout.InvalidArgumentError, "InvalidTenantId"),
    ("create_tenant", ("con toso", "Contoso"), portout.InvalidArgumentError, "InvalidTenantId"),
    ("create_tenant", ("../etc", "Contoso"), portout.InvalidArgumentError, "InvalidTenantId"),
    ("create_tenant", ("fabrikam", "x\x00y"), portout.InvalidArgumentError, "InvalidDisplayName"),
    ("create_tenant", ("fabrikam", "   "), portout.InvalidArgumentError, "InvalidDisplayName"),
    ("create_tenant", ("fabrikam", "Fabrikam", "USA"), portout.InvalidArgumentError, "InvalidCountryCode"),
    ("create_tenant", ("fabrikam", "Fabrikam", "XX"), portout.InvalidArgumentError, "InvalidCountryCode"),
    ("create_tenant", ("contoso", "Again"), portout.ResourceExistsError, "TenantExists"),
    ("create_tenant", (42, "Contoso"), portout.InvalidTypeError, "ParameterNotString"),
    ("create_tenant", (b"contoso", "Contoso"), portout.InvalidTypeError, "ParameterNotString"),
    ("update_tenant", ("nobody",), portout.ObjectNotFoundError, "TenantNotFound"),
    ("remove_tenant", ("nobody",), portout.ObjectNotFoundError, "TenantNotFound"),
    ("set_pin", ("contoso", "123456"), portout.PinPolicyError, "PinPolicyViolation"),
    ("set_pin", ("contoso", "602917"), portout.PinPolicyError, "PinPolicyViolation"),
    ("set_pin", ("contoso", ""), portout.PinPolicyError, "PinPolicyViolation"),
    ("set_pin", ("contoso", 602918), portout.InvalidTypeError, "PinNotString"),
    ("set_pin", ("contoso", None), portout.InvalidTypeError, "PinNotString"),
    ("set_pin", ("fabrikam.co.uk", "602918"), portout.InvalidOperationError, "PinNotAvailableOutsideUS"),
    ("set_pin", ("nobody", "602918"), portout.ObjectNotFoundError, "TenantNotFound"),
    ("unlock_pin", ("nobody",), portout.ObjectNotFoundError, "TenantNotFound"),
    ("pin_status", ("not a tenant",), portout.InvalidArgumentError, "InvalidTenantId"),
    ("check_pin", ("not a tenant", "602917"), portout.InvalidArgumentError, "InvalidTenantId"),
    ("check_pin", ("contoso", 602917), portout.InvalidTypeError, "PinNotString"),
]


@pytest.mark.parametrize("method, args, error, error_id", BAD_CALLS,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_bad_input_is_a_typed_error_and_changes_nothing(store: portout.Store, location: str,
                                                        method: str, args: tuple, error: type,
                                                        error_id: str) -> None:
    store.create_tenant("contoso", "Contoso")
    store.create_tenant("fabrikam.co.uk", "Fabrikam", "GB")
    store.set_pin("contoso", "602917")
    before = logical_digest(location)
    with pytest.raises(error) as caught:
        getattr(store, method)(*args)
    assert caught.value.error_id == error_id
    assert "602917" not in str(caught.value) and "602918" not in str(caught.value)
    assert logical_digest(location) == before


@pytest.mark.parametrize("kwargs, error", [
    ({"min_length": 3}, portout.InvalidArgumentError),
    ({"min_length": 11}, portout.InvalidArgumentError),
    ({"max_length": 16}, portout.InvalidArgumentError),
    ({"max_failed_attempts": 0}, portout.InvalidArgumentError),
    ({"max_failed_attempts": 101}, portout.InvalidArgumentError),
    ({"lockout_duration": 0}, portout.InvalidArgumentError),
    ({"lockout_duration": timedelta(days=2)}, portout.InvalidArgumentError),
    ({"lockout_duration": timedelta(hours=2), "max_lockout_duration": timedelta(hours=1)},
     portout.InvalidArgumentError),
    ({"lockout_duration": "15m"}, portout.InvalidTypeError),
    ({"block_weak": "yes"}, portout.InvalidTypeError),
    ({"blocklist": "602917"}, portout.InvalidTypeError),
    ({"blocklist": ["60a917"]}, portout.InvalidArgumentError),
    ({"min_length": 7.5}, portout.InvalidTypeError),
])
def test_bad_policy_settings_change_nothing(store: portout.Store, location: str,
                                            kwargs: dict, error: type) -> None:
    store.create_tenant("contoso", "Contoso")
    before = logical_digest(location)
    for scope in (None, "contoso"):
        with pytest.raises(error):
            store.set_policy(scope, **kwargs)
    assert logical_digest(location) == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tenant=st.text(max_size=70), name=st.text(max_size=300), country=st.text(max_size=4))
def test_whatever_is_refused_leaves_no_trace(store: portout.Store, location: str, tenant: str,
                                             name: str, country: str) -> None:
    before = logical_digest(location)
    try:
        created = store.create_tenant(tenant, name, country)
    except portout.PortOutError as error:
        assert isinstance(error, (portout.InvalidArgumentError, portout.ResourceExistsError))
        assert logical_digest(location) == before
    else:
        store.remove_tenant(created.tenant_id)


def test_a_corrupt_store_is_a_clear_error_and_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        for i in range(200):
            s.create_tenant(f"tenant{i}", "Tenant with a long enough display name " * 3)
    data = bytearray(path.read_bytes())
    for offset in range(4096 + 16, len(data), 997):  # scribble over every page but the header
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(portout.InvalidDataError) as caught:
        with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
            list(s.tenants())
            s.verify_audit()
    assert caught.value.error_id in {"StoreCorrupt", "NotAPortOutStore"}
    assert path.read_bytes() == before


def test_no_oracle_every_refusal_costs_one_verification(tmp_path: Path) -> None:
    """Every answer costs exactly one Argon2id computation: a wrong PIN, an unknown tenant, a
    tenant without a PIN and a locked one alike (counted, not timed: no time is asserted)."""
    from portout import _core
    with portout.Store.open(tmp_path / "slow.db", profile="owasp") as s:
        for tenant in ("contoso", "locked", "nopin"):
            s.create_tenant(tenant, tenant.title())
        s.set_pin("contoso", "602917")
        s.set_pin("locked", "602917")
        s.set_policy("locked", max_failed_attempts=1)
        s.check_pin("locked", "000001")
        assert s.pin_status("locked").carriers[0].is_locked
        s.set_policy("contoso", max_failed_attempts=100)

        def computations(tenant: str, pin: str = "000001") -> int:
            before = _core.argon2_computations()
            s.check_pin(tenant, pin)
            return _core.argon2_computations() - before

        for tenant in ("contoso", "nobody", "nopin", "locked"):
            assert computations(tenant) == 1, tenant
        assert computations("contoso", "602917") == 1


def test_importing_tenants_is_all_or_nothing(store: portout.Store, location: str) -> None:
    events_before = store.verify_audit().event_count
    count = store.import_tenants((f"bulk{i:05d}.example", f"Bulk {i}", "US") for i in range(2000))
    assert count == 2000
    assert sum(1 for _ in store.tenants()) == 2000
    [event] = store.audit_events(event_type="TenantsImported")
    assert event.details == "count=2000"
    [created] = store.audit_events("bulk00007.example")  # each tenant's creation is in the log
    assert (created.event_type, created.details) == ("TenantCreated", "country=US import")
    assert store.verify_audit().event_count == events_before + 2000 + 1
    before = logical_digest(location)
    with pytest.raises(portout.InvalidArgumentError):
        store.import_tenants([("ok1.example", "Ok", "US"), ("not a tenant", "Bad", "US")])
    with pytest.raises(portout.ResourceExistsError):
        store.import_tenants([("ok2.example", "Ok", "US"), ("bulk00001.example", "Again", "US")])
    assert logical_digest(location) == before


@pytest.mark.parametrize("first", [-1, True, 1.5, "3"])
def test_a_bad_first_is_an_invalid_argument(store: portout.Store, first: object) -> None:
    with pytest.raises(portout.InvalidArgumentError) as caught:
        store.audit_events(first=first)  # type: ignore[arg-type]
    assert caught.value.error_id == "InvalidFirst"
    assert len(list(store.audit_events(first=0))) == 0


def test_an_audit_checkpoint_from_python(store: portout.Store) -> None:
    store.create_tenant("contoso.com", "Contoso", "US")
    checkpoint = store.audit_checkpoint()
    assert isinstance(checkpoint, portout.AuditCheckpoint)
    assert checkpoint.store_id == store.store_id and checkpoint.key_id == store.key_id
    assert checkpoint.event_id == checkpoint.event_count == store.verify_audit().event_count
    assert checkpoint.taken_date_time.tzinfo is not None
    assert set(checkpoint.to_dict()) == {"store_id", "event_id", "event_mac", "event_count",
                                         "taken_date_time", "key_id", "public_key", "signature"}
    assert portout._core.parse_audit_checkpoint(checkpoint.document).signature == checkpoint.signature
    result = store.verify_audit(checkpoints=[checkpoint.document])
    assert (result.is_valid, result.checkpoints_checked, result.failed_checkpoint) == (True, 1, None)
    for bad in ("{}", "not a checkpoint"):
        with pytest.raises(portout.InvalidArgumentError) as caught:
            store.verify_audit(checkpoints=[checkpoint.document, bad])
        assert caught.value.error_id == "CheckpointMalformed"
    with pytest.raises(portout.InvalidArgumentError):
        store.verify_audit(checkpoints=checkpoint.document)  # one str, not a collection
