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
