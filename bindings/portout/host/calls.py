"""How a script calls a portout cmdlet: its arguments bound to the cmdlet's parameters (by name,
unambiguous prefix and position, with the common parameters and the command line's own
-OutputFormat, -InputFile, -PinFromStdin and -PinFromFd), a PIN read when none is given, and
its errors written, kept or raised as -ErrorAction and $ErrorActionPreference say. The command
line and the interactive shell call cmdlets through here too."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

from portout.cmdlet import ERROR_ACTIONS, Cmdlet, UsageError, is_usage
from portout.results import Output
from portout.errors import PortOutError
from portout.format import FORMATS, render
from portout.host import nodes as n
from portout.host import secrets
from portout.host import values as v
from portout.host.binding import Slot, Word, common_slots, fill_positions, lookup, walk
from portout.host.flow import ErrorRecordValue, Scope, ScriptTerminatingError
from portout.host.values import FileText, PSObject, SecureString

#: What the portout command line adds to every cmdlet, taken in scripts too.
HOST_ONLY = {"OutputFormat": False, "InputFile": False, "PinFromStdin": True, "PinFromFd": False}
_DROPPED = ("WarningAction", "OutVariable", "Debug", "InformationAction")
_SLOTS: dict[str, dict[str, Slot]] = {}


def slots(cmdlet: Cmdlet) -> dict[str, Slot]:
    """Every name a cmdlet's parameters answer to (lower case): its own, the common ones, the
    host's."""
    table = _SLOTS.get(cmdlet.name)
    if table is None:
        table = common_slots()
        table.update({name.lower(): Slot(name, switch) for name, switch in HOST_ONLY.items()})
        for p in cmdlet.all_parameters:
            for name in p.names():
                table[name.lower()] = Slot(p.name, p.kind == "switch")
        _SLOTS[cmdlet.name] = table
    return table


def parameter_names(cmdlet: Cmdlet) -> list[str]:
    """What -<Tab> offers and did-you-mean picks from."""
    reads_pin = any(p.secret for p in cmdlet.parameters)
    return [p.name for p in cmdlet.all_parameters] + [
        name for name in HOST_ONLY if reads_pin or name not in ("PinFromStdin", "PinFromFd")]


class CmdletCalls:
    """Runtime's half that calls cmdlets (the runtime supplies record, fail, preference,
    raw_arguments, read_line, read_secret, ensure_session, cmdlet_defaults, command_line, host
    and errors)."""

    # -- errors --------------------------------------------------------------------------

    def error_action(self, bound: dict[str, Any], scope: Scope, command: str) -> str:
        given = bound.pop("ErrorAction", None)
        text = v.to_string(given) if given is not None else v.to_string(self.preference("ErrorActionPreference", scope))
        match = next((a for a in ERROR_ACTIONS if a.lower() == text.lower()), None)
        if match is None and given is not None:
            raise UsageError(f"-ErrorAction takes {', '.join(ERROR_ACTIONS)}.",
                             error_id=f"ParameterArgumentValidationError,{command}", target="ErrorAction")
        return match or "Continue"

    def write_error(self, record: ErrorRecordValue, action: str, variable: Optional[list[Any]] = None,
                    quiet: bool = False) -> None:
        if action == "Stop":
            raise ScriptTerminatingError(record)
        if variable is not None:
            variable.append(record)
        if action == "Ignore":
            return
        self.errors.insert(0, record)
        if action == "Continue" and not quiet:
            self.err.write(record.render())
            self.err.flush()

    def error_variable(self, bound: dict[str, Any], scope: Scope) -> tuple[Optional[list[Any]], Callable[[], None]]:
        name = bound.pop("ErrorVariable", None)
        if name is None:
            return None, lambda: None
        text = v.to_string(name)
        append = text.startswith("+")
        key = text.lstrip("+").lstrip("$")
        found, current = scope.get(key)
        collected: list[Any] = list(current) if append and found and isinstance(current, list) else []

        def done() -> None:
            scope.set(key, collected)
        return collected, done

    # -- cmdlets -------------------------------------------------------------------------

    def cmdlet(self, cmdlet: Cmdlet, node: n.Command, scope: Scope, input_items: Optional[Iterator[Any]],
               quiet: bool) -> Iterator[Any]:
        try:
            bound, action, errors, done, extras = self.bind_cmdlet(cmdlet, node, scope)
        except UsageError as error:  # the call itself is wrong: it ends the statement
            raise ScriptTerminatingError(self.record(error, node, cmdlet.name), statement=True) from None
        fmt = extras.get("OutputFormat")
        try:
            items = None
            if input_items is not None:
                items = [_input_object(item, cmdlet) for item in input_items]
                if not items:
                    return
            if "InputFile" in extras:
                from portout.host.files import input_rows

                items = list(input_rows(v.to_string(extras["InputFile"]), cmdlet))
                if not items:
                    return
            _one_pin_source(cmdlet, bound, extras, items)
            self.read_secrets(cmdlet, bound, extras, items)
            if "WhatIf" not in bound and v.to_bool(self.preference("WhatIfPreference", scope)) and cmdlet.action:
                bound["WhatIf"] = True
            if cmdlet.needs_session:
                try:
                    self.ensure_session(cmdlet, bound)
                except PortOutError as error:  # no store: nothing after it can run either
                    raise ScriptTerminatingError(self.record(error, node, cmdlet.name),
                                                 statement=is_usage(error)) from None
            bound["ErrorAction"] = "Stop" if action == "Stop" else "SilentlyContinue"
            output = cmdlet.invoke(bound, host=self.host, input_object=items, collect=True)
        except (UsageError, PortOutError) as error:
            if "," not in error.error_id:
                error.error_id = f"{error.error_id},{cmdlet.name}"
            record = self.record(error, node, cmdlet.name)
            done()
            if is_usage(error) and not isinstance(error.partial_output, Output):
                # the call itself is wrong (a value that does not convert): it ends the statement
                if errors is not None:
                    errors.append(record)
                raise ScriptTerminatingError(record, statement=True) from None
            if action == "Stop":
                # What the targets before it wrote is output, then the error ends the script.
                if isinstance(error.partial_output, Output):
                    yield from self.written(error.partial_output, fmt)
                raise ScriptTerminatingError(record) from None
            self.write_error(record, action, errors, quiet)
            return
        for error_record in output.errors:
            self.write_error(self.record(error_record.exception, node, cmdlet.name), action, errors, quiet)
        done()
        yield from self.written(output, fmt)

    @staticmethod
    def written(output: Output, fmt: Optional[str]) -> Iterator[Any]:
        """What a cmdlet wrote, as objects, or as one text in the -OutputFormat asked for."""
        if fmt is None:
            yield from output
            return
        text = render(list(output), fmt)
        if text.strip():
            yield text.strip("\n")
        elif fmt == "Json":
            yield "[]"

    def read_secrets(self, cmdlet: Cmdlet, bound: dict[str, Any], extras: dict[str, Any],
                     items: Optional[list[Any]]) -> None:
        """The PIN a cmdlet needs: given as a SecureString, from -PinFromStdin or -PinFromFd, or
        asked for (on the terminal; a script without one reads standard input)."""
        for p in cmdlet.parameters:
            if not p.secret:
                continue
            value = bound.get(p.name)
            if isinstance(value, SecureString):
                bound[p.name] = value.reveal()
                continue
            if value is not None or (items and all(isinstance(i, dict) and p.name in i for i in items)):
                continue
            if extras.get("PinFromStdin"):
                line = secrets.read_line(self.host.inp)
                if line is None:
                    raise UsageError(f"Standard input ended before -{p.name} was read.",
                                     error_id=f"SecretNotProvided,{cmdlet.name}", target=p.name)
                bound[p.name] = line
            elif "PinFromFd" in extras:
                try:
                    bound[p.name] = secrets.read_fd(int(v.to_string(extras["PinFromFd"])))
                except (OSError, ValueError, OverflowError):
                    raise UsageError("-PinFromFd names no readable file descriptor.",
                                     error_id=f"SecretNotProvided,{cmdlet.name}", target=p.name) from None
            elif p.mandatory:
                if self.read_secret is None:
                    raise UsageError(f"{cmdlet.name} needs -{p.name}: read it with Read-Host -AsSecureString.",
                                     error_id=f"SecretNotProvided,{cmdlet.name}", target=p.name)
                bound[p.name] = self.read_secret(cmdlet, p)

    def bind_cmdlet(self, cmdlet: Cmdlet, node: n.Command, scope: Scope
                    ) -> tuple[dict[str, Any], str, Optional[list[Any]], Callable[[], None], dict[str, Any]]:
        """The cmdlet's parameters from a command's arguments; the -ErrorAction, the
        -ErrorVariable and the host's own parameters apart."""
        table = slots(cmdlet)
        named, positional = walk(self.raw_arguments(node, scope), lambda raw: lookup(table, raw, cmdlet.name),
                                 cmdlet.name, parameter_names(cmdlet))
        bound = fill_positions(named, positional, [p.name for p in cmdlet.positional()], cmdlet.name)
        extras = {name: bound.pop(name) for name in HOST_ONLY if name in bound}
        if "PinFromStdin" in extras:
            extras["PinFromStdin"] = v.to_bool(extras["PinFromStdin"])
        given = [name for name in ("PinFromStdin", "PinFromFd") if extras.get(name) not in (None, False)]
        secret = next((p for p in cmdlet.parameters if p.secret), None)
        if given and (secret is None or secret.name in bound or len(given) > 1):
            what = f"-{secret.name} and " if secret is not None and secret.name in bound else ""
            raise UsageError(f"The PIN comes from one place only: {what}{' and '.join('-' + g for g in given)} "
                             "were given." if secret else f"{cmdlet.name} reads no PIN: -{given[0]} does not apply.",
                             error_id=f"ParameterAlreadyBound,{cmdlet.name}", target=given[0])
        for name in _DROPPED:
            bound.pop(name, None)
        for name, value in list(bound.items()):
            p = cmdlet.parameter(name)
            if p is None:
                continue
            if p.secret and self.command_line and value is not None:
                raise UsageError(
                    f"-{p.name} is never taken from the command line, where ps and shell history would "
                    "show it. Leave it out to be asked without echo, or use -PinFromStdin (first line "
                    "of standard input) or -PinFromFd N (an open file descriptor).",
                    error_id=f"SecretOnCommandLine,{cmdlet.name}", target=p.name)
            bound[name] = _argument(value, p, cmdlet.name)
            if p.secret:
                secret_source(value, p.name, cmdlet.name)
        for name, value in self.cmdlet_defaults(cmdlet, bound).items():
            bound.setdefault(name, value)
        if bound.get("Verbose") is not None:
            bound["Verbose"] = v.to_bool(bound["Verbose"])
        if "OutputFormat" in extras:
            wanted = v.to_string(extras["OutputFormat"])
            fmt = next((f for f in FORMATS if f.lower() == wanted.lower()), None)
            if fmt is None:
                raise UsageError(f"-OutputFormat takes {', '.join(FORMATS)}.",
                                 error_id=f"ParameterArgumentValidationError,{cmdlet.name}", target="OutputFormat")
            extras["OutputFormat"] = fmt
        action = self.error_action(bound, scope, cmdlet.name)
        errors, done = self.error_variable(bound, scope)
        return bound, action, errors, done, extras


def secret_source(value: Any, name: str, command: str) -> None:
    """A PIN comes into a script at run time, never from its own text: a SecureString
    (Read-Host -AsSecureString) or text read from a file the script names (Import-Csv,
    Get-Content). Text made in the script, or given on its command line, is refused."""
    if value is None or isinstance(value, (SecureString, FileText)):
        return
    raise UsageError(
        f"-{name} takes a PIN read as the script runs: Read-Host -AsSecureString, or a value read "
        "from a file with Import-Csv or Get-Content. Text written in the script or given on its "
        "command line never is (it would sit in the file, in ps, or in a history).",
        error_id=f"SecretInScript,{command}", target=name)


def _input_object(item: Any, cmdlet: Cmdlet) -> Any:
    """A pipeline object as the cmdlet binds it by property name: a [pscustomobject] or an
    Import-Csv row becomes its properties, named as the parameters are (in any case)."""
    if not isinstance(item, PSObject):
        return item
    row: dict[str, Any] = {}
    for key, value in item.properties.items():
        p = cmdlet.parameter(str(key))
        row[p.name if p is not None else str(key)] = value
        if p is not None and p.secret:
            secret_source(value, p.name, cmdlet.name)
            row[p.name] = value.reveal() if isinstance(value, SecureString) else value
    return row


def _one_pin_source(cmdlet: Cmdlet, bound: dict[str, Any], extras: dict[str, Any],
                    items: Optional[list[Any]]) -> None:
    for p in cmdlet.parameters:
        if not p.secret or not items or not any(isinstance(i, dict) and i.get(p.name) is not None for i in items):
            continue
        other = [f"-{p.name}"] if p.name in bound else []
        other += [f"-{name}" for name in ("PinFromStdin", "PinFromFd") if extras.get(name) not in (None, False)]
        if other:
            raise UsageError(f"The PIN comes from one place only: the input's {p.name} and "
                             f"{' and '.join(other)} were given.",
                             error_id=f"ParameterAlreadyBound,{cmdlet.name}", target=p.name)


def _argument(value: Any, p: Any, command: str) -> Any:
    """A bound value as the cmdlet takes it: a command-line word split at its commas when the
    parameter takes several values, a SecureString opened only for a secret parameter."""
    if isinstance(value, Word):
        if not p.multiple:
            return str(value)
        items = str(value).split(",")
        if any(item.strip() == "" for item in items):
            raise UsageError(f"The parameter -{p.name} has an empty item in its list.",
                             error_id=f"ParameterArgumentValidationError,{command}", target=p.name)
        return [item.strip() for item in items]
    if not p.secret and (isinstance(value, SecureString) or (
            isinstance(value, (list, tuple)) and any(isinstance(x, SecureString) for x in value))):
        raise UsageError(f"A SecureString is a PIN: only a PIN parameter takes one, not -{p.name}.",
                         error_id=f"ParameterArgumentTransformationError,{command}", target=p.name)
    if p.kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return v.to_string(value)  # as PowerShell converts a number for a [string] parameter
    if p.kind == "string" and isinstance(value, (list, tuple)):
        return [v.to_string(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in value]
    return value
