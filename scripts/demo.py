"""The portout demonstration: the port-out PIN policy at work on example PINs.

Run by scripts/demo, on Debian's Python with the package installed in build/venv.
"""

from __future__ import annotations

import unicodedata

import portout

# Public example values, as the help page and the docs show them; no one's PIN.
EXAMPLES: list[tuple[str, str]] = [
    ("602917", "six digits, nothing to guess"),
    ("4816039275", "ten digits"),
    ("", "blank: a PIN cannot be removed"),
    ("48163", "five digits"),
    ("48160392751", "eleven digits"),
    ("48a603", "a letter"),
    ("4816 03", "a space"),
    ("\uff14\uff18\uff11\uff16\uff10\uff13", "full-width digits"),
    ("\u0664\u0668\u0661\u0666\u0660\u0663", "Arabic-Indic digits"),
    ("000000", "one digit repeated"),
    ("123456", "ascending run"),
    ("987654", "descending run"),
    ("121212", "repeated pattern"),
    ("112233", "doubled digits"),
    ("147258", "keypad shape, commonly chosen"),
    ("11111", "too short and weak"),
]


def heading(text: str) -> None:
    print(f"\n{text}\n{'-' * len(text)}")


def pad(text: str, width: int) -> str:
    """Left-justify by terminal columns: full-width characters take two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "FW" else 1 for c in text)
    return text + " " * max(0, width - columns)


def show(policy: portout.PinPolicy, examples: list[tuple[str, str]]) -> None:
    print(f"{pad('Example', 18)} {pad('What it is', 32)} Verdict")
    for example, what in examples:
        rules = [v.rule for v in policy.validate(example)]
        verdict = "accepted" if not rules else "refused: " + ", ".join(rules)
        print(f"{pad(repr(example), 18)} {pad(what, 32)} {verdict}")


def main() -> None:
    print(f"portout {portout.__version__}: the port-out PIN policy")

    policy = portout.PinPolicy()
    heading(f"The default policy: {policy!r}")
    show(policy, EXAMPLES)

    heading("Why a PIN is refused: every failed rule, and never the PIN in the message")
    try:
        policy.check("11111")
    except portout.PinPolicyError as error:
        print(f"{type(error).__name__} (also a {ValueError.__name__})")
        print(f"  error_id: {error.error_id}   category: {error.category}")
        for violation in error.violations:
            print(f"  {violation.rule:<14} {violation.message}")

    heading("A store's own policy: 4 to 15 digits, weak rules off, its own blocklist")
    lenient = portout.PinPolicy(min_length=4, max_length=15, block_weak=False,
                                blocklist=["5550100", "602917"])
    print(repr(lenient))
    show(lenient, [("1234", "four digits, a run"), ("602917", "on the blocklist"),
                   ("481603927518364", "fifteen digits")])

    heading("Mistakes a script might make, each a typed error")
    for label, attempt in [
        ("PinPolicy(min_length=3)", lambda: portout.PinPolicy(min_length=3)),
        ("PinPolicy(min_length=12, max_length=8)",
         lambda: portout.PinPolicy(min_length=12, max_length=8)),
        ("validate(602917) with an int", lambda: policy.validate(602917)),  # type: ignore[arg-type]
        ("validate(b'602917') with bytes", lambda: policy.validate(b"602917")),  # type: ignore[arg-type]
    ]:
        try:
            attempt()
        except portout.PortOutError as error:
            print(f"{label:<40} {type(error).__name__} [{error.error_id}]: {error}")


if __name__ == "__main__":
    main()
