"""Walk a public callable with wrong arguments, one at a time, and collect foreign errors.

Each call starts from arguments that work and replaces one of them by a value from
:data:`WRONG`. Whatever comes out must be a ``LeadflowError`` that is also the built-in a caller
expects (``TypeError``, ``ValueError`` or ``OverflowError``); anything else is a bug in our
messages. ``pydantic.ValidationError`` is allowed only where named (model constructors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.errors import LeadflowError

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

WRONG: tuple[Any, ...] = (
    None,
    "",
    "x",
    "2026-06-08T09:00:00+02:00",
    b"x",
    0,
    -1,
    5,
    10**30,
    1.5,
    float("nan"),
    float("inf"),
    True,
    [],
    {},
    (),
    ("x", "y", "z"),
    [None],
    {"x": 1},
    object(),
    date(2026, 6, 8),
    datetime(2026, 6, 8, 9),  # naive
    datetime(9999, 12, 31, 23, tzinfo=NEW_YORK),  # year 10000 in UTC
    datetime(1, 1, 1, tzinfo=TOKYO),  # year 0 in UTC
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    timedelta.max,
    timedelta.min,
    timedelta(0),
    timedelta(days=-1),
    timedelta(days=3_000_000),
)
EXPECTED_BUILTINS = (TypeError, ValueError, OverflowError)


def walk(
    func: Callable[..., Any],
    kwargs: Mapping[str, Any],
    *,
    allowed: tuple[type[BaseException], ...] = (),
    label: str | None = None,
    skip: tuple[Any, ...] = (),
) -> list[str]:
    """Call ``func`` once per (argument, wrong value); return one line per foreign error."""
    name = label or getattr(func, "__qualname__", repr(func))
    func(**kwargs)  # the baseline must work
    found = []
    for argument in kwargs:
        for bad in WRONG:
            if any(bad is s or (type(bad) is type(s) and bad == s) for s in skip):
                continue
            try:
                func(**{**kwargs, argument: bad})
            except LeadflowError as error:
                if not isinstance(error, EXPECTED_BUILTINS):
                    found.append(
                        f"{name}({argument}={bad!r}): {type(error).__name__} is ours "
                        "but neither TypeError, ValueError nor OverflowError"
                    )
            except allowed:
                pass
            except Exception as error:  # the point of the walk
                found.append(f"{name}({argument}={bad!r}): {type(error).__name__}: {error}")
    return found
