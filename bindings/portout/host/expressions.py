"""The expression half of the parser: operators by PowerShell's precedence, unary forms and
casts, members and methods, literals (strings with their expansion, here-strings, numbers,
arrays, hashtables, script blocks) and sub-expressions. `Parser` (parser.py) adds statements,
pipelines and commands on top; each half calls the other through the methods declared here."""

from __future__ import annotations

from typing import Callable, Optional

from portout.host import nodes as n
from portout.host.lexer import Scanner
from portout.host.subset import COMPARISONS, METHODS, STATIC_MEMBERS, TYPES, _type_key


class ExpressionParser:
    s: Scanner

    # -- what the statement half provides ----------------------------------------------

    def _value_statement(self) -> n.Node:
        raise NotImplementedError

    def _block(self, allow_params: bool = False) -> n.ScriptBlock:
        raise NotImplementedError

    def _statements(self, end: str) -> list[n.Node]:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------

    def _matching(self, start: int, opener: str, closer: str) -> int:
        depth = 0
        i = start
        src = self.s.src
        while i < len(src):
            if src[i] == opener:
                depth += 1
            elif src[i] == closer:
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        raise self.s.error(f"Missing '{closer}'.", opener, "MissingEndSquareBracket", at=start)


    def _comma_list(self, item: Callable[[], n.Node]) -> n.Node:
        """`item`, or several separated by commas (an array)."""
        s = self.s
        line, col = s.where()
        first = item()
        items = [first]
        while True:
            mark = s.i
            s.skip_blanks()
            if s.peek() != ",":
                s.i = mark
                break
            s.i += 1
            s.skip_blanks(newlines=True)
            items.append(item())
        return first if len(items) == 1 else n.ArrayLiteral(line, col, items)

    # -- expressions -------------------------------------------------------------------

    def _expression(self, no_comma: bool = False) -> n.Node:
        return self._logical(no_comma)

    def _binary_loop(self, next_level: Callable[[], n.Node], ops: Callable[[], Optional[str]]) -> n.Node:
        s = self.s
        left = next_level()
        while True:
            mark = s.i
            s.skip_blanks()
            line, col = s.where()
            op = ops()
            if op is None:
                s.i = mark
                return left
            s.skip_blanks(newlines=True)
            right = next_level()
            left = n.Binary(line, col, op, left, right)

    def _named_op(self, allowed: set[str] | tuple[str, ...]) -> Optional[str]:
        s = self.s
        if s.peek() != "-":
            return None
        name = s.read_operator_name()
        if name is None:
            return None
        base = name[1:] if name[:1] in "ci" and name[1:] in COMPARISONS else name
        if base not in allowed:
            return None
        s.i += 1 + len(name)
        return "-" + name

    def _logical(self, no_comma: bool) -> n.Node:
        return self._binary_loop(lambda: self._comparison(no_comma),
                                 lambda: self._named_op(("and", "or", "xor")))

    def _comparison(self, no_comma: bool) -> n.Node:
        return self._binary_loop(lambda: self._additive(no_comma), lambda: self._named_op(_COMPARISON_OPS))

    def _additive(self, no_comma: bool) -> n.Node:
        s = self.s

        def op() -> Optional[str]:
            c = s.peek()
            if c in "+-" and s.peek(1) not in "=+-" and not (c == "-" and s.read_operator_name()):
                s.i += 1
                return c
            return None
        return self._binary_loop(lambda: self._multiplicative(no_comma), op)

    def _multiplicative(self, no_comma: bool) -> n.Node:
        s = self.s

        def op() -> Optional[str]:
            c = s.peek()
            if c in "*/%" and s.peek(1) != "=":
                s.i += 1
                return c
            return None
        return self._binary_loop(lambda: self._format(no_comma), op)

    def _format(self, no_comma: bool) -> n.Node:
        return self._binary_loop(lambda: self._range(no_comma), lambda: self._named_op(("f",)))

    def _range(self, no_comma: bool) -> n.Node:
        s = self.s

        def op() -> Optional[str]:
            if s.starts(".."):
                s.i += 2
                return ".."
            return None
        return self._binary_loop(lambda: self._comma(no_comma), op)

    def _comma(self, no_comma: bool) -> n.Node:
        return self._unary() if no_comma else self._comma_list(self._unary)

    def _unary(self) -> n.Node:
        s = self.s
        line, col = s.where()
        if s.peek() == "!":
            s.i += 1
            s.skip_blanks()
            return n.Unary(line, col, "-not", self._unary())
        if s.peek() == "-":
            name = s.read_operator_name()
            if name in ("not", "join", "split", "bnot"):
                s.i += 1 + len(name)
                s.skip_blanks()
                return n.Unary(line, col, "-" + name, self._unary())
            if s.starts("--") and s.peek(2) == "$":
                s.i += 2
                return n.Unary(line, col, "--", self._unary())
            if name is None and not s.peek(1).isdigit():
                s.i += 1
                s.skip_blanks()
                return n.Unary(line, col, "-", self._unary())
            if s.peek(1).isdigit() or s.peek(1) == ".":
                s.i += 1
                operand = self._unary()
                if isinstance(operand, n.Constant) and isinstance(operand.value, (int, float)):
                    return n.Constant(line, col, -operand.value)
                return n.Unary(line, col, "-", operand)
        if s.peek() == "+" and s.peek(1) != "+":
            s.i += 1
            return n.Unary(line, col, "+", self._unary())
        if s.starts("++") and s.peek(2) == "$":
            s.i += 2
            return n.Unary(line, col, "++", self._unary())
        if s.peek() == ",":
            s.i += 1
            s.skip_blanks()
            return n.ArrayLiteral(line, col, [self._unary()])
        if s.peek() == "[":
            return self._type_expression()
        return self._postfix(self._primary())

    def _type_expression(self) -> n.Node:
        s = self.s
        line, col = s.where()
        end = self._matching(s.i, "[", "]")
        raw = s.src[s.i + 1:end]
        key = _type_key(raw)
        if key not in TYPES:
            raise s.error(f"The type [{raw}] is outside portout's scripting subset.", f"[{raw}]",
                          "TypeNotFound")
        type_name = TYPES[key]
        s.i = end + 1
        if s.starts("::"):
            s.i += 2
            mline, mcol = s.where()
            member = self._member_name()
            allowed = STATIC_MEMBERS.get(type_name, set())
            if member.lower() not in allowed:
                raise s.error(f"[{raw}]::{member} is outside portout's scripting subset.",
                              f"[{raw}]::{member}", "UnsupportedConstruct", at=s.i - len(member))
            target = n.TypeLiteral(line, col, type_name)
            if s.peek() == "(":
                node: n.Node = n.MethodCall(mline, mcol, target, member, self._arguments(), static=True)
            else:
                node = n.Member(mline, mcol, target, member, static=True)
            return self._postfix(node)
        c = s.peek()
        if s.at_end() or c in " \t\r\n);,}|]=" and not (c in " \t" and self._operand_follows()):
            return n.TypeLiteral(line, col, type_name)
        s.skip_blanks()
        if type_name in ("securestring",):
            raise s.error("A PIN is never made from text in a script ([SecureString] casts): read it with "
                          "Read-Host -AsSecureString.", f"[{raw}]", "SecretInScript")
        return n.Cast(line, col, type_name, self._unary())

    def _operand_follows(self) -> bool:
        s = self.s
        j = s.i
        while j < s.n and s.src[j] in " \t":
            j += 1
        return j < s.n and (s.src[j] in "$('\"@[" or s.src[j].isdigit())

    def _member_name(self) -> str:
        s = self.s
        start = s.i
        while s.i < s.n and (s.src[s.i].isalnum() or s.src[s.i] == "_"):
            s.i += 1
        if s.i == start:
            if s.peek() in "$(":
                raise s.error("Member names computed as the script runs ($x.$name) are outside "
                              "portout's scripting subset.", "." + s.peek(), "UnsupportedConstruct")
            if s.peek() in "'\"":
                quote = s.peek()
                return s.read_single_quoted() if quote == "'" else self._expandable_literal()
            raise s.error("A member name is missing after '.'.", ".", "MissingPropertyName")
        return s.src[start:s.i]

    def _expandable_literal(self) -> str:
        node = self._expandable_string()
        if len(node.parts) > 1 or (node.parts and not isinstance(node.parts[0], str)):
            raise self.s.error("A member name in quotes is plain text here.", '"', "UnsupportedConstruct")
        return node.parts[0] if node.parts else ""  # type: ignore[return-value]

    def _postfix(self, node: n.Node) -> n.Node:
        s = self.s
        while True:
            line, col = s.where()
            if s.peek() == "." and s.peek(1) != "." and not s.peek(1).isdigit():
                s.i += 1
                name = self._member_name()
                if s.peek() == "(":
                    if name.lower() not in METHODS:
                        raise s.error(f"The method .{name}() is outside portout's scripting subset (.NET "
                                      "methods beyond a few on text, dates and lists).", f".{name}()",
                                      "UnsupportedConstruct", at=s.i - len(name))
                    node = n.MethodCall(line, col, node, name, self._arguments())
                else:
                    node = n.Member(line, col, node, name)
            elif s.peek() == "[" and not isinstance(node, n.TypeLiteral):
                s.i += 1
                s.skip_blanks(newlines=True)
                index = self._expression()
                s.skip_blanks(newlines=True)
                s.expect("]", "after the index")
                node = n.Index(line, col, node, index)
            elif s.starts("::"):
                raise s.error("Static members (::) are read from a [type] only.", "::", "UnsupportedConstruct")
            else:
                return node

    def _arguments(self) -> list[n.Node]:
        s = self.s
        s.expect("(")
        args: list[n.Node] = []
        s.skip_blanks(newlines=True)
        if s.peek() == ")":
            s.i += 1
            return args
        while True:
            s.skip_blanks(newlines=True)
            args.append(self._expression(no_comma=True))
            s.skip_blanks(newlines=True)
            if s.peek() == ",":
                s.i += 1
                continue
            s.expect(")", "after the method's arguments")
            return args

    def _primary(self) -> n.Node:
        s = self.s
        line, col = s.where()
        c = s.peek()
        if c == "$":
            if s.peek(1) == "(":
                s.i += 1
                return self._subexpression(line, col, array=False)
            name, scope, _ = s.read_variable()
            return n.Variable(line, col, name, scope)
        if c == "@":
            nxt = s.peek(1)
            if nxt == "(":
                s.i += 1
                return self._subexpression(line, col, array=True)
            if nxt == "{":
                s.i += 1
                return self._hashtable(line, col)
            if nxt in "\"'":
                return self._here_string()
            raise s.error("Unexpected '@'.", "@", "UnexpectedToken")
        if c == "(":
            s.i += 1
            s.skip_blanks(newlines=True)
            inner = self._value_statement() if not s.peek() == ")" else n.Constant(line, col, None)
            s.skip_blanks(newlines=True)
            s.expect(")")
            return n.Paren(line, col, inner)
        if c == "'":
            return n.Constant(line, col, s.read_single_quoted())
        if c == '"':
            node = self._expandable_string()
            if len(node.parts) == 1 and isinstance(node.parts[0], str):
                return n.Constant(line, col, node.parts[0])
            if not node.parts:
                return n.Constant(line, col, "")
            return node
        if c == "{":
            return n.ScriptBlockExpr(line, col, self._block())
        if c == "[":
            return self._type_expression()
        if c.isdigit() or (c == "." and s.peek(1).isdigit()):
            return n.Constant(line, col, s.read_number())
        found = s.src[s.i:s.i + 20].split()[0] if s.src[s.i:].strip() else "the end of the script"
        raise s.error(f"Unexpected token '{found}' in an expression.", found, "UnexpectedToken")

    def _subexpression(self, line: int, col: int, array: bool) -> n.SubExpression:
        s = self.s
        s.expect("(")
        statements = self._statements(end=")")
        s.expect(")")
        return n.SubExpression(line, col, statements, array)

    def _hashtable(self, line: int, col: int) -> n.Hashtable:
        s = self.s
        s.expect("{")
        pairs: list[tuple[n.Node, n.Node]] = []
        while True:
            s.skip_separators()
            if s.peek() == "}":
                s.i += 1
                return n.Hashtable(line, col, pairs)
            if s.at_end():
                raise s.error("The hashtable is missing its closing '}'.", "@{", "MissingEndCurlyBrace")
            kline, kcol = s.where()
            c = s.peek()
            if c in "'\"$(":
                key: n.Node = self._postfix(self._primary())
            elif c.isdigit():
                key = n.Constant(kline, kcol, s.read_number())
            else:
                begin = s.i
                while s.i < s.n and (s.src[s.i].isalnum() or s.src[s.i] in "_-."):
                    s.i += 1
                word = s.src[begin:s.i]
                if not word:
                    raise s.error("A hashtable key is missing.", c, "MissingKeyInHashLiteral")
                key = n.Constant(kline, kcol, word)
            s.skip_blanks()
            s.expect("=", "after the hashtable key")
            s.skip_blanks(newlines=True)
            pairs.append((key, self._value_statement()))
            s.skip_blanks()
            if s.peek() not in ";\n}\r":
                raise s.error("Hashtable entries are separated by ';' or line ends.", s.peek(),
                              "MissingEndCurlyBrace")

    def _expandable_string(self, here: bool = False) -> n.ExpandableString:
        s = self.s
        line, col = s.where()
        start = s.i
        if not here:
            s.i += 1
        parts: list = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                parts.append("".join(buf))
                buf.clear()
        while True:
            if s.at_end():
                raise s.error("The string is missing its closing quote (\").", '"',
                              "TerminatorExpectedAtEndOfString", at=start)
            c = s.peek()
            if here:
                if c == "\n" and (s.src.startswith('"@', s.i + 1) or s.src.startswith('\r\n"@', s.i)):
                    s.i = s.src.find('"@', s.i) + 2
                    if buf and buf[-1] == "\r":
                        buf.pop()
                    break
            elif c == '"':
                if s.peek(1) == '"':
                    buf.append('"')
                    s.i += 2
                    continue
                s.i += 1
                break
            if c == "`":
                nxt = s.peek(1)
                buf.append(_ESCAPES.get(nxt, nxt))
                s.i += 2
                continue
            if c == "$":
                nxt = s.peek(1)
                if nxt == "(":
                    flush()
                    vline, vcol = s.where()
                    s.i += 1
                    parts.append(self._subexpression(vline, vcol, array=False))
                    continue
                if nxt.isalnum() or nxt in "_{?^":
                    flush()
                    vline, vcol = s.where()
                    name, scope, _ = s.read_variable()
                    parts.append(n.Variable(vline, vcol, name, scope))
                    continue
            buf.append(c)
            s.i += 1
        flush()
        return n.ExpandableString(line, col, parts)

    def _here_string(self) -> n.Node:
        s = self.s
        line, col = s.where()
        quote = s.peek(1)
        s.i += 2
        while s.peek() in " \t\r":
            s.i += 1
        if s.peek() != "\n":
            raise s.error("A here-string's text starts on the line after @\" or @'.", "@" + quote,
                          "UnexpectedCharactersAfterHereStringHeader")
        s.i += 1
        if quote == "'":
            end = s.src.find("\n'@", s.i - 1)
            if end < 0:
                raise s.error("The here-string has no closing '@ at the start of a line.", "@'",
                              "TerminatorExpectedAtEndOfString")
            text = s.src[s.i:end] if end >= s.i else ""
            s.i = end + 3
            return n.Constant(line, col, text.rstrip("\r"))
        if s.src.startswith('"@', s.i):
            s.i += 2
            return n.Constant(line, col, "")
        node = self._expandable_string(here=True)
        node.line, node.column = line, col
        if len(node.parts) == 1 and isinstance(node.parts[0], str):
            return n.Constant(line, col, node.parts[0])
        return node


_COMPARISON_OPS = COMPARISONS | {"join", "is", "isnot", "as", "band", "bor", "bxor", "shl", "shr"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v", "e": "\x1b", '"': '"', "$": "$", "`": "`", "'": "'", "\n": ""}
