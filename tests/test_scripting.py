"""The scripting host: the language subset, its refusals before anything runs, and its rules for
values, as PowerShell's specification gives them. Scripts run in-process through
portout.host.script.run_file, against a store of the test's own."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import portout
from conftest import logical_digest
from portout import commands
from portout import session as sessions
from portout.host.errors import ScriptParseError
from portout.host.script import Console, parse_source, run_file

CMDLETS = commands.BY_NAME


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def store(tmp_path: Path):
    with portout.Store.open(tmp_path / "s.db", profile="test", allow_test_profile=True,
                            actor="admin@contoso.com") as s:
        s.create_tenant("contoso.com", "Contoso", "US")
        s.create_tenant("fabrikam.com", "Fabrikam", "US")
        s.create_tenant("northwind.co.uk", "Northwind", "GB")
        s.set_pin("contoso.com", "602917")
        yield s


def script(tmp_path: Path, store: portout.Store | None, source: str, *args: str, stdin: str = "") -> Run:
    path = tmp_path / "s.ps1"
    path.write_text(source)
    out, err = io.StringIO(), io.StringIO()
    session = sessions.connect(store) if store is not None else None
    try:
        code = run_file(str(path), list(args), Console(CMDLETS, out, err, io.StringIO(stdin)))
    finally:
        if session is not None:
            sessions.disconnect(session)
    return Run(code, out.getvalue(), err.getvalue())


def lines(tmp_path: Path, source: str, store: portout.Store | None = None) -> list[str]:
    done = script(tmp_path, store, source)
    assert done.err == "", done.err
    return done.out.splitlines()


# -- refused before anything runs -------------------------------------------------------------

REFUSED = [
    ("Invoke-Expression 'Remove-PortOutTenant x'", 2, 1, "Invoke-Expression", "UnsupportedConstruct"),
    ("iex $code", 2, 1, "iex", "UnsupportedConstruct"),
    ("& ./other.ps1", 2, 1, "&", "UnsupportedConstruct"),
    ("& { 'x' }", 2, 1, "&", "UnsupportedConstruct"),
    (". ./lib.ps1", 2, 1, ".", "UnsupportedConstruct"),
    ("Start-Process bash", 2, 1, "Start-Process", "UnsupportedConstruct"),
    ("/bin/sh -c 'id'", 2, 1, "/bin/sh", "UnsupportedConstruct"),
    ("Add-Type -TypeDefinition 'x'", 2, 1, "Add-Type", "UnsupportedConstruct"),
    ("Get-PortOutTenant > tenants.txt", 2, 19, "> file", "UnsupportedConstruct"),
    ("Get-PortOutTenant 2>&1", 2, 19, "2>&", "UnsupportedConstruct"),
    ("$x = 'a'.Normalize()", 2, 10, ".Normalize()", "UnsupportedConstruct"),
    ("[System.IO.File]::ReadAllText('/etc/passwd')", 2, 1, "[System.IO.File]", "TypeNotFound"),
    ("[datetime]::FromFileTime(1)", 2, 13, "[datetime]::FromFileTime", "UnsupportedConstruct"),
    ("Set-PortOutPin contoso.com -Pin '602917'", 2, 28, "-Pin", "SecretInScript"),
    ("Set-PortOutPin contoso.com -Pin:602917", 2, 28, "-Pin", "SecretInScript"),
    ("Get-PortOutTenat", 2, 1, "Get-PortOutTenat", "CommandNotFoundException"),
    ("class Foo { }", 2, 1, "class", "UnsupportedConstruct"),
    ("trap { continue }", 2, 1, "trap", "UnsupportedConstruct"),
    ("if ($true) { 'x'", 2, 12, "{", "MissingEndCurlyBrace"),
    ("'open", 2, 1, "'", "TerminatorExpectedAtEndOfString"),
    ("Get-PortOutTenant | 'x'", 2, 21, "'", "ExpressionsMustBeFirstInPipeline"),
    ("$x = $a.$name", 2, 9, ".$", "UnsupportedConstruct"),
    ("try { 'x' } catch [System.IO.IOException] { }", 2, 19, "[System.IO.IOException]", "UnsupportedConstruct"),
]


@pytest.mark.parametrize("source, line, column, construct, error_id", REFUSED,
                         ids=[r[0][:30] for r in REFUSED])
def test_outside_the_subset_is_refused_before_anything_runs(tmp_path: Path, store: portout.Store, source: str,
                                                             line: int, column: int, construct: str,
                                                             error_id: str) -> None:
    before = logical_digest(store.path)
    text = "New-PortOutTenant before.example 'Before' US\n" + source + "\n"
    with pytest.raises(ScriptParseError) as refused:
        parse_source("s.ps1", text, CMDLETS)
    assert (refused.value.error_id, refused.value.line) == (error_id, line)
    assert refused.value.column == column, refused.value.render()
    assert construct in refused.value.construct or construct in refused.value.message
    done = script(tmp_path, store, text)
    assert done.code == 2 and done.out == ""
    assert f"FullyQualifiedErrorId : {error_id}" in done.err
    assert f":{line} char:{column}" in done.err
    assert logical_digest(store.path) == before, "a line before the refused one ran"
    assert "602917" not in done.err


PIECES = [*"$@(){}[]'\"`|;,.=-+*/%!<>&: \n\t\r\x00abcxyz0123#?é", "Get-PortOutTenant", "if", "else",
          "foreach", "switch", "try", "catch", "@\"\n", "\n\"@", "@'\n", "-eq", "param(", "function f"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_text_parses_or_is_refused_with_a_place(source: str) -> None:
    """Never a hang, never another exception: a script ending at any character (an '@' alone
    once made the parser loop for ever) parses or is refused with a place."""
    try:
        parse_source("s.ps1", source, CMDLETS)
    except ScriptParseError as error:
        assert error.line >= 1 and error.column >= 1
        assert error.error_id


# -- values and operators ---------------------------------------------------------------------

@pytest.mark.parametrize("expression, shown", [
    ("'Contoso' -eq 'CONTOSO'", "True"), ("'Contoso' -ceq 'CONTOSO'", "False"),
    ("5 -eq '5'", "True"), ("'10' -lt 9", "True"), ("10 -lt '9'", "False"),
    ("'contoso.com' -like '*.COM'", "True"), ("'contoso.com' -notlike 'fab*'", "True"),
    ("'contoso.com' -match '^con(?<rest>.*)$'", "True"), ("@(1,2,3,2) -eq 2", "2\n2"),
    ("@(1,2,3) -contains '2'", "True"), ("2 -in 1,2,3", "True"), ("'x' -notin 'a','b'", "True"),
    ("1 + '2'", "3"), ("'1' + 2", "12"), ("@(1,2) + 3", "1\n2\n3"), ("'ab' * 3", "ababab"),
    ("7 / 2", "3.5"), ("6 / 2", "3"), ("7 % 3", "1"), ("1..4 -join ','", "1,2,3,4"),
    ("-not $null", "True"), ("!''", "True"), ("[bool]@()", "False"), ("[bool]@(0)", "False"),
    ("[int]'42' + 1", "43"), ("[int]2.5", "2"), ("[int]3.5", "4"), ("[string]42 + 1", "421"),
    ("'a,b,,c' -split ','", "a\nb\n\nc"), ("'Contoso Ltd' -replace 'ltd$', 'Inc.'", "Contoso Inc."),
    ("'{0:N2} of {1,4}' -f 1234.5, 7", "1,234.50 of    7"), ("'{0:D3}' -f 7", "007"),
    ("$true -and $false -or $true", "True"), ("'a' -is [string]", "True"),
    ("[datetime]'2026-11-26T09:30:00Z' -lt [datetime]'2026-12-01'", "True"),
    ("([datetime]'2026-11-26').AddDays(5).Day", "1"), ("'abc'.ToUpper().Length", "3"),
    ("@{a=1}.Count", "1"), ("$null -eq $nothing", "True"), ("@().Count", "0"),
    ("(1,2,3).Count", "3"), ("'  x '.Trim()", "x"), ("[math]::Round(2.567, 2)", "2.57"),
    ("[string]::IsNullOrEmpty('')", "True"), ("'{0:yyyy-MM-dd}' -f [datetime]'2026-11-26'", "2026-11-26"),
])
def test_values_follow_powershells_rules(tmp_path: Path, expression: str, shown: str) -> None:
    assert "\n".join(lines(tmp_path, expression + "\n")) == shown


def test_strings_expand_variables_and_subexpressions_only(tmp_path: Path) -> None:
    source = r'''
$name = 'Contoso'
$t = @{ Id = 'contoso.com' }
"Tenant $name"
'Tenant $name'
"Id $($t.Id)"
"Id $t.Id"
"`$name is ""$name"" `t!"
$list = 1, 2, 3
"all: $list"
$here = @"
Report for $name
  count: $($list.Count)
"@
$here
@'
no $expansion here
'@
"${name}s"
'''
    assert lines(tmp_path, source) == [
        "Tenant Contoso", "Tenant $name", "Id contoso.com", "Id System.Collections.Hashtable.Id",
        '$name is "Contoso" \t!', "all: 1 2 3", "Report for Contoso", "  count: 3",
        "no $expansion here", "Contosos"]


def test_control_flow(tmp_path: Path) -> None:
    source = '''
$out = @()
foreach ($i in 1..10) {
    if ($i -eq 2) { continue }
    elseif ($i -gt 5) { break }
    $out += $i
}
"foreach: $out"
for ($i = 0; $i -lt 3; $i++) { $total += $i }
"for: $total"
$n = 0
while ($n -lt 5) { $n++ }
do { $n-- } until ($n -le 3)
"while/do: $n"
function Get-Square { param([int]$Value = 2) return $Value * $Value; 'never' }
"function: $(Get-Square -Value 4) $(Get-Square) $(Get-Square 5)"
function Get-Many { 'a'; 'b' }
"many: $((Get-Many).Count)"
switch ('fabrikam.com', 'x', 'contoso.com') {
    'x' { 'exact x' }
    { $_ -like '*.com' } { "dotcom $_" }
    default { "other $_" }
}
switch -Wildcard ('Contoso') { 'con*' { 'wild' ; break } '*' { 'never' } }
$params = @{ Name = 'Splat'; Count = 3 }
function Show { param($Name, $Count) "$Name x $Count" }
Show @params
'''
    assert lines(tmp_path, source) == [
        "foreach: 1 3 4 5", "for: 3", "while/do: 3", "function: 16 4 25", "many: 2",
        "dotcom fabrikam.com", "exact x", "dotcom contoso.com", "wild", "Splat x 3"]


def test_errors_and_try_catch_finally(tmp_path: Path, store: portout.Store) -> None:
    source = '''
try {
    Get-PortOutTenant nosuch.com -ErrorAction Stop
    'never'
} catch [ObjectNotFoundError] {
    "id: $($_.FullyQualifiedErrorId)"
    "message: $($_.Exception.Message)"
    "category: $($_.CategoryInfo.Category) target: $($_.CategoryInfo.TargetName)"
    "line: $($_.InvocationInfo.ScriptLineNumber)"
} finally { 'finally' }
try { throw 'Tenant missing' } catch { "thrown: $_ / $($_.FullyQualifiedErrorId)" }
Get-PortOutTenant nosuch.com -ErrorAction SilentlyContinue -ErrorVariable failed
"kept: $($failed.Count) $($failed[0].FullyQualifiedErrorId)"
$ErrorActionPreference = 'Stop'
try { [int]'abc' } catch { "cast: $($_.Exception.Message)" }
Get-PortOutTenant nosuch.com
'never reached'
'''
    done = script(tmp_path, store, source)
    assert done.code == 1
    assert done.out.splitlines() == [
        "id: TenantNotFound,Get-PortOutTenant", "message: No tenant has this id.",
        "category: ObjectNotFound target: nosuch.com", "line: 3", "finally",
        "thrown: Tenant missing / Tenant missing", "kept: 1 TenantNotFound,Get-PortOutTenant",
        'cast: Cannot convert value "abc" to type "System.Int32".']
    assert "At " in done.err and ":16 char:1" in done.err
    assert "FullyQualifiedErrorId : TenantNotFound,Get-PortOutTenant" in done.err


def test_a_statement_error_ends_the_statement_not_the_script(tmp_path: Path) -> None:
    done = script(tmp_path, None, "[int]'abc'\n'after'\n$x = 1 / 0\n'end'\n")
    assert done.code == 0
    assert done.out.splitlines() == ["after", "end"]
    assert done.err.count("FullyQualifiedErrorId") == 2


def test_exit_codes(tmp_path: Path) -> None:
    assert script(tmp_path, None, "'a'\nexit 7\n'b'\n").code == 7
    assert script(tmp_path, None, "throw 'stop'\n").code == 1
    assert script(tmp_path, None, "Write-Error 'soft'\n'on'\n").code == 0


def test_param_block_from_the_command_line(tmp_path: Path) -> None:
    source = "param([Parameter(Mandatory=$true)][string]$Tenant, [int]$Days = 7, [switch]$Force)\n" \
             "\"$Tenant $Days $Force $($args.Count)\"\n"
    assert script(tmp_path, None, source, "-Tenant", "contoso.com").out == "contoso.com 7 False 0\n"
    assert script(tmp_path, None, source, "contoso.com", "-Days:3", "-Force", "x").out == "contoso.com 3 True 1\n"
    missing = script(tmp_path, None, source)
    assert missing.code == 1 and "MissingMandatoryParameter" in missing.err
    wrong = script(tmp_path, None, source, "-Tenant", "x", "-Days", "many")
    assert wrong.code == 1 and "ParameterArgumentTransformationError" in wrong.err


# -- pipelines over the cmdlets ---------------------------------------------------------------

def test_pipelines_bind_the_cmdlets_and_the_built_ins(tmp_path: Path, store: portout.Store) -> None:
    source = '''
$tenants = Get-PortOutTenant
"count: $($tenants.Count)"
Get-PortOutTenant | Where-Object { -not $_.PinIsSet } | Get-PortOutPin | ForEach-Object { "$($_.TenantId) set=$($_.PinIsSet)" }
Get-PortOutTenant | Where-Object CountryOrRegion -eq 'US' | Select-Object -ExpandProperty TenantId
($tenants | Sort-Object DisplayName -Descending | Select-Object -First 1).DisplayName
$tenants | Group-Object CountryOrRegion | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Count)" }
($tenants | Measure-Object).Count
$tenants | Select-Object TenantId, @{ Name = 'Upper'; Expression = { $_.DisplayName.ToUpper() } } -Last 1 | ConvertTo-Json -Compress
'''
    assert lines(tmp_path, source, store) == [
        "count: 3", "fabrikam.com set=False", "northwind.co.uk set=False", "contoso.com", "fabrikam.com",
        "Northwind", "GB=1", "US=2", "3", '{"TenantId":"northwind.co.uk","Upper":"NORTHWIND"}']


def test_csv_out_and_back_and_a_report(tmp_path: Path, store: portout.Store) -> None:
    report = tmp_path / "report.csv"
    source = f'''
Get-PortOutPin | Select-Object TenantId, PinIsSet | Export-Csv -Path '{report}' -NoTypeInformation
$rows = Import-Csv '{report}'
foreach ($row in $rows) {{ "$($row.TenantId): $($row.PinIsSet)" }}
'''
    assert lines(tmp_path, source, store) == ["contoso.com: True", "fabrikam.com: False", "northwind.co.uk: False"]
    assert report.read_text().splitlines()[0] == '"TenantId","PinIsSet"'


def test_a_pin_comes_from_read_host_as_secure_string(tmp_path: Path, store: portout.Store) -> None:
    source = '''
$pin = Read-Host -Prompt 'PIN' -AsSecureString
"shown as: $pin"
Set-PortOutPin -Identity fabrikam.com -Pin $pin
(Get-PortOutPin fabrikam.com).PinIsSet
'''
    done = script(tmp_path, store, source, stdin="481605\n")
    assert done.code == 0, done.err
    assert done.out.splitlines() == ["shown as: System.Security.SecureString", "True"]
    assert "481605" not in done.out + done.err
    with portout.Store.open(store.path, allow_test_profile=True) as again:
        assert again.check_pin("fabrikam.com", "481605")


def test_the_command_lines_own_parameters_in_a_script(tmp_path: Path, store: portout.Store) -> None:
    source = '''
Set-PortOutPin -Identity fabrikam.com -PinFromStdin
Get-PortOutPin fabrikam.com -OutputFormat json
Get-PortOutTenant nosuch.example -ErrorAction SilentlyContinue -OutputFormat Json
Get-PortOutTenant contoso.com -OutputFormat Xml
'after'
'''
    done = script(tmp_path, store, source, stdin="481605\n")
    assert '"PinIsSet": true' in done.out and "[]" in done.out and "after" in done.out
    assert "ParameterArgumentValidationError,Get-PortOutTenant" in done.err
    assert "481605" not in done.out + done.err


@pytest.mark.parametrize("source, error_id", [
    ("$env:PATH = '/tmp'", "EnvironmentReadOnly"),
    ("$ErrorActionPreference = 'Sometimes'", "InvalidErrorActionPreference"),
    ("$true = 1", "VariableNotWritable"),
    ("Repair-PortOutTenant -Identity contoso.com -DefaultPolicy -Force", "AmbiguousParameterSet,Repair-PortOutTenant"),
    ("Repair-PortOutTenant -Force", "MissingParameter,Repair-PortOutTenant"),
])
def test_refused_assignments_and_calls_change_nothing(tmp_path: Path, store: portout.Store, source: str,
                                                      error_id: str) -> None:
    before = logical_digest(store.path)
    done = script(tmp_path, store, source + "\n'after'\n")
    assert f"FullyQualifiedErrorId : {error_id}" in done.err
    assert done.out == "after\n", "a statement error ends the statement, not the script"
    assert logical_digest(store.path) == before
