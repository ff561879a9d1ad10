"""What a cmdlet call returns: the objects it wrote with its errors and a summary
(:class:`Output`), and each error as PowerShell reports it (:class:`ErrorRecord`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from portout.display import RecordList, html_table, plural
from portout.errors import PortOutError, position_text, shown_target

__all__ = ["ErrorRecord", "Output"]


@dataclass(eq=False)
class ErrorRecord:
    """One error as PowerShell reports it: what failed, in which cmdlet, on which target, and,
    for an error in a script, where (line, column and the line's text)."""

    exception: PortOutError
    cmdlet: str = ""
    target: str = ""
    line: int = 0
    column: int = 0
    line_text: str = ""
    script: str = ""

    @property
    def fully_qualified_error_id(self) -> str:
        return self.exception.error_id

    @property
    def category(self) -> str:
        return self.exception.category

    def __str__(self) -> str:
        return self.exception.message

    def __repr__(self) -> str:
        """As PowerShell shows an error record: the message, then where and the ids."""
        return self.render().rstrip("\n")

    def _repr_html_(self) -> str:
        import html

        return (f'<pre style="color:#b00;white-space:pre-wrap;margin:0">{html.escape(self.render())}</pre>')

    def render(self) -> str:
        """As PowerShell writes an error: the command and message, where, and the ids."""
        exc = self.exception
        text = (f"{self.cmdlet} : {exc.message}" if self.cmdlet else exc.message) + "\n"
        if self.line:
            text += position_text(self.script or "line", self.line, self.column, self.line_text)
        return text + (f"    + CategoryInfo          : {exc.category}: ({shown_target(self.target)}:String) "
                       f"[{self.cmdlet}], {type(exc).__name__}\n"
                       f"    + FullyQualifiedErrorId : {exc.error_id}\n")


class Output(RecordList):
    """What a multi-target call returns: the objects written, plus its errors and a summary.

    Shows its summary, its records as a table and its errors (target, error id, message), in
    Jupyter and as text; exports its records to pandas (``to_pandas()``)."""

    def __init__(self, items: Iterable[Any] = (), *, errors: Sequence[ErrorRecord] = (),
                 succeeded: int = 0, failed: int = 0, skipped: int = 0,
                 record_type: type | None = None) -> None:
        super().__init__(items, record_type=record_type)
        self.errors = list(errors)
        self.succeeded = succeeded
        self.failed = failed
        self.skipped = skipped
        self.listed = False  # a call wrote a collection (Get-* without -Identity)

    @property
    def summary(self) -> str:
        text = f"{self.succeeded} succeeded, {self.failed} failed"
        return text + (f", {self.skipped} skipped" if self.skipped else "")

    def _errors_rows(self) -> list[tuple[str, str, str]]:
        return [(shown_target(e.target), e.fully_qualified_error_id, e.exception.message) for e in self.errors]

    def _tells(self) -> bool:
        """Whether the summary says more than the table: several targets, or any failure."""
        return bool(self.errors or self.failed or self.skipped or not self.listed)

    def __repr__(self) -> str:
        lines = [f"{self._caption()} ({self.summary})" if self._tells() else self._caption()]
        lines += [f"  {r!r}" for r in self[: self.max_rows]]
        if len(self) > self.max_rows:
            lines.append(f"  ... {plural('more row', len(self) - self.max_rows)}")
        if self.errors:
            lines.append(plural("error", len(self.errors)) + ":")
            lines += [f"  {t}: {i}: {m}" for t, i, m in self._errors_rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        parts = [f"<p><b>{html.escape(self.summary)}</b></p>" if self._tells() else "", self._table_html()]
        if self.errors:
            parts.append(html_table(("Target", "ErrorId", "Message"), self._errors_rows(), color="#b00",
                                    caption_html=f"<b>{html.escape(plural('error', len(self.errors)))}</b>"))
        return "".join(parts)
