"""What a running script passes besides values: the flow of break, continue, return and exit;
errors as a script sees them ($_ in catch, $Error) and on their way to a catch; and the scopes
its variables live in."""

from __future__ import annotations

from typing import Any, Optional

from portout.results import ErrorRecord
from portout.errors import PortOutError
from portout.host import nodes as n
from portout.host import values as v
from portout.host.values import PSObject

# -- flow -------------------------------------------------------------------------------------

class Flow(Exception):
    pass


class BreakFlow(Flow):
    def __init__(self, label: str = "") -> None:
        self.label = label.lower()


class ContinueFlow(Flow):
    def __init__(self, label: str = "") -> None:
        self.label = label.lower()


class ReturnFlow(Flow):
    pass


class ExitFlow(Flow):
    def __init__(self, code: int) -> None:
        self.code = code


class ErrorRecordValue(ErrorRecord):
    """An error as a script sees it ($_ in catch, $Error): PowerShell's ErrorRecord members."""

    def __init__(self, exception: PortOutError, command: str = "", line: int = 0, column: int = 0,
                 line_text: str = "", script: str = "", thrown: Any = None) -> None:
        super().__init__(exception, command, exception.target or "", line, column, line_text, script)
        self.thrown = thrown

    @property
    def command(self) -> str:
        return self.cmdlet

    def ps_member(self, name: str) -> Any:
        lower = name.lower()
        exc = self.exception
        if lower == "exception":
            return PSObject({"Message": exc.message, "ErrorId": exc.error_id,
                             "TypeName": type(exc).__name__, "Target": exc.target})
        if lower == "fullyqualifiederrorid":
            return exc.error_id
        if lower == "categoryinfo":
            return PSObject({"Category": exc.category, "Activity": self.command,
                             "Reason": type(exc).__name__, "TargetName": exc.target,
                             "TargetType": "String"})
        if lower == "targetobject":
            return exc.target or None
        if lower == "invocationinfo":
            return PSObject({"ScriptLineNumber": self.line, "OffsetInLine": self.column,
                             "Line": self.line_text, "ScriptName": self.script,
                             "MyCommand": self.command})
        if lower == "scriptstacktrace":
            return f"at <ScriptBlock>, {self.script or '<No file>'}: line {self.line}"
        if lower == "errordetails":
            return None
        if lower == "message":
            return exc.message
        return None

    def to_text(self) -> str:
        if self.thrown is not None and not isinstance(self.thrown, str):
            return v.to_string(self.thrown)
        return self.exception.message

    def __repr__(self) -> str:
        return self.to_text()


class ScriptTerminatingError(Exception):
    """A terminating error on its way to a catch, or out of the script.

    ``statement``: it ends only the statement it happened in (a parameter that does not bind, a
    value that does not convert, a command that does not exist), as PowerShell's
    statement-terminating errors do; the script goes on with the next statement unless
    $ErrorActionPreference is Stop or a try { } is around it. `throw` and -ErrorAction Stop end
    the script."""

    def __init__(self, record: ErrorRecordValue, statement: bool = False) -> None:
        super().__init__(record.exception.message)
        self.record = record
        self.statement = statement


# -- scopes -----------------------------------------------------------------------------------

class Scope:
    def __init__(self, parent: Optional["Scope"] = None, kind: str = "") -> None:
        self.vars: dict[str, tuple[str, Any]] = {}
        self.parent = parent
        self.kind = kind  # "global", "script", "function"

    def find(self, name: str) -> Optional["Scope"]:
        key = name.lower()
        scope: Optional[Scope] = self
        while scope is not None:
            if key in scope.vars:
                return scope
            scope = scope.parent
        return None

    def get(self, name: str) -> tuple[bool, Any]:
        scope = self.find(name)
        if scope is None:
            return False, None
        return True, scope.vars[name.lower()][1]

    def set(self, name: str, value: Any) -> None:
        key = name.lower()
        shown = self.vars[key][0] if key in self.vars else name
        self.vars[key] = (shown, value)

    def up_to(self, kind: str) -> "Scope":
        scope: Scope = self
        while scope.kind != kind and scope.parent is not None:
            scope = scope.parent
        return scope


class Function:
    def __init__(self, node: n.Function) -> None:
        self.name = node.name
        self.block = node.body
