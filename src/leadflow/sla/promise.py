"""The promise: the concrete time an auto-responder tells the customer to expect an answer."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from leadflow._time import results_in_range, to_utc
from leadflow.errors import ArgumentTypeError, ConfigurationError
from leadflow.sla.calendar import BusinessCalendar

__all__ = ("Promise", "promise")


class Promise(BaseModel):
    """ "We will answer by ...": the deadline promised for a lead received at ``received_at``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    received_at: AwareDatetime
    answer_by: AwareDatetime
    within: timedelta

    def text(
        self, template: str = "You will get an answer by {answer_by:%A, %d %B %Y, %H:%M}."
    ) -> str:
        """Render the promise with ``str.format`` fields ``answer_by``, ``received_at``, ``within``."""
        return template.format(
            answer_by=self.answer_by, received_at=self.received_at, within=self.within
        )

    def __str__(self) -> str:
        return self.text()


def _round_up(value: datetime, step: timedelta) -> datetime:
    midnight = datetime.combine(value.date(), time(0), tzinfo=value.tzinfo)
    wall = value.replace(tzinfo=None) - midnight.replace(tzinfo=None)
    steps = -(-wall // step)
    rounded = midnight + steps * step  # wall-clock arithmetic, on purpose
    if rounded.astimezone(UTC) < value.astimezone(UTC):  # a DST fold; never promise earlier
        return value
    return rounded.astimezone(value.tzinfo)


def promise(
    received_at: datetime,
    within: timedelta,
    calendar: BusinessCalendar,
    *,
    round_to: timedelta | None = None,
) -> Promise:
    """Return the promise for a lead received at ``received_at`` with ``within`` business time.

    ``round_to`` rounds the time up on the local clock (``timedelta(minutes=15)`` turns 11:52 into
    12:00), so the promise reads well and is never earlier than the real deadline.

    >>> from datetime import datetime, timedelta
    >>> cal = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin")
    >>> saturday = datetime(2026, 6, 6, 19, 30, tzinfo=cal.timezone)
    >>> print(promise(saturday, timedelta(hours=4), cal))
    You will get an answer by Monday, 08 June 2026, 12:00.

    Raises:
        NaiveDatetimeError: ``received_at`` is naive.
        ConfigurationError: ``within`` is negative or ``round_to`` is not positive.
        ArgumentTypeError: an argument has the wrong type (a ``TypeError``).
        OutOfRangeError: ``received_at`` or the deadline lies beyond datetime's years 1 to 9999.
    """
    to_utc(received_at, "received_at")
    if not isinstance(within, timedelta):
        raise ArgumentTypeError("within", within, "a datetime.timedelta >= 0")
    if not isinstance(calendar, BusinessCalendar):
        raise ArgumentTypeError("calendar", calendar, "a BusinessCalendar")
    if round_to is not None and not isinstance(round_to, timedelta):
        raise ArgumentTypeError("round_to", round_to, "a datetime.timedelta or None")
    if within < timedelta(0):
        raise ConfigurationError(
            f"a promise needs a duration of zero or more, got {within}",
            field="within",
            value=within,
            expected="a timedelta >= 0",
        )
    if round_to is not None and (round_to <= timedelta(0) or timedelta(days=1) % round_to):
        raise ConfigurationError(
            f"round_to must divide a day evenly, got {round_to}",
            field="round_to",
            value=round_to,
            expected="e.g. timedelta(minutes=15)",
        )
    answer_by = calendar.add(received_at, within)
    with results_in_range("within", within):
        if round_to is not None:
            answer_by = _round_up(answer_by, round_to)
        received = received_at.astimezone(calendar.timezone)
    return Promise(received_at=received, answer_by=answer_by, within=within)
