"""Rule files: scoring, grading, temperature, MQL, knock-outs and qualification as text.

A rule file is the written agreement between marketing and sales: which leads fit, which
behaviour counts, when a lead is hot, when it is an MQL, and how sales qualifies it with BANT,
CHAMP or MEDDIC. ``load`` reads and checks one; the resulting :class:`RuleSet` evaluates leads.

>>> from datetime import datetime, timezone
>>> from leadflow.rules import parse
>>> rules = parse('''
... score fit {
...   +20  employees between 50 and 500
...   +15  seniority at least director
... }
... mql when fit >= 30
... ''')
>>> lead = {"id": "L-1", "company": "ACME", "email": "cio@acme.de", "title": "CIO", "employees": 80}
>>> result = rules.evaluate(lead, now=datetime(2026, 11, 20, tzinfo=timezone.utc))
>>> result.scores["fit"], result.mql
(35.0, True)

The language is described in ``docs/rule-language.md``; the guide is ``docs/rules.md``.
"""

from __future__ import annotations

from leadflow.rules._coverage import Coverage, CoverageItem
from leadflow.rules._loading import MAX_BYTES, TEMPLATES, load, parse, template_text
from leadflow.rules.results import (
    Contribution,
    Decision,
    Evaluation,
    KnockoutHit,
    QualificationResult,
    TestResult,
)
from leadflow.rules.ruleset import RuleSet

__all__ = (
    "MAX_BYTES",
    "TEMPLATES",
    "Contribution",
    "Coverage",
    "CoverageItem",
    "Decision",
    "Evaluation",
    "KnockoutHit",
    "QualificationResult",
    "RuleSet",
    "TestResult",
    "load",
    "parse",
    "template_text",
)

load_rules = load
"""The name ``leadflow.load_rules`` resolves to (top-level spelling of :func:`load`)."""
