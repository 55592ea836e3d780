"""Checking the arguments of the public rules API, so a wrong type gets our error, not a foreign one.

Each check raises :class:`~leadflow.errors.ArgumentTypeError` (a ``TypeError``) naming the
argument for a wrong type, and :class:`~leadflow.errors.ConfigurationError` (a ``ValueError``)
for a value of the right type that cannot be used (a path holding ``\\x00``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike, fspath
from typing import Any

from leadflow.errors import ArgumentTypeError, ConfigurationError
from leadflow.lead import Lead

__all__ = ("answers_mapping", "leads_iterable", "names", "path_text", "typed")


def typed(value: Any, argument: str, kind: type | tuple[type, ...], expected: str) -> None:
    """Refuse ``value`` unless it is a ``kind`` (a ``bool`` is not taken for an ``int``)."""
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise ArgumentTypeError(argument, value, expected)


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def names(value: Any, argument: str, example: str) -> tuple[str, ...]:
    """The names of a collection (``activity_kinds=``, ``reasons=``), each a text.

    One text is refused rather than split into one-letter names (``reasons="student"``).
    """
    expected = f"a collection of names such as {example}"
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise ArgumentTypeError(argument, value, expected)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise ArgumentTypeError(f"{argument}[{items.index(item)}]", item, "a name (text)")
    return items


def path_text(value: Any, argument: str) -> str:
    """A path given as text or path object, as text; refuses other types and ``\\x00``."""
    expected = "a path (text or os.PathLike)"
    if not isinstance(value, str | PathLike):
        raise ArgumentTypeError(argument, value, expected)
    text = fspath(value)
    if not isinstance(text, str):
        raise ArgumentTypeError(argument, value, expected + " naming a path as text, not bytes")
    if "\x00" in text:
        raise ConfigurationError(
            f"{argument} {text!r} holds the character \\x00, which no path can hold",
            field=argument,
            value=text,
            expected="a path without \\x00",
        )
    return text


def answers_mapping(value: Any) -> None:
    """Refuse ``answers`` that are not a mapping of criterion names (text) to answers."""
    expected = "a mapping of criterion to answer, e.g. {'budget': 'approved'}"
    if not isinstance(value, Mapping):
        raise ArgumentTypeError("answers", value, expected)
    for key in value:
        if not isinstance(key, str):
            raise ArgumentTypeError("answers", value, expected + " (criteria as text)")


def leads_iterable(value: Any) -> None:
    """Refuse ``leads`` that are not an iterable of leads (one lead, one text, a number)."""
    if isinstance(value, str | bytes | Mapping | Lead) or not isinstance(value, Iterable):
        raise ArgumentTypeError("leads", value, "an iterable of leads (Lead or mapping)")
