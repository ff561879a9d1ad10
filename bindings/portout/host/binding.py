"""How arguments meet parameters, once for every kind of command: a portout cmdlet (from a
script, the command line or the interactive shell), a built-in command, a script's or a
function's param( ) block. Each says what a name means (`resolve`); the walk over the
arguments, the positional slots and the errors are the same for all, PowerShell's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Sequence

from portout.cmdlet import UsageError, did_you_mean

#: The common parameters every command takes, by name and alias, in their canonical spelling.
COMMON = {"erroraction": "ErrorAction", "ea": "ErrorAction", "errorvariable": "ErrorVariable",
          "ev": "ErrorVariable", "warningaction": "WarningAction", "wa": "WarningAction",
          "verbose": "Verbose", "vb": "Verbose", "outvariable": "OutVariable", "ov": "OutVariable",
          "debug": "Debug", "informationaction": "InformationAction"}
COMMON_SWITCHES = frozenset({"Verbose", "Debug"})

# A word is echoed in an error only when it cannot be a PIN or another secret.
_ECHOABLE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")


def shown(word: Any) -> str:
    """A word as an error may show it: quoted, or `(not shown)` when it could be a secret."""
    text = str(word)
    safe = _ECHOABLE.fullmatch(text) and sum(c.isdigit() for c in text) < 4
    return f"'{text}'" if safe else "(not shown)"


@dataclass(frozen=True)
class Slot:
    """What a parameter name resolved to: its canonical name, and whether it is a switch (a
    switch takes a value only as -Name:value)."""

    name: str
    switch: bool = False


def is_name(argument: Any) -> bool:
    return isinstance(argument, tuple) and argument[:1] == ("-",)


def walk(arguments: Sequence[Any], resolve: Callable[[str], Optional[Slot]], command: str,
         candidates: Iterable[str] = ()) -> tuple[dict[str, Any], list[Any]]:
    """Named values (by canonical name) and positional values, in order.

    ``arguments`` holds values and ``("-", name, value, has_value)`` for each -Name. A name
    ``resolve`` does not know is NamedParameterNotFound, with the closest of ``candidates``."""
    named: dict[str, Any] = {}
    positional: list[Any] = []
    i = 0
    while i < len(arguments):
        argument = arguments[i]
        i += 1
        if not is_name(argument):
            positional.append(argument)
            continue
        _, raw, value, has_value = argument
        slot = resolve(raw)
        if slot is None:
            hint = did_you_mean("-" + raw, ["-" + c for c in candidates]) if shown(raw) != "(not shown)" else ""
            raise UsageError(f"A parameter cannot be found that matches parameter name {shown(raw)}.{hint}",
                             error_id=f"NamedParameterNotFound,{command}",
                             target=raw if shown(raw) != "(not shown)" else "")
        if not has_value:
            if slot.switch:
                value = True
            elif i < len(arguments) and not is_name(arguments[i]):
                value = arguments[i]
                i += 1
            else:
                raise UsageError(f"Missing an argument for parameter '{slot.name}'.",
                                 error_id=f"MissingArgument,{command}", target=slot.name)
        if slot.name in named:
            raise UsageError(f"The parameter '{slot.name}' was given more than once.",
                             error_id=f"ParameterAlreadyBound,{command}", target=slot.name)
        named[slot.name] = value
    return named, positional


def fill_positions(named: dict[str, Any], positional: Sequence[Any], slots: Sequence[str],
                   command: str) -> dict[str, Any]:
    """The positional values into the parameters that take positions and are not named yet."""
    free = [s for s in slots if s not in named]
    for value in positional:
        if not free:
            raise UsageError(f"A positional parameter cannot be found that accepts argument "
                             f"{shown(_text(value))}.", error_id=f"PositionalParameterNotFound,{command}")
        named[free.pop(0)] = value
    return named


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(_text(x) for x in value)
    return "" if value is None else str(value)


def lookup(table: dict[str, Slot], raw: str, command: str) -> Optional[Slot]:
    """A parameter by name or alias (the keys of `table`, lower case) or by an unambiguous
    prefix of one, in any case; None when nothing matches."""
    lower = raw.lower()
    if lower in table:
        return table[lower]
    hits = {slot.name: slot for key, slot in table.items() if key.startswith(lower)}
    if len(hits) > 1:
        raise UsageError(f"Parameter cannot be processed because the parameter name {shown(raw)} is "
                         f"ambiguous. Possible matches include: {' '.join('-' + h for h in sorted(hits))}.",
                         error_id=f"AmbiguousParameter,{command}",
                         target=raw if shown(raw) != "(not shown)" else "")
    return next(iter(hits.values()), None)


def common_slots() -> dict[str, Slot]:
    return {alias: Slot(name, name in COMMON_SWITCHES) for alias, name in COMMON.items()}


class Word(str):
    """A word of the command line, as the shell passed it: its commas make a list when the
    parameter takes several values (`-Identity a.com,b.com`), and are text otherwise."""
