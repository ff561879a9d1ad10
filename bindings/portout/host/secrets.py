"""Where a PIN comes from when a command needs one: a line of standard input, an open file
descriptor, or a prompt on the terminal without echo (twice when the parameter asks for the
entry to be confirmed). Never from a command line or a script's text."""

from __future__ import annotations

import getpass
import os
from typing import Any, Optional, TextIO

from portout.cmdlet import UsageError

# A secret is read up to its end of line, or this many characters: more is no PIN (the core
# refuses anything over sixty-four characters as PinTooLong), and is never read whole.
SECRET_READ_LIMIT = 4096


def read_line(stream: TextIO) -> Optional[str]:
    """The next line of `stream` without its end of line; None when the stream has ended. A
    line longer than the limit is cut there, and the rest of it is read and let go."""
    line = stream.readline(SECRET_READ_LIMIT)
    rest = line
    while len(rest) == SECRET_READ_LIMIT and not rest.endswith("\n"):
        rest = stream.readline(SECRET_READ_LIMIT)
    if not line:
        return None
    return line.rstrip("\n").rstrip("\r")


def read_fd(fd: int) -> str:
    """The first line of an open file descriptor (at most the limit)."""
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


def has_terminal() -> bool:
    try:
        os.close(os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY))
    except OSError:
        return False
    return True


def ask(command: str, parameter: Any) -> str:
    """Ask on the controlling terminal without echo; twice when the parameter says so."""
    if not has_terminal():
        raise UsageError(f"There is no terminal to ask for -{parameter.name} without echo: use "
                         "-PinFromStdin or -PinFromFd N (in a script, Read-Host -AsSecureString).",
                         error_id=f"NoTerminalForSecret,{command}", target=parameter.name)
    try:
        first = getpass.getpass(f"{parameter.name}: ")
        again = getpass.getpass(f"Confirm {parameter.name}: ") if parameter.confirm_entry else first
    except EOFError:
        raise UsageError(f"The input ended before -{parameter.name} was given; nothing was changed.",
                         error_id=f"SecretNotProvided,{command}", target=parameter.name) from None
    if again != first:
        raise UsageError("The two entries differ; nothing was changed.",
                         error_id=f"PinsDoNotMatch,{command}", target=parameter.name)
    return first
