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
from portout import cli
from portout.cmdlet import UsageError

words = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
                min_size=1, max_size=20)


def quote(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


@given(st.lists(words, min_size=1, max_size=8))
def test_single_quoted_words_come_back_as_they_were(items: list[str]) -> None:
    source = "Get-PortOutTenant " + " ".join(quote(w) for w in items) + "\n"
    [(line, tokens)] = cli.tokenize_script(source)
    assert line == 1
    assert [t.text for t in tokens[1:]] == items
    assert all(t.fully_quoted for t in tokens[1:])


@given(st.lists(words, min_size=1, max_size=5))
def test_quoted_commas_never_split_an_array(items: list[str]) -> None:
    source = "Get-PortOutTenant -Identity " + ",".join(quote(w) for w in items)
    [(_, tokens)] = cli.tokenize_script(source)
    cmdlet, bound, _ = cli.parse_command(tokens)
    assert bound["Identity"] == items


@settings(max_examples=200)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8),
       st.sampled_from(sorted(cli.CMDLETS)))
def test_any_argument_list_parses_or_is_a_usage_error(arguments: list[str], name: str) -> None:
    tokens = [cli.Token(name), *(cli.Token(a) for a in arguments)]
    try:
        cmdlet, bound, extra = cli.parse_command(tokens)
    except UsageError as error:
        assert error.error_id
        return
    for p in cmdlet.parameters:
        assert not (p.secret and p.name in bound), "a secret was taken from the command line"


@given(st.text(max_size=40))
def test_any_script_text_tokenizes_or_is_a_usage_error(source: str) -> None:
    try:
        statements = cli.tokenize_script(source)
    except UsageError:
        return
    for line, tokens in statements:
        assert line >= 1 and tokens


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
