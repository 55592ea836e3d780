"""One event through the agreement: re-score, move, route, time, promise and notify."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, cast

from leadflow.agreement import events as ev
from leadflow.agreement.reaction import (
    Action,
    Assigned,
    Held,
    Notify,
    PromiseSent,
    Reaction,
    TimerStopped,
    new_notify,
    new_reaction,
    new_timer_met,
    new_timer_started,
    new_transitioned,
)
from leadflow.agreement.routing import assign, release
from leadflow.agreement.state import _SET as _SET_FIELD
from leadflow.agreement.state import (
    SEEN_LIMIT,
    Alarm,
    LeadState,
    Routing,
    Timer,
    new_alarm,
    new_timer,
)
from leadflow.errors import AgreementInputError, IdempotencyConflictError, TransitionError
from leadflow.lead import Lead, validate_lead
from leadflow.lifecycle import CONTACT_ATTEMPT, HandoffEvent, Qualification, advance, new_lead

if TYPE_CHECKING:
    from leadflow.agreement.engine import Agreement
    from leadflow.rules import Evaluation

__all__ = ("FUTURE_TOLERANCE", "event_key", "run")

FUTURE_TOLERANCE: Final = timedelta(minutes=5)
"""How far an event's ``at`` may lie after ``now`` (clock skew between systems)."""

LEAVES_SALES: Final = frozenset({"nurture", "disqualified", "won", "lost"})
_SALES_STAGES: Final = frozenset({"mql", "sal", "sql", "opportunity"})
_CONTACT_STAGES: Final = frozenset({"mql", "sal", "sql"})
_SCORING: Final = frozenset({"created", "updated", "activity"})
_TYPE_OF: Final[dict[type, str]] = {cls: name for name, cls in ev._TYPES.items()}
"""The JSON ``type`` of each event class (a subclass is looked up by ``isinstance``)."""
_DONE: Final = {"reject": "rejected", "recycle": "recycled", "disqualify": "disqualified"}
CONTACT_WINDOW: Final = "contact"
"""The timer of the contact rule's window: started when every touch is made before it ends."""


class _Run:
    """The working state of one ``process`` call (nothing escapes until it is done)."""

    __slots__ = ("_local", "a", "actions", "at", "evaluation", "owned", "routing", "state")

    def __init__(
        self, agreement: Agreement, state: LeadState, routing: Routing, at: datetime
    ) -> None:
        self.a = agreement
        self.state = state
        self.routing = routing
        self.at = at
        self.actions: list[Action] = []
        self.evaluation: Evaluation | None = None
        # whether ``state`` is this run's own copy (made by the first change, never shared)
        self.owned = False
        self._local: tuple[datetime, str] | None = None  # ``at`` and its text (``local_at``)

    def update(self, **changes: Any) -> None:
        """``state`` with ``changes``: the first change copies it, later ones fill that copy.

        The copy is private to the run until ``run`` returns it, so changing its slots in place
        is safe and saves building a new ``LeadState`` per change.
        """
        if self.owned:
            state = self.state
            for name, value in changes.items():
                _SET_FIELD[name](state, value)
        else:
            self.state = self.state.evolve(**changes)
            self.owned = True

    def own(self) -> LeadState:
        """``state`` as this run's own copy (copied now if nothing changed it yet), to fill."""
        if not self.owned:
            self.state = self.state.evolve()
            self.owned = True
        return self.state

    def local_at(self) -> str:
        """``agreement.local(at)``, worked out once per ``at`` (several notes name it)."""
        cached = self._local
        if cached is None or cached[0] is not self.at:
            cached = self._local = (self.at, self.a.local(self.at))
        return cached[1]

    # -- lifecycle -------------------------------------------------------------------
    def move(
        self,
        name: str,
        actor: str,
        *,
        actor_id: str | None = None,
        reason: str | None = None,
        qualification: Qualification | None = None,
        lead: Lead | None = None,
    ) -> None:
        record = self.state.record
        event = HandoffEvent(
            name,
            self.at,
            actor,
            actor_id=actor_id,
            reason=reason,
            qualification=qualification,
            lead=lead,
        )
        new, step = advance(record, event, self.a.graph)
        self.update(record=new)
        if name == CONTACT_ATTEMPT:
            return
        self.actions.append(
            new_transitioned(name, step.source, step.target, actor, reason, self.at)
        )
        self.moved(step.source, step.target)

    def moved(self, source: str, target: str) -> None:
        stage_timers = self.a.stage_timers
        if source in stage_timers:
            for timer in self.state.timers:
                spec = self.a.timer_specs.get(timer.name)
                if timer.state == "running" and spec is not None and spec.stage == source:
                    self.close(timer, "met")
        if target in LEAVES_SALES:
            for name in ("response", CONTACT_WINDOW):
                running = self.running(name)
                if running is not None:
                    self.close(running, "stopped")
            if self.state.owner is not None and not self.state.released:
                self.routing = release(self.routing, self.state.owner)
                self.update(released=True)
        if target == "mql":
            self.handed_to_sales()
        for spec in stage_timers.get(target, ()):
            self.start_stage_timer(spec.name)
        if target == "nurture":
            self.update(reached=False)

    # -- timers ----------------------------------------------------------------------
    def running(self, name: str) -> Timer | None:
        timer = self.state.timer(name)
        return timer if timer is not None and timer.state == "running" else None

    def close(self, timer: Timer, how: str) -> None:
        timers = tuple(timer.closed(how, self.at) if t is timer else t for t in self.state.timers)  # type: ignore[arg-type]
        self.update(timers=timers)
        if how == "met":
            self.actions.append(
                new_timer_met(timer.name, self.at, timer.due_at, late=self.at > timer.due_at)
            )
        else:
            self.actions.append(TimerStopped(timer.name, self.at))

    def add_timer(self, timer: Timer) -> None:
        self.update(timers=(*self.state.timers, timer))
        self.actions.append(
            new_timer_started(timer.name, timer.started_at, timer.due_at, timer.warning_at)
        )

    def start_stage_timer(self, name: str) -> None:
        spec = self.a.timer_specs[name]
        alarms = []
        since = self.local_at()
        for i, step in enumerate(spec.steps):
            when = step.after.after(self.at, self.a.calendars)
            note = f"{self.state.lead_id}: {spec.text} ({step.after.text} since {since})"
            alarms.append(new_alarm(when, "breach" if i == 0 else "escalation", step.notify, note))
        self.add_timer(new_timer(name, self.at, alarms[0].at, None, tuple(alarms)))

    # -- handoff to sales -------------------------------------------------------------
    def handed_to_sales(self) -> None:
        a, lead = self.a, self.state.lead
        owner, team, rule, overflow, routing, notes = assign(a, lead, self.evaluation, self.routing)
        self.routing = routing
        self.update(owner=owner, team=team, released=False, reached=False)
        self.actions.append(Assigned(owner, team, rule, overflow, self.at))
        self.actions.extend(notes)
        self.actions.append(
            new_notify(owner, f"new lead {lead.id} ({lead.company}) assigned to you by {rule}")
        )
        if a.route_within is not None:
            due = a.route_within.after(self.at, a.calendars)
            self.actions.append(new_timer_started("route", self.at, due, None))
            self.actions.append(new_timer_met("route", self.at, due, late=False))
        target = a.targets.get(self.state.temperature or "")
        if target is None or target.within is None:
            return
        calendar = a.calendars[target.within.calendar or a.default_calendar]
        due = calendar.add(self.at, target.within.amount)
        warning = calendar.add(self.at, target.within.amount * target.warning)
        share = f"{target.warning:.0%}".replace("%", " %")
        alarms: tuple[Alarm, ...] = (
            new_alarm(
                warning,
                "warning",
                ("owner",),
                f"{lead.id}: answer due {a.local(due)}, {share} of {target.within.text} used",
            ),
            new_alarm(
                due,
                "breach",
                a.breach_notify,
                f"{lead.id}: {self.state.temperature} lead not contacted within {target.within.text}",
            ),
        )
        if a.response_ladder:
            since = self.local_at()
            alarms += tuple(
                new_alarm(
                    step.after.after(self.at, a.calendars),
                    "escalation",
                    step.notify,
                    f"{lead.id}: {self.state.temperature} lead still not contacted "
                    f"({step.after.text} since {since})",
                )
                for step in a.response_ladder
            )
        self.add_timer(new_timer("response", self.at, due, warning, alarms))
        if a.promise_text is not None:
            text = a._time_text(due, calendar.timezone, a.promise_text)
            self.actions.append(PromiseSent(text, due))

    # -- scoring events ----------------------------------------------------------------
    def rescore(self, lead: Lead) -> None:
        a = self.a
        evaluation = a.rules.evaluate(lead, now=self.at)
        self.evaluation = evaluation
        scores = _read_only(evaluation.scores)
        state = self.state
        if self.owned:
            _set_lead(state, lead)
            _set_temperature(state, evaluation.temperature)
            _set_scores(state, scores)
        else:
            state = self.state = state._rescored(lead, evaluation.temperature, scores)
            self.owned = True
        stage = state.record.stage
        if evaluation.knocked_out:
            reason = evaluation.reasons[0]
            transition = a.graph.transition(stage, "disqualify")
            refused = ""
            if transition is not None and "system" in transition.actors:
                try:
                    self.move("disqualify", "system", reason=reason)
                except TransitionError as error:  # a guard of the graph (nothing changed)
                    refused = f" (the lifecycle refuses it: {error})"
                else:
                    if stage in _SALES_STAGES and self.state.owner is not None:
                        self.actions.append(
                            Notify(
                                self.state.owner,
                                f"{lead.id} disqualified automatically in {stage}: knock-out {reason}",
                            )
                        )
                    return
            if stage in _SALES_STAGES:  # opportunity: an offer exists, sales closes it
                what = "close it as lost" if transition is None else "disqualify it"
                self.actions.append(
                    Notify(
                        self.state.owner or "sales_manager",
                        f"{lead.id} hits knock-out {reason} in stage {stage}{refused}; {what} if it holds",
                    )
                )
            return
        if stage == "cold" and a.iql_any_activity and lead.activities:
            self.move("engage", "system")
            stage = self.state.stage
        if evaluation.mql and stage in ("cold", "iql", "nurture"):
            missing = a.handoff.missing(lead)
            if missing:
                self.actions.append(Held(missing))
                self.actions.append(
                    Notify(
                        "marketing",
                        f"{lead.id} is MQL-level but cannot go to sales: missing {', '.join(missing)}",
                    )
                )
                return
            self.move("reengage" if stage == "nurture" else "promote", "system", lead=lead)

    # -- sales events ------------------------------------------------------------------
    def contact(self, event: ev.ContactAttempted) -> None:
        self.move(CONTACT_ATTEMPT, "sales", actor_id=event.actor)
        response = self.running("response")
        if response is not None:
            self.close(response, "met")
        if event.reached:
            self.update(reached=True)
            window = self.running(CONTACT_WINDOW)
            if window is not None:
                self.close(window, "stopped")
            return
        if self.state.reached or self.state.stage not in ("mql", "sal", "sql"):
            return
        touches = self.sales_touches()
        check = self.a.touch_rule.check(touches, now=self.at)
        if check.satisfied:
            self.unreachable(len(touches))
        elif (
            not check.missing_touches
            and check.window_ends_at is not None
            and self.running(CONTACT_WINDOW) is None
        ):
            # every touch made, the window still open: the lead is unreachable when it ends
            self.start_contact_window(check.window_ends_at)

    def sales_touches(self) -> list[datetime]:
        record = self.state.record
        return [
            s.event.at
            for s in record.history
            if s.kind == "attempt" and s.cycle == record.cycle and s.event.actor == "sales"
        ]

    def unreachable(self, touches: int) -> None:
        """The contact rule is met without reaching the lead: reject (mql) or recycle it."""
        name = "reject" if self.state.stage == "mql" else "recycle"
        self.move(name, "system", reason="unreachable")
        self.actions.append(
            Notify(
                "marketing",
                f"{self.state.lead_id} is unreachable after {touches} touches: {self.a.reasons['unreachable'].marketing_action}",
            )
        )

    def start_contact_window(self, ends: datetime) -> None:
        a, lead_id = self.a, self.state.lead_id
        note = (
            f"{lead_id}: the contact window ends ({a.contact_text}) without reaching the lead: "
            "unreachable (applied with the lead's next event)"
        )
        alarm = new_alarm(ends, "breach", ("owner", "marketing"), note)
        self.add_timer(new_timer(CONTACT_WINDOW, self.at, ends, None, (alarm,)))

    def window_ended(self) -> None:
        """Apply the contact rule whose window ended before this event (at the window's end)."""
        window = self.running(CONTACT_WINDOW)
        if window is None or window.due_at > self.at:
            return
        history = self.state.record.history
        when = max(window.due_at, history[-1].event.at) if history else window.due_at
        at, self.at = self.at, when
        try:
            touches = self.sales_touches()
            stage = self.state.stage
            if (
                stage in ("mql", "sal", "sql")
                and not self.state.reached
                and self.a.touch_rule.check(touches, now=when).satisfied
            ):
                self.unreachable(len(touches))
            window = self.running(CONTACT_WINDOW)
            if window is not None:
                self.close(window, "stopped")
        finally:
            self.at = at

    def reject(self, code: str, actor: str, *, final: bool = False) -> None:
        stage = self.state.stage
        if code == "unreachable":
            self.check_touches()
        recycle = self.a.graph.transition(stage, "recycle")
        nurture_ok = code in self.a.recycle_reasons and not final
        if stage == "mql" and nurture_ok:
            name = "reject"
        elif nurture_ok and recycle is not None:
            name = "recycle"
        else:
            name = "disqualify"
        self.move(name, "sales", actor_id=actor, reason=code)
        reason = self.a.reasons[code]
        self.actions.append(
            Notify(
                "marketing",
                f"{self.state.lead_id} {_DONE[name]} by sales: {reason.label}; action: {reason.marketing_action}",
            )
        )

    def check_touches(self) -> None:
        record = self.state.record
        touches = [
            s.event.at for s in record.history if s.kind == "attempt" and s.cycle == record.cycle
        ]
        check = self.a.touch_rule.check(touches, now=self.at)
        if not check.satisfied:
            raise AgreementInputError(
                f"lead {record.lead_id!r}: reason 'unreachable' needs the contact rule ({self.a.contact_text}): {check.message}",
                field="reason",
                value="unreachable",
                expected=self.a.contact_text,
            )


def run(
    agreement: Agreement,
    state: LeadState | None,
    event: Any,
    now: datetime,
    routing: Routing | None,
) -> Reaction:
    """The body of :meth:`Agreement.process` (see there)."""
    a = agreement
    # the event's JSON type, found without isinstance checks for the event classes themselves
    # (pydantic's metaclass makes a failing isinstance an ABC lookup; this is called per event)
    etype = _TYPE_OF.get(type(event))
    if etype is None:
        parsed = ev.parse_event(event)
        etype = _type_of(parsed)
    else:
        parsed = event
    at = parsed.at
    if at is None:
        at = now
    elif at > now + FUTURE_TOLERANCE:
        raise AgreementInputError(
            f"event at {at.isoformat()} lies {at - now} after now ({now.isoformat()}); "
            f"at most {FUTURE_TOLERANCE} ahead is accepted (clock skew): check the sender's clock",
            field="at",
            value=at,
            expected=f"at most now + {FUTURE_TOLERANCE}",
        )
    routing = a.check_routing(routing or Routing())
    if state is None:
        if etype != "created":
            raise AgreementInputError(
                f"no state for this lead: its first event must be 'created', got {parsed.type!r}",
                field="type",
                value=parsed.type,
                expected="created",
            )
        lead = cast(ev.LeadCreated, parsed).lead
        state = LeadState(
            lead,
            new_lead(lead.id, graph=a.graph),
            None,
            None,
            None,
            MappingProxyType({}),
            (),
            0,
            a.fingerprint,
        )
    else:
        if type(state) is not LeadState or state.agreement != a.fingerprint:
            a.check_state(state)  # raises, saying what is wrong
        lead_id = cast(ev.LeadCreated, parsed).lead.id if etype == "created" else parsed.lead_id
        if lead_id is not None and lead_id != state.lead_id:
            raise AgreementInputError(
                f"event for lead {lead_id!r} passed with the state of lead {state.lead_id!r}; pass that lead's state",
                field="lead_id",
                value=lead_id,
                expected=state.lead_id,
            )
        if parsed.id is not None:
            key = event_key(parsed)
            for seen_id, seen_key in state.seen:
                if seen_id != parsed.id:
                    continue
                if seen_key == key:
                    note = (
                        f"event {parsed.id!r} was applied to lead {state.lead_id!r} before, with "
                        f"the same payload: nothing applied again (state version {state.version} kept)"
                    )
                    return Reaction(state, routing, (), None, duplicate=True, note=note)
                kind, _, digest = seen_key.partition(":")
                raise IdempotencyConflictError(
                    f"Lead {state.lead_id!r}: event id {parsed.id!r} was already used for a "
                    f"different event (type {kind!r}, payload digest {digest}); refusing this "
                    f"{parsed.type!r} event (payload digest {key.partition(':')[2]}): an id names "
                    f"one event, so resend that event unchanged or give this one a new id",
                    idempotency_key=parsed.id,
                    recorded=seen_key,
                    lead_id=state.lead_id,
                    stage=state.stage,
                    event=parsed.type,
                    expected=f"a new id, or the payload first sent with {parsed.id!r}",
                )
        if etype == "created":
            raise AgreementInputError(
                f"lead {state.lead_id!r} exists already; send an 'updated' or 'activity' event",
                field="type",
                value="created",
                expected="updated, activity, ...",
            )
    r = _Run(a, state, routing, at)
    if state.timers and state.record.stage in _CONTACT_STAGES:
        r.window_ended()
    if etype in _SCORING:
        if etype == "activity":
            # The only change is one more already-validated Activity: copying is safe here and
            # keeps the per-activity cost at a tuple append instead of a full re-validation.
            lead = _with_activity(state.lead, cast(ev.ActivityRecorded, parsed).activity)
        else:
            lead = _new_lead(state.lead, parsed, etype)
        if etype == "updated" and r.state.stage in _SALES_STAGES:
            lost = set(a.handoff.check(lead).missing) - set(a.handoff.check(state.lead).missing)
            if lost:
                raise AgreementInputError(
                    f"lead {state.lead_id!r} is with sales ({state.stage}); the update would remove "
                    f"required handoff data: {', '.join(sorted(lost))}; correct the value instead",
                    field="fields",
                    value=sorted(lost),
                    expected="the handoff data kept complete",
                )
        r.rescore(lead)
    elif isinstance(parsed, ev.ContactAttempted):
        r.contact(parsed)
    elif isinstance(parsed, ev.LeadAccepted):
        r.move("accept", "sales", actor_id=parsed.actor)
    elif isinstance(parsed, ev.LeadRejected):
        r.reject(a.reason_code(parsed.reason), parsed.actor)
    elif isinstance(parsed, ev.LeadDisqualified):
        code = a.reason_code(parsed.reason)
        if code == "unreachable":
            r.check_touches()
        role = "sales" if r.state.stage in _SALES_STAGES else "marketing"
        r.move("disqualify", role, actor_id=parsed.actor, reason=code)
    elif isinstance(parsed, ev.LeadQualified):
        r.evaluation = a.qualify(r.state.lead, parsed, at)
        result = r.evaluation.qualifications[parsed.framework]
        verdict = Qualification(
            passed=result.passed, framework=parsed.framework, score=result.positive
        )
        if result.passed:
            r.move("qualify", "sales", actor_id=parsed.actor, qualification=verdict)
        else:
            r.actions.append(
                Notify(
                    r.state.owner or "sales",
                    f"{state.lead_id}: {parsed.framework} did not pass ({result.positive} positive)",
                )
            )
    elif isinstance(parsed, ev.OpportunityOpened):
        r.move("convert", "sales", actor_id=parsed.actor)
    elif isinstance(parsed, ev.DealWon):
        r.move("win", "sales", actor_id=parsed.actor)
    elif isinstance(parsed, ev.DealLost):
        r.move("lose", "sales", actor_id=parsed.actor, reason=a.reason_code(parsed.reason))
    seen = state.seen
    if parsed.id is not None:
        seen = (*seen, (parsed.id, event_key(parsed)))
        if len(seen) > SEEN_LIMIT:
            seen = seen[-SEEN_LIMIT:]
    new = r.own()
    _set_version(new, state.version + 1)
    _set_seen(new, seen)
    return new_reaction(new, r.routing, tuple(r.actions), r.evaluation)


def event_key(event: ev.Event) -> str:
    """``type:digest`` of an event's payload (its JSON without the ``id``), kept per seen id.

    The digest is the first 16 hex digits of the SHA-256 of the canonical JSON (sorted keys), so
    the same event sent typed or as its JSON mapping has the same key.
    """
    data = ev.event_json(event)
    data.pop("id", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{event.type}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _read_only(scores: Mapping[str, float]) -> Mapping[str, float]:
    """The scores as a read-only mapping; the evaluation's own read-only view is kept as it is."""
    return scores if type(scores) is MappingProxyType else MappingProxyType(dict(scores))


def _type_of(event: ev.Event) -> str:
    """The JSON ``type`` of a typed event (of an event class or a subclass of one)."""
    etype = _TYPE_OF.get(type(event))
    if etype is None:
        etype = next((name for cls, name in _TYPE_OF.items() if isinstance(event, cls)), "")
    return etype


def _new_lead(lead: Lead, event: Any, etype: str) -> Lead:
    """The lead after a ``created`` or ``updated`` event (an activity: ``_with_activity``)."""
    if etype == "created":
        lead_: Lead = event.lead
        return lead_
    unknown = set(event.fields) - set(Lead.model_fields)
    if unknown or "id" in event.fields:
        bad = sorted(unknown) or ["id"]
        raise AgreementInputError(
            f"cannot update field(s) {', '.join(bad)}; the fields a lead has: "
            f"{', '.join(f for f in Lead.model_fields if f != 'id')}",
            field="fields",
            value=bad,
            expected="fields of leadflow.Lead except id",
        )
    data: dict[str, Any] = {**lead.model_dump(), **event.fields}
    return validate_lead(data)


_set_attr = object.__setattr__
_set_lead = _SET_FIELD["lead"]
_set_temperature = _SET_FIELD["temperature"]
_set_scores = _SET_FIELD["scores"]
_set_version = _SET_FIELD["version"]
_set_seen = _SET_FIELD["seen"]
_ACTIVITIES: Final = frozenset({"activities"})


def _with_activity(lead: Lead, activity: Any) -> Lead:
    """``lead.model_copy(update={"activities": (..., activity)})``, without its generic steps.

    The same shallow copy pydantic makes (``__dict__`` copied, ``activities`` replaced and
    marked as set), written out for a plain ``Lead``; anything else takes ``model_copy``.
    """
    activities = (*lead.activities, activity)
    if (
        type(lead) is not Lead
        or lead.__pydantic_extra__ is not None
        or getattr(lead, "__pydantic_private__", None) is not None
    ):
        return lead.model_copy(update={"activities": activities})
    data = lead.__dict__.copy()
    data["activities"] = activities
    new = object.__new__(Lead)
    _set_attr(new, "__dict__", data)
    _set_attr(new, "__pydantic_extra__", None)
    _set_attr(new, "__pydantic_fields_set__", lead.__pydantic_fields_set__ | _ACTIVITIES)
    _set_attr(new, "__pydantic_private__", None)
    return new
