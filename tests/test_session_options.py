"""Options a session passes that only the store's admin, or a test, may use.

A session's role bounds what it does, whatever options it opens with: its own hash profile
(which would become the store's, slowing every check) and its own clock (which would lift its
own locks). On a shared PostgreSQL store, locks are decided by the server's clock, so a host
whose clock runs ahead cannot lift one either.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import portout
from conftest import logical_digest, raw_query

PIN = "602917"


def _production_store(location: str, key_file: Path) -> None:
    with portout.Store.open(location, key_file=key_file, profile="owasp", actor="admin") as s:
        s.create_tenant("contoso.com", "Contoso", "US")


def test_a_production_store_refuses_a_callers_clock(location: str, key_file: Path) -> None:
    _production_store(location, key_file)
    before = logical_digest(location)
    with pytest.raises(portout.SecurityError) as caught:
        portout.Store.open(location, key_file=key_file, role="Carrier", clock=portout.ManualClock())
    assert caught.value.error_id == "ClockNotAllowed"
    assert logical_digest(location) == before
    with portout.Store.open(location, key_file=key_file, role="Carrier") as carrier:
        assert carrier.role == "Carrier"


@pytest.mark.parametrize("role", ["Carrier", "TelephonyAdmin", "Auditor"])
def test_only_a_store_admin_makes_another_profile_the_stores(location: str, key_file: Path, role: str) -> None:
    _production_store(location, key_file)
    with pytest.raises(portout.PermissionDeniedError) as caught:
        portout.Store.open(location, key_file=key_file, role=role, profile="sensitive")
    assert caught.value.error_id == "AccessDenied"
    assert raw_query(location, "SELECT value FROM meta WHERE name = 'hash_profile'") in ([(b"owasp",)], [("owasp",)])
    with portout.Store.open(location, key_file=key_file, actor="admin") as admin:
        denied = list(admin.audit_events(event_type="AccessDenied"))
        assert [e.reason for e in denied] == ["SetHashProfile"]
        assert admin.verify_audit().is_valid


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed (scripts/test installs it)")
def test_a_host_whose_clock_runs_ahead_cannot_lift_a_lock(location: str, key_file: Path) -> None:
    if not location.startswith("postgresql://"):
        pytest.skip("a SQLite store lives on one machine, with one clock")
    # No clock of the test's own: this store keeps real time, as in production.
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso.com", "Contoso", "US")
        s.set_pin("contoso.com", PIN)
        for _ in range(5):
            assert not s.check_pin("contoso.com", "000001")
        assert s.pin_status("contoso.com").carriers[0].is_locked  # the one asking, this host's user
    # Another host, its clock 20 minutes ahead (the lock lasts 15): the right PIN is still refused.
    probe = (
        "import sys, datetime, portout\n"
        "with portout.Store.open(sys.argv[1], key_file=sys.argv[2], profile='test', allow_test_profile=True) as s:\n"
        "    print(datetime.datetime.now(datetime.timezone.utc).isoformat())\n"
        f"    print(s.check_pin('contoso.com', '{PIN}'))\n"
    )
    done = subprocess.run(["faketime", "-f", "+20m", sys.executable, "-c", probe, location, str(key_file)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    host_time, accepted = done.stdout.split()
    from datetime import datetime, timedelta, timezone

    assert datetime.fromisoformat(host_time) - datetime.now(timezone.utc) > timedelta(minutes=19)
    assert accepted == "False"
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        assert s.pin_status("contoso.com").carriers[0].is_locked
