"""From the parse tree of an agreement file to checked values; every cross-reference resolved."""

from __future__ import annotations

import difflib
import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from lark import Token, Tree

from leadflow.agreement.model import (
    MAX_DURATION,
    MIN_SAMPLE,
    MIN_SAMPLE_LIMIT,
    Alert,
    CalendarSpec,
    Condition,
    Duration,
    Ladder,
    Meeting,
    Miss,
    RouteRule,
    Step,
    Target,
    Team,
    TimerSpec,
    Where,
)
from leadflow.agreement.syntax import did_you_mean, error_at, raise_all
from leadflow.errors import AgreementSyntaxError, LeadflowError
from leadflow.handoff import LEAD_FIELDS
from leadflow.reasons import Reason
from leadflow.sla import BusinessCalendar

__all__ = ("Parts", "TestSpec", "build_parts")

TEMPERATURES = ("hot", "warm", "cold")
"""The temperatures the rule language produces (``temperature { ... }``)."""

METRICS = ("mql_to_sql", "sal_acceptance")
"""The plain metric names an ``alerts`` line may use: the rates ``leadflow.metrics`` judges
(besides ``uncontacted within D`` and ``rejected X``); a test keeps the two lists equal."""
_ALERT_FORMS = ", ".join((*METRICS, "uncontacted within DURATION", "rejected REASON_OR_CATEGORY"))
_UNITS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000}
_MAX_DIGITS = 9
"""Digits before the point of any number in an agreement file (below 1,000,000,000)."""
DERIVED = ("seniority", "buying_role", "email_domain", "temperature")
"""Facts a routing rule may read besides the lead's fields and the scores."""


@dataclass(frozen=True, slots=True)
class TestSpec:
    """A ``test`` block: a lead, its activities, and what the agreement must make of it."""

    name: str
    now: tuple[date, time]
    lead: dict[str, Any]
    activities: tuple[tuple[str, timedelta], ...]
    expect: tuple[tuple[str, Any, Where], ...]
    where: Where


@dataclass
class Parts:
    """Everything an agreement file states, checked (mutable only while it is built)."""

    title: str = ""
    review: str | None = None
    signed: tuple[str, ...] = ()
    includes: list[tuple[str, Where]] = field(default_factory=list)
    calendars: dict[str, CalendarSpec] = field(default_factory=dict)
    broken_calendars: set[str] = field(default_factory=set)
    required: tuple[str, ...] | None = None
    recommended: tuple[str, ...] | None = None
    business_email: bool = False
    iql_any_activity: bool = True
    mql_from: str = "mql"
    timers: list[TimerSpec] = field(default_factory=list)
    respond_on: str | None = None
    targets: dict[str, Target] = field(default_factory=dict)
    breach_notify: tuple[str, ...] = ("sales_manager",)
    promise: str | None = None
    route_within: Duration | None = None
    teams: dict[str, Team] = field(default_factory=dict)
    rules: list[RouteRule] = field(default_factory=list)
    touches: int = 6
    touch_window: Duration | None = None
    touch_gap: Duration | None = None
    reasons: dict[str, Reason] = field(default_factory=dict)
    reason_where: dict[str, Where] = field(default_factory=dict)
    alerts_over: str | None = None
    alerts_window: Duration | None = None
    alerts_min_sample: int | None = None
    """``alerts over D, at least N leads``: the block's minimum sample (``None``: not stated)."""
    alerts: list[Alert] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    ladders: list[Ladder] = field(default_factory=list)
    response_ladder: tuple[Step, ...] = ()
    """The escalations of the response duty (``escalate response { ... }``), after its breach."""
    roles: dict[str, str] = field(default_factory=dict)
    """``roles { name "who" }``: the roles duties and ladders may name."""
    meetings: list[Meeting] = field(default_factory=list)
    tests: list[TestSpec] = field(default_factory=list)
    field_refs: list[tuple[str, Where]] = field(default_factory=list)


class _Builder:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.errors: list[AgreementSyntaxError] = []
        self.parts = Parts()
        self.late: list[tuple[str, Token]] = []  # calendar references, resolved at the end
        self.recipients: list[tuple[Token, bool]] = []
        """Recipients of lead duties, resolved at the end (``True``: always checked, a ladder's)."""
        self.alert_recipients: list[Token] = []
        """Recipients of ``alerts`` and ``escalate misses``, resolved at the end."""
        self.attendees: list[Token] = []
        """Who a meeting is ``with``, resolved at the end (as alert recipients are)."""

    # -- helpers -------------------------------------------------------------------------
    def fail(self, at: Token | Tree[Token], what: str) -> None:
        line, column = _pos(at)
        self.errors.append(error_at(self.text, self.source, line, column, what))

    def where(self, at: Token | Tree[Token]) -> Where:
        line, column = _pos(at)
        return Where(self.source, line, column)

    def amount(self, number: Token, unit: str) -> float:
        """``number`` of ``unit``s, or 0 after an error when longer than :data:`MAX_DURATION`."""
        amount = float(number)
        if amount * _UNITS.get(unit, _UNITS["day"]) > MAX_DURATION.total_seconds():
            self.fail(number, f"a duration of at most {MAX_DURATION.days:,} days (about ten years)")
            return 0.0
        return amount

    def length(self, number: Token, unit: str) -> timedelta:
        """``number`` ``unit``s of elapsed time."""
        return timedelta(seconds=self.amount(number, unit) * _UNITS[unit])

    def duration(self, tree: Tree[Token], clock: Token | None = None) -> Duration:
        """A stated duration; ``clock``: a trailing ``business``/``elapsed`` (ladder steps)."""
        tokens = [t for t in tree.children if isinstance(t, Token)]
        unit = tokens[-1].rstrip("s")
        number = self.amount(tokens[0], unit)
        business = any(t.type == "BUSINESS" for t in tokens)
        text = " ".join(str(t) for t in tokens)
        if clock is not None:
            if business:
                self.fail(clock, f"say the clock once: '{text}' is business time already")
            elif clock.type == "BUSINESS":
                business = True
                text = f"{tokens[0]} business {tokens[-1]}"
        if business:
            if unit not in ("minute", "hour", "day"):
                self.fail(tokens[-1], f"business time counts minutes, hours or days, not {unit}s")
                unit = "day"
            self.late.append(("duration", tokens[-1]))
            seconds = number * _UNITS[unit] if unit != "day" else number
            return Duration(timedelta(seconds=seconds), "business", text, calendar=None)
        return Duration(timedelta(seconds=number * _UNITS[unit]), "elapsed", text)

    def names(self, items: list[Any]) -> tuple[str, ...]:
        return tuple(_text(token) for token in _recipients(items))

    def duty_names(self, items: list[Any], *, strict: bool = False) -> tuple[str, ...]:
        """The recipients of a lead duty, kept for the check at the end."""
        self.recipients.extend((token, strict) for token in _recipients(items))
        return self.names(items)

    def alert_names(self, items: list[Any]) -> tuple[str, ...]:
        """The recipients of an alert or a miss rung, kept for the check at the end."""
        self.alert_recipients.extend(_recipients(items))
        return self.names(items)

    def sample(self, tree: Tree[Token]) -> int | None:
        """``at least N leads``: a whole number from 1 to :data:`MIN_SAMPLE_LIMIT`."""
        token = cast(Token, tree.children[0])
        limit = f"{MIN_SAMPLE_LIMIT:,}"
        if "." in token:
            self.fail(
                token, f"a minimum sample is a whole number of leads (1 to {limit}), not {token}"
            )
            return None
        if not 1 <= int(token) <= MIN_SAMPLE_LIMIT:  # at most 9 digits: checked first
            self.fail(token, f"a minimum sample lies between 1 and {limit} leads, not {token}")
            return None
        return int(token)

    def _slice(self, tree: Any) -> str:
        meta = tree.meta
        return " ".join(self.text[meta.start_pos : meta.end_pos].split())

    # -- blocks --------------------------------------------------------------------------
    def run(self, tree: Tree[Token]) -> Parts:
        for block in tree.children:
            if isinstance(block, Tree):
                getattr(self, f"_{block.data}")(block)
        self._resolve()
        return self.parts

    def _agreement(self, tree: Tree[Token]) -> None:
        self.parts.title = _text(tree.children[0])
        for line in tree.children[1:]:
            if isinstance(line, Tree) and line.data == "review":
                self.parts.review = str(line.children[0])
            elif isinstance(line, Tree) and line.data == "signed":
                self.parts.signed = tuple(_text(t) for t in line.children)

    def _include(self, tree: Tree[Token]) -> None:
        token = cast(Token, tree.children[0])
        self.parts.includes.append((_text(token), self.where(token)))

    def _calendar(self, tree: Tree[Token]) -> None:
        name = cast(Token, tree.children[0])
        settings: dict[str, Any] = {"closures": []}
        texts: list[str] = []
        for line in _trees(tree.children[1:]):
            values = [t for t in line.children if isinstance(t, Token)]
            if line.data == "closed":
                start = date.fromisoformat(values[0])
                end = date.fromisoformat(values[-1])
                if end < start:
                    self.fail(values[-1], f"a closure must end on or after its start {start}")
                settings["closures"].append((start, end) if end != start else start)
                texts.append(" to ".join(str(v) for v in values))
            else:
                settings[line.data] = (_text(values[0]), values[0])
        hours = settings.get("hours", ("mon-fri 08:00-18:00", name))
        zone = settings.get("zone")
        if zone is None:
            self.fail(name, f"calendar {name!s} needs a 'zone' line, e.g. zone Europe/Berlin")
            self.parts.broken_calendars.add(str(name))
            return
        holidays = settings.get("holidays")
        try:
            calendar = BusinessCalendar(
                hours=hours[0],
                timezone=zone[0],
                holidays=None if holidays is None or holidays[0] == "none" else holidays[0],
                closures=settings["closures"],
            )
        except LeadflowError as error:
            setting = getattr(error, "field", None) or "hours"
            token = {"timezone": zone, "holidays": holidays}.get(setting, hours)
            self.fail((token or hours)[1], str(error))
            self.parts.broken_calendars.add(str(name))
            return
        if name in self.parts.calendars:
            self.fail(name, f"calendar {name!s} is defined twice")
        self.parts.calendars[str(name)] = CalendarSpec(
            name=str(name),
            calendar=calendar,
            hours=hours[0],
            zone=zone[0],
            holidays=None if holidays is None else holidays[0],
            closures=tuple(texts),
            day=_business_day(calendar),
        )

    def _handoff(self, tree: Tree[Token]) -> None:
        for line in _trees(tree.children):
            fields: list[str] = []
            for item in _trees(line.children):
                tokens = [t for t in item.children if isinstance(t, Token)]
                name = tokens[-1]
                if len(tokens) == 2:
                    if name != "email":
                        self.fail(tokens[0], f"'business' applies to email only, not {name}")
                    self.parts.business_email = True
                if name not in LEAD_FIELDS or name in ("id",):
                    hint = did_you_mean(str(name), LEAD_FIELDS - {"id"})
                    self.fail(name, f"unknown lead field {name!s}: no lead model has it{hint}")
                elif name in fields:
                    self.fail(name, f"{name!s} is listed twice")
                fields.append(str(name))
            if line.data == "require":
                self.parts.required = tuple(fields)
            else:
                self.parts.recommended = tuple(fields)

    def _stages(self, tree: Tree[Token]) -> None:
        for line in _trees(tree.children):
            stage = cast(Token, line.children[0])
            if line.data == "stage_any_activity":
                if stage != "iql":
                    self.fail(stage, f"'when any activity' sets the iql threshold, not {stage}")
                self.parts.iql_any_activity = True
            elif line.data == "stage_scoring":
                said = cast(Token, line.children[1])
                if stage != "mql" or said != "mql":
                    self.fail(stage, "only 'mql when scoring says mql' is supported")
            else:
                spans = cast(Tree[Token], line.children[1])
                steps = (Step(self.duration(spans), self.duty_names(line.children[2:])),)
                text = f"{stage} ages after {steps[0].after.text}"
                self.late.append(("stage", stage))
                self.parts.timers.append(TimerSpec(f"{stage}_age", str(stage), steps, text))

    def _respond(self, tree: Tree[Token]) -> None:
        on = cast(Token, tree.children[0])
        self.parts.respond_on = str(on)
        self.late.append(("calendar", on))
        for line in _trees(tree.children[1:]):
            if line.data == "promise":
                token = cast(Token, line.children[0])
                self.parts.promise = _text(token)
                self._check_promise(token)
                continue
            if line.data == "breach":
                self.parts.breach_notify = self.duty_names(line.children)
                continue
            name = cast(Token, line.children[0])
            if name not in TEMPERATURES:
                self.fail(
                    name, f"no temperature produces {name!s}{did_you_mean(name, TEMPERATURES)}"
                )
                continue
            if name in self.parts.targets:
                self.fail(name, f"a second target for {name!s}; state each temperature once")
            within, warning = None, 0.75
            if line.data == "target":
                within = self.duration(cast(Tree[Token], line.children[1]))
                if len(line.children) > 2:
                    percent = cast(Tree[Token], line.children[2])
                    warning = float(cast(Token, percent.children[0])) / 100
                    if not 0 < warning <= 1:
                        self.fail(percent, "the warning share must lie between 1 % and 100 %")
                        warning = 0.75
            self.parts.targets[str(name)] = Target(str(name), within, warning)

    def _check_promise(self, token: Token) -> None:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(_text(token)) if f is not None]
        except ValueError as error:
            self.fail(token, f"the promise text is not a valid template: {error}")
            return
        for name in fields:
            if name != "due":
                self.fail(
                    token,
                    f"the promise text may only use {{due}} (with a format such as {{due:%A %H:%M}}), not {{{name}}}",
                )

    def _route(self, tree: Tree[Token]) -> None:
        self.parts.route_within = self.duration(cast(Tree[Token], tree.children[0]))
        seen_otherwise: Where | None = None
        conditions: dict[Condition, Where] = {}
        for line in _trees(tree.children[1:]):
            if line.data == "team":
                self._team(line)
                continue
            owner_tree = cast(Tree[Token], line.children[0])
            token = cast(Token, owner_tree.children[0])
            is_team = token.type == "NAME"
            where = self.where(token)
            if is_team:
                self.late.append(("team", token))
            condition = None
            text = "otherwise"
            if line.data == "rule":
                cond_tree = line.children[1]
                condition = self.condition(cond_tree)
                text = self._slice(cond_tree)
            if seen_otherwise is not None:
                self.fail(
                    token,
                    f"this rule can never match: 'otherwise' on line {seen_otherwise.line} already takes every lead",
                )
            elif condition is not None and condition in conditions:
                self.fail(
                    token,
                    f"this rule can never match: line {conditions[condition].line} has the same condition",
                )
            if condition is None:
                seen_otherwise = where
            else:
                conditions[condition] = where
            self.parts.rules.append(RouteRule(_text(token), is_team, condition, text, where))

    def _team(self, line: Tree[Token]) -> None:
        name = cast(Token, line.children[0])
        members = tuple(
            _text(t) for t in cast(Tree[Token], line.children[1]).children if isinstance(t, Token)
        )
        cap = overflow = lead = None
        for option in _trees(line.children[2:]):
            value = cast(Token, option.children[0])
            if option.data == "cap":
                cap = int(float(value))
                if cap < 1:
                    self.fail(value, "a cap must be at least 1 open lead")
            elif option.data == "overflow":
                overflow = _text(value)
            else:
                lead = _text(value)
        if not members:
            self.fail(name, f"team {name!s} has no members")
        if len(set(members)) != len(members):
            self.fail(name, f"team {name!s} lists a member twice")
        if cap is not None and overflow is None:
            self.fail(
                name,
                f'team {name!s} has a cap but no overflow owner; add: overflow "name" (a lead is never routed over the cap silently)',
            )
        if name in self.parts.teams:
            self.fail(name, f"team {name!s} is defined twice")
        self.parts.teams[str(name)] = Team(
            str(name), members, cap, overflow, lead, self.where(name)
        )

    def condition(self, tree: Any) -> Condition:
        kind = tree.data
        if kind in ("or_condition", "and_condition"):
            return (
                "or" if kind == "or_condition" else "and",
                *(self.condition(c) for c in tree.children),
            )
        fieldname = cast(Token, tree.children[0])
        self.parts.field_refs.append((str(fieldname), self.where(fieldname)))
        if kind == "compare":
            return ("cmp", str(fieldname), str(tree.children[1]), float(tree.children[2]))
        if kind in ("equals", "differs"):
            value = cast(Token, cast(Tree[Token], tree.children[1]).children[0])
            parsed: Any = _text(value) if value.type == "STRING" else float(value)
            return ("is" if kind == "equals" else "is_not", str(fieldname), parsed)
        items = frozenset(_text(t) for t in tree.children[1].children if isinstance(t, Token))
        return ("in" if kind == "among" else "not_in", str(fieldname), items)

    def _contact(self, tree: Tree[Token]) -> None:
        number = cast(Token, tree.children[0])
        self.parts.touches = int(float(number))
        if self.parts.touches < 1:
            self.fail(number, "at least 1 touch")
        self.parts.touch_window = self.duration(cast(Tree[Token], tree.children[1]))
        if len(tree.children) > 2:
            self.parts.touch_gap = self.duration(cast(Tree[Token], tree.children[2]))

    def _feedback(self, tree: Tree[Token]) -> None:
        steps: list[Step] = []
        for line in _trees(tree.children):
            after = self.duration(cast(Tree[Token], line.children[0]))
            notify = self.duty_names(line.children[1:])
            if line.data == "disposition":
                text = f"disposition within {after.text}"
                self.parts.timers.append(
                    TimerSpec("disposition", "sal", (Step(after, notify),), text)
                )
            else:
                steps.append(Step(after, notify))
        if steps:
            text = f"feedback within {steps[0].after.text}"
            self.parts.timers.append(TimerSpec("feedback", "mql", tuple(steps), text))

    def _reasons(self, tree: Tree[Token]) -> None:
        for item in _trees(tree.children):
            tokens = [t for t in item.children if isinstance(t, Token)]
            code, label, action = tokens[0], _text(tokens[1]), _text(tokens[-1])
            category = str(tokens[2]) if len(tokens) == 4 else "other"
            if code in self.parts.reasons:
                self.fail(code, f"reason {code!s} is listed twice")
            self.parts.reasons[str(code)] = Reason(str(code), label, category, action)
            self.parts.reason_where[str(code)] = self.where(code)

    def _alerts(self, tree: Tree[Token]) -> None:
        span = cast(Tree[Token], tree.children[0])
        window = self.duration(span)
        if window.clock == "business":
            self.fail(
                span,
                f"alerts measure calendar time: say 'over {window.text.replace('business ', '')}'",
            )
        self.parts.alerts_over = window.text
        self.parts.alerts_window = window
        block = next((x for x in _trees(tree.children[1:]) if x.data == "sample"), None)
        self.parts.alerts_min_sample = None if block is None else self.sample(block)
        default = self.parts.alerts_min_sample or MIN_SAMPLE
        for alert in _trees(tree.children[1:]):
            if alert.data != "alert":
                continue
            metric = cast(Tree[Token], alert.children[0])
            direction, number = cast(Token, alert.children[1]), cast(Token, alert.children[2])
            name, within = self._metric(metric)
            text = self._slice(alert)
            notify = self.alert_names(alert.children[3:])
            line = next((x for x in _trees(alert.children[3:]) if x.data == "sample"), None)
            if float(number) > 100:
                self.fail(number, f"a rate lies between 0 % and 100 %, not {number} %")
            self.parts.alerts.append(
                Alert(
                    name,
                    direction.value,
                    float(number),
                    notify,
                    text,
                    self.where(alert),
                    within,
                    min_sample=(line and self.sample(line)) or default,
                )
            )

    def _metric(self, metric: Tree[Token]) -> tuple[str, Duration | None]:
        if metric.data == "metric_name":
            token = cast(Token, metric.children[0])
            if token not in METRICS:
                close = difflib.get_close_matches(token, METRICS, n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.fail(
                    token,
                    f"unknown metric {token!s}{hint} (the alerts judge: {_ALERT_FORMS})",
                )
            return str(token), None
        if metric.data == "metric_rejected":
            token = cast(Token, metric.children[0])
            self.late.append(("reason_or_category", token))
            return f"rejected {token}", None
        span = self.duration(cast(Tree[Token], metric.children[0]))
        return f"uncontacted within {span.text}", span

    def _escalate(self, tree: Tree[Token]) -> None:
        for miss in _trees(tree.children):
            tokens = [t for t in miss.children if isinstance(t, Token)]
            row = any(t.type == "IN_A_ROW" for t in tokens)
            self.parts.misses.append(
                Miss(
                    f"{tokens[0]} {tokens[1]}",
                    row,
                    self.alert_names(miss.children),
                    self.where(miss),
                )
            )

    def _ladder(self, tree: Tree[Token]) -> None:
        duty = cast(Token, tree.children[0])
        steps = []
        for line in _trees(tree.children[1:]):
            span = cast(Tree[Token], line.children[0])
            clock = next(
                (t for t in line.children[1:] if isinstance(t, Token)),
                None,
            )
            after = self.duration(span, clock)
            steps.append(Step(after, self.duty_names(line.children[1:], strict=True)))
        if not steps:
            self.fail(duty, f"the ladder of {duty!s} has no steps; add: after 48 hours -> someone")
        self.parts.ladders.append(Ladder(str(duty), tuple(steps), self.where(duty)))

    def _roles(self, tree: Tree[Token]) -> None:
        for role in _trees(tree.children):
            name, label = cast(Token, role.children[0]), cast(Token, role.children[1])
            if name in self.parts.roles:
                self.fail(name, f"role {name!s} is listed twice")
            elif name in ("owner", "team_lead"):
                self.fail(name, f"{name!s} is built in (the lead's {name.replace('_', ' ')})")
            self.parts.roles[str(name)] = _text(label)

    def _meetings(self, tree: Tree[Token]) -> None:
        for item in _trees(tree.children):
            tokens = [t for t in item.children if isinstance(t, Token)]
            name, frequency = tokens[0], tokens[1]
            rest = tokens[2:]
            ordinal = str(rest.pop(0)) if rest[0].type == "ORDINAL" else None
            day, at, number, unit = rest[0], rest[1], rest[2], rest[3]
            if frequency == "weekly" and ordinal is not None:
                self.fail(
                    tokens[2], "a weekly meeting takes a weekday only, without 'first'/'last'"
                )
            if frequency != "weekly" and ordinal is None:
                self.fail(
                    day,
                    f"a {frequency} meeting needs which weekday of the period, e.g. 'first {day}'",
                )
            hh, mm = (int(x) for x in at.split(":"))
            if hh > 23 or mm > 59:
                self.fail(at, f"{at} is not a time of day")
                hh, mm = 0, 0
            length = self.length(number, unit.rstrip("s"))
            self.parts.meetings.append(
                Meeting(
                    str(name),
                    frequency.value,
                    ordinal,
                    str(day),
                    time(hh, mm),
                    length,
                    self.names(item.children),
                )
            )
            self.attendees.extend(_recipients(item.children))

    def _test(self, tree: Tree[Token]) -> None:
        name = cast(Token, tree.children[0])
        day, at = cast(Token, tree.children[1]), cast(Token, tree.children[2])
        lead: dict[str, Any] = {}
        activities: list[tuple[str, timedelta]] = []
        expect: list[tuple[str, Any, Where]] = []
        for child in _trees(tree.children[3:]):
            if child.data == "lead_literal":
                for pair in _trees(child.children):
                    key = cast(Token, pair.children[0])
                    value = cast(Token, cast(Tree[Token], pair.children[1]).children[0])
                    if key not in LEAD_FIELDS:
                        self.fail(
                            key, f"unknown lead field {key!s}{did_you_mean(key, LEAD_FIELDS)}"
                        )
                    lead[str(key)] = _text(value) if value.type == "STRING" else int(float(value))
            elif child.data == "activity_line":
                tokens = [t for t in child.children if isinstance(t, Token)]
                ago = timedelta(0)
                if len(tokens) == 3:
                    ago = self.length(tokens[1], tokens[2].rstrip("s"))
                activities.append((str(tokens[0]), ago))
            else:
                token = cast(
                    Token,
                    child.children[-1]
                    if child.data != "expect_owner"
                    else cast(Tree[Token], child.children[0]).children[0],
                )
                kind = child.data.removeprefix("expect_")
                if kind == "due":
                    value2: Any = (
                        date.fromisoformat(cast(Token, child.children[0])),
                        _time(cast(Token, child.children[1])),
                    )
                elif kind == "temperature" and token not in TEMPERATURES:
                    self.fail(token, f"no temperature {token!s}{did_you_mean(token, TEMPERATURES)}")
                    value2 = str(token)
                else:
                    value2 = _text(token)
                expect.append((kind, value2, self.where(child)))
        self.parts.tests.append(
            TestSpec(
                _text(name),
                (date.fromisoformat(day), _time(at)),
                lead,
                tuple(activities),
                tuple(expect),
                self.where(name),
            )
        )

    # -- cross-references ----------------------------------------------------------------
    def _resolve(self) -> None:
        parts = self.parts
        default = parts.respond_on or next(iter(parts.calendars), None)
        for kind, token in self.late:
            if kind == "calendar" and token in parts.broken_calendars:
                continue  # its block is reported already; no follow-up error per reference
            if kind == "calendar" and token not in parts.calendars:
                self.fail(
                    token, f"unknown calendar {token!s}{did_you_mean(token, parts.calendars)}"
                )
            elif kind == "team" and token not in parts.teams:
                self.fail(
                    token,
                    f"unknown team {token!s}{did_you_mean(token, parts.teams)} (an owner's name goes in quotes)",
                )
            elif kind == "duration" and default is None:
                self.fail(token, "business time needs a calendar; add a 'calendar' block")
            elif kind == "reason_or_category":
                known = set(parts.reasons) | {r.category for r in parts.reasons.values()}
                if token not in known:
                    self.fail(
                        token, f"unknown reason or category {token!s}{did_you_mean(token, known)}"
                    )
        parts.alerts = [self._alert_reasons(alert) for alert in parts.alerts]
        if default is not None and default in parts.calendars:
            spec = parts.calendars[default]
            fix = _with_calendar(default, spec.day)
            parts.alerts = [replace(x, within=fix(x.within)) for x in parts.alerts]
            parts.route_within = fix(parts.route_within)
            parts.touch_window = fix(parts.touch_window)
            parts.touch_gap = fix(parts.touch_gap)
            parts.targets = {
                k: Target(t.temperature, fix(t.within), t.warning) for k, t in parts.targets.items()
            }
            parts.timers = [
                TimerSpec(
                    t.name,
                    t.stage,
                    tuple(
                        sorted(
                            (Step(cast(Duration, fix(s.after)), s.notify) for s in t.steps),
                            key=lambda s: s.after.amount,
                        )
                    ),
                    t.text,
                )
                for t in parts.timers
            ]
            parts.timers = [
                TimerSpec(t.name, t.stage, t.steps, f"feedback within {t.steps[0].after.text}")
                if t.name == "feedback"
                else t
                for t in parts.timers
            ]
            parts.ladders = [
                Ladder(
                    x.duty,
                    tuple(Step(cast(Duration, fix(s.after)), s.notify) for s in x.steps),
                    x.where,
                )
                for x in parts.ladders
            ]
        self._check_recipients()
        self._merge_ladders()

    def _alert_reasons(self, alert: Alert) -> Alert:
        """``rejected X``: the codes X names (itself, or every code of category X)."""
        if not alert.metric.startswith("rejected "):
            return alert
        name = alert.metric.removeprefix("rejected ")
        reasons = self.parts.reasons
        codes = (
            (name,)
            if name in reasons
            else tuple(code for code, r in reasons.items() if r.category == name)
        )
        return replace(alert, rejected=codes)

    def _check_recipients(self) -> None:
        """Recipients: a ladder's always; every duty's, alert's and miss rung's once ``roles``
        exist (without a ``roles`` block those names are free text, as before roles existed)."""
        parts = self.parts
        names = {*parts.roles, *parts.teams, "owner", "team_lead"}
        people = {r.owner for r in parts.rules if not r.team}
        for team in parts.teams.values():
            people.update(team.members)
            people.update(p for p in (team.overflow, team.lead) if p)
        for token, strict in self.recipients:
            if strict or parts.roles:
                self._check_recipient(token, names, people)
        of_many = names - {"owner", "team_lead"}
        for tokens, what in (
            (self.alert_recipients, "an alert judges many leads: there is no one {} to tell"),
            (self.attendees, "a meeting is about many leads: there is no one {} to invite"),
        ):
            for token in tokens:
                if token.type == "NAME" and token in ("owner", "team_lead"):
                    self.fail(
                        token, what.format(token.replace("_", " ")) + "; name a role or a team"
                    )
                elif parts.roles:
                    self._check_recipient(token, of_many, people)

    def _check_recipient(self, token: Token, names: set[str], people: set[str]) -> None:
        name = _text(token)
        if token.type == "STRING" and name not in people:
            self.fail(
                token,
                f'unknown person "{name}"{did_you_mean(name, people)} '
                "(a person named in the route block: a member, overflow owner, team lead or owner)",
            )
        elif token.type != "STRING" and name not in names:
            kinds = "a role, a team, owner or team_lead" if "owner" in names else "a role or a team"
            roles = "" if self.parts.roles else "; declare it in a 'roles' block"
            self.fail(
                token,
                f"unknown recipient {name}{did_you_mean(name, names)} ({kinds}; "
                f"a person goes in quotes){roles}",
            )

    def _merge_ladders(self) -> None:
        """Each ladder's steps join its duty, after the duty's due time."""
        parts = self.parts
        specs = {t.name: t for t in parts.timers}
        duties = sorted({"response", "feedback", *specs})
        seen: dict[str, Where] = {}
        for ladder in parts.ladders:
            at = ladder.where
            if not ladder.steps:
                continue  # reported where it was read
            if ladder.duty in seen:
                self._fail_at(
                    at,
                    f"a second ladder for {ladder.duty}; line {seen[ladder.duty].line} has one",
                )
                continue
            seen[ladder.duty] = at
            if ladder.duty not in duties:
                self._fail_at(
                    at,
                    f"unknown duty {ladder.duty}{did_you_mean(ladder.duty, duties)} "
                    f"(a ladder escalates one of: {', '.join(duties)})",
                )
                continue
            if ladder.duty == "response":
                dues = [t.within for t in parts.targets.values() if t.within is not None]
                self._after_due(ladder, dues)
                parts.response_ladder = ladder.steps
                continue
            spec = specs.get(ladder.duty)
            if spec is None:  # feedback without a feedback line: the ladder is the duty
                text = f"feedback within {ladder.steps[0].after.text}"
                spec = TimerSpec("feedback", "mql", ladder.steps, text)
                parts.timers.append(spec)
            else:
                self._after_due(ladder, [spec.steps[0].after])
                spec = TimerSpec(spec.name, spec.stage, spec.steps + ladder.steps, spec.text)
                parts.timers = [spec if t.name == spec.name else t for t in parts.timers]
            specs[spec.name] = spec

    def _after_due(self, ladder: Ladder, dues: list[Duration]) -> None:
        """Refuse a step that comes at or before a due time it can be compared with."""
        for step in ladder.steps:
            for due in dues:
                comparable = step.after.clock == due.clock or step.after.clock == "elapsed"
                if comparable and step.after.amount <= due.amount:
                    self._fail_at(
                        ladder.where,
                        f"the {ladder.duty} ladder's step 'after {step.after.text}' does not come "
                        f"after the duty's due time ({due.text}); a ladder escalates a missed duty",
                    )
                    return

    def _fail_at(self, where: Where, what: str) -> None:
        self.errors.append(error_at(self.text, self.source, where.line, where.column, what))


def _with_calendar(name: str, day: timedelta) -> Callable[[Duration | None], Duration | None]:
    def fix(value: Duration | None) -> Duration | None:
        if value is None or value.clock != "business":
            return value
        amount = value.amount
        if value.text.rstrip("s").endswith("day"):
            amount = day * amount.total_seconds()  # stored as a count of days
        return Duration(amount, "business", value.text, name)

    return fix


def _business_day(calendar: BusinessCalendar) -> timedelta:
    plain = BusinessCalendar(hours=calendar.hours, timezone=calendar.timezone)
    monday = datetime(2026, 1, 5, tzinfo=calendar.timezone)
    week = plain.between(monday, monday + timedelta(days=7))
    open_days = sum(1 for spans in calendar.hours.days if spans) or 1
    return week / open_days


def _recipients(items: list[Any]) -> list[Token]:
    """The name tokens of the ``recipient`` trees among ``items``."""
    return [
        cast(Token, item.children[0])
        for item in items
        if isinstance(item, Tree) and item.data == "recipient"
    ]


def _trees(items: list[Any]) -> list[Tree[Token]]:
    return [item for item in items if isinstance(item, Tree)]


def _pos(at: Token | Tree[Token]) -> tuple[int, int]:
    if isinstance(at, Token):
        return at.line or 1, at.column or 1
    return at.meta.line, at.meta.column


def _text(token: Any) -> str:
    value = str(token)
    return value[1:-1] if value.startswith('"') and value.endswith('"') else value


def _time(token: Token) -> time:
    hh, mm = (int(x) for x in token.split(":"))
    return time(min(hh, 23), min(mm, 59))


def build_parts(
    tree: Tree[Token], text: str, source: str
) -> tuple[Parts, list[AgreementSyntaxError]]:
    """The checked parts of a parsed agreement file, and every error found."""
    builder = _Builder(text, source)
    for number in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NUMBER"):
        digits = len(number.partition(".")[0])
        if digits > _MAX_DIGITS:
            builder.fail(
                number,
                f"a number below 1,000,000,000 (at most {_MAX_DIGITS} digits before the "
                f"point), not one of {digits:,} digits",
            )
    raise_all(builder.errors)  # nothing below reads a number it cannot hold
    parts = builder.run(tree)
    return parts, builder.errors
