"""A store on a full disk and on a read-only one: clear errors, nothing half-written, and work
again once the fault is gone. Mounts a small tmpfs, so it needs root (as scripts/test runs)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

import portout
from conftest import logical_digest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_full_disk_fails_cleanly_and_recovers(small_disk: Path) -> None:
    path = small_disk / "store.db"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso.example", "Contoso")
        s.set_pin("contoso.example", "602917")
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:  # fill the disk...
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - 64 * 1024))  # ...but for a little room
    failures = 0
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        for i in range(2000):
            before = logical_digest(path)
            try:
                s.create_tenant(f"t{i:04d}.example", "x" * 256)
            except portout.ResourceUnavailableError as error:
                assert error.error_id in {"StoreFull", "StoreUnavailable"}
                assert logical_digest(path) == before, "a failed write left something behind"
                failures += 1
                if failures >= 3:
                    break
        assert failures >= 1, "the disk never filled"
        assert integrity(path) == "ok"
        assert s.verify_audit().is_valid
        filler.unlink()  # space returns
        s.create_tenant("after.example", "After")
        assert s.check_pin("contoso.example", "602917")
        assert s.verify_audit().is_valid


def test_a_read_only_disk_refuses_writes_and_recovers(small_disk: Path) -> None:
    path = small_disk / "store.db"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso.example", "Contoso")
        s.set_pin("contoso.example", "602917")
    before = logical_digest(path)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        with pytest.raises(portout.ResourceUnavailableError) as caught:
            with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
                s.create_tenant("fabrikam.example", "Fabrikam")
        assert caught.value.error_id in {"StoreReadOnly", "StoreUnavailable"}
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert logical_digest(path) == before
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.create_tenant("fabrikam.example", "Fabrikam")
        assert s.verify_audit().is_valid


@pytest.mark.parametrize("damage", ["missing", "truncated", "zeros", "other"])
def test_a_damaged_key_file_is_a_clear_error_never_a_new_key(tmp_path: Path, damage: str) -> None:
    path, key = tmp_path / "store.db", tmp_path / "store.db.key"
    portout.Store.open(path, profile="test", allow_test_profile=True).close()
    original = key.read_bytes()
    if damage == "missing":
        key.unlink()
    elif damage == "truncated":
        key.write_bytes(original[:20])
    elif damage == "zeros":
        key.write_bytes(bytes(32))
    else:
        key.write_bytes(os.urandom(32))
    before = logical_digest(path)
    with pytest.raises(portout.PortOutError) as caught:
        portout.Store.open(path, profile="test", allow_test_profile=True)
    assert caught.value.error_id in {"KeyFileNotFound", "KeyFileInvalid", "KeyMismatch"}
    assert logical_digest(path) == before
    assert not key.exists() if damage == "missing" else key.read_bytes() != original
