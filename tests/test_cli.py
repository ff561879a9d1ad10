"""The command-line host, run as a user runs it: the installed console script."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

import portout
from conftest import logical_digest

PORTOUT = Path(sys.executable).with_name("portout")
PIN = "602917"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    return {**base, "PORTOUT_STORE": str(tmp_path / "store.db"), "PORTOUT_HASH_PROFILE": "test",
            "PORTOUT_ALLOW_TEST_PROFILE": "1", "PORTOUT_ACTOR": "admin@contoso.com",
            "PYTHONWARNINGS": "error", "XDG_DATA_HOME": str(tmp_path / "xdg")}


def run(env: dict[str, str] | None, *args: str, stdin: str = "",
        **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env=env, **kwargs)  # type: ignore[call-overload]


def ok(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = run(env, *args, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def contoso(env: dict[str, str]) -> dict[str, str]:
    ok(env, "New-PortOutTenant", "contoso.com", "Contoso", "US")
    ok(env, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n")
    return env


def test_the_console_script_is_installed() -> None:
    assert PORTOUT.exists(), "pip did not install the portout entry point"


def test_version() -> None:
    done = run(None, "--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, f"portout {portout.__version__}\n", "")


def test_help_lists_cmdlets_and_topics() -> None:
    done = run(None, "help")
    assert done.returncode == 0
    for name in portout.cmdlets:
        assert name in done.stdout
    assert "about_PortOutPin" in done.stdout and "about_PortOutScripts" in done.stdout


@pytest.mark.parametrize("name", list(portout.cmdlets))
def test_help_for_every_cmdlet(name: str) -> None:
    done = run(None, "help", name.lower())
    assert done.returncode == 0
    for part in ("NAME", "SYNOPSIS", "SYNTAX", "PARAMETERS", "EXAMPLES", "ROLES", name):
        assert part in done.stdout
    assert run(None, name, "-?").stdout == done.stdout


@pytest.mark.parametrize("topic", ["about_PortOutPin", "ABOUT_portoutpin"])
def test_help_topic_is_case_insensitive(topic: str) -> None:
    done = run(None, "help", topic)
    assert done.returncode == 0
    assert "6 to 10 characters" in done.stdout
    for rule in portout.PIN_RULES:
        assert rule in done.stdout


def test_help_on_errors_names_every_category() -> None:
    done = run(None, "help", "about_PortOutErrors")
    assert done.returncode == 0
    for category in portout.errors.CATEGORIES:
        assert category in done.stdout


@pytest.mark.parametrize("args", [[], ["Frobnicate-PortOut"], ["help", "about_Nothing"],
                                  ["help", "a", "b"], ["--version", "extra"], ["completion", "zsh"],
                                  ["--store"]])
def test_usage_errors_exit_two(args: list[str]) -> None:
    done = run(None, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr


@pytest.mark.parametrize("args", [["602917"], ["help", "602917"], ["Set-PortOutPin", "-602917x"]])
def test_words_that_could_be_a_pin_are_never_echoed(args: list[str], env: dict[str, str]) -> None:
    done = run(env, *args)
    assert done.returncode == 2
    assert "602917" not in done.stdout + done.stderr


def test_module_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "portout", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and portout.__version__ in done.stdout


def test_bash_completion(tmp_path: Path) -> None:
    script = tmp_path / "complete.sh"
    script.write_text(ok(None, "completion", "bash"))
    probe = (f"source {script}; COMP_WORDS=(portout Set-PortOutP); COMP_CWORD=1; _portout; "
             "echo ${COMPREPLY[@]}; COMP_WORDS=(portout Set-PortOutPin -Pa); COMP_CWORD=2; "
             "_portout; echo ${COMPREPLY[@]}")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    first, second = done.stdout.splitlines()
    assert first.split() == ["Set-PortOutPin", "Set-PortOutPinPolicy"]
    assert second.split() == ["-PassThru"]
    assert "-Pin " not in done.stdout  # secrets are never offered for the command line


# -- every cmdlet from the shell -----------------------------------------------------------

def test_every_cmdlet_from_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    out = ok(env, "New-PortOutTenant", "-Identity", "contoso.com", "-DisplayName", "Contoso")
    assert "TenantId             : contoso.com" in out
    ok(env, "New-PortOutTenant", "fabrikam.co.uk", "Fabrikam", "GB")
    table = ok(env, "Get-PortOutTenant")
    assert table.splitlines()[1].split()[:3] == ["TenantId", "DisplayName", "CountryOrRegion"]
    assert "fabrikam.co.uk" in table
    assert ok(env, "Set-PortOutTenant", "contoso.com", "-DisplayName", "Contoso Ltd") == ""
    assert "Contoso Ltd" in ok(env, "Get-PortOutTenant", "contoso.com")
    status = ok(env, "Set-PortOutPin", "contoso.com", "-PinFromStdin", "-PassThru", stdin=PIN + "\n")
    assert "PinIsSet             : True" in status
    assert ok(env, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin="000001\n") == "False\n"
    assert ok(env, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n") == "True\n"
    pin = json.loads(ok(env, "Get-PortOutPin", "-Identity", "contoso.com", "-OutputFormat", "Json"))
    assert pin["PinIsSet"] is True and pin["LastCheckResult"] == "Accepted"
    assert ok(env, "Unlock-PortOutPin", "contoso.com", "-Force") == ""
    policy = ok(env, "Set-PortOutPinPolicy", "contoso.com", "-MinimumLength", "8",
                "-LockoutDuration", "00:30:00", "-PassThru")
    assert "MinLength            : 8" in policy and "LockoutDuration      : 00:30:00" in policy
    assert "TenantMaxFailures    : 20" in policy and "ReviewDeadlineAction : Approve" in policy
    assert "MinLength            : 6" in ok(env, "Get-PortOutPinPolicy")
    result = ok(env, "Test-PortOutPinPolicy", "contoso.com", "-PinFromStdin", stdin="1234567\n")
    assert "IsValid    : False" in result and "{TooShort, Sequential, CommonPin}" in result
    assert "Overridden           : {}" in ok(env, "Reset-PortOutPinPolicy", "contoso.com", "-PassThru")
    events = ok(env, "Get-PortOutAuditLog", "-Identity", "contoso.com", "-EventType",
                "PinCheck", "-OutputFormat", "Csv").splitlines()
    assert events[0].startswith("EventId,OccurredDateTime,EventType") and len(events) == 3
    assert "IsValid            : True" in ok(env, "Test-PortOutAuditLog")
    report = ok(env, "Update-PortOutKey", str(tmp_path / "new.key"), "-Force", "-OutputFormat", "Json")
    assert json.loads(report)["RecordsRotated"] == 1
    env["PORTOUT_KEY_FILE"] = str(tmp_path / "new.key")
    assert ok(env, "Remove-PortOutTenant", "fabrikam.co.uk", "-Confirm:$false") == ""
    assert "fabrikam" not in ok(env, "Get-PortOutTenant")
    session = ok(env, "Connect-PortOutStore", "-OutputFormat", "List")
    assert "Role        : StoreAdmin" in session
    assert ok(env, "Disconnect-PortOutStore") == ""


def test_global_options_name_the_store(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    store = tmp_path / "elsewhere.db"
    args = ["--store", str(store), "--hash-profile", "test", "--allow-test-profile",
            "--actor", "ops@contoso.com"]
    ok(base, *args, "New-PortOutTenant", "contoso.com", "Contoso")
    assert store.exists()
    out = ok(base, *args, "Get-PortOutAuditLog", "-First", "2", "-OutputFormat", "Json")
    assert [e["Actor"] for e in json.loads(out)] == ["ops@contoso.com", "ops@contoso.com"]
    denied = run(base, *args, "--role", "Auditor", "New-PortOutTenant", "x.example", "X")
    assert denied.returncode == 1
    assert "FullyQualifiedErrorId : AccessDenied,New-PortOutTenant" in denied.stderr


# -- the PIN never on the command line -----------------------------------------------------

@pytest.mark.parametrize("spelling", ["-Pin", "-pin", "-PIN:602917", "-P", "-Pi"])
def test_a_pin_on_the_command_line_is_refused(contoso: dict[str, str], spelling: str) -> None:
    args = ["Set-PortOutPin", "contoso.com", spelling] + ([] if ":" in spelling else [PIN])
    done = run(contoso, *args)
    assert done.returncode == 2
    if spelling.lower().startswith("-pin"):
        assert "never taken from the command line" in done.stderr
        assert "-PinFromStdin" in done.stderr
    else:
        assert "ambiguous" in done.stderr  # as PowerShell: a prefix must name one parameter
    assert PIN not in done.stdout + done.stderr
    assert ok(contoso, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n") == "True\n"


def test_pin_from_a_file_descriptor(contoso: dict[str, str]) -> None:
    read, write = os.pipe()
    os.write(write, b"481605\n")
    os.close(write)
    try:
        done = run(contoso, "Set-PortOutPin", "contoso.com", "-PinFromFd", str(read),
                   pass_fds=(read,))
    finally:
        os.close(read)
    assert done.returncode == 0, done.stderr
    assert ok(contoso, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin="481605\n") == "True\n"


def _with_terminal(env: dict[str, str], args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run with a pseudo-terminal as the controlling terminal, typing `answers` at prompts."""
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.execve(str(PORTOUT), [str(PORTOUT), *args], env)
    seen = b""
    for answer in answers:
        deadline = time.monotonic() + 30
        fresh = b""  # wait for a new prompt: getpass drops what is typed before it
        while not fresh.rstrip().endswith(b":"):
            assert time.monotonic() < deadline, seen + fresh
            fresh += os.read(fd, 1024)
        seen += fresh
        os.write(fd, answer.encode() + b"\n")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


def test_the_pin_is_asked_twice_without_echo(contoso: dict[str, str]) -> None:
    code, screen = _with_terminal(contoso, ["Set-PortOutPin", "contoso.com"], ["481605", "481605"])
    assert code == 0, screen
    assert "Pin:" in screen and "Confirm Pin:" in screen
    assert "481605" not in screen
    assert ok(contoso, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin="481605\n") == "True\n"


def test_two_different_entries_change_nothing(contoso: dict[str, str], tmp_path: Path) -> None:
    before = logical_digest(tmp_path / "store.db")
    code, screen = _with_terminal(contoso, ["Set-PortOutPin", "contoso.com"], ["481605", "481606"])
    assert code == 2
    assert "differ" in screen and "481605" not in screen and "481606" not in screen
    assert logical_digest(tmp_path / "store.db") == before


def test_no_terminal_and_no_source_is_a_usage_error(contoso: dict[str, str]) -> None:
    done = run(contoso, "Test-PortOutPin", "contoso.com", start_new_session=True)
    assert done.returncode == 2
    assert "-PinFromStdin" in done.stderr


def test_the_pin_appears_in_no_output(contoso: dict[str, str]) -> None:
    outputs = []
    for args in (["Set-PortOutPin", "contoso.com", "-PinFromStdin", "-PassThru", "-Verbose"],
                 ["Test-PortOutPin", "contoso.com", "-PinFromStdin", "-Verbose"],
                 ["Test-PortOutPinPolicy", "-PinFromStdin"],
                 ["Set-PortOutPin", "nobody.example", "-PinFromStdin"],
                 ["Get-PortOutAuditLog", "-OutputFormat", "Json"],
                 ["Get-PortOutPin", "-OutputFormat", "Csv"]):
        done = run(contoso, *args, stdin="481605\n")
        outputs.append(done.stdout + done.stderr)
    assert not any("481605" in o or PIN in o for o in outputs)


# -- common parameters ---------------------------------------------------------------------

def test_what_if_from_the_shell_changes_nothing(contoso: dict[str, str], tmp_path: Path) -> None:
    before = logical_digest(tmp_path / "store.db")
    done = run(contoso, "Remove-PortOutTenant", "contoso.com", "-WhatIf")
    assert done.returncode == 0
    assert done.stdout == 'What if: Performing the operation "Remove tenant" on target "contoso.com".\n'
    done = run(contoso, "Set-PortOutPin", "contoso.com", "-PinFromStdin", "-WhatIf", stdin="481605\n")
    assert done.stdout == 'What if: Performing the operation "Set PIN" on target "contoso.com".\n'
    assert logical_digest(tmp_path / "store.db") == before


@pytest.mark.parametrize("answer", ["y\n", "n\n", ""])
def test_a_confirmation_with_no_terminal_is_an_error(contoso: dict[str, str], answer: str) -> None:
    """A cron job, a notebook, </dev/null: no one can answer, so nothing changes and the exit
    code says so (as pwsh -NonInteractive), whatever stdin holds."""
    store = contoso["PORTOUT_STORE"]
    before = logical_digest(store)
    done = run(contoso, "Remove-PortOutTenant", "contoso.com", stdin=answer)
    assert done.returncode == 1, done.stderr
    assert "ConfirmationRequired,Remove-PortOutTenant" in done.stderr
    assert "-Confirm:$false or -Force" in done.stderr
    assert logical_digest(store) == before
    assert run(contoso, "Remove-PortOutTenant", "contoso.com", "-Confirm:$false").returncode == 0
    assert "contoso.com" not in ok(contoso, "Get-PortOutTenant")


def test_switches_take_explicit_values(contoso: dict[str, str]) -> None:
    done = run(contoso, "Remove-PortOutTenant", "contoso.com", "-Confirm:$true", "-Force:$false",
               stdin="n\n")
    assert "ConfirmationRequired,Remove-PortOutTenant" in done.stderr
    assert "contoso.com" in ok(contoso, "Get-PortOutTenant")
    assert run(contoso, "Remove-PortOutTenant", "contoso.com", "-Force:$true").returncode == 0


def test_parameter_names_any_case_and_unambiguous_prefixes(env: dict[str, str]) -> None:
    ok(env, "new-portouttenant", "-ident", "contoso.com", "-DISPLAY", "Contoso", "-coun", "us")
    assert "Contoso" in ok(env, "GET-PORTOUTTENANT", "-id", "contoso.com")
    done = run(env, "Set-PortOutPinPolicy", "-M", "8")
    assert done.returncode == 2
    assert "ambiguous" in done.stderr and "-MinimumLength" in done.stderr


def test_comma_separated_arrays(env: dict[str, str]) -> None:
    for tenant in ("a.example", "b.example", "c.example"):
        ok(env, "New-PortOutTenant", tenant, tenant.upper())
    rows = ok(env, "Get-PortOutTenant", "-Identity", "a.example,c.example", "-OutputFormat", "Csv")
    assert [r.split(",")[0] for r in rows.splitlines()[1:]] == ["a.example", "c.example"]
    rows = ok(env, "Get-PortOutTenant", "a.example,", "b.example", "-OutputFormat", "Csv")
    assert [r.split(",")[0] for r in rows.splitlines()[1:]] == ["a.example", "b.example"]


def test_error_action_from_the_shell(env: dict[str, str]) -> None:
    ok(env, "New-PortOutTenant", "a.example", "A")
    ok(env, "New-PortOutTenant", "b.example", "B")
    done = run(env, "Set-PortOutPin", "a.example,missing.example,b.example", "-PinFromStdin",
               stdin=PIN + "\n")
    assert done.returncode == 1  # Continue, as PowerShell: the others go on
    assert done.stderr.count("FullyQualifiedErrorId : TenantNotFound,Set-PortOutPin") == 1
    assert "Set-PortOutPin: 2 succeeded, 1 failed." in done.stderr
    done = run(env, "Set-PortOutTenant", "missing.example,a.example", "-DisplayName", "Changed",
               "-ErrorAction", "Stop")
    assert done.returncode == 1
    assert done.stderr.count("FullyQualifiedErrorId") == 1
    assert "Changed" not in ok(env, "Get-PortOutTenant", "a.example")
    done = run(env, "Get-PortOutTenant", "missing.example", "-ErrorAction", "SilentlyContinue")
    assert (done.returncode, done.stderr) == (1, "")


def test_exit_codes(env: dict[str, str]) -> None:
    assert run(env, "Get-PortOutTenant", "-Identity", "nobody.example").returncode == 1
    assert run(env, "Get-PortOutTenant", "-Colour", "red").returncode == 2
    assert run(env, "New-PortOutTenant", "x.example").returncode == 2  # a mandatory value missing
    assert run(env, "Get-PortOutTenant", "-First", "2").returncode == 2
    assert run(env, "Get-PortOutTenant").returncode == 0


# -- scripts and bulk ----------------------------------------------------------------------

SCRIPT = """\
# A tenant admin's script
Connect-PortOutStore -Path '{store}' -Create -HashProfile test -AllowTestProfile `
    -Actor 'script@contoso.com'

New-PortOutTenant -Identity contoso.com -DisplayName 'Contoso, Inc.'   # quotes keep the comma
New-PortOutTenant fabrikam.com "Fabrikam `"East`"" US
{middle}
Set-PortOutTenant -Identity contoso.com,fabrikam.com -CountryOrRegion CA
Get-PortOutTenant -OutputFormat Csv
"""


# As `pwsh -File`: a script that ends normally exits 0 (its errors were written as they came);
# one stopped by a terminating error exits 1; `exit N` exits N.
@pytest.mark.parametrize("preference, failing, code, lines", [
    ("", "Get-PortOutTenant nobody.example", 0, 3),
    ("$ErrorActionPreference = 'Continue'", "Get-PortOutTenant nobody.example", 0, 3),
    ("$ErrorActionPreference = 'Stop'", "Get-PortOutTenant nobody.example", 1, None),
    ("$ErrorActionPreference = \"SilentlyContinue\"", "Get-PortOutTenant nobody.example", 0, 3),
    ("$ErrorActionPreference = 'Stop'", "Get-PortOutTenant -NoSuchParameter", 1, None),
    ("", "Get-PortOutTenant -NoSuchParameter", 0, 3),
    ("$ErrorActionPreference = 'Stop'", "# nothing fails", 0, 3),
    ("", "Get-PortOutTenant nobody.example\nif (-not $?) { }\nif ($Error.Count) { exit 4 }", 4, None),
])
def test_script_files(tmp_path: Path, preference: str, failing: str, code: int,
                      lines: int | None) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    script = tmp_path / "tenants.ps1"
    script.write_text(preference + "\n" + SCRIPT.format(store=tmp_path / "s.db", middle=failing))
    done = run(base, "-File", str(script))
    assert done.returncode == code, done.stderr
    if lines is None:
        assert "TenantId,DisplayName" not in done.stdout, "the script went on after it stopped"
        if code == 1:
            assert f"At {script}:8 char:1" in done.stderr
    else:
        csv_part = done.stdout[done.stdout.index("TenantId,DisplayName"):]
        rows = csv_part.strip().splitlines()
        assert len(rows) == lines
        assert rows[1].startswith('contoso.com,"Contoso, Inc.",CA')
        assert rows[2].startswith('fabrikam.com,"Fabrikam ""East""",CA')
    if "SilentlyContinue" in preference:
        assert "FullyQualifiedErrorId" not in done.stderr


def test_a_script_may_not_hold_a_pin(tmp_path: Path) -> None:
    script = tmp_path / "bad.ps1"
    script.write_text(f"Connect-PortOutStore -Path '{tmp_path / 's.db'}' -Create -HashProfile test "
                      f"-AllowTestProfile\nSet-PortOutPin contoso.com -Pin '{PIN}'\n")
    done = run(None, "-File", str(script))
    assert done.returncode == 2
    assert PIN not in done.stdout + done.stderr


@pytest.mark.parametrize("source", ["Get-PortOutTenant 'open", "Get-PortOutTenant |",
                                    "Invoke-Expression 'Get-PortOutTenant'", "& ./other.ps1",
                                    "Get-PortOutTenant > tenants.txt", "Get-PortOutTenat"])
def test_malformed_scripts_are_usage_errors(tmp_path: Path, source: str) -> None:
    script = tmp_path / "bad.ps1"
    script.write_text(source + "\n")
    assert run(None, "-File", str(script)).returncode == 2


def test_a_missing_script_is_a_usage_error(tmp_path: Path) -> None:
    assert run(None, "-File", str(tmp_path / "absent.ps1")).returncode == 2


def test_csv_bulk_with_bad_rows(env: dict[str, str], tmp_path: Path) -> None:
    rows = tmp_path / "tenants.csv"
    rows.write_text("Identity,DisplayName,CountryOrRegion\n"
                    "contoso.com,Contoso,US\n"
                    "not a tenant,Broken,US\n"
                    "fabrikam.com,Fabrikam,XX\n"
                    "northwind.com,Northwind,\n")
    done = run(env, "New-PortOutTenant", "-InputFile", str(rows), "-OutputFormat", "Csv")
    assert done.returncode == 1
    assert "New-PortOutTenant: 2 succeeded, 2 failed." in done.stderr
    assert "InvalidTenantId,New-PortOutTenant" in done.stderr
    assert "InvalidCountryCode,New-PortOutTenant" in done.stderr
    created = ok(env, "Get-PortOutTenant", "-OutputFormat", "Csv").splitlines()[1:]
    assert [r.split(",")[0] for r in created] == ["contoso.com", "northwind.com"]
    pins = tmp_path / "pins.csv"
    pins.write_text("TenantId,Pin\ncontoso.com,602917\nnorthwind.com,123456\n")
    done = run(env, "Set-PortOutPin", "-InputFile", str(pins))
    assert done.returncode == 1
    assert "Set-PortOutPin: 1 succeeded, 1 failed." in done.stderr
    assert "123456" not in done.stderr and PIN not in done.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("Identity,Colour\ncontoso.com,red\n")
    assert run(env, "New-PortOutTenant", "-InputFile", str(bad)).returncode == 2


@pytest.mark.parametrize("args", [("-MinimumLength", "4"), ("-MaximumLength", "15"),
                                  ("-MinimumLength", "4", "-MaximumLength", "15"), ("-MinimumLength", "5")])
@pytest.mark.parametrize("scope", [("contoso.com",), ()], ids=["tenant", "store"])
def test_a_policy_never_widens_the_seeds_six_to_ten_digits(contoso: dict[str, str], args: tuple[str, ...],
                                                           scope: tuple[str, ...]) -> None:
    """The reported case: a TelephonyAdmin set 4..15, then a 4-digit PIN that an order took."""
    store = contoso["PORTOUT_STORE"]
    env = {**contoso, "PORTOUT_ROLE": "TelephonyAdmin"} if scope else contoso
    before = logical_digest(store)
    done = run(env, "Set-PortOutPinPolicy", *scope, *args)
    assert done.returncode == 1, done.stderr
    assert "PinLengthOutsideSeed,Set-PortOutPinPolicy" in done.stderr
    assert "6 to 10 digits" in done.stderr
    assert logical_digest(store) == before, "a refused policy changed the store"
    done = run(contoso, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin="1357\n")
    assert done.returncode == 1 and "PinPolicyViolation,Set-PortOutPin" in done.stderr


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_store_file_is_never_read_as_input(tmp_path: Path, suffix: str) -> None:
    """Opening and closing the store's own file beside its connections would drop its locks."""
    store = tmp_path / "s.db"
    script = tmp_path / "bulk.ps1"
    script.write_text(f"Connect-PortOutStore -Path '{store}' -Create -HashProfile test -AllowTestProfile\n"
                      "New-PortOutTenant contoso.com Contoso US\n"
                      f"New-PortOutTenant -InputFile '{store}{suffix}'\n")
    done = run(None, "-File", str(script))
    assert done.returncode == 0, done.stderr  # the statement ended; the script went on, as in PowerShell
    assert "InputFileIsStoreFile,New-PortOutTenant" in done.stderr
    assert "never read as input" in done.stderr
    with portout.Store.open(store, allow_test_profile=True) as s:
        assert [t.tenant_id for t in s.tenants()] == ["contoso.com"]


def test_the_command_line_on_a_shared_store(tmp_path: Path) -> None:
    from conftest import POSTGRES

    if not POSTGRES:
        pytest.skip("no PostgreSQL server (scripts/test starts one)")
    import uuid

    import psycopg2

    schema = "cli_" + uuid.uuid4().hex[:12]
    with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_")}
    env = {**base, "PORTOUT_STORE": f"{POSTGRES}?options=-csearch_path%3D{schema}",
           "PORTOUT_KEY_FILE": str(tmp_path / "shared.key"), "PORTOUT_HASH_PROFILE": "test",
           "PORTOUT_ALLOW_TEST_PROFILE": "1"}
    try:
        ok(env, "New-PortOutTenant", "contoso.com", "Contoso")
        ok(env, "Set-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n")
        assert ok(env, "Test-PortOutPin", "contoso.com", "-PinFromStdin", stdin=PIN + "\n") == "True\n"
        session = ok(env, "Connect-PortOutStore", "-OutputFormat", "Json")
        assert "***" in json.loads(session)["Path"] and "portout-test" not in session
        copy = ok(env, "Copy-PortOutStore", str(tmp_path / "copy.db"), "-OutputFormat", "Json")
        assert json.loads(copy)["Audit"]["IsValid"] is True
    finally:
        with psycopg2.connect(POSTGRES) as db, db.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")


def test_the_tenant_scope_option_limits_the_session(env: dict[str, str]) -> None:
    ok(env, "New-PortOutTenant", "a.example", "A")
    ok(env, "New-PortOutTenant", "b.example", "B")
    scoped = ["--role", "TelephonyAdmin", "--tenant-scope", "a.example"]
    rows = ok(env, *scoped, "Get-PortOutTenant", "-OutputFormat", "Csv").splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["a.example"]
    denied = run(env, *scoped, "Get-PortOutPin", "b.example")
    assert denied.returncode == 1 and "AccessDenied,Get-PortOutPin" in denied.stderr
    env["PORTOUT_TENANT_SCOPE"] = "b.example"
    env["PORTOUT_ROLE"] = "Auditor"
    rows = ok(env, "Get-PortOutTenant", "-OutputFormat", "Csv").splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["b.example"]
