"""Type stubs for the native core. Import from ``portout``, not from here."""

from typing import Iterable

__version__: str

#: The stable ids of the PIN rules, in the order violations are reported.
PIN_RULES: tuple[str, ...]

#: The built-in list of commonly chosen PINs that the CommonPin rule refuses, sorted.
COMMON_PINS: tuple[str, ...]

class Violation:
    """One rule a PIN failed: a stable rule id and a message that never holds the PIN."""

    @property
    def rule(self) -> str: ...
    @property
    def message(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class PinPolicy:
    """The rules a port-out PIN must meet.

    Lengths are bounded to 4..15 with ``min_length <= max_length``; otherwise the constructor
    raises ``InvalidArgumentError`` (id ``InvalidPinPolicy``). Blocklist entries are strings of
    one to fifteen ASCII digits.
    """

    def __init__(
        self,
        min_length: int = 6,
        max_length: int = 10,
        block_weak: bool = True,
        blocklist: Iterable[str] = (),
    ) -> None: ...
    @property
    def min_length(self) -> int: ...
    @property
    def max_length(self) -> int: ...
    @property
    def block_weak(self) -> bool: ...
    @property
    def blocklist(self) -> tuple[str, ...]: ...
    def validate(self, pin: str) -> list[Violation]:
        """Every rule the PIN fails, in rule order; an empty list when it is acceptable."""
    def check(self, pin: str) -> None:
        """Raise ``PinPolicyError`` listing every rule the PIN fails."""
    def is_valid(self, pin: str) -> bool:
        """True when the PIN meets every rule."""
    def __eq__(self, other: object) -> bool: ...
