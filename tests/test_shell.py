"""The interactive shell, driven through a pseudo-terminal as a person at a terminal would drive
it (pexpect); and `portout` without a terminal, reading its script from standard input."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import portout
from conftest import logical_digest

pexpect = pytest.importorskip("pexpect")

PORTOUT = Path(sys.executable).with_name("portout")
PIN = "602917"
PROMPT = r"portout \[store\.db StoreAdmin\]>"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    with portout.Store.open(tmp_path / "store.db", profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso.com", "Contoso", "US")
        s.create_tenant("fabrikam.com", "Fabrikam", "US")
        s.set_pin("contoso.com", PIN)
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    return {**base, "PORTOUT_STORE": str(tmp_path / "store.db"), "PORTOUT_HASH_PROFILE": "test",
            "PORTOUT_ALLOW_TEST_PROFILE": "1", "PORTOUT_ACTOR": "admin@contoso.com",
            "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1",
            "COLUMNS": "160"}


def shell(env: dict[str, str], *args: str) -> "pexpect.spawn":
    child = pexpect.spawn(str(PORTOUT), list(args), env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 160))
    return child


def test_a_session_keeps_its_variables_and_blocks_go_on_at_a_continuation_prompt(env: dict[str, str]) -> None:
    child = shell(env)
    child.expect(PROMPT)
    child.sendline("$tenants = Get-PortOutTenant")
    child.expect(PROMPT)
    child.sendline("foreach ($t in $tenants) {")
    child.expect(">>")
    child.sendline('  "tenant: $($t.TenantId)"')
    child.expect(">>")
    child.sendline("}")
    child.expect("tenant: contoso.com")
    child.expect("tenant: fabrikam.com")
    child.expect(PROMPT)
    child.sendline("exit 7")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 7


def test_tab_completes_cmdlets_parameters_values_variables_and_properties(env: dict[str, str]) -> None:
    child = shell(env)
    child.expect(PROMPT)
    child.sendline("$tenants = Get-PortOutTenant")
    child.expect(PROMPT)
    child.send("get-portoutt\t")
    child.expect("Get-PortOutTenant")
    child.send(" -Ident\t")
    child.expect("-Identity")
    child.send(" contoso.com -OutputFormat j\t")
    child.expect("Json")
    child.sendline("")
    child.expect('"TenantId": "contoso.com"')
    child.expect(PROMPT)
    child.send("$tena\t")
    child.expect(r"\$tenants")
    child.send("[1].Displ\t")
    child.expect("DisplayName")
    child.sendline("")
    child.expect("Fabrikam")
    child.expect(PROMPT)
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_cancels_the_running_command_not_the_shell(env: dict[str, str]) -> None:
    child = shell(env)
    child.expect(PROMPT)
    child.sendline("$n = 0; while ($true) { $n++ }")
    child.expect(r"\$n\+\+ \}")  # the line echoed; the loop runs
    time.sleep(0.5)  # the terminal is back in cooked mode, where ^C is a signal
    child.sendintr()
    child.expect("cancelled")
    child.expect(PROMPT)
    child.sendline("6 * 7")
    child.expect("42")
    child.expect(PROMPT)
    child.sendintr()  # at the prompt: the line being typed goes, the shell stays
    child.expect(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_history_is_kept_private_and_never_holds_a_line_with_a_pin(env: dict[str, str], tmp_path: Path) -> None:
    child = shell(env)
    child.expect(PROMPT)
    child.sendline("Get-PortOutPin contoso.com | Select-Object -ExpandProperty PinIsSet")
    child.expect("True")
    child.expect(PROMPT)
    child.sendline(f"Set-PortOutPin contoso.com -Pin {PIN}9")
    child.expect("SecretInScript")
    child.expect(PROMPT)
    child.sendline(f"Test-PortOutPin contoso.com {PIN}")
    child.expect("not shown")
    child.expect(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    history = tmp_path / "state" / "portout" / "history"
    text = history.read_text()
    assert "Get-PortOutPin contoso.com" in text and PIN not in text
    assert stat.S_IMODE(history.stat().st_mode) == 0o600


def test_a_pin_read_with_read_host_in_the_shell(env: dict[str, str], tmp_path: Path) -> None:
    before = logical_digest(tmp_path / "store.db")
    child = shell(env)
    child.expect(PROMPT)
    child.sendline("$pin = Read-Host -AsSecureString 'New PIN'")
    child.expect("New PIN")
    child.sendline("4815162342")
    child.expect(PROMPT)
    child.sendline("Set-PortOutPin fabrikam.com -Pin $pin -PassThru | Select-Object -ExpandProperty PinIsSet")
    child.expect("True")
    child.expect(PROMPT)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    assert "4815162342" not in (tmp_path / "state" / "portout" / "history").read_text()
    assert logical_digest(tmp_path / "store.db") != before


def test_a_new_pin_is_asked_twice_on_the_terminal_and_must_match(env: dict[str, str], tmp_path: Path) -> None:
    before = logical_digest(tmp_path / "store.db")
    child = shell(env, "Set-PortOutPin", "fabrikam.com")
    child.expect("Pin: ")
    child.sendline("4815162342")
    child.expect("Confirm Pin: ")
    child.sendline("4815162343")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert logical_digest(tmp_path / "store.db") == before
    child = shell(env, "Test-PortOutPin", "contoso.com")  # a PIN to check is asked once
    child.expect("Pin: ")
    child.sendline(PIN)
    child.expect("True")
    child.expect(pexpect.EOF)


def test_without_a_terminal_the_script_comes_from_standard_input(env: dict[str, str]) -> None:
    source = "$names = Get-PortOutTenant | ForEach-Object { $_.TenantId }\n\"$($names.Count) tenants\"\nexit 3\n"
    done = subprocess.run([str(PORTOUT)], input=source, capture_output=True, text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (3, "2 tenants"), done.stderr
    refused = subprocess.run([str(PORTOUT)], input="Get-PortOutTenant\nInvoke-Expression 'x'\n",
                             capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 2 and refused.stdout == "" and "Invoke-Expression" in refused.stderr


# -- the pieces, in-process --------------------------------------------------------------------

def test_what_goes_on_at_a_continuation_prompt() -> None:
    from portout import commands
    from portout.host.errors import ScriptParseError
    from portout.host.script import parse_source
    from portout.host.shell import incomplete

    cmdlets = commands.BY_NAME
    for source, goes_on in (("if ($true) {", True), ("'open", True), ('"open', True), ("@'\nx", True),
                            ("Get-PortOutTenant |", True), ("foreach ($x in 1..3) {\n $x", True),
                            ("1 +* 2", False), ("Invoke-Expression 'x'", False), ("try { 1 }", True)):
        try:
            parse_source("", source, cmdlets)
        except ScriptParseError as error:
            assert incomplete(source, error) is goes_on, source
        else:
            raise AssertionError(f"{source!r} parsed")


def test_the_help_topic_example_runs_as_written(env: dict[str, str], tmp_path: Path) -> None:
    topic = subprocess.run([str(PORTOUT), "help", "about_PortOutScripts"], capture_output=True, text=True,
                           timeout=60).stdout
    example = "\n".join(line[2:] for line in topic.splitlines() if line.startswith("  "))
    (tmp_path / "s.ps1").write_text(example)
    (tmp_path / "tenants.csv").write_text("TenantId,Name\nnorthwind.com,Northwind\nnot a tenant,X\n")
    done = subprocess.run([str(PORTOUT), "-File", str(tmp_path / "s.ps1")], capture_output=True, text=True,
                          env=env, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "WARNING: not a tenant: InvalidTenantId,New-PortOutTenant" in done.stderr
    assert done.stdout.split() == ["TenantId", "--------", "fabrikam.com", "northwind.com"]


def test_no_line_with_a_word_that_could_be_a_pin_is_kept(env: dict[str, str], tmp_path: Path) -> None:
    history = tmp_path / "state" / "portout" / "history"
    history.parent.mkdir(parents=True)
    history.write_text("")
    history.chmod(0o644)  # made by something else, too open: made private
    child = shell(env)
    child.expect(PROMPT)
    child.sendline("$p = '481605'")
    child.expect(PROMPT)
    child.sendline("Get-PortOutTenant | Measure-Object | Select-Object -ExpandProperty Count")
    child.expect("2")
    child.expect(PROMPT)
    child.sendline("Get-PortOutTenant -Id24681357 x; exit 7")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 7
    text = history.read_text()
    assert "Measure-Object" in text and "481605" not in text and "24681357" not in text
    assert stat.S_IMODE(history.stat().st_mode) == 0o600


def test_the_end_of_input_at_a_pin_prompt_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    before = logical_digest(tmp_path / "store.db")
    child = shell(env, "Set-PortOutPin", "fabrikam.com")
    child.expect("Pin: ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "Traceback" not in child.before
    assert logical_digest(tmp_path / "store.db") == before
