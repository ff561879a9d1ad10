"""Reading a script's characters into the parser's pieces: blanks and comments, variables,
numbers, quoted strings, operators and the bare words of command arguments.

PowerShell reads a line two ways: as an expression (``$a -eq 'b'``) or as a command with
arguments (``Get-PortOutPin contoso.com -ErrorAction Stop``), and which way depends on where
the parser is. So the scanner does not cut the whole text into tokens ahead of time: the parser
asks it for the next piece of the kind it expects, at the current place.
"""

from __future__ import annotations

import bisect
import re
from typing import Optional

from portout.host.errors import ScriptParseError
from portout.host.subset import COMPARISONS

#: What peek() gives past the end of the text.
END = "\x00"

#: Characters that end a bare word in a command's arguments.
WORD_END = set(" \t\r\n|;(){},'\"&<>`")

#: Variable scopes a script may name ($script:x); $env:NAME reads the environment.
SCOPES = ("script", "global", "local", "private", "env")

#: The operators written as -name, as the parser knows them (without case prefixes).
NAMED_OPERATORS = {
    "eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
    "notcontains", "in", "notin", "replace", "and", "or", "xor", "not", "f", "join", "split",
    "is", "isnot", "as", "band", "bor", "bxor", "bnot", "shl", "shr",
}

_NUMBER = re.compile(
    r"(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)(?:[lLdD])?(?:kb|mb|gb|tb|pb)?",
    re.IGNORECASE)
_VARIABLE_CHARS = re.compile(r"[A-Za-z0-9_?]+")


class Scanner:
    def __init__(self, source: str, path: str = "") -> None:
        self.src = source
        self.n = len(source)
        self.i = 0
        self.path = path
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", source)]

    # -- places ------------------------------------------------------------------------

    def where(self, at: Optional[int] = None) -> tuple[int, int]:
        at = self.i if at is None else at
        line = bisect.bisect_right(self._line_starts, at)
        return line, at - self._line_starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self.src.find("\n", start)
        return self.src[start:end if end >= 0 else self.n].rstrip("\r")

    def error(self, message: str, construct: str = "", error_id: str = "ParseError",
              at: Optional[int] = None) -> ScriptParseError:
        line, column = self.where(at)
        return ScriptParseError(message, line=line, column=column, construct=construct,
                                error_id=error_id, path=self.path, source_line=self.line_text(line))

    # -- characters --------------------------------------------------------------------

    def peek(self, k: int = 0) -> str:
        """The character `k` ahead; END past the text (never "", which is `in` every string)."""
        j = self.i + k
        return self.src[j] if j < self.n else END

    def at_end(self) -> bool:
        return self.i >= self.n

    def starts(self, text: str) -> bool:
        return self.src.startswith(text, self.i)

    def starts_word(self, word: str) -> bool:
        """`word` (any case) here, followed by no character of a name."""
        end = self.i + len(word)
        if self.src[self.i:end].lower() != word:
            return False
        return end >= self.n or not (self.src[end].isalnum() or self.src[end] in "_-")

    def expect(self, text: str, what: str = "") -> None:
        if not self.starts(text):
            found = "the end of the script" if self.at_end() else self.peek()
            raise self.error(f"Missing '{text}'{(' ' + what) if what else ''}; found '{found}'.",
                             construct=text, error_id=f"Missing{_NAMES.get(text, 'Token')}")
        self.i += len(text)

    # -- blanks ------------------------------------------------------------------------

    def skip_blanks(self, newlines: bool = False) -> None:
        """Spaces, tabs, comments, a backtick before a line end; and line ends when asked."""
        src, n = self.src, self.n
        while self.i < n:
            c = src[self.i]
            if c in " \t\r\f\v\u00a0":
                self.i += 1
            elif c == "\n" and newlines:
                self.i += 1
            elif c == "`" and self.i + 1 < n and src[self.i + 1] in "\r\n":
                self.i += 2 if src[self.i + 1] == "\n" else 3 if src.startswith("\r\n", self.i + 1) else 2
            elif c == "#":
                end = src.find("\n", self.i)
                self.i = n if end < 0 else end
            elif src.startswith("<#", self.i):
                end = src.find("#>", self.i + 2)
                if end < 0:
                    raise self.error("A block comment <# has no closing #>.", "<#",
                                     "MissingEndOfComment")
                self.i = end + 2
            else:
                break

    def skip_separators(self) -> None:
        """Blanks, line ends and semicolons between statements."""
        while True:
            self.skip_blanks(newlines=True)
            if self.peek() == ";":
                self.i += 1
                continue
            return

    def at_statement_end(self) -> bool:
        c = self.peek()
        return c in (END, "\n", ";", ")", "}") or c == "\r"

    # -- pieces ------------------------------------------------------------------------

    def read_variable(self) -> tuple[str, str, bool]:
        """At `$` (or `@` of a splat): the name, its scope, and whether it was `@name`."""
        splat = self.peek() == "@"
        self.i += 1
        if self.peek() == "{":
            end = self.src.find("}", self.i)
            if end < 0:
                raise self.error("A ${...} variable has no closing }.", "${", "MissingEndCurlyBrace")
            name = self.src[self.i + 1:end]
            self.i = end + 1
            scope, name = _split_scope(name)
            return name, scope, splat
        if self.peek() in ("$", "^") and not splat:
            name = self.peek()
            self.i += 1
            return name, "", splat
        m = _VARIABLE_CHARS.match(self.src, self.i)
        if not m:
            raise self.error("A variable name is missing after '$'.", "$", "InvalidVariableReference")
        name = m.group(0)
        self.i = m.end()
        if self.peek() == ":" and name.lower() in SCOPES and _VARIABLE_CHARS.match(self.src, self.i + 1):
            scope = name.lower()
            m = _VARIABLE_CHARS.match(self.src, self.i + 1)
            assert m is not None
            self.i = m.end()
            return m.group(0), scope, splat
        return name, "", splat

    def number_here(self) -> Optional[re.Match[str]]:
        m = _NUMBER.match(self.src, self.i)
        if not m:
            return None
        end = m.end()
        if end < self.n and (self.src[end].isalnum() or self.src[end] == "_"):
            return None  # 7zip, 1st: a word, not a number
        return m

    def read_number(self) -> object:
        m = self.number_here()
        if m is None:
            raise self.error("A number was expected here.", self.peek(), "BadNumericConstant")
        self.i = m.end()
        return number_value(m.group(0))

    def read_word(self) -> str:
        """A bare word: everything up to a blank or a character that ends a word."""
        start = self.i
        while self.i < self.n and self.src[self.i] not in WORD_END:
            if self.src[self.i] == "$" and self.i > start:
                break
            self.i += 1
        return self.src[start:self.i]

    def read_single_quoted(self) -> str:
        """At ': the text up to the closing quote; '' is one quote."""
        start = self.i
        self.i += 1
        out = []
        while True:
            end = self.src.find("'", self.i)
            if end < 0:
                raise self.error("The string is missing its closing quote (').", "'",
                                 "TerminatorExpectedAtEndOfString", at=start)
            out.append(self.src[self.i:end])
            if self.src.startswith("''", end):
                out.append("'")
                self.i = end + 2
                continue
            self.i = end + 1
            return "".join(out)

    def read_operator_name(self) -> Optional[str]:
        """At `-`: a named operator (lower case, with its c/i prefix), or None."""
        m = re.match(r"-([A-Za-z]+)", self.src[self.i:self.i + 20])
        if not m:
            return None
        name = m.group(1).lower()
        base = name[1:] if name[:1] in ("c", "i") and name[1:] in COMPARISONS else name
        if base not in NAMED_OPERATORS:
            return None
        end = self.i + m.end()
        if end < self.n and (self.src[end].isalnum() or self.src[end] == "_"):
            return None
        return name


def number_value(text: str) -> object:
    t = text.lower()
    multiplier = 1
    for suffix, power in (("kb", 1), ("mb", 2), ("gb", 3), ("tb", 4), ("pb", 5)):
        if t.endswith(suffix):
            multiplier = 1024 ** power
            t = t[:-2]
            break
    decimal = t.endswith("d") and not t.startswith("0x")
    if t.endswith("l") or decimal:
        t = t[:-1]
    if t.startswith("0x"):
        return int(t, 16) * multiplier
    if any(c in t for c in ".e") or decimal:
        value = float(t) * multiplier
        return int(value) if decimal and value.is_integer() else value
    return int(t) * multiplier


def _split_scope(name: str) -> tuple[str, str]:
    if ":" in name:
        scope, rest = name.split(":", 1)
        if scope.lower() in SCOPES:
            return scope.lower(), rest
    return "", name


_NAMES = {")": "EndParenthesis", "}": "EndCurlyBrace", "]": "EndSquareBracket", "{": "OpenBrace",
          "(": "OpenParenthesis", "=": "EqualsSign"}
