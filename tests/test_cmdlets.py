"""The cmdlets from Python: one declaration each, PowerShell's common parameters, roles, bulk."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import portout
from conftest import logical_digest
from portout import reference

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _key_from_environment(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTOUT_KEY_FILE", str(key_file))


@pytest.fixture
def session(location: str, clock: portout.ManualClock):
    s = portout.connect_port_out_store(location, create=True, hash_profile="test",
                                       allow_test_profile=True, actor="admin@contoso.com")
    yield s
    portout.disconnect_port_out_store()


@pytest.fixture
def host() -> portout.Host:
    return portout.Host(out=io.StringIO(), err=io.StringIO(), inp=io.StringIO())


def test_the_reference_and_the_stub_are_current() -> None:
    assert (REPO / "docs/cmdlets.md").read_text() == reference.render(), \
        "docs/cmdlets.md is stale: run scripts/generate"
    assert (Path(portout.__file__).parent / "api.pyi").read_text() == reference.render_stub(), \
        "api.pyi is stale: run scripts/generate"


def test_each_cmdlet_is_a_function_and_an_entry() -> None:
    names = {c.name for c in portout.commands.CMDLETS}
    assert set(portout.cmdlets) == names
    for name in names:
        cmdlet = portout.cmdlets[name]
        assert portout.cmdlets[name.lower()] is cmdlet
        function = getattr(portout, cmdlet.python_name)
        assert function.cmdlet is cmdlet
        assert cmdlet.python_name in portout.__all__
    assert portout.set_port_out_pin.__name__ == "set_port_out_pin"
    assert "identity" in str(__import__("inspect").signature(portout.set_port_out_pin))


def test_approved_verbs_and_singular_nouns() -> None:
    approved = {"Connect", "Disconnect", "New", "Get", "Set", "Remove", "Test", "Unlock", "Reset",
                "Update", "Add", "Confirm", "Complete", "Stop", "Enable", "Disable", "Receive", "Copy",
                "Save", "Repair", "Approve", "Deny", "Resume", "Start"}  # each in PowerShell's Get-Verb (Save:
    # the Data group, as Save-Help; Repair: the Diagnostic group; Approve, Deny, Resume, Start: Lifecycle)
    for cmdlet in portout.commands.CMDLETS:
        assert cmdlet.verb in approved
        assert cmdlet.noun.startswith("PortOut") and not cmdlet.noun.endswith("s")


def test_names_in_either_case(session: portout.PortOutSession) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    portout.cmdlets["New-PortOutTenant"](Identity="fabrikam.com", DisplayName="Fabrikam",
                                        CountryOrRegion="US")
    portout.set_port_out_pin(identity="contoso.com", pin="602917")
    portout.cmdlets["Set-PortOutPin"](Identity="fabrikam.com", Pin="602917")
    assert portout.test_port_out_pin("contoso.com", Pin="602917") is True
    with pytest.raises(portout.UsageError) as caught:
        portout.set_port_out_pin("contoso.com", pin="602917", colour="red")
    assert caught.value.error_id == "NamedParameterNotFound,Set-PortOutPin"
    with pytest.raises(portout.UsageError) as missing:
        portout.set_port_out_pin("contoso.com")
    assert missing.value.error_id == "MissingMandatoryParameter,Set-PortOutPin"


def test_errors_carry_the_fully_qualified_id(session: portout.PortOutSession) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    with pytest.raises(portout.PinPolicyError) as caught:
        portout.set_port_out_pin("contoso.com", pin="123456")
    assert caught.value.error_id == "PinPolicyViolation,Set-PortOutPin"
    assert caught.value.target == "contoso.com"
    assert "123456" not in str(caught.value)


def test_not_connected_is_a_clear_error() -> None:
    portout.disconnect_port_out_store()
    with pytest.raises(portout.InvalidOperationError) as caught:
        portout.get_port_out_tenant()
    assert caught.value.error_id.startswith("NotConnected")


SHOULD_PROCESS = [
    ("New-PortOutTenant", {"Identity": "northwind.com", "DisplayName": "Northwind"}),
    ("Set-PortOutTenant", {"Identity": "contoso.com", "DisplayName": "Other"}),
    ("Remove-PortOutTenant", {"Identity": "contoso.com"}),
    ("Set-PortOutPin", {"Identity": "contoso.com", "Pin": "481605"}),
    ("Unlock-PortOutPin", {"Identity": "contoso.com"}),
    ("Set-PortOutPinPolicy", {"MinimumLength": 8}),
    ("Reset-PortOutPinPolicy", {"Identity": "contoso.com"}),
    ("Update-PortOutKey", {"NewKeyFile": "new.key"}),
]


@pytest.mark.parametrize("name, params", SHOULD_PROCESS, ids=[n for n, _ in SHOULD_PROCESS])
def test_what_if_changes_nothing_and_says_what_would_happen(
        session: portout.PortOutSession, location: str, host: portout.Host, tmp_path: Path,
        name: str, params: dict) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    portout.set_port_out_pin("contoso.com", pin="602917")
    if name == "Update-PortOutKey":
        params = {"NewKeyFile": str(tmp_path / "new.key")}
    before = logical_digest(location)
    assert portout.cmdlets[name](**params, WhatIf=True, host=host) is None
    action = portout.cmdlets[name].action
    target = params.get("Identity") or params.get("NewKeyFile") or "store"
    assert host.out.getvalue() == f'What if: Performing the operation "{action}" on target "{target}".\n'
    assert logical_digest(location) == before
    assert not (tmp_path / "new.key").exists()


@pytest.mark.parametrize("answer, removed", [("y\n", True), ("n\n", False), ("", None),
                                              ("a\n", True), ("l\n", False), ("?\ny\n", True)])
def test_high_impact_cmdlets_ask_first(session: portout.PortOutSession, answer: str,
                                       removed: bool | None) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    host = portout.Host(out=io.StringIO(), err=io.StringIO(), inp=io.StringIO(answer))
    if removed is None:  # the answers ran out: no one to answer, an error, nothing changed
        with pytest.raises(portout.InvalidOperationError) as refused:
            portout.remove_port_out_tenant("contoso.com", host=host)
        assert refused.value.error_id == "ConfirmationRequired,Remove-PortOutTenant"
        assert [t.tenant_id for t in portout.get_port_out_tenant()] == ["contoso.com"]
        return
    portout.remove_port_out_tenant("contoso.com", host=host)
    assert "Are you sure you want to perform this action?" in host.err.getvalue()
    assert 'Performing the operation "Remove tenant" on target "contoso.com".' in host.err.getvalue()
    remaining = [t.tenant_id for t in portout.get_port_out_tenant()]
    assert remaining == ([] if removed else ["contoso.com"])


@pytest.mark.parametrize("skip", [{"force": True}, {"confirm": False}])
def test_force_or_confirm_false_skip_the_question(session: portout.PortOutSession,
                                                   host: portout.Host, skip: dict) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    portout.remove_port_out_tenant("contoso.com", host=host, **skip)
    assert host.err.getvalue() == ""
    assert portout.get_port_out_tenant() == []


def test_confirm_asks_even_for_lower_impact(session: portout.PortOutSession) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    host = portout.Host(out=io.StringIO(), err=io.StringIO(), inp=io.StringIO("n\n"))
    portout.set_port_out_tenant("contoso.com", display_name="Other", confirm=True, host=host)
    assert portout.get_port_out_tenant("contoso.com").display_name == "Contoso"


def test_error_action_governs_the_other_targets(session: portout.PortOutSession,
                                                host: portout.Host) -> None:
    for t in ("a.example", "b.example"):
        portout.new_port_out_tenant(t, t)
    targets = ["a.example", "missing.example", "b.example"]
    with pytest.raises(portout.ObjectNotFoundError) as caught:
        portout.set_port_out_pin(targets, pin="602917", host=host)
    assert caught.value.error_id == "TenantNotFound,Set-PortOutPin"
    out = portout.set_port_out_pin(targets, pin="481605", error_action="Continue", host=host)
    assert (out.succeeded, out.failed) == (2, 1)
    assert [e.fully_qualified_error_id for e in out.errors] == ["TenantNotFound,Set-PortOutPin"]
    assert session.errors[-1].target == "missing.example"
    out = portout.set_port_out_pin(targets, pin="602918", error_action="SilentlyContinue", host=host)
    assert out.failed == 1 and len(out.errors) == 1
    out = portout.set_port_out_pin(targets, pin="602919", error_action="Ignore", host=host)
    assert out.failed == 1 and out.errors == []
    assert portout.test_port_out_pin("b.example", pin="602919")


def test_pipeline_by_property_name(session: portout.PortOutSession) -> None:
    portout.new_port_out_tenant(input_object=[
        {"Identity": "contoso.com", "DisplayName": "Contoso"},
        {"TenantId": "fabrikam.com", "DisplayName": "Fabrikam", "CountryOrRegion": "GB"}])
    tenants = portout.get_port_out_tenant()
    us = [t for t in tenants if t.country_or_region == "US"]
    out = portout.set_port_out_pin(us, pin="602917", pass_thru=True)
    assert [s.tenant_id for s in out] == ["contoso.com"]
    statuses = portout.get_port_out_pin(input_object=tenants)
    assert [s.pin_is_set for s in statuses] == [True, False]


def test_bulk_pins_hash_in_parallel_with_a_summary(session: portout.PortOutSession) -> None:
    ids = [f"tenant{i:03d}.example" for i in range(60)]
    portout.new_port_out_tenant(input_object=[{"Identity": i, "DisplayName": i} for i in ids])
    out = portout.set_port_out_pin(ids + ["nobody.example"], pin="602917", error_action="Continue")
    assert (out.succeeded, out.failed, out.summary) == (60, 1, "60 succeeded, 1 failed")
    assert all(s.pin_is_set for s in portout.get_port_out_pin(ids))


def test_verbose_narrates_on_stderr(session: portout.PortOutSession, host: portout.Host) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso", verbose=True, host=host)
    assert host.err.getvalue() == ('VERBOSE: Performing the operation "Create tenant" on target '
                                   '"contoso.com".\n')


def test_pass_thru(session: portout.PortOutSession) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    assert portout.set_port_out_tenant("contoso.com", display_name="C") is None
    assert portout.set_port_out_tenant("contoso.com", display_name="D", pass_thru=True).display_name == "D"


def test_policy_and_audit_cmdlets(session: portout.PortOutSession) -> None:
    portout.new_port_out_tenant("contoso.com", "Contoso")
    policy = portout.set_port_out_pin_policy("contoso.com", minimum_length=8,
                                             lockout_duration="00:30:00", pass_thru=True)
    assert policy.min_length == 8 and policy.lockout_duration.total_seconds() == 1800
    assert portout.test_port_out_pin_policy(pin="602917", identity="contoso.com").rules == ["TooShort"]
    assert portout.reset_port_out_pin_policy("contoso.com", pass_thru=True).min_length == 6
    events = portout.get_port_out_audit_log("contoso.com", event_type="PolicyChanged")
    assert [e.details for e in events] == ["MinimumLength LockoutDuration"]
    assert portout.get_port_out_audit_log(first=1)[0].event_type == "StoreCreated"
    assert portout.test_port_out_audit_log().is_valid


MATRIX = {
    # cmdlet: (params, roles that may)
    "New-PortOutTenant": ({"Identity": "northwind.com", "DisplayName": "N"}, {"StoreAdmin"}),
    "Get-PortOutTenant": ({"Identity": "contoso.com"}, {"StoreAdmin", "TelephonyAdmin", "Auditor"}),
    "Set-PortOutTenant": ({"Identity": "contoso.com", "DisplayName": "X"}, {"StoreAdmin"}),
    "Set-PortOutPin": ({"Identity": "contoso.com", "Pin": "481605"}, {"StoreAdmin", "TelephonyAdmin"}),
    "Get-PortOutPin": ({"Identity": "contoso.com"}, {"StoreAdmin", "TelephonyAdmin", "Auditor"}),
    "Test-PortOutPin": ({"Identity": "contoso.com", "Pin": "602917"}, {"StoreAdmin", "TelephonyAdmin"}),
    "Unlock-PortOutPin": ({"Identity": "contoso.com", "Force": True}, {"StoreAdmin", "TelephonyAdmin"}),
    "Set-PortOutTenant ZIP": ({"Identity": "contoso.com", "ServiceZipCode": "98052"},
                              {"StoreAdmin", "TelephonyAdmin"}),
    "Get-PortOutPinPolicy": ({"Identity": "contoso.com"}, {"StoreAdmin", "TelephonyAdmin", "Auditor"}),
    "Set-PortOutPinPolicy": ({"Identity": "contoso.com", "MinimumLength": 7},
                             {"StoreAdmin", "TelephonyAdmin"}),
    "Reset-PortOutPinPolicy": ({"Identity": "contoso.com"}, {"StoreAdmin", "TelephonyAdmin"}),
    "Test-PortOutPinPolicy": ({"Pin": "602917"}, {"StoreAdmin", "TelephonyAdmin", "Auditor"}),
    "Get-PortOutAuditLog": ({"Identity": "contoso.com"}, {"StoreAdmin", "TelephonyAdmin", "Auditor"}),
    "Test-PortOutAuditLog": ({}, {"StoreAdmin", "Auditor"}),
    "Save-PortOutAuditCheckpoint": ({}, {"StoreAdmin", "Auditor"}),
    "Remove-PortOutTenant": ({"Identity": "fabrikam.com", "Force": True}, {"StoreAdmin"}),
    "Update-PortOutKey": ({"NewKeyFile": "rotated.key", "Force": True}, {"StoreAdmin"}),
}


def state_digest(location: str) -> str:
    """Tenants and policies only: what a refused call must leave as it was."""
    return logical_digest(location, tables=("tenants", "policies"))


@pytest.mark.parametrize("role", ["StoreAdmin", "TelephonyAdmin", "Carrier", "Auditor"])
@pytest.mark.parametrize("name", list(MATRIX))
def test_role_matrix(location: str, tmp_path: Path, role: str, name: str) -> None:
    with portout.connect_port_out_store(location, create=True, hash_profile="test",
                                        allow_test_profile=True, actor="setup"):
        portout.new_port_out_tenant("contoso.com", "Contoso")
        portout.new_port_out_tenant("fabrikam.com", "Fabrikam")
        portout.set_port_out_pin("contoso.com", pin="602917")
    params, allowed = MATRIX[name]
    name = name.split(" ")[0]  # one cmdlet, another of its uses
    if name == "Update-PortOutKey":
        params = {**params, "NewKeyFile": str(tmp_path / "rotated.key")}
    if name == "Save-PortOutAuditCheckpoint":
        params = {**params, "Path": str(tmp_path)}
    before = state_digest(location)
    with portout.connect_port_out_store(location, create=True, hash_profile="test",
                                        allow_test_profile=True, actor=f"{role.lower()}@example",
                                        role=role):
        if role in allowed:
            portout.cmdlets[name](**params)
            return
        with pytest.raises(portout.PermissionDeniedError) as caught:
            portout.cmdlets[name](**params)
    assert caught.value.error_id == f"AccessDenied,{name}"
    assert isinstance(caught.value, PermissionError)
    assert state_digest(location) == before
    with portout.Store.open(location, profile="test", allow_test_profile=True) as s:
        [event] = s.audit_events(event_type="AccessDenied")
    assert event.actor == f"{role.lower()}@example" and event.outcome == "Denied"
    assert not (tmp_path / "rotated.key").exists() or name != "Update-PortOutKey"
    assert not list(tmp_path.glob("portout-checkpoint-*"))


def test_a_refused_call_changes_nothing_but_the_record_of_it(location: str) -> None:
    with portout.connect_port_out_store(location, create=True, hash_profile="test",
                                        allow_test_profile=True):
        portout.new_port_out_tenant("contoso.com", "Contoso")
        portout.set_port_out_pin("contoso.com", pin="602917")
    with portout.connect_port_out_store(location, create=True, hash_profile="test",
                                        allow_test_profile=True, role="Auditor", actor="auditor"):
        tenants_before = state_digest(location)
        for call in (lambda: portout.set_port_out_pin("contoso.com", pin="481605"),
                     lambda: portout.remove_port_out_tenant("contoso.com", force=True),
                     lambda: portout.unlock_port_out_pin("contoso.com", force=True)):
            with pytest.raises(portout.PermissionDeniedError):
                call()
        assert state_digest(location) == tenants_before
        assert len(portout.get_port_out_audit_log(event_type="AccessDenied")) == 3


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portout.progress, "DELAY", 0.0)
    with portout.Host(err=io.StringIO()).tracker("Set-PortOutPin", "tenant") as track:
        assert not track.active
    terminal = _Terminal()
    with portout.Host(err=terminal).tracker("Set-PortOutPin", "tenant") as track:
        track(10, 10)
    assert "Set-PortOutPin" in terminal.getvalue()
    one = _Terminal()
    with portout.Host(err=one).tracker("one target", "tenant") as track:
        track(1, 1)
    assert one.getvalue() == ""


def test_long_operations_draw_a_bar_on_a_terminal_only(session: portout.PortOutSession,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portout.progress, "DELAY", 0.0)
    for i in range(30):
        portout.new_port_out_tenant(f"t{i}.example", "T")
        portout.set_port_out_pin(f"t{i}.example", pin="602917")
    quiet = portout.Host(out=io.StringIO(), err=io.StringIO())
    assert portout.test_port_out_audit_log(host=quiet).is_valid
    assert quiet.err.getvalue() == ""
    terminal = portout.Host(out=io.StringIO(), err=_Terminal())
    report = portout.update_port_out_key(str(tmp_path / "new.key"), batch_size=7, force=True,
                                         host=terminal)
    assert report.records_rotated == 30
    assert "Update-PortOutKey" in terminal.err.getvalue()
