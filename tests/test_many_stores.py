"""Several stores open on one database in one process: every acknowledged write is visible to
other processes at once and survives kill -9 of the writer.

These are the cases of a notebook with an admin and a carrier session side by side, of pytest
factories, and of a server holding a session per principal. The writer is a child process; this
process is the "other process" that looks after every write (opening and closing its own
session each time, as a CLI invocation does), then kills the writer and looks again.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

import portout

# A writer driven line by line: "open NAME ACTOR", "create NAME TENANT", "close NAME".
# It answers each line with "ok" once the call has returned.
STEPPED_WRITER = textwrap.dedent("""
    import sys, portout
    location, key = sys.argv[1], sys.argv[2]
    stores = {}
    for line in sys.stdin:
        word, name, *rest = line.split()
        if word == "open":
            stores[name] = portout.Store.open(location, key_file=key, profile="test",
                                              allow_test_profile=True, actor=rest[0])
        elif word == "create":
            stores[name].create_tenant(rest[0], "S", "US")
        elif word == "close":
            stores.pop(name).close()
        print("ok", flush=True)
""")

# A writer of several stores and several threads, interleaving creations; each thread closes
# and reopens its store now and then. Prints "ack TENANT" once a creation has returned.
THREADED_WRITER = textwrap.dedent("""
    import sys, threading, portout
    location, key, n_stores, n_threads, per_thread = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    def open_one(i):
        return portout.Store.open(location, key_file=key, profile="test", allow_test_profile=True,
                                  actor=f"session-{i}")
    stores = [open_one(i) for i in range(n_stores)]
    out = threading.Lock()
    def work(t):
        for i in range(per_thread):
            k = (t + i) % n_stores
            stores[k].create_tenant(f"w{t}-{i}.example", "S", "US")
            with out:
                print(f"ack w{t}-{i}.example", flush=True)
            if i % 7 == 6:  # a session ends and another begins, as in a notebook
                own = open_one(100 + t)
                own.create_tenant(f"own{t}-{i}.example", "S", "US")
                own.close()
                with out:
                    print(f"ack own{t}-{i}.example", flush=True)
    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("done", flush=True)
    sys.stdin.read()  # held open, every store with it, until killed
""")


def _visible(location: str, key: Path, tenant: str) -> bool:
    with portout.Store.open(location, key_file=key, profile="test", allow_test_profile=True,
                            actor="observer") as s:
        try:
            s.get_tenant(tenant)
        except portout.ObjectNotFoundError:
            return False
        return True


def _after_kill(location: str, key: Path, acknowledged: list[str]) -> None:
    if not location.startswith("postgresql://"):
        with closing(sqlite3.connect(f"file:{location}?mode=ro", uri=True)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with portout.Store.open(location, key_file=key, profile="test", allow_test_profile=True,
                            actor="observer") as s:
        present = {t.tenant_id for t in s.tenants()}
        lost = [t for t in acknowledged if t not in present]
        assert not lost, f"{len(lost)} acknowledged writes lost after kill -9: {lost[:5]}"
        assert s.verify_audit().is_valid


@pytest.fixture
def store_key(tmp_path: Path) -> Path:
    return tmp_path / "store.key"


def test_the_reported_case_two_stores_then_one_closed(location: str, store_key: Path) -> None:
    with portout.Store.open(location, key_file=store_key, profile="test", allow_test_profile=True):
        pass  # created, with its key, before the writer starts
    writer = subprocess.Popen([sys.executable, "-c", STEPPED_WRITER, location, str(store_key)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdin is not None and writer.stdout is not None

    def step(line: str) -> None:
        writer.stdin.write(line + "\n")
        writer.stdin.flush()
        assert writer.stdout.readline() == "ok\n", f"the writer failed at {line!r}"

    acknowledged: list[str] = []
    try:
        step("open a a1")
        step("open b a2")
        for name, tenant in (("a", "t1.example"), ("b", "t2.example")):
            step(f"create {name} {tenant}")
            acknowledged.append(tenant)
            assert _visible(location, store_key, tenant), f"{tenant} is not visible to another process"
        step("close b")
        step("create a t3.example")
        acknowledged.append("t3.example")
        assert _visible(location, store_key, "t3.example"), "t3 is not visible to another process"
        step("open c a3")
        step("create c t4.example")
        step("create a t5.example")
        acknowledged += ["t4.example", "t5.example"]
        for tenant in ("t4.example", "t5.example"):
            assert _visible(location, store_key, tenant), f"{tenant} is not visible to another process"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    _after_kill(location, store_key, acknowledged)


def test_threads_on_several_stores_interleaving_writes(location: str, store_key: Path) -> None:
    with portout.Store.open(location, key_file=store_key, profile="test", allow_test_profile=True):
        pass
    writer = subprocess.Popen([sys.executable, "-c", THREADED_WRITER, location, str(store_key),
                               "3", "4", "15"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    acknowledged: list[str] = []
    unseen: list[str] = []
    try:
        for line in writer.stdout:
            if line == "done\n":
                break
            tenant = line.split()[1]
            acknowledged.append(tenant)
            if not _visible(location, store_key, tenant):
                unseen.append(tenant)
        else:
            pytest.fail("the writer ended before it was done")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert len(acknowledged) == 4 * 15 + 4 * 2
    assert not unseen, f"{len(unseen)} acknowledged writes not visible to another process: {unseen[:5]}"
    _after_kill(location, store_key, acknowledged)


def test_no_wal_file_goes_missing_while_a_process_writes(store_path: Path, store_key: Path) -> None:
    """The symptom seen from outside: the -wal file was gone while the writer still wrote."""
    location = str(store_path)
    with portout.Store.open(location, key_file=store_key, profile="test", allow_test_profile=True):
        pass
    writer = subprocess.Popen([sys.executable, "-c", STEPPED_WRITER, location, str(store_key)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdin is not None and writer.stdout is not None
    try:
        for line in ("open a a1", "open b a2", "create a t1.example"):
            writer.stdin.write(line + "\n")
            writer.stdin.flush()
            assert writer.stdout.readline() == "ok\n"
        assert _visible(location, store_key, "t1.example")  # this process's last connection closes
        writer.stdin.write("create b t2.example\n")
        writer.stdin.flush()
        assert writer.stdout.readline() == "ok\n"
        assert Path(location + "-wal").exists(), "the writer's -wal file was removed under it"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    _after_kill(location, store_key, ["t1.example", "t2.example"])
