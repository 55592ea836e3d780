"""Response-time policies: a target per lead temperature or segment, each on a named calendar.

The defaults are the agreement's: hot leads (demo requests, active inquiries with a very good ICP
fit) within 4 business hours, warm and standard MQLs within 24 business hours, cold leads get no
sales target and go to an automated nurture sequence; at risk at 75 % of the target; marketing
routes a qualified lead within 5 minutes; feedback within 48 hours; at least 6 touches over
2 weeks before "unreachable".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from difflib import get_close_matches
from typing import Final, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from leadflow.errors import ArgumentTypeError, ConfigurationError, PolicyError
from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.escalation import FEEDBACK_LADDER, RESPONSE_LADDER, Escalation, EscalationLadder
from leadflow.sla.promise import Promise, promise
from leadflow.sla.touches import TouchRule
from leadflow.sla.tracker import Pauses, SlaStatus, _on_calendar, _Plan, _plan, track

__all__ = ("ResponseTarget", "SlaPolicy")

_CONFIG = ConfigDict(frozen=True, extra="forbid")
Calendars = BusinessCalendar | Mapping[str, BusinessCalendar]
_Prepared = tuple[timedelta, float, EscalationLadder, _Plan]
_PREPARED: dict[int, tuple[SlaPolicy, dict[str, _Prepared]]] = {}
_PREPARED_KEPT: Final = 64


class ResponseTarget(BaseModel):
    """The response target of one segment: ``within`` business time on calendar ``calendar``.

    ``within=None`` means no sales target; ``action`` then says what happens instead.
    """

    model_config = _CONFIG

    segment: str = Field(min_length=1)
    within: timedelta | None
    calendar: str = "office"
    warning: float = Field(default=0.75, gt=0, le=1)
    action: str = "contact"

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.within is not None and self.within <= timedelta(0):
            raise ValueError(f"`within` must be positive, got {self.within}")
        return self


class SlaPolicy(BaseModel):
    """Response targets per segment plus the agreement's other time limits.

    >>> policy = SlaPolicy()
    >>> [(t.segment, t.within) for t in policy.targets]  # doctest: +NORMALIZE_WHITESPACE
    [('hot', datetime.timedelta(seconds=14400)), ('warm', datetime.timedelta(days=1)),
     ('standard', datetime.timedelta(days=1)), ('cold', None)]
    """

    model_config = _CONFIG

    name: str = "default"
    targets: tuple[ResponseTarget, ...] = (
        ResponseTarget(segment="hot", within=timedelta(hours=4)),
        ResponseTarget(segment="warm", within=timedelta(hours=24)),
        ResponseTarget(segment="standard", within=timedelta(hours=24)),
        ResponseTarget(segment="cold", within=None, action="nurture"),
    )
    routing_within: timedelta = Field(default=timedelta(minutes=5), gt=timedelta(0))
    feedback_within: timedelta = Field(default=timedelta(hours=48), gt=timedelta(0))
    disposition_within: timedelta = Field(default=timedelta(days=14), gt=timedelta(0))
    touches: TouchRule = TouchRule()
    response_escalation: EscalationLadder = RESPONSE_LADDER
    feedback_escalation: EscalationLadder = FEEDBACK_LADDER

    @model_validator(mode="after")
    def _unique_segments(self) -> Self:
        seen = [t.segment.casefold() for t in self.targets]
        duplicates = sorted(
            {t.segment for t in self.targets if seen.count(t.segment.casefold()) > 1}
        )
        if duplicates:
            raise ValueError(
                f"segments must be unique, ignoring case; repeated: {', '.join(duplicates)}"
            )
        return self

    @property
    def segments(self) -> tuple[str, ...]:
        """The segments this policy has targets for."""
        return tuple(t.segment for t in self.targets)

    def target(self, segment: str) -> ResponseTarget:
        """Return the target of ``segment``; names match ignoring case and surrounding spaces.

        >>> SlaPolicy().target("Hot").within
        datetime.timedelta(seconds=14400)

        Raises:
            PolicyError: the policy has no target for ``segment`` (a ``ValueError``); the
                message suggests the closest known segment.
            ArgumentTypeError: ``segment`` is not a text.
        """
        if not isinstance(segment, str):
            raise ArgumentTypeError("segment", segment, "a segment name such as 'hot'")
        for candidate in self.targets:
            if candidate.segment == segment:
                return candidate
        folded = {t.segment.casefold(): t for t in self.targets}
        key = segment.strip().casefold()
        if key in folded:
            return folded[key]
        close = get_close_matches(key, list(folded), n=1, cutoff=0.6)
        hint = f"did you mean {folded[close[0]].segment!r}? " if close else ""
        raise PolicyError(
            f"policy {self.name!r} has no target for segment {segment!r}; "
            f"{hint}known segments: {', '.join(self.segments)}",
            policy=self.name,
            temperature=segment,
        )

    def _timed(self, segment: str) -> tuple[ResponseTarget, timedelta]:
        target = self.target(segment)
        if target.within is None:
            raise PolicyError(
                f"policy {self.name!r} sets no sales response target for {segment!r} leads; "
                f"they go to {target.action}",
                policy=self.name,
                temperature=segment,
            )
        return target, target.within

    def calendar_for(self, target: ResponseTarget, calendars: Calendars) -> BusinessCalendar:
        """Pick the target's calendar from ``calendars`` (a single calendar serves every target).

        Raises:
            ConfigurationError: ``calendars`` has no calendar of that name.
        """
        if isinstance(calendars, BusinessCalendar):
            return calendars
        if not isinstance(calendars, Mapping):
            raise ArgumentTypeError(
                "calendars", calendars, "a BusinessCalendar or a mapping of names to calendars"
            )
        try:
            found = calendars[target.calendar]
        except KeyError:
            raise ConfigurationError(
                f"policy {self.name!r} needs calendar {target.calendar!r} for segment "
                f"{target.segment!r}; given: {', '.join(map(repr, calendars)) or 'none'}",
                field="calendars",
                value=tuple(calendars),
                expected=f"a mapping with key {target.calendar!r}",
            ) from None
        if not isinstance(found, BusinessCalendar):
            raise ArgumentTypeError(f"calendars[{target.calendar!r}]", found, "a BusinessCalendar")
        return found

    def deadline(self, segment: str, received_at: datetime, calendars: Calendars) -> datetime:
        """Return the response deadline of a ``segment`` lead received (handed off) then.

        Raises:
            PolicyError: unknown segment, or a segment without a sales target (cold).
            ConfigurationError: the target's calendar is missing from ``calendars``.
            NaiveDatetimeError: ``received_at`` is naive.
        """
        target, within = self._timed(segment)
        return self.calendar_for(target, calendars).add(received_at, within)

    def promise(
        self,
        segment: str,
        received_at: datetime,
        calendars: Calendars,
        *,
        round_to: timedelta | None = None,
    ) -> Promise:
        """Return what the auto-responder may promise a ``segment`` lead received then.

        Raises:
            PolicyError: unknown segment, or a segment without a sales target (cold).
            ConfigurationError: the target's calendar is missing from ``calendars``.
        """
        target, within = self._timed(segment)
        calendar = self.calendar_for(target, calendars)
        return promise(received_at, within, calendar, round_to=round_to)

    def track(
        self,
        segment: str,
        started_at: datetime,
        *,
        now: datetime,
        calendars: Calendars,
        pauses: Pauses = (),
        met_at: datetime | None = None,
    ) -> SlaStatus:
        """Track the response SLA of a ``segment`` lead handed off at ``started_at``.

        The status lists the steps of ``response_escalation`` due at ``now``.

        Raises:
            PolicyError: unknown segment, or a segment without a sales target (cold).
            ConfigurationError: the target's calendar is missing from ``calendars``.
        """
        if (
            type(segment) is str
            and type(calendars) is BusinessCalendar
            and type(pauses) is tuple
            and not pauses
        ):  # the hot path: a segment named as in the policy, one calendar, no pauses
            prepared = _PREPARED.get(id(self))
            if prepared is None or prepared[0] is not self:
                prepared = self._prepare()
            found = prepared[1].get(segment)
            if found is not None:
                status = _on_calendar(
                    started_at, found[0], now, calendars, met_at, found[1], found[2], found[3]
                )
                if status is not None:
                    return status
        target, within = self._timed(segment)
        calendar = self.calendar_for(target, calendars)
        return track(
            started_at,
            within,
            now=now,
            calendar=calendar,
            pauses=pauses,
            met_at=met_at,
            warning=target.warning,
            escalation=self.response_escalation,
        )

    def _prepare(self) -> tuple[SlaPolicy, dict[str, _Prepared]]:
        """For :meth:`track`'s hot path: per segment with a target, ``(within, warning,
        response_escalation, the tracker's plan for them)``, kept in ``_PREPARED`` by the
        policy's ``id`` (the entry keeps the policy alive, so the ``id`` is not reused while the
        entry exists; policies are immutable). Segments whose values the hot path does not take
        as they are (a ``timedelta`` subclass, an escalation ladder of a subclass, a share of
        the target beyond ``timedelta``) are left out: those go the general way."""
        ladder = self.response_escalation
        segments: dict[str, _Prepared] = {}
        for target in self.targets:
            within, warning = target.within, target.warning
            if (
                target.segment in segments
                or type(within) is not timedelta
                or type(warning) not in (float, int)
                or type(ladder) is not EscalationLadder
            ):
                continue
            try:
                plan = _plan(within, warning, ladder)
            except OverflowError:
                continue
            segments[target.segment] = (within, warning, ladder, plan)
        if len(_PREPARED) >= _PREPARED_KEPT:
            _PREPARED.clear()
        prepared = _PREPARED[id(self)] = (self, segments)
        return prepared

    def track_routing(
        self, qualified_at: datetime, *, now: datetime, routed_at: datetime | None = None
    ) -> SlaStatus:
        """Track marketing's routing SLA: a qualified lead reaches a rep within 5 minutes.

        Routing is automatic, so it runs on physical time, day and night.
        """
        return track(qualified_at, self.routing_within, now=now, met_at=routed_at)

    def feedback_escalations(
        self, handed_off_at: datetime, *, now: datetime, feedback_at: datetime | None = None
    ) -> tuple[Escalation, ...]:
        """Return the feedback escalations due at ``now`` (48 hours: the sales manager)."""
        return self.feedback_escalation.due(handed_off_at, now=now, resolved_at=feedback_at)
