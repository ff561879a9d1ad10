"""The syntax tree of a script: what the parser makes and the evaluator walks.

Every node keeps where it starts (line and column, from 1) so that errors, at parse time and
when the script runs, name the exact place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union


@dataclass
class Node:
    line: int
    column: int


# -- expressions ------------------------------------------------------------------------------

@dataclass
class Constant(Node):
    value: Any


@dataclass
class ExpandableString(Node):
    """A double-quoted string: literal text and embedded expressions, in order."""

    parts: list[Union[str, "Node"]]


@dataclass
class Variable(Node):
    name: str          # without the $ and without a scope ("_" for $_)
    scope: str = ""    # "", "script", "global", "local", "env"
    splat: bool = False  # @name in a command's arguments


@dataclass
class Member(Node):
    target: Node
    name: str
    static: bool = False  # [type]::Name


@dataclass
class MethodCall(Node):
    target: Node
    name: str
    arguments: list[Node]
    static: bool = False


@dataclass
class Index(Node):
    target: Node
    index: Node


@dataclass
class Unary(Node):
    op: str        # "-not", "-", "+", "-join", "-split", "++", "--"
    operand: Node


@dataclass
class Binary(Node):
    op: str        # "+", "-eq", "-and", "..", "-f", ... (lower case; "c"/"i" prefixes kept)
    left: Node
    right: Node


@dataclass
class Cast(Node):
    type_name: str  # canonical lower-case name: "int", "string", "datetime", ...
    operand: Node


@dataclass
class TypeLiteral(Node):
    type_name: str


@dataclass
class ArrayLiteral(Node):
    items: list[Node]


@dataclass
class SubExpression(Node):
    """$( ... ) and @( ... ): statements whose output is the value (@ always an array)."""

    statements: list[Node]
    array: bool = False


@dataclass
class Paren(Node):
    """( pipeline ): one pipeline's output as a value."""

    pipeline: Node


@dataclass
class Hashtable(Node):
    pairs: list[tuple[Node, Node]]
    ordered: bool = False


@dataclass
class ScriptBlockExpr(Node):
    block: "ScriptBlock"


# -- statements -------------------------------------------------------------------------------

@dataclass
class Parameter(Node):
    name: str
    type_name: str = ""
    default: Optional[Node] = None
    mandatory: bool = False


@dataclass
class ScriptBlock(Node):
    params: list[Parameter]
    statements: list[Node]
    text: str = ""  # the source, as { ... } shows when printed


@dataclass
class CommandParameter(Node):
    name: str                  # as written, without the dash
    argument: Optional[Node] = None  # -Name:value
    colon: bool = False


@dataclass
class Redirection(Node):
    stream: str   # "1", "2", "*"
    target: str   # only "$null" is supported


@dataclass
class Command(Node):
    name: str
    elements: list[Node]   # CommandParameter and argument expressions, in order
    redirections: list[Redirection] = field(default_factory=list)


@dataclass
class Pipeline(Node):
    elements: list[Node]   # the first may be an expression; the others are Commands


@dataclass
class Assignment(Node):
    target: Node           # Variable, Member or Index
    op: str                # "=", "+=", "-=", "*=", "/=", "%="
    value: Node            # a statement


@dataclass
class If(Node):
    clauses: list[tuple[Node, ScriptBlock]]
    otherwise: Optional[ScriptBlock] = None


@dataclass
class Foreach(Node):
    variable: Variable
    iterable: Node
    body: ScriptBlock
    label: str = ""


@dataclass
class For(Node):
    init: Optional[Node]
    condition: Optional[Node]
    step: Optional[Node]
    body: ScriptBlock
    label: str = ""


@dataclass
class While(Node):
    condition: Node
    body: ScriptBlock
    do: bool = False        # do { } while/until: the body runs first
    until: bool = False
    label: str = ""


@dataclass
class SwitchClause(Node):
    pattern: Optional[Node]  # None: default
    body: ScriptBlock


@dataclass
class Switch(Node):
    value: Node
    clauses: list[SwitchClause]
    mode: str = ""          # "", "wildcard", "regex", "exact"
    case_sensitive: bool = False
    label: str = ""


@dataclass
class Catch(Node):
    types: list[str]
    body: ScriptBlock


@dataclass
class Try(Node):
    body: ScriptBlock
    catches: list[Catch]
    final: Optional[ScriptBlock] = None


@dataclass
class Throw(Node):
    value: Optional[Node]


@dataclass
class Return(Node):
    value: Optional[Node]


@dataclass
class Break(Node):
    label: str = ""


@dataclass
class Continue(Node):
    label: str = ""


@dataclass
class Exit(Node):
    value: Optional[Node]


@dataclass
class Function(Node):
    name: str
    body: ScriptBlock


@dataclass
class Script(Node):
    block: ScriptBlock
    path: str = ""
    source: str = ""
