"""``test`` blocks: a lead, a ``now`` and expectations, checked when the file loads, run on demand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow._time import zone
from leadflow.errors import ConfigurationError, LeadValidationError, RuleEvaluationError
from leadflow.lead import Lead, validate_lead
from leadflow.rules._check.scope import GRADES, TEMPERATURES, Check, did_you_mean, list_items
from leadflow.rules._compile.program import Program
from leadflow.rules._syntax import nodes
from leadflow.rules.results import Evaluation, TestResult, fmt

__all__ = (
    "MAX_FILE_TEST_ACTIVITIES",
    "MAX_TEST_ACTIVITIES",
    "CompiledTest",
    "compile_tests",
    "run_test",
)

MAX_TEST_ACTIVITIES = 10_000
"""Most activities one test lead may hold, all its lines together."""

MAX_FILE_TEST_ACTIVITIES = 50_000
"""Most activities the test leads of one rule set may hold together (each is built at load
time: 320 tests of 10,000 activities took 10 s and 1.6 GB)."""

_LEAD_FIELDS = tuple(n for n in Lead.model_fields if n not in {"activities", "custom"})
_DEFAULTS = {"company": "Example GmbH", "email": "lead@example.com"}
_DERIVED = {"seniority": "title", "buying_role": "title", "email_domain": "email"}
"""Facts a lead derives from another field, which a test lead therefore cannot set."""
_CUSTOM_KINDS = {"text": ("text", "name", "grade"), "number": ("number",), "flag": ("flag",)}
_CUSTOM_EXPECTED = {"text": "text in double quotes", "number": "a number", "flag": "yes or no"}


@dataclass(frozen=True, slots=True)
class CompiledTest:
    name: str
    lead: Lead
    now: datetime
    answers: Mapping[str, str]
    expectations: tuple[nodes.Expectation, ...]
    source: str
    line: int


def _value(item: nodes.LeadItem, check: Check) -> Any:
    assert item.value is not None  # noqa: S101 - only called for value items
    literal = check.value(item.value)
    if literal.kind == "list":
        return tuple(str(check.value(v).value) for v in list_items(literal))
    value = literal.value
    if literal.kind == "number" and isinstance(value, float) and value == int(value):
        return int(value)
    return value


def _custom(item: nodes.LeadItem, type_: str, check: Check) -> Any:
    """The value of a custom field, or ``None`` after reporting that it has the wrong type."""
    assert item.value is not None  # noqa: S101 - only called for value items
    if check.value(item.value).kind in _CUSTOM_KINDS.get(type_, ()):
        return _value(item, check)
    check.error(
        item.pos,
        f"custom field '{item.name}' is declared as {type_}: expected "
        f"{_CUSTOM_EXPECTED.get(type_, type_)}, found {item.value.pos.text}",
    )
    return None


def _activities(
    item: nodes.LeadItem, now: datetime, check: Check, total: int, before: int = 0
) -> list[dict[str, Any]] | None:
    """The activities of one ``kind N times M days ago`` line, or ``None`` after an error."""
    assert item.ago is not None  # noqa: S101 - only called for activity items
    if item.name not in check.kinds:
        check.error(
            item.pos,
            f"unknown activity kind '{item.name}'{did_you_mean(item.name, check.kinds)}",
        )
        return None
    if total + item.count > MAX_TEST_ACTIVITIES:
        check.error(
            item.pos,
            f"a test lead may have at most {MAX_TEST_ACTIVITIES:,} activities; "
            f"this line brings it to {total + item.count:,}",
        )
        return None
    if before + total + item.count > MAX_FILE_TEST_ACTIVITIES:
        check.error(
            item.pos,
            f"the test leads of a rule set may have at most {MAX_FILE_TEST_ACTIVITIES:,} "
            f"activities together; this line brings them to {before + total + item.count:,}",
        )
        return None
    try:
        # physical time back from now, as windows count it (not the local clock: a day
        # across a DST change is still 24 hours), shown in now's zone
        at = (now.astimezone(UTC) - timedelta(seconds=item.ago)).astimezone(now.tzinfo)
    except OverflowError:
        check.error(
            item.pos,
            "this activity's time, counted back from 'now', falls outside the years 1 to 9999",
        )
        return None
    return [{"kind": item.name, "at": at}] * item.count


def _now(date: str, time: str, zone_name: str) -> datetime:
    """The instant of a test's ``now`` line; an ambiguous local time is the earlier instant.

    Raises:
        ValueError: the date or time is malformed, or the local time does not exist in the zone
            (the clocks skip it).
        ConfigurationError: the zone is unknown.
        OverflowError: the instant falls outside the years 1 to 9999 in UTC.
    """
    local = datetime.fromisoformat(f"{date}T{time.zfill(5)}")
    tz = zone(zone_name)
    now = local.replace(tzinfo=tz)  # fold=0: of a repeated hour, the first
    if now.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise ValueError(f"{date} {time} does not exist in {zone_name} ({_skip(now)})")
    return now


def _skip(now: datetime) -> str:
    """``the clocks skip from 02:00 to 03:00`` for a local time ``now`` that falls in a gap."""
    tz = now.tzinfo
    lo, hi = now.replace(fold=1).astimezone(UTC), now.astimezone(UTC)  # before and after the skip
    before, after = lo.astimezone(tz).utcoffset(), hi.astimezone(tz).utcoffset()
    assert before is not None  # noqa: S101 - a zone always has an offset
    assert after is not None  # noqa: S101
    while hi - lo > timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    start, end = (hi.replace(tzinfo=None) + offset for offset in (before, after))
    shape = "%H:%M" if start.date() == end.date() == now.date() else "%Y-%m-%d %H:%M"
    return f"the clocks skip from {start:{shape}} to {end:{shape}}"


def _lead(test: nodes.TestBlock, now: datetime, check: Check, before: int = 0) -> Lead | None:
    """The test's lead; ``before``: activities the earlier test leads of the rule set hold."""
    data: dict[str, Any] = {"id": f"test-{test.pos.line}", **_DEFAULTS}
    custom: dict[str, Any] = {}
    activities: list[dict[str, Any]] = []
    where: dict[str, nodes.Pos] = {}  # lead field (or custom.name) -> the item setting it
    placed: list[nodes.Pos] = []  # activity index -> the item that made it
    ok = True
    for item in test.lead:
        if item.ago is not None:
            made = _activities(item, now, check, len(activities), before)
            if made is None:
                ok = False
                continue
            activities.extend(made)
            placed.extend([item.pos] * len(made))
        elif item.name in _DERIVED:
            check.error(
                item.pos,
                f"'{item.name}' is derived from the {_DERIVED[item.name]}; "
                f"set '{_DERIVED[item.name]}' instead",
            )
            ok = False
        elif item.name in _LEAD_FIELDS:
            data[item.name] = _value(item, check)
            where[item.name] = item.pos
        elif item.name in check.field_types and item.name not in Lead.model_fields:
            value = _custom(item, check.field_types[item.name], check)
            ok = ok and value is not None
            custom[item.name] = value
            where[f"custom.{item.name}"] = item.pos
        else:
            names = set(_LEAD_FIELDS) | set(check.field_types) | check.kinds
            hint = (
                " (an activity needs a time, e.g. '2 days ago')"
                if item.name in check.kinds
                else did_you_mean(item.name, names)
            )
            check.error(item.pos, f"unknown lead field '{item.name}'{hint}")
            ok = False
    data["custom"] = custom
    data["activities"] = activities
    try:
        lead = validate_lead(data)
    except LeadValidationError as error:
        for problem in error.problems:
            check.error(
                _place(problem.field, where, placed, test.pos),
                f"test {test.name!r}: the lead is invalid: {problem}",
            )
        return None
    return lead if ok else None


def _place(
    field: str, where: dict[str, nodes.Pos], placed: list[nodes.Pos], test: nodes.Pos
) -> nodes.Pos:
    """The lead item behind a validation problem at ``field`` (``activities.3.at``, ...)."""
    parts = field.split(".")
    if parts[0] == "activities" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        return placed[index] if index < len(placed) else test
    key = ".".join(parts[:2]) if parts[0] == "custom" else parts[0]
    return where.get(key, test)


def _check_expectation(
    e: nodes.Expectation, program: Program, check: Check, reasons: frozenset[str]
) -> None:
    scores = {s.name for s in program.scores}
    grades = {name for name, _ in program.grades}
    quals = {q.name for q in program.qualifications}
    if e.what == "score" and e.name not in scores:
        check.error(e.pos, f"unknown score '{e.name}'{did_you_mean(e.name, scores)}")
    elif e.what == "grade" and e.name not in grades:
        known = f"; grade blocks: {', '.join(sorted(grades))}" if grades else "; the file has none"
        check.error(e.pos, f"unknown grade block '{e.name}'{did_you_mean(e.name, grades)}{known}")
    elif e.what == "grade" and str(e.value) not in GRADES:
        check.error(e.pos, f"unknown grade '{e.value}' for {e.name}; grades are A to F")
    elif e.what == "temperature" and (program.temperature is None or e.value not in TEMPERATURES):
        check.error(
            e.pos,
            f"cannot expect temperature '{e.value}': expected hot, warm or cold, "
            "and the file needs a temperature block",
        )
    elif e.what == "mql" and program.mql is None:
        check.error(e.pos, "cannot expect mql: the file has no 'mql when' rule")
    elif e.what == "knockout" and e.name not in reasons:
        check.error(e.pos, f"unknown reason code '{e.name}'{did_you_mean(e.name, reasons)}")
    elif e.what == "qualification" and e.name not in quals:
        check.error(e.pos, f"unknown qualification '{e.name}'{did_you_mean(e.name, quals)}")


def _check_repeats(expectations: tuple[nodes.Expectation, ...], check: Check) -> None:
    """Report an expectation that a test states twice (``expect fit 0, fit 10``)."""
    firsts: dict[tuple[str, str], int] = {}
    knockout: nodes.Expectation | None = None  # the first 'knockout X' or 'no knockout'
    for e in expectations:
        key = (e.what, e.name)
        if key in firsts:
            check.error(
                e.pos,
                f"{_said(e)} is expected twice in this test; the first is on line {firsts[key]}",
            )
            continue
        firsts[key] = e.pos.line
        if e.what not in {"knockout", "no knockout"}:
            continue
        if knockout is not None and "no knockout" in {e.what, knockout.what}:
            check.error(
                e.pos, f"{_said(e)} contradicts {_said(knockout)} on line {knockout.pos.line}"
            )
        knockout = knockout or e


def _said(e: nodes.Expectation) -> str:
    """What an expectation is about: ``fit``, ``grade position``, ``knockout student``, ..."""
    if e.what in {"grade", "knockout"}:
        return f"{e.what} {e.name}"
    return e.name if e.what in {"score", "qualification"} else e.what


def compile_tests(
    statements: tuple[nodes.Statement, ...], program: Program, check: Check, reasons: frozenset[str]
) -> tuple[CompiledTest, ...]:
    """Build the lead, ``now`` and answers of every test block, reporting problems to ``check``."""
    tests: list[CompiledTest] = []
    names: dict[str, int] = {}
    activities = 0  # held by the test leads so far
    for s in statements:
        if not isinstance(s, nodes.TestBlock):
            continue
        if s.name in names:
            check.error(s.pos, f"test {s.name!r} is already defined at line {names[s.name]}")
        names[s.name] = s.pos.line
        for e in s.expectations:
            _check_expectation(e, program, check, reasons)
        _check_repeats(s.expectations, check)
        if s.now is None:
            check.error(
                s.pos, f"test {s.name!r} needs a line such as 'now 2026-11-20 12:00 Europe/Berlin'"
            )
            continue
        try:
            now = _now(*s.now)
        except (ValueError, ConfigurationError) as error:
            check.error(s.now_pos or s.pos, f"test {s.name!r}: bad 'now': {error}")
            continue
        except OverflowError:
            check.error(
                s.now_pos or s.pos,
                f"test {s.name!r}: bad 'now': it falls outside the years 1 to 9999 in UTC",
            )
            continue
        answers = {criterion: answer for criterion, answer, _ in s.answers}
        try:
            program.check_answers(answers)
        except RuleEvaluationError as error:
            check.error(s.answers[0][2], str(error))
        lead = _lead(s, now, check, activities)
        activities += sum(item.count for item in s.lead if item.ago is not None)
        if lead is not None:
            tests.append(
                CompiledTest(s.name, lead, now, answers, s.expectations, s.pos.source, s.pos.line)
            )
    return tuple(tests)


def _actual(e: nodes.Expectation, ev: Evaluation) -> Any:
    if e.what == "score":
        return ev.scores[e.name]
    if e.what == "temperature":
        return ev.temperature
    if e.what == "mql":
        return ev.mql
    if e.what == "grade":
        return ev.grades[e.name]
    if e.what == "knockout":
        return e.name in ev.reasons
    if e.what == "no knockout":
        return ev.knocked_out
    return ev.qualifications[e.name].passed


Evaluate = Callable[..., Evaluation]
"""The engine's evaluate: ``evaluate(lead, now=..., answers=...)``."""


def run_test(test: CompiledTest, evaluate: Evaluate) -> TestResult:
    """Evaluate one test's lead with the rule set's engine and compare every expectation."""
    ev = evaluate(test.lead, now=test.now, answers=test.answers)
    failures: list[str] = []
    for e in test.expectations:
        got = _actual(e, ev)
        ok = abs(float(got) - float(e.value)) < 0.005 if e.what == "score" else got == e.value
        if ok:
            continue
        where = f"{e.pos.source}:{e.pos.line}"
        if e.what == "knockout":
            shown = ", ".join(ev.reasons) or "none"
            failures.append(f"{where}: expected knockout {e.name}, got knockouts: {shown}")
        elif e.what == "no knockout":
            failures.append(f"{where}: expected no knockout, got {', '.join(ev.reasons)}")
        elif e.what == "qualification":
            verdict = "passes" if got else "fails"
            failures.append(
                f"{where}: expected {e.name} {'passes' if e.value else 'fails'}, got {verdict}"
            )
        else:
            label = e.name if e.what in {"score", "temperature", "mql"} else f"grade {e.name}"
            failures.append(f"{where}: expected {label} {_show(e.value)}, got {_show(got)}")
    return TestResult(test.name, not failures, tuple(failures), test.source, test.line, ev)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else fmt(value)
