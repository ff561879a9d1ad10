"""Accounts for people (issue 18, item 2), from the command line with no terminal and from Python:
a password under NIST SP 800-63B's rules read from standard input, never echoed, kept only as a
keyed Argon2id hash; a TOTP secret shown once, whose codes an independent implementation
(pyotp) computes and the core accepts once each."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyotp
import pytest

import portout
from servers import PORTOUT

PASSWORD = "violet kettle harbour lantern"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env = {**base, "PORTOUT_STORE": str(tmp_path / "store.db"), "PORTOUT_HASH_PROFILE": "test",
           "PORTOUT_ALLOW_TEST_PROFILE": "1", "PORTOUT_ACTOR": "desk@provider.example", "PYTHONWARNINGS": "error"}
    assert run(env, "New-PortOutTenant", "contoso.com", "Contoso", "US").returncode == 0
    return env


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True, timeout=60, env=env)


def open_store(tmp_path: Path) -> portout.Store:
    return portout.Store.open(tmp_path / "store.db", allow_test_profile=True, create=False)


def test_an_account_with_totp_signs_in_with_its_password_and_each_code_once(env: dict[str, str],
                                                                             tmp_path: Path) -> None:
    made = run(env, "New-PortOutAccount", "megan", "-Role", "TelephonyAdmin", "-TenantScope", "contoso.com",
               "-Totp", "-PinFromStdin", "-OutputFormat", "Json", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    issued = json.loads(made.stdout)
    assert PASSWORD not in made.stdout + made.stderr
    secret, uri = issued["TotpSecret"], issued["TotpUri"]
    assert pyotp.parse_uri(uri).secret == secret and "issuer=portout" in uri
    assert (tmp_path / "store.db").read_bytes().find(secret.encode()) < 0
    assert (tmp_path / "store.db").read_bytes().find(PASSWORD.encode()) < 0
    with open_store(tmp_path) as gate:
        with pytest.raises(portout.PermissionDeniedError) as needs_code:
            gate.authenticate_account("megan", PASSWORD, client_address="192.0.2.7")
        assert needs_code.value.error_id == "TotpCodeRequired"
        code = pyotp.TOTP(secret).now()
        megan = gate.authenticate_account("megan", PASSWORD, code, client_address="192.0.2.7")
        assert (megan.actor, megan.role, megan.tenant_scope) == ("megan", "TelephonyAdmin", ("contoso.com",))
        with pytest.raises(portout.PermissionDeniedError) as replay:
            gate.authenticate_account("megan", PASSWORD, code, client_address="192.0.2.7")
        assert replay.value.error_id == "AuthenticationFailed"
        reasons = [e.reason for e in gate.audit_events(event_type="AuthenticationFailed")]
        assert reasons == ["TotpCodeReused"]
    listed = run(env, "Get-PortOutAccount", "-OutputFormat", "Json")
    account = json.loads(listed.stdout)
    assert account["Name"] == "megan" and account["TotpEnabled"] is True and account["LastUsedDateTime"]


def test_a_weak_password_is_refused_with_its_rules_and_never_echoed(env: dict[str, str], tmp_path: Path) -> None:
    weak = "Password123456789!"
    refused = run(env, "New-PortOutAccount", "megan", "-Role", "Auditor", "-PinFromStdin", stdin=weak + "\n")
    assert refused.returncode != 0
    assert "PasswordPolicyViolation,New-PortOutAccount" in refused.stderr and "PasswordCommon" in refused.stderr
    assert weak not in refused.stdout + refused.stderr
    assert run(env, "Get-PortOutAccount", "-OutputFormat", "Json").stdout.strip() in ("", "[]")
    # A carrier is no person: its people use the carrier's API credential.
    carrier = run(env, "New-PortOutAccount", "lumen", "-Role", "Carrier", "-PinFromStdin", stdin=PASSWORD + "\n")
    assert carrier.returncode != 0 and "ParameterArgumentValidationError" in carrier.stderr


def test_a_new_password_replaces_the_old_and_a_removed_account_signs_in_no_one(env: dict[str, str],
                                                                                tmp_path: Path) -> None:
    assert run(env, "New-PortOutAccount", "ops", "-Role", "Auditor", "-PinFromStdin",
               stdin=PASSWORD + "\n").returncode == 0
    changed = run(env, "Set-PortOutAccount", "ops", "-PinFromStdin", stdin="amber orchard tide at noon\n")
    assert changed.returncode == 0, changed.stderr
    with open_store(tmp_path) as gate:
        with pytest.raises(portout.PermissionDeniedError):
            gate.authenticate_account("ops", PASSWORD, client_address="192.0.2.7")
        assert gate.authenticate_account("ops", "amber orchard tide at noon", client_address="192.0.2.7").role == "Auditor"
    removed = run(env, "Remove-PortOutAccount", "ops", "-Force")
    assert removed.returncode == 0, removed.stderr
    with open_store(tmp_path) as gate:
        with pytest.raises(portout.PermissionDeniedError) as gone:
            gate.authenticate_account("ops", "amber orchard tide at noon", client_address="192.0.2.7")
        assert gone.value.error_id == "AuthenticationFailed"
        assert [e.reason for e in gate.audit_events(event_type="AuthenticationFailed")][-1] == "UnknownAccount"
