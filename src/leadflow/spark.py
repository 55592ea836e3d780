"""Score and SLA-check a Spark DataFrame of leads (extra ``leadflow[spark]``: pyspark, pyarrow).

``score_dataframe`` runs :class:`leadflow.batch.BatchScorer` inside Spark with ``mapInArrow``:
the rule text is broadcast once, each Python worker compiles it once (and keeps it for every
partition it scores), and each Arrow batch Spark hands over is scored exactly as
:func:`leadflow.batch.arrow.score_arrow` scores it on one machine. The input columns are those
of :func:`leadflow.batch.arrow.lead_schema` (more lead fields may be present); the output has
one row per lead with the columns of :attr:`BatchScorer.columns`.

See ``docs/scale.md`` for when to use Spark and when one machine is enough.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from leadflow.batch.scoring import BatchScorer, Calendars
from leadflow.rules import parse
from leadflow.sla import SlaPolicy

__all__ = ("result_ddl", "score_dataframe")

_COMPILED: dict[tuple[Any, ...], BatchScorer] = {}
"""Per Python worker: the scorer of each broadcast seen (rule text, settings)."""


def _scorer(settings: tuple[str, str, dict[str, Any]]) -> BatchScorer:
    text, source, options = settings
    key = (text, source, repr(sorted(options.items())))
    scorer = _COMPILED.get(key)
    if scorer is None:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        scorer = _COMPILED[key] = BatchScorer(parse(text, source=source), **options)
    return scorer


def result_ddl(scorer: BatchScorer) -> str:
    """The Spark schema (DDL text) of ``scorer``'s result rows."""
    kinds = {
        "mql": "boolean",
        "sla_due_at": "timestamp",
        "sla_at_risk": "boolean",
    }
    scores = set(scorer.score_names)
    return ", ".join(
        f"`{c}` {'double' if c in scores else kinds.get(c, 'string')}" for c in scorer.columns
    )


def score_dataframe(
    frame: Any,
    rules: str,
    *,
    now: datetime,
    source: str = "<rules>",
    policy: SlaPolicy | None = None,
    calendars: Calendars | None = None,
    errors: Literal["raise", "report"] = "report",
) -> Any:
    """Return a DataFrame with one result row per lead of ``frame`` (lazily, as Spark does).

    ``rules`` is the rule text (read the file on the driver); it is checked here, on the
    driver, before any job runs. ``errors="report"`` (the default here: one bad lead should
    not fail a cluster job) writes each invalid lead's error into its row.

    Raises:
        RuleSyntaxError: the rule text does not parse.
        ConfigurationError: a policy without calendars, or a bad ``errors``.
    """
    from leadflow.batch.arrow import score_arrow

    options: dict[str, Any] = {
        "now": now,
        "policy": policy,
        "calendars": calendars,
        "errors": errors,
    }
    scorer = BatchScorer(parse(rules, source=source), **options)
    broadcast = frame.sparkSession.sparkContext.broadcast((rules, source, options))

    def run(batches: Any) -> Any:
        yield from score_arrow(batches, _scorer(broadcast.value))

    return frame.mapInArrow(run, result_ddl(scorer))
