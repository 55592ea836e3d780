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
    "TransitionName",
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


class TransitionName(StrEnum):
    """The event names of the default graph's transitions, plus its contact-attempt event.

    Members are strings, so ``HandoffEvent(TransitionName.ACCEPT, at, Actor.SALES)`` and
    ``HandoffEvent("accept", at, "sales")`` are the same event; the enum lets a type checker
    and an editor catch a typo. Host graphs may use any lower_snake_case names.

    >>> TransitionName.ACCEPT == "accept"
    True
    """

    ENGAGE = "engage"
    """cold → iql: the lead consumed content."""
    PROMOTE = "promote"
    """cold / iql → mql: handed to sales with the mandatory handoff data."""
    ACCEPT = "accept"
    """mql → sal: sales accepts the handoff."""
    REJECT = "reject"
    """mql → nurture: sales rejects the handoff, with a reason."""
    QUALIFY = "qualify"
    """sal → sql: a passed qualification (BANT, CHAMP, MEDDIC)."""
    CONVERT = "convert"
    """sql → opportunity."""
    WIN = "win"
    LOSE = "lose"
    """opportunity → lost, with a reason."""
    RECYCLE = "recycle"
    """sal / sql / opportunity → nurture, with a reason."""
    REENGAGE = "reengage"
    """nurture → mql: a new cycle."""
    DISQUALIFY = "disqualify"
    """out for good, with a reason."""
    CONTACT_ATTEMPT = "contact_attempt"
    """A contact attempt: recorded, the stage stays."""


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
