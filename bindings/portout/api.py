"""The cmdlets as Python functions and as ``portout.cmdlets``, made from their declarations.

``set_port_out_pin("contoso.com", pin=new_pin, pass_thru=True)`` and
``cmdlets["Set-PortOutPin"](Identity="contoso.com", Pin=new_pin, PassThru=True)`` are the same
call. Parameter names are accepted in snake_case and PascalCase.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any, Callable

from portout.cmdlet import Cmdlet
from portout.commands import BY_NAME, CMDLETS


class CmdletTable(Mapping[str, Cmdlet]):
    """Cmdlets by name, in any case, or by alias: ``cmdlets["set-portoutpin"]`` and
    ``cmdlets["Set-CsOnlineNumberPortOutOrderPin"]`` work too; iterating gives each name once."""

    def __init__(self, items: tuple[Cmdlet, ...]) -> None:
        self._ordered = {c.name: c for c in items}
        self._lower = BY_NAME

    def __getitem__(self, name: str) -> Cmdlet:
        try:
            return self._lower[name.lower()]
        except (KeyError, AttributeError):
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._ordered)

    def __len__(self) -> int:
        return len(self._ordered)

    def __repr__(self) -> str:
        from portout.format import table

        rows = [(c.name, c.python_name, c.synopsis) for c in self._ordered.values()]
        return (f"<{len(self)} portout cmdlets: cmdlets['Set-PortOutPin'], or as functions, "
                f"portout.set_port_out_pin(...); help(portout.set_port_out_pin) for one>"
                + table(["Name", "Python", "Synopsis"], rows).rstrip("\n"))

    def _repr_html_(self) -> str:
        from portout.display import html_table

        rows = [(c.name, c.python_name, c.synopsis, c.roles) for c in self._ordered.values()]
        return html_table(("Name", "Python", "Synopsis", "Roles"), rows, code=(0, 1), nowrap=(0, 1),
                          caption_html=f"<b>{len(self)} portout cmdlets</b>: <code>cmdlets['Set-PortOutPin']"
                                       "</code> or <code>portout.set_port_out_pin(...)</code>")


cmdlets = CmdletTable(CMDLETS)


def _signature(cmdlet: Cmdlet) -> inspect.Signature:
    params = []
    positional = cmdlet.positional()
    for p in positional:
        default = inspect.Parameter.empty if p.mandatory else None
        params.append(inspect.Parameter(p.python_name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        default=default))
    for p in cmdlet.all_parameters:
        if p in positional:
            continue
        params.append(inspect.Parameter(p.python_name, inspect.Parameter.KEYWORD_ONLY, default=None))
    for extra in ("session", "host", "input_object", "progress"):
        params.append(inspect.Parameter(extra, inspect.Parameter.KEYWORD_ONLY, default=None))
    return inspect.Signature(params)


def _function(cmdlet: Cmdlet) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # its arguments may hold a PIN: pytest shows no such frame
        return cmdlet(*args, **kwargs)

    call.__name__ = call.__qualname__ = cmdlet.python_name
    call.__module__ = "portout"
    call.__doc__ = f"{cmdlet.name}: {cmdlet.synopsis}\n\n{cmdlet.description}\n\nRoles: {cmdlet.roles}"
    call.__signature__ = _signature(cmdlet)  # type: ignore[attr-defined]
    call.cmdlet = cmdlet  # type: ignore[attr-defined]
    return call


#: The Python form of every cmdlet, by its snake_case name.
functions: dict[str, Callable[..., Any]] = {c.python_name: _function(c) for c in CMDLETS}

globals().update(functions)
__all__ = ["CmdletTable", "cmdlets", "functions", *functions]
