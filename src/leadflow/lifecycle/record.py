"""The lifecycle's own frozen record of a lead: stage, cycle, attempts and the full history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Final

from pydantic import ConfigDict, TypeAdapter, ValidationError

from leadflow.errors import LeadValidationError
from leadflow.lifecycle.events import Step, _slot_setters, problems_of

__all__ = ("LeadRecord",)


@dataclass(frozen=True, slots=True)
class LeadRecord:
    """Where a lead stands in the lifecycle, and how it got there.

    Records are values: :func:`~leadflow.lifecycle.advance` returns a new one and leaves the
    input untouched. ``history`` is the append-only log; replaying it from ``origin`` gives the
    same record (see :func:`~leadflow.lifecycle.replay`). The record holds no graph and no
    machine: the graph is shared and passed in.

    >>> LeadRecord("L-1", "cold")
    LeadRecord(lead_id='L-1', stage='cold', origin='cold', cycle=0, attempts=0, history=())
    """

    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    lead_id: str
    stage: str
    origin: str = ""
    """The stage the lead entered the lifecycle in (defaults to ``stage``)."""
    cycle: int = 0
    """How often the lead re-entered the funnel from nurture (0 for a first-time lead)."""
    attempts: int = 0
    """Contact attempts recorded in the current cycle."""
    history: tuple[Step, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin:
            object.__setattr__(self, "origin", self.stage)

    @property
    def last_at(self) -> datetime | None:
        """The timestamp of the last recorded event, ``None`` for a fresh record."""
        return self.history[-1].event.at if self.history else None

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        result: dict[str, Any] = _RECORD.dump_python(self, mode="json")
        return result

    def to_json(self) -> str:
        """The record as a JSON document; :meth:`from_json` reads it back unchanged."""
        return _RECORD.dump_json(self).decode()

    @classmethod
    def from_json(cls, data: str | bytes | dict[str, Any]) -> LeadRecord:
        """Read a record written by :meth:`to_json` (or the data of :meth:`to_dict`).

        Raises:
            LeadValidationError: the data is not a valid record; every problem is listed.
        """
        try:
            if isinstance(data, dict):
                return _RECORD.validate_python(data)
            return _RECORD.validate_json(data)
        except ValidationError as error:
            lead_id = data.get("lead_id") if isinstance(data, dict) else None
            raise LeadValidationError(
                problems_of(error), record_id=lead_id if isinstance(lead_id, str) else None
            ) from None


_RECORD: Final = TypeAdapter(LeadRecord)
_record_slots: Final = _slot_setters(LeadRecord)


def new_record(
    lead_id: str, stage: str, origin: str, cycle: int, attempts: int, history: tuple[Step, ...]
) -> LeadRecord:
    """Build a :class:`LeadRecord` without the generated frozen ``__init__`` (hot path)."""
    record: LeadRecord = object.__new__(LeadRecord)
    _record_slots[0](record, lead_id)
    _record_slots[1](record, stage)
    _record_slots[2](record, origin)
    _record_slots[3](record, cycle)
    _record_slots[4](record, attempts)
    _record_slots[5](record, history)
    return record
