"""portout's scripting host: a defined subset of the PowerShell language (docs/scripting.md).

``lexer`` reads characters, ``parser`` makes the syntax tree (``nodes``) and refuses what is
outside the subset before anything runs, ``evaluator`` runs it against the cmdlets and the
built-in commands (``builtins``), ``values`` holds PowerShell's rules for values (comparison,
conversion, truth), and ``formatting`` shows what a script writes.
"""
