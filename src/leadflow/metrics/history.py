"""The input of every metric: a lead's lifecycle record plus the lead data to group by.

A :class:`History` is what the agreement's event log gives per lead once replayed: the
:class:`~leadflow.lifecycle.LeadRecord` (stage, cycle, every step) and the lead's fields
(campaign, channel, source, owner, country, temperature at handoff, ...). Group keys are data:
any field name works. :class:`Period` is a half-open interval of time; :func:`weeks` and
:func:`months` cut a range into calendar periods.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from leadflow._time import to_utc
from leadflow.errors import ConfigurationError, HistoryError, LeadValidationError, Problem
from leadflow.lifecycle import LeadRecord

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


class Period(NamedTuple):
    """A half-open interval ``[start, end)`` of time with a label for reports."""

    start: datetime
    end: datetime
    label: str = ""

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` lies in ``[start, end)``."""
        return self.start <= at < self.end

    @property
    def days(self) -> float:
        """The length in days."""
        return (self.end - self.start) / timedelta(days=1)


def in_period(period: Period | None, at: datetime | None) -> bool:
    """``True`` without a period; else whether ``at`` is known and lies in it."""
    return period is None or (at is not None and period.start <= at < period.end)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return to_utc(datetime.combine(day, time(), zone), "start")


def weeks(first: date, last: date, timezone: ZoneInfo) -> tuple[Period, ...]:
    """The ISO weeks (Monday to Monday, local midnight) covering ``first`` to ``last``.

    >>> from zoneinfo import ZoneInfo
    >>> [p.label for p in weeks(date(2026, 11, 25), date(2026, 12, 8), ZoneInfo("UTC"))]
    ['2026-W48', '2026-W49', '2026-W50']
    """
    monday = first - timedelta(days=first.weekday())
    result = []
    while monday <= last:
        year, week, _ = monday.isocalendar()
        end = monday + timedelta(days=7)
        result.append(
            Period(_midnight(monday, timezone), _midnight(end, timezone), f"{year}-W{week:02d}")
        )
        monday = end
    return tuple(result)


def months(first: date, last: date, timezone: ZoneInfo) -> tuple[Period, ...]:
    """The calendar months covering ``first`` to ``last``.

    >>> from zoneinfo import ZoneInfo
    >>> [p.label for p in months(date(2026, 11, 25), date(2027, 1, 2), ZoneInfo("UTC"))]
    ['2026-11', '2026-12', '2027-01']
    """
    start = first.replace(day=1)
    result = []
    while start <= last:
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        result.append(
            Period(_midnight(start, timezone), _midnight(end, timezone), f"{start:%Y-%m}")
        )
        start = end
    return tuple(result)


def group_by(
    histories: Iterable[History], field_name: str | Callable[[History], FieldValue]
) -> dict[FieldValue, list[History]]:
    """Partition histories by a lead field (or a function of the history).

    Every history lands in exactly one group; leads without the field land under ``None``.
    """
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
    amount = data.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
        problems.append(Problem("amount", "expected a number", amount))
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


def read_histories(lines: Iterable[str], *, source: str = "<history>") -> Iterator[History]:
    """Read the JSONL history format lazily, one history per non-blank line.

    Raises:
        HistoryError: a line is not valid JSON or not a valid history (``record_id`` is
            ``SOURCE:LINE``).
    """
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
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
    """
    seen: set[str] = set()
    result = []
    for history in histories:
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
