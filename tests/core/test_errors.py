"""The error family: one base, ValueError for bad input, context in attributes and message."""

from __future__ import annotations

import inspect
from datetime import datetime

import pytest

import leadflow as lf
import leadflow.errors as errors_module
from leadflow._time import require_aware, to_utc, zone


def all_error_classes() -> list[type[BaseException]]:
    return [
        obj
        for _, obj in inspect.getmembers(errors_module, inspect.isclass)
        if issubclass(obj, BaseException)
    ]


def test_every_error_derives_from_the_base_and_has_a_unique_code() -> None:
    classes = all_error_classes()
    assert lf.LeadflowError in classes
    assert all(issubclass(cls, lf.LeadflowError) for cls in classes)
    codes = [cls.code for cls in classes]  # type: ignore[attr-defined]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    "cls",
    [lf.ConfigurationError, lf.NaiveDatetimeError, lf.LeadValidationError, lf.RuleSyntaxError],
)
def test_bad_input_errors_are_value_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, ValueError)


def test_every_error_is_in_the_docstring_tree_and_in_docs() -> None:
    doc = errors_module.__doc__ or ""
    with open("docs/errors.md", encoding="utf-8") as handle:
        page = handle.read()
    for cls in all_error_classes():
        assert cls.__name__ in doc, cls
        assert f"`{cls.code}`" in page, cls  # type: ignore[attr-defined]


def test_naive_datetime_error_names_the_argument() -> None:
    with pytest.raises(lf.NaiveDatetimeError) as info:
        require_aware(datetime(2026, 11, 20, 9), "now")
    assert info.value.argument == "now"
    assert str(info.value).startswith("now must be a timezone-aware datetime, got naive")
    assert info.value.context["argument"] == "now"


def test_to_utc_and_zone() -> None:
    berlin = zone("Europe/Berlin")
    assert to_utc(datetime(2026, 7, 1, 12, tzinfo=berlin)).hour == 10
    with pytest.raises(lf.ConfigurationError) as info:
        zone("Europe/Bielefeld")
    assert info.value.field == "timezone"
    assert "expected an IANA name" in str(info.value)
    with pytest.raises(TypeError):
        require_aware("2026-01-01", "at")  # type: ignore[arg-type]


def test_configuration_error_carries_field_value_expected() -> None:
    error = lf.ConfigurationError("bad", field="hours", value="mon 25:00", expected="HH:MM")
    assert (error.field, error.value, error.expected) == ("hours", "mon 25:00", "HH:MM")
    assert error.context["field"] == "hours"
