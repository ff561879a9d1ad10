"""Someone who can write the store's database but has no key file.

A database administrator, a compromised database host or a restored backup: each attack is run
as such a person would run it, with SQL on the database between two sessions of portout, and
the next session must refuse or detect it rather than obey. Both backends.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import portout
from conftest import raw_execute, raw_query

PORTOUT = Path(sys.executable).with_name("portout")


def _attacker_key(folder: Path) -> tuple[Path, str]:
    """A key file of the attacker's own, and its key id (learnt from a store of theirs)."""
    path = folder / "attacker.key"
    path.write_bytes(secrets.token_bytes(32))
    path.chmod(0o600)
    with portout.Store.open(folder / "theirs.db", key_file=path, profile="test",
                            allow_test_profile=True) as theirs:
        return path, theirs.key_id


def _cli(location: str, key_file: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env.update(PORTOUT_STORE=location, PORTOUT_KEY_FILE=str(key_file), PORTOUT_HASH_PROFILE="test",
               PORTOUT_ALLOW_TEST_PROFILE="1", PORTOUT_ACTOR="admin@contoso.com")
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=env)


def test_a_key_named_by_the_database_is_never_used(location: str, key_file: Path, tmp_path: Path) -> None:
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
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
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        found = list(s.audit_events(event_type="StoreTampered"))
        assert [e.reason for e in found] == ["UnauthenticatedKeyState"]
        assert s.verify_audit().is_valid
        assert s.check_pin("contoso.com", "602917")


def test_a_forged_rotation_record_is_not_obeyed(location: str, key_file: Path, tmp_path: Path) -> None:
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso.com", "Contoso", "US")
        store_key = s.key_id
        attacker_path, attacker_id = _attacker_key(tmp_path)
        # Written while a session is open: its next sealing refuses, typed, and changes nothing.
        raw_execute(location, "INSERT INTO meta (name, value) VALUES "
                              f"('rotation', '{attacker_id} {attacker_path}')")
        try:
            s.set_pin("contoso.com", "602917")
            raise AssertionError("a PIN was sealed beside a forged rotation record")
        except portout.SecurityError as error:
            assert error.error_id.startswith("StoreTampered")
        assert raw_query(location, "SELECT pin_record FROM tenants WHERE tenant_id = 'contoso.com'") == [(None,)]

    done = _cli(location, key_file, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="602917\n")
    assert done.returncode == 0, done.stderr
    assert raw_query(location, "SELECT pin_key_id FROM tenants WHERE tenant_id = 'contoso.com'") == [(store_key,)]
    with portout.Store.open(location, key_file=key_file, profile="test", allow_test_profile=True) as s:
        assert [e.reason for e in s.audit_events(event_type="StoreTampered")] == ["RotationRecordNotAuthentic"]
