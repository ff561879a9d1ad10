"""Someone who can write the store's database but has no key file.

A database administrator, a compromised database host or a restored backup: each attack is run
as such a person would run it, with SQL on the database between two sessions of portout, and
the next session must refuse or detect it rather than obey. Both backends.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import portout
from conftest import logical_digest, raw_execute, raw_query

PORTOUT = Path(sys.executable).with_name("portout")


def _attacker_key(folder: Path) -> tuple[Path, str]:
    """A key file of the attacker's own, and its key id (learnt from a store of theirs)."""
    path = folder / "attacker.key"
    path.write_bytes(secrets.token_bytes(32))
    path.chmod(0o600)
    with portout.Store.open(folder / "theirs.db", key_file=path, profile="test",
                            allow_test_profile=True) as theirs:
        return path, theirs.key_id


def _session(location: str, key_file: Path) -> portout.Store:
    return portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True)


def _cli(location: str, key_file: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env.update(PORTOUT_STORE=location, PORTOUT_KEY_FILE=str(key_file), PORTOUT_HASH_PROFILE="test",
               PORTOUT_ALLOW_TEST_PROFILE="1", PORTOUT_ACTOR="admin@contoso.com")
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=env)


def test_a_key_named_by_the_database_is_never_used(location: str, key_file: Path, tmp_path: Path) -> None:
    with _session(location, key_file) as s:
        s.create_tenant("contoso.com", "Contoso", "US")
        store_key = s.key_id
    attacker_path, attacker_id = _attacker_key(tmp_path)
    # The attack as it worked before: name the attacker's key as a rotation's new key.
    raw_execute(location, "INSERT INTO meta (name, value) VALUES "
                          f"('pending_key_id', '{attacker_id}'), ('pending_key_path', '{attacker_path}')")

    done = _cli(location, key_file, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="602917\n")
    assert done.returncode == 0, done.stderr

    # The PIN went under the store's key, not the attacker's, and the planted entries are gone.
    assert raw_query(location, "SELECT pin_key_id FROM tenants WHERE tenant_id = 'contoso.com'") == [(store_key,)]
    assert raw_query(location, "SELECT count(*) FROM meta WHERE name LIKE 'pending_key%'") == [(0,)]
    with _session(location, key_file) as s:
        found = list(s.audit_events(event_type="StoreTampered"))
        assert [e.reason for e in found] == ["UnauthenticatedKeyState"]
        assert s.verify_audit().is_valid
        assert s.check_pin("contoso.com", "602917")


def test_a_forged_rotation_record_is_not_obeyed(location: str, key_file: Path, tmp_path: Path) -> None:
    with _session(location, key_file) as s:
        s.create_tenant("contoso.com", "Contoso", "US")
        store_key = s.key_id
        attacker_path, attacker_id = _attacker_key(tmp_path)
        # Written while a session is open: its next sealing refuses, typed, and changes nothing.
        raw_execute(location, "INSERT INTO meta (name, value) VALUES "
                              f"('rotation', '{attacker_id} {attacker_path}')")
        with pytest.raises(portout.SecurityError) as refused:
            s.set_pin("contoso.com", "602917")
        assert refused.value.error_id.startswith("StoreTampered")
        assert raw_query(location, "SELECT pin_record FROM tenants WHERE tenant_id = 'contoso.com'") == [(None,)]

    done = _cli(location, key_file, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="602917\n")
    assert done.returncode == 0, done.stderr
    assert raw_query(location, "SELECT pin_key_id FROM tenants WHERE tenant_id = 'contoso.com'") == [(store_key,)]
    with _session(location, key_file) as s:
        assert [e.reason for e in s.audit_events(event_type="StoreTampered")] == ["RotationRecordNotAuthentic"]


def _bytes_literal(location: str, data: bytes) -> str:
    return f"decode('{data.hex()}', 'hex')" if location.startswith("postgresql://") else f"X'{data.hex()}'"


def _newest_event(location: str) -> int:
    return int(raw_query(location, "SELECT max(event_id) FROM audit_events")[0][0])


def test_newest_events_removed_are_found_against_a_checkpoint_kept_outside(
        location: str, key_file: Path, tmp_path: Path) -> None:
    """The newest events deleted and an older genuine head put back: the chain alone still
    verifies; against a checkpoint saved to a folder outside the store it is Truncated."""
    anchor = tmp_path / "anchor"
    anchor.mkdir()

    def ok(*args: str, stdin: str = "") -> str:
        done = _cli(location, key_file, *args, stdin=stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout

    ok("New-PortOutTenant", "contoso.com", "Contoso", "US")
    ok("Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="602917\n")
    kept = _newest_event(location)
    [(old_head,)] = raw_query(location, "SELECT value FROM meta WHERE name = 'audit_head'")
    ok("New-PortOutTenant", "fabrikam.com", "Fabrikam", "US")
    ok("Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="481605\n")  # PinChanged
    ok("Remove-PortOutTenant", "fabrikam.com", "-Force")  # TenantRemoved
    saved = json.loads(ok("Save-PortOutAuditCheckpoint", "-Path", str(anchor), "-OutputFormat", "Json"))
    newest = _newest_event(location)
    [file] = anchor.glob("portout-checkpoint-*.json")
    document = json.loads(file.read_text())
    assert file.name == f"portout-checkpoint-{document['store_id']}-{newest}.json"
    assert document["event_id"] == document["event_count"] == saved["EventId"] == newest
    assert document["format"] == "portout-audit-checkpoint-v1"
    assert (file.stat().st_mode & 0o777) == 0o644 & ~_umask()
    assert "602917" not in file.read_text() and "481605" not in file.read_text()
    verified = json.loads(ok("Test-PortOutAuditLog", "-Checkpoint", str(anchor), "-OutputFormat", "Json"))
    assert (verified["IsValid"], verified["CheckpointsChecked"], verified["Problem"]) == (True, 1, None)

    # The attack, by someone with the database and no key file.
    raw_execute(location, f"DELETE FROM audit_events WHERE event_id > {kept}; "
                          f"UPDATE meta SET value = {_bytes_literal(location, old_head)} "
                          "WHERE name = 'audit_head'")
    alone = json.loads(ok("Test-PortOutAuditLog", "-OutputFormat", "Json"))
    assert (alone["IsValid"], alone["EventCount"]) == (True, kept)  # blind by itself
    for given in (str(anchor), str(file)):
        done = _cli(location, key_file, "Test-PortOutAuditLog", "-Checkpoint", given, "-OutputFormat", "Json")
        # As for any broken chain: the verdict is the output, not an error.
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
        assert (found["IsValid"], found["Problem"], found["FirstBrokenEventId"], found["FailedCheckpoint"],
                found["CheckpointsChecked"]) == (False, "Truncated", kept + 1, 0, 1)
        assert "WARNING" in done.stderr and file.name in done.stderr and "Truncated" in done.stderr
    table = ok("Test-PortOutAuditLog", "-Checkpoint", str(anchor))
    assert "IsValid" in table and "False" in table and "Truncated" in table


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_checkpoint_files_that_are_forged_or_not_checkpoints(location: str, key_file: Path,
                                                            tmp_path: Path) -> None:
    anchor = tmp_path / "anchor"
    anchor.mkdir()
    done = _cli(location, key_file, "New-PortOutTenant", "contoso.com", "Contoso")  # creates the store
    assert done.returncode == 0, done.stderr
    done = _cli(location, key_file, "Save-PortOutAuditCheckpoint", str(anchor))
    assert done.returncode == 0, done.stderr
    [file] = anchor.glob("portout-checkpoint-*.json")
    document = json.loads(file.read_text())

    # An edited field: the signature no longer holds.
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**document, "event_count": document["event_count"] + 5}))
    done = _cli(location, key_file, "Test-PortOutAuditLog", "-Checkpoint", str(forged), "-OutputFormat", "Json")
    assert done.returncode == 0, done.stderr
    assert (json.loads(done.stdout)["IsValid"], json.loads(done.stdout)["Problem"]) == (False, "CheckpointInvalid")

    # A file that is no checkpoint, a folder without any, a path to nothing: errors, nothing verified.
    (tmp_path / "junk.json").write_text("{\"format\": \"something else\"}")
    (tmp_path / "empty").mkdir()
    before = logical_digest(location)
    for given, error_id in ((tmp_path / "junk.json", "CheckpointMalformed"),
                            (tmp_path / "empty", "CheckpointNotFound"),
                            (tmp_path / "nothing", "CheckpointNotFound")):
        done = _cli(location, key_file, "Test-PortOutAuditLog", "-Checkpoint", f"{anchor},{given}")
        assert done.returncode != 0 and done.stdout == ""
        assert error_id in done.stderr and str(given) in done.stderr
    assert logical_digest(location) == before

    # A file of the name the next checkpoint takes, holding something else: never overwritten.
    taken = tmp_path / "taken"
    taken.mkdir()
    squatter = taken / f"portout-checkpoint-{document['store_id']}-{_newest_event(location) + 1}.json"
    squatter.write_text("not mine")
    done = _cli(location, key_file, "Save-PortOutAuditCheckpoint", str(taken))
    assert done.returncode != 0 and "CheckpointFileExists" in done.stderr
    assert squatter.read_text() == "not mine" and len(list(taken.iterdir())) == 1

    # A folder that is not there, or that takes no file (even root's: /proc): refused before
    # anything is written to the store.
    before = logical_digest(location)
    for folder, error_id in ((tmp_path / "missing", "CheckpointFolderNotFound"),
                             (Path("/proc"), "CheckpointFolderUnwritable")):
        done = _cli(location, key_file, "Save-PortOutAuditCheckpoint", str(folder))
        assert done.returncode != 0 and error_id in done.stderr, done.stderr
    assert logical_digest(location) == before

    # A file that cannot be read (its own memory, to the process that reads it): typed, and
    # nothing verified.
    done = _cli(location, key_file, "Test-PortOutAuditLog", "-Checkpoint", "/proc/self/mem")
    assert done.returncode != 0 and done.stdout == "" and "CheckpointUnreadable" in done.stderr, done.stderr
