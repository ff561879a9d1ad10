"""The cmdlet reference (docs/cmdlets.md), written from the declarations.

``python -m portout.reference > docs/cmdlets.md`` rewrites it, and
``python -m portout.reference --stub > bindings/portout/api.pyi`` the type stub of the cmdlet
functions; a test fails when either is stale. ``scripts/generate`` runs both.
"""

from __future__ import annotations

from portout.cmdlet import COMMON, Cmdlet, Parameter
from portout.commands import CMDLETS


def _parameters(cmdlet: Cmdlet) -> list[str]:
    rows = ["| Parameter | Python | Type | Required | Position | Pipeline | Description |",
            "|---|---|---|---|---|---|---|"]
    for p in cmdlet.all_parameters:
        if p in COMMON:
            continue
        description = p.help
        if p.aliases:
            description += f" Aliases: {', '.join(p.aliases)}."
        if p.choices:
            description += f" Values: {', '.join(p.choices)}."
        rows.append(
            f"| `-{p.name}` | `{p.python_name}` | {p.type_name} | {'yes' if p.mandatory else 'no'} "
            f"| {'named' if p.position is None else p.position} "
            f"| {'by property name' if p.pipeline_by_property else 'no'} | {description} |")
    return rows


def render() -> str:
    lines = [
        "# Cmdlet reference",
        "",
        "Written from the cmdlet declarations in `bindings/portout/commands.py` and "
        "`order_commands.py` by `python -m portout.reference`; do not edit by hand.",
        "",
        "Every cmdlet also takes `-ErrorAction` (Stop, Continue, SilentlyContinue, Ignore) and "
        "`-Verbose`; those that change something take `-WhatIf` and `-Confirm`. From Python, "
        "each is a function (`portout.set_port_out_pin`) and an entry of `portout.cmdlets`, "
        "taking parameter names in snake_case or PascalCase. From the command line, a PIN is "
        "never an argument: it is asked for without echo, or read with `-PinFromStdin` or "
        "`-PinFromFd N`; `-InputFile file.csv` runs the cmdlet once per row and "
        "`-OutputFormat` picks Table, List, Json or Csv. In Csv, a cell that begins with `=`, "
        "`+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that no spreadsheet "
        "runs it as a formula (OWASP's advice: every such cell, phone numbers `'+14255550100` "
        "and negative numbers too); `-InputFile` reads such a cell back as it was.",
        "",
        "| Cmdlet | Synopsis |",
        "|---|---|",
    ]
    lines += [f"| [{c.name}](#{c.name.lower()}) | {c.synopsis} |" for c in CMDLETS]
    for c in CMDLETS:
        lines += ["", f"## {c.name}", "", c.synopsis, "", "```", c.syntax(), "```", "",
                  c.description, "", f"- Python: `portout.{c.python_name}(...)`",
                  f"- Output: {c.output_type}",
                  f"- Confirm impact: {c.impact}" + (" (asks before acting unless -Force or "
                                                     "-Confirm:$false)" if c.impact == "High" else ""),
                  f"- Roles: {c.roles}", ""]
        if any(p not in COMMON for p in c.all_parameters):
            lines += _parameters(c) + [""]
        lines.append("Examples:")
        lines.append("")
        for code, explanation in c.examples:
            lines += ["```", code, "```", "", explanation, ""]
    return "\n".join(lines).rstrip() + "\n"




_STUB_TYPES = {
    "string": "str",
    "int": "int",
    "bool": "bool",
    "switch": "bool",
    "timespan": "timedelta | float",
    "datetime": "datetime",
    "secret": "str",
}


def _stub_type(p: Parameter) -> str:
    base = _STUB_TYPES[p.kind]
    if p.pipeline_by_property and p.kind == "string":
        base = "str | object"
    if p.multiple:
        base = f"{base} | Iterable[{base}]"
    return base


def render_stub() -> str:
    """The type stub of portout.api: every cmdlet function with its parameters."""
    lines = [
        '"""Type stubs for the cmdlet functions, written by `python -m portout.reference --stub`."""',
        "",
        "from collections.abc import Iterable, Iterator, Mapping",
        "from datetime import datetime, timedelta",
        "from typing import Any, Callable",
        "",
        "from portout.cmdlet import Cmdlet",
        "from portout.progress import ProgressArg",
        "from portout.session import Host, PortOutSession",
        "from portout.store import Store",
        "",
        "class CmdletTable(Mapping[str, Cmdlet]):",
        "    def __getitem__(self, name: str) -> Cmdlet: ...",
        "    def __iter__(self) -> Iterator[str]: ...",
        "    def __len__(self) -> int: ...",
        "",
        "cmdlets: CmdletTable",
        "functions: dict[str, Callable[..., Any]]",
        "",
    ]
    for c in CMDLETS:
        positional = c.positional()
        args = []
        for p in positional:
            default = "" if p.mandatory else " = None"
            optional = "" if p.mandatory else " | None"
            args.append(f"{p.python_name}: {_stub_type(p)}{optional}{default}")
        keyword = [p for p in c.all_parameters if p not in positional]
        args.append("*")
        for p in keyword:
            args.append(f"{p.python_name}: {_stub_type(p)} | None = None")
        args += ["session: PortOutSession | Store | None = None", "host: Host | None = None",
                 "input_object: Iterable[Any] | None = None", "progress: ProgressArg = None"]
        lines.append(f"def {c.python_name}(")
        lines += [f"    {a}," for a in args]
        lines.append(") -> Any:")
        lines.append(f'    """{c.name}: {c.synopsis}"""')
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_stub() if "--stub" in sys.argv[1:] else render())
