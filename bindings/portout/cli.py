"""The command-line host ``portout``: the cmdlets from a shell or a script file.

    portout [connection options] Cmdlet-Name [-Parameter value ...]
    portout [connection options] -File script.ps1
    portout help [Cmdlet-Name | about_Topic]
    portout --version
    portout completion bash

Parameters follow PowerShell: ``-Name value``, switches, ``-Name:$false``, comma-separated
arrays, quotes, case-insensitive names and unambiguous prefixes, positions as declared. A PIN is
never taken from the command line (``ps`` and shell history would show it): it is asked for
without echo, or read with ``-PinFromStdin`` or ``-PinFromFd N``.

Exit codes: 0 success, 1 a cmdlet reported an error, 2 the command line or script is wrong.
"""

from __future__ import annotations

import csv
import getpass
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Sequence, TextIO

from portout import __version__, commands
from portout import help_pages
from portout import session as sessions
from portout import _core
from portout.cmdlet import Cmdlet, ErrorRecord, Host, Parameter, UsageError, did_you_mean, pascal
from portout.errors import PortOutError
from portout.format import FORMATS, csv_value, render

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# Words of the command line are echoed in errors only when they cannot be a PIN or a secret.
_ECHOABLE = re.compile(r"[A-Za-z][A-Za-z_-]{0,63}")

CMDLETS: dict[str, Cmdlet] = {c.name.lower(): c for c in commands.CMDLETS}
CMDLETS.update({alias.lower(): CMDLETS[name.lower()] for alias, name in commands.ALIASES.items()})


def _quote(word: str) -> str:
    return repr(word) if _ECHOABLE.fullmatch(word) else "(not shown)"


_USAGE = """\
Usage:
  portout [options] Cmdlet-Name [-Parameter value ...]
  portout [options] -File script.ps1
  portout help [Cmdlet-Name | about_Topic]
  portout --version
  portout completion bash

Options (else $PORTOUT_STORE, $PORTOUT_KEY_FILE, $PORTOUT_ACTOR, $PORTOUT_ROLE,
$PORTOUT_TENANT_SCOPE, $PORTOUT_HASH_PROFILE; the store defaults to
$XDG_DATA_HOME/portout/store.db):
  --store PATH  --key-file PATH  --actor NAME  --role ROLE  --tenant-scope A,B
  --hash-profile NAME  --allow-test-profile
"""


class CliHost(Host):
    """The terminal: errors and summaries are printed, PowerShell-style, on stderr."""

    prints_errors = True
    prints_summary = True


# -- tokens -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    """A word of a command; `quoted` marks, per character, what came from inside quotes."""

    text: str
    quoted: str = ""  # "1" per quoted character, "0" per bare one; empty: all bare

    def bare(self, i: int) -> bool:
        return not self.quoted or self.quoted[i] == "0"

    @property
    def is_option(self) -> bool:
        return (len(self.text) > 1 and self.text[0] == "-" and self.bare(0)
                and not re.fullmatch(r"-\d+(\.\d+)?", self.text))

    @property
    def fully_quoted(self) -> bool:
        return bool(self.quoted) and "0" not in self.quoted

    def split_commas(self) -> list[str]:
        parts, current = [], []
        for i, ch in enumerate(self.text):
            if ch == "," and self.bare(i):
                parts.append("".join(current))
                current = []
            else:
                current.append(ch)
        parts.append("".join(current))
        return parts


def tokenize_script(source: str) -> list[tuple[int, list[Token]]]:
    """Statements of a script: quotes, backtick escapes and line continuation, # comments."""
    statements: list[tuple[int, list[Token]]] = []
    tokens: list[Token] = []
    text: list[str] = []
    mask: list[str] = []
    line = 1
    start_line = 1
    i = 0
    n = len(source)

    def end_token() -> None:
        if text or mask:
            tokens.append(Token("".join(text), "".join(mask)))
            text.clear()
            mask.clear()

    def end_statement() -> None:
        nonlocal tokens
        end_token()
        if tokens:
            statements.append((start_line, tokens))
        tokens = []

    while i < n:
        ch = source[i]
        if not tokens and not text:
            start_line = line
        if ch == "`" and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "\n":
                line += 1
                i += 2
                continue
            if nxt == "\r" and i + 2 < n and source[i + 2] == "\n":
                line += 1
                i += 3
                continue
            text.append({"n": "\n", "t": "\t", "0": "\0"}.get(nxt, nxt))
            mask.append("1")
            i += 2
            continue
        if ch == "#" and not text:
            while i < n and source[i] != "\n":
                i += 1
            continue
        if ch in "\n;":
            if ch == "\n":
                line += 1
            end_statement()
            i += 1
            continue
        if ch in " \t\r":
            end_token()
            i += 1
            continue
        if ch == "'":
            i += 1
            while True:
                if i >= n:
                    raise UsageError(f"Line {start_line}: a quote (') is never closed.",
                                     error_id="UnterminatedString")
                if source[i] == "'":
                    if i + 1 < n and source[i + 1] == "'":
                        text.append("'")
                        mask.append("1")
                        i += 2
                        continue
                    i += 1
                    break
                if source[i] == "\n":
                    line += 1
                text.append(source[i])
                mask.append("1")
                i += 1
            if not text:
                mask.append("")  # an empty quoted word still counts as a word
            continue
        if ch == '"':
            i += 1
            while True:
                if i >= n:
                    raise UsageError(f'Line {start_line}: a quote (") is never closed.',
                                     error_id="UnterminatedString")
                c = source[i]
                if c == "`" and i + 1 < n:
                    text.append({"n": "\n", "t": "\t", "0": "\0"}.get(source[i + 1], source[i + 1]))
                    mask.append("1")
                    i += 2
                    continue
                if c == '"':
                    if i + 1 < n and source[i + 1] == '"':
                        text.append('"')
                        mask.append("1")
                        i += 2
                        continue
                    i += 1
                    break
                if c == "\n":
                    line += 1
                text.append(c)
                mask.append("1")
                i += 1
            if not text:
                mask.append("")
            continue
        if ch == "|":
            raise UsageError(f"Line {start_line}: pipelines (|) are not supported in scripts; "
                             "give several identities as a comma-separated list, or -InputFile.",
                             error_id="PipelineNotSupported")
        text.append(ch)
        mask.append("0")
        i += 1
    end_statement()
    return statements


# -- connection options -----------------------------------------------------------------------

@dataclass
class Options:
    store: str | None = None
    key_file: str | None = None
    actor: str | None = None
    role: str | None = None
    tenant_scope: list[str] | None = None
    hash_profile: str | None = None
    allow_test_profile: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    inp: TextIO = field(default_factory=lambda: sys.stdin)

    @classmethod
    def from_environment(cls) -> Options:
        env = os.environ
        scope = env.get("PORTOUT_TENANT_SCOPE")
        return cls(store=env.get("PORTOUT_STORE") or None, key_file=env.get("PORTOUT_KEY_FILE") or None,
                   actor=env.get("PORTOUT_ACTOR") or None, role=env.get("PORTOUT_ROLE") or None,
                   tenant_scope=[s for s in scope.split(",") if s] if scope else None,
                   hash_profile=env.get("PORTOUT_HASH_PROFILE") or None,
                   allow_test_profile=env.get("PORTOUT_ALLOW_TEST_PROFILE", "") in ("1", "true", "yes"))

    def connection(self) -> dict[str, Any]:
        """Connect-PortOutStore's parameters as the options and environment give them."""
        bound: dict[str, Any] = {"Path": self.store, "KeyFile": self.key_file, "Actor": self.actor,
                                 "Role": self.role, "TenantScope": self.tenant_scope,
                                 "HashProfile": self.hash_profile,
                                 "AllowTestProfile": self.allow_test_profile or None}
        return {k: v for k, v in bound.items() if v is not None}

    def connect(self) -> None:
        """For one-off commands: connect from the options when no session is open."""
        try:
            sessions.current()
            return
        except PortOutError:
            pass
        CMDLETS["connect-portoutstore"].invoke(self.connection(), host=CliHost())


_GLOBAL_OPTIONS = {
    "--store": "store", "--key-file": "key_file", "--actor": "actor", "--role": "role",
    "--tenant-scope": "tenant_scope", "--hash-profile": "hash_profile",
}


# -- one command ------------------------------------------------------------------------------

_CLI_ONLY = (
    Parameter("PinFromStdin", "switch", "Read the PIN from the first line of standard input."),
    Parameter("PinFromFd", "int", "Read the PIN from this open file descriptor."),
    Parameter("InputFile", "string", "Run once per row of this CSV file; columns name parameters."),
    Parameter("OutputFormat", "string", "Table, List, Json or Csv.", choices=FORMATS),
)


def _usage(message: str, error_id: str, target: str = "") -> UsageError:
    return UsageError(message, error_id=error_id, target=target)


def _resolve(cmdlet: Cmdlet, word: str) -> Parameter:
    """A parameter by name, alias or unambiguous prefix, in any case."""
    candidates = [*cmdlet.all_parameters, *_CLI_ONLY]
    lowered = word.lower()
    for p in candidates:
        if any(n.lower() == lowered for n in p.names()):
            return p
    matches = {p.name: p for p in candidates if any(n.lower().startswith(lowered) for n in p.names())}
    if len(matches) == 1:
        return next(iter(matches.values()))
    if not matches:
        hint = did_you_mean("-" + word, ["-" + n for p in candidates for n in p.names()])
        raise _usage(f"{cmdlet.name} has no parameter -{word if _ECHOABLE.fullmatch(word) else '(not shown)'}."
                     f"{hint} See: portout help {cmdlet.name}", f"NamedParameterNotFound,{cmdlet.name}")
    raise _usage(f"The parameter name -{word} is ambiguous: it could be "
                 f"{', '.join('-' + m for m in sorted(matches))}.",
                 f"AmbiguousParameter,{cmdlet.name}")


def _value(token: Token) -> Any:
    """A bare $true, $false or $null is that value; anything quoted is text."""
    if not token.fully_quoted:
        lowered = token.text.lower()
        if lowered == "$null":
            return None
        if lowered in ("$true", "$false"):
            return lowered == "$true"
    return token.text


def parse_command(tokens: Sequence[Token]) -> tuple[Cmdlet, dict[str, Any], dict[str, Any]]:
    """The cmdlet, its bound parameters, and the host-only options (PIN sources, files)."""
    name = tokens[0].text
    cmdlet = CMDLETS.get(name.lower())
    if cmdlet is None:
        hint = did_you_mean(name, [c.name for c in commands.CMDLETS] + list(commands.ALIASES))
        raise _usage(f"The term {_quote(name)} is not the name of a portout cmdlet.{hint} "
                     "See: portout help", "CommandNotFoundException")
    bound: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    positional: list[Token] = []
    i = 1
    while i < len(tokens):
        token = tokens[i]
        if not token.is_option:
            # "a.example, b.example" arrives as "a.example," and "b.example": one list
            while (token.text.endswith(",") and token.bare(len(token.text) - 1)
                   and i + 1 < len(tokens) and not tokens[i + 1].is_option):
                token = Token(token.text + tokens[i + 1].text,
                              (token.quoted or "0" * len(token.text)) +
                              (tokens[i + 1].quoted or "0" * len(tokens[i + 1].text)))
                i += 1
            positional.append(token)
            i += 1
            continue
        word, colon, inline = token.text[1:].partition(":")
        if word == "?":
            extra["help"] = True
            i += 1
            continue
        p = _resolve(cmdlet, word)
        if p.secret:
            raise _usage(
                f"-{p.name} is never taken from the command line, where ps and shell history "
                f"would show it. Leave it out to be asked without echo, or use -PinFromStdin "
                "(first line of standard input) or -PinFromFd N (an open file descriptor).",
                f"SecretOnCommandLine,{cmdlet.name}", p.name)
        if p.kind == "switch":
            value: Any = True
            if colon:
                value = _value(Token(inline, token.quoted[len(word) + 2:] if token.quoted else ""))
            i += 1
        else:
            if colon and inline:
                value_token = Token(inline, token.quoted[len(word) + 2:] if token.quoted else "")
                i += 1
            else:
                if i + 1 >= len(tokens):
                    raise _usage(f"The parameter -{p.name} needs a value.",
                                 f"MissingArgument,{cmdlet.name}", p.name)
                value_token = tokens[i + 1]
                i += 2
            if p.multiple:
                values = value_token.split_commas()
                # "-Identity a, b" arrives as "a," and "b"
                while values and values[-1] == "" and i < len(tokens) and not tokens[i].is_option:
                    values = values[:-1] + tokens[i].split_commas()
                    i += 1
                if any(v == "" for v in values):
                    raise _usage(f"The parameter -{p.name} has an empty item in its list.",
                                 f"ParameterArgumentValidationError,{cmdlet.name}", p.name)
                value = values
            else:
                value = _value(value_token)
        target = extra if p in _CLI_ONLY else bound
        if p.name in target:
            raise _usage(f"The parameter -{p.name} was given twice.",
                         f"ParameterAlreadyBound,{cmdlet.name}", p.name)
        target[p.name] = value
    slots = [p for p in cmdlet.positional() if p.name not in bound]
    if len(positional) > len(slots):
        raise _usage(f"{cmdlet.name} takes no further positional value; see: portout help "
                     f"{cmdlet.name}", f"PositionalParameterNotFound,{cmdlet.name}")
    for p, token in zip(slots, positional):
        bound[p.name] = token.split_commas() if p.multiple else _value(token)
    return cmdlet, bound, extra


# A secret is read up to its end of line, or this many characters: more is no PIN (the core
# refuses anything over sixty-four characters as PinTooLong), and is never read whole.
SECRET_READ_LIMIT = 4096


def _read_secret_from_fd(fd: int) -> str:
    chunks = []
    size = 0
    while size < SECRET_READ_LIMIT:
        chunk = os.read(fd, SECRET_READ_LIMIT - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
    data = b"".join(chunks).split(b"\n", 1)[0]
    return data.decode("utf-8", "surrogateescape").rstrip("\r")


def _ask_secret(cmdlet: Cmdlet, p: Parameter) -> str:
    """Ask on the controlling terminal, without echo (getpass), twice when setting."""
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        raise _usage(f"There is no terminal to ask for -{p.name} without echo: use -PinFromStdin "
                     "or -PinFromFd N.", f"NoTerminalForSecret,{cmdlet.name}", p.name) from None
    first = getpass.getpass(f"{p.name}: ")
    if cmdlet.verb == "Set":
        again = getpass.getpass(f"Confirm {p.name}: ")
        if again != first:
            raise _usage("The two entries differ; nothing was changed.",
                         f"PinsDoNotMatch,{cmdlet.name}", p.name)
    return first


def _load_csv(path: str, cmdlet: Cmdlet) -> list[dict[str, str]]:
    if _core.store_file_in_use(path):  # opening and closing it would drop the store's locks
        raise _usage("The input file is a store's own database file; it is never read as input.",
                     f"InputFileIsStoreFile,{cmdlet.name}", path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as error:
        raise _usage(f"The input file cannot be read: {error.strerror}.",
                     f"InputFileUnreadable,{cmdlet.name}", path) from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise _usage(f"The input file is not CSV text: {error}.", f"InputFileInvalid,{cmdlet.name}",
                     path) from None
    known = {n.lower() for p in cmdlet.parameters for n in p.names()}
    if rows:
        unknown = [c for c in rows[0] if c and c.lower() not in known]
        if unknown:
            raise _usage(f"The input file has columns {cmdlet.name} does not take: "
                         f"{', '.join(_quote(c) for c in unknown)}.",
                         f"InputFileInvalid,{cmdlet.name}", path)
    # Column names match parameters in any case; empty cells are absent values; a cell that
    # -OutputFormat Csv quoted against formulas ('=..., '+1425...) reads back as it was.
    by_lower = {n.lower(): p.name for p in cmdlet.parameters for n in p.names()}
    return [{by_lower[k.lower()]: csv_value(v) for k, v in row.items() if k and v not in (None, "")}
            for row in rows]


def run_command(tokens: Sequence[Token], options: Options) -> int:
    out, err = options.out, options.err
    host = CliHost(out, err, options.inp)
    name = tokens[0].text
    try:
        cmdlet, bound, extra = parse_command(tokens)
        if extra.get("help"):
            out.write(help_text(cmdlet))
            return EXIT_OK
        rows = _load_csv(extra["InputFile"], cmdlet) if "InputFile" in extra else None
        for p in cmdlet.parameters:
            if not p.secret or p.name in bound or (rows and all(p.name in r for r in rows)):
                continue
            if extra.get("PinFromStdin"):
                line = options.inp.readline(SECRET_READ_LIMIT)
                rest = line
                while len(rest) == SECRET_READ_LIMIT and not rest.endswith("\n"):
                    rest = options.inp.readline(SECRET_READ_LIMIT)  # the line's end, let go
                if not line:
                    raise _usage(f"Standard input ended before -{p.name} was read.",
                                 f"SecretNotProvided,{cmdlet.name}", p.name)
                bound[p.name] = line.rstrip("\n").rstrip("\r")
            elif "PinFromFd" in extra:
                try:
                    bound[p.name] = _read_secret_from_fd(int(extra["PinFromFd"]))
                except (OSError, ValueError):
                    raise _usage("-PinFromFd names no readable file descriptor.",
                                 f"SecretNotProvided,{cmdlet.name}", p.name) from None
            elif p.mandatory:
                bound[p.name] = _ask_secret(cmdlet, p)
        if cmdlet.name == "Connect-PortOutStore":
            bound = {**options.connection(), **bound}  # what the line says wins
        elif cmdlet.needs_session:
            options.connect()
        result = cmdlet.invoke(bound, host=host, input_object=rows, collect=True)
    except UsageError as error:
        _print_error(err, error, name)
        return EXIT_USAGE
    except PortOutError as error:
        _print_error(err, error, name)
        return EXIT_FAILURE
    out.write(render(list(result), extra.get("OutputFormat")))
    out.flush()
    return EXIT_FAILURE if result.failed else EXIT_OK


def _print_error(err: TextIO, error: PortOutError, name: str) -> None:
    cmdlet = CMDLETS.get(name.lower())
    shown = cmdlet.name if cmdlet else "portout"
    if "," not in error.error_id:
        error.error_id = f"{error.error_id},{shown}"
    err.write(ErrorRecord(error, shown, error.target or "").render())
    err.flush()


# -- scripts ----------------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"\$(\w+)$")


def run_script(path: str, options: Options) -> int:
    try:
        with open(path, encoding="utf-8-sig") as f:
            source = f.read()
    except OSError as error:
        options.err.write(f"portout: the script cannot be read: {error.strerror}.\n")
        return EXIT_USAGE
    try:
        statements = tokenize_script(source)
    except UsageError as error:
        _print_error(options.err, error, "portout")
        return EXIT_USAGE
    worst = EXIT_OK
    for line, tokens in statements:
        first = tokens[0]
        match = _ASSIGNMENT.fullmatch(first.text) if first.bare(0) else None
        if match:
            status = _assign(match.group(1), tokens, line, options)
        else:
            status = run_command(tokens, options)
        worst = max(worst, status)
        if status != EXIT_OK and sessions.preferences["ErrorAction"] == "Stop":
            options.err.write(f"portout: the script stopped at line {line}.\n")
            return status
    return worst


def _assign(name: str, tokens: Sequence[Token], line: int, options: Options) -> int:
    if name.lower() != "erroractionpreference" or len(tokens) != 3 or tokens[1].text != "=":
        options.err.write(f"portout: line {line}: a script may set only $ErrorActionPreference "
                          "(as in $ErrorActionPreference = 'Stop').\n")
        return EXIT_USAGE
    for choice in ("Stop", "Continue", "SilentlyContinue", "Ignore"):
        if tokens[2].text.lower() == choice.lower():
            sessions.preferences["ErrorAction"] = choice
            return EXIT_OK
    options.err.write(f"portout: line {line}: $ErrorActionPreference takes Stop, Continue, "
                      "SilentlyContinue or Ignore.\n")
    return EXIT_USAGE


# -- help -------------------------------------------------------------------------------------

def _help(args: Sequence[str], out: TextIO, err: TextIO) -> int:
    if not args:
        help_pages.overview(out, _USAGE)
        return EXIT_OK
    if len(args) > 1:
        err.write("portout help: give one cmdlet or topic at most.\n" + _USAGE)
        return EXIT_USAGE
    wanted = args[0].lower()
    if wanted in CMDLETS:
        out.write(help_pages.help_text(CMDLETS[wanted]))
        return EXIT_OK
    for name, (_, show) in help_pages.TOPICS.items():
        if name.lower() == wanted:
            show(out)
            return EXIT_OK
    err.write(f"portout help: no cmdlet or help topic {_quote(args[0])}. See: portout help\n")
    return EXIT_USAGE


def completion_script() -> str:
    """A bash completion of cmdlet and parameter names: source <(portout completion bash)."""
    return help_pages.completion_script(_CLI_ONLY)


# -- entry ------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None, inp: TextIO | None = None) -> int:
    """Run the host on ``argv`` (``sys.argv[1:]`` by default) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    options = Options.from_environment()
    options.out, options.err, options.inp = out or sys.stdout, err or sys.stderr, inp or sys.stdin
    saved_preference = sessions.preferences["ErrorAction"]
    sessions.preferences["ErrorAction"] = "Continue"  # PowerShell's default for a shell
    try:
        return _main(args, options)
    finally:
        sessions.preferences["ErrorAction"] = saved_preference
        sessions.disconnect()


def _main(args: list[str], options: Options) -> int:
    out, err = options.out, options.err
    while args and (args[0] in _GLOBAL_OPTIONS or args[0] == "--allow-test-profile"):
        option = args.pop(0)
        if option == "--allow-test-profile":
            options.allow_test_profile = True
            continue
        if not args:
            err.write(f"portout: {option} needs a value.\n{_USAGE}")
            return EXIT_USAGE
        value = args.pop(0)
        setattr(options, _GLOBAL_OPTIONS[option],
                [v for v in value.split(",") if v] if option == "--tenant-scope" else value)
    if not args:
        err.write(_USAGE)
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if command in ("--version", "-Version", "version"):
        if rest:
            err.write("portout --version takes no arguments.\n" + _USAGE)
            return EXIT_USAGE
        out.write(f"portout {__version__}\n")
        return EXIT_OK
    if command.lower() in ("help", "get-help", "--help", "-h", "-?"):
        return _help(rest, out, err)
    if command.lower() == "completion":
        if rest != ["bash"]:
            err.write("portout completion: only bash is supported: portout completion bash\n")
            return EXIT_USAGE
        out.write(completion_script())
        return EXIT_OK
    if command.lower() in ("-file", "--file"):
        if not rest:
            err.write("portout -File takes a script path, then the script's parameters.\n" + _USAGE)
            return EXIT_USAGE
        from portout.host.script import run_file

        def read_secret(cmdlet: Cmdlet, p: Parameter) -> str:
            if options.inp.isatty():
                return _ask_secret(cmdlet, p)
            line = options.inp.readline(SECRET_READ_LIMIT)
            if not line:
                raise _usage(f"{cmdlet.name} needs -{p.name}: standard input ended before it was read.",
                             f"SecretNotProvided,{cmdlet.name}", p.name)
            return line.rstrip("\n").rstrip("\r")
        return run_file(rest[0], rest[1:], cmdlets=CMDLETS, out=out, err=err, inp=options.inp,
                        ensure_session=options.connect, read_secret=read_secret)
    return run_command([Token(command), *(Token(a) for a in rest)], options)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


help_text = help_pages.help_text

__all__ = ["main", "run", "help_text", "completion_script", "tokenize_script", "pascal"]
