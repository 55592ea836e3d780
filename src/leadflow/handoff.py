"""The marketing SLA "deliver complete data for every lead" as a check and a report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from leadflow.emails import email_domain, hidden_character, is_freemail_domain
from leadflow.errors import ArgumentTypeError, ConfigurationError, LeadValidationError
from leadflow.lead import Lead, validate_lead

__all__ = (
    "DEFAULT_HANDOFF",
    "LEAD_FIELDS",
    "MANDATORY_FIELDS",
    "RECOMMENDED_FIELDS",
    "DataQualityReport",
    "HandoffReport",
    "HandoffRequirements",
    "check_handoff",
    "data_quality",
)

MANDATORY_FIELDS: Final = ("company", "email", "title", "source")
"""Fields marketing must deliver before a lead is handed to sales (title is the person's role)."""

RECOMMENDED_FIELDS: Final = (
    "phone",
    "employees",
    "industry",
    "country",
    "interests",
    "activities",
    "campaign",
)
"""Fields that make sales faster or scoring better: phone for fast reaction, enrichment, history."""

LEAD_FIELDS: Final = frozenset(Lead.model_fields)
"""The fields of :class:`~leadflow.Lead` a handoff requirement may name."""


@dataclass(frozen=True, slots=True)
class HandoffRequirements:
    """The one definition of "complete enough for sales": required and recommended fields.

    The lifecycle's ``promote`` guard, :func:`check_handoff`, ``leadflow demo`` and an
    agreement file (``handoff { require ... }``) all read a value of this class; the library
    default is :data:`DEFAULT_HANDOFF` (company, business email, title, source). With
    ``business_email`` a free-mail address does not count as the required email ("we sell
    only to companies").

    >>> DEFAULT_HANDOFF.required, DEFAULT_HANDOFF.business_email
    (('company', 'email', 'title', 'source'), True)
    >>> HandoffRequirements(required=("company", "emial"))
    Traceback (most recent call last):
    ...
    leadflow.errors.ConfigurationError: unknown lead field 'emial' in the handoff requirements; did you mean 'email'?
    """

    required: tuple[str, ...] = MANDATORY_FIELDS
    recommended: tuple[str, ...] = RECOMMENDED_FIELDS
    business_email: bool = True

    def __post_init__(self) -> None:
        for name in (*self.required, *self.recommended):
            if name not in LEAD_FIELDS:
                close = get_close_matches(name, sorted(LEAD_FIELDS), n=1)
                hint = (
                    f"did you mean {close[0]!r}?"
                    if close
                    else f"expected one of {', '.join(sorted(LEAD_FIELDS))}"
                )
                raise ConfigurationError(
                    f"unknown lead field {name!r} in the handoff requirements; {hint}",
                    field="handoff",
                    value=name,
                    expected="a field of leadflow.Lead",
                )

    def check(self, lead: Lead | Mapping[str, Any]) -> HandoffReport:
        """What ``lead`` lacks under these requirements (see :func:`check_handoff`)."""
        return check_handoff(lead, self)

    def missing(self, lead: Lead) -> tuple[str, ...]:
        """``check(lead).missing`` without the rest of the report (no warnings, no model).

        For a validated :class:`~leadflow.Lead`; the agreement engine asks this per MQL-level
        event before the handoff.
        """
        missing = [f for f in self.required if _absent(getattr(lead, f))]
        email = lead.email
        if self.business_email and "email" in self.required and _freemail(email):
            missing.append("email")
            missing.sort(key=self.required.index)
        return tuple(missing)


DEFAULT_HANDOFF: Final = HandoffRequirements()
"""The library's handoff requirements, used wherever no agreement file says otherwise."""


class HandoffReport(BaseModel):
    """What one lead lacks for a clean handoff to sales.

    >>> report = check_handoff({"id": "L-7", "company": "ACME AG", "email": "max@gmail.com"})
    >>> report.complete, report.missing
    (False, ('email', 'title', 'source'))
    >>> report.warnings
    ('email is a free-mail address (gmail.com); a business address is required',)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_id: str | None
    missing: tuple[str, ...]
    """Required fields that are missing or blank (a free-mail address where a business
    address is required counts as a missing ``email``)."""
    absent_recommended: tuple[str, ...]
    """Recommended fields that are missing or empty."""
    warnings: tuple[str, ...] = ()
    """Present but doubtful data, e.g. a free-mail address."""

    @property
    def complete(self) -> bool:
        """Whether every mandatory field is present."""
        return not self.missing


def _freemail(email: Any) -> bool:
    """Whether ``email`` is an address at a free-mail domain (as :func:`check_handoff` tests)."""
    return (
        isinstance(email, str) and "@" in email and is_freemail_domain(email_domain(email.strip()))
    )


def _absent(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict | set | frozenset):
        return not value
    return False


def check_handoff(
    lead: Lead | Mapping[str, Any], requirements: HandoffRequirements | None = None
) -> HandoffReport:
    """Report which required fields are missing and which recommended ones are absent.

    Accepts a validated :class:`~leadflow.Lead` or raw webhook data (a mapping), so a host can
    tell marketing what is missing before the record is even valid. ``requirements`` defaults
    to :data:`DEFAULT_HANDOFF`; a required email that is a free-mail address counts as missing
    when the requirements ask for a business address (the default). An address is compared
    after NFKC normalisation; one holding a control or invisible character gets a warning.

    Raises:
        ArgumentTypeError: ``lead`` is neither a ``Lead`` nor a mapping (a ``TypeError``).
    """
    rules = requirements or DEFAULT_HANDOFF
    if isinstance(lead, Lead):
        data: Mapping[str, Any] = {
            name: getattr(lead, name)
            for name in (*rules.required, *rules.recommended, "id", "email")
        }
    elif isinstance(lead, Mapping):
        data = lead
    else:
        raise ArgumentTypeError("lead", lead, "a Lead or a mapping of lead data")
    missing = [f for f in rules.required if _absent(data.get(f))]
    absent = tuple(f for f in rules.recommended if _absent(data.get(f)))
    warnings: list[str] = []
    email = data.get("email")
    if isinstance(email, str) and (hidden := hidden_character(email.strip())) is not None:
        warnings.append(f"email contains {hidden}")
    if isinstance(email, str) and "@" in email:
        domain = email_domain(email.strip())
        if is_freemail_domain(domain):
            if rules.business_email and "email" in rules.required:
                warnings.append(
                    f"email is a free-mail address ({domain}); a business address is required"
                )
                missing.append("email")
                missing.sort(key=rules.required.index)
            else:
                warnings.append(f"email is a free-mail address ({domain})")
    lead_id = data.get("id")
    return HandoffReport(
        lead_id=lead_id if isinstance(lead_id, str) else None,
        missing=tuple(missing),
        absent_recommended=absent,
        warnings=tuple(warnings),
    )


class LeadProblems(BaseModel):
    """The validation problems of one record that could not become a lead."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_id: str | None
    problems: tuple[str, ...]


class DataQualityReport(BaseModel):
    """Handoff readiness of a batch of lead records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    total: int
    valid: int
    complete: int
    invalid: tuple[LeadProblems, ...]
    reports: tuple[HandoffReport, ...]
    missing_counts: tuple[tuple[str, int], ...]
    absent_counts: tuple[tuple[str, int], ...]

    def render(self) -> str:
        """A plain-text report for people."""
        lines = [
            f"{self.total} leads: {self.valid} valid, {len(self.invalid)} invalid, "
            f"{self.complete} ready for handoff",
        ]
        if self.invalid:
            lines.append("")
            lines.append("Invalid records (not imported):")
            for item in self.invalid:
                lines.append(f"  {item.lead_id or '<no id>'}:")
                lines.extend(f"    - {problem}" for problem in item.problems)
        incomplete = [r for r in self.reports if r.missing or r.warnings]
        if incomplete:
            lines.append("")
            lines.append("Not ready for handoff:")
            for report in incomplete:
                parts = []
                if report.missing:
                    parts.append("missing " + ", ".join(report.missing))
                parts.extend(report.warnings)
                lines.append(f"  {report.lead_id}: " + "; ".join(parts))
        if self.missing_counts or self.absent_counts:
            lines.append("")
            lines.append("Field coverage (leads lacking the field):")
            for name, count in self.missing_counts:
                lines.append(f"  {name:<12} {count:>3}  mandatory")
            for name, count in self.absent_counts:
                lines.append(f"  {name:<12} {count:>3}  recommended")
        return "\n".join(lines)


def data_quality(records: Iterable[Mapping[str, Any]]) -> DataQualityReport:
    """Validate a batch of raw records and check the valid ones for handoff readiness.

    Raises:
        ArgumentTypeError: ``records`` is not an iterable of records (a ``TypeError``).
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise ArgumentTypeError("records", records, "an iterable of lead records (mappings)")
    return quality_of(validate_each(records))


def validate_each(records: Iterable[Mapping[str, Any]]) -> Iterator[Lead | LeadValidationError]:
    """Each record as a lead, or as the error that says why it is not one."""
    for record in records:
        try:
            yield validate_lead(record)
        except LeadValidationError as error:
            yield error


def quality_of(outcomes: Iterable[Lead | LeadValidationError]) -> DataQualityReport:
    """The report over records already validated by :func:`validate_each`."""
    total = valid = complete = 0
    invalid: list[LeadProblems] = []
    reports: list[HandoffReport] = []
    missing: Counter[str] = Counter()
    absent: Counter[str] = Counter()
    for lead in outcomes:
        total += 1
        if isinstance(lead, LeadValidationError):
            invalid.append(
                LeadProblems(lead_id=lead.record_id, problems=tuple(str(p) for p in lead.problems))
            )
            continue
        valid += 1
        report = check_handoff(lead)
        reports.append(report)
        complete += report.complete
        missing.update(report.missing)
        absent.update(report.absent_recommended)
    return DataQualityReport(
        total=total,
        valid=valid,
        complete=complete,
        invalid=tuple(invalid),
        reports=tuple(reports),
        missing_counts=tuple(sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))),
        absent_counts=tuple(sorted(absent.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
