"""The error hierarchy: one base, a leaf per category, each also the matching builtin."""

from __future__ import annotations

import pickle

import pytest

import portout
from portout import errors

LEAVES = [
    (portout.InvalidArgumentError, ValueError, "InvalidArgument"),
    (portout.InvalidDataError, ValueError, "InvalidData"),
    (portout.InvalidOperationError, RuntimeError, "InvalidOperation"),
    (portout.InvalidTypeError, TypeError, "InvalidType"),
    (portout.ObjectNotFoundError, LookupError, "ObjectNotFound"),
    (portout.PermissionDeniedError, PermissionError, "PermissionDenied"),
    (portout.ResourceExistsError, ValueError, "ResourceExists"),
    (portout.ResourceUnavailableError, OSError, "ResourceUnavailable"),
    (portout.SecurityError, PermissionError, "SecurityError"),
]


@pytest.mark.parametrize(("cls", "builtin", "category"), LEAVES)
def test_each_leaf_is_a_portout_error_and_its_builtin(cls: type, builtin: type, category: str) -> None:
    error = cls("Something is wrong.", error_id="SomethingWrong", target="contoso.com")
    assert isinstance(error, portout.PortOutError)
    assert isinstance(error, builtin)
    assert error.category == category
    assert error.error_id == "SomethingWrong"
    assert error.target == "contoso.com"
    assert str(error) == "Something is wrong."
    with pytest.raises(builtin):
        raise error


@pytest.mark.parametrize(("cls", "builtin", "category"), LEAVES)
def test_errors_survive_pickling(cls: type, builtin: type, category: str) -> None:
    error = cls("Something is wrong.", error_id="SomethingWrong", target="contoso.com")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert (copy.message, copy.error_id, copy.target) == (error.message, error.error_id, error.target)


def test_policy_error_pickles_with_its_violations() -> None:
    with pytest.raises(portout.PinPolicyError) as caught:
        portout.PinPolicy().check("121212")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.rules == ["RepeatedPattern", "CommonPin"]
    assert copy.violations == caught.value.violations


def test_every_category_of_the_core_has_its_class() -> None:
    assert set(errors.CATEGORIES) == {category for _, _, category in LEAVES}


def test_native_errors_arrive_as_their_classes() -> None:
    with pytest.raises(portout.InvalidArgumentError) as caught:
        portout.PinPolicy(min_length=20)
    assert type(caught.value) is portout.InvalidArgumentError
    assert caught.value.error_id == "InvalidPinPolicy"
    assert caught.value.target == ""


def test_repr_shows_id_category_and_target() -> None:
    error = portout.ObjectNotFoundError("No such tenant.", error_id="TenantNotFound", target="contoso")
    assert repr(error) == ("ObjectNotFoundError('No such tenant.', error_id='TenantNotFound', "
                           "category='ObjectNotFound', target='contoso')")
