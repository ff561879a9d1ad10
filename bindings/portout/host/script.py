"""Running PowerShell the three ways portout takes it, on one runtime:

- a script file, the way `pwsh -File` does: parsed whole first (nothing runs when any of it is
  outside the subset), its param( ) block bound from the command line, its output shown as it
  comes, errors on stderr; the exit code is `exit N`'s, 1 after a terminating error, else 0;
- a script read from standard input (``portout`` with no terminal), the same way;
- one command from a shell's command line (``portout Get-PortOutPin contoso.com``), whose words
  are bound as the shell passed them, never re-parsed: exit 0, 1 when the command reported an
  error, 2 when the command line itself is wrong.
"""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence, TextIO

from portout.cmdlet import Cmdlet, is_usage
from portout.host import builtins
from portout.host import nodes as n
from portout.host.binding import Word
from portout.host.errors import ScriptParseError, ScriptRuntimeError
from portout.host.evaluator import Runtime
from portout.host.flow import ScriptTerminatingError
from portout.host.formatting import OutDefault
from portout.host.parser import parse
from portout.session import Host

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class ScriptHost(Host):
    """A script's host: errors are written by the runtime itself, as PowerShell writes them."""

    prints_errors = False

    def __init__(self, out: TextIO, err: TextIO, inp: TextIO, prints_summary: bool = False) -> None:
        super().__init__(out, err, inp)
        self.prints_summary = prints_summary


@dataclass
class Console:
    """Where commands run: the streams, the cmdlets there are, how a store is reached, where a
    PIN comes from when none is given, and whether multi-target calls print their summary."""

    cmdlets: dict[str, Cmdlet]
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    inp: TextIO = field(default_factory=lambda: sys.stdin)
    ensure_session: Callable[[Cmdlet, dict[str, Any]], Any] = lambda cmdlet, bound: None
    cmdlet_defaults: Callable[[Cmdlet, dict[str, Any]], dict[str, Any]] = lambda cmdlet, bound: {}
    read_secret: Optional[Callable[[Cmdlet, Any], str]] = None
    prints_summary: bool = False

    def read_line(self, prompt: str, secret: bool) -> Optional[str]:
        """Read-Host: a line of input; a secret one without echo on a terminal."""
        if secret and self.inp.isatty():
            try:
                return getpass.getpass(prompt)
            except EOFError:
                return None
        if prompt:
            self.err.write(prompt)
            self.err.flush()
        line = self.inp.readline()
        if not line:
            return None
        return line.rstrip("\n").rstrip("\r")

    def runtime(self, *, path: str = "", source: str = "", command_line: bool = False) -> Runtime:
        return Runtime(host=ScriptHost(self.out, self.err, self.inp, self.prints_summary), out=self.out,
                       err=self.err, ensure_session=self.ensure_session, read_secret=self.read_secret,
                       read_line=self.read_line, cmdlets=self.cmdlets, script_path=path, source=source,
                       cmdlet_defaults=self.cmdlet_defaults, command_line=command_line)


def script_arguments(argv: Sequence[str]) -> list[Any]:
    """`-Name value`, `-Name:value`, `-Switch` and positional values, as the runtime binds them."""
    out: list[Any] = []
    for arg in argv:
        if is_parameter_word(arg):
            name, colon, value = arg[1:].partition(":")
            out.append(("-", name, value if colon else None, bool(colon)))
        else:
            out.append(arg)
    return out


def is_parameter_word(word: str) -> bool:
    """`-Name` or `-Name:value`: a dash then a letter (`-5` and `-` are values)."""
    return len(word) > 1 and word[0] == "-" and (word[1].isalpha() or word[1] in "_?")


def parse_source(path: str, source: str, cmdlets: dict[str, Cmdlet]) -> Any:
    def known(name: str) -> bool:
        lower = name.lower()
        return lower in cmdlets or lower in builtins.BUILTINS

    def secret(command: str, parameter: str) -> bool:
        cmdlet = cmdlets.get(command.lower())
        p = cmdlet.parameter(parameter) if cmdlet else None
        return bool(p and p.secret)

    from portout.commands import ALIASES

    names = tuple(sorted({c.name for c in cmdlets.values()} | set(builtins.BUILTIN_NAMES)))
    return parse(source, path, known, secret, names + tuple(ALIASES))


def run_file(path: str, argv: Sequence[str], console: Console) -> int:
    try:
        with open(path, encoding="utf-8-sig") as f:
            source = f.read()
    except OSError as error:
        console.err.write(f"portout: the script {path} cannot be read: {error.strerror}.\n")
        return EXIT_USAGE
    except UnicodeDecodeError:
        console.err.write(f"portout: the script {path} is not UTF-8 text.\n")
        return EXIT_USAGE
    return run_source(source, path, argv, console)


def run_source(source: str, path: str, argv: Sequence[str], console: Console) -> int:
    """A whole script: refused before anything runs when any of it is outside the subset."""
    try:
        script = parse_source(path, source, console.cmdlets)
    except ScriptParseError as error:
        console.err.write(error.render())
        return EXIT_USAGE
    code = console.runtime(path=path, source=source).run(script, script_arguments(argv))
    console.out.flush()
    return code


def command_node(name: str, words: Sequence[str]) -> n.Pipeline:
    """One command from a shell's words, bound as they are: `-Name`, `-Name:value`, values.
    `$true`, `$false` and `$null` are those values; "a.com," then "b.com" (as the shell splits
    `a.com, b.com`) is one list."""
    merged: list[str] = []
    for word in words:
        if merged and merged[-1].endswith(",") and not is_parameter_word(word):
            merged[-1] += word
        else:
            merged.append(word)
    elements: list[n.Node] = []
    for word in merged:
        if is_parameter_word(word):
            pname, colon, inline = word[1:].partition(":")
            elements.append(n.CommandParameter(0, 0, pname, n.Constant(0, 0, _word(inline)) if colon else None,
                                               bool(colon)))
        else:
            elements.append(n.Constant(0, 0, _word(word)))
    return n.Pipeline(0, 0, [n.Command(0, 0, name, elements)])


def _word(word: str) -> Any:
    lowered = word.lower()
    if lowered in ("$true", "$false"):
        return lowered == "$true"
    if lowered == "$null":
        return None
    return Word(word)


def run_words(name: str, words: Sequence[str], console: Console) -> int:
    """One command line: its output shown, its errors written; 0, 1 (an error) or 2 (the
    command line is wrong)."""
    runtime = console.runtime(command_line=True)
    return run_statement(runtime, command_node(name, words))


def run_statement(runtime: Runtime, statement: n.Node) -> int:
    """A statement at the top level, as a shell runs a line: 0, 1 when it wrote an error or
    stopped on one, 2 when the command itself is wrong (a parameter that does not bind, a
    command that does not exist)."""
    sink = OutDefault(runtime.out)
    before = len(runtime.errors)
    try:
        for item in runtime.statement(statement, runtime.script_scope):
            sink.feed(item)
    except ScriptTerminatingError as stopped:
        sink.flush()
        runtime.errors.insert(0, stopped.record)  # $Error holds it, as it holds every error
        runtime.err.write(stopped.record.render())
        runtime.err.flush()
        error = stopped.record.exception
        wrong = is_usage(error) or (isinstance(error, ScriptRuntimeError) and stopped.statement)
        return EXIT_USAGE if wrong else EXIT_FAILURE
    finally:
        sink.flush()
    return EXIT_FAILURE if len(runtime.errors) > before else EXIT_OK


def main(argv: Sequence[str]) -> int:  # pragma: no cover - python -m portout.host.script s.ps1
    from portout import commands

    return run_file(argv[0], argv[1:], Console(commands.BY_NAME))
