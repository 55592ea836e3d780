"""Why a classification did not happen (or why a knock-out fired): :meth:`Evaluation.why_not`.

The question names a classification: ``mql``, a temperature (``hot``), a grade
(``position A``, or ``position`` for its best grade), a qualification (``bant``) or a knock-out's
reason code (``student``). The answer is text: the condition that decides it, and for each part
of it that failed, what was needed and what the lead had, nearest first (``engagement is 20, 5
short``), with the scoring lines that did not give points and would close a score's gap. For a
knock-out that fired, the part of its condition that held.

It reads the conditions as :class:`~leadflow.rules._compile.clauses.Clause` trees, and the facts
of the lead as the evaluation saw them (rebuilt by :meth:`Engine.why_not
<leadflow.rules._engine.engine.Engine.why_not>`); nothing here runs on the hot path. Every
condition form is handled by one ``match`` ending in ``assert_never`` in :func:`_failing` and
:func:`_held`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple, assert_never

from leadflow.errors import RuleEvaluationError
from leadflow.rules._check.scope import GRADES, TEMPERATURES, did_you_mean
from leadflow.rules._compile.clauses import Clause
from leadflow.rules._compile.program import CBranch, Program
from leadflow.rules._facts import Facts
from leadflow.rules._syntax import nodes
from leadflow.rules.results import Evaluation, fmt

__all__ = ("why_not",)

_SHOWN_POINTS = 3
"""How many scoring lines "the nearest points" names."""


class _Gap(NamedTuple):
    """What keeps a condition from holding: how many simple tests fail, how far they are
    (relative: 0.25 is a quarter of the bound short), and each failing test explained."""

    misses: int
    distance: float
    parts: tuple[str, ...]
    short: tuple[tuple[str, float], ...] = ()  # (score, points short) for the nearest points


def why_not(program: Program, evaluation: Evaluation, f: Facts, name: str) -> str:
    """The answer to "why did ``name`` not happen" for ``evaluation``, whose facts are ``f``
    (see the module)."""
    asked = " ".join(name.split()) if isinstance(name, str) else name
    if not isinstance(asked, str) or not asked:
        raise RuleEvaluationError(
            f"why_not needs the name of a classification, e.g. 'mql', got {name!r}", field=name
        )
    words = asked.removeprefix("grade ").removeprefix("temperature ").split(" ")
    if asked == "mql" and program.mql is not None:
        return _mql(program, evaluation, f, program.mql)
    temperature = asked.removeprefix("temperature ")
    if temperature in TEMPERATURES and program.temperature is not None:
        return _ladder(program, evaluation, f, "temperature", temperature, program.temperature)
    grades = dict(program.grades)
    if words[0] in grades and len(words) <= 2 and (len(words) == 1 or words[1] in GRADES):
        branches = grades[words[0]]
        wanted = words[1] if len(words) == 2 else branches[0].label
        return _ladder(program, evaluation, f, f"grade {words[0]}", wanted, branches)
    for q in program.qualifications:
        if q.name == asked:
            return _qualification(program, evaluation, f, asked)
    fired = [
        (hit, why)
        for (_, hit), why in zip(program.knockouts, program.knockout_clauses, strict=False)
        if hit.reason == asked
    ]
    if fired:
        return _knockout(program, evaluation, f, fired)
    raise _unknown(program, asked)


def _unknown(program: Program, asked: str) -> RuleEvaluationError:
    known: list[str] = []
    if program.mql is not None:
        known.append("mql")
    if program.temperature is not None:
        known.extend(dict.fromkeys(b.label for b in program.temperature))
    for grade, branches in program.grades:
        known.extend(f"{grade} {b.label}" for b in branches)
        known.append(grade)
    known.extend(q.name for q in program.qualifications)
    known.extend(dict.fromkeys(hit.reason for _, hit in program.knockouts))
    listed = ", ".join(dict.fromkeys(known)) or "none (the rules classify nothing)"
    return RuleEvaluationError(
        f"why_not: the rules decide nothing called {asked!r}{did_you_mean(asked, known)}; "
        f"they decide: {listed}",
        field=asked,
    )


def _where(program: Program, source: str, line: int) -> str:
    """``line 21`` in the loaded file, ``bant.lf:12`` in another."""
    main = program.sources[0] if program.sources else source
    return f"line {line}" if source == main else f"{source}:{line}"


def _knocked(program: Program, evaluation: Evaluation) -> str:
    hit = evaluation.knockouts[0]
    return f"the lead is knocked out ({hit.reason}: {_flat(hit.rule)}, {_where(program, hit.source, hit.line)})"


def _mql(program: Program, evaluation: Evaluation, f: Facts, mql: CBranch) -> str:
    where = _where(program, mql.source, mql.line)
    if evaluation.mql:
        return f"mql happened: {_flat(mql.text)} holds ({where})"
    if evaluation.knocked_out:
        return f"mql is no: {_knocked(program, evaluation)}"
    assert mql.clause is not None  # noqa: S101 - every compiled mql rule has its clause
    return _needs(program, evaluation, f, "mql", mql.clause, where)


def _ladder(
    program: Program,
    evaluation: Evaluation,
    f: Facts,
    what: str,
    wanted: str,
    branches: Sequence[CBranch],
) -> str:
    """A temperature or grade: the first line giving ``wanted``, and what stopped it."""
    got = evaluation.temperature if what == "temperature" else evaluation.grades.get(what[6:])
    label = wanted if what == "temperature" else f"{what} {wanted}"
    if got == wanted:
        return f"{label} happened: the lead is {label}"
    if what == "temperature" and evaluation.knocked_out:
        return f"{label} did not happen: {_knocked(program, evaluation)}, so it is cold"
    taken = next((b for b in branches if b.test is None or b.test(f) is True), branches[-1])
    index = {id(b): i for i, b in enumerate(branches)}
    target = next((b for b in branches if b.label == wanted), None)
    shown = f"{what} {got}" if what != "temperature" else f"{got}"
    if target is None:
        choices = ", ".join(dict.fromkeys(b.label for b in branches))
        return f"no line of the {what} block gives {wanted}; it gives {choices}"
    decided = (
        f"the lead is {shown}: {_flat(taken.text)} ({_where(program, taken.source, taken.line)})"
    )
    if index[id(target)] > index[id(taken)]:
        return f"{label} did not happen: an earlier line matched first; {decided}"
    if target.clause is None:  # "otherwise" after the line taken cannot be: handled above
        return f"{label} did not happen: {decided}"  # pragma: no cover
    where = _where(program, target.source, target.line)
    return _needs(program, evaluation, f, label, target.clause, where) + f"; {decided}"


def _qualification(program: Program, evaluation: Evaluation, f: Facts, name: str) -> str:
    result = evaluation.qualifications[name]
    q = next(q for q in program.qualifications if q.name == name)
    where = _where(program, q.source, q.line)
    if result.passed:
        return f"{name} passes: {_flat(q.text)} holds ({where})"
    program.qualify(q, f, result.answers)
    if q.clause is None:  # pragma: no cover - reported at load: no pass rule
        return f"{name} fails: it has no pass rule"
    return _needs(program, evaluation, f, f"{name} passes only when", q.clause, where, joiner="")


def _knockout(program: Program, evaluation: Evaluation, f: Facts, candidates: list[Any]) -> str:
    out = []
    for hit, why in candidates:
        where = _where(program, hit.source, hit.line)
        if hit in evaluation.knockouts:
            held = "; ".join(_held(why, f))
            out.append(f"knockout {hit.reason} fired: {why.text} ({where}); {held}")
        else:
            out.append(_needs(program, evaluation, f, f"knockout {hit.reason}", why, where))
    return "\n".join(out)


def _needs(
    program: Program,
    evaluation: Evaluation,
    f: Facts,
    label: str,
    why: Clause,
    where: str,
    *,
    joiner: str = " needs",
) -> str:
    gap = _failing(why, f, program)
    parts = gap.parts
    if not why.parts and len(parts) == 1:  # one simple test: its text is said already
        parts = (parts[0].removeprefix(why.text + ": "),)
    text = f"{label}{joiner} {why.text} ({where}): " + "; ".join(parts)
    points = _nearest_points(program, evaluation, gap.short)
    return text + (f"; the nearest points: {points}" if points else "")


def _nearest_points(
    program: Program, evaluation: Evaluation, short: tuple[tuple[str, float], ...]
) -> str:
    """The scoring lines that gave no points and would help close a score's gap."""
    if not short or not evaluation.trace:
        return ""
    points = evaluation.trace[2:]
    lines: dict[str, list[tuple[float, str]]] = {}
    at = 0
    for block in program.scores:
        if block.formula is not None:
            continue
        for rule in block.rules:
            given = points[at] if at < len(points) else 0.0
            at += 1
            if given == 0 and rule.points > 0:
                sign = f"+{fmt(rule.points)}"
                text = " ".join(rule.text.split())
                shown = text if text.startswith(sign) else f"{sign} {text}"
                where = _where(program, rule.source, rule.line)
                lines.setdefault(block.name, []).append((rule.points, f"{shown}, {where}"))
    found: list[str] = []
    for score, gap in short:
        # first the lines that close the gap on their own, smallest first; then the largest
        options = lines.get(score, [])
        enough = sorted((p, t) for p, t in options if p >= gap)
        rest = sorted(((p, t) for p, t in options if p < gap), reverse=True)
        found.extend(t for _, t in [*enough, *rest][:_SHOWN_POINTS])
    return "; ".join(dict.fromkeys(found))


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- the parts of a condition that fail (or hold) ------------------------------------------------
def _failing(why: Clause, f: Facts, program: Program) -> _Gap:
    """Why ``why`` does not hold for the facts ``f``: its failing parts, nearest first."""
    node = why.node
    match node:
        case nodes.AllOf():
            gaps = [_failing(p, f, program) for p in why.parts if p.test(f) is not True]
            return _Gap(
                sum(g.misses for g in gaps),
                sum(g.distance for g in gaps),
                tuple(part for g in gaps for part in g.parts),
                tuple(s for g in gaps for s in g.short),
            )
        case nodes.AnyOf():
            gaps = sorted(
                (_failing(p, f, program) for p in why.parts), key=lambda g: g.misses + g.distance
            )
            best = gaps[0]
            if len(gaps) <= 3:
                parts = (f"{why.text}: " + ", ".join(p for g in gaps for p in g.parts),)
            else:
                parts = (f"{why.text}: the nearest, " + ", ".join(best.parts),)
            return _Gap(best.misses, best.distance, parts, best.short)
        case nodes.Negation():
            inner = why.parts[0]
            if inner.test(f) is None:
                return _failing(inner, f, program)
            return _Gap(1, 1.0, (f"not {inner.text}: " + ", ".join(_held(inner, f)),))
        case nodes.Compare():
            return _compare(why, node, f, program)
        case nodes.ActivityTest():
            return _activity(node, f)
        case nodes.GradeCount():
            return _grade_count(why, node, f, program)
        case nodes.KnockedOut():
            return _Gap(1, 1.0, ("knocked out: no knock-out fired",))
        case _:
            assert_never(node)


def _held(why: Clause, f: Facts) -> list[str]:
    """The parts of ``why`` that hold for the facts ``f`` (for a knock-out that fired)."""
    node = why.node
    match node:
        case nodes.AllOf():
            return [h for p in why.parts for h in _held(p, f)]
        case nodes.AnyOf():
            return next((_held(p, f) for p in why.parts if p.test(f) is True), [why.text])
        case nodes.Negation():
            return [f"{why.text} holds"]
        case nodes.Compare():
            return [_value_of(why, node, f)]
        case nodes.ActivityTest():
            return [f"{why.text}: {_activity_count(node, f)[0]}"]
        case nodes.GradeCount() | nodes.KnockedOut():
            return [f"{why.text} holds"]
        case _:
            assert_never(node)


def _value_of(why: Clause, node: nodes.Compare, f: Facts) -> str:
    key = why.key
    if key == "@freemail":
        return f"{node.name} is {'freemail' if f[key] else 'business'}"
    raw = node.name if key[:1] == "~" else key
    value = f[raw] if raw else None
    if value is None:
        return f"{node.name} is missing"
    if isinstance(value, tuple):
        return f"{node.name} is " + ("[" + ", ".join(fmt(v) for v in value) + "]")
    if why.type_ in {"seniority", "buying_role", "grade", "temperature", "criterion"}:
        return f"{node.name} is {value}"
    return f"{node.name} is {fmt(value)}"


def _compare(why: Clause, node: nodes.Compare, f: Facts, program: Program) -> _Gap:
    key = why.key
    if not key:  # the condition did not compile (an error reported at load)
        return _Gap(1, 1.0, (f"{why.text}: cannot be tested",))
    value = f[key] if key[:1] != "~" else f[key[1:]]
    if value is None and node.op not in {"is missing", "is set"}:
        return _Gap(1, 1.0, (f"{why.text}: {node.name} is missing",))
    had = _value_of(why, node, f)
    if node.name == "positive" and key == "?positive":
        had += _positive(f, program)
    if isinstance(value, int | float) and not isinstance(value, bool) and why.values:
        gap = _numeric(node.op, float(value), why.values)
        if gap is not None:
            short, word = gap
            score = node.name if key[:1] == "$" and word == "short" else None
            relative = short / max(1.0, abs(float(why.values[0])))
            return _Gap(
                1,
                relative,
                (f"{why.text}: {had}, {fmt(float(short))} {word}",),
                ((score, short),) if score else (),
            )
    return _Gap(1, 1.0, (f"{why.text}: {had}",))


def _numeric(op: str, value: float, bounds: tuple[Any, ...]) -> tuple[float, str] | None:
    """How far ``value`` is from passing ``op`` against ``bounds``, and which way."""
    bound = float(bounds[0])
    if op in {">=", ">"}:
        return round(bound - value, 2), "short"
    if op in {"<=", "<"}:
        return round(value - bound, 2), "over"
    if op == "between":
        low, high = float(bounds[0]), float(bounds[1])
        return (round(low - value, 2), "short") if value < low else (round(value - high, 2), "over")
    return None


def _positive(f: Facts, program: Program) -> str:
    graded = [
        (criterion, f.get("?" + criterion), f.get("?" + criterion + "%"))
        for q in program.qualifications
        for criterion, _ in q.criteria
        if "?" + criterion + "%" in f
    ]
    shown = ", ".join(f"{c} {a} {g}" for c, a, g in dict.fromkeys(graded))
    return f" (graded A or B count; {shown})" if shown else ""


def _activity_count(node: nodes.ActivityTest, f: Facts) -> tuple[int, int]:
    """The activities of the kind within the window, and in all (up to now)."""
    ages = f["@" + node.kind] if node.kind else ()
    within = len(ages) if node.window is None else bisect_right(ages, node.window)
    return within, len(ages)


def _activity(node: nodes.ActivityTest, f: Facts) -> _Gap:
    within, total = _activity_count(node, f)
    text = " ".join(node.pos.text.split())
    had = "none" if within == 0 else f"{within}, {node.count - within} short"
    if total > within:
        had += f" ({total - within} older)"
    short = node.count - within
    return _Gap(1, short / node.count, (f"{text}: {had}",))


def _grade_count(why: Clause, node: nodes.GradeCount, f: Facts, program: Program) -> _Gap:
    accepted = GRADES[: GRADES.index(node.grade) + 1] if node.or_better else node.grade
    graded = [(name, f.get("%" + name)) for name, _ in program.grades]
    count = sum(1 for _, g in graded if g is not None and g in accepted)
    shown = ", ".join(f"{name} {g}" for name, g in graded)
    short = node.count - count
    return _Gap(1, short / max(node.count, 1), (f"{why.text}: {count} ({shown}), {short} short",))
