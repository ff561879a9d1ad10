"""Property tests of the command line's parser, and hostile values through the command line."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portout
from conftest import logical_digest
from hostile import TEXT
from portout import cli, commands
from portout.cmdlet import UsageError
from portout.host import nodes as n
from portout.host import script
from portout.host.evaluator import Runtime
from portout.host.script import Console, parse_source

CMDLETS = commands.BY_NAME
words = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                min_size=1, max_size=20)


def quote(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def bind(runtime: Runtime, command: n.Command) -> dict:
    cmdlet = CMDLETS[command.name.lower()]
    bound, *_ = runtime.bind_cmdlet(cmdlet, command, runtime.script_scope)
    return bound


@given(st.lists(words, min_size=1, max_size=5))
def test_quoted_commas_never_split_an_array(items: list[str]) -> None:
    source = "Get-PortOutTenant -Identity " + ",".join(quote(w) for w in items)
    script = parse_source("s.ps1", source, CMDLETS)
    command = script.block.statements[0].elements[0]
    assert bind(Console(CMDLETS).runtime(), command)["Identity"] == (items if len(items) > 1 else items[0])


@given(st.lists(words, min_size=1, max_size=5))
def test_command_line_words_are_bound_as_the_shell_passed_them(items: list[str]) -> None:
    # A word is never re-parsed: quotes, dollars and semicolons in it are text; only its commas
    # make a list, and only for a parameter that takes several values.
    runtime = Console(CMDLETS).runtime(command_line=True)
    word = items[0].replace(",", ";")
    if word.lower() in ("$true", "$false", "$null") or script.is_parameter_word(word):
        return
    command = script.command_node("Set-PortOutTenant", ["-Identity", "a.example", "-DisplayName", word])
    assert bind(runtime, command.elements[0])["DisplayName"] == word


@settings(max_examples=200)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8),
       st.sampled_from(sorted(CMDLETS)))
def test_any_argument_list_binds_or_is_a_usage_error(arguments: list[str], name: str) -> None:
    runtime = Console(CMDLETS).runtime(command_line=True)
    command = script.command_node(name, arguments).elements[0]
    try:
        bound = bind(runtime, command)
    except UsageError as error:
        assert error.error_id
        return
    for p in CMDLETS[name].parameters:
        assert not (p.secret and p.name in bound), "a secret was taken from the command line"


@pytest.fixture
def cli_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store.db"
    with portout.Store.open(path, profile="test", allow_test_profile=True) as s:
        s.create_tenant("contoso.example", "Contoso")
        s.set_pin("contoso.example", "602917")
        s.add_phone_number("contoso.example", "+14255550100")
    for name in list(os.environ):
        if name.startswith("PORTOUT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PORTOUT_STORE", str(path))
    monkeypatch.setenv("PORTOUT_HASH_PROFILE", "test")
    monkeypatch.setenv("PORTOUT_ALLOW_TEST_PROFILE", "1")
    return path


LINES = [
    ["New-PortOutTenant", "-Identity", "{}", "-DisplayName", "N"],
    ["New-PortOutTenant", "-Identity", "n.example", "-DisplayName", "{}", "-CountryOrRegion", "{}"],
    ["Get-PortOutTenant", "-Identity", "{}"],
    ["Set-PortOutTenant", "contoso.example", "-DisplayName", "{}"],
    ["Get-PortOutPin", "-Identity", "{}"],
    ["Set-PortOutPinPolicy", "-Identity", "contoso.example", "-MinimumLength", "{}"],
    ["Set-PortOutPinPolicy", "-LockoutDuration", "{}"],
    ["Get-PortOutAuditLog", "-Since", "{}"],
    ["Get-PortOutAuditLog", "-First", "{}"],
    ["Add-PortOutPhoneNumber", "contoso.example", "{}"],
    ["Get-PortOutOrder", "-OrderId", "{}"],
    ["Receive-PortOutNotification", "-Consumer", "{}"],
    ["Remove-PortOutTenant", "{}", "-Force"],
]


@pytest.mark.parametrize("line", LINES, ids=[" ".join(l[:2]) for l in LINES])
def test_hostile_values_from_the_command_line(cli_store: Path, line: list[str]) -> None:
    for value in TEXT[::3]:  # a third of the corpus, for every line
        arguments = [value if part == "{}" else part for part in line]
        before = logical_digest(cli_store)
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(arguments, out=out, err=err, inp=io.StringIO(""))
        assert code in (0, 1, 2), (arguments[:3], code)
        assert "Traceback" not in err.getvalue()
        if code != 0:  # refused: a PowerShell-style error record, and nothing changed
            assert "FullyQualifiedErrorId" in err.getvalue() or "Usage" in err.getvalue()
            assert logical_digest(cli_store) == before, arguments[:4]
