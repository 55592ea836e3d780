"""The meeting rhythm as an iCalendar file (RFC 5545) with recurrence rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from dateutil import rrule

from leadflow._time import require_aware
from leadflow.agreement.model import Meeting
from leadflow.errors import AgreementInputError

if TYPE_CHECKING:
    from leadflow.agreement.engine import Agreement

__all__ = ("meetings_ics",)

_DAYS: Final = {
    "monday": ("MO", rrule.MO),
    "tuesday": ("TU", rrule.TU),
    "wednesday": ("WE", rrule.WE),
    "thursday": ("TH", rrule.TH),
    "friday": ("FR", rrule.FR),
    "saturday": ("SA", rrule.SA),
    "sunday": ("SU", rrule.SU),
}
_ORDINALS: Final = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_QUARTERS: Final = (1, 4, 7, 10)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 section 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _rule(meeting: Meeting) -> tuple[str, rrule.rrule]:
    code, weekday = _DAYS[meeting.day]
    n = _ORDINALS.get(meeting.ordinal or "", 0)
    if meeting.frequency == "weekly":
        return f"FREQ=WEEKLY;BYDAY={code}", rrule.rrule(rrule.WEEKLY, byweekday=weekday)
    by = f"BYDAY={n}{code}"
    if meeting.frequency == "monthly":
        return f"FREQ=MONTHLY;{by}", rrule.rrule(rrule.MONTHLY, byweekday=weekday(n))
    return (
        f"FREQ=MONTHLY;BYMONTH=1,4,7,10;{by}",
        rrule.rrule(rrule.MONTHLY, bymonth=_QUARTERS, byweekday=weekday(n)),
    )


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _transitions(zone: ZoneInfo, start: datetime, until: datetime) -> Iterator[datetime]:
    """The UTC instants at which ``zone``'s offset changes in [start, until]."""
    step = timedelta(days=1)
    t = start.astimezone(UTC)
    end = until.astimezone(UTC)
    while t < end:
        nxt = t + step
        if t.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            lo, hi = t, nxt
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset():
                    lo = mid
                else:
                    hi = mid
            yield hi.replace(second=0, microsecond=0)
        t = nxt


def _vtimezone(zone: ZoneInfo, start: datetime, until: datetime) -> list[str]:
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    first = start.astimezone(zone)
    kinds = []
    for instant in _transitions(zone, start - timedelta(days=1), until):
        before = (instant - timedelta(seconds=1)).astimezone(zone)
        after = instant.astimezone(zone)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        local = (instant + (before.utcoffset() or timedelta(0))).replace(tzinfo=None)
        kinds.append(
            (kind, local, _offset(before.utcoffset()), _offset(after.utcoffset()), after.tzname())
        )
    if not kinds:
        offset = _offset(first.utcoffset())
        kinds.append(("STANDARD", datetime(1970, 1, 1), offset, offset, first.tzname()))  # noqa: DTZ001 - a floating local time, as RFC 5545 wants
    for kind, local, frm, to, name in kinds:
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{local:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{frm}",
            f"TZOFFSETTO:{to}",
            f"TZNAME:{name}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def meetings_ics(agreement: Agreement, *, start: datetime, until: datetime) -> str:
    """The meetings of ``agreement`` from ``start`` to ``until`` as an iCalendar document.

    Each meeting is one ``VEVENT`` with an ``RRULE`` (weekly; monthly on the n-th weekday;
    quarterly as monthly in January, April, July and October) in the zone of the agreement's
    calendar, with a ``VTIMEZONE`` covering the period. Output is the same for the same input.

    Raises:
        NaiveDatetimeError: ``start`` or ``until`` has no time zone.
        AgreementInputError: ``until`` is not after ``start``.
    """
    require_aware(start, "start")
    require_aware(until, "until")
    if until <= start:
        raise AgreementInputError(
            f"until ({until.isoformat()}) must lie after start ({start.isoformat()})",
            field="until",
            value=until,
            expected="a time after start",
        )
    zone = agreement.calendars[agreement.default_calendar].timezone
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_until = until.astimezone(zone).replace(tzinfo=None)
    stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    until_utc = until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//leadflow//agreement meetings//EN",
        "CALSCALE:GREGORIAN",
        *_vtimezone(zone, start, until),
    ]
    for meeting in agreement.parts.meetings:
        text, rule = _rule(meeting)
        day = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        first = rule.replace(dtstart=day.replace(hour=meeting.at.hour, minute=meeting.at.minute))
        occurrence = first.after(local_start, inc=True)
        if occurrence is None or occurrence > local_until:
            continue
        minutes = int(meeting.length.total_seconds() // 60)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{meeting.name}-{agreement.fingerprint}@leadflow",
            f"DTSTAMP:{stamp}",
            f"DTSTART;TZID={zone.key}:{occurrence:%Y%m%dT%H%M%S}",
            f"DURATION:{_duration(minutes)}",
            f"RRULE:{text};UNTIL={until_utc}",
            f"SUMMARY:{_escape(meeting.name.replace('_', ' ').capitalize())}",
            f"DESCRIPTION:{_escape('With: ' + ', '.join(meeting.attendees))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
