"""How a script calls a portout cmdlet: its arguments bound to the cmdlet's parameters (by name,
unambiguous prefix and position, with the common parameters and the command line's own
-OutputFormat, -InputFile and -PinFromStdin), a PIN read when none is given, and its errors
written, kept or raised as -ErrorAction and $ErrorActionPreference say."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

from portout.cmdlet import Cmdlet, did_you_mean
from portout.errors import PortOutError
from portout.host import nodes as n
from portout.host import values as v
from portout.host.flow import ErrorRecordValue, Scope, ScriptTerminatingError
from portout.host.values import SecureString

ERROR_ACTIONS = ("Stop", "Continue", "SilentlyContinue", "Ignore")
_COMMON = {"erroraction": "ErrorAction", "ea": "ErrorAction", "errorvariable": "ErrorVariable",
           "ev": "ErrorVariable", "warningaction": "WarningAction", "wa": "WarningAction",
           "verbose": "Verbose", "vb": "Verbose", "outvariable": "OutVariable", "ov": "OutVariable",
           "debug": "Debug", "informationaction": "InformationAction"}
#: What the portout command line adds to every cmdlet, taken in scripts too.
_HOST_ONLY = {"outputformat": "OutputFormat", "inputfile": "InputFile", "pinfromstdin": "PinFromStdin"}


class CmdletCalls:
    """Runtime's half that calls cmdlets (the runtime supplies record, fail, preference,
    raw_arguments, read_line, read_secret, ensure_session, host and errors)."""

    # -- errors --------------------------------------------------------------------------

    def error_action(self, bound: dict[str, Any], scope: Scope) -> str:
        given = bound.pop("ErrorAction", None)
        text = v.to_string(given) if given is not None else v.to_string(self.preference("ErrorActionPreference", scope))
        match = next((a for a in ERROR_ACTIONS if a.lower() == text.lower()), None)
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
        from portout.cmdlet import UsageError

        bound, action, errors, done, extras = self.bind_cmdlet(cmdlet, node, scope)
        try:
            items = None
            if input_items is not None:
                items = list(input_items)
                if not items:
                    return
            if "InputFile" in extras:
                from portout.cli import _load_csv

                items = list(_load_csv(v.to_string(extras["InputFile"]), cmdlet))
                if not items:
                    return
            if extras.get("PinFromStdin"):
                secret = next((p for p in cmdlet.parameters if p.secret), None)
                line = self.read_line("", True) if self.read_line else None
                if secret is None or line is None:
                    raise self.fail(node, "-PinFromStdin: standard input ended before the PIN was read.",
                                    f"SecretNotProvided,{cmdlet.name}")
                bound[secret.name] = line
            for p in cmdlet.parameters:
                if not p.secret:
                    continue
                value = bound.get(p.name)
                if isinstance(value, SecureString):
                    bound[p.name] = value.reveal()
                elif value is None and p.mandatory and not (items and all(
                        isinstance(i, dict) and p.name in i for i in items)):
                    if self.read_secret is None:
                        raise self.fail(node, f"{cmdlet.name} needs -{p.name}: read it with Read-Host "
                                              "-AsSecureString.", f"SecretNotProvided,{cmdlet.name}", p.name)
                    bound[p.name] = self.read_secret(cmdlet, p)
            if cmdlet.needs_session:
                self.ensure_session()
            if "WhatIf" not in bound and v.to_bool(self.preference("WhatIfPreference", scope)) and cmdlet.action:
                bound["WhatIf"] = True
            bound["ErrorAction"] = "Stop" if action == "Stop" else "SilentlyContinue"
            output = cmdlet.invoke(bound, host=self.host, input_object=items, collect=True)
        except (UsageError, PortOutError) as error:
            if "," not in error.error_id:
                error.error_id = f"{error.error_id},{cmdlet.name}"
            record = self.record(error, node, cmdlet.name)
            done()
            if action == "Stop":
                raise ScriptTerminatingError(record) from None
            if isinstance(error, UsageError):  # the call itself is wrong: it ends the statement
                if errors is not None:
                    errors.append(record)
                raise ScriptTerminatingError(record, statement=True) from None
            self.write_error(record, action, errors, quiet)
            return
        for error_record in output.errors:
            self.write_error(self.record(error_record.exception, node, cmdlet.name), action, errors, quiet)
        done()
        if "OutputFormat" in extras:
            from portout.format import FORMATS, render

            wanted = v.to_string(extras["OutputFormat"])
            fmt = next((f for f in FORMATS if f.lower() == wanted.lower()), None)
            if fmt is None:
                raise self.fail(node, f"-OutputFormat takes {', '.join(FORMATS)}.",
                                f"ParameterArgumentValidationError,{cmdlet.name}", "OutputFormat")
            text = render(list(output), fmt)
            if text.strip() or fmt == "Json":
                yield text.strip("\n") if text.strip() else "[]"
            return
        yield from output

    def bind_cmdlet(self, cmdlet: Cmdlet, node: n.Command, scope: Scope
                    ) -> tuple[dict[str, Any], str, Optional[list[Any]], Callable[[], None], dict[str, Any]]:
        from portout.cmdlet import UsageError

        arguments = self.raw_arguments(node, scope)
        bound: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        positional: list[Any] = []
        i = 0
        while i < len(arguments):
            arg = arguments[i]
            if isinstance(arg, tuple) and arg[:1] == ("-",):
                _, name, value, has_value = arg
                p = cmdlet.parameter(name) or self.unique_prefix(cmdlet, name)
                extra = _HOST_ONLY.get(name.lower()) if p is None else None
                if extra is not None:
                    if extra == "PinFromStdin":
                        extras[extra] = True if not has_value else v.to_bool(value)
                    else:
                        if not has_value:
                            i += 1
                            value = arguments[i] if i < len(arguments) else None
                        extras[extra] = value
                    i += 1
                    continue
                if p is None:
                    common = _COMMON.get(name.lower())
                    if common is None:
                        hint = did_you_mean("-" + name, ["-" + q.name for q in cmdlet.all_parameters])
                        raise ScriptTerminatingError(self.record(UsageError(
                            f"A parameter cannot be found that matches parameter name '{name}'.{hint}",
                            error_id=f"NamedParameterNotFound,{cmdlet.name}", target=name), node, cmdlet.name), statement=True)
                    if not has_value and common != "Verbose":
                        i += 1
                        value = arguments[i] if i < len(arguments) else None
                    bound[common] = True if common == "Verbose" and not has_value else value
                    i += 1
                    continue
                if not has_value:
                    if p.kind == "switch":
                        value = True
                    elif i + 1 < len(arguments) and not (isinstance(arguments[i + 1], tuple)
                                                         and arguments[i + 1][:1] == ("-",)):
                        i += 1
                        value = arguments[i]
                    else:
                        raise ScriptTerminatingError(self.record(UsageError(
                            f"Missing an argument for parameter '{p.name}'. Specify a parameter of type "
                            f"'{p.type_name}' and try again.", error_id=f"MissingArgument,{cmdlet.name}",
                            target=p.name), node, cmdlet.name), statement=True)
                if isinstance(value, SecureString) and not p.secret:
                    value = value.reveal()
                bound[p.name] = value
            else:
                positional.append(arg)
            i += 1
        slots = [p for p in cmdlet.positional() if p.name not in bound]
        for value in positional:
            if not slots:
                raise ScriptTerminatingError(self.record(UsageError(
                    f"A positional parameter cannot be found that accepts argument '{v.to_string(value)}'.",
                    error_id=f"PositionalParameterNotFound,{cmdlet.name}"), node, cmdlet.name), statement=True)
            bound[slots.pop(0).name] = value
        for key in list(bound):
            if isinstance(bound[key], (list, tuple)):
                bound[key] = [x.reveal() if isinstance(x, SecureString) else x for x in bound[key]]
        bound.pop("WarningAction", None)
        bound.pop("OutVariable", None)
        bound.pop("Debug", None)
        bound.pop("InformationAction", None)
        if bound.get("Verbose") is not None:
            bound["Verbose"] = v.to_bool(bound["Verbose"])
        action = self.error_action(bound, scope)
        errors, done = self.error_variable(bound, scope)
        return bound, action, errors, done, extras

    @staticmethod
    def unique_prefix(cmdlet: Cmdlet, name: str) -> Any:
        lower = name.lower()
        hits = [p for p in cmdlet.all_parameters if p.name.lower().startswith(lower)]
        return hits[0] if len(hits) == 1 else None
