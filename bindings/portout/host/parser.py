"""The parser: a script's text into the syntax tree of nodes.py, by recursive descent over
PowerShell's grammar (the language specification, chapter 8: statements, pipelines,
expressions), limited to the subset docs/scripting.md describes.

Whatever is outside the subset is refused here, with its line, column and what it is, before
any of the script runs: a program run by path or by `&`, `Invoke-Expression`, .NET types and
methods beyond the few subset.py lists, redirection to files, a PIN written into the script.
"""

from __future__ import annotations

from typing import Callable, Optional

from portout.cmdlet import did_you_mean
from portout.host import nodes as n
from portout.host.errors import ScriptParseError
from portout.host.expressions import ExpressionParser
from portout.host.lexer import Scanner
from portout.host.subset import CATCH_TYPES, COMMANDS_REFUSED, KEYWORDS_REFUSED, TYPES, _type_key

_ASSIGN_OPS = ("=", "+=", "-=", "*=", "/=", "%=")
_BLOCK_KEYWORDS = ("if", "foreach", "for", "while", "do", "switch", "try")


class Parser(ExpressionParser):
    """One script's parser. `known_command` tells a cmdlet or built-in by name."""

    def __init__(self, source: str, path: str = "",
                 known_command: Optional[Callable[[str], bool]] = None,
                 secret_parameter: Optional[Callable[[str, str], bool]] = None,
                 command_names: tuple[str, ...] = ()) -> None:
        self.command_names = command_names
        self.s = Scanner(source, path)
        self.source = source
        self.path = path
        self.known_command = known_command or (lambda name: True)
        self.secret_parameter = secret_parameter or (lambda command, parameter: False)
        self.functions: set[str] = set()
        self.used: list[n.Command] = []

    # -- the script --------------------------------------------------------------------

    def parse(self) -> n.Script:
        s = self.s
        if "\x00" in s.src:
            raise s.error("The script holds a NUL character: it is not text.", "NUL", "InvalidCharacter",
                          at=s.src.index("\x00"))
        s.skip_separators()
        line, col = s.where()
        params = self._script_params()
        statements = self._statements(end="")
        if not s.at_end():
            raise s.error(f"Unexpected token '{s.peek()}'.", s.peek(), "UnexpectedToken")
        for command in self.used:
            lower = command.name.lower()
            if lower in self.functions or self.known_command(command.name):
                continue
            hint = did_you_mean(command.name, [*self.command_names, *self.functions])
            raise ScriptParseError(
                f"The term '{command.name}' is not a portout cmdlet, a built-in command or a "
                f"function of this script.{hint} (portout help lists the cmdlets.)",
                line=command.line, column=command.column, construct=command.name,
                error_id="CommandNotFoundException", path=self.path,
                source_line=s.line_text(command.line))
        return n.Script(line, col, n.ScriptBlock(line, col, params, statements, self.source),
                        self.path, self.source)

    def _script_params(self) -> list[n.Parameter]:
        s = self.s
        if s.starts("[") and s.src[s.i:s.i + 15].lower().startswith("[cmdletbinding"):
            end = s.src.find("]", s.i)
            if end < 0:
                raise s.error("Missing ']' after [CmdletBinding(.", "[CmdletBinding", "MissingEndSquareBracket")
            s.i = end + 1
            s.skip_separators()
        if s.starts_word("param"):
            params = self._param_block()
            s.skip_separators()
            return params
        return []

    def _statements(self, end: str) -> list[n.Node]:
        s = self.s
        out: list[n.Node] = []
        while True:
            s.skip_separators()
            if s.at_end() or (end and s.peek() == end):
                return out
            if s.peek() in ")}" and s.peek() != end:
                raise s.error(f"Unexpected token '{s.peek()}'.", s.peek(), "UnexpectedToken")
            out.append(self._statement())
            s.skip_blanks()
            if not (s.at_end() or s.peek() in "\n;" or (end and s.peek() == end)):
                raise s.error(f"Unexpected token '{s.src[s.i:s.i + 20].split()[0] if s.src[s.i:].split() else s.peek()}' "
                              "in expression or statement.", s.peek(), "UnexpectedToken")

    # -- statements --------------------------------------------------------------------

    def _keyword(self) -> str:
        s = self.s
        for word in ("if", "elseif", "else", "foreach", "for", "while", "do", "switch", "try",
                     "throw", "return", "break", "continue", "exit", "function", "param",
                     *KEYWORDS_REFUSED):
            if s.starts_word(word):
                return word
        return ""

    def _statement(self) -> n.Node:
        s = self.s
        line, col = s.where()
        kw = self._keyword()
        if kw in KEYWORDS_REFUSED:
            raise s.error(f"'{kw}' is outside portout's scripting subset ({KEYWORDS_REFUSED[kw]}).",
                          kw, "UnsupportedConstruct")
        if kw in ("elseif", "else"):
            raise s.error(f"'{kw}' without an 'if' before it.", kw, "UnexpectedToken")
        if kw == "param":
            raise s.error("A param( ) block comes first in a script or a function.", "param",
                          "ParamBlockNotFirst")
        if kw in _BLOCK_KEYWORDS:
            return getattr(self, f"_{kw}")()
        if kw == "function":
            return self._function()
        if kw in ("throw", "return", "exit"):
            s.i += len(kw)
            s.skip_blanks()
            value = None if s.at_statement_end() or s.peek() == "|" else self._pipeline()
            return {"throw": n.Throw, "return": n.Return, "exit": n.Exit}[kw](line, col, value)
        if kw in ("break", "continue"):
            s.i += len(kw)
            s.skip_blanks()
            label = "" if s.at_statement_end() else s.read_word()
            return (n.Break if kw == "break" else n.Continue)(line, col, label)
        if s.peek() == ":" and s.peek(1).isalpha():  # a loop's label
            s.i += 1
            label = s.read_word()
            s.skip_blanks()
            kw = self._keyword()
            if kw not in ("foreach", "for", "while", "do", "switch"):
                raise s.error("A label names a loop.", label, "UnexpectedToken")
            loop = getattr(self, f"_{kw}")()
            loop.label = label.lower()
            return loop
        return self._pipeline()

    def _value_statement(self) -> n.Node:
        """What an assignment's right side may be: a pipeline or a block statement."""
        kw = self._keyword()
        if kw in _BLOCK_KEYWORDS:
            return getattr(self, f"_{kw}")()
        return self._pipeline()

    def _condition(self) -> n.Node:
        s = self.s
        s.skip_blanks()
        s.expect("(", "before the condition")
        s.skip_blanks(newlines=True)
        cond = self._pipeline()
        s.skip_blanks(newlines=True)
        s.expect(")", "after the condition")
        return cond

    def _if(self) -> n.If:
        s = self.s
        line, col = s.where()
        s.i += 2
        clauses = [(self._condition(), self._block())]
        otherwise = None
        while True:
            mark = s.i
            s.skip_blanks(newlines=True)
            if s.starts_word("elseif"):
                s.i += 6
                clauses.append((self._condition(), self._block()))
            elif s.starts_word("else"):
                s.i += 4
                otherwise = self._block()
                break
            else:
                s.i = mark
                break
        return n.If(line, col, clauses, otherwise)

    def _foreach(self) -> n.Foreach:
        s = self.s
        line, col = s.where()
        s.i += 7
        s.skip_blanks()
        if s.peek() == "-":
            raise s.error("foreach -parallel is outside portout's scripting subset.", "foreach -parallel",
                          "UnsupportedConstruct")
        s.expect("(")
        s.skip_blanks(newlines=True)
        if s.peek() != "$":
            raise s.error("foreach names its variable first: foreach ($item in $list).", "foreach",
                          "MissingVariableNameAfterForeach")
        vline, vcol = s.where()
        name, scope, _ = s.read_variable()
        s.skip_blanks(newlines=True)
        if not s.starts_word("in"):
            raise s.error("Missing 'in' after the variable of foreach.", "foreach", "MissingInInForeach")
        s.i += 2
        s.skip_blanks(newlines=True)
        iterable = self._pipeline()
        s.skip_blanks(newlines=True)
        s.expect(")")
        return n.Foreach(line, col, n.Variable(vline, vcol, name, scope), iterable, self._block())

    def _for(self) -> n.For:
        s = self.s
        line, col = s.where()
        s.i += 3
        s.skip_blanks()
        s.expect("(")
        parts: list[Optional[n.Node]] = []
        for closer in (";", ";", ")"):
            s.skip_blanks(newlines=True)
            parts.append(None if s.peek() == closer else self._pipeline())
            s.skip_blanks(newlines=True)
            s.expect(closer)
        return n.For(line, col, parts[0], parts[1], parts[2], self._block())

    def _while(self) -> n.While:
        s = self.s
        line, col = s.where()
        s.i += 5
        return n.While(line, col, self._condition(), self._block())

    def _do(self) -> n.While:
        s = self.s
        line, col = s.where()
        s.i += 2
        body = self._block()
        s.skip_blanks(newlines=True)
        if s.starts_word("while"):
            s.i += 5
            until = False
        elif s.starts_word("until"):
            s.i += 5
            until = True
        else:
            raise s.error("do { } is followed by while ( ) or until ( ).", "do", "MissingWhileOrUntilInDoWhile")
        return n.While(line, col, self._condition(), body, do=True, until=until)

    def _switch(self) -> n.Switch:
        s = self.s
        line, col = s.where()
        s.i += 6
        mode, case = "", False
        while True:
            s.skip_blanks()
            if s.peek() != "-":
                break
            s.i += 1
            option = s.read_word().lower()
            if option in ("regex", "wildcard", "exact"):
                mode = option
            elif option == "casesensitive":
                case = True
            else:
                raise s.error(f"switch -{option} is outside portout's scripting subset.", f"switch -{option}",
                              "UnsupportedConstruct")
        value = self._condition()
        s.skip_blanks(newlines=True)
        s.expect("{", "to open the switch's clauses")
        clauses: list[n.SwitchClause] = []
        while True:
            s.skip_separators()
            if s.peek() == "}":
                s.i += 1
                break
            if s.at_end():
                raise s.error("The switch is missing its closing '}'.", "switch", "MissingEndCurlyBrace")
            cline, ccol = s.where()
            if s.starts_word("default"):
                s.i += 7
                pattern: Optional[n.Node] = None
            elif s.peek() == "{":
                pattern = n.ScriptBlockExpr(cline, ccol, self._block())
            else:
                pattern = self._command_argument()
            s.skip_blanks()
            clauses.append(n.SwitchClause(cline, ccol, pattern, self._block()))
        return n.Switch(line, col, value, clauses, mode, case)

    def _try(self) -> n.Try:
        s = self.s
        line, col = s.where()
        s.i += 3
        body = self._block()
        catches: list[n.Catch] = []
        final = None
        while True:
            mark = s.i
            s.skip_blanks(newlines=True)
            cline, ccol = s.where()
            if s.starts_word("catch"):
                s.i += 5
                types = []
                while True:
                    s.skip_blanks(newlines=True)
                    if s.peek() != "[":
                        break
                    end = s.src.find("]", s.i)
                    if end < 0:
                        raise s.error("Missing ']' after the type.", "[", "MissingEndSquareBracket")
                    raw = s.src[s.i + 1:end]
                    key = _type_key(raw)
                    if key not in CATCH_TYPES:
                        raise s.error(f"catch [{raw}] names a type portout does not raise; catch its error "
                                      "categories ([ObjectNotFoundError], [SecurityError]...) or "
                                      "[Exception].", f"[{raw}]", "UnsupportedConstruct")
                    types.append(key)
                    s.i = end + 1
                    s.skip_blanks()
                    if s.peek() == ",":
                        s.i += 1
                catches.append(n.Catch(cline, ccol, types, self._block()))
            elif s.starts_word("finally"):
                s.i += 7
                final = self._block()
                break
            else:
                s.i = mark
                break
        if not catches and final is None:
            raise s.error("try { } needs a catch { } or a finally { }.", "try", "MissingCatchOrFinally")
        return n.Try(line, col, body, catches, final)

    def _function(self) -> n.Function:
        s = self.s
        line, col = s.where()
        s.i += 8
        s.skip_blanks()
        name = s.read_word()
        if not name:
            raise s.error("A function needs a name.", "function", "MissingNameAfterFunctionKeyword")
        self.functions.add(name.lower())
        s.skip_blanks()
        params: list[n.Parameter] = []
        if s.peek() == "(":
            params = self._parameter_list()
            s.skip_blanks(newlines=True)
        body = self._block(allow_params=True)
        if params:
            if body.params:
                raise s.error("A function declares its parameters once.", name, "DuplicateParameters")
            body.params = params
        return n.Function(line, col, name, body)

    def _param_block(self) -> list[n.Parameter]:
        s = self.s
        s.i += 5
        s.skip_blanks(newlines=True)
        return self._parameter_list()

    def _parameter_list(self) -> list[n.Parameter]:
        s = self.s
        s.expect("(")
        params: list[n.Parameter] = []
        while True:
            s.skip_blanks(newlines=True)
            if s.peek() == ")":
                s.i += 1
                return params
            line, col = s.where()
            mandatory = False
            type_name = ""
            while s.peek() == "[":
                end = self._matching(s.i, "[", "]")
                raw = s.src[s.i + 1:end].strip()
                lowered = raw.lower().replace(" ", "")
                if lowered.startswith("parameter("):
                    args = lowered[10:-1]
                    for part in filter(None, args.split(",")):
                        key, _, val = part.partition("=")
                        if key == "mandatory":
                            mandatory = val in ("", "$true")
                        elif key not in ("position", "helpmessage", "valuefrompipeline",
                                         "valuefrompipelinebypropertyname"):
                            raise s.error(f"[Parameter({key})] is outside portout's scripting subset.",
                                          f"[{raw}]", "UnsupportedConstruct")
                elif lowered.startswith(("validatenotnullorempty", "validatenotnull", "alias(",
                                         "validateset(")):
                    pass  # accepted; ValidateSet is checked as the script runs, below
                else:
                    key = _type_key(raw)
                    if key not in TYPES:
                        raise s.error(f"The type [{raw}] is outside portout's scripting subset.",
                                      f"[{raw}]", "TypeNotFound")
                    type_name = TYPES[key]
                s.i = end + 1
                s.skip_blanks(newlines=True)
            if s.peek() != "$":
                raise s.error("A parameter is a variable: param([string]$Tenant).", s.peek(),
                              "InvalidParameter")
            name, _, _ = s.read_variable()
            s.skip_blanks(newlines=True)
            default = None
            if s.peek() == "=":
                s.i += 1
                s.skip_blanks(newlines=True)
                default = self._expression(no_comma=True)
                s.skip_blanks(newlines=True)
            params.append(n.Parameter(line, col, name, type_name, default, mandatory))
            if s.peek() == ",":
                s.i += 1
            elif s.peek() != ")":
                raise s.error("Parameters are separated by commas.", s.peek(), "MissingEndParenthesis")

    def _block(self, allow_params: bool = False) -> n.ScriptBlock:
        s = self.s
        s.skip_blanks(newlines=True)
        line, col = s.where()
        start = s.i
        if s.peek() != "{":
            raise s.error("Missing '{' to open a block.", "end" if s.at_end() else s.peek(), "MissingOpenBrace")
        s.i += 1
        s.skip_separators()
        params: list[n.Parameter] = []
        if s.starts_word("param"):
            params = self._param_block()
        statements = self._statements(end="}")
        if s.peek() != "}":
            raise s.error("Missing closing '}' of a block.", "{", "MissingEndCurlyBrace", at=start)
        s.i += 1
        return n.ScriptBlock(line, col, params, statements, s.src[start:s.i])

    # -- pipelines ---------------------------------------------------------------------

    def _expression_starts(self) -> bool:
        s = self.s
        c = s.peek()
        if c in "$('\"[{" or c == "!":
            return True
        if c == "@":
            return s.peek(1) in "({\"'"
        if c == "." and s.peek(1).isdigit():
            return True
        if c.isdigit():
            return s.number_here() is not None
        if c == "-":
            if s.peek(1).isdigit() or (s.peek(1) == "." and s.peek(2).isdigit()):
                return True
            op = s.read_operator_name()
            return op in ("not", "join", "split", "bnot")
        if c == "+" and s.peek(1).isdigit():
            return True
        return False

    def _pipeline(self) -> n.Node:
        s = self.s
        line, col = s.where()
        if s.peek() == "&":
            raise s.error("The call operator & is outside portout's scripting subset: call cmdlets "
                          "and functions by name; a script never runs a program or a path.", "&",
                          "UnsupportedConstruct")
        if s.peek() == "." and s.peek(1) in " \t$'\"":
            raise s.error("Dot-sourcing (. script) is outside portout's scripting subset.", ".",
                          "UnsupportedConstruct")
        if self._expression_starts():
            first: n.Node = self._expression()
            s.skip_blanks()
            op = next((o for o in ("+=", "-=", "*=", "/=", "%=") if s.starts(o)), None)
            if op is None and s.peek() == "=" and s.peek(1) != "=":
                op = "="
            if op is not None:
                if not isinstance(first, (n.Variable, n.Member, n.Index, n.Cast)):
                    raise s.error("The left side of an assignment is a variable, a property or an "
                                  "element.", op, "InvalidLeftHandSide")
                s.i += len(op)
                s.skip_blanks(newlines=True)
                return n.Assignment(line, col, first, op, self._value_statement())
            if s.starts("++") or s.starts("--"):
                if not isinstance(first, (n.Variable, n.Member, n.Index)):
                    raise s.error("++ and -- change a variable.", s.src[s.i:s.i + 2], "InvalidLeftHandSide")
                op = s.src[s.i:s.i + 2]
                s.i += 2
                return n.Assignment(line, col, first, op, n.Constant(line, col, 1))
            self._redirections(None)
        else:
            first = self._command()
        elements = [first]
        while True:
            s.skip_blanks()
            if s.peek() != "|" or s.peek(1) == "|":
                break
            s.i += 1
            s.skip_blanks(newlines=True)
            if self._expression_starts() or s.peek() == "&":
                raise s.error("Expressions are only allowed as the first element of a pipeline.",
                              s.peek(), "ExpressionsMustBeFirstInPipeline")
            elements.append(self._command())
        if s.starts("||") or s.starts("&&"):
            raise s.error("Pipeline chains (&& and ||) are outside portout's scripting subset.",
                          s.src[s.i:s.i + 2], "UnsupportedConstruct")
        return elements[0] if len(elements) == 1 and not isinstance(elements[0], n.Command) \
            else n.Pipeline(line, col, elements)

    def _command(self) -> n.Command:
        s = self.s
        line, col = s.where()
        start = s.i
        name = s.read_word()
        if not name:
            raise s.error(f"Unexpected token '{s.peek()}'.", s.peek(), "UnexpectedToken")
        lower = name.lower()
        if "/" in name or "\\" in name or lower.startswith(".") or lower.endswith((".exe", ".ps1", ".sh", ".bat", ".cmd")):
            raise s.error(f"'{name}' names a program or a file: a portout script runs cmdlets and "
                          "functions only, never a program.", name, "UnsupportedConstruct", at=start)
        if lower in COMMANDS_REFUSED:
            raise s.error(f"{name} is outside portout's scripting subset: {COMMANDS_REFUSED[lower]}.",
                          name, "UnsupportedConstruct", at=start)
        command = n.Command(line, col, name, [])
        self.used.append(command)
        while True:
            s.skip_blanks()
            c = s.peek()
            if s.at_statement_end() or c == "|":
                break
            if self._redirections(command):
                continue
            if c == "&":
                raise s.error("& is outside portout's scripting subset.", "&", "UnsupportedConstruct")
            if c == "-" and (s.peek(1).isalpha() or s.peek(1) == "_") :
                pline, pcol = s.where()
                s.i += 1
                pname_start = s.i
                while s.i < s.n and (s.src[s.i].isalnum() or s.src[s.i] in "_"):
                    s.i += 1
                pname = s.src[pname_start:s.i]
                if s.peek() == ":":
                    s.i += 1
                    argument = self._command_argument_list()
                    command.elements.append(n.CommandParameter(pline, pcol, pname, argument, colon=True))
                else:
                    command.elements.append(n.CommandParameter(pline, pcol, pname))
                continue
            if c == "@" and (s.peek(1).isalnum() or s.peek(1) == "_"):
                vline, vcol = s.where()
                vname, scope, _ = s.read_variable()
                command.elements.append(n.Variable(vline, vcol, vname, scope, splat=True))
                continue
            command.elements.append(self._command_argument_list())
        self._check_secrets(command)
        return command

    def _check_secrets(self, command: n.Command) -> None:
        """A PIN never comes from the script's own text."""
        elements = command.elements
        for k, element in enumerate(elements):
            if not isinstance(element, n.CommandParameter):
                continue
            if not self.secret_parameter(command.name, element.name):
                continue
            value = element.argument
            if value is None and k + 1 < len(elements) and not isinstance(elements[k + 1], n.CommandParameter):
                value = elements[k + 1]
            if isinstance(value, (n.Constant, n.ExpandableString, n.ArrayLiteral)):
                raise ScriptParseError(
                    f"-{element.name} is a PIN: it is never written in a script. Read it with "
                    "Read-Host -AsSecureString, or leave it out to be asked, or give -PinFromStdin "
                    "or -PinFromFd to portout.", line=element.line, column=element.column,
                    construct=f"-{element.name}", error_id="SecretInScript", path=self.path)
                # (the line itself is not shown: it holds the PIN)

    def _redirections(self, command: Optional[n.Command]) -> bool:
        s = self.s
        s.skip_blanks()
        c = s.peek()
        stream = ""
        if c in "12*3456" and s.peek(1) == ">":
            stream = c
            width = 2
        elif c == ">":
            stream = "1"
            width = 1
        elif c == "<":
            raise s.error("Input redirection (<) is outside portout's scripting subset.", "<",
                          "UnsupportedConstruct")
        else:
            return False
        line, col = s.where()
        start = s.i
        s.i += width
        if s.peek() == ">":
            s.i += 1
        s.skip_blanks()
        if s.peek() == "&":
            raise s.error("Merging streams (2>&1) is outside portout's scripting subset.",
                          s.src[start:s.i + 2], "UnsupportedConstruct", at=start)
        if s.src[s.i:s.i + 5].lower() == "$null" and not (s.peek(5).isalnum() or s.peek(5) == "_"):
            s.i += 5
            if command is not None:
                command.redirections.append(n.Redirection(line, col, stream, "$null"))
            return True
        raise s.error("Redirection to a file is outside portout's scripting subset: use Out-File or "
                      "Export-Csv (> $null discards).", s.src[start:s.i] + "file", "UnsupportedConstruct",
                      at=start)

    def _command_argument_list(self) -> n.Node:
        return self._comma_list(self._command_argument)

    def _command_argument(self) -> n.Node:
        s = self.s
        line, col = s.where()
        c = s.peek()
        if c in "$('\"{" or (c == "@" and s.peek(1) in "({\"'"):
            return self._postfix(self._primary())
        if c == "[":
            return self._postfix(self._primary())
        m = s.number_here() if (c.isdigit() or (c in "-." and (s.peek(1).isdigit() or s.peek(1) == "."))) else None
        if m is not None and (m.end() >= s.n or s.src[m.end()] in " \t\r\n|;(){},"):
            return n.Constant(line, col, s.read_number())
        word = s.read_word()
        if not word:
            raise s.error(f"Unexpected token '{c}'.", c, "UnexpectedToken")
        return n.Constant(line, col, word)

def parse(source: str, path: str = "", known_command: Optional[Callable[[str], bool]] = None,
          secret_parameter: Optional[Callable[[str, str], bool]] = None,
          command_names: tuple[str, ...] = ()) -> n.Script:
    """A script's tree, or ScriptParseError naming the line, column and construct refused.
    `command_names` are offered when a name is mistyped."""
    return Parser(source, path, known_command, secret_parameter, command_names).parse()
