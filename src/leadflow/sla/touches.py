"""The touch rule: enough contact attempts, spread over enough time, before "unreachable".

"At least 6 touches (calls, emails, LinkedIn) over 2 weeks before disqualifying": a lead may be
disqualified as unreachable at ``now`` when at least ``min_touches`` attempts were made up to
``now`` and at least ``over`` has passed between the first attempt and ``now``. With ``min_gap``
set, an attempt less than ``min_gap`` after the previous counted one does not count, so six calls
in one afternoon are one touch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from leadflow._time import results_in_range, to_utc
from leadflow.errors import ArgumentTypeError

__all__ = ("TouchCheck", "TouchRule")

_CONFIG = ConfigDict(frozen=True, extra="forbid")


def _duration(value: timedelta) -> str:
    days, seconds = value.days, value.seconds
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days != 1 else ""))
    if seconds // 3600:
        parts.append(f"{seconds // 3600} h")
    if seconds % 3600 // 60:
        parts.append(f"{seconds % 3600 // 60} min")
    return " ".join(parts) or "less than a minute"


class TouchCheck(BaseModel):
    """What the touch rule says at ``now``, and exactly what is missing.

    Attributes:
        satisfied: the lead may be disqualified as unreachable now.
        touches: attempts counted (at or before ``now``, and ``min_gap`` apart).
        ignored: attempts not counted because they came too soon after the previous one.
        missing_touches: attempts still to make (0 when enough).
        first_touch_at, last_touch_at: the counted attempts' range (``None`` without any).
        window_ends_at: first attempt + ``over``: the earliest moment the rule can hold.
        wait: time from ``now`` until ``window_ends_at`` (0 when passed or without attempts).
        message: the answer in one sentence.
    """

    model_config = _CONFIG

    satisfied: bool
    touches: int = Field(ge=0)
    ignored: int = Field(default=0, ge=0)
    missing_touches: int = Field(ge=0)
    first_touch_at: AwareDatetime | None
    last_touch_at: AwareDatetime | None
    window_ends_at: AwareDatetime | None
    wait: timedelta
    message: str


class TouchRule(BaseModel):
    """At least ``min_touches`` contact attempts spread over ``over`` before disqualifying.

    >>> from datetime import datetime, timedelta, UTC
    >>> first = datetime(2026, 6, 1, 9, tzinfo=UTC)
    >>> touches = [first + timedelta(days=d) for d in (0, 2, 4, 7)]
    >>> print(TouchRule().check(touches, now=first + timedelta(days=10)).message)
    not yet: 2 more touches needed (4 of 6) and 4 days more (2 weeks after the first touch on 2026-06-01 09:00 UTC)
    """

    model_config = _CONFIG

    min_touches: int = Field(default=6, ge=1)
    over: timedelta = Field(default=timedelta(days=14), ge=timedelta(0))
    min_gap: timedelta | None = Field(default=None, gt=timedelta(0))

    def check(self, touches: Iterable[datetime], *, now: datetime) -> TouchCheck:
        """Check the attempts made up to ``now``; later timestamps are not counted.

        Raises:
            NaiveDatetimeError: ``now`` or a touch is naive.
            ArgumentTypeError: ``touches`` is not an iterable of datetimes (a ``TypeError``).
            OutOfRangeError: a time lies beyond datetime's years 1 to 9999.
        """
        if isinstance(touches, str | bytes | Mapping) or not isinstance(touches, Iterable):
            raise ArgumentTypeError("touches", touches, "an iterable of aware datetimes")
        with results_in_range("over", self.over):
            return self._check(touches, now)

    def _check(self, touches: Iterable[datetime], now: datetime) -> TouchCheck:
        now_utc = to_utc(now, "now")
        zone = now.tzinfo
        made = sorted(t for t in (to_utc(t, "touch") for t in touches) if t <= now_utc)
        counted: list[datetime] = []
        for touch in made:
            if not counted or self.min_gap is None or touch - counted[-1] >= self.min_gap:
                counted.append(touch)
        ignored = len(made) - len(counted)
        missing = max(0, self.min_touches - len(counted))
        if not counted:
            return TouchCheck(
                satisfied=False,
                touches=0,
                missing_touches=missing,
                first_touch_at=None,
                last_touch_at=None,
                window_ends_at=None,
                wait=self.over,
                message=f"not yet: no touches made; {self.min_touches} needed over "
                f"{_duration(self.over)}",
            )
        first, last = counted[0], counted[-1]
        window_end = first + self.over
        wait = max(timedelta(0), window_end - now_utc)
        satisfied = not missing and not wait
        stamp = first.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        over = "2 weeks" if self.over == timedelta(days=14) else _duration(self.over)
        gaps = []
        if missing:
            noun = "touch" if missing == 1 else "touches"
            gaps.append(f"{missing} more {noun} needed ({len(counted)} of {self.min_touches})")
            if ignored:
                gaps[-1] = gaps[-1][:-1] + (
                    f"; {ignored} not counted, less than {_duration(self.min_gap or timedelta(0))} "
                    "after the previous)"
                )
        if wait:
            gaps.append(f"{_duration(wait)} more ({over} after the first touch on {stamp})")
        message = (
            f"may disqualify: {len(counted)} touches over {_duration(now_utc - first)}"
            if satisfied
            else "not yet: " + " and ".join(gaps)
        )
        return TouchCheck(
            satisfied=satisfied,
            touches=len(counted),
            ignored=ignored,
            missing_touches=missing,
            first_touch_at=first.astimezone(zone),
            last_touch_at=last.astimezone(zone),
            window_ends_at=window_end.astimezone(zone),
            wait=wait,
            message=message,
        )
