"""Weekly working hours: the ``"mon-fri 08:00-18:00"`` text form, its mapping form, and the value.

A spec is a ``;``-separated list of groups ``<days> <span>[, <span>...]``:

- days: ``mon`` .. ``sun`` (or full names), ranges ``mon-fri`` (wrapping ``fri-mon`` allowed)
  and comma lists ``mon,wed``;
- spans: ``HH:MM-HH:MM``; ``24:00`` is allowed as an end; an end at or before the start is an
  overnight span that ends on the next day (``22:00-06:00``; ``08:00-08:00`` lasts 24 hours).

Groups naming the same day add up; overlapping spans are merged when the calendar is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from leadflow.errors import ConfigurationError

__all__ = ("DAY_NAMES", "Span", "WorkingHours", "parse_hours")

DAY_NAMES: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES: Final[tuple[str, ...]] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_DAY_INDEX: Final[dict[str, int]] = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    **{name: i for i, name in enumerate(_FULL_NAMES)},
}
_DAY_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz,-")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_EXPECTED_GROUP = "'<days> HH:MM-HH:MM[, HH:MM-HH:MM]', e.g. 'mon-fri 08:00-18:00'"
_MINUTES_PER_DAY: Final = 24 * 60


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """One opening span of a day, in minutes after local midnight.

    ``end`` is at most 1440 (24:00); ``end <= start`` means the span runs overnight into the
    next day, up to ``end`` minutes after the next midnight.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if (
            type(self.start) is not int
            or type(self.end) is not int
            or not 0 <= self.start < _MINUTES_PER_DAY
            or not 0 <= self.end <= _MINUTES_PER_DAY
        ):
            raise ConfigurationError(
                f"span Span(start={self.start!r}, end={self.end!r}) is not a span of a day; "
                "start must be 0..1439 and end 0..1440 minutes after midnight",
                field="hours",
                value=(self.start, self.end),
                expected="minutes after midnight: start 0..1439, end 0..1440",
            )

    @property
    def overnight(self) -> bool:
        """Whether the span ends on the following day."""
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        """Nominal length in minutes (DST changes the physical length)."""
        return self.end - self.start if self.end > self.start else self.end + 1440 - self.start

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The opening spans of each weekday, Monday first (``days[0]`` is Monday).

    >>> hours = WorkingHours.parse("mon-fri 08:00-18:00")
    >>> str(hours)
    'mon-fri 08:00-18:00'
    """

    days: tuple[tuple[Span, ...], ...]

    def __post_init__(self) -> None:
        if (
            not isinstance(self.days, tuple)
            or len(self.days) != len(DAY_NAMES)
            or not all(isinstance(spans, tuple) for spans in self.days)
            or not all(isinstance(span, Span) for spans in self.days for span in spans)
        ):
            raise ConfigurationError(
                f"WorkingHours needs 7 days (Monday first) of Span values, got {self.days!r}",
                field="hours",
                value=self.days,
                expected="7 tuples of Span, Monday first",
            )

    @classmethod
    def parse(cls, spec: str | Mapping[str, str | Iterable[str]] | WorkingHours) -> WorkingHours:
        """Parse a text or mapping spec; see :func:`parse_hours`."""
        return parse_hours(spec)

    @property
    def around_the_clock(self) -> bool:
        """Whether the spans cover every minute of the week (ignoring DST)."""
        if sum(span.minutes for spans in self.days for span in spans) < 7 * 1440:
            return False
        covered = bytearray(7 * 1440)
        for day, spans in enumerate(self.days):
            for span in spans:
                start = day * 1440 + span.start
                for minute in range(start, start + span.minutes):
                    covered[minute % (7 * 1440)] = 1
        return all(covered)

    @property
    def is_empty(self) -> bool:
        """Whether no day has any span (a calendar with these hours is never open)."""
        return not any(self.days)

    def __str__(self) -> str:
        groups: list[tuple[int, int]] = []  # runs of consecutive days with equal spans
        for day, spans in enumerate(self.days):
            if not spans:
                continue
            if groups and groups[-1][1] == day - 1 and self.days[groups[-1][0]] == spans:
                groups[-1] = (groups[-1][0], day)
            else:
                groups.append((day, day))
        return "; ".join(
            (DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]}-{DAY_NAMES[last]}")
            + " "
            + ", ".join(str(s) for s in self.days[first])
            for first, last in groups
        )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _error(message: str, part: str) -> ConfigurationError:
    return ConfigurationError(message, field="hours", value=part, expected=_EXPECTED_GROUP)


def _day(name: str, part: str) -> int:
    index = _DAY_INDEX.get(name.strip().lower())
    if index is None:
        raise _error(
            f"unknown day {name.strip()!r} in hours {part!r}; expected one of "
            f"{', '.join(DAY_NAMES)} (ranges like 'mon-fri' and lists like 'mon,wed' allowed)",
            part,
        )
    return index


def _days(text: str, part: str) -> list[int]:
    days: list[int] = []
    for item in text.split(","):
        if not item.strip():
            raise _error(f"empty day in {text.strip()!r} of hours {part!r}", part)
        first, dash, last = item.partition("-")
        if not dash:
            days.append(_day(first, part))
            continue
        start, end = _day(first, part), _day(last, part)
        days.extend((start + k) % 7 for k in range((end - start) % 7 + 1))
    return days


def _span(text: str, part: str) -> Span:
    match = _SPAN.match(text)
    if match is None:
        raise _error(
            f"malformed span {text.strip()!r} in hours {part!r}; expected HH:MM-HH:MM", part
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59:
        raise _error(f"start {text.strip()!r} in hours {part!r} is not a time 00:00..23:59", part)
    if h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise _error(f"end {text.strip()!r} in hours {part!r} is not a time 00:00..24:00", part)
    return Span(h1 * 60 + m1, h2 * 60 + m2)


def _split_group(part: str) -> tuple[str, str] | None:
    """The days and spans texts of one group ``<days> <spans>``, or ``None`` if malformed.

    One pass over the text (a regular expression for this backtracked: 50,000 spaces took 32 s).
    The days are letters, commas, hyphens and spaces; the spans start at the first digit, which
    must follow a space.
    """
    text = part.strip()
    if not text or text[0] not in _DAY_CHARS or text[0] in ",-":
        return None
    end = next((i for i, c in enumerate(text) if c not in _DAY_CHARS and not c.isspace()), None)
    if end is None or not text[end].isdecimal() or not text[end - 1].isspace():
        return None
    return text[:end].rstrip(), text[end:]


def _add_group(table: list[list[Span]], days_text: str, spans_text: str, part: str) -> None:
    spans = [_span(s, part) for s in spans_text.split(",")]
    for day in _days(days_text, part):
        for span in spans:
            if span not in table[day]:
                table[day].append(span)


def parse_hours(spec: str | Mapping[str, str | Iterable[str]] | WorkingHours) -> WorkingHours:
    """Parse weekly working hours from text or from a mapping of days to spans.

    The mapping form maps a days expression to one span text or to several:
    ``{"mon-thu": ["08:00-12:00", "13:00-17:00"], "fri": "08:00-14:00"}``.
    An empty spec gives hours that are never open.

    >>> str(parse_hours("fri-mon 22:00-06:00"))
    'mon 22:00-06:00; fri-sun 22:00-06:00'
    >>> parse_hours("mon-fri 8-18")
    Traceback (most recent call last):
    leadflow.errors.ConfigurationError: malformed group 'mon-fri 8-18' in hours; expected '<days> HH:MM-HH:MM[, HH:MM-HH:MM]', e.g. 'mon-fri 08:00-18:00'

    Raises:
        ConfigurationError: a group, day or span is malformed; the message quotes it.
    """
    if isinstance(spec, WorkingHours):
        return spec
    table: list[list[Span]] = [[] for _ in range(7)]
    if isinstance(spec, str):
        for part in spec.split(";"):
            if not part.strip():
                continue
            group = _split_group(part)
            if group is None or not _SPAN.match(group[1].split(",")[0]):
                raise _error(
                    f"malformed group {part.strip()!r} in hours; expected {_EXPECTED_GROUP}",
                    part.strip(),
                )
            _add_group(table, *group, part.strip())
    elif isinstance(spec, Mapping):
        for days_text, spans in spec.items():
            if not isinstance(days_text, str):
                raise _error(
                    f"hours key {days_text!r} is not a days text like 'mon-fri'", str(days_text)
                )
            part = f"{days_text}: {spans!r}"
            texts = [spans] if isinstance(spans, str) else spans
            if not isinstance(texts, Iterable) or not all(isinstance(t, str) for t in texts):
                raise _error(f"spans of {days_text!r} must be texts like '08:00-18:00'", part)
            if texts := list(texts):
                _add_group(table, days_text, ",".join(texts), part)
    else:
        raise ConfigurationError(
            f"hours must be a text like 'mon-fri 08:00-18:00' or a mapping, got {type(spec).__name__}",
            field="hours",
            value=spec,
            expected=_EXPECTED_GROUP,
        )
    return WorkingHours(tuple(tuple(sorted(day)) for day in table))
