"""What ``portout help`` prints: each cmdlet's help page, the about_ topics, the overview, and
the bash completion of cmdlet and parameter names. All of it is made from the declarations."""

from __future__ import annotations

import textwrap
from typing import Callable, TextIO

from portout import __version__, commands
from portout._core import PIN_RULES, PinPolicy
from portout.cmdlet import COMMON, Cmdlet


def _wrap(text: str, indent: int = 4) -> str:
    return textwrap.fill(text, width=92, initial_indent=" " * indent,
                         subsequent_indent=" " * indent) + "\n"


def help_text(cmdlet: Cmdlet) -> str:
    parts = [f"\nNAME\n    {cmdlet.name}\n", f"\nSYNOPSIS\n{_wrap(cmdlet.synopsis)}",
             f"\nSYNTAX\n{_wrap(cmdlet.syntax())}", f"\nDESCRIPTION\n{_wrap(cmdlet.description)}",
             "\nPARAMETERS\n"]
    for p in cmdlet.all_parameters:
        if p in COMMON:
            continue
        parts.append(f"    -{p.name} <{p.type_name}>\n{_wrap(p.help, 8)}")
        rows = [("Required?", str(p.mandatory).lower()),
                ("Position?", "named" if p.position is None else str(p.position)),
                ("Accept pipeline input?", "true (ByPropertyName)" if p.pipeline_by_property else "false")]
        if p.aliases:
            rows.append(("Aliases", ", ".join(p.aliases)))
        if p.choices:
            rows.append(("Accepted values", ", ".join(p.choices)))
        parts.extend(f"        {k:<28} {v}\n" for k, v in rows)
        parts.append("\n")
    parts.append("    <CommonParameters>\n        -ErrorAction (Stop, Continue, SilentlyContinue, "
                 "Ignore) and -Verbose. From the command line also: -PinFromStdin, -PinFromFd N, "
                 "-InputFile file.csv, -OutputFormat (Table, List, Json, Csv).\n")
    parts.append(f"\nOUTPUTS\n    {cmdlet.output_type}\n")
    if cmdlet.impact != "None":
        parts.append(f"\nCONFIRM IMPACT\n    {cmdlet.impact}\n")
    parts.append(f"\nROLES\n{_wrap(cmdlet.roles)}")
    parts.append(f"\nPYTHON\n    portout.{cmdlet.python_name}(...) or "
                 f"portout.cmdlets[{cmdlet.name!r}](...)\n")
    parts.append("\nEXAMPLES\n")
    for n, (code, explanation) in enumerate(cmdlet.examples, 1):
        parts.append(f"    ---------- Example {n} ----------\n    PS> {code}\n{_wrap(explanation)}\n")
    return "".join(parts)


def _about_pin(out: TextIO) -> None:
    policy = PinPolicy()
    out.write(
        "ABOUT THE PORT-OUT PIN\n\n"
        "A tenant's numbers can only be ported out (transferred to another carrier) with its\n"
        "port-out PIN. With no PIN set, every port-out request is refused. The PIN is for\n"
        "organizations in the United States only. It is not the support PIN: portout never\n"
        "generates, stores or accepts a support PIN.\n\n"
        f"A PIN has {policy.min_length} to {policy.max_length} characters, each an ASCII digit"
        " 0-9: no letters,\nspaces, signs, or digits of other scripts. The default PIN is blank;"
        " once set it\ncan be changed, never removed or set back to blank. A store's or tenant's"
        " policy may\nnarrow the 6 to 10 digits (8 to 10, say), never widen them.\n\n"
        "Weak PINs are refused by default (a policy may switch this off), and every failed\n"
        "rule is reported with its id:\n"
    )
    explained = {
        "Empty": "the PIN is blank",
        "TooShort": "fewer characters than the policy's minimum",
        "TooLong": "more characters than the policy's maximum",
        "NotDigits": "a character other than an ASCII digit",
        "RepeatedDigit": "one digit repeated (000000)",
        "Sequential": "consecutive digits up or down (123456, 987654)",
        "RepeatedPattern": "a short pattern repeated (121212, 123123, 112233)",
        "CommonPin": "one of the most commonly chosen PINs",
        "Blocklisted": "on the policy's own blocklist",
        "SameAsCurrent": "a change to the PIN already set",
    }
    for rule in PIN_RULES:
        out.write(f"  {rule:<16} {explained[rule]}\n")


def _about_errors(out: TextIO) -> None:
    from portout.errors import _BY_CATEGORY

    out.write(
        "ABOUT PORTOUT ERRORS\n\n"
        "Every error has an id (such as PinPolicyViolation,Set-PortOutPin), a category and a\n"
        "target (what the operation acted on). In Python each error class is also a builtin:\n"
    )
    for category, cls in sorted(_BY_CATEGORY.items()):
        builtin = next(b for b in cls.__mro__[1:] if b.__module__ == "builtins")
        out.write(f"  {category:<20} portout.{cls.__name__} ({builtin.__name__})\n")
    out.write(
        "\n-ErrorAction decides what a failure does to the other targets of a call: Stop ends\n"
        "the call (the default from Python), Continue reports it and goes on (the default from\n"
        "the command line, as in PowerShell), SilentlyContinue and Ignore go on quietly.\n\n"
        "Exit codes of the portout command: 0 success, 1 a cmdlet reported an error, 2 the\n"
        "command line or script is wrong.\n"
    )


def _about_scripts(out: TextIO) -> None:
    out.write(
        "ABOUT PORTOUT SCRIPTS\n\n"
        "portout runs a defined subset of the PowerShell language (docs/scripting.md): from a\n"
        "file (portout -File script.ps1 -Param value), from standard input (portout < s.ps1),\n"
        "or a line at a time in the interactive shell (portout on a terminal).\n\n"
        "  param([string]$Csv = 'tenants.csv')\n"
        "  $ErrorActionPreference = 'Stop'\n"
        "  foreach ($row in Import-Csv $Csv) {\n"
        "      try   { New-PortOutTenant $row.TenantId $row.Name US | Out-Null }\n"
        "      catch { Write-Warning \"$($row.TenantId): $($_.FullyQualifiedErrorId)\" }\n"
        "  }\n"
        "  Get-PortOutPin | Where-Object { -not $_.PinIsSet } | Select-Object TenantId\n\n"
        "Variables, pipelines, Where-Object, ForEach-Object, Select-Object, Sort-Object,\n"
        "if/foreach/for/while/switch, try/catch/finally, functions, string expansion, here-\n"
        "strings, hashtables, splatting, Import-Csv and Export-Csv. A script is parsed whole\n"
        "first: anything outside the subset (Invoke-Expression, &, a program, a .NET call) is\n"
        "refused with its line and column, and nothing runs. A PIN is never written in a\n"
        "script: read it with Read-Host -AsSecureString, or leave -Pin out to be asked.\n\n"
        "Exit codes, as pwsh -File: 0 when it ends, 1 after a terminating error (throw,\n"
        "-ErrorAction Stop), N for exit N, 2 when the parser refused it.\n"
    )


TOPICS: dict[str, tuple[str, Callable[[TextIO], None]]] = {
    "about_PortOutPin": ("What a port-out PIN is and the rules it must meet", _about_pin),
    "about_PortOutErrors": ("Error ids, categories, -ErrorAction and exit codes", _about_errors),
    "about_PortOutScripts": ("Scripts, standard input and the interactive shell", _about_scripts),
}


def overview(out: TextIO, usage: str) -> None:
    out.write(f"portout {__version__}: port-out PINs and port-out orders for tenants.\n\n{usage}\n"
              "Cmdlets:\n")
    for c in commands.CMDLETS:
        out.write(f"  {c.name:<26} {c.synopsis}\n")
    out.write("\nHelp topics:\n")
    for name, (summary, _) in TOPICS.items():
        out.write(f"  {name:<26} {summary}\n")
    out.write("\nType 'portout help NAME' for a cmdlet or a topic.\n")


def completion_script() -> str:
    """Bash completion, made from the declarations: cmdlet names (and the Teams aliases) in any
    case, each cmdlet's parameters (-PinFromStdin and -PinFromFd only where a PIN is read), the
    accepted values after a parameter that has them (-OutputFormat, -ErrorAction, --role...),
    file names after -File, -InputFile and the options that take a path.
    Use: source <(portout completion bash)."""
    from portout.cmdlet import ERROR_ACTIONS
    from portout.format import FORMATS
    from portout.host.calls import parameter_names

    connect = next(c for c in commands.CMDLETS if c.name == "Connect-PortOutStore")
    roles, profiles = (connect.parameter(name).choices for name in ("Role", "HashProfile"))  # type: ignore[union-attr]
    cases = []
    for c in commands.CMDLETS:
        secret = {p.name for p in c.parameters if p.secret}
        words = " ".join(f"-{name}" for name in parameter_names(c) if name not in secret)
        values = [f"      -{p.name.lower()}) _portout_match \"{' '.join(p.choices)}\" \"$cur\"; return ;;"
                  for p in c.all_parameters if p.choices]
        values += [f"      -{p.name.lower()}) _portout_files \"$cur\"; return ;;"
                   for p in c.parameters if p.name in ("Path", "KeyFile", "Destination", "NewKeyFile")]
        names = "|".join(sorted({c.name.lower(), *(a.lower() for a, n in commands.ALIASES.items() if n == c.name)}))
        cases.append(f"    {names})\n      case $prev in\n" + "".join(v + "\n" for v in values) +
                     f"      esac\n      words=\"{words}\" ;;")
    names = " ".join([c.name for c in commands.CMDLETS] + list(commands.ALIASES))
    return (
        "# bash completion for portout: source <(portout completion bash)\n"
        "_portout_match() {  # the words of $1 that start with $2, in any case\n"
        "  local w cur=${2,,}\n"
        "  for w in $1; do [[ ${w,,} == \"$cur\"* ]] && COMPREPLY+=(\"$w\"); done\n"
        "}\n"
        "_portout_files() { compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- \"$1\"); }\n"
        "_portout() {\n"
        "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1],,} words='' i cmd=''\n"
        "  COMPREPLY=()\n"
        "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "    case ${COMP_WORDS[i]} in --allow-test-profile) ;; --*) ((i++)) ;; *) cmd=${COMP_WORDS[i],,}; break ;; esac\n"
        "  done\n"
        "  case $prev in\n"
        "    --store|--key-file|-file|--file|-inputfile) _portout_files \"$cur\"; return ;;\n"
        f"    --role) _portout_match \"{' '.join(roles)}\" \"$cur\"; return ;;\n"
        f"    --hash-profile) _portout_match \"{' '.join(profiles)}\" \"$cur\"; return ;;\n"
        f"    -outputformat) _portout_match \"{' '.join(FORMATS)}\" \"$cur\"; return ;;\n"
        f"    -erroraction|-ea) _portout_match \"{' '.join(ERROR_ACTIONS)}\" \"$cur\"; return ;;\n"
        "  esac\n"
        "  if [[ -z $cmd ]]; then\n"
        f"    _portout_match \"{names} help -File --version --store --key-file --actor "
        "--role --tenant-scope --hash-profile --allow-test-profile\" \"$cur\"\n"
        "    return\n"
        "  fi\n"
        "  case $cmd in\n"
        "    help|get-help) words=\"" + names + " " + " ".join(TOPICS) + "\" ;;\n"
        "    -file|--file) _portout_files \"$cur\"; return ;;\n"
        "    completion) words=bash ;;\n"
        + "\n".join(cases) + "\n"
        "  esac\n"
        "  _portout_match \"$words\" \"$cur\"\n"
        "}\n"
        "complete -F _portout portout\n"
    )
