"""What the host stores per lead (``LeadState``) and per company (``Routing``), as JSON values."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final, Literal

from pydantic import ValidationError

from leadflow.errors import AgreementInputError, LeadflowError
from leadflow.lead import Lead
from leadflow.lifecycle import LeadRecord

__all__ = ("SEEN_LIMIT", "Alarm", "DueItem", "LeadState", "Routing", "Timer")

TimerState = Literal["running", "met", "stopped"]

SEEN_LIMIT: Final = 100
"""How many event ids a lead state remembers (its last ones) to recognise a retried event."""
_SEEN_KEY: Final = re.compile(r"[a-z_]+:[0-9a-f]{16}")


@dataclass(frozen=True, slots=True)
class Alarm:
    """A future moment of a timer: its warning, its breach, or a later escalation."""

    at: datetime
    kind: Literal["warning", "breach", "escalation"]
    notify: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class Timer:
    """A duty with a clock: the response SLA, the feedback duty, an aging limit, ...

    ``state`` is ``running`` until the duty is ``met`` or ``stopped`` (the lead left the
    stage another way); whether a running timer is breached depends on ``now``: compare
    ``due_at``.
    """

    name: str
    started_at: datetime
    due_at: datetime
    warning_at: datetime | None
    state: TimerState
    alarms: tuple[Alarm, ...]
    done_at: datetime | None = None

    def closed(self, state: TimerState, at: datetime) -> Timer:
        """The timer met or stopped at ``at``."""
        return replace(self, state=state, done_at=at)


@dataclass(frozen=True, slots=True)
class DueItem:
    """One reminder for the every-minute job: who to tell about which lead, and why."""

    at: datetime
    lead_id: str
    timer: str
    kind: Literal["warning", "breach", "escalation"]
    notify: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class LeadState:
    """Everything the engine knows about one lead; the host stores it and passes it back.

    ``version`` grows by one per applied event (use it for optimistic locking);
    ``agreement`` is the fingerprint of the agreement that made the state.
    """

    lead: Lead
    record: LeadRecord
    owner: str | None
    team: str | None
    temperature: str | None
    scores: Mapping[str, float]
    timers: tuple[Timer, ...]
    version: int
    agreement: str
    seen: tuple[tuple[str, str], ...] = ()
    """The last :data:`SEEN_LIMIT` event ids applied, each with ``type:digest`` of its payload
    (idempotency keys: the same id again is a no-op with the same payload, an error with another)."""
    reached: bool = False
    """Whether sales reached the lead in the current cycle."""
    released: bool = False
    """Whether the owner's routing slot was given back (the lead left sales)."""

    def evolve(self, **changes: Any) -> LeadState:
        """This state with ``changes`` (a faster ``dataclasses.replace``, called per event).

        The engine calls this with values it built itself, so nothing is re-checked: the
        slots are copied and the changed ones overwritten (no ``__init__``, no
        ``object.__setattr__`` per field).
        """
        new = self._copy()
        for name, value in changes.items():
            _SET[name](new, value)
        return new

    def _rescored(
        self, lead: Lead, temperature: str | None, scores: Mapping[str, float]
    ) -> LeadState:
        """``evolve(lead=lead, temperature=temperature, scores=scores)``, spelled out (per event)."""
        new = self._copy()
        _s_lead(new, lead)
        _s_temperature(new, temperature)
        _s_scores(new, scores)
        return new

    def _copy(self) -> LeadState:
        """A copy of this state, slot by slot (for :meth:`evolve` and :meth:`_rescored`)."""
        new: LeadState = _new_state(LeadState)
        _s_lead(new, self.lead)
        _s_record(new, self.record)
        _s_owner(new, self.owner)
        _s_team(new, self.team)
        _s_temperature(new, self.temperature)
        _s_scores(new, self.scores)
        _s_timers(new, self.timers)
        _s_version(new, self.version)
        _s_agreement(new, self.agreement)
        _s_seen(new, self.seen)
        _s_reached(new, self.reached)
        _s_released(new, self.released)
        return new

    @property
    def lead_id(self) -> str:
        """The lead's id."""
        return self.lead.id

    @property
    def stage(self) -> str:
        """The lifecycle stage."""
        return self.record.stage

    def timer(self, name: str) -> Timer | None:
        """The latest timer called ``name``, if any."""
        for timer in reversed(self.timers):
            if timer.name == name:
                return timer
        return None

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready data."""
        return {
            "lead": self.lead.model_dump(mode="json", exclude_defaults=True),
            "record": self.record.to_dict(),
            "owner": self.owner,
            "team": self.team,
            "temperature": self.temperature,
            "scores": dict(self.scores),
            "timers": [_timer_dict(t) for t in self.timers],
            "version": self.version,
            "agreement": self.agreement,
            "seen": [list(pair) for pair in self.seen],
            "reached": self.reached,
            "released": self.released,
        }

    def to_json(self) -> str:
        """The state as a JSON document; :meth:`from_json` reads it back equal."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> LeadState:
        """Read a state written by :meth:`to_json`, verifying it rather than trusting it.

        The lead is validated, the lifecycle record is validated and its history replayed, and
        the parts are checked against each other (same lead id, the owner's timers). Loading
        under an agreement (``Agreement.load_state``) also checks the fingerprint and replays
        the record on that agreement's lifecycle graph.

        Raises:
            AgreementInputError: the data is not a valid state; the message says what is wrong.
        """
        try:
            raw = json.loads(data) if isinstance(data, str | bytes) else dict(data)
            lead = Lead.model_validate(raw["lead"])
            record = LeadRecord.from_json(raw["record"])
            timers = tuple(_timer_from(t) for t in raw.get("timers", ()))
            state = cls(
                lead=lead,
                record=record,
                owner=_optional_str(raw.get("owner")),
                team=_optional_str(raw.get("team")),
                temperature=_optional_str(raw.get("temperature")),
                scores=MappingProxyType(
                    {str(k): float(v) for k, v in raw.get("scores", {}).items()}
                ),
                timers=timers,
                version=int(raw["version"]),
                agreement=str(raw["agreement"]),
                seen=_seen_from(raw.get("seen", ())),
                reached=bool(raw.get("reached", False)),
                released=bool(raw.get("released", False)),
            )
        except (KeyError, TypeError, ValueError, ValidationError, LeadflowError) as error:
            raise AgreementInputError(
                f"not a valid lead state: {_brief(error)}",
                field="state",
                expected="the JSON of LeadState.to_json()",
            ) from None
        if record.lead_id != lead.id:
            raise AgreementInputError(
                f"not a valid lead state: the record is of lead {record.lead_id!r}, the lead is {lead.id!r}",
                field="state.record.lead_id",
                value=record.lead_id,
                expected=lead.id,
            )
        if state.version < 0 or (state.version == 0 and record.history):
            raise AgreementInputError(
                f"not a valid lead state: version {state.version} with {len(record.history)} recorded steps",
                field="state.version",
                value=state.version,
                expected="an integer >= 1 for a lead with history",
            )
        if len(state.seen) > min(state.version, SEEN_LIMIT):
            raise AgreementInputError(
                f"not a valid lead state: {len(state.seen)} seen event ids at version {state.version}",
                field="state.seen",
                value=len(state.seen),
                expected=f"at most min(version, {SEEN_LIMIT}) ids",
            )
        return state


def _seen_from(data: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, list | tuple):
        raise TypeError(f"seen: expected a list of [id, key] pairs, got {data!r}")
    pairs: list[tuple[str, str]] = []
    ids: set[str] = set()
    for item in data:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(x, str) for x in item)
        ):
            raise TypeError(f'seen: expected [id, "type:digest"] pairs, got {item!r}')
        event_id, key = item
        if not event_id or not _SEEN_KEY.fullmatch(key):
            raise ValueError(f'seen: {item!r} is not an [id, "type:digest"] pair')
        if event_id in ids:
            raise ValueError(f"seen: event id {event_id!r} listed twice")
        ids.add(event_id)
        pairs.append((event_id, key))
    return tuple(pairs)


_new_state = object.__new__


def _slot_setters(cls: type) -> tuple[Any, ...]:
    """The ``__set__`` of each slot of a slotted dataclass, in field order (for the engine's
    hot-path builders, which fill values they made themselves without ``__init__``)."""
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


_SET: dict[str, Any] = dict(
    zip((f.name for f in fields(LeadState)), _slot_setters(LeadState), strict=True)
)
"""Per field of ``LeadState``: the setter of its slot (``evolve`` fills a new state directly)."""
(
    _s_lead,
    _s_record,
    _s_owner,
    _s_team,
    _s_temperature,
    _s_scores,
    _s_timers,
    _s_version,
    _s_agreement,
    _s_seen,
    _s_reached,
    _s_released,
) = _SET.values()


def _brief(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"missing {error.args[0]!r}"
    text = str(error).splitlines()
    return text[0] if text else type(error).__name__


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected text or null, got {value!r}")
    return value


def _timer_dict(timer: Timer) -> dict[str, Any]:
    return {
        "name": timer.name,
        "started_at": timer.started_at.isoformat(),
        "due_at": timer.due_at.isoformat(),
        "warning_at": None if timer.warning_at is None else timer.warning_at.isoformat(),
        "state": timer.state,
        "done_at": None if timer.done_at is None else timer.done_at.isoformat(),
        "alarms": [
            {"at": a.at.isoformat(), "kind": a.kind, "notify": list(a.notify), "note": a.note}
            for a in timer.alarms
        ],
    }


def _instant(value: Any) -> datetime:
    result = datetime.fromisoformat(value)
    if result.tzinfo is None:
        raise ValueError(f"naive time {value!r} in a timer")
    return result


def _timer_from(data: Mapping[str, Any]) -> Timer:
    state = data["state"]
    if state not in ("running", "met", "stopped"):
        raise ValueError(f"unknown timer state {state!r}")
    alarms = []
    for a in data.get("alarms", ()):
        if a["kind"] not in ("warning", "breach", "escalation"):
            raise ValueError(f"unknown alarm kind {a['kind']!r}")
        alarms.append(
            Alarm(_instant(a["at"]), a["kind"], tuple(map(str, a["notify"])), str(a["note"]))
        )
    return Timer(
        name=str(data["name"]),
        started_at=_instant(data["started_at"]),
        due_at=_instant(data["due_at"]),
        warning_at=None if data.get("warning_at") is None else _instant(data["warning_at"]),
        state=state,
        alarms=tuple(alarms),
        done_at=None if data.get("done_at") is None else _instant(data["done_at"]),
    )


@dataclass(frozen=True, slots=True)
class Routing:
    """The routing value the host stores: open leads per owner and each team's next turn.

    Routing is pure: ``Agreement.process`` takes this value and returns it updated in the
    reaction. Store it with its ``version`` and write it back only if the stored version is
    still the one you read (compare-and-set), so two processes cannot hand out the same turn.
    """

    open: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Open leads per owner (members, overflow owners and named owners)."""
    turns: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """Per team, the index of the member whose turn is next."""
    version: int = 0

    def load(self, owner: str) -> int:
        """The open leads of ``owner``."""
        return self.open.get(owner, 0)

    def to_json(self) -> str:
        """The value as a JSON document."""
        return json.dumps(
            {"open": dict(self.open), "turns": dict(self.turns), "version": self.version},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> Routing:
        """Read a value written by :meth:`to_json`.

        Raises:
            AgreementInputError: not a routing value.
        """
        try:
            raw = json.loads(data) if isinstance(data, str | bytes) else dict(data)
            open_ = {str(k): int(v) for k, v in raw.get("open", {}).items()}
            turns = {str(k): int(v) for k, v in raw.get("turns", {}).items()}
            version = int(raw.get("version", 0))
            if any(v < 0 for v in (*open_.values(), *turns.values(), version)):
                raise ValueError("negative count")
        except (TypeError, ValueError, AttributeError) as error:
            raise AgreementInputError(
                f"not a valid routing value: {error}",
                field="routing",
                expected='{"open": {owner: count}, "turns": {team: index}, "version": n}',
            ) from None
        return cls(MappingProxyType(open_), MappingProxyType(turns), version)


# -- builders for the engine's hot path (values it made itself; see ``reaction.py``) ----------
_a_at, _a_kind, _a_notify, _a_note = _slot_setters(Alarm)
(
    _t_name,
    _t_started_at,
    _t_due_at,
    _t_warning_at,
    _t_state,
    _t_alarms,
    _t_done_at,
) = _slot_setters(Timer)


def new_alarm(
    at: datetime,
    kind: Literal["warning", "breach", "escalation"],
    notify: tuple[str, ...],
    note: str,
) -> Alarm:
    """``Alarm(at, kind, notify, note)``."""
    new: Alarm = _new_state(Alarm)
    _a_at(new, at)
    _a_kind(new, kind)
    _a_notify(new, notify)
    _a_note(new, note)
    return new


def new_timer(
    name: str,
    started_at: datetime,
    due_at: datetime,
    warning_at: datetime | None,
    alarms: tuple[Alarm, ...],
) -> Timer:
    """``Timer(name, started_at, due_at, warning_at, "running", alarms)``: a timer started now."""
    new: Timer = _new_state(Timer)
    _t_name(new, name)
    _t_started_at(new, started_at)
    _t_due_at(new, due_at)
    _t_warning_at(new, warning_at)
    _t_state(new, "running")
    _t_alarms(new, alarms)
    _t_done_at(new, None)
    return new
