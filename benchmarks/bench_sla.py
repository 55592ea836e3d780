"""SLA clock benchmark: leadflow against businesstimedelta and pandas, the same work for each.

Seeded random inputs over 2026-2027 in three zones (Europe/Berlin, UTC, America/New_York),
Mon-Fri 08:00-18:00 Europe/Berlin with DE-BE public holidays, deadlines of 1-48 business hours.
Every contender gets the same aware ``datetime`` objects and pays for converting them to its own
types inside the timed loop (pytz for businesstimedelta, ``Timestamp`` in the calendar's zone for
pandas); the peers' duration objects are built once per distinct duration, outside the timing.
Results are compared with leadflow's on every input before anything is timed; a peer that
disagrees is reported, not timed. Contenders are timed interleaved; figures are medians.

``SlaPolicy.track`` is timed against the two calendar additions it needs (deadline and warning:
``add(start, target)`` and ``add(start, target * warning)`` on the same inputs, in the same
rounds, their results checked equal to the status's ``due_at`` and ``warning_at``) and against the tracker as it was before issue 16
(``tests/sla/old_track.py``), on leads at every stage: running, at risk, met, breached.

    python benchmarks/bench_sla.py [--quick] [--json benchmarks/results/sla.json]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import businesstimedelta
import holidays
import pandas as pd
import pytz

from leadflow.sla import BusinessCalendar, SlaPolicy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import Contender, arguments, check, interleaved, ratio, report
from tests.sla.old_track import old_policy_track

BERLIN = ZoneInfo("Europe/Berlin")
ZONES = (BERLIN, UTC, ZoneInfo("America/New_York"))


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--no-gc", action="store_true", help="garbage collector off while timing")
    args = parser.parse_args()
    n, rounds = (2_000, 5) if args.quick else (args.items, args.rounds)
    rng = random.Random(args.seed)
    origin = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [
        (origin + timedelta(seconds=rng.randrange(2 * 365 * 86400 - 30 * 86400))).astimezone(
            rng.choice(ZONES)
        )
        for _ in range(n)
    ]
    hours = [rng.randint(1, 48) for _ in range(n)]
    spans = [timedelta(hours=h) for h in hours]
    ends = [
        (s.astimezone(UTC) + timedelta(minutes=rng.randrange(60, 96 * 60))).astimezone(
            rng.choice(ZONES)
        )
        for s in starts
    ]
    de_be = holidays.country_holidays("DE", subdiv="BE", years=[2026, 2027, 2028])

    began = time.perf_counter()
    calendar = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE"
    )
    calendar.add(starts[0], spans[0])
    cold_ms = (time.perf_counter() - began) * 1e3
    for year in (2026, 2027, 2028):  # build every year's table before timing
        calendar.add(datetime(year, 6, 1, tzinfo=UTC), timedelta(hours=1))

    # -- leadflow -----------------------------------------------------------------------------
    def leadflow_add() -> list[datetime]:
        add = calendar.add
        return [add(s, d) for s, d in zip(starts, spans, strict=True)]

    def leadflow_between() -> list[timedelta]:
        between = calendar.between
        return [between(s, e) for s, e in zip(starts, ends, strict=True)]

    # -- businesstimedelta ----------------------------------------------------------------------
    tz = pytz.timezone("Europe/Berlin")
    workday = businesstimedelta.WorkDayRule(
        start_time=datetime.min.time().replace(hour=8),
        end_time=datetime.min.time().replace(hour=18),
        working_days=[0, 1, 2, 3, 4],
        tz=tz,
    )
    rules = businesstimedelta.Rules([workday, businesstimedelta.HolidayRule(de_be, tz=tz)])
    btd_deltas = {h: businesstimedelta.BusinessTimeDelta(rules, hours=h) for h in set(hours)}

    def btd_add() -> list[datetime]:
        return [s.astimezone(tz) + btd_deltas[h] for s, h in zip(starts, hours, strict=True)]

    def btd_between() -> list[timedelta]:
        out = []
        for s, e in zip(starts, ends, strict=True):
            d = rules.difference(s.astimezone(tz), e.astimezone(tz))
            out.append(timedelta(hours=d.hours, seconds=d.seconds))
        return out

    # -- pandas -------------------------------------------------------------------------------
    holiday_days = [date.isoformat(d) for d in sorted(de_be)]
    offsets = {
        h: pd.offsets.CustomBusinessHour(
            n=h, start="08:00", end="18:00", weekmask="Mon Tue Wed Thu Fri", holidays=holiday_days
        )
        for h in set(hours)
    }

    def pandas_add() -> list[pd.Timestamp]:
        return [
            pd.Timestamp(s).tz_convert(BERLIN) + offsets[h]
            for s, h in zip(starts, hours, strict=True)
        ]

    def pandas_naive_add() -> list[pd.Timestamp]:
        out = []
        for s, h in zip(starts, hours, strict=True):
            local = pd.Timestamp(s.astimezone(BERLIN).replace(tzinfo=None)) + offsets[h]
            out.append(local.tz_localize(BERLIN))
        return out

    # -- track ----------------------------------------------------------------------------------
    policy = SlaPolicy()
    segments = [rng.choice(("hot", "warm")) for _ in range(n)]
    nows, responses = [], []
    for s, segment in zip(starts, segments, strict=True):
        within = policy.target(segment).within
        assert within is not None
        stage = rng.random()
        if stage < 0.5:  # running, a quarter of them at risk
            nows.append(calendar.add(s, within * rng.random()))
            responses.append(None)
        elif stage < 0.75:  # breached
            nows.append(calendar.add(s, within * (1 + rng.random())))
            responses.append(None)
        else:  # answered, in time or late
            answer = calendar.add(s, within * rng.uniform(0.1, 1.3))
            nows.append(answer + timedelta(hours=rng.randint(0, 48)))
            responses.append(answer)

    def leadflow_track() -> list[object]:
        track = policy.track
        return [
            track(g, s, now=t, calendars=calendar, met_at=m)
            for g, s, t, m in zip(segments, starts, nows, responses, strict=True)
        ]

    def old_track() -> list[object]:
        return [
            old_policy_track(policy, g, s, now=t, calendars=calendar, met_at=m)
            for g, s, t, m in zip(segments, starts, nows, responses, strict=True)
        ]

    within_of = [policy.target(g).within for g in segments]
    warnings = [w * policy.target(g).warning for g, w in zip(segments, within_of, strict=True)]  # type: ignore[operator]

    def two_adds() -> list[tuple[datetime, datetime]]:
        add = calendar.add
        return [
            (add(s, d), add(s, w))
            for s, d, w in zip(starts, within_of, warnings, strict=True)  # type: ignore[arg-type]
        ]

    def leadflow_track_dropped() -> list[object]:
        track = policy.track
        for g, s, t, m in zip(segments, starts, nows, responses, strict=True):
            track(g, s, now=t, calendars=calendar, met_at=m)
        return []

    def two_adds_dropped() -> list[object]:
        add = calendar.add
        for s, d, w in zip(starts, within_of, warnings, strict=True):
            add(s, d)  # type: ignore[arg-type]
            add(s, w)
        return []

    def same_instant(a: datetime, b: object) -> bool:
        """The same instant, or the same business instant: pandas moves a deadline that falls
        on a closing time to the next opening (Friday 18:00 becomes Monday 08:00), where
        leadflow gives the earliest instant; no business time lies between the two."""
        if isinstance(b, pd.Timestamp):
            b = b.to_pydatetime()
        assert isinstance(b, datetime)
        return a.astimezone(UTC) == b.astimezone(UTC) or (
            b > a and calendar.between(a, b) == timedelta(0) and not calendar.is_open(a)
        )

    contenders = [
        Contender("leadflow add", leadflow_add, n, group="add"),
        Contender(
            "businesstimedelta start + BusinessTimeDelta",
            btd_add,
            n,
            group="add",
            reference="leadflow add",
            same=same_instant,
        ),
        Contender(
            "pandas Timestamp + CustomBusinessHour, tz-aware",
            pandas_add,
            n,
            group="add",
            reference="leadflow add",
            same=same_instant,
        ),
        Contender(
            "pandas, naive local Timestamps",
            pandas_naive_add,
            n,
            group="add",
            reference="leadflow add",
            same=same_instant,
        ),
        Contender("leadflow between", leadflow_between, n, group="between"),
        Contender(
            "businesstimedelta Rules.difference",
            btd_between,
            n,
            group="between",
            reference="leadflow between",
        ),
        Contender("leadflow SlaPolicy.track", leadflow_track, n, group="track"),
        Contender("two calendar additions (add x2)", two_adds, n, group="track"),
        Contender(
            "leadflow SlaPolicy.track, each status dropped (a streaming check)",
            leadflow_track_dropped,
            n,
            group="track",
        ),
        Contender(
            "two calendar additions, results dropped",
            two_adds_dropped,
            n,
            group="track",
        ),
        Contender(
            "tracker before issue 16 (tests/sla/old_track.py)",
            old_track,
            n,
            group="track",
            reference="leadflow SlaPolicy.track",
        ),
    ]
    results = check(contenders)
    tracked = results["leadflow SlaPolicy.track"]
    # track's deadline and warning are the two additions, down to the zone and the fold
    for status, pair in zip(tracked, results["two calendar additions (add x2)"], strict=True):
        got = (status.due_at, status.warning_at)  # type: ignore[attr-defined]
        assert [repr(t) for t in got] == [repr(t) for t in pair], (got, pair)  # type: ignore[attr-defined]
    states: dict[str, int] = {}
    for status in tracked:
        key = status.state.value + (" at risk" if status.at_risk else "")  # type: ignore[attr-defined]
        states[key] = states.get(key, 0) + 1
    interleaved(contenders, rounds, collect=not args.no_gc)
    ratios = {
        "track / two additions": ratio(
            contenders, "leadflow SlaPolicy.track", "two calendar additions (add x2)"
        ),
        "track / two additions, results dropped": ratio(
            contenders,
            "leadflow SlaPolicy.track, each status dropped (a streaming check)",
            "two calendar additions, results dropped",
        ),
        "old track / track": ratio(
            contenders,
            "tracker before issue 16 (tests/sla/old_track.py)",
            "leadflow SlaPolicy.track",
        ),
    }
    for peer in (
        "businesstimedelta start + BusinessTimeDelta",
        "pandas Timestamp + CustomBusinessHour, tz-aware",
        "pandas, naive local Timestamps",
    ):
        ratios[f"{peer} / leadflow add"] = ratio(contenders, peer, "leadflow add")
    ratios["businesstimedelta Rules.difference / leadflow between"] = ratio(
        contenders, "businesstimedelta Rules.difference", "leadflow between"
    )
    report(
        "bench_sla",
        contenders,
        setup={
            "items": n,
            "rounds": rounds,
            "seed": args.seed,
            "inputs": "starts over 2026-2027 in Europe/Berlin, UTC, America/New_York; 1-48 h",
            "track states": dict(sorted(states.items())),
        },
        ratios=ratios,
        extra={"first call (calendar, holidays, first year table), ms": round(cold_ms, 1)},
        packages=("businesstimedelta", "pandas"),
        json_path=args.json,
    )


if __name__ == "__main__":
    main()
