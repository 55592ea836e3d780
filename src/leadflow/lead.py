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

from leadflow.emails import email_domain, hidden_character, is_freemail_domain, normalize_email
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
    if not (value.isascii() and value.isprintable()):  # printable ASCII is plain and NFKC
        hidden = hidden_character(value)
        if hidden is not None:
            raise ValueError(
                f"contains {hidden}; send the address without it (hidden characters are "
                "refused, not removed)"
            )
        value = normalize_email(value)  # NFKC: fullwidth 'ｇｍａｉｌ．ｃｏｍ' is 'gmail.com'
        hidden = hidden_character(value)
        if hidden is not None:  # NFKC turned a visible character into a hidden one
            raise ValueError(f"contains {hidden} once normalised (NFKC); send a plain address")
    if not _EMAIL.match(value):
        raise ValueError("expected an address like 'name@company.com'")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _check_country(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise ValueError("expected an ISO 3166-1 alpha-2 code such as 'DE'")
    return value.upper()


FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
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
    custom: dict[Name, str | int | FiniteFloat | bool | None] = Field(default_factory=dict)
    """Host-defined fields (declare them to the rules checker so rule files can use them).

    Numbers must be finite: NaN would make both ``x >= 1`` and ``not x >= 1`` true."""

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


_NAME_RULE: Final = "lower_snake_case: a lower-case letter, then lower-case letters, digits or '_'"
_DATETIME: Final = "a date and time with a UTC offset, e.g. '2026-11-20T15:00:00+01:00'"

_MESSAGES: Final = {
    "missing": "is required",
    "timezone_aware": "must be timezone-aware, e.g. '2026-11-20T15:00:00+01:00'; got a naive time",
    "extra_forbidden": "is not a lead field (put host-defined data under 'custom')",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number, not NaN or infinity",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "tuple_type": 'must be a list, e.g. ["a", "b"]',
    "list_type": 'must be a list, e.g. ["a", "b"]',
    "dict_type": "must be an object (a mapping of names to values)",
    "model_type": "must be an object (a mapping of field names to values)",
    "model_attributes_type": "must be an object (a mapping of field names to values)",
    "datetime_type": f"must be {_DATETIME}",
    "datetime_parsing": f"must be {_DATETIME}",
    "datetime_from_date_parsing": f"must be {_DATETIME}",
    "datetime_object_invalid": f"must be {_DATETIME}",
}
"""Plain words for pydantic's error types; its own texts ("Input should be ...") never reach users."""

_BOUNDS: Final = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}
_UNION_TAGS: Final = frozenset({"constrained-str", "str", "int", "float", "bool", "none"})
_CUSTOM_VALUE: Final = "must be text, a finite number, true/false or null"


def _message(item: Any) -> str:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "must not be blank"
        return f"must have at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"must have at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"must be a name in {_NAME_RULE}, e.g. 'demo_request'"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        return f"must be {words} {ctx.get(key)}"
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}"
    if kind == "json_invalid":
        return f"is not valid JSON ({ctx.get('error', 'cannot be parsed')})"
    if kind == "json_type":
        return "must be JSON text (str or bytes)"
    message = str(item["msg"]).removeprefix("Value error, ")
    return message.replace("Input should be", "must be", 1)


def _problem(item: Any) -> Problem:
    loc = tuple(item["loc"])
    if loc[:1] == ("custom",) and loc[-1:] == ("[key]",):
        return Problem(
            field=".".join(str(part) for part in loc[:-1]),
            message=f"is not a valid custom field name; expected {_NAME_RULE}, e.g. 'budget_eur'",
            value=loc[1] if len(loc) > 2 else None,
        )
    if loc[:1] == ("custom",) and len(loc) == 3 and loc[-1] in _UNION_TAGS:
        return Problem(field=f"custom.{loc[1]}", message=_CUSTOM_VALUE, value=item.get("input"))
    return Problem(
        field=".".join(str(part) for part in loc) or "<lead>",
        message=_message(item),
        value=item.get("input"),
    )


def _problems(error: ValidationError) -> tuple[Problem, ...]:
    """One problem per place, in plain words (several union branches collapse into one)."""
    found: dict[tuple[str, str], Problem] = {}
    for item in error.errors(include_url=False):
        problem = _problem(item)
        found.setdefault((problem.field, problem.message), problem)
    return tuple(found.values())


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
