"""What only the shared store has: a server that goes away, logins, hosts that start at once."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

import portout
from conftest import POSTGRES

pytestmark = pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (scripts/test starts one)")


def pg_ctl(*args: str) -> None:
    # -l: the server must not hold our output pipes open, or waiting for pg_ctl never ends.
    data = os.environ["PORTOUT_PG_DATA"]
    subprocess.run(["runuser", "-u", "postgres", "--", f"{os.environ['PORTOUT_PG_BIN']}/pg_ctl",
                    "-D", data, "-l", f"{data}/../server.log", "-w", "-t", "60", *args],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)


@pytest.fixture
def pg(location: str, backend: str, key_file: Path) -> str:
    if backend != "postgres":
        pytest.skip("a PostgreSQL matter")
    os.environ["PORTOUT_KEY_FILE"] = str(key_file)
    return location


def test_a_refused_login_is_a_clear_error(pg: str, key_file: Path) -> None:
    wrong = pg.replace(":portout-test@", ":not-the-password@")
    start = time.monotonic()
    with pytest.raises(portout.ResourceUnavailableError) as caught:
        portout.Store.open(wrong, key_file=key_file, profile="test", allow_test_profile=True)
    assert caught.value.error_id == "StoreLoginRefused"
    assert "not-the-password" not in str(caught.value) + caught.value.target
    assert "***" in caught.value.target
    assert time.monotonic() - start < 10


def test_no_server_is_a_clear_error_within_the_timeout(key_file: Path) -> None:
    start = time.monotonic()
    with pytest.raises(portout.ResourceUnavailableError) as caught:
        portout.Store.open("postgresql://portout@127.0.0.1:1/none", key_file=key_file)
    assert caught.value.error_id == "StoreUnavailable"
    assert time.monotonic() - start < 10


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


def test_the_server_restarting_mid_burst(pg: str, key_file: Path) -> None:
    """Calls fail with ResourceUnavailable while the server is down, nothing is half-done, and
    the next call after it returns works."""
    with portout.Store.open(pg, key_file=key_file, profile="test", allow_test_profile=True) as s:
        for i in range(4):
            s.create_tenant(f"t{i}.example", "T")
            s.set_pin(f"t{i}.example", "602917")
        outcomes: dict[str, int] = {"ok": 0, "unavailable": 0, "other": 0}
        stop = threading.Event()
        slowest = [0.0]

        def burst(i: int) -> None:
            while not stop.is_set():
                start = time.monotonic()
                try:
                    s.check_pin(f"t{i % 4}.example", "602917" if i % 2 else "000001")
                    outcomes["ok"] += 1
                except portout.ResourceUnavailableError:
                    outcomes["unavailable"] += 1
                    time.sleep(0.05)
                except Exception:  # noqa: BLE001 - counted, and the test fails on it
                    outcomes["other"] += 1
                slowest[0] = max(slowest[0], time.monotonic() - start)

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
        assert slowest[0] < 20, "no call hung"
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
