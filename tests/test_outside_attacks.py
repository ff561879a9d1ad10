"""Attacks from outside, through the installed command line with no terminal (and the Python
API where the CLI cannot carry the input): files planted by someone else, formulas in CSV
output, and PINs far longer than any PIN.

This machine's tests run as root; a file "planted by someone else" is given to nobody (uid
65534). Tests that need that skip when not root.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import portout
from conftest import logical_digest
from portout.format import CSV_FORMULA_STARTS, csv_cell, csv_value

PORTOUT = Path(sys.executable).with_name("portout")
PIN = "602917"
NOBODY = 65534
ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="giving a file to another user needs root")


def environment(store: Path, key: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    return {**base, "PORTOUT_STORE": str(store), "PORTOUT_KEY_FILE": str(key),
            "PORTOUT_HASH_PROFILE": "test", "PORTOUT_ALLOW_TEST_PROFILE": "1",
            "PORTOUT_ACTOR": "admin@contoso.com", "PYTHONWARNINGS": "error",
            "XDG_DATA_HOME": str(store.parent / "xdg")}


def run(env: dict[str, str], *args: str, stdin: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI with no terminal: its standard input `stdin`, or nothing."""
    source = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([str(PORTOUT), *args], capture_output=True, text=True, timeout=timeout,
                          env=env, start_new_session=True, **source)  # type: ignore[call-overload]


def ok(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = run(env, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The store's folder: the user's own, 0700."""
    f = tmp_path / "victim"
    f.mkdir(mode=0o700)
    return f


@pytest.fixture
def made(folder: Path) -> dict[str, str]:
    """A store with a tenant and its PIN, made by its owner."""
    env = environment(folder / "store.db", folder / "store.key")
    ok(env, "New-PortOutTenant", "contoso.com", "Contoso", "US")
    ok(env, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n")
    return env


def companions(db: Path) -> list[str]:
    return [p.name for p in db.parent.iterdir() if p.name.startswith(db.name + "-")]


# -- files planted by someone else ---------------------------------------------------------

def plant_key(path: Path) -> None:
    path.write_bytes(os.urandom(32))
    path.chmod(0o600)


@pytest.mark.parametrize("owner", ["me", "nobody"])
def test_a_planted_open_database_with_a_planted_key_is_refused(folder: Path, owner: str) -> None:
    """Someone left an empty database anyone may write, and a key of theirs beside it: the
    store is refused before anything is written, saying how to fix it."""
    if owner == "nobody" and not ROOT:
        pytest.skip("giving a file to another user needs root")
    db, key = folder / "store.db", folder / "store.key"
    db.touch()
    db.chmod(0o666)
    plant_key(key)
    if owner == "nobody":
        os.chown(db, NOBODY, -1)
        os.chown(key, NOBODY, -1)
    done = run(environment(db, key), "New-PortOutTenant", "contoso.com", "Contoso", "US")
    assert done.returncode != 0
    expected = "StoreFileOwner" if owner == "nobody" else "StoreFileTooOpen"
    assert f"FullyQualifiedErrorId : {expected}" in done.stderr, done.stderr
    assert ("chown" if owner == "nobody" else "chmod 600") in done.stderr
    assert "Traceback" not in done.stderr
    assert db.stat().st_size == 0 and (db.stat().st_mode & 0o777) == 0o666
    assert companions(db) == []


@needs_root
def test_a_store_file_of_another_user_is_refused_untouched(made: dict[str, str], folder: Path) -> None:
    db = folder / "store.db"
    before = logical_digest(db)
    os.chown(db, NOBODY, -1)
    done = run(made, "Get-PortOutTenant")
    assert done.returncode != 0 and "StoreFileOwner" in done.stderr, done.stderr
    os.chown(db, 0, -1)
    assert logical_digest(db) == before


@pytest.mark.parametrize("mode", [0o1777, 0o777, 0o770])
def test_no_store_in_a_folder_others_may_write(tmp_path: Path, mode: int) -> None:
    """/tmp itself (sticky, 1777) too: others cannot replace a file there, but they can plant
    the -wal or -shm file SQLite would adopt."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    done = run(environment(shared / "store.db", shared / "store.key"),
               "New-PortOutTenant", "contoso.com", "Contoso", "US")
    assert done.returncode != 0
    assert "FullyQualifiedErrorId : StoreFolderTooOpen" in done.stderr, done.stderr
    assert "chmod go-w" in done.stderr
    assert list(shared.iterdir()) == []


def test_an_existing_store_in_a_folder_opened_to_others_is_refused(made: dict[str, str],
                                                                    folder: Path) -> None:
    before = logical_digest(folder / "store.db")
    folder.chmod(0o777)
    done = run(made, "Get-PortOutTenant")
    assert done.returncode != 0 and "StoreFolderTooOpen" in done.stderr
    folder.chmod(0o700)
    assert logical_digest(folder / "store.db") == before
    assert "contoso.com" in ok(made, "Get-PortOutTenant")


@needs_root
def test_a_key_owned_by_another_user_is_refused(made: dict[str, str], folder: Path) -> None:
    before = logical_digest(folder / "store.db")
    os.chown(folder / "store.key", NOBODY, -1)
    done = run(made, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n")
    assert done.returncode != 0
    assert "FullyQualifiedErrorId : KeyFileOwner" in done.stderr, done.stderr
    assert logical_digest(folder / "store.db") == before
    os.chown(folder / "store.key", 0, -1)
    assert ok(made, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n") == "True\n"


def test_a_key_file_that_is_a_link_is_refused(made: dict[str, str], folder: Path) -> None:
    (folder / "store.key").rename(folder / "real.key")
    (folder / "store.key").symlink_to(folder / "real.key")
    done = run(made, "Get-PortOutTenant")
    assert done.returncode != 0 and "FullyQualifiedErrorId : KeyFileIsLink" in done.stderr


def test_a_fifo_as_the_key_file_is_refused_at_once(made: dict[str, str], folder: Path) -> None:
    """It used to wait forever for a writer. The limit: two seconds past the time the same
    command takes with its real key (the interpreter's start)."""
    started = time.monotonic()
    ok(made, "Get-PortOutTenant")
    usual = time.monotonic() - started
    (folder / "store.key").rename(folder / "real.key")
    os.mkfifo(folder / "store.key", 0o600)
    done = run(made, "Get-PortOutTenant", timeout=usual + 2)
    assert done.returncode != 0
    assert "FullyQualifiedErrorId : KeyFileInvalid" in done.stderr and "FIFO" in done.stderr


def test_a_new_store_is_its_owners_alone(tmp_path: Path) -> None:
    store = tmp_path / "new" / "store.db"
    key = tmp_path / "keys" / "store.key"
    ok(environment(store, key), "New-PortOutTenant", "contoso.com", "Contoso", "US")
    assert (store.stat().st_mode & 0o7777, store.parent.stat().st_mode & 0o7777) == (0o600, 0o700)
    assert (key.stat().st_mode & 0o7777, key.parent.stat().st_mode & 0o7777) == (0o600, 0o700)
    for name in companions(store):
        assert (store.parent / name).stat().st_mode & 0o777 == 0o600, name


# -- formulas in CSV output -----------------------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def test_csv_output_runs_no_formula(made: dict[str, str]) -> None:
    ok(made, "New-PortOutTenant", "formula.example", FORMULA, "US")
    ok(made, "Add-PortOutPhoneNumber", "-Identity", "contoso.com", "-PhoneNumber", "+14255550100")
    ok(made, "New-PortOutOrder", "-Identity", "contoso.com", "-PhoneNumber", "+14255550100",
       "-GainingCarrier", "@SUM(1+1)", "-PinFromStdin", stdin=PIN + "\n")
    outputs = [ok(made, "Get-PortOutTenant", "-OutputFormat", "Csv"),
               ok(made, "Get-PortOutOrder", "-OutputFormat", "Csv"),
               ok(made, "Get-PortOutPhoneNumber", "-OutputFormat", "Csv"),
               ok(made, "Get-PortOutAuditLog", "-OutputFormat", "Csv")]
    cells = [c for out in outputs for row in csv.reader(io.StringIO(out)) for c in row]
    assert not [c for c in cells if c.startswith(CSV_FORMULA_STARTS)]
    assert "'" + FORMULA in cells and "'@SUM(1+1)" in cells
    assert "'+14255550100" in cells  # phone numbers too: every cell starting with + or -
    # Table, List and JSON are not spreadsheets: they show the name as it is.
    assert FORMULA in ok(made, "Get-PortOutTenant", "formula.example")
    shown = ok(made, "Get-PortOutTenant", "formula.example", "-OutputFormat", "Json")
    assert json.loads(shown)["DisplayName"] == FORMULA


def test_csv_written_by_portout_reads_back_as_it_was(made: dict[str, str], folder: Path) -> None:
    rows = folder / "tenants.csv"
    rows.write_text("Identity,DisplayName,CountryOrRegion\n"
                    f"formula.example,{csv_cell('-1+2')},US\n"
                    f"quoted.example,{csv_cell(chr(39) + '=x')},US\n")
    ok(made, "New-PortOutTenant", "-InputFile", str(rows))
    shown = json.loads(ok(made, "Get-PortOutTenant", "-OutputFormat", "Json"))
    assert {t["DisplayName"] for t in shown} >= {"-1+2", "'=x"}


@given(st.text(max_size=12))
def test_csv_cells_round_trip(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(CSV_FORMULA_STARTS)
    assert csv_value(cell) == text
    assert cell == text or cell == "'" + text


# -- PINs far longer than any PIN ------------------------------------------------------------

HUGE = 100_000_000


def test_an_overlong_pin_is_refused_at_once_from_python(tmp_path: Path) -> None:
    with portout.Store.open(tmp_path / "store.db", key_file=tmp_path / "store.key",
                            profile="interactive", actor="admin") as s:
        s.create_tenant("contoso.example", "Contoso")
        s.set_pin("contoso.example", PIN)
        before = logical_digest(tmp_path / "store.db")
        huge = "7" * HUGE
        for call in (lambda: s.check_pin("contoso.example", huge),
                     lambda: s.check_pin("unknown.example", huge),
                     lambda: s.check_pin("contoso.example", "7" * 11),
                     lambda: s.submit_order("contoso.example", ["+14255550100"], huge, "Northwind"),
                     lambda: s.set_pin("contoso.example", huge)):
            started = time.monotonic()
            with pytest.raises(portout.InvalidArgumentError) as caught:
                call()
            assert time.monotonic() - started < 0.5, "hashed, or copied, before it was refused"
            assert caught.value.error_id == "PinTooLong"
            assert "7777" not in str(caught.value) and "7777" not in repr(caught.value)
        assert logical_digest(tmp_path / "store.db") == before, "an over-long PIN was recorded"
        assert s.pin_status("contoso.example").failed_attempt_count == 0
        with pytest.raises(portout.PinPolicyError) as policy:  # within 64: the policy's TooLong
            s.set_pin("contoso.example", "60291748163")
        assert [v.rule for v in policy.value.violations] == ["TooLong"]


def test_an_overlong_pin_costs_no_memory() -> None:
    """Measured in a process of its own: the peak resident size grows by less than 16 MiB
    past the string itself (a copy of the PIN, or its hash input, would be 100 MB)."""
    script = f"""
import resource, tempfile, portout
with tempfile.TemporaryDirectory() as d:
    with portout.Store.open(d + "/s.db", key_file=d + "/s.key", profile="test",
                            allow_test_profile=True, actor="a") as s:
        s.create_tenant("contoso.example", "Contoso")
        s.set_pin("contoso.example", "{PIN}")
        huge = "7" * {HUGE}
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            s.check_pin("contoso.example", huge)
        except portout.InvalidArgumentError as e:
            assert e.error_id == "PinTooLong"
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) < 16 * 1024, f"{int(done.stdout) // 1024} MiB more at the peak"


def test_an_overlong_pin_from_the_command_line(made: dict[str, str], folder: Path) -> None:
    before = logical_digest(folder / "store.db")
    for line in ("7" * 11, "7" * 100_000, "7" * 10_000_000):
        done = run(made, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=line + "\n")
        assert done.returncode == 1
        assert "FullyQualifiedErrorId : PinTooLong,Test-PortOutPin" in done.stderr, done.stderr[:300]
        assert "7777" not in done.stderr + done.stdout
    assert logical_digest(folder / "store.db") == before
    assert ok(made, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n") == "True\n"
