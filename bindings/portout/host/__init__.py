"""portout's scripting host: a defined subset of the PowerShell language (docs/scripting.md).

``lexer`` reads characters, ``parser`` and ``expressions`` make the syntax tree (``nodes``) and
refuse what ``subset`` leaves out, before anything runs; ``evaluator`` runs it (``operators``,
``calls`` into the cmdlets, ``flow`` for break/return, errors and scopes) against the cmdlets
and the built-in commands (``builtins``, ``arguments``, ``files``); ``values`` and ``members``
hold PowerShell's rules for values; ``formatting`` shows what a script writes; ``script`` runs
a file.
"""
