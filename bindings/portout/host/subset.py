"""What portout's scripting subset holds and refuses, as data: keywords and commands a script
may not use (with why), the .NET types, static members and methods it may, and the error types a
catch may name. The parser reads these; docs/scripting.md lists them for people."""

from __future__ import annotations

KEYWORDS_REFUSED = {
    "trap": "trap handlers: use try { } catch { }",
    "class": "classes", "enum": "enums", "using": "using statements",
    "workflow": "workflows", "configuration": "DSC configurations", "data": "data sections",
    "dynamicparam": "dynamic parameters", "begin": "begin/process/end blocks",
    "process": "begin/process/end blocks", "end": "begin/process/end blocks",
    "filter": "filters: write a function", "parallel": "parallel blocks",
    "sequence": "sequence blocks", "inlinescript": "inline scripts", "clean": "clean blocks",
}

#: Commands a script may never run, and why (anything else unknown is refused too).
COMMANDS_REFUSED = {
    "invoke-expression": "it runs text as code", "iex": "it runs text as code",
    "invoke-command": "it runs code elsewhere", "icm": "it runs code elsewhere",
    "start-process": "it starts a program", "saps": "it starts a program", "start": "it starts a program",
    "start-job": "it starts background jobs", "add-type": "it compiles .NET code",
    "new-object": "it makes .NET objects", "invoke-item": "it opens files with programs",
    "invoke-webrequest": "it reaches the network", "invoke-restmethod": "it reaches the network",
    "iwr": "it reaches the network", "irm": "it reaches the network",
    "set-content": "it writes files (use Out-File or Export-Csv)",
    "add-content": "it writes files (use Out-File or Export-Csv)",
    "remove-item": "it deletes files", "copy-item": "it copies files", "move-item": "it moves files",
    "new-item": "it makes files", "set-item": "it changes items", "set-location": "it changes the folder",
    "cd": "it changes the folder", "import-module": "it loads modules", "ipmo": "it loads modules",
    "set-executionpolicy": "it changes PowerShell's policy", "cmd": "it runs a shell",
    "powershell": "it runs a shell", "pwsh": "it runs a shell", "bash": "it runs a shell",
    "sh": "it runs a shell", "connect-microsoftteams": "portout is not Microsoft Teams: use Connect-PortOutStore",
}

#: Types a script may cast to or name, by their lower-case names (System. left off).
TYPES = {
    "int": "int", "int32": "int", "int64": "long", "long": "long", "string": "string",
    "datetime": "datetime", "timespan": "timespan", "bool": "bool", "boolean": "bool",
    "double": "double", "decimal": "double", "float": "double", "single": "double",
    "array": "array", "object[]": "array", "string[]": "string[]", "int[]": "int[]",
    "hashtable": "hashtable", "pscustomobject": "pscustomobject",
    "management.automation.pscustomobject": "pscustomobject", "ordered": "ordered",
    "object": "object", "void": "void", "math": "math", "char": "char", "switch": "switch",
    "securestring": "securestring", "security.securestring": "securestring",
    "exception": "exception", "management.automation.runtimeexception": "exception",
}

#: [type]::Member and [type]::Method() a script may use.
STATIC_MEMBERS = {
    "datetime": {"now", "utcnow", "today", "parse", "minvalue", "maxvalue"},
    "math": {"round", "floor", "ceiling", "abs", "max", "min", "pow", "sqrt", "truncate"},
    "string": {"isnullorempty", "isnullorwhitespace", "join", "empty", "format"},
    "timespan": {"fromseconds", "fromminutes", "fromhours", "fromdays", "frommilliseconds", "zero", "parse"},
    "int": {"maxvalue", "minvalue", "parse"}, "long": {"maxvalue", "minvalue", "parse"},
    "double": {"parse"},
}

#: Methods a script may call on a value (anything else is .NET beyond the subset).
METHODS = {
    "tostring", "toupper", "tolower", "toupperinvariant", "tolowerinvariant", "trim", "trimstart",
    "trimend", "startswith", "endswith", "contains", "replace", "split", "substring", "indexof",
    "lastindexof", "padleft", "padright", "equals", "compareto", "getenumerator", "adddays",
    "addhours", "addminutes", "addseconds", "addmonths", "addyears", "adddays", "tolocaltime",
    "touniversaltime", "containskey", "containsvalue", "add", "remove", "clear", "gettype",
    "join", "insert", "isnullorempty", "where", "foreach",
}

#: Error types a catch may name: portout's categories and PowerShell's catch-alls.
CATCH_TYPES = {
    "exception", "system.exception", "management.automation.runtimeexception", "runtimeexception",
    "portouterror", "invalidargumenterror", "pinpolicyerror", "invaliddataerror",
    "invalidoperationerror", "invalidtypeerror", "objectnotfounderror", "permissiondeniederror",
    "resourceexistserror", "resourceunavailableerror", "securityerror",
    "management.automation.itemnotfoundexception", "itemnotfoundexception",
    "unauthorizedaccessexception", "argumentexception", "invalidoperationexception",
}


def _type_key(raw: str) -> str:
    key = raw.strip().lower()
    return key[7:] if key.startswith("system.") else key


#: Comparison operators, which take a "c" (case-sensitive) or "i" prefix (-ceq, -ilike).
COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch",
                         "contains", "notcontains", "in", "notin", "replace", "split"})
