"""The interactive shell: ``portout`` with no arguments on a terminal.

Each line (or block: an open brace, quote or here-string goes on at a `>>` prompt) runs in one
runtime, so variables and functions last for the session. The prompt names the store and the
role; Tab completes cmdlets, parameters, accepted values, variables and their properties; Ctrl-C
cancels what runs (or the line being typed), never the shell; `exit` or Ctrl-D leaves.

History is kept in ``$XDG_STATE_HOME/portout/history`` (``~/.local/state``), mode 0600, and
never holds a line that may carry a secret: one with a word that could be a PIN (four or more
digits on their own), one the parser refused as a PIN in a script's text, or one an error could
only show as "(not shown)" is not kept, not even for the arrow keys.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterable, Iterator, Optional

from portout.errors import pin_shaped
from portout.host.binding import COMMON
from portout.host.calls import parameter_names
from portout.host.errors import ScriptParseError
from portout.host.flow import BreakFlow, ContinueFlow, ExitFlow, ReturnFlow
from portout.host.script import Console, parse_source, run_statement

#: Parse errors that mean the input goes on (an open block, string, bracket or comment).
_GOES_ON = frozenset({"MissingEndCurlyBrace", "MissingEndSquareBracket", "MissingEndParenthesis",
                      "MissingEndOfComment", "TerminatorExpectedAtEndOfString", "MissingOpenBrace",
                      "MissingCatchOrFinally", "MissingWhileOrUntilInDoWhile", "HereStringTerminator"})


def history_path() -> str:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "portout", "history")


def incomplete(source: str, error: ScriptParseError) -> bool:
    """Whether the parser stopped because the input is not finished yet: an open block, string
    or bracket, a line ending in a pipe or a backtick."""
    if error.error_id in _GOES_ON or error.error_id.startswith("MissingEnd"):
        return True
    stripped = source.rstrip()
    if stripped.endswith(("|", "`", ",")):
        return True
    lines = source.splitlines() or [""]
    last_line = len(lines)
    while last_line > 1 and not lines[last_line - 1].strip():
        last_line -= 1
    return error.line > last_line or (error.line == last_line
                                       and error.column > len(lines[last_line - 1].rstrip()))


class Shell:
    """One interactive session over a console."""

    def __init__(self, console: Console, options: Any) -> None:
        self.console = console
        self.options = options
        self.runtime = console.runtime(path="")
        self.code = 0
        self.last_hid_a_word = False

    # -- what the prompt shows ---------------------------------------------------------------

    def prompt_text(self) -> str:
        from portout import session as sessions
        from portout.errors import PortOutError

        try:
            session = sessions.current()
        except PortOutError:
            where = self.options.store or "(default store)"
            return f"portout [{os.path.basename(str(where))}: not connected]> "
        return f"portout [{os.path.basename(session.path)} {session.role}]> "

    def greet(self) -> None:
        from portout import __version__
        from portout.errors import PortOutError

        err = self.console.err
        err.write(f"portout {__version__}: PowerShell-style cmdlets for port-out PINs and orders. "
                  "Tab completes; Get-Help NAME, portout help; exit or Ctrl-D leaves.\n")
        try:
            self.options.connect(None)
        except PortOutError as error:
            err.write(f"{error.message} New-PortOutTenant creates the store, or Connect-PortOutStore "
                      "-Create.\n")
        err.flush()

    # -- one entry ---------------------------------------------------------------------------

    def run_entry(self, source: str) -> Optional[bool]:
        """Run what was typed. Returns whether it may be kept in the history, or None when the
        input is not finished yet."""
        try:
            script = parse_source("", source, self.console.cmdlets)
        except ScriptParseError as error:
            if incomplete(source, error):
                return None
            self.console.err.write(error.render())
            return error.error_id != "SecretInScript"
        self.runtime.lines = source.splitlines()
        before = len(self.runtime.errors)
        try:
            for statement in script.block.statements:
                run_statement(self.runtime, statement)
        except ExitFlow as done:
            self.code = done.code
            raise
        except (BreakFlow, ContinueFlow, ReturnFlow):
            pass
        except KeyboardInterrupt:
            self.console.err.write("\n(cancelled)\n")
        finally:
            new = self.runtime.errors[: max(len(self.runtime.errors) - before, 0)]  # newest first
            self.last_hid_a_word = any("(not shown)" in record.exception.message for record in new)
        return not self.last_hid_a_word

    @staticmethod
    def may_keep(source: str, ran: bool) -> bool:
        """A line goes into the history only when it ran without a sign of a secret, and holds
        no word that could be a PIN."""
        return ran and not pin_shaped(source)

    # -- the loop ----------------------------------------------------------------------------

    def loop(self) -> int:
        from prompt_toolkit import PromptSession

        path = history_path()
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        try:
            os.fchmod(fd, 0o600)  # one made before, with a looser mode, is made private too
        finally:
            os.close(fd)
        history = kept_history(path)
        session: PromptSession[str] = PromptSession(history=history, completer=completer(self),
                                                    complete_while_typing=False)
        self.greet()
        lines: list[str] = []
        while True:
            try:
                text = session.prompt(">> " if lines else self.prompt_text())
            except KeyboardInterrupt:  # the line being typed is dropped; the shell goes on
                lines = []
                continue
            except EOFError:
                self.console.err.write("\n")
                return self.code
            lines.append(text)
            source = "\n".join(lines)
            if not source.strip():
                lines = []
                continue
            try:
                keep = self.run_entry(source)
            except ExitFlow:
                if self.may_keep(source, not self.last_hid_a_word):
                    history.keep(source)
                return self.code
            if keep is None:
                continue
            lines = []
            if self.may_keep(source, keep):
                history.keep(source)


def kept_history(path: str) -> Any:
    """A FileHistory that keeps only what the shell says may be kept, after the line ran
    (prompt_toolkit is imported only when a shell opens)."""
    from prompt_toolkit.history import FileHistory

    class Kept(FileHistory):
        def append_string(self, string: str) -> None:
            pass  # the shell decides, once the line has run: see keep()

        def keep(self, string: str) -> None:
            self._loaded_strings.insert(0, string)
            self.store_string(string)
    return Kept(path)


# -- completion ------------------------------------------------------------------------------

_WORD = re.compile(r"[$@]?[\w:.-]*$")
_MEMBER = re.compile(r"\$(\w+)(\[\d+\])?\.(\w*)$")


def complete(shell: Shell, text: str) -> tuple[int, list[str]]:
    """What Tab offers after `text`: (how many characters it replaces, the candidates)."""
    runtime = shell.runtime
    member_of = _MEMBER.search(text)
    if member_of:
        name, index, member = member_of.groups()
        found, value = runtime.script_scope.get(name)
        if not found:
            return 0, []
        from portout.host import members as m

        items = value if isinstance(value, list) and value else [value]
        if index is not None and isinstance(value, list):
            items = value[int(index[1:-1]):][:1] or items
        first = items[0]
        props = [str(k) for k in first] if isinstance(first, dict) else m.fields(first)
        props += ["Count"] if isinstance(value, list) and index is None else []
        return len(member), [p for p in props if p.lower().startswith(member.lower())]
    word = _WORD.search(text).group(0)  # type: ignore[union-attr]
    head = text[: len(text) - len(word)]
    lower = word.lower()
    if word.startswith("$"):
        names = _variables(runtime)
        return len(word) - 1, [v for v in names if v.lower().startswith(lower[1:])]
    command = _current_command(head)
    cmdlet = shell.console.cmdlets.get(command.lower()) if command else None
    if word.startswith("-") and command:
        if cmdlet is not None:
            names = parameter_names(cmdlet)
        else:
            names = sorted(set(COMMON.values()))
        return len(word) - 1, [p for p in names if p.lower().startswith(lower[1:])]
    previous = head.rstrip().split()[-1] if head.strip() else ""
    if previous.startswith("-") and cmdlet is not None:
        p = cmdlet.parameter(previous[1:])
        choices: Iterable[str] = p.choices if p is not None else ()
        if previous[1:].lower() in ("erroraction", "ea"):
            from portout.cmdlet import ERROR_ACTIONS

            choices = ERROR_ACTIONS
        elif previous[1:].lower() == "outputformat":
            from portout.format import FORMATS

            choices = FORMATS
        return len(word), [c for c in choices if c.lower().startswith(lower)]
    if command is None or not head.strip() or re.search(r"[|;{(]\s*$", head):
        return len(word), [c for c in _commands(shell) if c.lower().startswith(lower)]
    return 0, []


def _variables(runtime: Any) -> list[str]:
    names: dict[str, None] = {}
    scope = runtime.script_scope
    while scope is not None:
        for shown, _ in scope.vars.values():
            names.setdefault(shown)
        scope = scope.parent
    return sorted(names, key=str.lower)


def _commands(shell: Shell) -> list[str]:
    from portout.commands import ALIASES
    from portout.host.builtins import BUILTIN_NAMES

    names = {c.name for c in shell.console.cmdlets.values()} | set(ALIASES) | set(BUILTIN_NAMES)
    names |= {f.name for f in shell.runtime.functions.values()}
    return sorted(names, key=str.lower)


def _current_command(head: str) -> Optional[str]:
    """The command whose arguments are being typed: the first word after the last |, ;, { or (."""
    segment = re.split(r"[|;{(]", head)[-1]
    words = segment.split()
    return words[0] if words else None


def completer(shell: Shell) -> Any:
    """prompt_toolkit's side of `complete`."""
    from prompt_toolkit.completion import Completer, Completion

    class ShellCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Iterator[Any]:
            replace, candidates = complete(shell, document.text_before_cursor)
            for candidate in candidates:
                yield Completion(candidate, start_position=-replace)
    return ShellCompleter()


def run_shell(console: Console, options: Any) -> int:
    return Shell(console, options).loop()


__all__ = ["run_shell", "complete", "incomplete", "history_path", "Shell"]
