"""The PIN policy from Python: the seed's rules, the weak-PIN rules, configuration, types."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import portout
from portout import PinPolicy

ASCII_DIGITS = "0123456789"


# An oracle written apart from the C++ rules, from the definitions.
def repeated_digit(d: str) -> bool:
    return len(d) >= 2 and len(set(d)) == 1


def sequential(d: str) -> bool:
    if len(d) < 3:
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in zip(d, d[1:])}
    return steps in ({1}, {9})


def repeated_pattern(d: str) -> bool:
    n = len(d)
    if n < 4 or repeated_digit(d):
        return False
    if any(all(d[i] == d[i + p] for i in range(n - p)) for p in range(2, n // 2 + 1)):
        return True
    runs: list[str] = []
    for c in d:
        if runs and runs[-1][0] == c:
            runs[-1] += c
        else:
            runs.append(c)
    return len(runs) >= 2 and len({len(r) for r in runs}) == 1 and len(runs[0]) >= 2


def acceptable(pin: str, lo: int = 6, hi: int = 10) -> bool:
    return (lo <= len(pin) <= hi and all(c in ASCII_DIGITS for c in pin)
            and not (repeated_digit(pin) or sequential(pin) or repeated_pattern(pin)
                     or pin in portout.COMMON_PINS))


digit_strings = st.text(alphabet=ASCII_DIGITS, max_size=16)
weak_shapes = st.one_of(
    st.builds(lambda c, n: c * n, st.sampled_from(ASCII_DIGITS), st.integers(1, 12)),
    st.builds(lambda s, n, up: "".join(str((s + (i if up else -i)) % 10) for i in range(n)),
              st.integers(0, 9), st.integers(3, 12), st.booleans()),
    st.builds(lambda block, reps: (block * reps)[: max(4, len(block) * reps - 1)],
              st.text(alphabet=ASCII_DIGITS, min_size=2, max_size=5), st.integers(2, 4)),
    st.builds(lambda ds, k: "".join(c * k for c in ds),
              st.text(alphabet=ASCII_DIGITS, min_size=2, max_size=5), st.integers(2, 3)),
    st.sampled_from(portout.COMMON_PINS),
)
other_digits = st.text(alphabet=st.characters(whitelist_categories=["Nd", "No"]), min_size=1,
                       max_size=12)
any_pins = st.one_of(digit_strings, weak_shapes, other_digits, st.text(max_size=20),
                     st.builds(lambda a, c, b: a + c + b, digit_strings, st.characters(), digit_strings))


@given(any_pins)
@example("")
@example("602917")
@example("\uff16\uff10\uff12\uff19\uff11\uff17")
@example("\u0666\u0660\u0662\u0669\u0661\u0667")
@example("60291\u00b2")
@example("602917\x00")
def test_accepted_exactly_when_six_to_ten_ascii_digits_and_not_weak(pin: str) -> None:
    policy = PinPolicy()
    violations = policy.validate(pin)
    assert (violations == []) == acceptable(pin), [v.rule for v in violations]
    assert policy.is_valid(pin) == (violations == [])


@given(any_pins)
def test_no_violation_message_contains_the_pin(pin: str) -> None:
    assume(len(pin) >= 1)
    # No message holds an ASCII digit, so even a one-digit PIN is never echoed.
    assume(any(c in ASCII_DIGITS for c in pin) or len(pin) >= 4)
    policy = PinPolicy(min_length=4, max_length=15, blocklist=["48160392"])
    violations = policy.validate(pin)
    for v in violations:
        assert pin not in v.message
        assert pin not in repr(v)
    if violations:
        with pytest.raises(portout.PinPolicyError) as caught:
            policy.check(pin)
        assert pin not in str(caught.value)
        assert pin not in repr(caught.value)


@given(st.integers(4, 15), st.integers(4, 15), digit_strings)
def test_length_bounds_follow_the_policy(lo: int, hi: int, pin: str) -> None:
    assume(lo <= hi)
    rules = {v.rule for v in PinPolicy(lo, hi, block_weak=False).validate(pin)}
    if not pin:
        assert rules == {"Empty"}
    else:
        assert ("TooShort" in rules) == (len(pin) < lo)
        assert ("TooLong" in rules) == (len(pin) > hi)
        assert rules <= {"TooShort", "TooLong"}


@pytest.mark.parametrize(
    ("pin", "rules"),
    [
        ("602917", []),
        ("0602917", []),
        ("4816039275", []),
        ("", ["Empty"]),
        ("60291", ["TooShort"]),
        ("60291748163", ["TooLong"]),
        ("60a917", ["NotDigits"]),
        ("602 917", ["NotDigits"]),
        ("\t602917", ["NotDigits"]),
        ("602917\n", ["NotDigits"]),
        ("602\x00917", ["NotDigits"]),
        ("+602917", ["NotDigits"]),
        ("-602917", ["NotDigits"]),
        ("6029.17", ["NotDigits"]),
        ("\uff16\uff10\uff12\uff19\uff11\uff17", ["NotDigits"]),
        ("\u0664\u0665\u0666\u0667\u0668\u0669", ["NotDigits"]),
        ("\u0968\u096a\u096c\u0967\u0969\u096f", ["NotDigits"]),
        ("60291\u00b2", ["NotDigits"]),
        ("\u200f602917", ["NotDigits"]),
        ("\ud800602917", ["NotDigits"]),
        ("000000", ["RepeatedDigit", "CommonPin"]),
        ("5555555555", ["RepeatedDigit"]),
        ("123456", ["Sequential", "CommonPin"]),
        ("345678", ["Sequential"]),
        ("987654", ["Sequential", "CommonPin"]),
        ("121212", ["RepeatedPattern", "CommonPin"]),
        ("385385", ["RepeatedPattern"]),
        ("774411", ["RepeatedPattern"]),
        ("147258", ["CommonPin"]),
        ("11111", ["TooShort", "RepeatedDigit", "CommonPin"]),
    ],
)
def test_default_policy_table(pin: str, rules: list[str]) -> None:
    assert [v.rule for v in PinPolicy().validate(pin)] == rules


def test_weak_rules_switch_off_but_blocklist_stays() -> None:
    lax = PinPolicy(block_weak=False, blocklist=["602917"])
    assert lax.validate("123456") == []
    assert [v.rule for v in lax.validate("602917")] == ["Blocklisted"]
    assert lax.blocklist == ("602917",)


def test_lengths_take_any_integer_type() -> None:
    class Seven:
        def __index__(self) -> int:
            return 7

    assert PinPolicy(min_length=Seven()).min_length == 7  # type: ignore[arg-type]


def test_blocklist_takes_any_iterable_of_str() -> None:
    assert PinPolicy(blocklist=iter(["602917", "481603", "602917"])).blocklist == ("481603", "602917")
    assert PinPolicy(blocklist={"602917"}).blocklist == ("602917",)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"min_length": 3}, portout.InvalidArgumentError),
    ({"max_length": 16}, portout.InvalidArgumentError),
    ({"min_length": 11}, portout.InvalidArgumentError),
    ({"min_length": 8, "max_length": 7}, portout.InvalidArgumentError),
    ({"min_length": -6}, portout.InvalidArgumentError),
    ({"blocklist": ["12a456"]}, portout.InvalidArgumentError),
    ({"blocklist": [""]}, portout.InvalidArgumentError),
    ({"blocklist": ["1" * 16]}, portout.InvalidArgumentError),
    ({"blocklist": "602917"}, portout.InvalidTypeError),
    ({"blocklist": b"602917"}, portout.InvalidTypeError),
    ({"blocklist": [602917]}, portout.InvalidTypeError),
    ({"blocklist": 602917}, portout.InvalidTypeError),
    ({"min_length": 6.0}, portout.InvalidTypeError),
    ({"min_length": "6"}, portout.InvalidTypeError),
    ({"max_length": True}, portout.InvalidTypeError),
    ({"max_length": None}, portout.InvalidTypeError),
    ({"min_length": 2**70}, portout.InvalidArgumentError),
    ({"max_length": -2**70}, portout.InvalidArgumentError),
    ({"block_weak": "no"}, portout.InvalidTypeError),
    ({"block_weak": 1}, portout.InvalidTypeError),
    ({"block_weak": None}, portout.InvalidTypeError),
])
def test_bad_configuration_is_a_clear_typed_error(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error) as caught:
        PinPolicy(**kwargs)  # type: ignore[arg-type]
    assert caught.value.error_id in {"InvalidPinPolicy", "BlocklistNotIterable", "PinNotString",
                                     "SettingNotInteger", "SettingNotBoolean", "SettingOutOfRange"}
    assert "602917" not in str(caught.value) and "12a456" not in str(caught.value)


@pytest.mark.parametrize("value", [602917, 60291.7, b"602917", bytearray(b"602917"), None,
                                   ["602917"], object()])
@pytest.mark.parametrize("method", ["validate", "check", "is_valid"])
def test_a_pin_that_is_not_str_is_a_type_error(value: object, method: str) -> None:
    with pytest.raises(TypeError) as caught:
        getattr(PinPolicy(), method)(value)
    assert isinstance(caught.value, portout.InvalidTypeError)
    assert caught.value.error_id == "PinNotString"
    assert caught.value.category == "InvalidType"
    assert "602917" not in str(caught.value)


def test_check_raises_with_every_violation() -> None:
    with pytest.raises(portout.PinPolicyError) as caught:
        PinPolicy().check("11111")
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.error_id == "PinPolicyViolation"
    assert error.category == "InvalidArgument"
    assert error.rules == ["TooShort", "RepeatedDigit", "CommonPin"]
    assert all(isinstance(v, portout.Violation) for v in error.violations)
    assert PinPolicy().check("602917") is None


def test_violations_compare_hash_and_pickle() -> None:
    a, = PinPolicy().validate("60291")
    b, = PinPolicy().validate("48163")
    assert a == b and hash(a) == hash(b)
    assert a != "TooShort"
    assert pickle.loads(pickle.dumps(a)) == a
    assert repr(a).startswith("Violation(rule='TooShort', message=")


def test_policy_repr_and_equality() -> None:
    policy = PinPolicy(blocklist=["602917"])
    assert repr(policy) == "PinPolicy(min_length=6, max_length=10, block_weak=True, blocklist=<1 entries>)"
    assert "602917" not in repr(policy)
    assert PinPolicy() == PinPolicy(6, 10, True, ())
    assert PinPolicy() != PinPolicy(min_length=7)


def test_rule_ids_are_published() -> None:
    assert portout.PIN_RULES == ("Empty", "TooShort", "TooLong", "NotDigits", "RepeatedDigit",
                                 "Sequential", "RepeatedPattern", "CommonPin", "Blocklisted",
                                 "SameAsCurrent")
    assert list(portout.COMMON_PINS) == sorted(set(portout.COMMON_PINS))
