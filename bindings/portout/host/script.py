"""Running a script file the way `pwsh -File` does: parsed whole first (nothing runs when any of
it is outside the subset), its param( ) block bound from the command line, its output shown as
it comes, errors on stderr; the exit code is `exit N`'s, 1 after a terminating error, else 0."""

from __future__ import annotations

import getpass
import sys
from typing import Any, Callable, Optional, Sequence, TextIO

from portout.cmdlet import Cmdlet, Host
from portout.host import builtins
from portout.host.errors import ScriptParseError
from portout.host.evaluator import Runtime
from portout.host.parser import parse

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class ScriptHost(Host):
    """A script's host: errors are written by the runtime itself, as PowerShell writes them."""

    prints_errors = False
    prints_summary = False


def script_arguments(argv: Sequence[str]) -> list[Any]:
    """`-Name value`, `-Name:value`, `-Switch` and positional values, as the runtime binds them."""
    out: list[Any] = []
    for arg in argv:
        if len(arg) > 1 and arg[0] == "-" and (arg[1].isalpha() or arg[1] == "_"):
            name, colon, value = arg[1:].partition(":")
            out.append(("-", name, value if colon else None, bool(colon)))
        else:
            out.append(arg)
    return out


def parse_file(path: str, source: str, cmdlets: dict[str, Cmdlet]) -> Any:
    def known(name: str) -> bool:
        lower = name.lower()
        return lower in cmdlets or lower in builtins.BUILTINS

    def secret(command: str, parameter: str) -> bool:
        cmdlet = cmdlets.get(command.lower())
        p = cmdlet.parameter(parameter) if cmdlet else None
        return bool(p and p.secret)

    names = tuple(sorted({c.name for c in cmdlets.values()} | set(builtins.BUILTIN_NAMES)))
    return parse(source, path, known, secret, names + tuple(commands_aliases()))


def commands_aliases() -> list[str]:
    from portout.commands import ALIASES

    return list(ALIASES)


def run_file(path: str, argv: Sequence[str], *, cmdlets: dict[str, Cmdlet], out: TextIO, err: TextIO,
             inp: TextIO, ensure_session: Callable[[], Any],
             read_secret: Optional[Callable[[Cmdlet, Any], str]] = None) -> int:
    try:
        with open(path, encoding="utf-8-sig") as f:
            source = f.read()
    except OSError as error:
        err.write(f"portout: the script cannot be read: {error.strerror}.\n")
        return EXIT_USAGE
    try:
        script = parse_file(path, source, cmdlets)
    except ScriptParseError as error:
        err.write(error.render())
        return EXIT_USAGE

    def read_line(prompt: str, secret: bool) -> Optional[str]:
        if secret and inp.isatty():
            return getpass.getpass(prompt)
        if prompt:
            err.write(prompt)
            err.flush()
        line = inp.readline()
        if not line:
            return None
        return line.rstrip("\n").rstrip("\r")

    runtime = Runtime(host=ScriptHost(out, err, inp), out=out, err=err, ensure_session=ensure_session,
                      read_secret=read_secret, read_line=read_line, cmdlets=cmdlets, script_path=path,
                      source=source)
    code = runtime.run(script, script_arguments(argv))
    out.flush()
    return code


def main(argv: Sequence[str]) -> int:  # pragma: no cover - python -m portout.host.script s.ps1
    from portout import commands

    cmdlets = {c.name.lower(): c for c in commands.CMDLETS}
    return run_file(argv[0], argv[1:], cmdlets=cmdlets, out=sys.stdout, err=sys.stderr, inp=sys.stdin,
                    ensure_session=lambda: None)
