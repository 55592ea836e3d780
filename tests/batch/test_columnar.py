"""The columnar fast path gives the rows, and the errors, of validate_lead + evaluate + track.

``score_arrow`` reads Arrow batches column by column and evaluates the rows it can vouch for
without a ``Lead`` (:mod:`leadflow.batch.columnar`); the one-record way is
:meth:`BatchScorer.score` on :func:`~leadflow.batch.arrow.arrow_records` (``validate_lead``,
``RuleSet.evaluate``, ``SlaPolicy.track``). Generated batches mix valid rows and rows each
check must catch; the two ways must agree row for row, errors included.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pa = pytest.importorskip(
    "pyarrow", reason="pyarrow is not installed: pip install 'leadflow[arrow]'"
)
pytest.importorskip("numpy", reason="numpy is not installed: pip install 'leadflow[arrow]'")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from leadflow import validate_lead  # noqa: E402
from leadflow.batch import BatchScorer, arrow  # noqa: E402
from leadflow.batch.columnar import columnar_rows  # noqa: E402
from leadflow.batch.synthetic import synthetic_table  # noqa: E402
from leadflow.batch.vectorized import vector_batch  # noqa: E402
from leadflow.errors import LeadflowError  # noqa: E402
from leadflow.rules import load, parse  # noqa: E402
from tests.batch.test_batch import NOW, OFFICE, POLICY, ROOT  # noqa: E402

SCORING = load(ROOT / "examples" / "scoring.lf")  # decay, knock-outs, BANT: the facts path
COUNTS = parse(
    """
score fit {
  +20  employees between 50 and 500
  -30  email is freemail
  +15  seniority at least director
  +5   country in ["DE", "AT"]
  +5   email_domain is "acme.de"
}
score engagement {
  +40        demo_request within 30 days
  +10 each   pricing_page_view within 30 days, at most 30
  +5 each    pricing_page_view within 7 days
  +3 each    email_open
  +10        content_download at least 2 times within 60 days
  -20        unsubscribe
}
temperature {
  hot  when fit >= 20 and engagement >= 40
  warm when engagement >= 10
  cold otherwise
}
mql when fit >= 20 and engagement >= 25
""",
    source="counts.lf",
)  # light: counts per window only (two windows on one kind)
CONDITIONS = parse(
    """
score fit {
  +20  employees between 50 and 500
  +10  industry in ["software", "Software"]
  +10  title is "ceo"
}
score engagement {
  +40        demo_request within 30 days
  +10 each   pricing_page_view within 30 days, at most 30
  +5         webinar_attended within 60 days or email_click within 3 days
}
knockout wrong_timing when unsubscribe within 14 days
knockout student when seniority is student
knockout competitor when email_domain is "rival.com"
temperature {
  hot  when fit >= 20 and engagement >= 40
  warm when engagement >= 10 or demo_request within 90 days
  cold otherwise
}
mql when fit >= 20 and engagement >= 25
""",
    source="conditions.lf",
)  # conditions reading activity ages, counts and facts
DECAYING = parse(
    """
score fit {
  +12.5   industry in ["software", "Software"]
  +20.1   employees between 50 and 500
  +15.33  seniority at least director
  +0      title is "CEO"
  +10     country in ["DE", "AT"]
  -30.7   email is freemail
  at most 40
  at least -10
}
score engagement {
  +40.3        demo_request within 30 days
  +10.7 each   pricing_page_view within 30 days, at most 30
  +5.1 each    content_download within 90 days, at most 15
  +3.3         email_open at least 2 times within 14 days
  +1.1 each    email_open
  -20          unsubscribe
  -0.35 each   unsubscribe within 7 days, at most 1
  decay 17.5% every 3 days
  at most 45
}
score interest {
  +0.1 each  pricing_page_view within 7 days
  +7         webinar_attended within 60 days
  +2         email_click at least 3 times
}
knockout student             when seniority is student
knockout private_person      when email is freemail
knockout country_not_served  when country not in ["DE", "AT", "CH", "US"]
knockout student             when title is "Werkstudentin Marketing"
temperature {
  hot   when fit >= 30 and engagement >= 20.5
  warm  when interest >= 7
  warm  when fit > 10
  cold  otherwise
}
mql when fit >= 25 and engagement >= 10 and interest >= 0.1
""",
    source="decaying.lf",
)  # the vectorized path: decay by a percentage, caps and floors, fractions, knock-outs
RULES = {"scoring": SCORING, "counts": COUNTS, "conditions": CONDITIONS, "decaying": DECAYING}
VECTORIZED = ("scoring", "counts", "decaying")
"""The rule sets the vectorized path evaluates per column (the others go row by row)."""

DAY = timedelta(days=1)
US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
OFFSETS = (
    timedelta(0),
    US,
    -US,
    -DAY,
    -7 * DAY,
    -7 * DAY - US,
    -14 * DAY,
    -30 * DAY,
    -30 * DAY + US,
    -30 * DAY - US,
    -60 * DAY,
    -90 * DAY - US,
    -400 * DAY,
    DAY,
)
"""Instants around ``NOW`` and the windows' bounds, where an off-by-one would show."""


def mostly(good: list[Any], edge: st.SearchStrategy[Any], odds: int = 12) -> st.SearchStrategy[Any]:
    """A good value, or once in ``odds`` draws an edge case (often one a check must catch)."""
    return st.integers(1, odds).flatmap(lambda n: edge if n == 1 else st.sampled_from(good))


TEXT = mostly(
    [None, "software", "Software", "Maschinenbau", "Geschäftsführer", "x" * 500],
    st.one_of(st.sampled_from([" padded", "tail\t", "", "x" * 501, "\u3000"]), st.text(max_size=4)),
)
TITLES = mostly(
    [None, "CEO", "ceo", "Head of IT", "VP Sales", "Werkstudentin Marketing", "Geschäftsführer",
     "Software Engineer"],
    st.sampled_from(["Leiter Einkauf ", "", "\u00a0CTO", "\x1fCEO", "x" * 501]),
)  # fmt: skip
EMAILS = mostly(
    ["anna@acme.de", "Anna@ACME.DE", "max@gmail.com", "x@GMX.de", "cio@rival.com",
     "p" * 310 + "@acme.de"],
    st.one_of(
        st.sampled_from(
            ["a@b", "no-at-sign", " anna@acme.de", "a b@acme.de", "ａｎｎａ@acme.de",
             "anna@ｇｍａｉｌ．ｃｏｍ", "anna\u200b@acme.de", "", "p" * 320 + "@acme.de", None]
        ),
        st.emails(),
    ),
)  # fmt: skip
COUNTRIES = mostly([None, "DE", "de", "At", "US"], st.sampled_from(["D3", " DE", "DEU", "", "ÄÖ"]))
EMPLOYEES = mostly([None, 1, 49, 50, 500, 501, 10_000_000], st.sampled_from([0, 10_000_001, -5]))
KINDS = mostly(
    ["demo_request", "pricing_page_view", "email_open", "email_click", "content_download",
     "webinar_attended", "unsubscribe", "trade_fair_visit", "k" * 64],
    st.sampled_from(["Demo_request", " demo_request", "demo-request", "", "k" * 65, None]),
    40,
)  # fmt: skip
IDS = mostly(["L-1", "L-22", "L-333"], st.sampled_from([None, "", " L-1"]))


@st.composite
def instants(draw: st.DrawFn) -> int | None:
    """An instant in µs since 1970 (``None``: null), mostly near the windows' bounds."""
    choice = draw(st.integers(0, 59))
    if choice == 0:
        return None
    if choice == 1:  # anywhere a datetime can be, and past where floats are exact
        return draw(st.integers(-62_135_596_800_000_000, 253_402_300_799_999_999))
    base = NOW + draw(st.sampled_from(OFFSETS))
    jitter = draw(st.integers(-3, 3)) if choice == 2 else 0
    return (base - EPOCH) // US + jitter


@st.composite
def activity(draw: st.DrawFn, detail: bool) -> dict[str, Any] | None:
    if draw(st.integers(0, 100)) == 0:
        return None  # a null item
    item: dict[str, Any] = {"kind": draw(KINDS), "at": draw(instants())}
    if detail:
        item["detail"] = draw(mostly([None], st.sampled_from(["pricing", "", " x"]), 20))
    return item


@st.composite
def batches(draw: st.DrawFn) -> Any:
    """A record batch of lead columns, some optional, with valid and invalid cells."""
    rows = draw(st.integers(0, 10))
    unit = draw(st.sampled_from(["us", "us", "ms", "s", "ns"]))
    zone = draw(st.sampled_from(["UTC", "Europe/Berlin"]))
    detail = draw(st.booleans())
    optional = draw(
        st.sets(st.sampled_from(["title", "industry", "employees", "country", "first_name"]))
    )
    required = [name for name in ("id", "company", "email") if draw(st.integers(0, 40))]
    columns: dict[str, Any] = {}
    for name in required + sorted(optional):
        strategy = {
            "id": IDS,
            "company": mostly(["ACME", "Muster GmbH"], TEXT),
            "email": EMAILS,
            "title": TITLES,
            "industry": TEXT,
            "first_name": TEXT,
            "country": COUNTRIES,
            "employees": EMPLOYEES,
        }[name]
        columns[name] = pa.array(
            [draw(strategy) for _ in range(rows)],
            type=pa.int64() if name == "employees" else pa.string(),
        )
    fields = [("kind", pa.string()), ("at", pa.int64())]
    if detail:
        fields.append(("detail", pa.string()))
    lists = [
        None if draw(st.integers(0, 12)) == 0 else draw(st.lists(activity(detail), max_size=6))
        for _ in range(rows)
    ]
    raw = pa.array(lists, type=pa.list_(pa.struct(fields)))
    items = raw.values
    at = items.field("at").cast(pa.timestamp("us", tz=zone))
    if unit != "us":
        at = at.cast(pa.timestamp(unit, tz=zone), safe=False)
    children = [items.field("kind"), at, *([items.field("detail")] if detail else [])]
    struct = pa.StructArray.from_arrays(
        children,
        names=[name for name, _ in fields],
        mask=items.is_null(),
    )
    columns["activities"] = pa.ListArray.from_arrays(
        raw.offsets, struct, mask=raw.is_null() if raw.null_count else None
    )
    if draw(st.booleans()):
        handed = [
            None
            if draw(st.booleans())
            else NOW - timedelta(seconds=draw(st.integers(0, 4 * 86400)))
            for _ in range(rows)
        ]
        columns["handed_off_at"] = pa.array(handed, type=pa.timestamp("us", tz="UTC"))
        columns["responded_at"] = pa.array(
            [None if h is None or draw(st.booleans()) else h + timedelta(hours=3) for h in handed],
            type=pa.timestamp("us", tz="UTC"),
        )
        columns["segment"] = pa.array(
            [draw(st.sampled_from([None, None, "hot", "standard", "cold", "", "platinum"]))
             for _ in range(rows)],
            type=pa.string(),
        )  # fmt: skip
    result = pa.RecordBatch.from_pydict(columns)
    if draw(st.booleans()) and rows > 1:
        start = draw(st.integers(0, rows - 1))
        result = result.slice(start, draw(st.integers(0, rows - start)))
    return result


def one_record_way(batch: Any, scorer: BatchScorer) -> tuple[list[Any] | None, str | None]:
    """The rows of validate_lead + evaluate + track (BatchScorer.score), or the error raised."""
    try:
        return [scorer.score(record) for record in arrow.arrow_records(batch)], None
    except (LeadflowError, OverflowError) as error:
        return None, f"{type(error).__name__}: {error}"


def columnar_way(batch: Any, scorer: BatchScorer) -> tuple[list[Any] | None, str | None]:
    try:
        rows = columnar_rows(batch, scorer, scorer.rules._columnar(scorer.now))
        if rows is None:  # the batch goes the one-record way as a whole
            return one_record_way(batch, scorer)
        return rows, None
    except (LeadflowError, OverflowError) as error:
        return None, f"{type(error).__name__}: {error}"


def vector_way(batch: Any, scorer: BatchScorer) -> tuple[list[Any] | None, str | None]:
    """The rows of the vectorized path (``None`` for a batch it does not take), or the error."""
    plan = scorer.rules._columnar(scorer.now)
    vector = plan.vector()
    assert vector is not None
    try:
        done = vector_batch(batch, scorer, plan, vector, arrow.result_schema(scorer))
    except (LeadflowError, OverflowError) as error:
        return None, f"{type(error).__name__}: {error}"
    return (None if done is None else done.to_pylist()), None


def as_arrow(rows: list[Any] | None, scorer: BatchScorer) -> list[Any] | None:
    """Rows as the result batch holds them (times in UTC)."""
    if rows is None:
        return None
    return arrow.records_to_batch(rows, arrow.result_schema(scorer)).to_pylist()


@pytest.mark.parametrize("name", sorted(RULES))
def test_the_rule_sets_that_go_per_column(name: str) -> None:
    assert (RULES[name]._columnar(NOW).vector() is not None) is (name in VECTORIZED)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    batch=batches(),
    name=st.sampled_from(VECTORIZED),
    errors=st.sampled_from(["report", "raise"]),
    sla=st.booleans(),
)
def test_the_vectorized_path_equals_the_one_record_way(
    batch: Any, name: str, errors: Any, sla: bool
) -> None:
    policy = {"policy": POLICY, "calendars": OFFICE} if sla else {}
    scorer = BatchScorer(RULES[name], now=NOW, errors=errors, **policy)  # type: ignore[arg-type]
    rows, error = vector_way(batch, scorer)
    required = {"id", "company", "email"} <= set(batch.schema.names)
    assert (rows is None and error is None) is (not required)  # the batch goes row by row
    if rows is not None or error is not None:
        expected, expected_error = one_record_way(batch, scorer)
        assert (rows, error) == (as_arrow(expected, scorer), expected_error)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    batch=batches(),
    name=st.sampled_from(sorted(RULES)),
    errors=st.sampled_from(["report", "raise"]),
    sla=st.booleans(),
)
def test_columnar_rows_equal_the_one_record_way(
    batch: Any, name: str, errors: Any, sla: bool
) -> None:
    policy = {"policy": POLICY, "calendars": OFFICE} if sla else {}
    scorer = BatchScorer(RULES[name], now=NOW, errors=errors, **policy)  # type: ignore[arg-type]
    assert columnar_way(batch, scorer) == one_record_way(batch, scorer)


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_valid_batch_builds_no_lead(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    table = synthetic_table(400, now=NOW, seed=3)
    (batch,) = table.combine_chunks().to_batches(max_chunksize=400)
    scorer = BatchScorer(RULES[name], now=NOW, policy=POLICY, calendars=OFFICE, errors="report")
    expected = [scorer.score(record) for record in arrow.arrow_records(batch)]
    built: list[Any] = []
    monkeypatch.setattr("leadflow.batch.scoring.validate_lead", lambda d: built.append(d))
    rows = columnar_rows(batch, scorer, scorer.rules._columnar(NOW))
    assert rows == expected
    assert built == []
    assert sum(row["error"] is None for row in rows) == 400


def test_score_arrow_switch_gives_the_same_batches() -> None:
    table = synthetic_table(300, now=NOW, seed=4)
    scorer = BatchScorer(SCORING, now=NOW, policy=POLICY, calendars=OFFICE)
    fast = list(arrow.score_arrow(table.to_batches(max_chunksize=128), scorer))
    slow = list(arrow.score_arrow(table.to_batches(max_chunksize=128), scorer, columnar=False))
    assert [b.num_rows for b in fast] == [128, 128, 44]
    assert all(a.equals(b) for a, b in zip(fast, slow, strict=True))


def test_a_row_failing_a_check_gets_validate_leads_error() -> None:
    instant = pa.timestamp("us", tz="UTC")
    kind = pa.list_(pa.struct([("kind", pa.string()), ("at", instant)]))
    at = NOW - DAY
    batch = pa.RecordBatch.from_pydict(
        {
            "id": ["L-1", "L-2", "L-3"],
            "company": ["ACME", " ", "ACME"],
            "email": ["anna@acme.de", "anna@acme.de", "Anna@ACME.DE"],
            "country": ["de", "DE", "XYZ"],
            "activities": pa.array(
                [[{"kind": "demo_request", "at": at}], [], [{"kind": "Demo", "at": at}]],
                type=kind,
            ),
        }
    )
    scorer = BatchScorer(SCORING, now=NOW, errors="report")
    rows = columnar_rows(batch, scorer, SCORING._columnar(NOW))
    assert rows is not None
    assert rows[0]["error"] is None
    assert (
        rows[0]["fit"]
        == SCORING.evaluate(
            validate_lead(
                {
                    "id": "L-1",
                    "company": "ACME",
                    "email": "anna@acme.de",
                    "country": "de",
                    "activities": [{"kind": "demo_request", "at": at}],
                }
            ),
            now=NOW,
        ).scores["fit"]
    )
    assert "company: must not be blank" in rows[1]["error"]
    assert "country: expected an ISO 3166-1 alpha-2 code" in rows[2]["error"]
    assert "activities.0.kind: must be a name" in rows[2]["error"]


def test_a_batch_it_cannot_read_goes_the_one_record_way() -> None:
    batch = pa.RecordBatch.from_pydict(
        {"id": ["L-1"], "company": ["ACME"], "email": ["a@acme.de"], "interests": [["crm"]]}
    )
    scorer = BatchScorer(SCORING, now=NOW)
    assert columnar_rows(batch, scorer, SCORING._columnar(NOW)) is None
    assert next(arrow.score_arrow([batch], scorer)).to_pylist()[0]["error"] is None


@pytest.mark.parametrize("name", VECTORIZED)
@pytest.mark.parametrize("errors", ["report", "raise"])
def test_a_synthetic_batch_goes_per_column(
    name: str, errors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = synthetic_table(2_000, now=NOW, seed=5)
    (batch,) = table.combine_chunks().to_batches(max_chunksize=2_000)
    scorer = BatchScorer(RULES[name], now=NOW, policy=POLICY, calendars=OFFICE, errors=errors)
    expected = next(arrow.score_arrow([batch], scorer, columnar=False))
    per_row: list[Any] = []
    monkeypatch.setattr(
        "leadflow.rules._engine.engine.Engine.evaluate_prepared",
        lambda *args: per_row.append(args),
    )
    found = next(arrow.score_arrow([batch], scorer))
    assert found.equals(expected)
    assert per_row == []
    assert expected.column("sla_state").null_count < 2_000  # the SLA is there, mostly "none"
    if name != "counts":  # the others have knock-outs, and some fire
        assert len(set(expected.column("knockouts").to_pylist())) > 1


def test_the_decayed_points_have_fractions_and_caps() -> None:
    """The decaying rule set gives figures that need Python's round and the caps."""
    table = synthetic_table(2_000, now=NOW, seed=6)
    scorer = BatchScorer(DECAYING, now=NOW)
    rows = next(arrow.score_arrow(table.to_batches(max_chunksize=2_000), scorer)).to_pylist()
    engagement = {row["engagement"] for row in rows}
    assert any(not e.is_integer() for e in engagement)
    assert max(engagement) == 45  # the block's cap
    assert min(row["fit"] for row in rows) == -10  # the block's floor
