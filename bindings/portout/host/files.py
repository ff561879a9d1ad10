"""The built-ins that read or write a file, each only the file it names: Out-File, Export-Csv,
Import-Csv, Get-Content; and JSON to and from text. A store's own database file is never one of
them."""

from __future__ import annotations

import csv
import json
import os
from datetime import datetime, timedelta
from typing import Any, Iterator, Optional

from portout.format import csv_cell, csv_value
from portout.host import members as m
from portout.host import nodes as n
from portout.host import values as v
from portout.host.arguments import Spec, _all_properties, _names, _property, _stream, bind
from portout.host.values import FileText, PSObject, SecureString


def _path(rt: Any, node: n.Command, value: Any) -> str:
    path = v.to_string(value)
    if not path:
        raise rt.fail(node, "A file path is needed.", "PathMissing")
    from portout import _core

    if _core.store_file_in_use(os.path.abspath(path)):
        raise rt.fail(node, "The file is a store's own database file; a script never reads or writes it.",
                      "PathIsStoreFile", path)
    if not os.path.isabs(path) and rt.script_path:
        path = os.path.join(os.getcwd(), path)
    return path


def out_file(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    from portout.host.formatting import render_all

    spec = Spec("Out-File", ("filepath",), frozenset({"append", "noclobber", "force", "nonewline"}),
                frozenset({"inputobject", "encoding", "width"}), {"path": "filepath"})
    args = bind(rt, node, scope, spec)
    path = _path(rt, node, args.get("filepath"))
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    text = render_all(items)
    mode = "a" if args.get("append") else ("x" if args.get("noclobber") else "w")
    try:
        with open(path, mode, encoding="utf-8") as f:
            f.write(text)
    except OSError as error:
        raise rt.fail(node, f"The file cannot be written: {error.strerror}.", "FileNotWritable", path) from None
    return iter(())


# -- JSON and CSV -----------------------------------------------------------------------------

def _plain(value: Any, depth: int) -> Any:
    from portout.format import plain as portout_plain

    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth < 0:
        return v.to_string(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return v.format_timespan(value)
    if isinstance(value, SecureString):
        return "System.Security.SecureString"
    if isinstance(value, (list, tuple)):
        return [_plain(x, depth - 1) for x in value]
    if isinstance(value, dict):
        return {v.to_string(k): _plain(x, depth - 1) for k, x in value.items()}
    if isinstance(value, PSObject):
        return {k: _plain(x, depth - 1) for k, x in value.properties.items()}
    if m.fields(value):
        return {k: _plain(x, depth - 1) for k, x in portout_plain(value).items()} \
            if isinstance(portout_plain(value), dict) else portout_plain(value)
    if hasattr(value, "ps_member"):
        return v.to_string(value)
    return v.to_string(value)


def convertto_json(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("ConvertTo-Json", ("inputobject",), frozenset({"compress", "asarray", "enumsasstrings"}),
                frozenset({"depth"}))
    args = bind(rt, node, scope, spec)
    depth = int(v.to_number(args.get("depth", 2)))
    items = list(_stream(input_items)) if "inputobject" not in args else [args["inputobject"]]
    data = [_plain(x, depth) for x in items]
    value: Any = data if len(data) != 1 or args.get("asarray") else data[0]
    if args.get("compress"):
        yield json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    else:
        yield json.dumps(value, indent=2, ensure_ascii=False)


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        return PSObject({k: _from_json(x) for k, x in value.items()})
    if isinstance(value, list):
        return [_from_json(x) for x in value]
    return value


def convertfrom_json(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("ConvertFrom-Json", ("inputobject",), frozenset({"ashashtable", "noenumerate"}), frozenset({"depth"}))
    args = bind(rt, node, scope, spec)
    texts = [args["inputobject"]] if "inputobject" in args else list(_stream(input_items))
    text = "\n".join(v.to_string(t) for t in texts)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise rt.fail(node, f"Conversion from JSON failed: {error.msg} (line {error.lineno}).",
                      "System.ArgumentException,ConvertFrom-Json") from None
    result = _from_json(data)
    if isinstance(result, list) and not args.get("noenumerate"):
        yield from result
    else:
        yield result


def export_csv(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Export-Csv", ("path",), frozenset({"notypeinformation", "append", "force", "noclobber",
                                                     "useculture", "includetypeinformation"}),
                frozenset({"inputobject", "delimiter", "encoding"}), {"literalpath": "path"})
    args = bind(rt, node, scope, spec)
    path = _path(rt, node, args.get("path"))
    items = list(_stream(input_items) if "inputobject" not in args else v.items(args["inputobject"]))
    delimiter = v.to_string(args.get("delimiter", ","))
    columns: list[str] = _all_properties(items[0]) if items else []
    exists = os.path.exists(path)
    if args.get("append") and exists:
        with open(path, newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f, delimiter=delimiter), None)
        if header:
            columns = header
    try:
        with open(path, "a" if args.get("append") else ("x" if args.get("noclobber") else "w"),
                  newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
            if not (args.get("append") and exists):
                writer.writerow(columns)
            for item in items:
                writer.writerow([csv_cell(_csv_text(_property(rt, scope, item, c))) for c in columns])
    except OSError as error:
        raise rt.fail(node, f"The file cannot be written: {error.strerror}.", "FileNotWritable", path) from None
    return iter(())


def _csv_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    if isinstance(value, datetime):
        return v.format_datetime(value)
    return v.to_string(value)


def import_csv(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Import-Csv", ("path",), frozenset({"useculture"}), frozenset({"delimiter", "header", "encoding"}),
                {"literalpath": "path"})
    args = bind(rt, node, scope, spec)
    path = _path(rt, node, args.get("path"))
    delimiter = v.to_string(args.get("delimiter", ","))
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            rows = list(reader)
    except OSError as error:
        raise rt.fail(node, f"Could not find or read the file: {error.strerror}.", "FileOpenFailure", path) from None
    except (UnicodeDecodeError, csv.Error):
        raise rt.fail(node, "The file is not CSV text.", "FileNotText", path) from None
    header = [v.to_string(h) for h in _names(args["header"])] if "header" in args else (rows.pop(0) if rows else [])
    for row in rows:
        if not row or (len(row) == 1 and not row[0] and len(header) > 1):
            continue
        if row and row[0].startswith("#TYPE"):
            continue
        yield PSObject({h: FileText(csv_value(row[i])) if i < len(row) else None for i, h in enumerate(header)})


def get_content(rt: Any, node: n.Command, scope: Any, input_items: Optional[Iterator[Any]], quiet: bool) -> Iterator[Any]:
    spec = Spec("Get-Content", ("path",), frozenset({"raw"}), frozenset({"totalcount", "tail", "encoding", "first"}),
                {"literalpath": "path", "head": "totalcount", "first": "totalcount"})
    args = bind(rt, node, scope, spec)
    path = _path(rt, node, args.get("path"))
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as error:
        raise rt.fail(node, f"Cannot find or read the file: {error.strerror}.", "PathNotFound", path) from None
    except UnicodeDecodeError:
        raise rt.fail(node, "The file is not UTF-8 text.", "FileNotText", path) from None
    if args.get("raw"):
        yield FileText(text)
        return
    lines = [FileText(line) for line in text.splitlines()]
    if "totalcount" in args:
        lines = lines[:int(v.to_number(args["totalcount"]))]
    if "tail" in args:
        lines = lines[-int(v.to_number(args["tail"])):]
    yield from lines


def input_rows(path: str, cmdlet: Any) -> list[dict[str, str]]:
    """-InputFile: a CSV file whose columns name the cmdlet's parameters (in any case), one call
    per row. Empty cells are absent values; a cell Export-Csv or -OutputFormat Csv quoted against
    formulas ('=..., '+1425...) reads back as it was."""
    from portout import _core
    from portout.cmdlet import UsageError

    if _core.store_file_in_use(path):  # opening and closing it would drop the store's locks
        raise UsageError("The input file is a store's own database file; it is never read as input.",
                         error_id=f"InputFileIsStoreFile,{cmdlet.name}", target=path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except OSError as error:
        raise UsageError(f"The input file {path} cannot be read: {error.strerror}.",
                         error_id=f"InputFileUnreadable,{cmdlet.name}", target=path) from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise UsageError(f"The input file {path} is not CSV text: {error}.",
                         error_id=f"InputFileInvalid,{cmdlet.name}", target=path) from None
    by_lower = {name.lower(): p.name for p in cmdlet.parameters for name in p.names()}
    if rows:
        from portout.host.binding import shown

        unknown = [c for c in rows[0] if c and c.lower() not in by_lower]
        if unknown:
            raise UsageError(f"The input file has columns {cmdlet.name} does not take: "
                             f"{', '.join(shown(c) for c in unknown)}.",
                             error_id=f"InputFileInvalid,{cmdlet.name}", target=path)
    return [{by_lower[k.lower()]: csv_value(cell) for k, cell in row.items() if k and cell not in (None, "")}
            for row in rows]
