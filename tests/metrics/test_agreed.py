"""alert_rules: the agreement's alerts and ladder as the metrics' thresholds and rungs."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest

from leadflow import load_agreement
from leadflow.agreement import Agreement, parse_agreement
from leadflow.agreement.build import METRICS
from leadflow.agreement.model import MIN_SAMPLE
from leadflow.errors import AgreementSyntaxError
from leadflow.lifecycle import Rate
from leadflow.metrics import (
    DEFAULT_LADDER,
    DEFAULT_THRESHOLDS,
    ICP_REASONS,
    AlertRules,
    History,
    Rung,
    Threshold,
    alert_rules,
    build_report,
    report_main,
    weeks,
)
from leadflow.metrics.agreed import _PLAIN, _month_days
from tests.metrics.helpers import CALENDAR, at, history

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHIPPED = (EXAMPLES / "agreement.lf").read_text(encoding="utf-8")
ALERTS = SHIPPED[SHIPPED.index("alerts over 30 days") : SHIPPED.index("meetings {")]


@cache
def shipped() -> Agreement:
    return load_agreement(EXAMPLES / "agreement.lf")


def changed(old: str, new: str) -> Agreement:
    """The shipped agreement with ``old`` replaced by ``new`` (which must occur once)."""
    assert SHIPPED.count(old) == 1
    return parse_agreement(SHIPPED.replace(old, new), source="a.lf", base_dir=EXAMPLES)


def test_the_library_defaults_are_what_the_shipped_agreement_says() -> None:
    rules = alert_rules(shipped())
    assert rules == AlertRules(DEFAULT_THRESHOLDS, DEFAULT_LADDER)
    assert [t.action for t in rules.thresholds] == [
        "tell marketing",
        "tell sales_leadership",
        "tell icp_workshop",
        "tell revops",
    ]
    assert rules.thresholds[2].reasons == ICP_REASONS
    assert {t.window for t in rules.thresholds} == {timedelta(days=30)}
    assert rules.thresholds[1].within == timedelta(hours=24)


def test_the_minimum_sample_reaches_the_thresholds_a_line_overriding_the_block() -> None:
    block = changed("at least 20 leads {", "at least 40 leads {")
    assert [t.min_sample for t in alert_rules(block).thresholds] == [40, 40, 40, 40]
    line = changed("below 60 %  tell revops", "below 60 % of at least 5 leads tell revops")
    assert [t.min_sample for t in alert_rules(line).thresholds] == [20, 20, 20, 5]
    both = parse_agreement(
        SHIPPED.replace("at least 20 leads {", "at least 1 lead {").replace(
            "above 10 %  tell", "above 10 % of at least 1000000 leads tell"
        ),
        source="a.lf",
        base_dir=EXAMPLES,
    )
    assert [t.min_sample for t in alert_rules(both).thresholds] == [1, 1_000_000, 1, 1]


def test_an_unstated_minimum_sample_is_the_one_default_of_20() -> None:
    unstated = changed("alerts over 30 days, at least 20 leads {", "alerts over 30 days {")
    assert alert_rules(unstated) == alert_rules(shipped())
    assert {t.min_sample for t in alert_rules(unstated).thresholds} == {20}
    assert MIN_SAMPLE == 20
    assert Threshold("mql_to_sql", 0.3, "below", "tell marketing").min_sample == MIN_SAMPLE


def test_the_metric_names_the_loader_accepts_are_the_ones_the_metrics_judge() -> None:
    assert set(METRICS) == set(_PLAIN)


def test_every_line_maps_onto_the_metrics_own_values() -> None:
    text = SHIPPED.replace(ALERTS, "").replace(
        "meetings {",
        """alerts over 2 weeks {
  sal_acceptance                below 70.5 % tell "olga", revops
  uncontacted within 4 hours    above 5 %   tell sales_leadership
  uncontacted within 2 business days above 1 % tell sales_leadership
  rejected no_budget            above 20 %  tell marketing
}
escalate misses {
  2 months in a row  tell executive_board
  2 weeks            tell revops
}
meetings {""",
    )
    agreement = parse_agreement(text, source="a.lf", base_dir=EXAMPLES)
    thresholds, ladder = alert_rules(agreement)
    two_weeks = timedelta(days=14)
    assert thresholds == (
        Threshold("sal_acceptance", 0.705, "below", "tell olga, revops", window=two_weeks),
        Threshold(
            "not_contacted_24h",
            0.05,
            "above",
            "tell sales_leadership",
            window=two_weeks,
            within=timedelta(hours=4),
            clock="elapsed",
        ),
        Threshold(
            "not_contacted_24h",
            0.01,
            "above",
            "tell sales_leadership",
            window=two_weeks,
            within=timedelta(hours=20),  # two business days of 10 hours on the office calendar
        ),
        Threshold(
            "icp_rejections",
            0.2,
            "above",
            "tell marketing",
            window=two_weeks,
            reasons=frozenset({"no_budget"}),
        ),
    )
    assert ladder == (
        Rung(14, "2 weeks", "revops"),
        Rung(59, "2 months in a row", "executive_board"),
    )


def test_a_month_is_the_shortest_span_of_that_many_calendar_months() -> None:
    assert [_month_days(n) for n in (1, 2, 3, 12)] == [28, 59, 89, 365]


def test_without_alert_blocks_the_defaults_apply() -> None:
    text = SHIPPED.replace(ALERTS, "")
    assert alert_rules(parse_agreement(text, base_dir=EXAMPLES)) == (
        DEFAULT_THRESHOLDS,
        DEFAULT_LADDER,
    )


def test_an_empty_alerts_block_judges_nothing() -> None:
    agreement = changed(ALERTS, "alerts over 30 days {\n}\n")
    assert alert_rules(agreement) == ((), DEFAULT_LADDER)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "sql_to_opportunity below 30 %  tell marketing",
            "a.lf:91:3: unknown metric sql_to_opportunity (the alerts judge: mql_to_sql, "
            "sal_acceptance, uncontacted within DURATION, rejected REASON_OR_CATEGORY)",
        ),
        ("mql_to_sqll below 30 % tell marketing", "did you mean 'mql_to_sql'?"),
    ],
)
def test_a_metric_the_metrics_do_not_judge_is_refused_at_load(line: str, message: str) -> None:
    with pytest.raises(AgreementSyntaxError) as caught:
        changed("mql_to_sql                           below 30 %  tell marketing", line)
    assert message in str(caught.value)
    assert (caught.value.line, caught.value.column) == (91, 3)


def test_a_business_time_window_is_refused_at_load() -> None:
    with pytest.raises(AgreementSyntaxError, match=r"a\.lf:90:13: alerts measure calendar time"):
        changed("alerts over 30 days", "alerts over 3 business days")


def _rejected_in_week(count: int, reason: str) -> list[History]:
    """``count`` MQLs handed over on Monday 2 November, contacted, then rejected by sales for ``reason``."""
    return [
        history(f"L-{i}", [("contact_attempt", 1), ("reject", 2, reason)]) for i in range(count)
    ]


def _alerts(agreement: Agreement) -> list[tuple[str, str, str]]:
    report = build_report(
        _rejected_in_week(20, "too_small"),
        calendar=CALENDAR,
        now=at(24 * 8),
        alert_periods=weeks(date(2026, 11, 2), date(2026, 11, 8), CALENDAR.timezone),
        agreement=agreement,
    )
    return [(a.metric, a.action, a.audience) for a in report.alerts]


def test_a_changed_threshold_in_the_agreement_changes_which_alert_fires() -> None:
    # 20 of 20 rejections: SAL acceptance 0 %, all of them outside the ICP
    assert _alerts(shipped()) == [
        ("icp_rejections", "tell icp_workshop", "marketing_ops, sales_ops"),
        ("sal_acceptance", "tell revops", "marketing_ops, sales_ops"),
    ]
    quiet = changed("above 20 %  tell icp_workshop", "above 100 %  tell icp_workshop")
    assert _alerts(quiet) == [("sal_acceptance", "tell revops", "marketing_ops, sales_ops")]
    budget_only = changed("rejected icp ", "rejected no_budget ")
    assert [metric for metric, _, _ in _alerts(budget_only)] == ["sal_acceptance"]
    other_ladder = changed("1 week             tell marketing_ops, sales_ops", "1 week tell revops")
    assert {audience for _, _, audience in _alerts(other_ladder)} == {"revops"}


def test_the_agreed_minimum_sample_decides_whether_a_rate_is_judged() -> None:
    # 20 rejections in the week: a sample of 21 judges nothing, unless a line asks for fewer
    assert _alerts(changed("at least 20 leads {", "at least 21 leads {")) == []
    icp_only = parse_agreement(
        SHIPPED.replace("at least 20 leads {", "at least 21 leads {").replace(
            "above 20 %  tell icp_workshop", "above 20 % of at least 20 leads tell icp_workshop"
        ),
        source="a.lf",
        base_dir=EXAMPLES,
    )
    assert [metric for metric, _, _ in _alerts(icp_only)] == ["icp_rejections"]


def test_explicit_thresholds_win_over_the_agreements() -> None:
    report = build_report(
        _rejected_in_week(20, "no_budget"),
        calendar=CALENDAR,
        now=at(24 * 8),
        alert_periods=weeks(date(2026, 11, 2), date(2026, 11, 8), CALENDAR.timezone),
        agreement=shipped(),
        thresholds=[Threshold("icp_rejections", 0.5, "below", "tell nobody")],
    )
    assert [(a.metric, a.rate, a.audience) for a in report.alerts] == [
        ("icp_rejections", Rate(0, 20), "marketing_ops, sales_ops")
    ]


def test_the_report_command_reads_thresholds_from_the_agreement(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "scoring.lf", tmp_path / "scoring.lf")
    log = EXAMPLES / "events.jsonl"

    def alerts(text: str) -> list[dict[str, object]]:
        path = tmp_path / "agreement.lf"
        path.write_text(text, encoding="utf-8")
        out = tmp_path / "report.json"
        argv = [str(log), "--agreement", str(path), "--format", "json", "--out", str(out)]
        assert report_main(argv) == 0
        found: list[dict[str, object]] = json.loads(out.read_text(encoding="utf-8"))["alerts"]
        return found

    assert alerts(SHIPPED) == []  # 60 leads: too few in 30 days for a verdict
    longer = SHIPPED.replace("alerts over 30 days", "alerts over 90 days")
    assert [a["metric"] for a in alerts(longer)] == ["not_contacted_24h"]
    # a stricter SAL acceptance (25/28 accepted in the last 90 days) adds its alert
    strict = longer.replace(
        "sal_acceptance                       below 60 %", "sal_acceptance below 99 %"
    )
    found = {a["metric"]: a for a in alerts(strict)}
    assert set(found) == {"not_contacted_24h", "sal_acceptance"}
    sal = found["sal_acceptance"]
    assert (sal["action"], sal["level"], sal["streak"]) == ("tell revops", "1 month", 4)
    assert str(sal["message"]).endswith(
        "in 2026-W52, 4 periods in a row. Action: tell revops. Escalation: vp_sales, vp_marketing."
    )
