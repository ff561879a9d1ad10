"""The command-line host ``portout``.

``portout --version`` prints the version; ``portout help [TOPIC]`` shows help. Exit codes:
0 success, 1 an operation failed, 2 the command line itself is wrong.
"""

from __future__ import annotations

import re
import sys
from typing import Callable, Sequence, TextIO

from portout import __version__
from portout._core import PIN_RULES, PinPolicy

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

# Words of the command line are echoed in errors only when they cannot be a PIN or a secret.
_ECHOABLE = re.compile(r"[A-Za-z][A-Za-z_-]{0,63}")


def _quote(word: str) -> str:
    return repr(word) if _ECHOABLE.fullmatch(word) else "(not shown)"

_USAGE = """\
Usage:
  portout --version
  portout help [TOPIC]
"""


def _overview(out: TextIO) -> None:
    out.write(
        f"portout {__version__}: port-out PINs and port-out orders for tenants.\n\n"
        f"{_USAGE}\n"
        "Help topics:\n"
    )
    for name, (summary, _) in sorted(_TOPICS.items(), key=lambda item: item[0].lower()):
        out.write(f"  {name:<22} {summary}\n")
    out.write("\nType 'portout help TOPIC' for a topic.\n")


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
        " once set it\ncan be changed, never removed or set back to blank. A store may choose"
        " other\nlengths between 4 and 15.\n\n"
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
        "Every error has an id (such as PinPolicyViolation), a category and a target (what\n"
        "the operation acted on). In Python each error class is also a builtin exception:\n"
    )
    for category, cls in sorted(_BY_CATEGORY.items()):
        builtin = next(b for b in cls.__mro__[1:] if b.__module__ == "builtins")
        out.write(f"  {category:<20} portout.{cls.__name__} ({builtin.__name__})\n")
    out.write(
        "\nExit codes of the portout command: 0 success, 1 an operation failed, 2 the command\n"
        "line is wrong.\n"
    )


_TOPICS: dict[str, tuple[str, Callable[[TextIO], None]]] = {
    "about_PortOutPin": ("What a port-out PIN is and the rules it must meet", _about_pin),
    "about_PortOutErrors": ("Error ids, categories and exit codes", _about_errors),
}


def _help(args: Sequence[str], out: TextIO, err: TextIO) -> int:
    if not args:
        _overview(out)
        return EXIT_OK
    if len(args) > 1:
        err.write("portout help: give one topic at most.\n" + _USAGE)
        return EXIT_USAGE
    wanted = args[0].lower()
    for name, (_, show) in _TOPICS.items():
        if name.lower() == wanted:
            show(out)
            return EXIT_OK
    err.write(f"portout help: no help topic {_quote(args[0])}. Topics: {', '.join(_TOPICS)}.\n")
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the host on ``argv`` (``sys.argv[1:]`` by default) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
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
    err.write(f"portout: unknown command {_quote(command)}.\n{_USAGE}")
    return EXIT_USAGE


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
