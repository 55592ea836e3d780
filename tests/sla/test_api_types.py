"""The SLA API with wrong types and instants at the ends of the calendar: only our errors.

Each public function and method is called with working arguments, then with one argument
replaced by a wrong value (``tests/api_walk.py``); every error must be a ``LeadflowError`` that is
also a ``TypeError``, ``ValueError`` or ``OverflowError``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

import leadflow as lf
from leadflow.sla import (
    FEEDBACK_LADDER,
    RESPONSE_LADDER,
    BusinessCalendar,
    SlaPolicy,
    TouchRule,
    WorkingHours,
    holiday_source,
    parse_closures,
    parse_hours,
    promise,
    track,
)
from tests.api_walk import walk

NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2026, 6, 8, 9, tzinfo=NEW_YORK)
LATER = datetime(2026, 6, 9, 15, tzinfo=NEW_YORK)
H = timedelta(hours=1)
CAL = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="America/New_York")
# Reaching datetime.max (or a business duration of thousands of years) walks ~8,000 yearly
# tables: correct but ~8 s, so those values are measured once by hand, not walked here.
FAR = (
    datetime.max.replace(tzinfo=UTC),
    datetime.min.replace(tzinfo=UTC),
    timedelta(days=3_000_000),
)

CASES = [
    (CAL.is_open, {"at": START}, ()),
    (CAL.next_open, {"at": START}, ()),
    (CAL.next_close, {"at": START}, ()),
    (CAL.add, {"start": START, "duration": 5 * H}, ()),
    (CAL.between, {"start": START, "end": LATER}, FAR),
    (CAL.holidays_in, {"year": 2026}, ()),
    (
        BusinessCalendar,
        {
            "hours": "mon-fri 08:00-18:00",
            "timezone": "Europe/Berlin",
            "holidays": "DE-BY",
            "closures": [date(2026, 12, 24)],
            "holiday_categories": ("public",),
        },
        (),
    ),
    (parse_hours, {"spec": "mon-fri 08:00-18:00"}, ()),
    (WorkingHours, {"days": parse_hours("mon 08:00-09:00").days}, ()),
    (parse_closures, {"spec": [date(2026, 12, 24)]}, ()),
    (holiday_source, {"spec": "DE-BY", "categories": None}, ()),
    (promise, {"received_at": START, "within": 4 * H, "calendar": CAL, "round_to": None}, ()),
    (
        track,
        {
            "started_at": START,
            "target": 4 * H,
            "now": LATER,
            "calendar": CAL,
            "pauses": (),
            "met_at": None,
            "warning": 0.75,
            "escalation": RESPONSE_LADDER,
        },
        FAR,
    ),
    (
        SlaPolicy().track,
        {
            "segment": "hot",
            "started_at": START,
            "now": LATER,
            "calendars": CAL,
            "pauses": [(START, START + H)],
            "met_at": None,
        },
        FAR,
    ),
    (
        SlaPolicy().deadline,
        {"segment": "warm", "received_at": START, "calendars": {"office": CAL}},
        (),
    ),
    (
        SlaPolicy().promise,
        {
            "segment": "hot",
            "received_at": START,
            "calendars": CAL,
            "round_to": timedelta(minutes=15),
        },
        (),
    ),
    (SlaPolicy().target, {"segment": "hot"}, ()),
    (SlaPolicy().track_routing, {"qualified_at": START, "now": LATER, "routed_at": None}, ()),
    (
        SlaPolicy().feedback_escalations,
        {"handed_off_at": START, "now": LATER, "feedback_at": None},
        (),
    ),
    (
        FEEDBACK_LADDER.due,
        {
            "started_at": START,
            "now": LATER,
            "resolved_at": None,
            "calendar": CAL,
            "pauses": (),
            "target": 4 * H,
        },
        (),
    ),
    (
        RESPONSE_LADDER.due,
        {
            "started_at": START,
            "now": LATER,
            "resolved_at": None,
            "calendar": CAL,
            "pauses": (),
            "target": 4 * H,
        },
        FAR,
    ),
    (TouchRule().check, {"touches": [START], "now": LATER}, ()),
]


@pytest.mark.parametrize(
    ("func", "kwargs", "skip"), CASES, ids=[getattr(c[0], "__qualname__", str(c[0])) for c in CASES]
)
def test_wrong_arguments_get_only_our_errors(func, kwargs, skip) -> None:
    problems = walk(
        func, kwargs, skip=skip, allowed=(ValidationError,) if func is WorkingHours else ()
    )
    assert not problems, "\n".join(problems)


END_NY = datetime(9999, 12, 31, 23, tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.is_open(END_NY),
        lambda: CAL.next_open(END_NY),
        lambda: CAL.next_close(END_NY),
        lambda: CAL.between(START, END_NY),
        lambda: CAL.add(END_NY, H),
        lambda: lf.promise(END_NY, H, CAL),
        lambda: SlaPolicy().track("hot", END_NY, now=END_NY, calendars=CAL),
    ],
)
def test_an_instant_past_the_end_of_datetime_is_out_of_range(call) -> None:
    with pytest.raises(lf.OutOfRangeError) as info:
        call()
    assert isinstance(info.value, OverflowError)
    assert info.value.value == END_NY
    assert "lies outside the range datetime can represent" in str(info.value)


def test_a_deadline_past_the_end_of_datetime_is_out_of_range() -> None:
    with pytest.raises(lf.OutOfRangeError, match=r"the deadline .* of business time after") as info:
        CAL.add(START, timedelta.max)
    assert info.value.argument == "duration"
    with pytest.raises(lf.OutOfRangeError, match="business time before"):
        CAL.add(START, timedelta.min)
    with pytest.raises(lf.OutOfRangeError):
        CAL.add(datetime(9999, 12, 30, 12, tzinfo=NEW_YORK), 30 * H)
    with pytest.raises(lf.OutOfRangeError):
        lf.promise(START, timedelta.max, CAL)
    with pytest.raises(lf.OutOfRangeError):
        track(START, timedelta(days=3_000_000), now=LATER)  # physical time, no calendar
    # the last hours datetime can hold still work
    assert CAL.add(datetime(9999, 12, 30, 12, tzinfo=NEW_YORK), 6 * H) == datetime(
        9999, 12, 30, 18, tzinfo=NEW_YORK
    )


def test_wrong_types_name_the_argument() -> None:
    with pytest.raises(
        lf.ArgumentTypeError, match=r"^duration must be a datetime.timedelta, got int 5$"
    ):
        CAL.add(START, 5)  # type: ignore[arg-type]
    with pytest.raises(
        lf.ArgumentTypeError, match=r"^start must be a timezone-aware datetime, got str"
    ):
        CAL.add("2026-06-08", H)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^calendars must be a BusinessCalendar or a mapping"):
        SlaPolicy().track("hot", START, now=LATER, calendars=None)  # type: ignore[arg-type]


def test_holiday_categories_as_one_name_is_one_category() -> None:
    assert holiday_source("DE-BY", "public").categories == ("public",)
