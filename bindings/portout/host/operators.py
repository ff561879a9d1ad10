"""The operators of a script as the runtime applies them: unary ones, binary ones (arithmetic,
ranges, -f, comparison, -replace, -split, -join, -is, -as, bitwise; -and and -or short-circuit),
and the .Where() and .ForEach() methods of an array. Runtime mixes this in; it supplies
expression, guard, fail, set_variable, run_block_value and matches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portout.host import members as m
from portout.host import nodes as n
from portout.host import values as v
from portout.host.errors import ScriptRuntimeError
from portout.host.flow import Scope
from portout.host.values import PSObject, ScriptBlockValue


#: Numbers a range (a..b) may hold: it is made whole, and a larger one would fill the memory.
RANGE_LIMIT = 10_000_000

class Operators:
    def magic_method(self, owner: list[Any], name: str, args: list[Any], scope: Scope) -> Any:
        block = args[0] if args else None
        if not isinstance(block, ScriptBlockValue):
            raise ScriptRuntimeError(f".{name}() takes a script block.", error_id="MethodArgumentConversion")
        out = []
        for item in owner:
            result = self.run_block_value(block.block, scope, dollar_under=item)
            if name == "where":
                if v.to_bool(result):
                    out.append(item)
            else:
                out.extend(v.items(result) if isinstance(result, list) else [result])
        return out

    def unary(self, node: n.Unary, scope: Scope) -> Any:
        if node.op in ("++", "--"):
            current = self.expression(node.operand, scope)
            new = v.add(current, 1) if node.op == "++" else v.subtract(current, 1)
            if isinstance(node.operand, n.Variable):
                self.set_variable(node.operand, new, scope)
            return new
        value = self.expression(node.operand, scope)
        if node.op == "-not":
            return not v.to_bool(value)
        if node.op == "-":
            return self.guard(node, lambda: -v.to_number(value))
        if node.op == "+":
            return self.guard(node, lambda: v.to_number(value))
        if node.op == "-join":
            return "".join(v.to_string(x) for x in v.items(value))
        if node.op == "-split":
            return v.split(value, None, False)
        if node.op == "-bnot":
            return self.guard(node, lambda: ~int(v.to_number(value)))
        raise self.fail(node, f"Unknown operator {node.op}.", "UnexpectedToken")

    def binary(self, node: n.Binary, scope: Scope) -> Any:
        op = node.op
        if op in ("-and", "-or"):
            left = v.to_bool(self.expression(node.left, scope))
            if op == "-and" and not left:
                return False
            if op == "-or" and left:
                return True
            return v.to_bool(self.expression(node.right, scope))
        left = self.expression(node.left, scope)
        right = self.expression(node.right, scope)
        if op == "-xor":
            return v.to_bool(left) != v.to_bool(right)
        if op == "+":
            return self.guard(node, lambda: v.add(left, right))
        if op == "-":
            return self.guard(node, lambda: v.subtract(left, right))
        if op == "*":
            return self.guard(node, lambda: v.multiply(left, right))
        if op == "/":
            return self.guard(node, lambda: v.divide(left, right))
        if op == "%":
            return self.guard(node, lambda: v.modulo(left, right))
        if op == "..":
            a, b = self.guard(node, lambda: (int(v.to_number(left)), int(v.to_number(right))))
            if abs(b - a) >= RANGE_LIMIT:
                raise self.fail(node, f"A range holds at most {RANGE_LIMIT:,} numbers; use for ( ; ; ) "
                                      "for a longer count.", "RangeTooLarge")
            step = 1 if b >= a else -1
            return list(range(a, b + step, step))
        if op == "-f":
            return self.guard(node, lambda: m.format_operator(left, right))
        bare = op[1:]
        base, case = v.operator_parts(bare)
        if base == "replace":
            return self.guard(node, lambda: v.replace(left, right, case))
        if base == "split":
            return self.guard(node, lambda: v.split(left, right, case))
        if base == "join":
            return v.to_string(right).join(v.to_string(x) for x in v.items(left))
        if base in ("is", "isnot"):
            kind = right.get("Name") if isinstance(right, PSObject) else v.to_string(right)
            hit = self.is_type(left, str(kind))
            return hit if base == "is" else not hit
        if base == "as":
            kind = right.get("Name") if isinstance(right, PSObject) else v.to_string(right)
            try:
                return v.cast(str(kind).lower(), left)
            except ScriptRuntimeError:
                return None
        if base in ("band", "bor", "bxor", "shl", "shr"):
            a, b = self.guard(node, lambda: (int(v.to_number(left)), int(v.to_number(right))))
            return {"band": a & b, "bor": a | b, "bxor": a ^ b, "shl": a << b, "shr": a >> b}[base]
        return self.guard(node, lambda: v.compare(bare, left, right, self.matches))

    @staticmethod
    def is_type(value: Any, kind: str) -> bool:
        kind = kind.lower()
        checks = {"string": lambda x: isinstance(x, str), "int": lambda x: isinstance(x, int) and not isinstance(x, bool),
                  "long": lambda x: isinstance(x, int) and not isinstance(x, bool),
                  "double": lambda x: isinstance(x, float), "bool": lambda x: isinstance(x, bool),
                  "datetime": lambda x: isinstance(x, datetime), "array": lambda x: isinstance(x, list),
                  "hashtable": lambda x: isinstance(x, dict), "pscustomobject": lambda x: isinstance(x, PSObject),
                  "object": lambda x: x is not None}
        check = checks.get(kind)
        return bool(check and check(value))
