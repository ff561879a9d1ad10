"""What only the shared store has: a server that goes away, logins, hosts that start at once."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import portout
from conftest import POSTGRES, business_day

pytestmark = pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (scripts/test starts one)")


def pg_ctl(*args: str) -> None:
    # -l: the server must not hold our output pipes open, or waiting for pg_ctl never ends.
    data = os.environ["PORTOUT_PG_DATA"]
    subprocess.run(["runuser", "-u", "postgres", "--", f"{os.environ['PORTOUT_PG_BIN']}/pg_ctl",
                    "-D", data, "-l", f"{data}/../server.log", "-w", "-t", "60", *args],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def pg(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A PostgreSQL store location of this test's own (a fresh schema)."""
    import uuid

    import psycopg2

    schema = "shared_" + uuid.uuid4().hex[:16]
    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    monkeypatch.setenv("PORTOUT_KEY_FILE", str(key_file))
    yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {schema} CASCADE")


def test_a_refused_login_is_a_clear_error(pg: str, key_file: Path) -> None:
    wrong = pg.replace(":portout-test@", ":not-the-password@")
    with pytest.raises(portout.ResourceUnavailableError) as caught:
        portout.Store.open(wrong, key_file=key_file, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "StoreLoginRefused"
    assert "not-the-password" not in str(caught.value) + caught.value.target
    assert "***" in caught.value.target


def test_no_server_is_a_clear_error(key_file: Path) -> None:
    with pytest.raises(portout.ResourceUnavailableError) as caught:
        portout.Store.open("postgresql://portout@127.0.0.1:1/none", key_file=key_file)
    assert caught.value.error_id == "StoreUnavailable"


def test_a_shared_store_needs_its_key_named(pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PORTOUT_KEY_FILE")
    with pytest.raises(portout.InvalidArgumentError) as caught:
        portout.Store.open(pg, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "KeyFileRequired"


def test_a_schema_that_is_not_ours_is_refused(pg: str, key_file: Path) -> None:
    from conftest import raw_execute

    raw_execute(pg, "CREATE TABLE payroll (x INTEGER)")
    with pytest.raises(portout.InvalidDataError) as caught:
        portout.Store.open(pg, key_file=key_file, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "NotAPortOutStore"


@pytest.mark.serial
def test_the_server_restarting_mid_burst(pg: str, key_file: Path) -> None:
    """Calls fail with ResourceUnavailable while the server is down, nothing is half-done, and
    the next call after it returns works."""
    with portout.Store.open(pg, key_file=key_file, profile="test", allow_test_profile=True) as s:
        for i in range(4):
            s.create_tenant(f"t{i}.example", "T")
            s.set_pin(f"t{i}.example", "602917")
        outcomes: dict[str, int] = {"ok": 0, "unavailable": 0, "other": 0}
        stop = threading.Event()

        def burst(i: int) -> None:
            while not stop.is_set():
                try:
                    s.check_pin(f"t{i % 4}.example", "602917" if i % 2 else "000001")
                    outcomes["ok"] += 1
                except portout.ResourceUnavailableError:
                    outcomes["unavailable"] += 1
                    time.sleep(0.05)
                except Exception:  # noqa: BLE001 - counted, and the test fails on it
                    outcomes["other"] += 1

        threads = [threading.Thread(target=burst, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        pg_ctl("restart", "-m", "immediate")
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert outcomes["other"] == 0, outcomes
        assert outcomes["ok"] > 0 and outcomes["unavailable"] > 0, outcomes
        assert not any(t.is_alive() for t in threads), "a call hung"
        # The next calls work, and every attempt counted has its outcome or was cut off whole.
        assert s.check_pin("t1.example", "602917")
        result = s.verify_audit()
        assert result.is_valid, result
        for i in range(4):
            s.unlock_pin(f"t{i}.example")


def test_hosts_migrating_at_once_migrate_once(pg: str, key_file: Path) -> None:
    import multiprocessing

    from test_concurrency import _open_new

    with multiprocessing.get_context("spawn").Pool(6) as pool:
        ids = pool.map(_open_new, [pg] * 12)
    assert len(set(ids)) == 1


def _populate(s: portout.Store) -> None:
    for i in range(30):
        s.create_tenant(f"t{i:02d}.example", f"Tenant {i}", "US" if i % 5 else "CA")
        if i % 5:
            s.set_pin(f"t{i:02d}.example", f"60{1000 + i}")
    s.add_phone_number("t01.example", "+14255550100")
    s.add_phone_number("t01.example", "+14255550101")
    s.set_policy("t02.example", min_length=8)
    s.check_pin("t03.example", "000001")
    s.set_freeze("t04.example", True)
    s.receive_notifications("pager")
    s.acknowledge_notifications("pager", [1, 2, 3])


@pytest.mark.parametrize("direction", ["sqlite-to-postgres", "postgres-to-sqlite"])
def test_a_whole_store_moves_both_ways(tmp_path: Path, key_file: Path, direction: str) -> None:
    import uuid

    import psycopg2

    if not POSTGRES:
        pytest.skip("no PostgreSQL server")
    schema = "copy_" + uuid.uuid4().hex[:12]
    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    pg = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    sqlite = str(tmp_path / "store.db")
    source, destination = (sqlite, pg) if direction == "sqlite-to-postgres" else (pg, sqlite)
    try:
        with portout.Store.open(source, key_file=key_file, profile="test", allow_test_profile=True) as s:
            _populate(s)
            order = s.submit_order("t01.example", ["+14255550100"], "601001", "Northwind")
            report = s.copy_to(destination)
            before = {"tenants": [t.to_dict() for t in s.tenants()],
                      "pins": [p.to_dict() for p in s.pin_statuses()],
                      "numbers": [n.to_dict() for n in s.phone_numbers()],
                      "orders": [o.to_dict() for o in s.orders()],
                      "policy": s.get_policy("t02.example").to_dict(),
                      "pager": [n.notification_id for n in s.receive_notifications("pager")]}
        assert report.verified and report.audit.event_count > 50
        assert report.rows["tenants"] == 30 and report.rows["orders"] == 1
        assert "portout-test" not in report.destination
        with portout.Store.open(destination, key_file=key_file, profile="test",
                                allow_test_profile=True) as copy:
            after = {"tenants": [t.to_dict() for t in copy.tenants()],
                     "pins": [p.to_dict() for p in copy.pin_statuses()],
                     "numbers": [n.to_dict() for n in copy.phone_numbers()],
                     "orders": [o.to_dict() for o in copy.orders()],
                     "policy": copy.get_policy("t02.example").to_dict(),
                     "pager": [n.notification_id for n in copy.receive_notifications("pager")]}
            assert after == before
            assert copy.check_pin("t07.example", "601007"), "sealed PIN records still open"
            assert copy.submit_order("t06.example", ["+14255550102"], "601006", "N").status == "Rejected"
            assert copy.verify_audit().is_valid
        # The order goes on in the copy: confirmed for a business day, completed on it.
        monday = datetime.now(timezone.utc).replace(hour=14, minute=0, second=0, microsecond=0)
        monday += timedelta(days=7 - monday.weekday())
        clock = portout.ManualClock(monday)
        with portout.Store.open(destination, key_file=key_file, profile="test", allow_test_profile=True,
                                clock=clock) as copy:
            foc = business_day(monday, 1)
            assert copy.confirm_order(order.order_id, foc).status == "Confirmed"
            clock.set(foc)
            assert copy.complete_order(order.order_id).status == "Completed"
            assert copy.verify_audit().is_valid
        with portout.Store.open(source, key_file=key_file, profile="test", allow_test_profile=True) as s:
            with pytest.raises(portout.ResourceExistsError) as caught:
                s.copy_to(destination)
            assert caught.value.error_id == "DestinationNotEmpty"
    finally:
        with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
