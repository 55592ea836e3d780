"""SLA clock benchmark: leadflow against businesstimedelta and pandas, same inputs, one process.

10,000 random starts over 2026, Europe/Berlin, DE-BE public holidays, Mon-Fri 08:00-18:00, a
4-business-hour deadline. leadflow gets and returns aware ``datetime`` objects; the peers get
inputs already converted to their own types (pytz-aware datetimes, pandas Timestamps, also naive
local Timestamps, pandas' fastest and DST-blind case), so the conversion is not charged to them.
The ratios use each peer's faster variant. Each figure is the best of several runs, per call.

    python benchmarks/bench_sla.py
"""

from __future__ import annotations

import platform
import random
import sys
import time
from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import businesstimedelta
import holidays
import pandas as pd
import pytz

from leadflow.sla import BusinessCalendar

N = 10_000
REPEAT = 5
SEED = 20260101
BERLIN = ZoneInfo("Europe/Berlin")
DEADLINE = timedelta(hours=4)


def best_per_call(run: Callable[[], object], calls: int) -> float:
    """Return the best per-call time in microseconds over REPEAT runs."""
    best = float("inf")
    for _ in range(REPEAT):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return best / calls * 1e6


def main() -> None:
    rng = random.Random(SEED)
    year_start = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [
        (year_start + timedelta(seconds=rng.randrange(365 * 86400))).astimezone(BERLIN)
        for _ in range(N)
    ]
    ends = [
        (s.astimezone(UTC) + timedelta(hours=rng.randrange(1, 72))).astimezone(BERLIN)
        for s in starts
    ]
    de_be = holidays.country_holidays("DE", subdiv="BE", years=[2026, 2027])
    holiday_dates = sorted(de_be)

    # -- leadflow ---------------------------------------------------------------------------
    began = time.perf_counter()
    calendar = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE"
    )
    calendar.add(starts[0], DEADLINE)
    cold_ms = (time.perf_counter() - began) * 1e3
    calendar.add(datetime(2027, 1, 1, tzinfo=BERLIN), DEADLINE)  # warm 2027 for year-end starts

    def leadflow_add() -> list[datetime]:
        add = calendar.add
        return [add(s, DEADLINE) for s in starts]

    def leadflow_between() -> list[timedelta]:
        between = calendar.between
        return [between(s, e) for s, e in zip(starts, ends, strict=True)]

    def leadflow_is_open() -> list[bool]:
        is_open = calendar.is_open
        return [is_open(s) for s in starts]

    ours = leadflow_add()

    # -- the floor: a bare bisect over precomputed UTC intervals, aware datetimes in and out --
    table = calendar._table(2026)  # private on purpose: the floor under the public API
    bounds = table.bounds

    def floor_bisect() -> list[datetime]:
        out = []
        for s in starts:
            u = s.astimezone(UTC)
            k = bisect_right(bounds, u)
            out.append(bounds[min(k, len(bounds) - 1)].astimezone(BERLIN))
        return out

    # -- businesstimedelta ------------------------------------------------------------------
    tz = pytz.timezone("Europe/Berlin")
    workday = businesstimedelta.WorkDayRule(
        start_time=datetime.min.time().replace(hour=8),
        end_time=datetime.min.time().replace(hour=18),
        working_days=[0, 1, 2, 3, 4],
        tz=tz,
    )
    rules = businesstimedelta.Rules([workday, businesstimedelta.HolidayRule(de_be, tz=tz)])
    btd_delta = businesstimedelta.BusinessTimeDelta(rules, hours=4)
    btd_starts = [s.astimezone(tz) for s in starts]
    btd_ends = [e.astimezone(tz) for e in ends]

    def btd_add() -> list[datetime]:
        return [s + btd_delta for s in btd_starts]

    def btd_between() -> list[object]:
        return [rules.difference(s, e) for s, e in zip(btd_starts, btd_ends, strict=True)]

    # -- pandas -----------------------------------------------------------------------------
    cbh = pd.offsets.CustomBusinessHour(
        n=4,
        start="08:00",
        end="18:00",
        weekmask="Mon Tue Wed Thu Fri",
        holidays=[date.isoformat(d) for d in holiday_dates],
    )
    pd_starts = [pd.Timestamp(s) for s in starts]
    pd_naive = [pd.Timestamp(s.replace(tzinfo=None)) for s in starts]

    def pandas_add() -> list[pd.Timestamp]:
        return [s + cbh for s in pd_starts]

    def pandas_naive_add() -> list[pd.Timestamp]:
        return [s + cbh for s in pd_naive]

    # -- agreement --------------------------------------------------------------------------
    theirs_btd = btd_add()
    theirs_pd = pandas_add()
    differ_btd = sum(
        a.astimezone(UTC) != b.astimezone(UTC) for a, b in zip(ours, theirs_btd, strict=True)
    )
    differ_pd = sum(
        a.astimezone(UTC) != b.to_pydatetime().astimezone(UTC)
        for a, b in zip(ours, theirs_pd, strict=True)
    )
    theirs_between = btd_between()
    differ_between = sum(
        calendar.between(s, e) != timedelta(hours=d.hours, seconds=d.seconds)  # type: ignore[attr-defined]
        for s, e, d in zip(starts, ends, theirs_between, strict=True)
    )

    # -- timing -----------------------------------------------------------------------------
    t_add = best_per_call(leadflow_add, N)
    t_between = best_per_call(leadflow_between, N)
    t_open = best_per_call(leadflow_is_open, N)
    t_floor = best_per_call(floor_bisect, N)
    t_btd = best_per_call(btd_add, N)
    t_btd_between = best_per_call(btd_between, N)
    t_pd = best_per_call(pandas_add, N)
    t_pd_naive = best_per_call(pandas_naive_add, N)
    t_pd_best = min(t_pd, t_pd_naive)

    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(f"{N:,} random starts over 2026, Europe/Berlin, DE-BE, Mon-Fri 08:00-18:00, 4 h deadline")
    print(f"best of {REPEAT} runs, microseconds per call\n")
    rows = [
        ("leadflow add", t_add),
        ("leadflow between", t_between),
        ("leadflow is_open", t_open),
        ("floor: bare bisect, aware in/out", t_floor),
        ("businesstimedelta add", t_btd),
        ("businesstimedelta difference", t_btd_between),
        ("pandas CustomBusinessHour add", t_pd),
        ("pandas, naive local Timestamps", t_pd_naive),
    ]
    for name, value in rows:
        print(f"  {name:34s} {value:8.2f} µs")
    print()
    print(f"  add:     {t_btd / t_add:6.1f}x faster than businesstimedelta (target >= 40x)")
    print(
        f"  add:     {t_pd_best / t_add:6.1f}x faster than pandas, its faster variant (target >= 15x)"
    )
    print(f"  between: {t_btd_between / t_between:6.1f}x faster than businesstimedelta")
    print(f"  add is {t_add / t_floor:.1f}x the bare-bisect floor")
    print(f"\n  first call (build calendar, resolve holidays, 2026 table): {cold_ms:.1f} ms")
    print(f"  deadlines differing from businesstimedelta: {differ_btd} of {N}")
    print(f"  deadlines differing from pandas:            {differ_pd} of {N}")
    print(f"  elapsed times differing from businesstimedelta: {differ_between} of {N}")


if __name__ == "__main__":
    main()
