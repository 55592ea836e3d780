"""Hostile input to the metrics API: only leadflow's errors come out, and they say what and where.

A new-user audit (#13) found naive or reversed periods failing later with a foreign
``TypeError``, NaN planning figures passing as "healthy", foreign errors from the event-log
readers, and aging limits on unknown stages or negative ones accepted silently.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leadflow import load_agreement
from leadflow.agreement import Agreement
from leadflow.errors import (
    ArgumentTypeError,
    ConfigurationError,
    HistoryError,
    LeadflowError,
    NaiveDatetimeError,
    OutOfRangeError,
)
from leadflow.lifecycle import Rate
from leadflow.metrics import (
    AgingLimit,
    Period,
    aging,
    attribute,
    build_report,
    commission_pool,
    conversion,
    evaluate_alerts,
    feedback_within,
    first_contacts,
    flows,
    group_by,
    lead_to_opportunity,
    months,
    pipeline_coverage,
    read_event_log,
    read_histories,
    reverse_funnel,
    sal_acceptance,
    stage_conversions,
    state_histories,
    velocity,
    weeks,
    win_rate,
)
from tests.metrics.helpers import CALENDAR, at, history

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = at(24 * 30)
LEADS = [
    history("L-1", [("accept", 1), ("qualify", 2), ("convert", 3), ("win", 4)], amount=9e3),
    history("L-2", [("reject", 5, "too_small")]),
]
RATES = {"sql_to_opportunity": 0.5, "sal_to_sql": 0.5, "mql_to_sal": 0.5}


@cache
def agreement() -> Agreement:
    return load_agreement(EXAMPLES / "agreement.lf")


# -- Period, weeks, months ---------------------------------------------------------------------


def test_a_period_checks_its_bounds_when_built() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^start must be a timezone-aware datetime"):
        Period(datetime(2026, 11, 1), datetime(2026, 12, 1, tzinfo=UTC), "naive")
    with pytest.raises(NaiveDatetimeError, match=r"^end must"):
        Period(at(0), datetime(2026, 12, 1))
    with pytest.raises(ConfigurationError) as caught:
        Period(at(48), at(0), "W45")
    assert str(caught.value) == (
        "period 'W45' end 2026-11-02T08:00:00+00:00 lies before its start "
        "2026-11-04T08:00:00+00:00; expected start <= end"
    )
    assert caught.value.field == "end"
    with pytest.raises(ArgumentTypeError, match=r"start must be a timezone-aware datetime"):
        Period("2026-11-01", at(0))  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"label must be a string"):
        Period(at(0), at(1), 7)  # type: ignore[arg-type]
    with pytest.raises(OutOfRangeError):
        Period(at(0), datetime(9999, 12, 31, 23, tzinfo=ZoneInfo("America/New_York")))


def test_a_period_is_still_the_tuple_it_was() -> None:
    period = Period(at(0), at(24), "day")
    start, end, label = period
    assert period[:2] == (at(0), at(24))
    assert (start, end, label) == (at(0), at(24), "day")
    assert repr(period).startswith("Period(start=datetime.datetime(2026, 11, 2, 8, 0, tzinfo=")
    assert Period(at(5), at(5)).days == 0  # empty, not refused
    assert period._replace(label="x") == (at(0), at(24), "x")
    with pytest.raises(ConfigurationError):
        period._replace(end=at(-1))
    with pytest.raises(NaiveDatetimeError):
        Period._make((datetime(2026, 1, 1), at(0)))
    berlin = Period(datetime(2026, 11, 1, tzinfo=BERLIN), datetime(2026, 12, 1, tzinfo=BERLIN))
    assert berlin.start.tzinfo is BERLIN  # kept as given


@pytest.mark.parametrize("cut", [weeks, months])
def test_weeks_and_months_refuse_reversed_and_foreign_input(cut: Callable[..., Any]) -> None:
    with pytest.raises(ConfigurationError, match=r"last 2026-11-01 lies before first 2026-12-01"):
        cut(date(2026, 12, 1), date(2026, 11, 1), BERLIN)
    with pytest.raises(ArgumentTypeError, match=r"timezone must be a zone"):
        cut(date(2026, 11, 1), date(2026, 12, 1), "Europe/Berlin")
    with pytest.raises(ArgumentTypeError, match=r"first must be a datetime.date, got datetime"):
        cut(at(0), date(2026, 12, 1), BERLIN)
    with pytest.raises(OutOfRangeError, match=r"9999-12-01 to 9999-12-31"):
        cut(date(9999, 12, 1), date(9999, 12, 31), BERLIN)
    assert len(cut(date(2026, 11, 30), date(2026, 11, 30), BERLIN)) == 1


def test_a_naive_period_never_reaches_the_metrics() -> None:
    with pytest.raises(ArgumentTypeError, match=r"period must be a leadflow.metrics.Period"):
        conversion(LEADS, "mql", "sal", period=(at(0), at(10)))  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"periods\[\.\.\.\] must be"):
        evaluate_alerts(LEADS, [(at(0), at(10))], CALENDAR, now=NOW)  # type: ignore[list-item]
    with pytest.raises(ArgumentTypeError, match=r"alert_periods must be a sequence"):
        build_report(LEADS, calendar=CALENDAR, now=NOW, alert_periods="W45")  # type: ignore[arg-type]
    empty = Period(at(0), at(0), "empty")  # an empty period gives an empty report, not an error
    assert build_report(LEADS, calendar=CALENDAR, now=NOW, period=empty).win_rate == Rate(0, 0)


# -- Planning ----------------------------------------------------------------------------------


def test_pipeline_coverage_refuses_what_is_not_a_target() -> None:
    with pytest.raises(ConfigurationError, match=r"^target must be a finite number >= 0, got nan"):
        pipeline_coverage(100.0, math.nan)
    with pytest.raises(ConfigurationError, match=r"got -5"):
        pipeline_coverage(100.0, -5)
    with pytest.raises(ArgumentTypeError, match=r"pipeline must be a number"):
        pipeline_coverage("100", 5)  # type: ignore[arg-type]
    with pytest.raises(OutOfRangeError):
        pipeline_coverage(1e300, 1e-300)
    assert pipeline_coverage(100, 0).verdict == "no target"


def test_reverse_funnel_refuses_figures_that_plan_nothing_sensible() -> None:
    for revenue in (math.nan, math.inf, -1000):
        with pytest.raises(ConfigurationError, match=r"^revenue_target must be a finite number"):
            reverse_funnel(revenue, 10, win_rate=0.2, **RATES)
    with pytest.raises(OutOfRangeError, match=r"from average_deal_size=1e-300"):
        reverse_funnel(1e300, 1e-300, win_rate=0.2, **RATES)
    with pytest.raises(OutOfRangeError, match=r"from win_rate=1e-20"):
        reverse_funnel(1e6, 1, win_rate=1e-20, **RATES)
    with pytest.raises(ConfigurationError, match=r"between 0 and 1, got 1.5"):
        reverse_funnel(1000, 10, win_rate=1.5, **RATES)
    with pytest.raises(ConfigurationError, match=r"sal_to_sql must be a finite number >= 0"):
        reverse_funnel(1000, 10, win_rate=0.2, **{**RATES, "sal_to_sql": -0.5})
    with pytest.raises(ArgumentTypeError, match=r"months must be a whole number"):
        reverse_funnel(1000, 10, win_rate=0.2, months=1.5, **RATES)  # type: ignore[arg-type]
    assert reverse_funnel(0, 10, win_rate=0.2, **RATES)[1:] == (0, 0, 0, 0, 0)


def test_reverse_funnel_takes_a_measured_rate() -> None:
    measured = win_rate(LEADS)  # 1/1
    assert reverse_funnel(1000, 10, win_rate=measured, **RATES).won == 100
    assert reverse_funnel(1000, 10, win_rate=Rate(1, 4), **RATES).opportunities == 400
    with pytest.raises(ConfigurationError, match=r"win_rate is the measured rate 0/0 .* no denom"):
        reverse_funnel(1000, 10, win_rate=Rate(0, 0), **RATES)


def test_build_report_refuses_a_nan_revenue_target() -> None:
    with pytest.raises(ConfigurationError, match=r"^revenue_target must be a finite number"):
        build_report(
            LEADS, calendar=CALENDAR, now=NOW, revenue_target=math.nan, average_deal_size=1000
        )
    with pytest.raises(ConfigurationError, match=r"^average_deal_size must be a finite number > 0"):
        build_report(LEADS, calendar=CALENDAR, now=NOW, revenue_target=1, average_deal_size=0)


def test_build_report_and_group_by_refuse_what_is_not_histories_or_a_field() -> None:
    for histories in (None, "L-1", [1], [*LEADS, "L-1"]):
        with pytest.raises(ArgumentTypeError, match=r"^histories must be an iterable of History"):
            build_report(histories, calendar=CALENDAR, now=NOW)  # type: ignore[arg-type]
    for by in ({"by": 5}, {"alert_by": ["campaign"]}):
        with pytest.raises(ArgumentTypeError, match=r"by must be a lead field name or None"):
            build_report(LEADS, calendar=CALENDAR, now=NOW, **by)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match=r"^field_name must be a lead field name"):
        group_by(LEADS, 5)  # type: ignore[arg-type]


def test_commission_pool_nets_clawbacks_and_refuses_nan_and_a_negative_pool() -> None:
    assert commission_pool([1000.0, -200.0], pipeline=1, pipeline_target=1).pool == 80.0
    with pytest.raises(ConfigurationError, match=r"^commissions\[1\] must be a finite number"):
        commission_pool([1.0, math.nan], pipeline=1, pipeline_target=1)
    with pytest.raises(ConfigurationError, match=r"the commissions net to -1000.0"):
        commission_pool([-1000.0], pipeline=1, pipeline_target=1)
    with pytest.raises(ConfigurationError, match=r"share must be a share between 0 and 1"):
        commission_pool([1.0], pipeline=1, pipeline_target=1, share=10)
    with pytest.raises(ArgumentTypeError, match=r"commissions must be a list of numbers"):
        commission_pool("1000", pipeline=1, pipeline_target=1)  # type: ignore[arg-type]


# -- Reading event logs and histories ----------------------------------------------------------


def test_an_unreadable_event_log_is_a_configuration_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.jsonl")
    with pytest.raises(ConfigurationError) as caught:
        read_event_log(missing, agreement())
    assert str(caught.value) == f"cannot read event log {missing!r}: No such file or directory"
    with pytest.raises(ConfigurationError, match=r"Is a directory"):
        read_event_log(tmp_path, agreement())
    assert len(read_event_log(EXAMPLES / "events.jsonl", agreement())) == 60  # a Path works


def test_a_file_that_is_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_bytes(b'\n\n{"lead_id": "caf\xe9"}\n')
    with pytest.raises(HistoryError, match=r"not UTF-8 at column 17: byte 0xe9") as caught:
        read_event_log(str(path), agreement())
    assert caught.value.record_id == f"{path}:3"
    for read in (
        lambda lines: read_event_log(lines, agreement(), source="log"),
        lambda lines: list(read_histories(lines, source="log")),
    ):
        with path.open(encoding="utf-8") as handle, pytest.raises(HistoryError) as caught:
            read(handle)
        assert caught.value.record_id == "log:1"  # a text file decodes in chunks: at or after
        assert "not UTF-8 at or after this line" in str(caught.value)


def test_lines_that_are_not_text_are_our_type_error() -> None:
    with pytest.raises(ArgumentTypeError, match=r"^line <events>:1 must be a str"):
        read_event_log([{"lead_id": "x"}], agreement())  # type: ignore[list-item]
    with pytest.raises(ArgumentTypeError, match=r"^line s:2 must be a str .* got bytes"):
        list(read_histories(["", b"{}"], source="s"))  # type: ignore[list-item]
    with pytest.raises(ArgumentTypeError, match=r"^lines must be an iterable of str lines"):
        list(read_histories("examples/history.jsonl"))
    with pytest.raises(ArgumentTypeError, match=r"^states\[\.\.\.\] must be a LeadState"):
        list(state_histories([1]))  # type: ignore[list-item]


def test_every_problem_of_an_event_line_is_listed() -> None:
    with pytest.raises(HistoryError) as caught:
        read_event_log(['{"lead_id": 5, "received_at": "yesterday"}'], agreement())
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("lead_id", "expected a non-empty string (the lead's id), got int"),
        ("received_at", "expected an ISO 8601 time with a time zone"),
    ]


# -- Aging -------------------------------------------------------------------------------------


def test_aging_refuses_unknown_stages_and_negative_limits() -> None:
    with pytest.raises(ConfigurationError) as caught:
        aging(LEADS, {"sall": timedelta(days=1)}, now=NOW)
    assert str(caught.value).startswith(
        "aging limit for unknown stage 'sall' (did you mean 'sal'?); expected one of: cold, "
    )
    with pytest.raises(ConfigurationError, match=r"stage 'sal' is negative"):
        aging(LEADS, {"sal": timedelta(days=-1)}, now=NOW)
    with pytest.raises(ConfigurationError, match=r"negative"):
        aging(LEADS, {"sal": AgingLimit(timedelta(hours=-1), CALENDAR)}, now=NOW)
    with pytest.raises(ArgumentTypeError, match=r"limits\['sal'\] must be a datetime.timedelta"):
        aging(LEADS, {"sal": 3}, now=NOW)  # type: ignore[dict-item]
    assert aging(LEADS, {"sal": timedelta(0)}, now=NOW) == ()  # nobody in sal


def test_aging_accepts_a_stage_of_a_host_graph_the_leads_were_in() -> None:
    lead = history("L-h", [])
    custom = lead.record._replace(origin="triage", stage="triage")
    hosted = type(lead)(custom, lead.fields, lead.created_at)
    assert [a.stage for a in aging([hosted], {"triage": timedelta(hours=1)}, now=NOW)] == ["triage"]


# -- Hostile values everywhere -----------------------------------------------------------------

HOSTILE: tuple[Any, ...] = (
    math.nan,
    math.inf,
    -math.inf,
    -1,
    -1e300,
    1e300,
    10**400,
    0,
    True,
    "x",
    b"x",
    None,
    [1],
    {"a": 1},
    object(),
    datetime(2026, 11, 1),
    date(2026, 11, 1),
    timedelta(days=-1),
    (at(0), at(1)),
)

CALLS: dict[str, Callable[[Any], object]] = {
    "Period.start": lambda v: Period(v, at(1)),
    "Period.end": lambda v: Period(at(0), v),
    "Period.label": lambda v: Period(at(0), at(1), v),
    "weeks.first": lambda v: weeks(v, date(2026, 12, 1), BERLIN),
    "months.last": lambda v: months(date(2026, 11, 1), v, BERLIN),
    "weeks.timezone": lambda v: weeks(date(2026, 11, 1), date(2026, 12, 1), v),
    "conversion.period": lambda v: conversion(LEADS, "mql", "sal", period=v),
    "stage_conversions.period": lambda v: stage_conversions(LEADS, period=v),
    "win_rate.period": lambda v: win_rate(LEADS, period=v),
    "sal_acceptance.period": lambda v: sal_acceptance(LEADS, period=v),
    "lead_to_opportunity.period": lambda v: lead_to_opportunity(LEADS, period=v),
    "velocity.period": lambda v: velocity(LEADS, period=v),
    "flows.period": lambda v: flows(LEADS, v),
    "attribute.period": lambda v: attribute(LEADS, period=v),
    "first_contacts.period": lambda v: first_contacts(LEADS, CALENDAR, period=v),
    "feedback_within.now": lambda v: feedback_within(LEADS, now=v),
    "evaluate_alerts.periods": lambda v: evaluate_alerts(LEADS, v, CALENDAR, now=NOW),
    "evaluate_alerts.period": lambda v: evaluate_alerts(LEADS, [v], CALENDAR, now=NOW),
    "aging.limit": lambda v: aging(LEADS, {"mql": v}, now=NOW),
    "aging.limits": lambda v: aging(LEADS, v, now=NOW),
    "aging.now": lambda v: aging(LEADS, {"mql": timedelta(1)}, now=v),
    "pipeline_coverage.pipeline": lambda v: pipeline_coverage(v, 100),
    "pipeline_coverage.target": lambda v: pipeline_coverage(100, v),
    "pipeline_coverage.healthy": lambda v: pipeline_coverage(100, 10, healthy=(v, 5)),
    "reverse_funnel.revenue_target": lambda v: reverse_funnel(v, 10, win_rate=0.2, **RATES),
    "reverse_funnel.average_deal_size": lambda v: reverse_funnel(1000, v, win_rate=0.2, **RATES),
    "reverse_funnel.win_rate": lambda v: reverse_funnel(1000, 10, win_rate=v, **RATES),
    "reverse_funnel.months": lambda v: reverse_funnel(1000, 10, win_rate=0.2, months=v, **RATES),
    "commission_pool.commission": lambda v: commission_pool([v], pipeline=1, pipeline_target=1),
    "commission_pool.commissions": lambda v: commission_pool(v, pipeline=1, pipeline_target=1),
    "commission_pool.pipeline": lambda v: commission_pool([1.0], pipeline=v, pipeline_target=1),
    "commission_pool.share": lambda v: commission_pool(
        [1.0], pipeline=1, pipeline_target=1, share=v
    ),
    "build_report.now": lambda v: build_report(LEADS, calendar=CALENDAR, now=v),
    "build_report.period": lambda v: build_report(LEADS, calendar=CALENDAR, now=NOW, period=v),
    "build_report.revenue_target": lambda v: build_report(
        LEADS, calendar=CALENDAR, now=NOW, revenue_target=v, average_deal_size=1000
    ),
    "build_report.average_deal_size": lambda v: build_report(
        LEADS, calendar=CALENDAR, now=NOW, revenue_target=1000, average_deal_size=v
    ),
    "read_event_log.lines": lambda v: read_event_log(v, agreement()),
    "read_event_log.line": lambda v: read_event_log([v], agreement()),
    "read_histories.lines": lambda v: list(read_histories(v)),
    "read_histories.line": lambda v: list(read_histories([v])),
    "state_histories.states": lambda v: list(state_histories(v)),
    "state_histories.state": lambda v: list(state_histories([v])),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_hostile_values_raise_only_leadflow_errors(call: Callable[[Any], object]) -> None:
    for value in HOSTILE:
        try:
            call(value)
        except LeadflowError:
            pass
        except Exception as error:  # pragma: no cover - the failure this test looks for
            pytest.fail(f"{value!r} raised foreign {type(error).__name__}: {error}")
