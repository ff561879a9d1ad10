"""The arguments of the built-in commands: each declares its parameters (a Spec), and bind
takes a command's arguments by name, unambiguous prefix and position, as PowerShell binds them;
and what several built-ins read from an object (a property, a calculated property, all of them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from portout.host import members as m
from portout.host import nodes as n
from portout.host import values as v
from portout.cmdlet import UsageError
from portout.host.binding import COMMON, Slot, common_slots, fill_positions, lookup, walk
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


def bind(rt: Any, node: n.Command, scope: Any, spec: Spec) -> dict[str, Any]:
    """A built-in's arguments: named (lower case), then positional into spec.positional; the
    common parameters are taken and let go."""
    table = common_slots()
    for name in (*spec.positional, *spec.switches, *spec.named):
        table[name] = Slot(name, name in spec.switches)
    for alias, name in spec.aliases.items():
        table[alias] = Slot(name, name in spec.switches)
    try:
        named, positional = walk(rt.raw_arguments(node, scope), lambda raw: lookup(table, raw, spec.name),
                                 spec.name, sorted({*spec.positional, *spec.switches, *spec.named}))
        named = {k: value for k, value in named.items() if k not in COMMON.values()}
        return fill_positions(named, positional, spec.positional, spec.name)
    except UsageError as error:
        raise ScriptTerminatingError(rt.record(error, node, spec.name), statement=True) from None


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
