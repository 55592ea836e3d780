"""Score and SLA-check many leads: one flat result row per lead, in batches.

A record is what a JSON decoder, a CSV reader or an Arrow batch gives: the lead's fields
(:class:`leadflow.Lead`) plus three optional SLA fields that are not part of the lead:

- ``handed_off_at``: when the lead went to sales (ISO-8601 text or an aware ``datetime``);
  without it the lead has no response SLA yet and the ``sla_*`` columns stay empty;
- ``responded_at``: sales' first contact, if any;
- ``segment``: the SLA segment (``hot``, ``warm``, ``standard``, ...); by default the lead's
  temperature from the rules. A segment without a sales target (``cold``: nurture) gets
  ``sla_state = "none"``.

Every record is validated exactly as :func:`leadflow.validate_lead` does and evaluated with
:meth:`RuleSet.evaluate`; the SLA is :meth:`SlaPolicy.track`. Nothing here reads the clock:
``now`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Final, Literal

from leadflow._time import require_aware
from leadflow.errors import ConfigurationError, LeadflowError, LeadValidationError, Problem
from leadflow.lead import validate_lead
from leadflow.rules import Evaluation, RuleSet
from leadflow.sla import BusinessCalendar, SlaPolicy

__all__ = ("SLA_FIELDS", "BatchScorer", "batched")

SLA_FIELDS: Final = ("handed_off_at", "responded_at", "segment")
"""Record fields read for the SLA check and removed before the lead is validated."""

Calendars = BusinessCalendar | Mapping[str, BusinessCalendar]
Row = dict[str, Any]


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of ``size`` items (the last one shorter); only one list exists at a time."""
    if size < 1:
        raise ConfigurationError(
            f"batch size must be at least 1, got {size}",
            field="batch_size",
            value=size,
            expected="a positive integer",
        )
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _instant(record: Mapping[str, Any], name: str) -> datetime | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime) or value.tzinfo is None:
        got = record.get(name)
        raise LeadValidationError(
            (
                Problem(
                    name,
                    "expected an aware ISO-8601 time such as '2026-11-20T15:00:00+01:00'",
                    got,
                ),
            ),
            record_id=record.get("id") if isinstance(record.get("id"), str) else None,
        )
    return value


@dataclass(frozen=True)
class BatchScorer:
    """Scores, temperature, MQL, knock-outs and the response SLA of each record, as flat rows.

    Args:
        rules: the compiled rule set.
        now: the instant of the run (aware); every lead is scored and checked at it.
        policy: the SLA policy; ``None`` skips the SLA check (the ``sla_*`` columns stay empty).
        calendars: the calendar(s) of the policy's targets; needed with ``policy``.
        errors: ``"raise"`` stops at the first invalid record (``LeadValidationError``, ...);
            ``"report"`` writes the error's message into the row's ``error`` column and goes on.

    >>> from datetime import datetime, UTC
    >>> from leadflow.rules import parse
    >>> rules = parse('''
    ... score fit {
    ...   +20  employees between 50 and 500
    ... }
    ... temperature {
    ...   hot  when fit >= 20
    ...   cold otherwise
    ... }
    ... ''')
    >>> scorer = BatchScorer(rules, now=datetime(2026, 11, 20, tzinfo=UTC))
    >>> scorer.columns
    ('id', 'fit', 'temperature', 'mql', 'knockouts', 'sla_segment', 'sla_state', 'sla_due_at', 'sla_at_risk', 'sla_escalations', 'error')
    >>> row = scorer.score({"id": "L-1", "company": "ACME", "email": "a@acme.de", "employees": 80})
    >>> row["fit"], row["temperature"], row["sla_state"]
    (20.0, 'hot', None)
    """

    rules: RuleSet
    now: datetime
    policy: SlaPolicy | None = None
    calendars: Calendars | None = None
    errors: Literal["raise", "report"] = "raise"
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        require_aware(self.now, "now")
        if self.policy is not None and self.calendars is None:
            raise ConfigurationError(
                "an SLA policy needs the calendars its targets run on",
                field="calendars",
                value=None,
                expected="a BusinessCalendar or a mapping of names to calendars",
            )
        if self.errors not in ("raise", "report"):
            raise ConfigurationError(
                f"errors must be 'raise' or 'report', got {self.errors!r}",
                field="errors",
                value=self.errors,
                expected="'raise' or 'report'",
            )
        names = self.rules.score_names
        columns = (
            "id",
            *names,
            "temperature",
            "mql",
            "knockouts",
            "sla_segment",
            "sla_state",
            "sla_due_at",
            "sla_at_risk",
            "sla_escalations",
            "error",
        )
        object.__setattr__(self, "columns", columns)

    @property
    def score_names(self) -> tuple[str, ...]:
        """The rule set's scores: one column each, after ``id``."""
        return self.rules.score_names

    def score(self, record: Mapping[str, Any]) -> Row:
        """The result row of one record (see the class for ``errors``).

        Raises:
            LeadValidationError: the record is not a valid lead, or an SLA time is not an
                aware ISO-8601 time (only with ``errors="raise"``).
            PolicyError: the segment is unknown to the policy (only with ``errors="raise"``).
        """
        try:
            return self._score(record)
        except LeadflowError as error:
            return self.failed(record, error)

    def failed(self, record: Mapping[str, Any], error: LeadflowError) -> Row:
        """The row of a record that failed with ``error`` (``errors="report"``), or raise it."""
        if self.errors == "raise":
            raise error
        row: Row = dict.fromkeys(self.columns)
        ident = record.get("id") if isinstance(record, Mapping) else None
        row["id"] = ident if isinstance(ident, str) else None
        row["error"] = str(error)
        return row

    def _score(self, record: Mapping[str, Any]) -> Row:
        if any(name in record for name in SLA_FIELDS):
            lead_data = {k: v for k, v in record.items() if k not in SLA_FIELDS}
        else:
            lead_data = record  # type: ignore[assignment]
        lead = validate_lead(lead_data)
        return self.row_of(lead.id, self.rules.evaluate(lead, now=self.now), record)

    def row_of(self, lead_id: str, result: Evaluation, record: Mapping[str, Any]) -> Row:
        """The row of a valid lead evaluated as ``result``; the SLA fields come from ``record``.

        Raises:
            LeadValidationError: an SLA time is not an aware ISO-8601 time.
            PolicyError: the segment is unknown to the policy.
        """
        row: Row = {"id": lead_id}
        row.update(result.scores)
        row["temperature"] = result.temperature
        row["mql"] = result.mql
        row["knockouts"] = ";".join(result.reasons) or None
        row["sla_segment"] = row["sla_state"] = row["sla_due_at"] = None
        row["sla_at_risk"] = row["sla_escalations"] = row["error"] = None
        if self.policy is not None:
            self._sla(record, result.temperature, row)
        return row

    def _sla(self, record: Mapping[str, Any], temperature: str | None, row: Row) -> None:
        assert self.policy is not None  # noqa: S101 - checked by __post_init__
        assert self.calendars is not None  # noqa: S101 - checked by __post_init__
        handed_off = _instant(record, "handed_off_at")
        responded = _instant(record, "responded_at")
        if handed_off is None:
            return
        segment = record.get("segment") or temperature
        row["sla_segment"] = segment
        if not isinstance(segment, str):
            row["sla_state"] = "none"
            return
        target = self.policy.target(segment)  # PolicyError for an unknown segment
        if target.within is None:
            row["sla_state"] = "none"
            return
        status = self.policy.track(
            segment, handed_off, now=self.now, calendars=self.calendars, met_at=responded
        )
        row["sla_state"] = status.state.value
        row["sla_due_at"] = status.due_at
        row["sla_at_risk"] = status.at_risk
        row["sla_escalations"] = ";".join(e.notify for e in status.escalations) or None

    def score_records(
        self, records: Iterable[Mapping[str, Any]], *, batch_size: int = 10_000
    ) -> Iterator[list[Row]]:
        """Yield the result rows in lists of ``batch_size``, in input order.

        ``records`` is read lazily: only one batch of records and its rows exist at a time.
        """
        for chunk in batched(records, batch_size):
            yield [self.score(record) for record in chunk]
