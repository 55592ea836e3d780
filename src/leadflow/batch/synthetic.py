"""Seeded synthetic leads with realistic variety, for benchmarks, tests and trying the batch path.

Hundreds of industries, thousands of distinct titles (English and German, with the seniority
words spread over them) and company domains (and the common free-mail providers), 0-30
activities of the standard kinds over the half year before ``now``, in several zones. The same
``seed``, ``start`` and ``count`` always give the same leads; ``start`` numbers them (ids) and
seeds the chunk, so chunks made in parallel (``start=0``, ``start=100_000``, ...) are distinct.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

__all__ = ("synthetic_records", "synthetic_table")

_SECTORS: Final = (
    "software", "manufacturing", "finance", "retail", "education", "healthcare", "logistics",
    "automotive", "energy", "telecommunications", "insurance", "construction", "chemicals",
    "pharma", "media", "hospitality", "agriculture", "aerospace", "consulting", "real estate",
    "public sector", "textiles", "food", "electronics", "mining", "transport", "legal",
    "banking", "gaming", "security",
)  # fmt: skip
_QUALIFIERS: Final = (
    "", "b2b ", "industrial ", "digital ", "medical ", "green ", "specialty ", "consumer ",
    "wholesale ", "precision ",
)  # fmt: skip
INDUSTRIES: Final = tuple(q + s for s in _SECTORS for q in _QUALIFIERS)  # 300

_LEVELS: Final = (
    "CEO", "CTO", "CIO", "CFO", "Founder", "Managing Director", "Geschäftsführer", "VP",
    "Vice President", "Head of", "Director", "Leiter", "Leiterin", "Senior Manager", "Manager",
    "Team Lead", "Senior", "Lead", "Specialist", "Consultant", "Engineer", "Analyst",
    "Assistant", "Werkstudent", "Werkstudentin", "Intern", "Praktikant", "Referent",
    "Sachbearbeiter", "Architect",
)  # fmt: skip
_FUNCTIONS: Final = (
    "Sales", "IT", "Marketing", "Einkauf", "Procurement", "Finance", "Engineering", "HR",
    "Operations", "Produktion", "Logistik", "Customer Success", "Data", "Security", "Legal",
    "Controlling", "Vertrieb", "Product", "Research", "Quality",
)  # fmt: skip
_SUFFIXES: Final = ("", " DACH", " EMEA", " Europe", " Germany", " (interim)")
TITLES: Final = tuple(
    f"{level} {function}{suffix}" if level not in ("CEO", "CTO", "CIO", "CFO") else level + suffix
    for level in _LEVELS
    for function in _FUNCTIONS
    for suffix in _SUFFIXES
)  # about 3,000 distinct titles

FREEMAIL: Final = ("gmail.com", "web.de", "gmx.de", "yahoo.com", "outlook.com", "t-online.de")
_TLDS: Final = ("de", "com", "at", "ch", "nl", "fr", "io", "co.uk")
COUNTRIES: Final = (
    "DE", "DE", "DE", "AT", "CH", "NL", "BE", "LU", "FR", "US", "GB", "IT", "ES", "PL", "SE",
)  # fmt: skip
KINDS: Final = (
    "website_visit", "website_visit", "email_open", "email_open", "email_click",
    "pricing_page_view", "content_download", "webinar_registered", "webinar_attended",
    "demo_request", "callback_request", "unsubscribe", "careers_page_view", "form_submit",
)  # fmt: skip
ZONES: Final = (UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"))


def synthetic_records(
    count: int,
    *,
    now: datetime,
    seed: int = 16,
    start: int = 0,
    domains: int = 5_000,
    max_activities: int = 30,
    sla: bool = True,
    iso: bool = True,
) -> Iterator[dict[str, Any]]:
    """Yield ``count`` lead records (plain dicts, as a JSON decoder or Parquet reader gives them).

    Activity times are ISO-8601 strings with offsets when ``iso`` (JSON, CSV), aware UTC
    ``datetime`` objects otherwise (Arrow). With ``sla``, about half the leads were handed off
    to sales in the last three days (``handed_off_at``) and some of those answered
    (``responded_at``).
    """
    rng = random.Random(f"{seed}:{start}")  # noqa: S311 - test data, not secrets
    span = 180 * 86400
    for number in range(start, start + count):
        domain = (
            rng.choice(FREEMAIL)
            if rng.random() < 0.15
            else f"company-{rng.randrange(domains)}.{rng.choice(_TLDS)}"
        )
        record: dict[str, Any] = {
            "id": f"L-{number:08d}",
            "company": f"Company {rng.randrange(domains)}",
            "email": f"p{number}@{domain}",
        }
        if rng.random() < 0.9:
            record["title"] = rng.choice(TITLES)
        if rng.random() < 0.85:
            record["industry"] = rng.choice(INDUSTRIES)
        if rng.random() < 0.8:
            record["employees"] = int(10 ** rng.uniform(0, 5))
        if rng.random() < 0.9:
            record["country"] = rng.choice(COUNTRIES)
        activities = []
        for _ in range(rng.randint(0, max_activities) if rng.random() < 0.7 else rng.randint(0, 3)):
            at = now - timedelta(seconds=rng.randrange(span))
            kind, zone = rng.choice(KINDS), rng.choice(ZONES)
            activities.append({"kind": kind, "at": at.astimezone(zone).isoformat() if iso else at})
        record["activities"] = activities
        if sla and rng.random() < 0.5:
            handed = now - timedelta(seconds=rng.randrange(3 * 86400))
            record["handed_off_at"] = handed.isoformat() if iso else handed
            if rng.random() < 0.4:
                answered = handed + timedelta(seconds=rng.randrange(2 * 86400))
                if answered <= now:
                    record["responded_at"] = answered.isoformat() if iso else answered
        yield record


def synthetic_table(count: int, *, now: datetime, seed: int = 16, start: int = 0) -> Any:
    """``count`` synthetic leads as a ``pyarrow.Table`` of :func:`~leadflow.batch.arrow.lead_schema`.

    Made column by column with numpy (a few µs per lead, where :func:`synthetic_records`
    takes 100-200): up to 200,000 company domains and the free-mail providers, the same industries,
    titles, countries and activity kinds. Not the same leads as :func:`synthetic_records` with
    the same seed. Needs ``numpy`` and ``pyarrow``.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from leadflow.batch.arrow import lead_schema

    rng = np.random.default_rng([seed, start])
    n = count
    companies_n = min(200_000, 2 * count + 1_000)
    domains = pa.array(
        [f"company-{i}.{_TLDS[i % len(_TLDS)]}" for i in range(companies_n)] + list(FREEMAIL)
    )
    now_us = int(now.timestamp() * 1_000_000)
    schema = lead_schema()
    instant = pa.timestamp("us", tz="UTC")

    def pick(values: Any, present: float) -> Any:
        dictionary = values if isinstance(values, pa.Array) else pa.array(list(values))
        index = pa.array(rng.integers(0, len(dictionary), n), mask=rng.random(n) >= present)
        return pa.DictionaryArray.from_arrays(index, dictionary).cast(pa.string())

    numbers = pa.array(np.arange(start, start + n)).cast(pa.string())
    ids = pc.binary_join_element_wise("L-", pc.utf8_lpad(numbers, 8, "0"), "")
    freemail = rng.random(n) < 0.15
    domain_index = np.where(
        freemail,
        companies_n + rng.integers(0, len(FREEMAIL), n),
        rng.integers(0, companies_n, n),
    )
    domain = pa.DictionaryArray.from_arrays(pa.array(domain_index), domains).cast(pa.string())
    email = pc.binary_join_element_wise(pc.binary_join_element_wise("p", numbers, ""), domain, "@")
    companies = pa.array([f"Company {i}" for i in range(5_000)])
    employees = pa.array((10 ** rng.uniform(0, 5, n)).astype(np.int64), mask=rng.random(n) >= 0.8)
    lengths = np.where(rng.random(n) < 0.7, rng.integers(0, 31, n), rng.integers(0, 4, n))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    total = int(offsets[-1])
    kinds = pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(KINDS), total)), pa.array(list(KINDS))
    ).cast(pa.string())
    ats = pa.array(now_us - rng.integers(0, 180 * 86400 * 1_000_000, total)).cast(instant)
    activities = pa.ListArray.from_arrays(
        pa.array(offsets), pa.StructArray.from_arrays([kinds, ats], names=["kind", "at"])
    )
    handed_us = now_us - rng.integers(0, 3 * 86400 * 1_000_000, n)
    handed_absent = rng.random(n) >= 0.5
    answered_us = handed_us + rng.integers(0, 2 * 86400 * 1_000_000, n)
    answered_absent = handed_absent | (rng.random(n) >= 0.4) | (answered_us > now_us)
    return pa.table(
        {
            "id": ids,
            "company": pick(companies, 1.0),
            "email": email,
            "title": pick(TITLES, 0.9),
            "industry": pick(INDUSTRIES, 0.85),
            "employees": employees,
            "country": pick(COUNTRIES, 0.9),
            "activities": activities.cast(schema.field("activities").type),
            "handed_off_at": pa.array(handed_us, mask=handed_absent).cast(instant),
            "responded_at": pa.array(answered_us, mask=answered_absent).cast(instant),
        },
        schema=schema,
    )
