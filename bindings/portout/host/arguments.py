"""The arguments of the built-in commands: each declares its parameters (a Spec), and bind
takes a command's arguments by name, unambiguous prefix and position, as PowerShell binds them;
and what several built-ins read from an object (a property, a calculated property, all of them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from portout.host import members as m
from portout.host import nodes as n
from portout.host import values as v
from portout.host.errors import ScriptRuntimeError
from portout.host.flow import ErrorRecordValue, ScriptTerminatingError
from portout.host.values import Hashtable, ScriptBlockValue


@dataclass
class Spec:
    name: str
    positional: tuple[str, ...] = ()
    switches: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)

    def canonical(self, raw: str) -> Optional[str]:
        lower = raw.lower()
        every = set(self.positional) | set(self.switches) | set(self.named)
        if lower in every:
            return lower
        if lower in self.aliases:
            return self.aliases[lower]
        hits = [p for p in every if p.startswith(lower)]
        return hits[0] if len(hits) == 1 else None


_COMMON = {"erroraction", "ea", "errorvariable", "ev", "warningaction", "wa", "verbose", "vb",
           "outvariable", "ov", "debug", "informationaction"}


def bind(rt: Any, node: n.Command, scope: Any, spec: Spec) -> dict[str, Any]:
    """A built-in's arguments: named (lower case), then positional into spec.positional."""
    arguments = rt.raw_arguments(node, scope)
    named: dict[str, Any] = {}
    positional: list[Any] = []
    i = 0
    while i < len(arguments):
        arg = arguments[i]
        if isinstance(arg, tuple) and arg[:1] == ("-",):
            _, raw, value, has_value = arg
            name = spec.canonical(raw)
            if name is None:
                if raw.lower() in _COMMON:
                    if not has_value and raw.lower() not in ("verbose", "vb", "debug"):
                        i += 1
                    i += 1
                    continue
                raise ScriptTerminatingError(rt.record(ScriptRuntimeError(
                    f"A parameter cannot be found that matches parameter name '{raw}'.",
                    error_id=f"NamedParameterNotFound,{spec.name}", target=raw), node, spec.name), statement=True)
            if not has_value:
                if name in spec.switches:
                    value = True
                elif i + 1 < len(arguments) and not (isinstance(arguments[i + 1], tuple)
                                                     and arguments[i + 1][:1] == ("-",)):
                    i += 1
                    value = arguments[i]
                else:
                    raise ScriptTerminatingError(rt.record(ScriptRuntimeError(
                        f"Missing an argument for parameter '{raw}'.", error_id=f"MissingArgument,{spec.name}",
                        target=raw), node, spec.name), statement=True)
            named[name] = value
        else:
            positional.append(arg)
        i += 1
    slots = [p for p in spec.positional if p not in named]
    for value in positional:
        if not slots:
            raise ScriptTerminatingError(rt.record(ScriptRuntimeError(
                f"A positional parameter cannot be found that accepts argument '{v.to_string(value)}'.",
                error_id=f"PositionalParameterNotFound,{spec.name}"), node, spec.name), statement=True)
        named[slots.pop(0)] = value
    return named


def _block(value: Any, what: str) -> ScriptBlockValue:
    if not isinstance(value, ScriptBlockValue):
        raise ScriptRuntimeError(f"{what} takes a script block {{ }}.", error_id="ScriptBlockExpected")
    return value


def _names(value: Any) -> list[Any]:
    return v.items(value) if isinstance(value, (list, tuple)) else ([] if value is None else [value])


def _property(rt: Any, scope: Any, item: Any, prop: Any) -> Any:
    """A property of an item: a name, a script block run with $_, or a calculated @{ }."""
    if isinstance(prop, ScriptBlockValue):
        return rt.run_block_value(prop.block, scope, dollar_under=item)
    if isinstance(prop, dict):
        expression = _calculated(prop)[1]
        return _property(rt, scope, item, expression)
    if isinstance(item, ErrorRecordValue):
        return item.ps_member(v.to_string(prop))
    return m.get_member(item, v.to_string(prop))


def _calculated(prop: dict[str, Any]) -> tuple[str, Any]:
    table = prop if isinstance(prop, Hashtable) else Hashtable(prop)
    name = next((table[k] for k in ("Name", "N", "Label", "L") if k in table), None)
    expression = next((table[k] for k in ("Expression", "E") if k in table), None)
    if expression is None:
        raise ScriptRuntimeError("A calculated property needs Expression (or E).", error_id="MissingExpression")
    if name is None:
        name = v.to_string(expression)
    return v.to_string(name), expression


def _all_properties(item: Any) -> list[str]:
    if isinstance(item, dict):
        return [str(k) for k in item.keys()]
    return m.fields(item)


def _stream(input_items: Optional[Iterator[Any]]) -> Iterator[Any]:
    return input_items if input_items is not None else iter(())
