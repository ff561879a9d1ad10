"""The cmdlet contract under real use, from where a user stands: the command line with no
terminal (a cron job, a CI step), and Python. Each case is one that was found broken."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import portout
from conftest import logical_digest

PORTOUT = Path(sys.executable).with_name("portout")
PIN = "602917"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTOUT_") and k != "COLUMNS"}
    return {**base, "PORTOUT_STORE": str(tmp_path / "store.db"), "PORTOUT_HASH_PROFILE": "test",
            "PORTOUT_ALLOW_TEST_PROFILE": "1", "PORTOUT_ACTOR": "admin@contoso.com",
            "XDG_DATA_HOME": str(tmp_path / "xdg")}


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PORTOUT), *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=env)


@pytest.fixture
def four(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    for tenant, country in (("a.com", "US"), ("gb.co.uk", "GB"), ("b.com", "US"), ("c.com", "US")):
        done = run(env, "New-PortOutTenant", tenant, tenant.split(".")[0].title(), country)
        assert done.returncode == 0, done.stderr
    return env


def pin_is_set(env: dict[str, str], tenant: str) -> bool:
    done = run(env, "Get-PortOutPin", tenant, "-OutputFormat", "Json")
    return json.loads(done.stdout)["PinIsSet"]


# -- -ErrorAction Stop with several targets -----------------------------------------------------

def test_stop_changes_no_target_after_the_first_failure_and_writes_the_ones_before(four: dict[str, str]) -> None:
    done = run(four, "Set-PortOutPin", "a.com,gb.co.uk,b.com,c.com", "-ErrorAction", "Stop", "-PinFromStdin",
               "-PassThru", "-OutputFormat", "Json", stdin=PIN + "\n")
    assert done.returncode == 1
    assert "PinNotAvailableOutsideUS" in done.stderr
    assert json.loads(done.stdout)["TenantId"] == "a.com"  # the result before the failure is written
    assert [pin_is_set(four, t) for t in ("a.com", "b.com", "c.com")] == [True, False, False]


def test_without_stop_every_target_runs_and_the_failure_is_reported(four: dict[str, str]) -> None:
    done = run(four, "Set-PortOutPin", "a.com,gb.co.uk,b.com,c.com", "-PinFromStdin", stdin=PIN + "\n")
    assert done.returncode == 1
    assert done.stderr.count("FullyQualifiedErrorId") == 1
    assert "3 succeeded, 1 failed" in done.stderr
    assert all(pin_is_set(four, t) for t in ("a.com", "b.com", "c.com"))


def test_stop_while_adding_numbers_writes_the_numbers_committed(four: dict[str, str]) -> None:
    done = run(four, "Add-PortOutPhoneNumber", "a.com", "+1 425 555 0100,not-a-number,+1 425 555 0101",
               "-ErrorAction", "Stop", "-OutputFormat", "Csv")
    assert done.returncode == 1
    assert "+14255550100" in done.stdout and "+14255550101" not in done.stdout
    listed = run(four, "Get-PortOutPhoneNumber", "a.com", "-OutputFormat", "Json").stdout
    assert "+14255550100" in listed and "+14255550101" not in listed


def test_stop_in_python_carries_the_partial_output(tmp_path: Path) -> None:
    with portout.connect_port_out_store(tmp_path / "s.db", create=True, hash_profile="test",
                                        allow_test_profile=True):
        for tenant, country in (("a.com", "US"), ("gb.co.uk", "GB"), ("b.com", "US")):
            portout.new_port_out_tenant(tenant, "T", country)
        with pytest.raises(portout.InvalidOperationError) as caught:
            portout.set_port_out_pin(["a.com", "gb.co.uk", "b.com"], pin=PIN, pass_thru=True,
                                     error_action="Stop")
        partial = caught.value.partial_output
        assert [s.tenant_id for s in partial] == ["a.com"] and partial.succeeded == 1
        assert not portout.get_port_out_pin("b.com").pin_is_set
        assert PIN not in repr(caught.value) + str(partial)


# -- Continue reports, always ------------------------------------------------------------------

class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_continue_in_python_returns_the_error_and_shows_it_on_a_terminal(tmp_path: Path) -> None:
    with portout.connect_port_out_store(tmp_path / "s.db", create=True, hash_profile="test",
                                        allow_test_profile=True):
        quiet = portout.get_port_out_tenant("nosuch.com", error_action="Continue",
                                            host=portout.Host(err=io.StringIO()))
        assert quiet is not None and len(quiet) == 0
        assert [e.fully_qualified_error_id for e in quiet.errors] == ["TenantNotFound,Get-PortOutTenant"]
        terminal = _Terminal()
        shown = portout.get_port_out_tenant("nosuch.com", error_action="Continue",
                                            host=portout.Host(err=terminal))
        assert "TenantNotFound" in terminal.getvalue() and len(shown.errors) == 1


# -- -OutputFormat ---------------------------------------------------------------------------

def test_output_formats_are_case_insensitive_and_checked_before_anything_runs(four: dict[str, str]) -> None:
    done = run(four, "Get-PortOutTenant", "a.com", "-OutputFormat", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["TenantId"] == "a.com"
    before = logical_digest(Path(four["PORTOUT_STORE"]))
    done = run(four, "Set-PortOutTenant", "a.com", "-DisplayName", "Changed", "-OutputFormat", "Xml")
    assert done.returncode == 2 and done.stdout == ""
    assert "-OutputFormat takes Table, List, Json, Csv" in done.stderr
    assert logical_digest(Path(four["PORTOUT_STORE"])) == before


def test_an_empty_json_result_is_an_empty_array(four: dict[str, str]) -> None:
    done = run(four, "Get-PortOutOrder", "-OutputFormat", "Json")
    assert (done.returncode, done.stdout.strip()) == (0, "[]")


# -- tables ----------------------------------------------------------------------------------

def test_tables_keep_to_the_terminal_width_with_a_default_view(four: dict[str, str]) -> None:
    for columns in ("60", "100", "200"):
        done = run({**four, "COLUMNS": columns}, "Get-PortOutTenant")
        assert done.returncode == 0
        assert max(len(line) for line in done.stdout.splitlines()) <= int(columns)
        assert "TenantId" in done.stdout and "gb.co.uk" in done.stdout
    wide = run({**four, "COLUMNS": "200"}, "Get-PortOutTenant").stdout
    assert "CountryOrRegion" in wide and "LastModifiedBy" not in wide  # the view, not every property
    every = run(four, "Get-PortOutTenant", "-OutputFormat", "List").stdout
    assert "LastModifiedBy" in every and "CreatedDateTime" in every


def test_format_list_and_select_star_show_every_property(four: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "s.ps1"
    script.write_text("Get-PortOutTenant a.com | Format-List\nGet-PortOutTenant | Select-Object * -First 1\n"
                      "Get-PortOutTenant | Format-Table\n")
    done = run({**four, "COLUMNS": "250"}, "-File", str(script))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("LastModifiedBy") == 2  # the list and Select-Object *, not the table


# -- which calls create a store ----------------------------------------------------------------

def test_a_mistyped_store_is_not_created_and_is_reported_once(env: dict[str, str], tmp_path: Path) -> None:
    wrong = tmp_path / "typo" / "stroe.db"
    done = run(env, "--store", str(wrong), "Get-PortOutTenant")
    assert done.returncode == 1 and done.stdout == ""
    assert "StoreNotFound" in done.stderr and str(wrong) in done.stderr.splitlines()[0]
    assert done.stderr.count("FullyQualifiedErrorId") == 1 and "No store is connected" not in done.stderr
    assert not wrong.exists() and not Path(str(wrong) + ".key").exists()

    script = tmp_path / "s.ps1"
    script.write_text("Get-PortOutTenant\nGet-PortOutPin\n")
    done = run(env, "--store", str(wrong), "-File", str(script))
    assert done.returncode == 1 and done.stderr.count("FullyQualifiedErrorId") == 1
    assert not wrong.exists()


def test_only_creating_calls_create_a_store(env: dict[str, str], tmp_path: Path) -> None:
    made = tmp_path / "new.db"
    done = run(env, "--store", str(made), "New-PortOutTenant", "contoso.com", "Contoso")
    assert done.returncode == 0, done.stderr
    assert made.exists() and Path(str(made) + ".key").exists()
    other = tmp_path / "other.db"
    script = tmp_path / "s.ps1"
    script.write_text(f"Connect-PortOutStore -Path '{other}' -Create | Out-Null\nGet-PortOutTenant\n")
    assert run(env, "-File", str(script)).returncode == 0
    assert other.exists()
    with pytest.raises(portout.ObjectNotFoundError) as caught:
        portout.connect_port_out_store(tmp_path / "absent.db", hash_profile="test", allow_test_profile=True)
    assert caught.value.error_id.startswith("StoreNotFound") and "absent.db" in caught.value.message


def test_key_errors_name_the_key_file(four: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere" / "store.key"
    done = run(four, "--key-file", str(missing), "Get-PortOutTenant")
    assert done.returncode == 1
    assert "KeyFileNotFound" in done.stderr and str(missing) in done.stderr.splitlines()[0]


# -- bash completion -------------------------------------------------------------------------

def complete(env: dict[str, str], line: str, cwd: Path) -> list[str]:
    """What bash offers for `line` (ending where Tab is pressed), with portout's completion."""
    script = run(env, "completion", "bash").stdout
    words = line.split(" ")
    program = (script + "\nCOMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + ")\n"
               f"COMP_CWORD={len(words) - 1}\n_portout\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, cwd=cwd, timeout=30)
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


def test_bash_completion(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "rollout.ps1").write_text("")
    (tmp_path / "tenants.csv").write_text("")
    assert complete(env, "portout set-portoutp", tmp_path) == ["Set-PortOutPin", "Set-PortOutPinPolicy"]
    assert "Set-CsOnlineNumberPortOutOrderPin" in complete(env, "portout set-cs", tmp_path)
    assert complete(env, "portout Get-PortOutTenant -OutputFormat j", tmp_path) == ["Json"]
    assert complete(env, "portout Get-PortOutTenant -ErrorAction s", tmp_path) == ["Stop", "SilentlyContinue"]
    assert complete(env, "portout --role tel", tmp_path) == ["TelephonyAdmin"]
    assert complete(env, "portout Connect-PortOutStore -Role aud", tmp_path) == ["Auditor"]
    assert complete(env, "portout -File roll", tmp_path) == ["rollout.ps1"]
    assert complete(env, "portout New-PortOutTenant -InputFile ten", tmp_path) == ["tenants.csv"]
    assert complete(env, "portout Get-PortOutTenant -Pin", tmp_path) == []
    assert complete(env, "portout Set-PortOutPin -PinFrom", tmp_path) == ["-PinFromStdin", "-PinFromFd"]
    assert "-Identity" in complete(env, "portout get-portouttenant -", tmp_path)


# -- a PIN comes into a script only at run time, and is never shown ------------------------------

@pytest.fixture
def pinned(four: dict[str, str]) -> dict[str, str]:
    done = run(four, "Set-PortOutPin", "a.com", "-PinFromStdin", stdin=PIN + "\n")
    assert done.returncode == 0, done.stderr
    return four


def still_the_pin(env: dict[str, str]) -> bool:
    return run(env, "Test-PortOutPin", "a.com", "-PinFromStdin", stdin=PIN + "\n").stdout.strip() == "True"


def script(env: dict[str, str], tmp_path: Path, source: str, *args: str, stdin: str = ""
           ) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "s.ps1"
    path.write_text(source)
    return run(env, "-File", str(path), *args, stdin=stdin)


@pytest.mark.parametrize("source, args", [
    ("param($Identity, $Pin)\nSet-PortOutPin -Identity $Identity -Pin $Pin\n", ("-Identity", "a.com", "-Pin", "4815162")),
    ("param($Identity, $Pin)\nSet-PortOutPin -Identity $Identity -Pin $Pin\n", ("a.com", "4815162")),
    ("$p = '4815162'\nSet-PortOutPin a.com -Pin $p\n", ()),
    ("Set-PortOutPin a.com -Pin ('48151' + '62')\n", ()),
    ("Set-PortOutPin a.com -Pin $('4815162')\n", ()),
    ("$p = @'\n4815162\n'@\nSet-PortOutPin a.com -Pin $p\n", ()),
    ("$a = @{ Identity = 'a.com'; Pin = '4815162' }\nSet-PortOutPin @a\n", ()),
    ("function f($p) { Set-PortOutPin a.com -Pin $p }\nf '4815162'\n", ()),
    ("[pscustomobject]@{ Identity = 'a.com'; Pin = '4815162' } | Set-PortOutPin\n", ()),
    ("$s = Read-Host -AsSecureString\nGet-PortOutTenant -Identity $s\n", ()),
])
def test_a_pin_made_in_a_script_or_given_on_its_command_line_is_refused(
        pinned: dict[str, str], tmp_path: Path, source: str, args: tuple[str, ...]) -> None:
    done = script(pinned, tmp_path, source, *args, stdin="4815162\n")
    assert "SecretInScript" in done.stderr or "only a PIN parameter takes one" in done.stderr, done.stderr
    assert "4815162" not in done.stdout + done.stderr
    assert still_the_pin(pinned)


def test_a_pin_read_from_a_file_the_script_names_is_taken(pinned: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "pins.csv").write_text("TenantId,PIN\na.com,4815162\n")
    done = script(pinned, tmp_path, f"Import-Csv '{tmp_path / 'pins.csv'}' | Set-PortOutPin -PassThru |"
                                    " Select-Object -ExpandProperty PinIsSet\n")
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr
    assert not still_the_pin(pinned)


def test_a_pin_has_one_source(pinned: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "pins.csv").write_text("Identity,Pin\na.com,4815162\n")
    for extra in (["-InputFile", str(tmp_path / "pins.csv"), "-PinFromStdin"], ["a.com", "-PinFromStdin", "-PinFromFd", "0"]):
        done = run(pinned, "Set-PortOutPin", *extra, stdin="4815163\n")
        assert done.returncode == 2 and "ParameterAlreadyBound" in done.stderr, done.stderr
    assert still_the_pin(pinned)
    done = run(pinned, "Get-PortOutPin", "a.com", "-PinFromStdin", stdin="4815163\n")
    assert done.returncode == 2 and "reads no PIN" in done.stderr


@pytest.mark.parametrize("args", [
    ["Set-PortOutPin", "a.com", "-Pin481605"], ["Set-PortOutPin", "a.com", "-Ident481605"],
    ["Set-PortOutPin", "481605", "-PinFromStdin"], ["Get-PortOutPin", "481605"],
    ["Get-PortOutTenant", "481605", "-OutputFormat", "Json"],
])
def test_no_error_shows_a_word_that_could_be_a_pin(pinned: dict[str, str], args: list[str]) -> None:
    done = run(pinned, *args, stdin="602918\n")
    assert done.returncode != 0
    assert "481605" not in done.stdout + done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("line", ["$s = [SecureString]'481605'", "ConvertTo-SecureString '481605' -AsPlainText",
                                  "Set-PortOutPin a.com -Pi '481605'"])
def test_no_script_error_shows_a_line_that_could_hold_a_pin(pinned: dict[str, str], tmp_path: Path,
                                                            line: str) -> None:
    done = script(pinned, tmp_path, line + "\n")
    assert done.returncode != 0 or done.stderr
    assert "481605" not in done.stdout + done.stderr and "Traceback" not in done.stderr


# -- typed errors, never a traceback -----------------------------------------------------------

def test_broken_pipes_full_disks_and_odd_inputs_are_typed_errors(pinned: dict[str, str], tmp_path: Path) -> None:
    piped = subprocess.run(f"'{PORTOUT}' help | head -c 1", shell=True, capture_output=True, text=True,
                           env=pinned, timeout=60)
    assert "Traceback" not in piped.stderr
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(PORTOUT), "help"], stdout=full, stderr=subprocess.PIPE, text=True,
                              env=pinned, timeout=60)
    assert done.returncode == 1 and "cannot be written" in done.stderr and "Traceback" not in done.stderr
    done = run(pinned, "Set-PortOutPin", "b.com", "-PinFromFd", "99999999999999999999")
    assert done.returncode == 2 and "SecretNotProvided" in done.stderr
    (tmp_path / "bin.ps1").write_bytes(b"\xff\xfe\x00bad")
    done = run(pinned, "-File", str(tmp_path / "bin.ps1"))
    assert done.returncode == 2 and "not UTF-8" in done.stderr
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00\x81bad")
    done = script(pinned, tmp_path, f"Import-Csv '{tmp_path / 'bin.csv'}'\nGet-Content '{tmp_path / 'bin.csv'}'\n")
    assert done.stderr.count("FileNotText") == 2 and "Traceback" not in done.stderr
    done = script(pinned, tmp_path, "foreach ($i in 1..100000000) { }\n")
    assert "RangeTooLarge" in done.stderr


def test_mistakes_of_the_call_exit_two(pinned: dict[str, str], tmp_path: Path) -> None:
    for args in (["Get-PortOutAuditLog", "-First", "abc"], ["Get-PortOutAuditLog", "-First", "99999999999999999999"],
                 ["--role", "Root", "Get-PortOutTenant"], ["--hash-profile", "bogus", "Get-PortOutTenant"]):
        done = run(pinned, *args)
        assert done.returncode == 2, (args, done.stderr)
    (tmp_path / "ids.csv").write_text("Identity\nb.com\nc.com\n")
    done = run(pinned, "Get-PortOutPin", "a.com,b.com", "-InputFile", str(tmp_path / "ids.csv"))
    assert done.returncode == 2 and "ParameterAlreadyBound" in done.stderr
    done = run(pinned, "Get-PortOutPin", "a.com", "-InputFile", str(tmp_path / "ids.csv"), "-OutputFormat", "Csv")
    assert done.returncode == 0 and done.stdout.count("a.com") == 2  # one value, for every row


def test_what_if_creates_no_store(env: dict[str, str], tmp_path: Path) -> None:
    where = tmp_path / "nodir" / "s.db"
    done = run(env, "--store", str(where), "New-PortOutTenant", "x.com", "X", "-WhatIf")
    assert done.returncode == 1 and "StoreNotFound" in done.stderr
    assert not where.parent.exists()
