"""The agreement's event log as metrics input: replay each lead, map its state to a History.

An event log is JSON Lines, one event per line: ``lead_id`` plus the event's JSON form (the
mapping :meth:`Agreement.process <leadflow.agreement.Agreement.process>` takes) and
``received_at``, the time it was processed (absent: the event's ``at``). Leads may interleave
in any order; each lead's own events come in the order they were processed.
:func:`read_event_log` replays every lead through the agreement into a
:class:`~leadflow.agreement.LeadState` and returns one :class:`History` per lead;
:func:`state_history` maps an already-built state. Memory grows with the number of leads,
not events.
"""

from __future__ import annotations

import gc
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from os import PathLike, fspath
from typing import Any, Final

from leadflow.agreement import Agreement, Assigned, LeadState, Routing, Transitioned
from leadflow.errors import (
    ArgumentTypeError,
    ConfigurationError,
    HistoryError,
    LeadflowError,
    Problem,
)
from leadflow.lead import Lead
from leadflow.metrics.history import (
    FieldValue,
    History,
    Touch,
    _parse_time,
    not_utf8,
    numbered_lines,
    require_iterable,
)
from leadflow.metrics.response import AgingLimit

__all__ = ("aging_limits", "read_event_log", "state_histories", "state_history")

_FIELDS = ("campaign", "channel", "source", "country", "region", "industry", "title")
"""Lead data copied into a history's fields (with owner, team, temperature, routed_at)."""


@dataclass(slots=True)
class _Lead:
    """What the replay keeps per lead beyond its state."""

    state: LeadState
    created_at: datetime
    temperature: str | None = None
    routed_at: datetime | None = None
    amount: float | None = None


def _touches(lead: Lead, created_at: datetime | None) -> tuple[Touch, ...]:
    touches = [
        Touch(a.at, a.campaign, a.channel)
        for a in lead.activities
        if a.campaign is not None or a.channel is not None
    ]
    if not touches and created_at is not None and (lead.campaign or lead.channel):
        touches.append(Touch(created_at, lead.campaign, lead.channel))
    return tuple(sorted(touches))


def _text(value: Any) -> FieldValue:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(getattr(value, "value", value))


def state_history(
    state: LeadState,
    *,
    temperature: str | None = None,
    routed_at: datetime | None = None,
    created_at: datetime | None = None,
    amount: float | None = None,
) -> History:
    """The :class:`History` of one lead state.

    Fields: the lead's ``campaign``, ``channel``, ``source``, ``country``, ``region``,
    ``industry``, ``title`` and custom fields, the state's ``owner`` and ``team``,
    ``temperature`` (at the handoff when given, else the state's current one) and
    ``routed_at`` (when given, else the first entry into ``mql``: the agreement routes at the
    handoff). ``created_at`` defaults to the lead's ``created_at``; the touches are the lead's
    activities that name a campaign or channel (none: one touch of the lead's own campaign at
    creation).
    """
    return _state_history(state, "state", temperature, routed_at, created_at, amount)


def _state_history(
    state: LeadState,
    argument: str,
    temperature: str | None = None,
    routed_at: datetime | None = None,
    created_at: datetime | None = None,
    amount: float | None = None,
) -> History:
    if not isinstance(state, LeadState):
        raise ArgumentTypeError(
            argument, state, "a LeadState", "e.g. the state of Agreement.process(...)"
        )
    lead = state.lead
    fields: dict[str, FieldValue] = {name: _text(value) for name, value in lead.custom.items()}
    fields.update({name: _text(getattr(lead, name)) for name in _FIELDS})
    if routed_at is None:
        routed_at = next((s.event.at for s in state.record.history if s.target == "mql"), None)
    fields["owner"] = state.owner
    fields["team"] = state.team
    fields["temperature"] = temperature if temperature is not None else state.temperature
    fields["routed_at"] = None if routed_at is None else routed_at.isoformat()
    created = created_at if created_at is not None else lead.created_at
    return History(state.record, fields, created, amount, _touches(lead, created))


def state_histories(states: Iterable[LeadState]) -> Iterator[History]:
    """:func:`state_history` over already-built states, lazily.

    Raises:
        ArgumentTypeError: ``states`` is not an iterable, or an item is not a ``LeadState``.
    """
    require_iterable(states, "states", "an iterable of LeadState", single=(LeadState,))
    return (_state_history(state, "states[...]") for state in states)


_AGING_TIMERS: Final = ("disposition",)
"""Timers besides ``STAGE ages after ...`` whose due time is a limit on staying in a stage."""


def aging_limits(agreement: Agreement) -> dict[str, AgingLimit]:
    """The aging limits an agreement states, per stage, for :func:`~leadflow.metrics.aging`.

    A stage's limit is the due time of its ``STAGE ages after ...`` line in the ``stages``
    block (``mql ages after 2 business days``: an MQL not accepted in time) or of the
    ``feedback`` block's ``disposition within ...`` (a SAL without disposition; stage
    ``sal``); the first one stated when a stage has both. Business time runs on the duration's
    calendar. The ``feedback`` steps on ``mql`` are measured as the feedback SLA, not here.
    """
    limits: dict[str, AgingLimit] = {}
    for spec in agreement.timer_specs.values():
        if spec.name != f"{spec.stage}_age" and spec.name not in _AGING_TIMERS:
            continue
        if spec.stage in limits or not spec.steps:
            continue
        due = spec.steps[0].after
        calendar = None
        if due.clock == "business":
            calendar = agreement.calendars[due.calendar or agreement.default_calendar]
        limits[spec.stage] = AgingLimit(due.amount, calendar, due.text)
    return limits


def _lines(source: str | PathLike[str] | Iterable[str], name: str) -> Iterator[tuple[str, str]]:
    if not isinstance(source, str | PathLike):
        yield from numbered_lines(source, name)
        return
    path = fspath(source)
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; a generator cannot use with)
    except OSError as error:
        raise _unreadable(path, error) from None
    with handle:
        try:
            for number, raw in enumerate(handle, 1):
                where = f"{path}:{number}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    problem = not_utf8(error, f"at column {error.start + 1}")
                    raise HistoryError((problem,), record_id=where) from None
                yield where, line
        except OSError as error:
            raise _unreadable(path, error) from None


def _unreadable(path: str | bytes, error: OSError) -> ConfigurationError:
    return ConfigurationError(
        f"cannot read event log {path!r}: {error.strerror or error}",
        field="path",
        value=path,
        expected="a readable file",
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) and restart it afterwards.

    A replay keeps every lead's state alive and builds no reference cycles of its own, so each
    full collection during it would only rescan all the states held (about a tenth of the
    replay's time at 100,000 events). Reference counting still frees everything else at once.
    """
    running = gc.isenabled()
    if running:
        gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def read_event_log(
    lines: str | PathLike[str] | Iterable[str],
    agreement: Agreement,
    *,
    source: str = "<events>",
    routing: Routing | None = None,
) -> list[History]:
    """Replay the agreement's event log and return one :class:`History` per lead.

    ``lines`` is a path (``str`` or ``os.PathLike``, read as UTF-8) or an iterable of JSONL
    lines (``str``; blank lines are skipped). Each event
    goes through ``agreement.process`` with ``now`` = its ``received_at`` (absent: its
    ``at``), in file order, sharing one routing value (start: ``routing``, default fresh).
    Owners of round-robin teams therefore match the live system when the log is in the order
    it was processed; every other part of a history is the same in any interleaving of leads.
    The histories come in the order of the leads' first events. Besides the state, the
    replay keeps per lead the temperature at the latest handoff, the first routing time, the
    creation time and the deal value of the latest ``opportunity``/``won`` event. The cyclic
    garbage collector is paused while the log is replayed (reference counting is not).

    Raises:
        HistoryError: a line is not UTF-8 or not JSON, its ``lead_id`` or time is missing or
            malformed (every such problem of the line is listed), or the agreement refuses its
            event (``record_id`` is ``SOURCE:LINE``; the refusal is the problem's message).
        ConfigurationError: the path cannot be read (no such file, a folder, no permission).
        ArgumentTypeError: ``lines`` is neither a path nor an iterable of ``str``.
    """
    with _collector_paused():
        pending = deque(_replay(lines, agreement, source, routing).values())
        histories = []
        while pending:  # each state goes as its history comes: no peak holding both
            item = pending.popleft()
            histories.append(
                state_history(
                    item.state,
                    temperature=item.temperature,
                    routed_at=item.routed_at,
                    created_at=item.created_at,
                    amount=item.amount,
                )
            )
        return histories


def _replay(
    lines: str | PathLike[str] | Iterable[str],
    agreement: Agreement,
    source: str,
    routing: Routing | None,
) -> dict[str, _Lead]:
    """Every lead's state and extras after replaying the log (see :func:`read_event_log`)."""
    leads: dict[str, _Lead] = {}
    shared = routing
    for where, line in _lines(lines, source):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problem = Problem("<line>", f"not JSON: {error.msg} at column {error.colno}", None)
            raise HistoryError((problem,), record_id=where) from None
        if not isinstance(data, dict):
            raise HistoryError(
                (Problem("<line>", "expected a JSON object", data),), record_id=where
            )
        event: dict[str, Any] = data  # a fresh object of json.loads: ours to change
        problems: list[Problem] = []
        lead_id = event.get("lead_id")
        if lead_id is None:
            message = "missing: the id of the lead the event is about"
            if "record" in event:
                message += (
                    " (this line is a lead history, not an event; read it with read_histories)"
                )
            problems.append(Problem("lead_id", message, None))
        elif not isinstance(lead_id, str) or not lead_id:
            found = "an empty string" if lead_id == "" else type(lead_id).__name__
            message = f"expected a non-empty string (the lead's id), got {found}"
            problems.append(Problem("lead_id", message, lead_id))
        given_received = event.pop("received_at", None)
        received = _parse_time(given_received, "received_at", problems)
        at = _parse_time(event.get("at"), "at", problems)
        now = received or at
        if given_received is None and event.get("at") is None:
            problems.append(
                Problem("received_at", "missing: give received_at or the event's at", None)
            )
        if problems or now is None or not isinstance(lead_id, str):
            raise HistoryError(tuple(problems), record_id=where)
        if event.get("type") == "created":
            lead_data = event.get("lead")
            given = lead_data.get("id") if isinstance(lead_data, Mapping) else None
            if given != lead_id:
                problem = Problem("lead.id", f"expected the line's lead_id {lead_id!r}", given)
                raise HistoryError((problem,), record_id=where)
            event.pop("lead_id")  # the lead's own id says it
        known = leads.get(lead_id)
        try:
            reaction = agreement.process(
                None if known is None else known.state, event, now=now, routing=shared
            )
        except LeadflowError as error:
            problem = Problem(str(event.get("type")), f"refused by the agreement: {error}", None)
            raise HistoryError((problem,), record_id=where) from error
        shared = reaction.routing
        state = reaction.state
        if known is None:
            known = _Lead(state, state.lead.created_at or at or now)
            leads[lead_id] = known
        known.state = state
        for action in reaction.actions:
            if isinstance(action, Transitioned):
                if action.target == "mql":
                    known.temperature = state.temperature
            elif isinstance(action, Assigned) and known.routed_at is None:
                known.routed_at = action.at
        value = event.get("value")
        if event.get("type") in ("opportunity", "won") and isinstance(value, int | float):
            known.amount = float(value)
    return leads
