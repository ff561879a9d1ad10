"""The built-in commands a script needs besides the cmdlets: filtering, shaping and showing what
flows through a pipeline, converting it to and from JSON and CSV, writing to the streams, dates,
and reading a line (a PIN with -AsSecureString). Each takes PowerShell's parameters, positional
where PowerShell has them. None runs a program, and only Import-Csv and Get-Content read a file
(the one named), Export-Csv and Out-File write one."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Optional

from portout.host import members as m
from portout.host import nodes as n
from portout.host import values as v
from portout.host.errors import ScriptRuntimeError
from portout.host.values import Hashtable, PSObject, ScriptBlockValue, SecureString
from portout.host.arguments import (Spec, _all_properties, _block, _calculated, _names, _property, _stream,
                                    bind)
from portout.host.files import (convertfrom_json, convertto_json, export_csv, get_content, import_csv,
                                out_file)

# -- filtering and shaping --------------------------------------------------------------------

_WHERE_OPS = ("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
              "notcontains", "in", "notin", "ceq", "cne", "clike", "cmatch")


def where_object(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Where-Object", ("filterscript", "value"), frozenset({"not"}),
                frozenset({"property", "inputobject", *_WHERE_OPS}))
    args = bind(rt, node, scope, spec)
    block = args.get("filterscript")
    op = next((o for o in _WHERE_OPS if o in args), None)
    items = _stream(input_items) if "inputobject" not in args else iter(v.items(args["inputobject"]))
    if isinstance(block, ScriptBlockValue) and op is None:
        for item in items:
            if v.to_bool(rt.run_block_value(block.block, scope, dollar_under=item)):
                yield item
        return
    prop = args.get("property", block)
    if prop is None:
        raise rt.fail(node, "Where-Object takes a script block, or a property and a comparison.",
                      "WhereObjectNeedsFilter")
    for item in items:
        got = _property(rt, scope, item, prop)
        if op is None:
            keep = v.to_bool(got) != bool(args.get("not"))
        else:
            keep = v.to_bool(v.compare(op, got, args.get(op)))
        if keep:
            yield item


def foreach_object(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("ForEach-Object", ("process",), frozenset(), frozenset({"begin", "end", "membername", "inputobject"}),
                {"process": "process"})
    args = bind(rt, node, scope, spec)
    process = args.get("process")
    member = args.get("membername")
    if isinstance(process, (str,)) and member is None:
        member, process = process, None
    if "begin" in args:
        yield from rt.run_block(_block(args["begin"], "-Begin").block, scope)
    items = _stream(input_items) if "inputobject" not in args else iter(v.items(args["inputobject"]))
    for item in items:
        if member is not None:
            got = _property(rt, scope, item, member)
            yield from (got if isinstance(got, list) else [got])
        else:
            yield from rt.run_block(_block(process, "ForEach-Object").block, scope, dollar_under=item)
    if "end" in args:
        yield from rt.run_block(_block(args["end"], "-End").block, scope)


def select_object(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Select-Object", ("property",), frozenset({"unique"}),
                frozenset({"first", "last", "skip", "expandproperty", "excludeproperty", "inputobject", "index"}))
    args = bind(rt, node, scope, spec)
    items = _stream(input_items) if "inputobject" not in args else iter(v.items(args["inputobject"]))
    props = _names(args.get("property"))
    expand = args.get("expandproperty")
    first = int(v.to_number(args["first"])) if "first" in args else None
    last = int(v.to_number(args["last"])) if "last" in args else None
    skip = int(v.to_number(args.get("skip", 0)))
    exclude = {v.to_string(x).lower() for x in _names(args.get("excludeproperty"))}

    def shape(item: Any) -> Iterator[Any]:
        if expand is not None:
            got = _property(rt, scope, item, expand)
            yield from (got if isinstance(got, list) else [got])
            return
        if not props:
            yield item
            return
        out = PSObject()
        for prop in props:
            if isinstance(prop, dict):
                name, expression = _calculated(prop)
                out.set(name, _property(rt, scope, item, expression))
            elif v.to_string(prop) == "*" or "*" in v.to_string(prop):
                pattern = v.to_string(prop)
                for name in _all_properties(item):
                    if v.compare("like", name, pattern) and name.lower() not in exclude:
                        out.set(name, _property(rt, scope, item, name))
            else:
                name = v.to_string(prop)
                known = next((f for f in _all_properties(item) if f.lower() == name.lower()), name)
                out.set(known, _property(rt, scope, item, name))
        yield out

    seen: list[Any] = []
    taken = 0
    if last is not None:
        pool = list(items)[skip:]
        pool = pool[-last:] if last else []
        if first is not None:
            pool = list(pool)[:first]
        for item in pool:
            yield from shape(item)
        return
    for index, item in enumerate(items):
        if index < skip:
            continue
        if first is not None and taken >= first:
            break
        for shaped in shape(item):
            if args.get("unique"):
                if any(v.compare("eq", v.to_string(shaped), v.to_string(s)) for s in seen):
                    continue
                seen.append(shaped)
            yield shaped
        taken += 1


def _sort_key(rt: Any, scope: Any, props: list[Any]) -> Callable[[Any], Any]:
    def key_of(value: Any) -> tuple[int, Any]:
        if value is None:
            return (0, "")
        if isinstance(value, bool):
            return (1, int(value))
        if isinstance(value, (int, float)):
            return (1, value)
        if isinstance(value, datetime):
            return (2, value.timestamp() if value.tzinfo else value.replace(tzinfo=timezone.utc).timestamp())
        return (3, v.to_string(value).lower())

    def key(item: Any) -> Any:
        if not props:
            return key_of(item)
        return tuple(key_of(_property(rt, scope, item, p if not isinstance(p, dict) else _calculated(p)[1]))
                     for p in props)
    return key


def sort_object(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Sort-Object", ("property",), frozenset({"descending", "unique", "casesensitive"}),
                frozenset({"inputobject", "top", "bottom"}))
    args = bind(rt, node, scope, spec)
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    props = _names(args.get("property"))
    descending = bool(args.get("descending"))
    per_prop = [bool(p.get("Descending")) if isinstance(p, dict) and "Descending" in p else descending for p in props]
    if props and any(isinstance(p, dict) and "Descending" in p for p in props):
        for prop, desc in reversed(list(zip(props, per_prop))):
            items.sort(key=_sort_key(rt, scope, [prop]), reverse=desc)
    else:
        items.sort(key=_sort_key(rt, scope, props), reverse=descending)
    if args.get("unique"):
        unique: list[Any] = []
        for item in items:
            if not any(_sort_key(rt, scope, props)(item) == _sort_key(rt, scope, props)(u) for u in unique):
                unique.append(item)
        items = unique
    if "top" in args:
        items = items[:int(v.to_number(args["top"]))]
    if "bottom" in args:
        items = items[-int(v.to_number(args["bottom"])):]
    yield from items


def group_object(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Group-Object", ("property",), frozenset({"noelement", "ashashtable", "asstring", "casesensitive"}),
                frozenset({"inputobject"}))
    args = bind(rt, node, scope, spec)
    props = _names(args.get("property"))
    groups: dict[str, tuple[Any, list[Any]]] = {}
    for item in _stream(input_items) if "inputobject" not in args else iter(v.items(args["inputobject"])):
        values = [_property(rt, scope, item, p) for p in props] if props else [item]
        name = ", ".join(v.to_string(x) for x in values)
        key = name if args.get("casesensitive") else name.lower()
        if key not in groups:
            groups[key] = (values[0] if len(values) == 1 else values, [])
        groups[key][1].append(item)
    if args.get("ashashtable"):
        table = Hashtable()
        for _, (value, members) in groups.items():
            table[v.to_string(value) if args.get("asstring") else value] = members
        yield table
        return
    for _, (value, members) in groups.items():
        record = {"Count": len(members), "Name": ", ".join(v.to_string(x) for x in v.items(value))
                  if isinstance(value, list) else v.to_string(value)}
        if not args.get("noelement"):
            record["Group"] = members
            record["Values"] = value if isinstance(value, list) else [value]
        yield PSObject(record)


def measure_object(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Measure-Object", ("property",), frozenset({"sum", "average", "maximum", "minimum", "line", "word",
                                                             "character", "allstats"}), frozenset({"inputobject"}))
    args = bind(rt, node, scope, spec)
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    props = _names(args.get("property")) or [None]
    everything = bool(args.get("allstats"))
    for prop in props:
        values = [item if prop is None else _property(rt, scope, item, prop) for item in items]
        values = [x for x in values if x is not None]
        record: dict[str, Any] = {"Count": len(values)}
        numbers: list[float] = []
        if any(args.get(k) for k in ("sum", "average", "maximum", "minimum")) or everything:
            try:
                numbers = [v.to_number(x) for x in values]
            except ScriptRuntimeError as error:
                raise rt.fail(node, f"Measure-Object: {error.message}", "NonNumericInputObject") from None
        record["Average"] = (sum(numbers) / len(numbers) if numbers else None) \
            if args.get("average") or everything else None
        record["Sum"] = sum(numbers) if args.get("sum") or everything else None
        record["Maximum"] = (max(numbers) if numbers else None) if args.get("maximum") or everything else None
        record["Minimum"] = (min(numbers) if numbers else None) if args.get("minimum") or everything else None
        record["Property"] = v.to_string(prop) if prop is not None else None
        yield PSObject(record)


# -- showing ----------------------------------------------------------------------------------

def format_table(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    from portout.host.formatting import table_text

    spec = Spec("Format-Table", ("property",), frozenset({"autosize", "hidetableheaders", "wrap"}),
                frozenset({"inputobject", "groupby"}))
    args = bind(rt, node, scope, spec)
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    yield from table_text(rt, scope, items, _names(args.get("property")),
                          headers=not args.get("hidetableheaders")).splitlines()


def format_list(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    from portout.host.formatting import list_text

    spec = Spec("Format-List", ("property",), frozenset(), frozenset({"inputobject"}))
    args = bind(rt, node, scope, spec)
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    yield from list_text(rt, scope, items, _names(args.get("property"))).splitlines()


def out_string(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    from portout.host.formatting import render_all

    spec = Spec("Out-String", (), frozenset({"stream"}), frozenset({"inputobject", "width"}))
    args = bind(rt, node, scope, spec)
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    text = render_all(items)
    if args.get("stream"):
        yield from text.splitlines()
    else:
        yield text


def out_null(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    bind(rt, node, scope, Spec("Out-Null", (), frozenset(), frozenset({"inputobject"})))
    for _ in _stream(input_items):
        pass
    return iter(())


# -- streams ----------------------------------------------------------------------------------

def write_output(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Write-Output", ("inputobject",), frozenset({"noenumerate"}), frozenset())
    args = bind(rt, node, scope, spec)
    if "inputobject" in args:
        value = args["inputobject"]
        if isinstance(value, list) and not args.get("noenumerate"):
            yield from value
        else:
            yield value
    yield from _stream(input_items)


def write_host(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Write-Host", ("object",), frozenset({"nonewline"}),
                frozenset({"foregroundcolor", "backgroundcolor", "separator"}))
    args = bind(rt, node, scope, spec)
    separator = v.to_string(args.get("separator", " "))
    parts = v.items(args["object"]) if isinstance(args.get("object"), list) else (
        [args["object"]] if "object" in args else [])
    for item in _stream(input_items):
        parts.append(item)
    rt.out.write(separator.join(v.to_string(p) for p in parts) + ("" if args.get("nonewline") else "\n"))
    rt.out.flush()
    return iter(())


def write_error(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    from portout.errors import PortOutError
    from portout.host.flow import ErrorRecordValue

    spec = Spec("Write-Error", ("message",), frozenset(), frozenset({"errorid", "category", "targetobject",
                                                                    "exception", "errorrecord"}))
    arguments = rt.raw_arguments(node, scope)
    action = "Continue"
    for k, arg in enumerate(arguments):
        if isinstance(arg, tuple) and arg[:1] == ("-",) and arg[1].lower() in ("erroraction", "ea"):
            action = v.to_string(arg[2] if arg[3] else (arguments[k + 1] if k + 1 < len(arguments) else ""))
    args = bind(rt, node, scope, spec)
    if action == "Continue":
        action = v.to_string(rt.preference("ErrorActionPreference", scope))
    record = args.get("errorrecord")
    if not isinstance(record, ErrorRecordValue):
        message = v.to_string(args.get("message", ""))
        error = ScriptRuntimeError(message, error_id=v.to_string(args.get("errorid", "Microsoft.PowerShell.Commands.WriteErrorException")),
                                   target=v.to_string(args.get("targetobject", "")))
        if "category" in args:
            error.category = v.to_string(args["category"])  # type: ignore[misc]
        record = rt.record(error, node, "Write-Error")
    assert isinstance(record.exception, PortOutError)
    action = next((a for a in ("Stop", "Continue", "SilentlyContinue", "Ignore") if a.lower() == action.lower()),
                  "Continue")
    rt.write_error(record, action, None, quiet)
    return iter(())


def write_warning(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    args = bind(rt, node, scope, Spec("Write-Warning", ("message",), frozenset(), frozenset()))
    if v.to_string(rt.preference("WarningPreference", scope)).lower() not in ("silentlycontinue", "ignore"):
        rt.err.write(f"WARNING: {v.to_string(args.get('message', ''))}\n")
        rt.err.flush()
    return iter(())


def write_verbose(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    arguments = rt.raw_arguments(node, scope)
    forced = any(isinstance(a, tuple) and a[:1] == ("-",) and a[1].lower() in ("verbose", "vb") for a in arguments)
    args = bind(rt, node, scope, Spec("Write-Verbose", ("message",), frozenset(), frozenset()))
    if forced or v.to_string(rt.preference("VerbosePreference", scope)).lower() == "continue":
        rt.err.write(f"VERBOSE: {v.to_string(args.get('message', ''))}\n")
        rt.err.flush()
    return iter(())


def write_debug(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    bind(rt, node, scope, Spec("Write-Debug", ("message",), frozenset(), frozenset()))
    return iter(())


# -- dates, input, time -----------------------------------------------------------------------

def get_date(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Get-Date", ("date",), frozenset({"asutc"}), frozenset({"format", "uformat", "year", "month", "day",
                                                                        "hour", "minute", "second"}))
    args = bind(rt, node, scope, spec)
    value = v.to_datetime(args["date"]) if "date" in args else datetime.now().astimezone()
    parts = {k: int(v.to_number(args[k])) for k in ("year", "month", "day", "hour", "minute", "second") if k in args}
    if parts:
        value = value.replace(**parts)
    if args.get("asutc"):
        value = value.astimezone(timezone.utc)
    if "format" in args:
        yield m.format_date(value, v.to_string(args["format"]))
    elif "uformat" in args:
        yield value.strftime(v.to_string(args["uformat"]))
    else:
        yield value


def new_timespan(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("New-TimeSpan", ("start", "end"), frozenset(), frozenset({"days", "hours", "minutes", "seconds"}))
    args = bind(rt, node, scope, spec)
    if "start" in args or "end" in args:
        start = v.to_datetime(args["start"]) if "start" in args else datetime.now().astimezone()
        end = v.to_datetime(args["end"]) if "end" in args else datetime.now().astimezone()
        if (start.tzinfo is None) != (end.tzinfo is None):
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        yield end - start
        return
    yield timedelta(**{k: v.to_number(args[k]) for k in ("days", "hours", "minutes", "seconds") if k in args})


def read_host(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Read-Host", ("prompt",), frozenset({"assecurestring", "maskinput"}), frozenset())
    args = bind(rt, node, scope, spec)
    prompt = v.to_string(args.get("prompt", ""))
    if rt.read_line is None:
        raise rt.fail(node, "Read-Host has no input to read here.", "ReadHostNoInput")
    line = rt.read_line(prompt + ": " if prompt else "", bool(args.get("assecurestring") or args.get("maskinput")))
    if line is None:
        raise rt.fail(node, "Read-Host reached the end of its input.", "ReadHostEndOfInput")
    yield SecureString(line) if args.get("assecurestring") else line


def start_sleep(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    args = bind(rt, node, scope, Spec("Start-Sleep", ("seconds",), frozenset(), frozenset({"milliseconds"}),
                                      {"s": "seconds", "ms": "milliseconds"}))
    seconds = float(v.to_number(args.get("seconds", 0)) + v.to_number(args.get("milliseconds", 0)) / 1000)
    if not 0 <= seconds <= 2147483:  # PowerShell's own bounds for -Seconds
        raise rt.fail(node, "Start-Sleep takes 0 to 2147483 seconds.", "ParameterArgumentValidationError")
    time.sleep(seconds)
    return iter(())


def join_path(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    args = bind(rt, node, scope, Spec("Join-Path", ("path", "childpath"), frozenset(), frozenset()))
    yield os.path.join(v.to_string(args.get("path", "")), v.to_string(args.get("childpath", "")))


def _entry(name: str, fn: Callable[..., Iterator[Any]], *aliases: str) -> dict[str, Callable[..., Iterator[Any]]]:
    out = {name.lower(): fn}
    out.update({a.lower(): fn for a in aliases})
    return out


BUILTINS: dict[str, Callable[..., Iterator[Any]]] = {
    **_entry("Where-Object", where_object, "where", "?"),
    **_entry("ForEach-Object", foreach_object, "foreach", "%"),
    **_entry("Select-Object", select_object, "select"),
    **_entry("Sort-Object", sort_object, "sort"),
    **_entry("Group-Object", group_object, "group"),
    **_entry("Measure-Object", measure_object, "measure"),
    **_entry("Format-Table", format_table, "ft"),
    **_entry("Format-List", format_list, "fl"),
    **_entry("Out-String", out_string),
    **_entry("Out-Null", out_null),
    **_entry("Out-File", out_file),
    **_entry("ConvertTo-Json", convertto_json),
    **_entry("ConvertFrom-Json", convertfrom_json),
    **_entry("Export-Csv", export_csv, "epcsv"),
    **_entry("Import-Csv", import_csv, "ipcsv"),
    **_entry("Get-Content", get_content, "gc", "cat", "type"),
    **_entry("Write-Output", write_output, "echo", "write"),
    **_entry("Write-Host", write_host),
    **_entry("Write-Error", write_error),
    **_entry("Write-Warning", write_warning),
    **_entry("Write-Verbose", write_verbose),
    **_entry("Write-Debug", write_debug),
    **_entry("Get-Date", get_date),
    **_entry("New-TimeSpan", new_timespan),
    **_entry("Read-Host", read_host),
    **_entry("Start-Sleep", start_sleep, "sleep"),
    **_entry("Join-Path", join_path),
}

#: The names shown in help, one per command.
BUILTIN_NAMES = ("Where-Object", "ForEach-Object", "Select-Object", "Sort-Object", "Group-Object",
                 "Measure-Object", "Format-Table", "Format-List", "Out-String", "Out-Null", "Out-File",
                 "ConvertTo-Json", "ConvertFrom-Json", "Export-Csv", "Import-Csv", "Get-Content",
                 "Write-Output", "Write-Host", "Write-Error", "Write-Warning", "Write-Verbose", "Write-Debug",
                 "Get-Date", "New-TimeSpan", "Read-Host", "Start-Sleep", "Join-Path")

