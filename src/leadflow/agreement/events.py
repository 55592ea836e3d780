"""The events a CRM webhook reports, typed, and their JSON form (``{"type": "activity", ...}``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from leadflow.errors import AgreementInputError
from leadflow.lead import Activity, Lead

__all__ = (
    "EVENT_TYPES",
    "ActivityRecorded",
    "ContactAttempted",
    "DealLost",
    "DealWon",
    "Event",
    "LeadAccepted",
    "LeadCreated",
    "LeadDisqualified",
    "LeadQualified",
    "LeadRejected",
    "LeadUpdated",
    "OpportunityOpened",
    "parse_event",
)

_CONFIG = ConfigDict(frozen=True, extra="forbid")


class _Base(BaseModel):
    model_config = _CONFIG

    id: str | None = Field(default=None, min_length=1, max_length=200)
    """Idempotency key: an event whose id the lead has seen is applied once."""
    at: AwareDatetime | None = None
    """When it happened (default: the ``now`` it is processed at)."""
    lead_id: str | None = None
    """The lead it is about; checked against the state when given."""


class LeadCreated(_Base):
    """A new lead arrived (form, call, trade-fair card, import)."""

    type: Literal["created"] = "created"
    lead: Lead


class LeadUpdated(_Base):
    """Lead fields changed (enrichment, a form filled in later)."""

    type: Literal["updated"] = "updated"
    fields: dict[str, Any]


class ActivityRecorded(_Base):
    """A behavioural signal: demo request, pricing page view, download, ..."""

    type: Literal["activity"] = "activity"
    activity: Activity


class ContactAttempted(_Base):
    """Sales tried to reach the lead; ``reached`` says whether it worked."""

    type: Literal["contact_attempt"] = "contact_attempt"
    channel: str = "phone"
    reached: bool = False
    actor: str = Field(min_length=1)


class LeadAccepted(_Base):
    """Sales accepted the MQL (SAL)."""

    type: Literal["accepted"] = "accepted"
    actor: str = Field(min_length=1)


class LeadRejected(_Base):
    """Sales rejected the lead with a reason (code or label)."""

    type: Literal["rejected"] = "rejected"
    reason: str = Field(min_length=1)
    actor: str = Field(min_length=1)


class LeadQualified(_Base):
    """Sales answered a qualification framework (BANT, CHAMP, MEDDIC)."""

    type: Literal["qualified"] = "qualified"
    framework: str = Field(min_length=1)
    answers: dict[str, str | None]
    actor: str = "sales"


class OpportunityOpened(_Base):
    """An offer exists: an active sales project."""

    type: Literal["opportunity"] = "opportunity"
    value: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    actor: str = "sales"


class DealWon(_Base):
    """The deal was won."""

    type: Literal["won"] = "won"
    value: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    actor: str = "sales"


class DealLost(_Base):
    """The deal was lost, with a reason."""

    type: Literal["lost"] = "lost"
    reason: str = Field(min_length=1)
    actor: str = "sales"


class LeadDisqualified(_Base):
    """The lead is out for good, with a reason."""

    type: Literal["disqualified"] = "disqualified"
    reason: str = Field(min_length=1)
    actor: str = Field(min_length=1)


Event = (
    LeadCreated
    | LeadUpdated
    | ActivityRecorded
    | ContactAttempted
    | LeadAccepted
    | LeadRejected
    | LeadQualified
    | OpportunityOpened
    | DealWon
    | DealLost
    | LeadDisqualified
)
"""Any event ``Agreement.process`` takes."""

_TYPES: Final[dict[str, type[_Base]]] = {
    "created": LeadCreated,
    "updated": LeadUpdated,
    "activity": ActivityRecorded,
    "contact_attempt": ContactAttempted,
    "accepted": LeadAccepted,
    "rejected": LeadRejected,
    "qualified": LeadQualified,
    "opportunity": OpportunityOpened,
    "won": DealWon,
    "lost": DealLost,
    "disqualified": LeadDisqualified,
}
EVENT_TYPES: Final = tuple(_TYPES)
"""The event types, by their JSON ``type``."""

_ADAPTER: Final = TypeAdapter(Annotated[Event, Field(discriminator="type")])


def parse_event(data: Event | Mapping[str, Any]) -> Event:
    """A typed event from its JSON mapping (a typed event comes back as it is).

    Raises:
        AgreementInputError: unknown type (the valid ones are named) or invalid fields (each
            problem with the fields the type accepts).
    """
    if isinstance(data, _Base):
        return data
    if not isinstance(data, Mapping):
        raise AgreementInputError(
            f"expected an event or its JSON mapping, got {type(data).__name__}",
            field="event",
            value=data,
            expected="a mapping with a 'type'",
        )
    kind = data.get("type")
    if kind not in _TYPES:
        raise AgreementInputError(
            f"unknown event type {kind!r}; expected one of: {', '.join(EVENT_TYPES)}",
            field="type",
            value=kind,
            expected=", ".join(EVENT_TYPES),
        )
    try:
        return _ADAPTER.validate_python(dict(data))
    except ValidationError as error:
        cls = _TYPES[kind]
        fields = ", ".join(f for f in cls.model_fields if f != "type")
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'event'}: {e['msg']}"
            for e in error.errors()
        )
        raise AgreementInputError(
            f"invalid {kind!r} event: {problems}; a {kind!r} event has the fields: {fields}",
            field=kind,
            value=dict(data),
            expected=fields,
        ) from None


def event_json(event: Event) -> dict[str, Any]:
    """The JSON mapping of ``event`` (what :func:`parse_event` reads back)."""
    data: dict[str, Any] = event.model_dump(mode="json", exclude_none=True)
    return data
