"""The cmdlet model: one declaration per cmdlet, and everything PowerShell promises around it.

A :class:`Cmdlet` is declared once (name, parameters, ConfirmImpact, help, output type and the
function that does the work). From that declaration come the Python function
(``set_port_out_pin``), the lookup ``portout.cmdlets["Set-PortOutPin"]``, the command-line
host, ``portout help NAME`` and ``docs/cmdlets.md``.

Invoking a cmdlet binds its parameters (PascalCase or snake_case, positional as declared),
then runs it once per target with the common parameters doing what they say: ``WhatIf``
changes nothing and says what would happen, ``Confirm`` asks first (High-impact cmdlets ask by
default; ``Force`` or ``Confirm=False`` skips), ``ErrorAction`` decides what one target's
failure does to the others, ``Verbose`` narrates on stderr.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Sequence

from portout import session as sessions
from portout.display import html_table
from portout.errors import InvalidArgumentError, InvalidTypeError, PortOutError
from portout.results import ErrorRecord, Output
from portout.progress import ProgressArg, Tracker
from portout.session import Host

__all__ = [
    "Cmdlet",
    "Parameter",
    "UsageError",
]

ERROR_ACTIONS = ("Stop", "Continue", "SilentlyContinue", "Ignore")
IMPACTS = ("None", "Low", "Medium", "High")
#: PowerShell's default $ConfirmPreference: cmdlets of this impact or above ask first.
CONFIRM_PREFERENCE = "High"


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """" Did you mean X?" for the closest of `candidates` to a mistyped `word`, or ""."""
    import difflib

    pool = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(word.lower(), list(pool), n=1, cutoff=0.75)
    return f" Did you mean {pool[close[0]]}?" if close else ""


def snake(name: str) -> str:
    """``CountryOrRegion`` -> ``country_or_region``; ``PassThru`` -> ``pass_thru``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def pascal(name: str) -> str:
    """``country_or_region`` -> ``CountryOrRegion``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class UsageError(InvalidArgumentError):
    """The call itself is wrong: an unknown or missing parameter, a value of the wrong form."""


#: Error ids that say the call itself is wrong, whatever the class of the error.
_USAGE_IDS = frozenset({
    "ParameterArgumentTransformationError", "ParameterArgumentValidationError",
    "MissingMandatoryParameter", "NamedParameterNotFound", "PositionalParameterNotFound",
    "MissingArgument", "AmbiguousParameter", "ParameterAlreadyBound", "CommandNotFoundException",
    "SecretOnCommandLine", "SecretInScript", "AmbiguousParameterSet",
})


def is_usage(error: PortOutError) -> bool:
    """Whether an error is about the call rather than what it acted on (exit code 2)."""
    return isinstance(error, UsageError) or error.error_id.split(",", 1)[0] in _USAGE_IDS


# -- parameters -------------------------------------------------------------------------------

#: Parameter kinds, and how each is shown in help.
KINDS = {
    "string": "String",
    "int": "Int32",
    "bool": "Boolean",
    "switch": "SwitchParameter",
    "timespan": "TimeSpan",
    "datetime": "DateTime",
    "secret": "SecureString",
}


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    help: str
    mandatory: bool = False
    position: int | None = None
    multiple: bool = False
    pipeline_by_property: bool = False
    aliases: tuple[str, ...] = ()
    # Takes a plain value from the pipeline ("contoso.com" | Get-PortOutPin), as PowerShell's
    # ValueFromPipeline; at most one parameter of a cmdlet does.
    pipeline_by_value: bool = False
    choices: tuple[str, ...] = ()
    # A secret asked for on a terminal is asked twice, and must match (a new PIN).
    confirm_entry: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def python_name(self) -> str:
        return snake(self.name)

    @property
    def secret(self) -> bool:
        """A PIN: never taken from a command line, never shown."""
        return self.kind == "secret"

    @property
    def type_name(self) -> str:
        return KINDS[self.kind] + ("[]" if self.multiple else "")

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def convert(self, value: Any, cmdlet: str) -> Any:
        """Check one Python value against the kind; text from a command line is parsed.

        A parameter bound by property name also takes objects that have the property, as
        PowerShell's pipeline does (a Tenant for -Identity through its TenantId)."""
        if self.multiple:
            values = [value] if isinstance(value, (str, bytes)) or not _iterable(value) else list(value)
            if not values:
                raise UsageError(f"The parameter -{self.name} needs at least one value.",
                                 error_id=f"ParameterArgumentValidationError,{cmdlet}", target=self.name)
            return [self._one(v, cmdlet) for v in values]
        return self._one(value, cmdlet)

    def _one(self, value: Any, cmdlet: str) -> Any:
        def wrong(expected: str) -> InvalidTypeError:
            return InvalidTypeError(
                f"The parameter -{self.name} takes {expected}, not {type(value).__name__}.",
                error_id=f"ParameterArgumentTransformationError,{cmdlet}", target=self.name)

        kind = self.kind
        if isinstance(value, os.PathLike) and kind == "string":
            value = os.fspath(value)  # a path is text to the cmdlet
        if self.pipeline_by_property and not isinstance(value, (str, bytes, int, float, bool)):
            value = _property_value(value, self.names())
        if kind in ("string", "secret"):
            if not isinstance(value, str):
                raise wrong("text")
            if self.choices:
                for choice in self.choices:
                    if choice.lower() == value.lower():
                        return choice
                raise UsageError(
                    f"The parameter -{self.name} takes one of {', '.join(self.choices)}.",
                    error_id=f"ParameterArgumentValidationError,{cmdlet}", target=self.name)
            return value
        if kind == "int":
            if isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
                return int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise wrong("a whole number")
            return value
        if kind in ("bool", "switch"):
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered in ("$true", "true", "1"):
                    return True
                if lowered in ("$false", "false", "0"):
                    return False
            if not isinstance(value, bool):
                raise wrong("$true or $false")
            return value
        if kind == "timespan":
            if isinstance(value, timedelta):
                return value
            if isinstance(value, str):
                parsed = parse_timespan(value)
                if parsed is None:
                    raise UsageError(
                        f"The parameter -{self.name} takes a duration such as 00:15:00 "
                        "(hh:mm:ss), 1.00:00:00 (d.hh:mm:ss) or a number of seconds.",
                        error_id=f"ParameterArgumentTransformationError,{cmdlet}", target=self.name)
                return parsed
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise wrong("a timedelta or a number of seconds")
            try:
                return timedelta(seconds=value)
            except (OverflowError, ValueError):  # 10**100, nan, inf
                raise UsageError(f"The parameter -{self.name} is out of range.",
                                 error_id=f"ParameterArgumentValidationError,{cmdlet}",
                                 target=self.name) from None
        if kind == "datetime":
            if isinstance(value, datetime):
                return value
            if isinstance(value, str):
                try:
                    parsed_dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
                except ValueError:
                    raise UsageError(
                        f"The parameter -{self.name} takes a date and time such as "
                        "2026-11-26 or 2026-11-26T09:30:00Z.",
                        error_id=f"ParameterArgumentTransformationError,{cmdlet}",
                        target=self.name) from None
                return parsed_dt if parsed_dt.tzinfo else parsed_dt.replace(tzinfo=timezone.utc)
            raise wrong("a datetime")
        raise AssertionError(kind)


def parse_timespan(text: str) -> timedelta | None:
    """PowerShell's TimeSpan forms ``hh:mm:ss`` and ``d.hh:mm:ss``, or whole seconds."""
    text = text.strip()
    if re.fullmatch(r"\d{1,9}", text):
        return timedelta(seconds=int(text))
    match = re.fullmatch(r"(?:(\d{1,5})\.)?(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if not match:
        return None
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if minutes > 59 or seconds > 59 or hours > 23:
        return None
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _iterable(value: Any) -> bool:
    if isinstance(value, dict):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _property_value(obj: Any, names: Sequence[str]) -> Any:
    """PowerShell's binding by property name: the first of `names` the object has."""
    for name in names:
        for candidate in (name, snake(name)):
            if isinstance(obj, dict) and candidate in obj:
                return obj[candidate]
            if not isinstance(obj, dict) and hasattr(obj, candidate):
                return getattr(obj, candidate)
    return obj


# -- errors, output, the host -----------------------------------------------------------------


# -- the cmdlet -------------------------------------------------------------------------------

#: Common parameters every cmdlet takes (ShouldProcess ones also WhatIf, Confirm and Force).
COMMON = (
    Parameter("ErrorAction", "string", "What a failure does to the other targets: Stop (the "
              "default) raises at once; Continue reports it and goes on; SilentlyContinue "
              "records it and goes on; Ignore forgets it.", choices=ERROR_ACTIONS, aliases=("ea",)),
    Parameter("Verbose", "switch", "Write a line per step to stderr.", aliases=("vb",)),
)
SHOULD_PROCESS = (
    Parameter("WhatIf", "switch", "Change nothing; say what would be done.", aliases=("wi",)),
    Parameter("Confirm", "switch", "Ask before each change (High-impact cmdlets ask unless "
              "-Confirm:$false or -Force).", aliases=("cf",)),
)


@dataclass
class Invocation:
    """One call: the bound parameters, the session and the host."""

    cmdlet: Cmdlet
    params: dict[str, Any]
    session: Any
    host: Host
    progress: Any = None  # progress= as the caller gave it (see portout.progress)

    def __repr__(self) -> str:
        shown = {k: ("<hidden>" if (p := self.cmdlet.parameter(k)) is not None and p.secret else v)
                 for k, v in self.params.items()}
        return f"Invocation({self.cmdlet.name}, {shown!r})"

    def __getitem__(self, name: str) -> Any:
        return self.params.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value


@dataclass
class Cmdlet:
    verb: str
    noun: str
    synopsis: str
    description: str
    parameters: tuple[Parameter, ...]
    run: Callable[[Invocation], Any]
    output_type: str = "None"
    impact: str = "None"
    action: str | None = None             # ShouldProcess: 'Performing the operation "<action>"'
    target: str | None = None             # the parameter iterated over, one call per value
    parallel: bool = False                # targets may run in threads (hashing work)
    needs_session: bool = True
    examples: tuple[tuple[str, str], ...] = ()
    notes: str = ""
    roles: str = ""
    force: bool = False                   # takes -Force
    creates_store: bool = False           # from the command line, may create a store not there yet
    _signature_cache: dict[str, Parameter] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        assert self.impact in IMPACTS
        declared = list(self.parameters)
        if self.action:
            declared += SHOULD_PROCESS
        if self.force:
            declared.append(Parameter("Force", "switch", "Do not ask for confirmation."))
        declared += COMMON
        self.all_parameters: tuple[Parameter, ...] = tuple(declared)
        for p in self.all_parameters:
            for n in p.names():
                self._signature_cache[n.lower()] = p
                self._signature_cache[snake(n)] = p

    @property
    def name(self) -> str:
        return f"{self.verb}-{self.noun}"

    def __repr__(self) -> str:
        return f"<Cmdlet {self.name}: {self.synopsis}>\n{self.syntax()}"

    def _repr_html_(self) -> str:
        import html

        rows = [(f"-{p.name}", p.python_name, p.type_name, "yes" if p.mandatory else "", p.help)
                for p in self.all_parameters if p not in COMMON]
        return (f"<p><b>{html.escape(self.name)}</b> (<code>portout.{self.python_name}</code>): "
                f"{html.escape(self.synopsis)}</p><pre>{html.escape(self.syntax())}</pre>"
                + html_table(("Parameter", "Python", "Type", "Mandatory", "What it is"), rows,
                             code=(0, 1), nowrap=(0,))
                + f"<p>Roles: {html.escape(self.roles)}</p>")

    @property
    def python_name(self) -> str:
        return snake(self.verb) + "_" + snake(self.noun)

    @property
    def record_type(self) -> type | None:
        """The class of what the cmdlet writes, when it is one of the store's records."""
        from portout import _core

        record = getattr(_core, self.output_type, None)
        return record if isinstance(record, type) and getattr(record, "_fields", None) else None

    def parameter(self, name: str) -> Parameter | None:
        """A parameter by name or alias, PascalCase or snake_case, any case."""
        return self._signature_cache.get(name) or self._signature_cache.get(name.lower()) \
            or self._signature_cache.get(snake(name))

    def positional(self) -> list[Parameter]:
        return sorted((p for p in self.parameters if p.position is not None),
                      key=lambda p: p.position or 0)

    # -- calling ---------------------------------------------------------------------------

    def __call__(self, *args: Any, session: Any = None, host: Host | None = None,
                 input_object: Iterable[Any] | None = None, progress: ProgressArg = None,
                 **kwargs: Any) -> Any:
        """Run the cmdlet from Python: positional values as declared, names in either case.
        ``progress``: a function ``(done, total)``, True, False or None (see portout.progress)."""
        __tracebackhide__ = True  # its arguments may hold a PIN: pytest shows no such frame
        bound = self.bind(args, kwargs)
        return self.invoke(bound, session=session, host=host, input_object=input_object,
                           progress=progress)

    def bind(self, args: Sequence[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        bound: dict[str, Any] = {}
        positional = self.positional()
        if len(args) > len(positional):
            raise UsageError(f"{self.name} takes {len(positional)} positional value(s); "
                             f"{len(args)} were given.",
                             error_id=f"PositionalParameterNotFound,{self.name}")
        for p, value in zip(positional, args):
            bound[p.name] = value
        for key, value in kwargs.items():
            p = self.parameter(key)
            if p is None:
                raise UsageError(f"{self.name} has no parameter named {key!r}.",
                                 error_id=f"NamedParameterNotFound,{self.name}", target=key)
            if p.name in bound:
                raise UsageError(f"The parameter -{p.name} was given twice.",
                                 error_id=f"ParameterAlreadyBound,{self.name}", target=p.name)
            bound[p.name] = value
        return bound

    def invoke(self, bound: dict[str, Any], *, session: Any = None, host: Host | None = None,
               input_object: Iterable[Any] | None = None, collect: bool = False,
               progress: ProgressArg = None) -> Any:
        """Run with bound parameters. Returns the one object written (or None) for a single
        target, an :class:`Output` for several; ``collect`` returns the Output always."""
        __tracebackhide__ = True  # its parameters may hold a PIN: pytest shows no such frame
        host = host or sessions.default_host()
        Tracker.check(progress)
        params: dict[str, Any] = {}
        for name, value in bound.items():
            p = self.parameter(name)
            assert p is not None
            if value is None:
                continue
            params[p.name] = p.convert(value, self.name)
        error_action = params.get("ErrorAction") or sessions.preferences["ErrorAction"]
        verbose = params.get("Verbose", False)

        rows = self._rows(params, input_object)
        many = input_object is not None or (self.target is not None and
                                            _iterable(bound.get(self.target)) and
                                            not isinstance(bound.get(self.target), str))
        for row in rows:
            for p in self.parameters:
                if p.mandatory and row.get(p.name) is None:
                    raise UsageError(f"{self.name} needs the parameter -{p.name}.",
                                     error_id=f"MissingMandatoryParameter,{self.name}", target=p.name)
        if self.needs_session:
            session = sessions.current(host) if session is None else sessions.as_session(session)

        output = self._run_rows(rows, session, host, error_action, verbose, progress)
        if many and len(rows) > 1:
            host.summary(self.name, output)
        if session is not None and output.errors:
            session.errors.extend(output.errors)
        if many or output.listed or collect or output.errors:
            return output  # an error reported with Continue is on what is returned, always
        return output[0] if output else None

    def _rows(self, params: dict[str, Any], input_object: Iterable[Any] | None) -> list[dict[str, Any]]:
        """One dict of parameters per target: each value of the target parameter, or each
        object of the input, bound by property name over the explicit parameters."""
        if input_object is not None:
            if self.target and isinstance(params.get(self.target), list):
                if len(params[self.target]) > 1:
                    raise UsageError(f"-{self.target} is given several values and the input gives more: "
                                     "give the targets one way.",
                                     error_id=f"ParameterAlreadyBound,{self.name}", target=self.target)
                params = {**params, self.target: params[self.target][0]}  # one value, for every object
            rows = []
            by_value = next((p for p in self.parameters if p.pipeline_by_value), None)
            for obj in input_object:
                row = dict(params)
                if isinstance(obj, str) or (isinstance(obj, int) and not isinstance(obj, bool)):
                    if by_value is None:
                        raise UsageError(f"{self.name} takes no plain value from the pipeline; pipe "
                                         "objects whose properties name its parameters.",
                                         error_id=f"InputObjectNotBound,{self.name}")
                    if by_value.name not in params:
                        value = by_value.convert(str(obj) if by_value.kind == "string" else obj, self.name)
                        row[by_value.name] = value[0] if by_value.multiple else value
                    rows.append(row)
                    continue
                for p in self.parameters:
                    if not p.pipeline_by_property or p.name in params:
                        continue
                    value = _property_value(obj, p.names())
                    if value is not obj and value is not None and value != "":
                        row[p.name] = p.convert(value, self.name)
                        if p.multiple:
                            row[p.name] = row[p.name][0]
                rows.append(row)
            return rows
        if self.target and isinstance(params.get(self.target), list):
            return [{**params, self.target: value} for value in params[self.target]]
        return [params]

    def _run_rows(self, rows: list[dict[str, Any]], session: Any, host: Host, error_action: str,
                  verbose: bool, progress: ProgressArg = None) -> Output:
        __tracebackhide__ = True  # rows may hold a PIN
        output = Output(record_type=self.record_type)
        confirm_all: bool | None = None  # Yes to All / No to All

        def target_of(row: dict[str, Any]) -> str:
            value = row.get(self.target) if self.target else None
            return str(value) if value is not None else "store"

        def should_process(row: dict[str, Any]) -> bool:
            nonlocal confirm_all
            if not self.action:
                return True
            message = f'Performing the operation "{self.action}" on target "{target_of(row)}".'
            if row.get("WhatIf"):
                host.what_if(message)
                return False
            asked = row.get("Confirm")
            wants = asked is True or (asked is None and not row.get("Force") and
                                      IMPACTS.index(self.impact) >= IMPACTS.index(CONFIRM_PREFERENCE))
            if wants:
                if confirm_all is None:
                    answer = host.confirm(message, self.name, target_of(row))
                    if answer in "AL":
                        confirm_all = answer == "A"
                    if answer in "NL":
                        return False
                elif not confirm_all:
                    return False
            if verbose:
                host.verbose(message)
            return True

        def run_one(row: dict[str, Any]) -> tuple[str, Any]:
            __tracebackhide__ = True
            try:
                remote = getattr(getattr(session, "store", None), "remote_run", None)
                if remote is not None:  # a server's store: the cmdlet runs there
                    result = remote(self, row)
                else:
                    result = self.run(Invocation(self, row, session, host, progress))
                if isinstance(result, Iterator):
                    result = list(result)  # errors of a lazy listing belong to this call
                return "ok", result
            except PortOutError as error:
                return "error", self._record(error, target_of(row))

        def take(result: tuple[str, Any], row: dict[str, Any]) -> None:
            __tracebackhide__ = True
            kind, value = result
            if kind == "ok":
                output.succeeded += 1
                if isinstance(value, list):
                    output.extend(value)
                    output.listed = True
                elif value is not None:
                    output.append(value)
                return
            output.failed += 1
            record: ErrorRecord = value
            if error_action == "Stop":
                # What was written before the failure goes with it, for the caller to show.
                record.exception.partial_output = output
                raise record.exception
            if error_action != "Ignore":
                output.errors.append(record)
            if error_action == "Continue":
                host.error(record)

        approved = []
        for row in rows:
            if should_process(row):
                approved.append(row)
            else:
                output.skipped += 1
        # Several targets report one by one; one target's own long work reports itself.
        with host.tracker(self.name, "target", progress if len(approved) > 1 else False) as track:
            # With Stop, targets run one at a time in input order: none after the first failure
            # is touched. Otherwise the hashing runs on every core.
            if self.parallel and len(approved) > 1 and error_action != "Stop":
                self._run_parallel(approved, run_one, take, track)
            else:
                for done, row in enumerate(approved, 1):
                    take(run_one(row), row)
                    track(done, len(approved))
        return output

    def _run_parallel(self, rows: list[dict[str, Any]], run_one: Callable, take: Callable,
                      track: Tracker) -> None:
        """Hashing releases the GIL: targets run on every core, results taken in order."""
        workers = min(len(rows), os.cpu_count() or 2)
        __tracebackhide__ = True  # rows may hold a PIN
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=self.name) as pool:
            futures = [pool.submit(run_one, row) for row in rows]
            try:
                for done, (future, row) in enumerate(zip(futures, rows), 1):
                    take(future.result(), row)
                    track(done, len(rows))
            except BaseException:
                for future in futures:
                    future.cancel()
                wait(futures, return_when=FIRST_EXCEPTION)
                raise

    def _record(self, error: PortOutError, target: str) -> ErrorRecord:
        if "," not in error.error_id:
            error.error_id = f"{error.error_id},{self.name}"
        return ErrorRecord(error, self.name, target)

    # -- help ------------------------------------------------------------------------------

    def syntax(self) -> str:
        parts = [self.name]
        for p in self.all_parameters:
            if p in COMMON:
                continue
            value = "" if p.kind == "switch" else f" <{p.type_name}>"
            name = f"-{p.name}"
            if p.position is not None:
                name = f"[{name}]"
            item = f"{name}{value}"
            parts.append(item if p.mandatory else f"[{item}]")
        parts.append("[<CommonParameters>]")
        return " ".join(parts)
