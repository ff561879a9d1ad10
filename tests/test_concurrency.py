"""Many processes and threads on one store: counters exact, kills leave attempts spent."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import portout


@pytest.fixture(autouse=True)
def _key_from_environment(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTOUT_KEY_FILE", str(key_file))


def _storm(path: str, tries: int, stores: int = 1) -> int:
    """`tries` wrong PINs through `stores` sessions of this process, in turn; a session is
    closed and another opened every 25 tries when there are several."""
    accepted = 0
    sessions = [portout.Store.open(path, profile="test", allow_test_profile=True, actor=f"carrier{i}")
                for i in range(stores)]
    try:
        for i in range(tries):
            k = i % stores
            accepted += sessions[k].check_pin("contoso", "000001")
            if stores > 1 and i % 25 == 24:
                sessions[k].close()
                sessions[k] = portout.Store.open(path, profile="test", allow_test_profile=True,
                                                 actor=f"carrier{k}-{i}")
    finally:
        for s in sessions:
            s.close()
    return accepted


def _counted(location: str | Path) -> int:
    with portout.Store.open(location, allow_test_profile=True, actor="observer") as s:
        return sum(e.outcome == "Counted" for e in s.audit_events(event_type="PinCheckAttempt"))


@pytest.mark.parametrize("stores", [1, 3], ids=["one-store-per-process", "three-stores-per-process"])
def test_eight_processes_two_hundred_wrong_pins_exactly_the_limits_evaluated(location: str, stores: int) -> None:
    path = location
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso", "Contoso")
        s.set_pin("contoso", "602917")
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        accepted = pool.starmap(_storm, [(str(path), 200, stores)] * 8)
    assert sum(accepted) == 0
    # One carrier in every process: its five, then its own lock. Sessions that reopen as new
    # carriers: each gets at most its five, and all together exactly the tenant-wide ceiling of
    # twenty, which then locks every carrier out.
    expected = 5 if stores == 1 else 20
    assert _counted(path) == expected
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        status = s.pin_status("contoso")
        assert status.failed_attempt_count == expected
        if stores == 1:
            assert [c.carrier for c in status.carriers] == ["carrier0"] and status.carriers[0].is_locked
            assert not status.is_locked
        else:
            assert status.is_locked and all(c.failed_attempt_count <= 5 for c in status.carriers)
        assert len(list(s.audit_events("contoso", event_type="PinCheck"))) == 1600
        assert s.verify_audit().is_valid


def test_threads_share_one_store_exactly(location: str) -> None:
    path = location
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        for i in range(4):
            s.create_tenant(f"t{i}", "T")
            s.set_pin(f"t{i}", "602917")
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: s.check_pin(f"t{i % 4}", "000001" if i % 2 else "602917"),
                                    range(64)))
        assert results.count(True) == 32
        assert s.verify_audit().is_valid


def test_threads_over_several_stores_of_one_process_exactly(location: str) -> None:
    path = location
    stores = [portout.Store.open(path, profile="test", allow_test_profile=True, actor=f"s{i}")
              for i in range(3)]
    try:
        for i in range(4):
            stores[0].create_tenant(f"t{i}", "T")
            stores[1].set_pin(f"t{i}", "602917")
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(
                lambda i: stores[i % 3].check_pin(f"t{i % 4}", "000001" if i % 2 else "602917"),
                range(96)))
        assert results.count(True) == 48
    finally:
        for s in stores:
            s.close()
    # Seen from another process: every check's audit event is there, the chain whole.
    events = subprocess.run(
        [sys.executable, "-c", "import sys, portout\n"
         "with portout.Store.open(sys.argv[1], allow_test_profile=True) as s:\n"
         "    print(len(list(s.audit_events(event_type='PinCheck'))), s.verify_audit().is_valid)",
         str(path)], capture_output=True, text=True, check=True).stdout.split()
    assert events == ["96", "True"]


KILLED_CHECK = textwrap.dedent("""
    import sys, portout
    s = portout.Store.open(sys.argv[1], profile="moderate")
    print("ready", flush=True)
    s.check_pin("contoso", "602917")
    print("finished", flush=True)
""")


def test_a_kill_during_the_check_leaves_the_attempt_spent(location: str) -> None:
    path = location
    with portout.Store.open(path, profile="moderate") as s:  # slow hashes: a wide window
        s.create_tenant("contoso", "Contoso")
        s.set_pin("contoso", "602917")
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHECK, str(path)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    deadline = time.monotonic() + 30
    while _counted(path) == 0:  # the attempt is committed: the hash is running now
        assert time.monotonic() < deadline, "the attempt was never counted"
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with portout.Store.open(path, profile="moderate") as s:
        status = s.pin_status("contoso")
        assert status.failed_attempt_count == 1, "the right PIN, killed mid-check, still spent a try"
        assert [e.event_type for e in s.audit_events("contoso")][-1] == "PinCheckAttempt"
        assert s.verify_audit().is_valid


KILLED_ROTATION = textwrap.dedent("""
    import os, signal, sys, portout
    s = portout.Store.open(sys.argv[1], profile="test", allow_test_profile=True)
    def die(done, total):
        if done > 20:  # in the third batch: two of 10 committed
            os.kill(os.getpid(), signal.SIGKILL)
    s.rotate_key(sys.argv[2], batch_size=10, progress=die)
""")


def test_a_rotation_killed_midway_resumes(location: str, tmp_path: Path) -> None:
    path, new_key = location, tmp_path / "new.key"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        for i in range(45):
            s.create_tenant(f"t{i}", "T")
            s.set_pin(f"t{i}", f"60{1000 + i}")
    done = subprocess.run([sys.executable, "-c", KILLED_ROTATION, str(path), str(new_key)])
    assert done.returncode == -signal.SIGKILL
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        assert s.check_pin("t44", "601044") and s.check_pin("t0", "601000")
        report = s.rotate_key(new_key)
        assert report.resumed and report.records_rotated == 25
    with portout.Store.open(path, key_file=str(new_key), profile="test", allow_test_profile=True) as s:
        assert all(s.check_pin(f"t{i}", f"60{1000 + i}") for i in range(45))
        assert s.verify_audit().is_valid


def test_a_second_session_opens_while_the_first_is_open(location: str) -> None:
    path = location
    with portout.Store.open(path, profile="test", allow_test_profile=True, actor="admin") as admin:
        admin.create_tenant("contoso", "Contoso")
        with portout.Store.open(path, profile="test", allow_test_profile=True, actor="carrier") as carrier:
            assert carrier.store_id == admin.store_id
            assert carrier.get_tenant("contoso").display_name == "Contoso"


def _open_new(path: str) -> str:
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        return s.store_id


def test_processes_creating_one_store_at_once_agree(location: str) -> None:
    path = location
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        ids = pool.map(_open_new, [str(path)] * 8)
    assert len(set(ids)) == 1
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        assert [e.event_type for e in s.audit_events()] == ["StoreCreated"]
