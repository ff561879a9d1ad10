"""A corpus of hostile values for every parameter of every cmdlet (issue: proof under bad input)."""

from __future__ import annotations

from typing import Any

TEXT: list[str] = [
    "", " ", "  \t ", "\n", "\r\n", "\t", "\x00", "a\x00b", "602917\x00", "\x1b[31mred\x1b[0m",
    "\x7f", "\u0085", "\u2028", "\u2029", "\ufeff", "\u200b", "\u200e602917", "\u200f602917",
    "\u202e602917", "\u2066x\u2069", "x" * 1_000_000, "9" * 1_000_000, "a" * 257, "a" * 64,
    "6" * 16, "1" * 4096,
    "\uff16\uff10\uff12\uff19\uff11\uff17", "\u0666\u0660\u0662\u0669\u0661\u0667",
    "\u06f6\u06f0\u06f2\u06f9\u06f1\u06f7", "\u0966\u0967\u0968\u0969\u096a\u096b", "\u00b2\u00b3\u00b9",
    "\u2460\u2461\u2462\u2463\u2464\u2465", "\U0001d7d8\U0001d7d9\U0001d7da\U0001d7db\U0001d7dc\U0001d7dd",
    "\u0e51\u0e52\u0e53\u0e54\u0e55\u0e56", "\u09e6\u09e7\u09e8\u09e9\u09ea\u09eb",
    "'", "\"", "`", "''", "' OR '1'='1", "'; DROP TABLE tenants; --", "\"; DROP TABLE tenants; --",
    "1; DELETE FROM audit_events", "contoso.com' --", "%' OR 1=1 --", "UNION SELECT * FROM meta",
    "$(reboot)", "`reboot`", "; rm -rf /", "| cat /etc/passwd", "&& echo pwned", "> /tmp/x",
    "$HOME", "${PATH}", "$null", "$true", "-Pin", "--store", "-?", "-", "--", "*", "?", "[a-z]",
    "%s%s%s%n", "%x%x%x", "{0}{1}", "{}", "%(x)s", "\\", "\\\\", "\\x00", "\\u0000",
    "../../etc/passwd", "..", ".", "/", "/etc/shadow", "C:\\Windows", "~root", "file:///etc",
    "contoso..com", ".contoso", "contoso.", "-contoso", "CONTOSO.COM", "contoso.com ", " contoso.com",
    "xn--bcher-kva.example", "b\u00fccher.example", "\u0441ontoso.com", "contoso\u3002com",
    "00000000-0000-0000-0000-000000000000", "{00000000-0000-0000-0000-000000000000}",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8x", "+1 425 555 0100", "+14255550100", "(425) 555-0100",
    "+44 20 7946 0958", "+1 416 555 0199", "911", "+", "+1", "+1 425 555 0100 ext 9", "0",
    "-1", "1e9", "NaN", "inf", "9" * 30, "0x10", "1_000", "٣", "\U0001f4de", "\U0001f600" * 10,
    "e\u0301", "\u00e9", "a\u0300\u0301\u0302\u0303", "\ud800", "x\udfffy", "<script>alert(1)</script>",
    "<b>bold</b>", "&amp;", "\u0000\u0000\u0000", "null", "None", "undefined", "true", "false",
    "US", "us", "XX", "U", "USA", "\u0055\u0053\u200b", "Stop", "stop", "Inquire",
    "00:15:00", "1.00:00:00", "99:99:99", "-00:01:00", "2026-11-26", "2026-13-45", "9999-12-31T23:59:59Z",
]

OTHER: list[Any] = [None, 0, -1, 1, 2**31, 2**63, -(2**63), 10**100, 1.5, float("nan"), float("inf"),
                    True, False, b"602917", bytearray(b"x"), ["602917"], ("a", "b"), {"a": 1}, set(),
                    object(), 602917]

CORPUS: list[Any] = TEXT + OTHER
assert len(CORPUS) >= 100
