"""Attribution of won revenue and pipeline to campaigns and channels over the lead's touches.

Models: ``first`` (first touch), ``last``, ``linear``, ``u_shaped`` (40 % first, 40 % last,
20 % spread over the touches between; with two touches 50/50). A deal's weights always sum to 1.
A lead without recorded touches is attributed wholly to its own lead field (``campaign`` or
``channel``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, NamedTuple

from leadflow.errors import ConfigurationError
from leadflow.lifecycle import Stage
from leadflow.metrics.history import FieldValue, History, Period, check_period, in_period

__all__ = ("MODELS", "MarketingSourced", "attribute", "marketing_sourced", "weights")

Model = Literal["first", "last", "linear", "u_shaped"]
MODELS: tuple[Model, ...] = ("first", "last", "linear", "u_shaped")


def weights(count: int, model: Model) -> tuple[float, ...]:
    """The share of each of ``count`` touches (oldest first) under ``model``; sums to 1.

    Raises:
        ConfigurationError: unknown model.

    >>> weights(4, "u_shaped")
    (0.4, 0.1, 0.1, 0.4)
    """
    if model not in MODELS:
        raise ConfigurationError(
            f"unknown attribution model {model!r}; expected one of {', '.join(MODELS)}",
            field="model",
            value=model,
            expected=", ".join(MODELS),
        )
    if count <= 0:
        return ()
    if count == 1:
        return (1.0,)
    if model == "first":
        return (1.0,) + (0.0,) * (count - 1)
    if model == "last":
        return (0.0,) * (count - 1) + (1.0,)
    if model == "linear" or count == 2:
        return (1.0 / count,) * count
    middle = 0.2 / (count - 2)
    return (0.4, *(middle,) * (count - 2), 0.4)


def _won_at(history: History, won: str) -> datetime | None:
    for step in history.record.history:
        if step.target == won and step.source != won:
            return step.event.at
    return None


def attribute(
    histories: Iterable[History],
    *,
    model: Model = "u_shaped",
    by: Literal["campaign", "channel"] = "campaign",
    period: Period | None = None,
    stage: str = Stage.WON,
) -> dict[FieldValue, float]:
    """Revenue (``stage="won"``: deals won in ``period``) or pipeline (any other stage: leads
    standing in it now) per campaign or channel, spread over each lead's touches.

    Raises:
        ConfigurationError: unknown model.
    """
    check_period(period)
    weights(1, model)  # validates the model once
    result: dict[FieldValue, float] = {}
    for history in histories:
        if history.amount is None:
            continue
        if stage == Stage.WON:
            at = _won_at(history, stage)
            if at is None or not in_period(period, at):
                continue
        elif history.record.stage != stage:
            continue
        touches = history.touches
        if not touches:
            key = history.fields.get(by)
            result[key] = result.get(key, 0.0) + history.amount
            continue
        for touch, weight in zip(touches, weights(len(touches), model), strict=True):
            if not weight:
                continue
            key = touch.campaign if by == "campaign" else touch.channel
            result[key] = result.get(key, 0.0) + history.amount * weight
    return result


class MarketingSourced(NamedTuple):
    """Won revenue, and the part of it that marketing sourced."""

    marketing: float
    total: float
    deals: int
    marketing_deals: int

    @property
    def share(self) -> float | None:
        """Marketing-sourced revenue as a share of all won revenue; ``None`` with none won."""
        return self.marketing / self.total if self.total else None


def is_marketing_sourced(history: History, *, mql: str = Stage.MQL) -> bool:
    """Lead field ``sourced_by`` when present (``"marketing"``), else whether the lead was
    handed over by marketing (it passed through ``mql``)."""
    sourced_by = history.fields.get("sourced_by")
    if sourced_by is not None:
        return sourced_by == "marketing"
    record = history.record
    return record.origin == mql or any(s.target == mql for s in record.history)


def marketing_sourced(
    histories: Iterable[History], *, period: Period | None = None, won: str = Stage.WON
) -> MarketingSourced:
    """Won revenue in ``period`` and how much of it was marketing-sourced."""
    check_period(period)
    marketing = total = 0.0
    deals = marketing_deals = 0
    for history in histories:
        at = _won_at(history, won)
        if at is None or not in_period(period, at):
            continue
        amount = history.amount or 0.0
        deals += 1
        total += amount
        if is_marketing_sourced(history):
            marketing_deals += 1
            marketing += amount
    return MarketingSourced(marketing, total, deals, marketing_deals)
