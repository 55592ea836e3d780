"""Names of the default stages, owners, actors and transition kinds of the lead lifecycle."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = (
    "REASON_KINDS",
    "Actor",
    "Owner",
    "Stage",
    "TransitionKind",
)


class Stage(StrEnum):
    """The stages of the default B2B graph; host graphs may use any lower_snake_case names.

    Members are strings, so ``record.stage == Stage.MQL`` works for every graph.

    >>> Stage.MQL == "mql"
    True
    """

    COLD = "cold"
    """In the target group, no contact yet (purchased list, trade-fair card)."""
    IQL = "iql"
    """Information qualified: consumed content."""
    MQL = "mql"
    """Marketing qualified: ICP fit and buying signals."""
    SAL = "sal"
    """Sales accepted: sales reviewed it and commits to work it within the SLA."""
    SQL = "sql"
    """Sales qualified: validated with BANT, CHAMP or MEDDIC."""
    OPPORTUNITY = "opportunity"
    """An active sales project; an offer exists."""
    WON = "won"
    LOST = "lost"
    NURTURE = "nurture"
    """Need exists but wrong timing: back with marketing, not dead."""
    DISQUALIFIED = "disqualified"


class Owner(StrEnum):
    """The team responsible for the leads in a stage."""

    MARKETING = "marketing"
    SALES = "sales"


class Actor(StrEnum):
    """Who takes a transition: a team, or the system (scoring, automation)."""

    MARKETING = "marketing"
    SALES = "sales"
    SYSTEM = "system"


class TransitionKind(StrEnum):
    """What a transition means for the agreement; some kinds demand a reason code."""

    PROGRESS = "progress"
    """A step forward (cold → iql, sal → sql, ...)."""
    REJECT = "reject"
    """Sales rejects a handoff from marketing."""
    DISQUALIFY = "disqualify"
    """The lead is out for good."""
    RECYCLE = "recycle"
    """Back to marketing for nurturing: wrong timing, not dead."""
    REENTER = "reenter"
    """A recycled lead re-enters the funnel; starts a new cycle."""
    WIN = "win"
    LOST = "lost"
    """A lost opportunity."""
    ATTEMPT = "attempt"
    """A contact attempt: recorded in the history, the stage stays."""


REASON_KINDS: Final[frozenset[TransitionKind]] = frozenset(
    {
        TransitionKind.REJECT,
        TransitionKind.DISQUALIFY,
        TransitionKind.RECYCLE,
        TransitionKind.LOST,
    }
)
"""Kinds that must carry a reason code from the graph's reason list."""
