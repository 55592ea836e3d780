"""The agreement as a running system: ``load_agreement(path).process(state, event, now=...)``."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any, Final

from leadflow._time import require_aware
from leadflow.agreement import events as ev
from leadflow.agreement.build import DERIVED, Parts, build_parts
from leadflow.agreement.model import CalendarSpec, Duration, RouteRule, Target, Team, TimerSpec
from leadflow.agreement.process import run
from leadflow.agreement.reaction import Reaction
from leadflow.agreement.routing import rule_line
from leadflow.agreement.state import DueItem, LeadState, Routing
from leadflow.agreement.syntax import did_you_mean, error_at, parse_tree, raise_all
from leadflow.errors import AgreementInputError, ConfigurationError, LeadflowError
from leadflow.handoff import DEFAULT_HANDOFF, LEAD_FIELDS, HandoffRequirements
from leadflow.lifecycle import Graph, default_graph, graph_from_dict, graph_to_dict, replay
from leadflow.reasons import Reason
from leadflow.rules import Evaluation, RuleSet, load
from leadflow.sla import BusinessCalendar, ResponseTarget, SlaPolicy, TouchRule

__all__ = ("Agreement", "load_agreement")

_LOCAL: Final = "{due:%a %d %b %H:%M}"
_TEXTS_KEPT: Final = 4096
_NOT_ROUTABLE = frozenset({"id", "activities", "custom", "interests", "tech_stack", "created_at"})


class Agreement:
    """A loaded, checked agreement file: the engine a CRM webhook calls.

    Build it with :func:`load_agreement`; it never changes afterwards, so one instance serves
    every thread of a host. See ``docs/agreement.md``.
    """

    def __init__(
        self, parts: Parts, rules: RuleSet, graph: Graph, fingerprint: str, source: str
    ) -> None:
        self.parts = parts
        self.source = source
        self.rules = rules
        self.graph = graph
        self.fingerprint = fingerprint
        """A hash of the agreement and its included rule file; stored in every state."""
        self.title = parts.title
        self.calendar_specs: Mapping[str, CalendarSpec] = dict(parts.calendars)
        self.calendars: Mapping[str, BusinessCalendar] = {
            n: c.calendar for n, c in parts.calendars.items()
        }
        self.default_calendar: str = parts.respond_on or next(iter(parts.calendars))
        self.handoff = (
            DEFAULT_HANDOFF
            if parts.required is None and parts.recommended is None
            else HandoffRequirements(
                required=parts.required if parts.required is not None else DEFAULT_HANDOFF.required,
                recommended=parts.recommended
                if parts.recommended is not None
                else DEFAULT_HANDOFF.recommended,
                business_email=parts.business_email,
            )
        )
        """The one definition of "complete enough for sales" under this agreement."""
        self.iql_any_activity = parts.iql_any_activity
        self.targets: Mapping[str, Target] = dict(parts.targets)
        self.breach_notify = parts.breach_notify
        self.response_ladder = parts.response_ladder
        """The escalations of the response duty after its breach (``escalate response``)."""
        self.roles: Mapping[str, str] = dict(parts.roles)
        self.promise_text = parts.promise
        self.route_within: Duration | None = parts.route_within
        self.teams: Mapping[str, Team] = dict(parts.teams)
        self.route_rules: tuple[RouteRule, ...] = tuple(parts.rules)
        self.route_lines = tuple(rule_line(rule) for rule in self.route_rules)
        """Per routing rule, how an assignment names it (``Assigned.rule``)."""
        self.timer_specs: Mapping[str, TimerSpec] = {t.name: t for t in parts.timers}
        stage_timers: dict[str, list[TimerSpec]] = {}
        for spec in self.timer_specs.values():
            stage_timers.setdefault(spec.stage, []).append(spec)
        self.stage_timers: Mapping[str, tuple[TimerSpec, ...]] = {
            stage: tuple(specs) for stage, specs in stage_timers.items()
        }
        """Per stage, the timers that run while a lead is in it (in file order)."""
        window = parts.touch_window.amount if parts.touch_window else TouchRule().over
        gap = parts.touch_gap.amount if parts.touch_gap else None
        self.touch_rule = TouchRule(min_touches=parts.touches, over=window, min_gap=gap)
        """The contact rule; the lifecycle's "unreachable" guard uses the same number."""
        self.contact_text = (
            f"{parts.touches} touches over {parts.touch_window.text if parts.touch_window else '2 weeks'}"
            + (f", at least {parts.touch_gap.text} apart" if parts.touch_gap else "")
        )
        self.reasons: Mapping[str, Reason] = dict(parts.reasons)
        self._labels = {r.label.casefold(): code for code, r in self.reasons.items()}
        recycle = graph.transition("sal", "recycle")
        self.recycle_reasons = frozenset(recycle.reasons if recycle else ())
        owners = {r.owner for r in self.route_rules if not r.team}
        for team in self.teams.values():
            owners.update(team.members)
            if team.overflow:
                owners.add(team.overflow)
        self.owners = frozenset(owners)
        self._checked: Routing | None = None
        self._texts: dict[tuple[datetime, Any, Any, str], str] = {}
        """Times as text (``local``, the promise), by instant, zone and format: deadlines fall
        on few distinct times (office hours), so most events find theirs here."""

    def __repr__(self) -> str:
        return f"<Agreement {self.source!r}: {self.title!r}>"

    # -- values derived for hosts ----------------------------------------------------
    @property
    def policy(self) -> SlaPolicy:
        """The response targets and limits as a :class:`~leadflow.sla.SlaPolicy`."""
        targets = tuple(
            ResponseTarget(
                segment=t.temperature,
                within=None if t.within is None else t.within.amount,
                calendar=(
                    t.within.calendar if t.within and t.within.calendar else self.default_calendar
                ),
                warning=t.warning,
                action="contact" if t.within else "nurture",
            )
            for t in self.targets.values()
        )
        extra: dict[str, Any] = {}
        if self.route_within is not None:
            extra["routing_within"] = self.route_within.amount
        disposition = self.timer_specs.get("disposition")
        if disposition is not None:
            extra["disposition_within"] = disposition.steps[0].after.amount
        return SlaPolicy(
            name=self.title or "agreement", targets=targets, touches=self.touch_rule, **extra
        )

    def local(self, at: datetime) -> str:
        """``at`` in the default calendar's zone, as people read it."""
        return self._time_text(at, self.calendars[self.default_calendar].timezone, _LOCAL)

    def _time_text(self, at: datetime, zone: Any, template: str) -> str:
        """``template.format(due=at.astimezone(zone))``, worked out once per instant and zone.

        The key is the instant with its UTC offset (aware datetimes of one zone compare by wall
        time: the offset tells the two 02:30 of a night the clocks go back apart), the zone and
        the template, which together fix the text.
        """
        key = (at, at.utcoffset(), zone, template)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) >= _TEXTS_KEPT:
                self._texts.clear()  # bounded; another thread at most recomputes a text
            text = self._texts[key] = template.format(due=at.astimezone(zone))
        return text

    def reason_code(self, text: str) -> str:
        """The code of a reason given by code or label, case-insensitively ("No budget")."""
        key = text.strip().casefold()
        if key in self.reasons:
            return key
        if key.replace(" ", "_") in self.reasons:
            return key.replace(" ", "_")
        if key in self._labels:
            return self._labels[key]
        raise AgreementInputError(
            f"unknown reason {text!r}{did_you_mean(key, self.reasons)} "
            f"(give a code or a label of the agreement's reasons)",
            field="reason",
            value=text,
            expected=", ".join(self.reasons),
        )

    def qualify(self, lead: Any, event: ev.LeadQualified, at: datetime) -> Evaluation:
        """Evaluate the answers of a ``qualified`` event."""
        names = self.rules.qualification_names
        if event.framework not in names:
            raise AgreementInputError(
                f"unknown qualification framework {event.framework!r}; the rule file has: {', '.join(names) or 'none'}",
                field="framework",
                value=event.framework,
                expected=", ".join(names),
            )
        return self.rules.evaluate(lead, now=at, answers=event.answers)

    def new_routing(self) -> Routing:
        """The routing value to start with (no open leads, every team at its first member)."""
        return Routing()

    def check_routing(self, routing: Routing) -> Routing:
        """``routing`` if it fits this agreement; else an error that says what to do."""
        if routing is self._checked:
            return routing
        if not isinstance(routing, Routing):
            raise AgreementInputError(
                "routing must be a Routing value (Routing.from_json reads one)",
                field="routing",
                value=routing,
                expected="Routing",
            )
        for owner, count in routing.open.items():
            if owner not in self.owners and count:
                raise AgreementInputError(
                    f"the routing value counts {count} open lead(s) for {owner!r}, who is no longer "
                    f"an owner in the agreement; reassign those leads and drop {owner!r} from the value",
                    field="routing.open",
                    value=owner,
                    expected=", ".join(sorted(self.owners)),
                )
        for team in routing.turns:
            if team not in self.teams:
                raise AgreementInputError(
                    f"the routing value names team {team!r}, which the agreement no longer has; drop it",
                    field="routing.turns",
                    value=team,
                    expected=", ".join(self.teams),
                )
        self._checked = routing  # the last value that passed (a race only costs a re-check)
        return routing

    def check_state(self, state: LeadState) -> None:
        """Refuse a state made under another agreement, saying what to do."""
        if not isinstance(state, LeadState):
            raise AgreementInputError(
                "state must be a LeadState or None for a new lead",
                field="state",
                value=state,
                expected="LeadState | None",
            )
        if state.agreement != self.fingerprint:
            raise AgreementInputError(
                f"the state of lead {state.lead_id!r} was made under agreement {state.agreement}, "
                f"this is agreement {self.fingerprint}; replay the lead's event log through this "
                f"agreement (or keep processing it with the agreement that made it)",
                field="state.agreement",
                value=state.agreement,
                expected=self.fingerprint,
            )

    def load_state(self, data: str | bytes | Mapping[str, Any]) -> LeadState:
        """Read and verify a stored state: structure, fingerprint, and the lifecycle history.

        Raises:
            AgreementInputError: the data is not a state of this agreement.
        """
        state = LeadState.from_json(data)
        self.check_state(state)
        try:
            rebuilt = replay(state.record, self.graph)
        except LeadflowError as error:
            raise AgreementInputError(
                f"the lifecycle history of lead {state.lead_id!r} does not replay: {error}",
                field="state.record",
            ) from None
        if rebuilt != state.record:
            raise AgreementInputError(
                f"the lifecycle record of lead {state.lead_id!r} does not match its history",
                field="state.record",
            )
        return state

    # -- the webhook call ----------------------------------------------------------------
    def process(
        self,
        state: LeadState | None,
        event: ev.Event | Mapping[str, Any],
        *,
        now: datetime,
        routing: Routing | None = None,
    ) -> Reaction:
        """Apply one event to one lead: the one call a CRM webhook makes.

        Args:
            state: the lead's stored state, or ``None`` for a new lead (``created`` event).
            event: a typed event or its JSON mapping (``{"type": "activity", ...}``).
            now: when the event is processed (``received_at``); timezone-aware.
            routing: the stored routing value (default: a fresh one).

        Returns:
            The :class:`Reaction`: new state (``version`` + 1), updated routing, actions.

        Raises:
            NaiveDatetimeError: ``now`` has no time zone.
            AgreementInputError: unknown event type or field, an event for another lead, a state
                of another agreement, an event in the future, an unknown reason, a stale routing
                value.
            TransitionError: the lifecycle refuses the event (e.g. ``accepted`` in ``cold``).
            IdempotencyConflictError: the event's ``id`` is one of the lead's last
                :data:`SEEN_LIMIT` ids but its payload differs (the same id and payload is
                a no-op: ``Reaction.duplicate``).
            LeadValidationError: an ``updated`` event makes the lead invalid.
        """
        require_aware(now, "now")
        return run(self, state, event, now, routing)

    # -- the every-minute job --------------------------------------------------------------
    def schedule(self, state: LeadState) -> tuple[DueItem, ...]:
        """Every warning, breach and escalation of the lead's running timers, in time order.

        Escalations include each step of the duty's ladder (``escalate DUTY { ... }``); the
        recipients ``owner`` and ``team_lead`` are resolved for the lead.
        """
        items = [
            DueItem(
                alarm.at,
                state.lead_id,
                timer.name,
                alarm.kind,
                self._recipients(alarm.notify, state),
                alarm.note,
            )
            for timer in state.timers
            if timer.state == "running"
            for alarm in timer.alarms
        ]
        return tuple(sorted(items, key=lambda i: (i.at, i.timer)))

    def due(
        self, states: Iterable[LeadState], *, now: datetime, since: datetime | None = None
    ) -> Iterator[DueItem]:
        """The reminders in ``(since, now]`` over ``states``, one state at a time (constant memory).

        A job that passes its last run's ``now`` as ``since`` never sends a reminder twice.
        """
        require_aware(now, "now")
        if since is not None:
            require_aware(since, "since")
        for state in states:
            for item in self.schedule(state):
                if item.at <= now and (since is None or item.at > since):
                    yield item

    def _recipients(self, notify: tuple[str, ...], state: LeadState) -> tuple[str, ...]:
        """``owner`` and ``team_lead`` resolved for the lead (kept as they are when unknown)."""
        out = []
        for n in notify:
            if n == "owner" and state.owner:
                n = state.owner
            elif n == "team_lead" and state.team is not None and state.team in self.teams:
                n = self.teams[state.team].lead or n
            out.append(n)
        return tuple(out)

    # -- the page and the calendar -------------------------------------------------------
    def render(self, fmt: str = "markdown") -> str:
        """The one-page agreement, ``"markdown"`` or ``"html"`` (self-contained, prints on A4)."""
        from leadflow.agreement.render import render

        return render(self, fmt)

    def meetings_ics(self, *, start: datetime, until: datetime) -> str:
        """The meeting rhythm as an iCalendar file (RFC 5545) with recurrence rules."""
        from leadflow.agreement.ics import meetings_ics

        return meetings_ics(self, start=start, until=until)

    def run_tests(self) -> tuple[tuple[str, bool, tuple[str, ...]], ...]:
        """Run the file's ``test`` blocks: (name, passed, failures) each."""
        from leadflow.agreement.testing import run_tests

        return run_tests(self)


def load_agreement(path: str | PathLike[str]) -> Agreement:
    """Read and check an agreement file and the rule file it includes.

    Raises:
        AgreementSyntaxError: the file does not parse or a cross-reference does not resolve
            (with file:line:col, the line, a caret and "did you mean").
        RuleSyntaxError: the included rule file has an error (reported in that file).
        ConfigurationError: a file cannot be read.

    Errors name the agreement file as ``path`` was given (relative or absolute, like the rule
    language's errors); errors in the included rule file name it as ``path``'s folder joined
    with the ``include``.
    """
    try:
        name = os.fspath(path)
    except TypeError:
        name = None
    if not isinstance(name, str):
        raise ConfigurationError(
            f"the agreement path must be text or a path, got {type(path).__name__}",
            field="path",
            value=path,
            expected="str or os.PathLike[str]",
        )
    file = Path(name)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            f"cannot read agreement file {name!r}: {error.strerror}",
            field="path",
            value=name,
            expected="a readable file",
        ) from None
    return parse_agreement(text, source=name, base_dir=file.parent)


def parse_agreement(
    text: str, *, source: str = "<agreement>", base_dir: str | PathLike[str] = "."
) -> Agreement:
    """Check agreement text (see :func:`load_agreement`); includes are relative to ``base_dir``."""
    tree = parse_tree(text, source)
    parts, errors = build_parts(tree, text, source)
    if not parts.calendars and not parts.broken_calendars:
        errors.append(
            error_at(
                text,
                source,
                1,
                1,
                "the agreement needs a 'calendar' block (office hours, zone, holidays)",
            )
        )
    if not parts.includes:
        errors.append(
            error_at(
                text, source, 1, 1, "the agreement needs an 'include' of its scoring rule file"
            )
        )
    if not parts.rules:
        errors.append(
            error_at(
                text,
                source,
                1,
                1,
                "the agreement needs a 'route' block with at least an 'otherwise' rule",
            )
        )
    elif parts.rules[-1].condition is not None:
        w = parts.rules[-1].where
        errors.append(
            error_at(
                text,
                source,
                w.line,
                w.column,
                "the last routing rule must be '... otherwise', so every lead gets an owner",
            )
        )
    if not parts.reasons:
        errors.append(
            error_at(
                text,
                source,
                1,
                1,
                "the agreement needs a 'reasons' block (the mandatory rejection reasons)",
            )
        )
    raise_all(errors)
    base = Path(base_dir)
    texts = [text]
    rules: RuleSet | None = None
    for name, where in parts.includes:
        if rules is not None:
            raise_all(
                [
                    error_at(
                        text,
                        source,
                        where.line,
                        where.column,
                        "one scoring rule file per agreement; include the others from it",
                    )
                ]
            )
        file = base / name
        try:
            texts.append(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise_all(
                [
                    error_at(
                        text,
                        source,
                        where.line,
                        where.column,
                        f"cannot read {name!r}: {error.strerror}",
                    )
                ]
            )
        rules = load(file, reasons=tuple(parts.reasons))
    if rules is None:  # pragma: no cover - an include is required above
        raise ConfigurationError("no rule file included", field="include")
    known = (LEAD_FIELDS - _NOT_ROUTABLE) | set(DERIVED) | set(rules.score_names)
    raise_all(
        error_at(
            text,
            source,
            w.line,
            w.column,
            f"unknown field {name!r} in a routing rule{did_you_mean(name, known)}",
        )
        for name, w in parts.field_refs
        if name not in known
    )
    graph = _graph(parts)
    fingerprint = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
    return Agreement(parts, rules, graph, fingerprint, source)


def _graph(parts: Parts) -> Graph:
    """The default lifecycle graph with this agreement's reasons, handoff fields and contact rule.

    The agreement's automatic steps (actor ``system``) may also reject or recycle (the contact
    rule's "unreachable") and disqualify from every stage the graph disqualifies from (a
    knock-out); ``opportunity`` has no disqualification (it ends ``lost``).

    Transitions that name their own reason list (``lose``, ``recycle``) keep the codes of it
    the agreement lists (all of the agreement's reasons if it lists none of them).
    """
    data = graph_to_dict(default_graph(contact_attempts=parts.touches))
    codes = list(parts.reasons)
    every = set(data["reasons"])
    data["reasons"] = {
        code: {"label": r.label, "category": r.category, "marketing_action": r.marketing_action}
        for code, r in parts.reasons.items()
    }
    required = (
        list(parts.required) if parts.required is not None else list(DEFAULT_HANDOFF.required)
    )
    business = (
        parts.business_email if parts.required is not None else DEFAULT_HANDOFF.business_email
    )
    for transition in data["transitions"]:
        if set(transition["reasons"]) == every:
            transition["reasons"] = codes  # "any listed reason"
        elif transition["reasons"]:
            kept = [c for c in transition["reasons"] if c in parts.reasons]
            transition["reasons"] = kept or codes
        for guard in transition["guards"]:
            if guard["name"] == "handoff_complete":
                guard["fields"] = required
                guard["business_email"] = business
            if guard["name"] == "contact_attempts":
                guard["reasons"] = [c for c in guard["reasons"] if c in parts.reasons] or [
                    "unreachable"
                ]
        if (
            transition["name"] in ("reject", "recycle", "disqualify")
            and "system" not in transition["actors"]
        ):
            # reject/recycle: the contact rule's automatic "unreachable"; disqualify: a
            # knock-out after the handoff (mql, sal, sql) disqualifies like one before it
            transition["actors"].append("system")
    return graph_from_dict(data, source="agreement")
