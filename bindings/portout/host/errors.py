"""The errors a script meets: refused before it runs (ScriptParseError), or raised as it runs
(ScriptRuntimeError, and a PortOutError from a cmdlet), each naming the line and column."""

from __future__ import annotations

from portout.errors import InvalidArgumentError, InvalidOperationError, position_text, shown_target


class ScriptParseError(InvalidArgumentError):
    """The script is not in portout's subset of the PowerShell language, or not well formed.

    Raised before anything in the script runs. ``line`` and ``column`` count from 1;
    ``construct`` names what was refused (``Invoke-Expression``, ``a method call .Foo()``...)."""

    def __init__(self, message: str, *, line: int, column: int, construct: str = "",
                 error_id: str = "ParseError", path: str = "", source_line: str = "") -> None:
        super().__init__(message, error_id=error_id, target=construct)
        self.line = line
        self.column = column
        self.construct = construct
        self.path = path
        self.source_line = source_line

    def render(self) -> str:
        """As PowerShell shows a parse error: where, the line, a caret under the place."""
        text = position_text(self.path or "line", self.line, self.column, self.source_line)
        return text + (f"{self.message}\n"
                       f"    + CategoryInfo          : ParserError: ({shown_target(self.construct)}:String) [], "
                       "ParseException\n"
                       f"    + FullyQualifiedErrorId : {self.error_id}\n")


class ScriptRuntimeError(InvalidOperationError):
    """An error of the script itself as it runs (``throw``, a value of the wrong kind, a
    variable that does not exist...), rather than of a cmdlet."""

    def __init__(self, message: str, *, error_id: str = "RuntimeException", target: str = "",
                 line: int = 0, column: int = 0) -> None:
        super().__init__(message, error_id=error_id, target=target)
        self.line = line
        self.column = column
        self.thrown: object = None  # what `throw` threw, when it was not text
