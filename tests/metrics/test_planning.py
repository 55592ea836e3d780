"""Planning, attribution, the commission pool and the maturity assessment."""

from __future__ import annotations

import pytest

from leadflow.errors import ConfigurationError
from leadflow.metrics import (
    Touch,
    assess_maturity,
    attribute,
    commission_pool,
    marketing_sourced,
    open_pipeline,
    pipeline_coverage,
    reverse_funnel,
    weights,
)
from leadflow.metrics.history import History
from tests.metrics.helpers import at, history

WON_STEPS = [("accept", 1), ("qualify", 2), ("convert", 3), ("win", 4)]


def test_pipeline_coverage_verdicts() -> None:
    assert pipeline_coverage(250, 100).verdict == "below 3x"
    assert pipeline_coverage(300, 100).verdict == "healthy"
    assert pipeline_coverage(501, 100).verdict == "above 5x"
    assert pipeline_coverage(100, 0) == (100, 0, None, "no target")
    opportunity = history("L-o", [("accept", 1), ("qualify", 2), ("convert", 3)], amount=40_000)
    assert open_pipeline([opportunity, history("L-w", WON_STEPS, amount=9.0)]) == 40_000


def test_reverse_funnel_rounds_up_and_stops_at_an_unknown_rate() -> None:
    assert reverse_funnel(
        120_000, 10_000, win_rate=0.5, sql_to_opportunity=None, sal_to_sql=0.5, mql_to_sal=0.5
    ) == (120_000, 12, 24, None, None, None)
    assert (
        reverse_funnel(
            10_001, 10_000, win_rate=1, sql_to_opportunity=1, sal_to_sql=1, mql_to_sal=1
        ).mqls
        == 2
    )
    with pytest.raises(ConfigurationError, match="average_deal_size must be a finite number > 0"):
        reverse_funnel(1, 0, win_rate=1, sql_to_opportunity=1, sal_to_sql=1, mql_to_sal=1)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first", (1.0, 0.0, 0.0)),
        ("last", (0.0, 0.0, 1.0)),
        ("linear", (1 / 3, 1 / 3, 1 / 3)),
        ("u_shaped", (0.4, 0.2, 0.4)),
    ],
)
def test_attribution_models(model, expected) -> None:
    assert weights(3, model) == pytest.approx(expected)
    assert weights(2, model) in {(1.0, 0.0), (0.0, 1.0), (0.5, 0.5)}
    assert weights(0, model) == ()


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown attribution model 'w_shaped'"):
        weights(3, "w_shaped")  # type: ignore[arg-type]


def test_attribute_won_revenue_over_touches_and_fall_back_on_the_lead_field() -> None:
    won = history("L-w", WON_STEPS, amount=100.0)
    touched = History(
        won.record,
        won.fields,
        won.created_at,
        100.0,
        (
            Touch(at(-30), "ebook", "content"),
            Touch(at(-20), "webinar", "events"),
            Touch(at(-10), "fair", "events"),
        ),
    )
    untouched = history("L-u", WON_STEPS, amount=50.0, campaign="list")
    assert attribute([touched, untouched]) == pytest.approx(
        {"ebook": 40, "webinar": 20, "fair": 40, "list": 50}
    )
    assert attribute([touched], by="channel", model="last") == {"events": 100.0}
    open_deal = history("L-o", [("accept", 1), ("qualify", 2), ("convert", 3)], amount=70.0)
    assert attribute([open_deal, touched], stage="opportunity") == {"webinar": 70.0}


def test_marketing_sourced_revenue() -> None:
    by_marketing = history("L-m", WON_STEPS, amount=100.0)
    by_sales = history("L-s", WON_STEPS, amount=60.0, sourced_by="sales")
    sourced = marketing_sourced([by_marketing, by_sales])
    assert sourced == (100.0, 160.0, 2, 1)
    assert sourced.share == pytest.approx(100 / 160)
    assert marketing_sourced([]).share is None


def test_commission_pool_accelerator_needs_more_than_twenty_percent_over_target() -> None:
    assert commission_pool([1000.0], pipeline=120, pipeline_target=100).share == 0.10
    assert commission_pool([1000.0], pipeline=121, pipeline_target=100).pool == 150.0
    custom = commission_pool([1000.0], pipeline=200, pipeline_target=100, accelerated_share=0.2)
    assert custom.pool == 200.0
    assert commission_pool([], pipeline=0, pipeline_target=0).pool == 0


@pytest.mark.parametrize(
    ("relationship", "lead_management", "position"),
    [
        ("undefined", "none", "on the diagonal"),
        ("integrated", "own department", "on the diagonal"),
        ("defined", "defined process", "above the diagonal"),
        ("integrated", "defined terms", "below the diagonal"),
    ],
)
def test_maturity_positions(relationship, lead_management, position) -> None:
    result = assess_maturity(relationship, lead_management)
    assert result.position == position
    assert result.next_step


def test_maturity_refuses_unknown_answers() -> None:
    with pytest.raises(
        ConfigurationError, match="unknown relationship level 'friendly'; expected one of undefined"
    ):
        assess_maturity("friendly", "none")


def test_maturity_answers_are_read_without_regard_to_case_and_spacing() -> None:
    assert assess_maturity("Aligned", " Defined  Terms ") == assess_maturity(
        "aligned", "defined terms"
    )
    with pytest.raises(ConfigurationError, match="unknown lead_management level 'Defined-Terms'"):
        assess_maturity("aligned", "Defined-Terms")
