"""Running a parsed script: scopes and variables, statements, pipelines that stream, functions,
errors as PowerShell has them (non-terminating ones written and kept in $Error, terminating
ones caught by try/catch), and the calls into the cmdlets and the built-in commands."""

from __future__ import annotations

import os
from typing import Any, Callable, Generator, Iterator, Optional, TextIO

from portout.cmdlet import Cmdlet
from portout.session import Host
from portout.errors import PortOutError
from portout.host import members as m
from portout.host import nodes as n
from portout.host import values as v
from portout.cmdlet import ERROR_ACTIONS, UsageError, did_you_mean
from portout.host.binding import Slot, common_slots, lookup, shown, walk
from portout.host.calls import CmdletCalls
from portout.host.errors import ScriptRuntimeError
from portout.host.flow import (BreakFlow, ContinueFlow, ErrorRecordValue, ExitFlow, Function, ReturnFlow, Scope,
                               ScriptTerminatingError)
from portout.host.operators import Operators
from portout.host.values import NOTHING, Hashtable, PSObject, ScriptBlockValue


# -- the runtime ------------------------------------------------------------------------------

class Runtime(CmdletCalls, Operators):
    """One script run: its scopes, functions, streams and the way to the store."""

    def __init__(self, *, host: Host, out: TextIO, err: TextIO,
                 ensure_session: Callable[[Cmdlet, dict[str, Any]], Any] = lambda cmdlet, bound: None,
                 read_secret: Optional[Callable[[Cmdlet, Any], str]] = None,
                 read_line: Optional[Callable[[str, bool], Optional[str]]] = None,
                 cmdlets: Optional[dict[str, Cmdlet]] = None,
                 script_path: str = "", source: str = "",
                 cmdlet_defaults: Callable[[Cmdlet, dict[str, Any]], dict[str, Any]] = lambda cmdlet, bound: {},
                 command_line: bool = False) -> None:
        """`ensure_session(cmdlet, bound)` connects before a cmdlet that needs a store runs;
        `cmdlet_defaults(cmdlet, bound)` gives parameter values the call did not; `command_line`: the
        arguments are words of a shell's command line, where no secret is ever taken."""
        from portout.host import builtins

        self.host = host
        self.out = out
        self.err = err
        self.ensure_session = ensure_session
        self.cmdlet_defaults = cmdlet_defaults
        self.command_line = command_line
        self.read_secret = read_secret
        self.read_line = read_line
        self.cmdlets = cmdlets or {}
        self.builtins = builtins.BUILTINS
        self.script_path = script_path
        self.lines = source.splitlines()
        self.global_scope = Scope(kind="global")
        self.script_scope = Scope(self.global_scope, kind="script")
        self.functions: dict[str, Function] = {}
        self.errors: list[ErrorRecordValue] = []
        self.try_depth = 0
        self.matches: dict[Any, Any] = Hashtable()
        g = self.global_scope
        for name, value in (("ErrorActionPreference", "Continue"), ("WarningPreference", "Continue"),
                            ("VerbosePreference", "SilentlyContinue"), ("WhatIfPreference", False),
                            ("ConfirmPreference", "High"), ("OFS", " "), ("Error", self.errors),
                            ("true", True), ("false", False), ("null", None),
                            ("PSScriptRoot", os.path.dirname(os.path.abspath(script_path)) if script_path else ""),
                            ("PSCommandPath", os.path.abspath(script_path) if script_path else ""),
                            ("Matches", self.matches), ("Host", PSObject({"Name": "portout"})),
                            ("PSVersionTable", Hashtable({"PSVersion": "7.4", "PSEdition": "portout"}))):
            g.set(name, value)

    # -- running -------------------------------------------------------------------------

    def run(self, script: n.Script, arguments: list[Any]) -> int:
        from portout.host.formatting import OutDefault

        scope = self.script_scope
        try:
            self.bind_parameters(script.block.params, arguments, scope, "script")
            for statement in script.block.statements:
                sink = OutDefault(self.out)
                try:
                    for item in self.statement(statement, scope):
                        sink.feed(item)
                except ScriptTerminatingError as stopped:
                    sink.flush()
                    if not self.ends_statement_only(stopped, scope):
                        raise
                    self.write_error(stopped.record, "Continue")
                finally:
                    sink.flush()
        except ExitFlow as done:
            return done.code
        except ScriptTerminatingError as stopped:
            self.err.write(stopped.record.render())
            return 1
        except ReturnFlow:
            return 0
        except (BreakFlow, ContinueFlow):
            return 0
        return 0

    def where(self, node: n.Node) -> tuple[int, int, str]:
        text = self.lines[node.line - 1] if 0 < node.line <= len(self.lines) else ""
        return node.line, node.column, text

    def record(self, error: PortOutError, node: n.Node, command: str = "", thrown: Any = None) -> ErrorRecordValue:
        line, column, text = self.where(node)
        return ErrorRecordValue(error, command, line, column, text, self.script_path, thrown)

    def fail(self, node: n.Node, message: str, error_id: str = "RuntimeException",
             target: str = "") -> ScriptTerminatingError:
        return ScriptTerminatingError(self.record(ScriptRuntimeError(message, error_id=error_id, target=target,
                                                                     line=node.line, column=node.column), node),
                                      statement=True)

    # -- parameters ----------------------------------------------------------------------

    def bind_parameters(self, params: list[n.Parameter], arguments: list[Any], scope: Scope,
                        what: str) -> None:
        """A param( ) block bound from `arguments`: ("-Name", value) pairs and positional values."""
        table = common_slots()
        table.update({p.name.lower(): Slot(p.name.lower(), p.type_name == "switch") for p in params})
        try:
            named, positional = walk(arguments, lambda raw: lookup(table, raw, what), what,
                                     [p.name for p in params])
        except UsageError as error:
            raise ScriptTerminatingError(ErrorRecordValue(error)) from None
        rest: list[Any] = []
        for p in params:
            key = p.name.lower()
            if key in named:
                value = named[key]
            elif p.type_name != "switch" and positional:
                value = positional.pop(0)
            elif p.mandatory:
                raise ScriptTerminatingError(ErrorRecordValue(ScriptRuntimeError(
                    f"Missing an argument for the mandatory parameter '{p.name}'.",
                    error_id=f"MissingMandatoryParameter,{what}", target=p.name)))
            elif p.default is not None:
                value = self.value(p.default, scope)
            else:
                value = False if p.type_name == "switch" else None
            if p.type_name and value is not None and p.type_name not in ("object",):
                try:
                    value = v.cast(p.type_name, value)
                except ScriptRuntimeError as error:
                    raise ScriptTerminatingError(ErrorRecordValue(ScriptRuntimeError(
                        f"Cannot process argument transformation on parameter '{p.name}'. {error.message}",
                        error_id=f"ParameterArgumentTransformationError,{what}", target=p.name))) from None
            scope.set(p.name, value)
        rest.extend(positional)
        scope.set("args", rest)

    # -- statements ----------------------------------------------------------------------

    def statements(self, statements: list[n.Node], scope: Scope) -> Iterator[Any]:
        for statement in statements:
            try:
                yield from self.statement(statement, scope)
            except ScriptTerminatingError as stopped:
                if not self.ends_statement_only(stopped, scope):
                    raise
                self.write_error(stopped.record, "Continue")

    def ends_statement_only(self, stopped: ScriptTerminatingError, scope: Scope) -> bool:
        preference = v.to_string(self.preference("ErrorActionPreference", scope)).lower()
        return stopped.statement and self.try_depth == 0 and preference != "stop"

    def statement(self, node: n.Node, scope: Scope) -> Iterator[Any]:
        if isinstance(node, n.Pipeline):
            yield from self.pipeline(node, scope)
        elif isinstance(node, n.Assignment):
            self.assign(node, scope)
        elif isinstance(node, n.If):
            for condition, block in node.clauses:
                if v.to_bool(self.value(condition, scope)):
                    yield from self.statements(block.statements, scope)
                    return
            if node.otherwise is not None:
                yield from self.statements(node.otherwise.statements, scope)
        elif isinstance(node, n.Foreach):
            for item in v.items(self.value(node.iterable, scope)):
                self.set_variable(node.variable, item, scope)
                if not (yield from self.loop_body(node, scope)):
                    break
        elif isinstance(node, n.For):
            if node.init is not None:
                for _ in self.statement(node.init, scope):
                    pass
            while node.condition is None or v.to_bool(self.value(node.condition, scope)):
                if not (yield from self.loop_body(node, scope)):
                    break
                if node.step is not None:
                    for _ in self.statement(node.step, scope):
                        pass
        elif isinstance(node, n.While):
            # The condition once an iteration: before the body (while), or after it (do).
            while True:
                if not node.do and v.to_bool(self.value(node.condition, scope)) == node.until:
                    break
                if not (yield from self.loop_body(node, scope)):
                    break
                if node.do and v.to_bool(self.value(node.condition, scope)) == node.until:
                    break
        elif isinstance(node, n.Switch):
            yield from self.switch(node, scope)
        elif isinstance(node, n.Try):
            yield from self.try_(node, scope)
        elif isinstance(node, n.Throw):
            self.throw(node, scope)
        elif isinstance(node, n.Return):
            if node.value is not None:
                yield from self.output_of(node.value, scope)
            raise ReturnFlow()
        elif isinstance(node, n.Break):
            raise BreakFlow(node.label)
        elif isinstance(node, n.Continue):
            raise ContinueFlow(node.label)
        elif isinstance(node, n.Exit):
            code = 0
            if node.value is not None:
                try:
                    code = int(v.to_number(self.value(node.value, scope)))
                except ScriptRuntimeError:
                    code = 1
            raise ExitFlow(code)
        elif isinstance(node, n.Function):
            self.functions[node.name.lower()] = Function(node)
        else:
            yield from self.output_of(node, scope)

    def output_of(self, node: n.Node, scope: Scope) -> Iterator[Any]:
        """What a statement writes: a pipeline's objects, or an expression's value unrolled."""
        if isinstance(node, n.Pipeline):
            yield from self.pipeline(node, scope)
            return
        if isinstance(node, (n.If, n.Foreach, n.For, n.While, n.Switch, n.Try, n.Assignment)):
            yield from self.statement(node, scope)
            return
        value = self.expression(node, scope)
        # A variable that holds nothing (a pipeline that wrote nothing) writes nothing, as
        # PowerShell's AutomationNull: @($none).Count is 0.
        if value is NOTHING or value is None:
            return
        if isinstance(value, (list, tuple)):
            yield from value
        else:
            yield value

    def value(self, node: n.Node, scope: Scope) -> Any:
        """A statement or expression as one value: several objects an array, one itself."""
        if isinstance(node, (n.Pipeline, n.If, n.Foreach, n.For, n.While, n.Switch, n.Try)):
            return v.unwrap(list(self.statement(node, scope)))
        if isinstance(node, n.Assignment):
            self.assign(node, scope)
            return NOTHING
        return self.expression(node, scope)

    def loop_body(self, loop: Any, scope: Scope) -> Generator[Any, None, bool]:
        """A loop's body, once: False when a break (of this loop, or unlabelled) ends it."""
        try:
            yield from self.statements(loop.body.statements, scope)
        except BreakFlow as flow:
            if flow.label and flow.label != loop.label:
                raise
            return False
        except ContinueFlow as flow:
            if flow.label and flow.label != loop.label:
                raise
        return True

    def switch(self, node: n.Switch, scope: Scope) -> Iterator[Any]:
        subject = self.value(node.value, scope)
        for item in (v.items(subject) if isinstance(subject, (list, tuple)) else [subject]):
            matched = False
            try:
                for clause in node.clauses:
                    if clause.pattern is None:
                        continue
                    if self.clause_matches(node, clause.pattern, item, scope):
                        matched = True
                        scope.set("_", item)
                        scope.set("PSItem", item)
                        yield from self.statements(clause.body.statements, scope)
                if not matched:
                    for clause in node.clauses:
                        if clause.pattern is None:
                            scope.set("_", item)
                            scope.set("PSItem", item)
                            yield from self.statements(clause.body.statements, scope)
            except BreakFlow as flow:
                if flow.label and flow.label != node.label:
                    raise
                return
            except ContinueFlow as flow:
                if flow.label and flow.label != node.label:
                    raise
                continue

    def clause_matches(self, node: n.Switch, pattern: n.Node, item: Any, scope: Scope) -> bool:
        if isinstance(pattern, n.ScriptBlockExpr):
            return v.to_bool(self.run_block_value(pattern.block, scope, dollar_under=item))
        value = self.expression(pattern, scope)
        prefix = "c" if node.case_sensitive else ""
        if node.mode == "wildcard":
            return bool(v.compare(prefix + "like", v.to_string(item), value))
        if node.mode == "regex":
            return bool(v.compare(prefix + "match", v.to_string(item), value, self.matches))
        if isinstance(value, str):
            return bool(v.compare(prefix + "eq", v.to_string(item), value))
        return bool(v.compare(prefix + "eq", item, value))

    def try_(self, node: n.Try, scope: Scope) -> Iterator[Any]:
        try:
            self.try_depth += 1
            try:
                yield from self.statements(node.body.statements, scope)
            finally:
                self.try_depth -= 1
        except ScriptTerminatingError as stopped:
            handler = self.handler(node, stopped.record)
            if handler is None:
                raise
            if not self.errors or self.errors[0] is not stopped.record:
                self.errors.insert(0, stopped.record)
            scope.set("_", stopped.record)
            scope.set("PSItem", stopped.record)
            yield from self.statements(handler.body.statements, scope)
        finally:
            if node.final is not None:
                for item in self.statements(node.final.statements, scope):
                    yield item

    def handler(self, node: n.Try, record: ErrorRecordValue) -> Optional[n.Catch]:
        names = {c.__name__.lower() for c in type(record.exception).__mro__}
        for catch in node.catches:
            if not catch.types:
                return catch
            for t in catch.types:
                key = t.split(".")[-1]
                if key in ("exception", "runtimeexception") or key in names:
                    return catch
                if key == "itemnotfoundexception" and "objectnotfounderror" in names:
                    return catch
                if key == "unauthorizedaccessexception" and "permissiondeniederror" in names:
                    return catch
                if key == "argumentexception" and "invalidargumenterror" in names:
                    return catch
                if key == "invalidoperationexception" and "invalidoperationerror" in names:
                    return catch
        return None

    def throw(self, node: n.Throw, scope: Scope) -> None:
        value = self.value(node.value, scope) if node.value is not None else None
        if isinstance(value, ErrorRecordValue):
            raise ScriptTerminatingError(value)
        if value is None:
            found, current = scope.get("_")
            if found and isinstance(current, ErrorRecordValue):
                raise ScriptTerminatingError(current)
            message = "ScriptHalted"
        else:
            message = v.to_string(value)
        error = ScriptRuntimeError(message, error_id=message, line=node.line, column=node.column)
        error.category = "OperationStopped"  # type: ignore[misc]
        raise ScriptTerminatingError(self.record(error, node, thrown=value))

    # -- variables -----------------------------------------------------------------------

    def get_variable(self, node: n.Variable, scope: Scope) -> Any:
        name = node.name
        if node.scope == "env":
            return os.environ.get(name)
        lower = name.lower()
        if lower in ("_", "psitem"):
            found, value = scope.get("_")
            return value if found else None
        if lower == "matches":
            return self.matches
        if lower == "?":
            return True
        target = scope
        if node.scope == "script":
            target = scope.up_to("script")
        elif node.scope == "global":
            target = self.global_scope
        found, value = target.get(name)
        if not found:
            return None
        return value

    def set_variable(self, node: n.Variable, value: Any, scope: Scope) -> None:
        if node.scope == "env":
            raise self.fail(node, "$env: variables are read-only in portout scripts.", "EnvironmentReadOnly")
        lower = node.name.lower()
        if lower in ("true", "false", "null"):
            if lower == "null":
                return  # $null = ... discards
            raise self.fail(node, f"Cannot overwrite variable {node.name} because it is read-only or constant.",
                            "VariableNotWritable")
        if lower == "erroractionpreference":
            text = v.to_string(value)
            match = next((a for a in ERROR_ACTIONS if a.lower() == text.lower()), None)
            if match is None:
                raise self.fail(node, "$ErrorActionPreference takes Stop, Continue, SilentlyContinue or Ignore.",
                                "InvalidErrorActionPreference")
            value = match
        target = scope
        if node.scope == "script":
            target = scope.up_to("script")
        elif node.scope == "global":
            target = self.global_scope
        target.set(node.name, value)

    def preference(self, name: str, scope: Scope) -> Any:
        return scope.get(name)[1]

    # -- assignment ----------------------------------------------------------------------

    def assign(self, node: n.Assignment, scope: Scope) -> None:
        target = node.target
        type_name = ""
        if isinstance(target, n.Cast):
            type_name = target.type_name
            target = target.operand
        if node.op in ("++", "--"):
            current = self.expression(target, scope)
            new: Any = v.add(current, 1) if node.op == "++" else v.subtract(current, 1)
        else:
            rhs = node.value
            if isinstance(rhs, (n.Pipeline, n.If, n.Foreach, n.For, n.While, n.Switch, n.Try)):
                new = v.unwrap(list(self.statement(rhs, scope)))
            elif isinstance(rhs, n.Assignment):
                self.assign(rhs, scope)
                new = self.expression(rhs.target if not isinstance(rhs.target, n.Cast) else rhs.target.operand, scope)
            else:
                new = self.expression(rhs, scope)
                if new is NOTHING:
                    new = None
            if node.op != "=":
                current = self.expression(target, scope)
                op = {"+=": v.add, "-=": v.subtract, "*=": v.multiply, "/=": v.divide, "%=": v.modulo}[node.op]
                new = self.guard(node, lambda: op(current, new))
        if type_name:
            new = self.guard(node, lambda: v.cast(type_name, new))
        if isinstance(target, n.Variable):
            self.set_variable(target, new, scope)
        elif isinstance(target, n.Member):
            owner = self.expression(target.target, scope)
            self.guard(target, lambda: m.set_member(owner, target.name, new))
        elif isinstance(target, n.Index):
            owner = self.expression(target.target, scope)
            key = self.expression(target.index, scope)
            self.guard(target, lambda: m.set_index(owner, key, new))
        else:
            raise self.fail(node, "The left side of an assignment is a variable, a property or an element.",
                            "InvalidLeftHandSide")

    def guard(self, node: n.Node, fn: Callable[[], Any]) -> Any:
        """Runs `fn`; an error of the script's values becomes a terminating error here."""
        try:
            return fn()
        except ScriptRuntimeError as error:
            if not error.line:
                error.line, error.column = node.line, node.column
            raise ScriptTerminatingError(self.record(error, node), statement=True) from None

    # -- expressions ---------------------------------------------------------------------

    def expression(self, node: n.Node, scope: Scope) -> Any:
        if isinstance(node, n.Constant):
            return node.value
        if isinstance(node, n.Variable):
            return self.get_variable(node, scope)
        if isinstance(node, n.ExpandableString):
            return "".join(part if isinstance(part, str) else self.expand(part, scope) for part in node.parts)
        if isinstance(node, n.Paren):
            inner = node.pipeline
            if isinstance(inner, (n.Pipeline, n.If, n.Foreach, n.For, n.While, n.Switch, n.Try)):
                return v.unwrap(list(self.statement(inner, scope)))
            if isinstance(inner, n.Assignment):
                self.assign(inner, scope)
                target = inner.target.operand if isinstance(inner.target, n.Cast) else inner.target
                return self.expression(target, scope)
            return self.expression(inner, scope)
        if isinstance(node, n.SubExpression):
            out = list(self.statements(node.statements, scope))
            return out if node.array else v.unwrap(out)
        if isinstance(node, n.ArrayLiteral):
            return [self.expression(item, scope) for item in node.items]
        if isinstance(node, n.Hashtable):
            table = Hashtable()
            for key_node, value_node in node.pairs:
                key = self.expression(key_node, scope)
                if key in table:
                    raise self.fail(key_node, f"Duplicate keys '{key}' are not allowed in hash literals.",
                                    "DuplicateKeyInHashLiteral")
                value = self.value(value_node, scope)
                table[key] = None if value is NOTHING else value
            return table
        if isinstance(node, n.ScriptBlockExpr):
            return ScriptBlockValue(node.block, self)
        if isinstance(node, n.Member):
            if node.static:
                assert isinstance(node.target, n.TypeLiteral)
                return self.guard(node, lambda: m.call_static(node.target.type_name, node.name, []))  # type: ignore[attr-defined]
            owner = self.expression(node.target, scope)
            if isinstance(owner, ErrorRecordValue):
                return owner.ps_member(node.name)
            return self.guard(node, lambda: m.get_member(owner, node.name))
        if isinstance(node, n.MethodCall):
            args = [self.expression(a, scope) for a in node.arguments]
            if node.static:
                assert isinstance(node.target, n.TypeLiteral)
                return self.guard(node, lambda: m.call_static(node.target.type_name, node.name, args))  # type: ignore[attr-defined]
            owner = self.expression(node.target, scope)
            if isinstance(owner, ErrorRecordValue) and node.name.lower() == "tostring":
                return owner.to_text()
            if isinstance(owner, (list, tuple)) and node.name.lower() in ("where", "foreach"):
                return self.guard(node, lambda: self.magic_method(owner, node.name.lower(), args, scope))
            return self.guard(node, lambda: m.call_method(owner, node.name, args))
        if isinstance(node, n.Index):
            owner = self.expression(node.target, scope)
            index = self.expression(node.index, scope)
            return self.guard(node, lambda: m.get_index(owner, index))
        if isinstance(node, n.Cast):
            value = self.expression(node.operand, scope)
            if node.type_name == "ordered" and isinstance(value, dict):
                return Hashtable(value)
            return self.guard(node, lambda: v.cast(node.type_name, value))
        if isinstance(node, n.TypeLiteral):
            return PSObject({"Name": node.type_name, "FullName": node.type_name})
        if isinstance(node, n.Unary):
            return self.unary(node, scope)
        if isinstance(node, n.Binary):
            return self.binary(node, scope)
        if isinstance(node, (n.Pipeline, n.If, n.Foreach, n.For, n.While, n.Switch, n.Try)):
            return v.unwrap(list(self.statement(node, scope)))
        raise self.fail(node, f"{type(node).__name__} is not an expression.", "UnexpectedToken")

    def expand(self, node: n.Node, scope: Scope) -> str:
        value = self.expression(node, scope)
        if isinstance(value, (list, tuple)):
            separator = v.to_string(self.preference("OFS", scope))
            return separator.join(v.to_string(x) for x in value)
        return v.to_string(value)

    # -- script blocks and functions -----------------------------------------------------

    def run_block_value(self, block: n.ScriptBlock, scope: Scope, dollar_under: Any = None,
                        new_scope: bool = False) -> Any:
        return v.unwrap(list(self.run_block(block, scope, dollar_under, new_scope)))

    def run_block(self, block: n.ScriptBlock, scope: Scope, dollar_under: Any = None,
                  new_scope: bool = False, arguments: Optional[list[Any]] = None) -> Iterator[Any]:
        """A { } block: in the caller's scope (Where-Object, ForEach-Object) or a new one."""
        run_scope = Scope(scope, kind="function") if new_scope else scope
        had, previous = scope.get("_") if not new_scope else (False, None)
        run_scope.set("_", dollar_under)
        run_scope.set("PSItem", dollar_under)
        if new_scope:
            self.bind_parameters(block.params, arguments or [], run_scope, "scriptblock")
        try:
            yield from self.statements(block.statements, run_scope)
        except ReturnFlow:
            return
        finally:
            if not new_scope and had:
                run_scope.set("_", previous)
                run_scope.set("PSItem", previous)

    def call_function(self, function: Function, node: n.Command, scope: Scope,
                      input_items: Optional[Iterator[Any]]) -> Iterator[Any]:
        arguments = self.raw_arguments(node, scope)
        run_scope = Scope(scope, kind="function")
        self.bind_parameters(function.block.params, arguments, run_scope, function.name)
        pipeline_input = list(input_items) if input_items is not None else []
        run_scope.set("input", pipeline_input)
        if input_items is not None and pipeline_input:
            run_scope.set("_", pipeline_input[-1])
        try:
            yield from self.statements(function.block.statements, run_scope)
        except ReturnFlow:
            return

    def raw_arguments(self, node: n.Command, scope: Scope) -> list[Any]:
        """A command's arguments as values: ("-", name, value, has_value) for a parameter."""
        out: list[Any] = []
        for element in node.elements:
            if isinstance(element, n.CommandParameter):
                if element.colon:
                    out.append(("-", element.name, self.expression(element.argument, scope), True))  # type: ignore[arg-type]
                else:
                    out.append(("-", element.name, None, False))
            elif isinstance(element, n.Variable) and element.splat:
                value = self.get_variable(element, scope)
                if isinstance(value, dict):
                    for key, item in value.items():
                        if item is True:
                            out.append(("-", str(key), True, True))
                        else:
                            out.append(("-", str(key), item, True))
                else:
                    out.extend(v.items(value))
            else:
                value = self.expression(element, scope)
                if value is NOTHING:
                    value = None
                out.append(value)
        return out

    # -- pipelines -----------------------------------------------------------------------

    def pipeline(self, node: n.Pipeline, scope: Scope) -> Iterator[Any]:
        first = node.elements[0]
        if isinstance(first, n.Command):
            stream: Iterator[Any] = self.command(first, scope, None)
        else:
            stream = self.output_of(first, scope)
        for element in node.elements[1:]:
            assert isinstance(element, n.Command)
            stream = self.command(element, scope, stream)
        yield from stream

    def not_found(self, node: n.Command) -> ScriptTerminatingError:
        from portout.commands import ALIASES
        from portout.host.builtins import BUILTIN_NAMES

        known = [c.name for c in self.cmdlets.values()] + list(ALIASES) + list(BUILTIN_NAMES)
        safe = shown(node.name) != "(not shown)"
        hint = did_you_mean(node.name, known) if safe else ""
        return ScriptTerminatingError(self.record(UsageError(
            f"The term {shown(node.name)} is not recognized as a cmdlet, function or built-in command.{hint} "
            "See: portout help", error_id="CommandNotFoundException", target=node.name if safe else ""), node),
            statement=True)

    def command(self, node: n.Command, scope: Scope, input_items: Optional[Iterator[Any]]) -> Iterator[Any]:
        name = node.name.lower()
        discard = any(r.stream in ("1", "*") for r in node.redirections)
        quiet = any(r.stream in ("2", "*") for r in node.redirections)
        if name in self.functions:
            stream = self.call_function(self.functions[name], node, scope, input_items)
        elif name in self.builtins:
            stream = self.builtins[name](self, node, scope, input_items, quiet)
        else:
            cmdlet = self.cmdlets.get(name)
            if cmdlet is None:
                raise self.not_found(node)
            stream = self.cmdlet(cmdlet, node, scope, input_items, quiet)
        if discard:
            for _ in stream:
                pass
            return
        yield from stream
