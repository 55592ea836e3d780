"""The B2B lead: who the person is, which company, how they arrived, what they did.

``Lead`` and ``Activity`` are frozen pydantic models: they parse webhook JSON, dump back to it,
export a JSON Schema, and never change after construction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from leadflow.emails import email_domain, is_freemail_domain
from leadflow.errors import LeadValidationError, Problem
from leadflow.titles import BuyingRole, Seniority, buying_role_of, seniority_of

__all__ = (
    "STANDARD_ACTIVITY_KINDS",
    "Activity",
    "Lead",
    "LeadSource",
    "validate_lead",
)

_CONFIG = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

NonBlank = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("expected an address like 'name@company.com'")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _check_country(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ValueError("expected an ISO 3166-1 alpha-2 code such as 'DE'")
    return value.upper()


Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(_check_email)]
Country = Annotated[str, AfterValidator(_check_country)]


class LeadSource(StrEnum):
    """How the lead reached the company; the customer chooses the channel."""

    WEB_FORM = "web_form"
    PHONE_CALL = "phone_call"
    EMAIL = "email"
    CALLBACK_REQUEST = "callback_request"
    CHAT = "chat"
    TRADE_FAIR = "trade_fair"
    EVENT = "event"
    WEBINAR = "webinar"
    PURCHASED_LIST = "purchased_list"
    REFERRAL = "referral"
    PARTNER = "partner"
    SOCIAL = "social"
    OTHER = "other"


STANDARD_ACTIVITY_KINDS: Final[frozenset[str]] = frozenset(
    {
        "website_visit",
        "pricing_page_view",
        "careers_page_view",
        "content_download",
        "webinar_registered",
        "webinar_attended",
        "demo_request",
        "contact_request",
        "callback_request",
        "free_trial",
        "form_submit",
        "email_open",
        "email_click",
        "email_reply",
        "unsubscribe",
        "call",
        "meeting",
        "linkedin_message",
        "trade_fair_visit",
        "event_attended",
    }
)
"""Activity kinds leadflow knows; hosts may record others (lower_snake_case names)."""


class Activity(BaseModel):
    """One timestamped behavioural signal of a lead.

    >>> from datetime import datetime, timezone
    >>> Activity(kind="pricing_page_view", at=datetime(2026, 11, 20, 9, tzinfo=timezone.utc))
    Activity(kind='pricing_page_view', at=datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.timezone.utc), campaign=None, channel=None, detail=None)
    """

    model_config = _CONFIG

    kind: Name
    """What happened: one of :data:`STANDARD_ACTIVITY_KINDS` or a host-defined lower_snake_case kind."""
    at: AwareDatetime
    """When it happened; naive datetimes are rejected."""
    campaign: NonBlank | None = None
    channel: NonBlank | None = None
    detail: NonBlank | None = None
    """Free text such as the page URL or the document title."""


class Lead(BaseModel):
    """A B2B lead: the minimum data the source material demands, plus enrichment and history.

    ``company`` and ``email`` are mandatory ("we only sell to companies"); everything else is
    optional and reported by :func:`leadflow.check_handoff` when absent.

    >>> lead = Lead(id="L-1", company="Muster GmbH", email="anna@muster.de", title="Head of IT")
    >>> lead.is_business_email, lead.seniority, lead.buying_role
    (True, <Seniority.MANAGER: 'manager'>, <BuyingRole.INFLUENCER: 'influencer'>)
    """

    model_config = _CONFIG

    id: NonBlank
    company: NonBlank
    email: Email
    first_name: NonBlank | None = None
    last_name: NonBlank | None = None
    title: NonBlank | None = None
    """Position or role, free text in English or German ("Leiter Einkauf", "VP Sales")."""
    phone: NonBlank | None = None
    interests: tuple[NonBlank, ...] = ()
    employees: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    industry: NonBlank | None = None
    country: Country | None = None
    region: NonBlank | None = None
    tech_stack: tuple[NonBlank, ...] = ()
    source: LeadSource | None = None
    channel: NonBlank | None = None
    campaign: NonBlank | None = None
    created_at: AwareDatetime | None = None
    activities: tuple[Activity, ...] = ()
    custom: dict[Name, str | int | float | bool | None] = Field(default_factory=dict)
    """Host-defined fields (declare them to the rules checker so rule files can use them)."""

    @property
    def email_domain(self) -> str:
        """Lower-cased domain of :attr:`email`."""
        return email_domain(self.email)

    @property
    def is_freemail(self) -> bool:
        """Whether :attr:`email` is at a free-mail provider (gmail.com, web.de, ...)."""
        return is_freemail_domain(self.email_domain)

    @property
    def is_business_email(self) -> bool:
        """The opposite of :attr:`is_freemail`."""
        return not self.is_freemail

    @property
    def seniority(self) -> Seniority:
        """Seniority derived from :attr:`title`."""
        return seniority_of(self.title)

    @property
    def buying_role(self) -> BuyingRole:
        """Buying-center role derived from :attr:`title`."""
        return buying_role_of(self.title)

    def activities_of(self, kind: str) -> tuple[Activity, ...]:
        """The activities of one kind, in recorded order."""
        return tuple(a for a in self.activities if a.kind == kind)

    def last_activity_at(self) -> datetime | None:
        """The latest activity timestamp, or ``None`` without activities."""
        return max((a.at for a in self.activities), default=None)


_MESSAGES: Final = {
    "missing": "is required",
    "timezone_aware": "must be timezone-aware, e.g. '2026-11-20T15:00:00+01:00'; got a naive time",
    "extra_forbidden": "is not a lead field (put host-defined data under 'custom')",
}


def _message(item: Any) -> str:
    kind = item["type"]
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    if kind == "string_too_short" and item.get("ctx", {}).get("min_length") == 1:
        return "must not be blank"
    return str(item["msg"]).removeprefix("Value error, ")


def _problems(error: ValidationError) -> tuple[Problem, ...]:
    return tuple(
        Problem(
            field=".".join(str(part) for part in item["loc"]) or "<lead>",
            message=_message(item),
            value=item.get("input"),
        )
        for item in error.errors(include_url=False)
    )


def validate_lead(data: Mapping[str, Any] | str | bytes) -> Lead:
    """Build a :class:`Lead` from a mapping or a JSON document, or report every problem at once.

    Raises:
        LeadValidationError: one error listing every problem; nothing is built.

    >>> validate_lead({"id": "L-9", "company": "", "email": "nope"})
    Traceback (most recent call last):
    ...
    leadflow.errors.LeadValidationError: lead 'L-9' is invalid (2 problems):
      - company: must not be blank
      - email: expected an address like 'name@company.com'
    """
    try:
        if isinstance(data, str | bytes):
            return Lead.model_validate_json(data)
        if not isinstance(data, Mapping):
            raise LeadValidationError(
                (Problem("<lead>", f"expected a mapping or JSON text, got {type(data).__name__}"),)
            )
        return Lead.model_validate(dict(data))
    except ValidationError as error:
        record_id = data.get("id") if isinstance(data, Mapping) else None
        raise LeadValidationError(
            _problems(error), record_id=record_id if isinstance(record_id, str) else None
        ) from None
