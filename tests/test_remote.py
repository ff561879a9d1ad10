"""Remote cmdlets (issue 18, item 4): the cmdlets run against a real ``portout serve`` as they run
locally, from Python and from the command line with no terminal: the same records, the same
FullyQualifiedErrorIds, -WhatIf and -Confirm honoured where the person is, pipelines and
scripts unchanged, and the caller never holding the store's key."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

import portout
from servers import PORTOUT, Server

PIN, NEW_PIN = "602917", "918273"


def token_file(folder: Path, name: str, token: str) -> Path:
    path = folder / f"{name}.token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return path


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("remote")
    store_path, key = folder / "store.db", folder / "store.key"
    with portout.Store.open(store_path, key_file=key, profile="test", allow_test_profile=True,
                            actor="provisioning") as admin:
        for tenant in ("contoso.com", "fabrikam.com", "tailspin.com"):
            admin.create_tenant(tenant, tenant.split(".")[0].title(), "US")
        admin.set_pin("contoso.com", PIN)
        files = {
            "desk": token_file(folder, "desk", admin.new_credential("provider-desk", "StoreAdmin").token),
            "contoso": token_file(folder, "contoso", admin.new_credential(
                "contoso-automation", "TelephonyAdmin", tenant_scope="contoso.com").token),
        }
    with Server(store_path, key, folder) as server:
        yield {"server": server, "files": files, "store": store_path, "key": key, "folder": folder}


def connect(remote: dict[str, Any], who: str) -> portout.PortOutSession:
    return portout.connect_port_out_store(server=remote["server"].url, token_file=remote["files"][who],
                                          ca_file=str(remote["server"].cert))


def remote_token(remote: dict[str, Any], who: str) -> str:
    return Path(remote["files"][who]).read_text().strip()


def cli(remote: dict[str, Any], who: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env = {**base, "PORTOUT_SERVER": remote["server"].url, "PORTOUT_TOKEN_FILE": str(remote["files"][who]),
           "PORTOUT_CA_FILE": str(remote["server"].cert), "PYTHONWARNINGS": "error"}
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=env)


def test_a_remote_session_is_the_tokens_principal(remote: dict[str, Any]) -> None:
    with connect(remote, "contoso") as session:
        assert (session.actor, session.role, session.tenant_scope) == (
            "contoso-automation", "TelephonyAdmin", ("contoso.com",))
        assert session.key_file == "(held by the server)"
        status = portout.get_port_out_pin("contoso.com", session=session)
        assert type(status).__name__ == "PinStatus" and status.pin_is_set
        assert status.tenant_id == "contoso.com" and status.last_modified_date_time.tzinfo is not None
        with pytest.raises(portout.PermissionDeniedError) as denied:
            portout.get_port_out_pin("fabrikam.com", session=session)
        assert denied.value.error_id == "AccessDenied,Get-PortOutPin"


def test_set_and_change_a_pin_remotely_with_the_same_errors(remote: dict[str, Any]) -> None:
    with connect(remote, "desk") as session:
        with pytest.raises(portout.PinPolicyError) as weak:
            portout.set_port_out_pin("tailspin.com", pin="123456", session=session)
        assert weak.value.error_id == "PinPolicyViolation,Set-PortOutPin"
        assert "WeakPattern" in weak.value.rules or weak.value.rules
        assert "123456" not in repr(weak.value) and "123456" not in str(weak.value)
        done = portout.set_port_out_pin("tailspin.com", pin=NEW_PIN, pass_thru=True, session=session)
        assert done.pin_is_set and done.last_modified_by == "provider-desk"
        # Several targets, one of them wrong, with -ErrorAction Continue: the same Output.
        out = portout.get_port_out_pin(["tailspin.com", "nowhere.com"], error_action="SilentlyContinue",
                                       session=session)
        assert [s.tenant_id for s in out] == ["tailspin.com"]
        assert [e.fully_qualified_error_id for e in out.errors] == ["TenantNotFound,Get-PortOutPin"]
    with portout.Store.open(remote["store"], key_file=remote["key"], allow_test_profile=True,
                            create=False) as owner:
        assert owner.check_pin("tailspin.com", NEW_PIN)
        events = [e for e in owner.audit_events("tailspin.com") if e.event_type == "PinSet"]
        assert events and events[-1].actor == "provider-desk" and "via=credential:provider-desk" in events[-1].details


def test_whatif_changes_nothing_and_confirm_is_asked_where_the_person_is(remote: dict[str, Any]) -> None:
    with connect(remote, "desk") as session:
        portout.new_port_out_tenant("whatif.com", "What If", "US", what_if=True, session=session)
        with pytest.raises(portout.ObjectNotFoundError):
            portout.get_port_out_tenant("whatif.com", session=session)
        # Remove-PortOutTenant is High impact: with no one to answer, nothing is sent.
        with pytest.raises(portout.InvalidOperationError) as asked:
            portout.remove_port_out_tenant("fabrikam.com", session=session)
        assert asked.value.error_id.startswith("ConfirmationRequired")
        assert portout.get_port_out_tenant("fabrikam.com", session=session).tenant_id == "fabrikam.com"


def test_the_command_line_against_a_server_with_no_terminal(remote: dict[str, Any]) -> None:
    shown = cli(remote, "contoso", "Get-PortOutPin", "contoso.com")
    assert shown.returncode == 0, shown.stderr
    assert "contoso.com" in shown.stdout
    denied = cli(remote, "contoso", "Get-PortOutPin", "fabrikam.com")
    assert denied.returncode == 1 and "AccessDenied,Get-PortOutPin" in denied.stderr
    changed = cli(remote, "contoso", "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="550912\n")
    assert changed.returncode == 0, changed.stderr
    # A pipeline and a script, unchanged.
    script = remote["folder"] / "check.ps1"
    script.write_text("$s = Get-PortOutPin contoso.com\nif ($s.PinIsSet) { 'set by ' + $s.LastModifiedBy }\n"
                      "Get-PortOutPin contoso.com | Unlock-PortOutPin -PassThru -Confirm:$false | Select-Object TenantId\n")
    ran = cli(remote, "contoso", "-File", str(script))
    assert ran.returncode == 0, ran.stderr
    assert "set by contoso-automation" in ran.stdout and "contoso.com" in ran.stdout


def test_a_token_travels_only_over_tls_and_only_from_a_private_file(remote: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(portout.SecurityError) as clear:
        portout.connect_port_out_store(server="http://portout.example:8443", token_file=remote["files"]["desk"])
    assert clear.value.error_id == "TlsRequired,Connect-PortOutStore"
    loose = tmp_path / "loose.token"
    loose.write_text(remote["files"]["desk"].read_text())
    loose.chmod(0o644)
    with pytest.raises(portout.SecurityError) as opened:
        portout.connect_port_out_store(server=remote["server"].url, token_file=loose)
    assert opened.value.error_id == "TokenFileTooOpen,Connect-PortOutStore"


def test_a_credential_made_remotely_writes_its_token_to_a_file_here(remote: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "zayo.token"
    with connect(remote, "desk") as session:
        made = portout.new_port_out_credential("zayo", role="Carrier", carrier_name="Zayo", carrier_spid="7788",
                                               token_file=str(target), session=session)
        assert made.token == f"(written to {target})"
        assert oct(target.stat().st_mode & 0o777) == "0o600"
        token = target.read_text().strip()
        assert token.startswith("pot_")
        names = [c.name for c in portout.get_port_out_credential(session=session)]
        assert "zayo" in names
    with remote["server"].client(token) as carrier:
        assert carrier.get("/v1/session").json()["actor"] == "Zayo"


def test_a_checkpoint_taken_remotely_is_written_here_and_verifies_the_store(remote: dict[str, Any],
                                                                             tmp_path: Path) -> None:
    anchor = tmp_path / "anchor"
    anchor.mkdir()
    written = cli(remote, "desk", "Save-PortOutAuditCheckpoint", str(anchor), "-OutputFormat", "Json")
    assert written.returncode == 0, written.stderr
    shown = json.loads(written.stdout)
    [kept] = list(anchor.iterdir())
    assert kept.name == f"portout-checkpoint-{shown['StoreId']}-{shown['EventId']}.json"
    assert "Document" not in shown
    with portout.Store.open(remote["store"], key_file=remote["key"], allow_test_profile=True,
                            create=False) as owner:
        assert owner.verify_audit(checkpoints=[kept.read_text()]).is_valid
    # A folder that cannot take it is refused here, before the server records anything.
    missing = cli(remote, "desk", "Save-PortOutAuditCheckpoint", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "CheckpointFolderNotFound" in missing.stderr
    # Sent with a path of the server's machine, it is refused there.
    with remote["server"].client(remote_token(remote, "desk")) as c:
        refused = c.post("/v1/cmdlets/Save-PortOutAuditCheckpoint", json={"parameters": {"Path": "/tmp"}})
    assert refused.status_code == 405 and refused.json()["errorId"] == "NotRemotable,Save-PortOutAuditCheckpoint"


@pytest.mark.parametrize("call, error_id", [
    (dict(server="https://127.0.0.1:1"), "TokenRequired"),
    (dict(server="ftp://portout.example", token_file="desk"), "InvalidServerUrl"),
    (dict(server="portout.example:8443", token_file="desk"), "InvalidServerUrl"),
    (dict(token_file="desk"), "AmbiguousParameterSet"),
    (dict(ca_file="/etc/ssl/certs/ca-certificates.crt"), "AmbiguousParameterSet"),
    (dict(server="https://127.0.0.1:1", token_file="desk", path="store.db"), "AmbiguousParameterSet"),
    (dict(server="https://127.0.0.1:1", token_file="desk", role="Carrier"), "AmbiguousParameterSet"),
])
def test_a_wrong_connection_is_a_typed_error_and_connects_nothing(
        remote: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, call: dict[str, str],
        error_id: str) -> None:
    monkeypatch.delenv("PORTOUT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    if "token_file" in call:
        call = {**call, "token_file": str(remote["files"][call["token_file"]])}
    portout.disconnect_port_out_store()
    with pytest.raises(portout.PortOutError) as caught:
        portout.connect_port_out_store(**call)
    assert caught.value.error_id == f"{error_id},Connect-PortOutStore"
    with pytest.raises(portout.PortOutError) as none:
        portout.get_port_out_tenant()
    assert none.value.error_id.startswith("NotConnected")
    assert not (tmp_path / "store.db").exists()
