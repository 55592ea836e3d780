"""The input of every metric: a lead's lifecycle record plus the lead data to group by.

A :class:`History` is what the agreement's event log gives per lead once replayed: the
:class:`~leadflow.lifecycle.LeadRecord` (stage, cycle, every step) and the lead's fields
(campaign, channel, source, owner, country, temperature at handoff, ...). Group keys are data:
any field name works. :class:`Period` is a half-open interval of time; :func:`weeks` and
:func:`months` cut a range into calendar periods.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from leadflow._time import RANGE, to_utc
from leadflow.errors import (
    ArgumentTypeError,
    ConfigurationError,
    HistoryError,
    LeadValidationError,
    OutOfRangeError,
    Problem,
)
from leadflow.lifecycle import LeadRecord
from leadflow.lifecycle.velocity import created_too_late

__all__ = (
    "History",
    "Period",
    "Touch",
    "group_by",
    "months",
    "read_histories",
    "weeks",
)

FieldValue = str | None


class Touch(NamedTuple):
    """A marketing touch of the lead (for attribution): when, which campaign, which channel."""

    at: datetime
    campaign: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    """One lead: its lifecycle record, its fields, and what attribution and planning need.

    ``fields`` maps field names to string values (``None`` when unknown). ``created_at`` is
    when the lead entered its origin stage (unknown: the time of its first step). ``amount``
    is the deal value (pipeline while open, revenue when won). ``touches`` are the marketing
    touches attribution spreads revenue over.
    """

    record: LeadRecord
    fields: Mapping[str, FieldValue] = field(default_factory=lambda: MappingProxyType({}))
    created_at: datetime | None = None
    amount: float | None = None
    touches: tuple[Touch, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        if self.created_at is not None:
            object.__setattr__(self, "created_at", to_utc(self.created_at, "created_at"))

    @property
    def lead_id(self) -> str:
        """The lead's id (from the record)."""
        return self.record.lead_id

    @property
    def started_at(self) -> datetime | None:
        """``created_at``, else the time of the first recorded step, else ``None``."""
        if self.created_at is not None:
            return self.created_at
        history = self.record.history
        return history[0].event.at if history else None

    def get(self, name: str) -> FieldValue:
        """The value of lead field ``name`` (``None`` when the lead has none)."""
        return self.fields.get(name)

    def to_dict(self) -> dict[str, Any]:
        """The history as one JSON object (a line of the JSONL format)."""
        data: dict[str, Any] = {"record": self.record.to_dict(), "lead": dict(self.fields)}
        if self.created_at is not None:
            data["created_at"] = self.created_at.isoformat()
        if self.amount is not None:
            data["amount"] = self.amount
        if self.touches:
            data["touches"] = [
                {"at": t.at.isoformat(), "campaign": t.campaign, "channel": t.channel}
                for t in self.touches
            ]
        return data


class _PeriodFields(NamedTuple):
    start: datetime
    end: datetime
    label: str = ""


_P = TypeVar("_P", bound="Period")


class Period(_PeriodFields):
    """A half-open interval ``[start, end)`` of time with a label for reports.

    A tuple ``(start, end, label)``, checked when built: ``start`` and ``end`` are aware
    datetimes (kept as given, compared as instants) and ``end`` is not before ``start``
    (``start == end`` is an empty period). ``_replace`` checks again.

    Raises:
        NaiveDatetimeError: ``start`` or ``end`` has no time zone.
        ArgumentTypeError: ``start`` or ``end`` is not a datetime, or ``label`` not a string.
        OutOfRangeError: ``start`` or ``end`` lies outside the years 1 to 9999 in UTC.
        ConfigurationError: ``end`` lies before ``start``.

    >>> from datetime import UTC
    >>> Period(datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    Traceback (most recent call last):
    ...
    leadflow.errors.ConfigurationError: period end 2026-11-02T00:00:00+00:00 lies before its start 2026-11-30T00:00:00+00:00; expected start <= end
    """

    __slots__ = ()

    def __new__(cls, start: datetime, end: datetime, label: str = "") -> Period:
        first = to_utc(start, "start")
        last = to_utc(end, "end")
        if not isinstance(label, str):
            raise ArgumentTypeError("label", label, "a string")
        if last < first:
            raise ConfigurationError(
                f"period {f'{label!r} ' if label else ''}end {end.isoformat()} lies before its "
                f"start {start.isoformat()}; expected start <= end",
                field="end",
                value=end,
                expected=f"a time not before start {start.isoformat()}",
                start=start,
            )
        return super().__new__(cls, start, end, label)

    @classmethod
    # The stub types _make for any tuple type; this one builds (and checks) a Period only.
    def _make(cls: type[_P], iterable: Iterable[Any]) -> _P:  # type: ignore[override]
        """A period from ``(start, end[, label])``, checked like the constructor."""
        return cls(*iterable)

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` lies in ``[start, end)``."""
        return self.start <= at < self.end

    @property
    def days(self) -> float:
        """The length in days."""
        return (self.end - self.start) / timedelta(days=1)


def require_iterable(
    value: Any, argument: str, expected: str, hint: str = "", *, single: tuple[type, ...] = ()
) -> None:
    """Refuse, as :class:`ArgumentTypeError`, what is not an iterable of items: a non-iterable,
    one text (``str``/``bytes``), or one item of a ``single`` type (which may itself iterate)."""
    if isinstance(value, (str, bytes, *single)) or not isinstance(value, Iterable):
        raise ArgumentTypeError(argument, value, expected, hint)


def check_period(period: Any, argument: str = "period", *, optional: bool = True) -> Any:
    """``period`` itself if it is a :class:`Period` (or ``None`` when ``optional``), else
    :class:`ArgumentTypeError`. A plain tuple is refused: only :class:`Period` checks its bounds.
    """
    if (optional and period is None) or isinstance(period, Period):
        return period
    raise ArgumentTypeError(
        argument,
        period,
        "a leadflow.metrics.Period" + (" or None" if optional else ""),
        "build one with Period(start, end), weeks() or months()",
    )


def check_periods(periods: Any, argument: str = "periods") -> tuple[Period, ...]:
    """``periods`` as a tuple of :class:`Period`; anything else is :class:`ArgumentTypeError`."""
    require_iterable(
        periods,
        argument,
        "a sequence of leadflow.metrics.Period",
        "e.g. weeks() or months()",
        single=(Period,),
    )
    items = tuple(periods)
    for item in items:
        check_period(item, f"{argument}[...]", optional=False)
    return items


def in_period(period: Period | None, at: datetime | None) -> bool:
    """``True`` without a period; else whether ``at`` is known and lies in it."""
    return period is None or (at is not None and period.start <= at < period.end)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(day, time(), zone), "start")


def _check_range(first: Any, last: Any, timezone: Any) -> None:
    """Refuse what :func:`weeks` and :func:`months` cannot cut: our error, naming the argument."""
    for name, value in (("first", first), ("last", last)):
        if not isinstance(value, date) or isinstance(value, datetime):
            hint = f"take its date in the zone, e.g. {name}.astimezone(timezone).date()"
            raise ArgumentTypeError(
                name, value, "a datetime.date", hint if isinstance(value, datetime) else ""
            )
    if not isinstance(timezone, tzinfo):
        raise ArgumentTypeError(
            "timezone", timezone, "a zone (tzinfo)", "e.g. ZoneInfo('Europe/Berlin')"
        )
    if last < first:
        raise ConfigurationError(
            f"last {last.isoformat()} lies before first {first.isoformat()}; expected "
            "first <= last",
            field="last",
            value=last,
            expected=f"a date not before first {first.isoformat()}",
            first=first,
        )


def _cut(
    first: date, last: date, timezone: ZoneInfo, step: Callable[[date], tuple[date, date, str]]
) -> tuple[Period, ...]:
    """The periods from ``step`` (start, next start, label) covering ``first`` to ``last``."""
    _check_range(first, last, timezone)
    result = []
    try:
        start, _, _ = step(first)
        while start <= last:
            _, end, label = step(start)
            result.append(Period(_midnight(start, timezone), _midnight(end, timezone), label))
            start = end
    except (OverflowError, ValueError):  # date or datetime beyond the years 1 to 9999
        span = f"{first.isoformat()} to {last.isoformat()}"
        raise OutOfRangeError(
            f"the periods covering {span} begin or end outside the range datetime can "
            f"represent; expected {RANGE}",
            argument="last",
            value=last,
            expected=RANGE,
        ) from None
    return tuple(result)


def _week(day: date) -> tuple[date, date, str]:
    monday = day - timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return monday, monday + timedelta(days=7), f"{year}-W{week:02d}"


def _month(day: date) -> tuple[date, date, str]:
    start = day.replace(day=1)
    return start, date(start.year + start.month // 12, start.month % 12 + 1, 1), f"{start:%Y-%m}"


def weeks(first: date, last: date, timezone: ZoneInfo) -> tuple[Period, ...]:
    """The ISO weeks (Monday to Monday, local midnight) covering ``first`` to ``last``.

    Raises:
        ArgumentTypeError: ``first`` or ``last`` is not a date, or ``timezone`` not a zone.
        ConfigurationError: ``last`` lies before ``first``.
        OutOfRangeError: a week begins or ends outside the years 1 to 9999 (in UTC).

    >>> from zoneinfo import ZoneInfo
    >>> [p.label for p in weeks(date(2026, 11, 25), date(2026, 12, 8), ZoneInfo("UTC"))]
    ['2026-W48', '2026-W49', '2026-W50']
    """
    return _cut(first, last, timezone, _week)


def months(first: date, last: date, timezone: ZoneInfo) -> tuple[Period, ...]:
    """The calendar months covering ``first`` to ``last``.

    Raises:
        ArgumentTypeError: ``first`` or ``last`` is not a date, or ``timezone`` not a zone.
        ConfigurationError: ``last`` lies before ``first``.
        OutOfRangeError: a month begins or ends outside the years 1 to 9999 (in UTC).

    >>> from zoneinfo import ZoneInfo
    >>> [p.label for p in months(date(2026, 11, 25), date(2027, 1, 2), ZoneInfo("UTC"))]
    ['2026-11', '2026-12', '2027-01']
    """
    return _cut(first, last, timezone, _month)


def group_by(
    histories: Iterable[History], field_name: str | Callable[[History], FieldValue]
) -> dict[FieldValue, list[History]]:
    """Partition histories by a lead field (or a function of the history).

    Every history lands in exactly one group; leads without the field land under ``None``.
    """
    if not (callable(field_name) or isinstance(field_name, str)):
        raise ArgumentTypeError(
            "field_name", field_name, "a lead field name or a function of the history"
        )
    key = field_name if callable(field_name) else (lambda h: h.fields.get(field_name))
    groups: dict[FieldValue, list[History]] = {}
    for history in histories:
        groups.setdefault(key(history), []).append(history)
    return groups


_KEYS = frozenset({"record", "lead", "created_at", "amount", "touches"})


def _parse_time(value: Any, where: str, problems: list[Problem]) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        problems.append(Problem(where, "expected an ISO 8601 time with a time zone", value))
        return None
    return parsed


def parse_history(data: Any, *, where: str = "<history>") -> History:
    """Build a :class:`History` from one JSON object of the history format.

    Raises:
        HistoryError: the object is not a valid history; every problem is listed.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise HistoryError((Problem("<line>", "expected a JSON object", data),), record_id=where)
    problems.extend(Problem(k, "unknown key", data[k]) for k in data if k not in _KEYS)
    record = None
    if "record" not in data:
        problems.append(Problem("record", "missing: the lead's lifecycle record"))
    else:
        try:
            record = LeadRecord.from_json(data["record"])
        except LeadValidationError as error:
            problems.extend(
                Problem(f"record.{p.field}", p.message, p.value) for p in error.problems
            )
    lead = data.get("lead", {})
    fields: dict[str, FieldValue] = {}
    if not isinstance(lead, Mapping):
        problems.append(Problem("lead", "expected an object of lead fields", lead))
    else:
        for name, value in lead.items():
            if value is None or isinstance(value, str):
                fields[name] = value
            elif isinstance(value, bool | int | float):
                fields[name] = json.dumps(value)
            else:
                problems.append(Problem(f"lead.{name}", "expected a string, number or null", value))
    created = _parse_time(data.get("created_at"), "created_at", problems)
    if created is not None and record is not None and created_too_late(record, created):
        problems.append(
            Problem(
                "created_at",
                f"expected when the lead entered its origin stage, at or before its first step "
                f"({record.history[0].event.at.isoformat()})",
                data.get("created_at"),
            )
        )
    amount = data.get("amount")
    if amount is not None and (
        isinstance(amount, bool)
        or not isinstance(amount, int | float)
        or not (math.isfinite(amount) and amount >= 0)
    ):
        problems.append(Problem("amount", "expected a finite number >= 0", amount))
        amount = None
    touches = []
    raw_touches = data.get("touches", [])
    if not isinstance(raw_touches, list):
        problems.append(Problem("touches", "expected a list", raw_touches))
        raw_touches = []
    for i, touch in enumerate(raw_touches):
        if not isinstance(touch, Mapping):
            problems.append(Problem(f"touches.{i}", "expected an object", touch))
            continue
        at = _parse_time(touch.get("at"), f"touches.{i}.at", problems)
        if at is not None:
            touches.append(Touch(to_utc(at), touch.get("campaign"), touch.get("channel")))
    if problems or record is None:
        raise HistoryError(tuple(problems), record_id=where)
    value = None if amount is None else float(amount)
    return History(record, fields, created, value, tuple(sorted(touches)))


def numbered_lines(lines: Any, source: str) -> Iterator[tuple[str, str]]:
    """``(SOURCE:LINE, line)`` for each line of ``lines``, an iterable of ``str``.

    A line that is not a ``str`` is :class:`ArgumentTypeError`; a text file that fails to decode
    while iterated is :class:`HistoryError` at the first line not read (the bad byte lies there
    or after it: a text file decodes in chunks).
    """
    require_iterable(
        lines,
        "lines",
        "an iterable of str lines (an open text file, a list of str)",
        "open the file first: open(path, encoding='utf-8')" if isinstance(lines, str) else "",
    )
    number = 0
    try:
        for number, line in enumerate(lines, 1):
            if not isinstance(line, str):
                raise ArgumentTypeError(
                    f"line {source}:{number}",
                    line,
                    "a str (one line of JSON)",
                    "decode bytes first, e.g. open(path, encoding='utf-8')",
                )
            yield f"{source}:{number}", line
    except UnicodeDecodeError as error:
        raise HistoryError(
            (not_utf8(error, "at or after this line"),), record_id=f"{source}:{number + 1}"
        ) from None


def not_utf8(error: UnicodeDecodeError, where: str) -> Problem:
    """The problem of a line (or text) that does not decode as UTF-8."""
    bad = error.object[error.start : error.start + 1]
    return Problem(
        "<line>",
        f"not UTF-8 {where}: byte 0x{bad.hex()} ({error.reason}); expected a UTF-8 text file",
        None,
    )


def read_histories(lines: Iterable[str], *, source: str = "<history>") -> Iterator[History]:
    """Read the JSONL history format lazily, one history per non-blank line.

    Raises:
        HistoryError: a line is not valid JSON or not a valid history, or the file is not
            UTF-8 (``record_id`` is ``SOURCE:LINE``).
        ArgumentTypeError: ``lines`` is not an iterable of ``str`` (a path, bytes, ...).
    """
    for where, line in numbered_lines(lines, source):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problem = Problem("<line>", f"not JSON: {error.msg} at column {error.colno}", None)
            raise HistoryError((problem,), record_id=where) from None
        yield parse_history(data, where=where)


def check_unique(histories: Iterable[History]) -> list[History]:
    """The histories as a list, refusing two histories of the same lead.

    Raises:
        ConfigurationError: a lead id appears twice.
        ArgumentTypeError: ``histories`` is not an iterable of :class:`History`.
    """
    require_iterable(histories, "histories", "an iterable of History")
    seen: set[str] = set()
    result = []
    for history in histories:
        if not isinstance(history, History):
            raise ArgumentTypeError(
                "histories", history, "an iterable of History", "each item must be a History"
            )
        lead_id = history.record.lead_id
        if lead_id in seen:
            raise ConfigurationError(
                f"lead {lead_id!r} appears twice in the histories; expected one history per lead",
                field="lead_id",
                value=lead_id,
                expected="one history per lead",
            )
        seen.add(lead_id)
        result.append(history)
    return result
