"""Long fuzz run of `BusinessCalendar` against the independent reference (not part of pytest).

Run it by hand after changing the calendar, e.g. 500 random calendars with 40 inputs each::

    /work/venv/bin/python -m tests.sla.fuzz_calendar 0 500 40

Each calendar gets random hours (several groups, overlapping and overnight spans, ``24:00``,
``00:00-24:00``, ``08:00-08:00``, wrapping day ranges, comma lists), a zone with odd DST rules, a
holiday region or dates, and closures (dates, date ranges across year ends, datetime pairs in
other zones). Inputs cluster on the reference's interval boundaries (exactly and 1 µs either
side), DST switches and year ends, in any zone (``fold=1`` inside a repeated hour); durations are
zero, microseconds, hours, years, positive and negative, and the exact business time to a
boundary. Every check compares instants in UTC and prints the first few failures of each kind.
"""

from __future__ import annotations

import bisect
import random
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.sla import BusinessCalendar
from tests.sla.independent_reference import DAYS, Reference, instant, micros

ZONES = (
    "Europe/Berlin",
    "America/Santiago",
    "Australia/Lord_Howe",
    "America/New_York",
    "America/Havana",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Pacific/Chatham",
    "Africa/Casablanca",
    "Europe/Dublin",
    "Asia/Kolkata",
    "UTC",
)
REGIONS = {
    "Europe/Berlin": "DE-BY",
    "America/Santiago": "CL",
    "Australia/Lord_Howe": "AU-NSW",
    "America/New_York": "US",
    "Europe/Dublin": "IE",
}
SPANS = ("00:00-24:00", "01:30-03:30", "22:00-06:00", "23:00-01:00", "00:00-02:00", "02:00-03:00")


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def clock(r: random.Random, *, end: bool = False) -> str:
    if end and r.random() < 0.12:
        return "24:00"
    hour = r.choice([0, 1, 2, 3, 8, 12, 18, 22, 23, r.randrange(24)])
    return f"{hour:02d}:{r.choice([0, 0, 30, 15, r.randrange(60)]):02d}"


def span(r: random.Random) -> str:
    if r.random() < 0.3:
        return r.choice(SPANS)
    start = clock(r)
    return f"{start}-{start}" if r.random() < 0.05 else f"{start}-{clock(r, end=True)}"


def days(r: random.Random) -> str:
    c = r.random()
    if c < 0.35:
        return r.choice(DAYS)
    if c < 0.75:
        return f"{r.choice(DAYS)}-{r.choice(DAYS)}"
    return ",".join(r.sample(DAYS, r.randint(2, 4)))


def hours(r: random.Random) -> str:
    if r.random() < 0.1:
        return r.choice(("mon-sun 00:00-24:00", "mon-fri 08:00-18:00"))
    groups = (
        f"{days(r)} {', '.join(span(r) for _ in range(r.randint(1, 3)))}"
        for _ in range(r.randint(1, 4))
    )
    return "; ".join(groups)


def transitions(zone: ZoneInfo) -> list[datetime]:
    found, t, step = [], datetime(2024, 1, 1, tzinfo=UTC), timedelta(hours=6)
    while t < datetime(2031, 1, 1, tzinfo=UTC):
        if t.astimezone(zone).utcoffset() != (t + step).astimezone(zone).utcoffset():
            lo = t
            while (lo + timedelta(minutes=1)).astimezone(zone).utcoffset() == t.astimezone(
                zone
            ).utcoffset():
                lo += timedelta(minutes=1)
            found.append(lo + timedelta(minutes=1))
        t += step
    return found


def run_one(seed: int, per: int, failures: Counter[str]) -> int:
    r = random.Random(seed)
    name = r.choice(ZONES)
    zone = ZoneInfo(name)
    spec = hours(r)
    some_day = date(r.randint(2024, 2029), 1, 1) + timedelta(days=r.randrange(366))
    holidays = r.choice(
        [None, REGIONS.get(name), [some_day + timedelta(days=k * 37) for k in range(10)]]
    )
    switches = transitions(zone)

    def anywhere() -> datetime:
        c = r.random()
        if c < 0.4 and switches:
            return r.choice(switches) + timedelta(minutes=r.randint(-2 * 1440, 2 * 1440))
        if c < 0.6:
            return datetime(r.randint(2025, 2030), 1, 1, tzinfo=UTC) + timedelta(
                minutes=r.randint(-2880, 2880)
            )
        return datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=r.randrange(5 * 525_600))

    def dress(t: datetime) -> datetime:  # astimezone sets fold=1 inside a repeated hour
        return t.astimezone(r.choice([zone, zone, UTC, ZoneInfo(r.choice(ZONES))]))

    closures: list[object] = []
    for _ in range(r.choice([0, 0, 1, 2, 4])):
        c = r.random()
        if c < 0.3:
            closures.append(some_day + timedelta(days=r.randrange(300)))
        elif c < 0.55:
            first = date(r.randint(2024, 2029), 12, r.randint(1, 31))
            closures.append((first, first + timedelta(days=r.choice([0, 3, 12, 400]))))
        else:
            lo = anywhere()
            closures.append((dress(lo), dress(lo + timedelta(minutes=r.randint(0, 7200)))))
    ref = Reference(spec, name, holidays, closures)
    cal = BusinessCalendar(hours=spec, timezone=name, holidays=holidays, closures=closures)
    if not ref.ivs:
        return 0
    points = [p for pair in ref.ivs for p in pair]
    lo_k = bisect.bisect_left(points, micros(datetime(2025, 1, 1, tzinfo=UTC)))
    hi_k = bisect.bisect_left(points, micros(datetime(2031, 1, 1, tzinfo=UTC)))

    def pick() -> datetime:
        if hi_k > lo_k and r.random() < 0.5:
            return dress(
                instant(points[r.randrange(lo_k, hi_k)] + r.choice([0, 0, 1, -1, 60_000_000]))
            )
        return dress(anywhere())

    def fail(kind: str, *info: object) -> None:
        failures[kind] += 1
        if failures[kind] <= 5:
            print(
                f"[{kind}] seed={seed} hours={spec!r} zone={name} holidays={holidays!r} closures={closures!r}"
            )
            print("    ", *info)

    for _ in range(per):
        t, other = pick(), pick()
        try:
            exact = ref.between(t, other)
            if cal.between(t, other) != exact:
                fail("between", t, other, cal.between(t, other), exact)
            if cal.is_open(t) != ref.is_open(t):
                fail("is_open", t)
            got, want = cal.next_open(t), ref.next_open(t)
            if utc(got) != utc(want) or got.tzinfo is not zone:
                fail("next_open", t, got, want)
            minutes = timedelta(minutes=r.choice([1, 30, 240, 1440, 20_000, 600_000]))
            for d in (
                exact,
                -exact,
                minutes,
                -minutes,
                timedelta(microseconds=r.randint(-(10**9), 10**9)),
            ):
                try:
                    want = ref.add(t, d)
                except OverflowError:  # beyond the reference's years
                    continue
                got = cal.add(t, d)
                if utc(got) != utc(want) or got.tzinfo is not zone:
                    fail("add", t, d, got, want)
        except OverflowError:
            continue
    return per


def main() -> None:
    first, count, per = (int(a) for a in sys.argv[1:4])
    failures: Counter[str] = Counter()
    cases = sum(run_one(seed, per, failures) for seed in range(first, first + count))
    print(f"{count} calendars, {cases} inputs, failures: {dict(failures) or 'none'}")


if __name__ == "__main__":
    main()
