"""The agreement's alerts as the metrics' own values: ONE mapping from the file to the metrics.

``alerts over 30 days { ... }`` becomes :class:`~leadflow.metrics.Threshold` values and
``escalate misses { ... }`` the :class:`~leadflow.metrics.Rung` ladder; the library defaults
(:data:`~leadflow.metrics.DEFAULT_THRESHOLDS`, :data:`~leadflow.metrics.DEFAULT_LADDER`) are
what the shipped ``examples/agreement.lf`` states, and a test keeps them equal.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final, Literal

from leadflow.agreement import Agreement
from leadflow.agreement.model import Alert as AlertLine
from leadflow.agreement.model import Miss
from leadflow.errors import ConfigurationError
from leadflow.metrics.alerts import (
    DEFAULT_LADDER,
    DEFAULT_THRESHOLDS,
    AlertRules,
    Rung,
    Threshold,
)

__all__ = ("alert_rules",)

_SETTLE: Final = {"mql_to_sql": timedelta(days=14)}
"""Cohort rates wait this long after a period before it is judged (not an agreement figure:
the time the metric itself needs for the leads to convert)."""

_PLAIN: Final = ("mql_to_sql", "sal_acceptance")
"""The plain metric names of an ``alerts`` line the metrics judge under the same name; the
agreement loader accepts exactly these (a test keeps the lists equal)."""

_FORMS: Final = (*_PLAIN, "uncontacted within DURATION", "rejected REASON_OR_CATEGORY")

_UNIT_DAYS: Final = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7}


def _month_days(count: int) -> int:
    """The fewest days ``count`` consecutive calendar months can span (1: 28, 3: 89)."""

    def shift(day: date, months: int) -> date:
        index = day.month - 1 + months
        return date(day.year + index // 12, index % 12 + 1, 1)

    starts = [date(year, month, 1) for year in range(2024, 2028) for month in range(1, 13)]
    return min((shift(start, count) - start).days for start in starts)


def _threshold(line: AlertLine, window: timedelta | None) -> Threshold:
    limit = line.percent / 100
    action = f"tell {', '.join(line.notify)}"
    if line.metric in _PLAIN:
        metric: Literal["mql_to_sql", "sal_acceptance"] = (
            "mql_to_sql" if line.metric == "mql_to_sql" else "sal_acceptance"
        )
        settle = _SETTLE.get(metric, timedelta(0))
        return Threshold(
            metric,
            limit,
            line.direction,
            action,
            line.min_sample,
            settle=settle,
            window=window,
        )
    if line.metric.startswith("uncontacted within ") and line.within is not None:
        return Threshold(
            "not_contacted_24h",
            limit,
            line.direction,
            action,
            line.min_sample,
            window=window,
            within=line.within.amount,
            clock=line.within.clock,
        )
    if line.metric.startswith("rejected ") and line.rejected:
        return Threshold(
            "icp_rejections",
            limit,
            line.direction,
            action,
            line.min_sample,
            window=window,
            reasons=frozenset(line.rejected),
        )
    where = "" if line.where is None else f"{line.where}:{line.where.column}: "
    raise ConfigurationError(
        f"{where}the metrics do not compute {line.metric!r}; expected one of: {', '.join(_FORMS)}",
        field="alerts",
        value=line.metric,
        expected=", ".join(_FORMS),
    )


def _rung(miss: Miss) -> Rung:
    number, unit = miss.after.split()
    amount, unit = float(number), unit.rstrip("s")
    days = _month_days(int(amount)) if unit == "month" else amount * _UNIT_DAYS[unit]
    level = f"{miss.after} in a row" if miss.in_a_row else miss.after
    return Rung(float(days), level, ", ".join(miss.notify))


def alert_rules(agreement: Agreement) -> AlertRules:
    """The agreement's alert thresholds and escalation ladder, as the metrics judge them.

    Each line of ``alerts over WINDOW { ... }`` becomes a :class:`Threshold` judged per period
    on the rate of the ``WINDOW`` ending with it: ``mql_to_sql`` (a cohort rate, settled 14
    days after the period) and ``sal_acceptance`` as they are, ``uncontacted within D`` as
    ``not_contacted_24h`` with the limit ``D`` (business time on the report's calendar, or
    elapsed), ``rejected X`` as ``icp_rejections`` counting the reason ``X`` or every reason
    of category ``X``. The action is whom the line tells (``tell marketing``). The minimum
    sample (``min_sample``) is the line's ``of at least N leads``, else the block's ``alerts
    over 30 days, at least N leads``, else 20. Each line of ``escalate misses { ... }`` becomes a :class:`Rung` for misses
    in consecutive periods spanning at least ``1 week`` (7 days), ``1 month`` (28 days),
    ``3 months`` (89 days): the shortest such spans; ``in a row`` says what every rung
    counts. A file without an ``alerts`` block (or ``escalate misses``) gets the defaults,
    which are the shipped agreement's.

    Raises:
        ConfigurationError: a line names a metric the metrics do not compute (file:line:col;
            the agreement loader refuses unknown names already).

    >>> import leadflow as lf
    >>> rules = alert_rules(lf.load_agreement("examples/agreement.lf"))
    >>> rules.thresholds[0]
    Threshold(metric='mql_to_sql', limit=0.3, direction='below', action='tell marketing', ...)
    >>> [(rung.days, rung.level) for rung in rules.ladder]
    [(7.0, '1 week'), (28.0, '1 month'), (89.0, '3 months in a row')]
    """
    parts = agreement.parts
    thresholds = DEFAULT_THRESHOLDS
    if parts.alerts_over is not None:
        window = None if parts.alerts_window is None else parts.alerts_window.amount
        thresholds = tuple(_threshold(line, window) for line in parts.alerts)
    ladder = tuple(sorted((_rung(miss) for miss in parts.misses), key=lambda r: r.days))
    return AlertRules(thresholds, ladder or DEFAULT_LADDER)
