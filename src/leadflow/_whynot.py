"""Why a classification did *not* happen, built on the public ``Evaluation`` of a lead.

``why_not(rules, path, lead, evaluation, name)`` answers for ``mql``, a temperature (``hot``),
a grade (``position A``), a qualification (``bant``) or a knock-out reason (``student``): the
rule that would have decided it, each of its conditions with the value the lead had, what was
needed and how far off it was, and for a score that fell short the scoring lines that gave no
points yet (the nearest points). A decision a knock-out forced names the knock-out.

How it sees the conditions without the engine's internals (an integration module, see
``docs/cli.md``): the rule lines come from the file's text (:mod:`leadflow._rulelines`), a
condition on a score, the temperature, a grade or ``positive`` is compared with the evaluation's
figures, and any other condition is *probed*: a two-line rule file with the file's ``list``,
``const``, ``field`` and ``activity`` lines and ``+1 CONDITION`` / ``+1 not (CONDITION)`` is
evaluated for the same lead at the same ``now``, which tells true, false and unknown (a missing
value) apart and names the values the condition looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from leadflow._rulelines import RuleLine, definitions, scan
from leadflow.errors import LeadflowError
from leadflow.lead import Lead
from leadflow.rules import Evaluation, RuleSet, parse

__all__ = ("Check", "WhyNot", "why_not")

_COMPARISON: Final = re.compile(r"^([a-z_][a-z0-9_]*)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
_GRADE_TEST: Final = re.compile(r"^([a-z_][a-z0-9_]*)\s+(is|at least|at most)\s+([A-F])$")
_TEMPERATURE_IS: Final = re.compile(r"^temperature\s+is\s+(not\s+)?(hot|warm|cold)$")
_GRADE_ORDER: Final = "ABCDEF"
_TEMPERATURES: Final = ("hot", "warm", "cold")


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of the rule, and whether it held for the lead."""

    condition: str
    detail: str
    holds: bool | None = None
    """``None``: unknown, a value the condition needs is missing (or could not be checked)."""
    nearest: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WhyNot:
    """The answer to "why did NAME not happen for this lead"."""

    name: str
    summary: str
    rule: str = ""
    source: str = ""
    line: int = 0
    checks: tuple[Check, ...] = ()
    blocked_by: tuple[str, ...] = field(default=())
    happened: bool = False

    def __str__(self) -> str:
        where = f"  ({self.source}:{self.line})" if self.source else ""
        out = [
            f"why not {self.name}: {self.summary}"
            + (f"\n  rule: {self.rule}{where}" if self.rule else "")
        ]
        out.extend(f"  knocked out: {b}" for b in self.blocked_by)
        for check in self.checks:
            out.append(f"  {check.condition}: {_verdict(check.holds)}; {check.detail}")
            out.extend(f"      nearest points: {n}" for n in check.nearest)
        return "\n".join(out)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "happened": self.happened,
            "summary": self.summary,
            "rule": self.rule,
            "file": self.source,
            "line": self.line,
            "blocked_by": list(self.blocked_by),
            "conditions": [
                {
                    "condition": c.condition,
                    "holds": c.holds,
                    "detail": c.detail,
                    "nearest": list(c.nearest),
                }
                for c in self.checks
            ],
        }


def _verdict(holds: object) -> str:
    if holds is None:
        return "unknown"
    return "holds" if holds else "does not hold"


def _split(text: str, word: str) -> list[str]:
    """Split a condition at a top-level ``and``/``or`` (not inside parentheses or quotes, and
    not the ``and`` of ``between X and Y``)."""
    parts: list[str] = []
    depth, quoted, start, i = 0, False, 0, 0
    tokens = f" {word} "
    while i < len(text):
        char = text[i]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and text.startswith(tokens, i):
            left = text[start:i]
            if not (word == "and" and re.search(r"\bbetween\s+\S+$", left)):
                parts.append(left.strip())
                start = i + len(tokens)
                i = start
                continue
        i += 1
    parts.append(text[start:].strip())
    return parts


def _unwrap(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class _Context:
    def __init__(self, rules: RuleSet, path: Path, lead: Lead, evaluation: Evaluation) -> None:
        self.rules, self.path, self.lead, self.evaluation = rules, path, lead, evaluation
        self.lines = scan(path, source=rules.source)
        self.definitions = "\n".join(definitions(path))
        fired = {(c.source, c.line) for c in evaluation.contributions if c.points}
        self.unfired: dict[str, list[RuleLine]] = {}
        for rule in self.lines:
            if rule.kind == "score" and (rule.source, rule.line) not in fired:
                self.unfired.setdefault(rule.block, []).append(rule)

    def nearest(self, score: str, gap: float, *, up: bool) -> tuple[str, ...]:
        """The scoring lines of ``score`` that gave no points and would move it the right way."""

        def points(rule: RuleLine) -> float:
            return float(rule.label)

        candidates = [r for r in self.unfired.get(score, []) if (points(r) > 0) == up]
        # first the smallest line that closes the gap alone, then the largest of the others
        candidates.sort(
            key=lambda r: (
                (False, abs(points(r))) if abs(points(r)) >= abs(gap) else (True, -abs(points(r)))
            )
        )
        return tuple(f"{' '.join(r.text.split())}, {r.source}:{r.line}" for r in candidates[:3])

    def check(self, condition: str) -> Check:
        atom = _unwrap(condition)
        for word, combine in (("or", any), ("and", all)):
            parts = _split(atom, word)
            if len(parts) > 1:
                return self.combined(atom, [self.check(p) for p in parts], combine=combine)
        return self.simple(atom)

    def combined(self, atom: str, parts: list[Check], *, combine: Callable[..., bool]) -> Check:
        """A parenthesised ``or``/``and`` group: three-valued, with each part's verdict."""
        verdicts = [p.holds for p in parts]
        decisive = combine is any  # `or`: one True decides; `and`: one False decides
        if decisive in verdicts:
            holds: bool | None = decisive
        elif None in verdicts:
            holds = None
        else:
            holds = not decisive
        detail = "; ".join(f"{p.condition}: {_verdict(p.holds)} ({p.detail})" for p in parts)
        nearest = tuple(n for p in parts if p.holds is not True for n in p.nearest)[:3]
        return Check(atom, detail, holds=holds, nearest=nearest)

    def simple(self, atom: str) -> Check:
        ev = self.evaluation
        if match := _COMPARISON.match(atom):
            name, op, number = match[1], match[2], float(match[3])
            if name in ev.scores:
                value = ev.scores[name]
                holds = {
                    ">=": value >= number,
                    ">": value > number,
                    "<=": value <= number,
                    "<": value < number,
                }[op]
                if holds:
                    return Check(atom, f"{name} is {_fmt(value)}", holds=True)
                up = op in (">=", ">")
                gap = number - value if up else value - number
                if op in (">", "<"):
                    detail = f"{name} is {_fmt(value)}, needs {op} {_fmt(number)}"
                else:
                    detail = (
                        f"{name} is {_fmt(value)}, {_fmt(abs(gap))} {'short' if up else 'too many'}"
                    )
                return Check(atom, detail, holds=False, nearest=self.nearest(name, gap, up=up))
            if name == "positive" and ev.qualifications:
                return Check(atom, "see the qualification's grades", holds=None)
        if match := _TEMPERATURE_IS.match(atom):
            negated, wanted = bool(match[1]), match[2]
            holds = (ev.temperature == wanted) != negated
            return Check(atom, f"temperature is {ev.temperature or 'not decided'}", holds=holds)
        if (match := _GRADE_TEST.match(atom)) and match[1] in ev.grades:
            name, op, letter = match[1], match[2], match[3]
            have = ev.grades[name]
            rank, need = _GRADE_ORDER.index(have), _GRADE_ORDER.index(letter)
            holds = {"is": rank == need, "at least": rank <= need, "at most": rank >= need}[op]
            return Check(atom, f"grade {name} is {have}", holds=holds)
        return self.probe(atom)

    def probe(self, atom: str) -> Check:
        """Evaluate a condition on the lead's facts with a two-line rule file."""
        text = f"{self.definitions}\nscore why_not_probe {{\n  +1 {atom}\n  +2 not ({atom})\n}}\n"
        try:
            probe = parse(text, source=self.rules.source, base_dir=self.path.parent)
            result = probe.evaluate(self.lead, now=self.evaluation.now)
        except LeadflowError:
            return Check(
                atom, "could not be checked on its own (it reads more than the lead)", holds=None
            )
        fired = {c.points: c for c in result.contributions if c.score == "why_not_probe"}
        seen = fired.get(1.0) or fired.get(2.0)
        values = ", ".join(f"{k} {_show(v)}" for k, v in seen.values) if seen else ""
        if 1.0 in fired:
            return Check(atom, f"the lead has {values}" if values else "it holds", holds=True)
        if 2.0 in fired:
            return Check(
                atom, f"the lead has {values}" if values else "nothing it asks for", holds=False
            )
        return Check(atom, "a value it needs is missing from the lead", holds=None)

    def analyse(self, condition: str) -> tuple[Check, ...]:
        """The checks of the alternative (``or``) that came nearest to holding."""
        best: tuple[Check, ...] = ()
        for alternative in _split(_unwrap(condition), "or"):
            checks = tuple(self.check(atom) for atom in _split(_unwrap(alternative), "and"))
            failing = sum(c.holds is not True for c in checks)
            if not best or failing < sum(c.holds is not True for c in best):
                best = checks
        return best


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float):
        return _fmt(value)
    return str(value)


def _knockouts(ev: Evaluation) -> tuple[str, ...]:
    return tuple(
        f"{k.reason} ({k.source}:{k.line}: {' '.join(k.rule.split())})" for k in ev.knockouts
    )


def why_not(
    rules: RuleSet, path: str | Path, lead: Lead, evaluation: Evaluation, name: str
) -> WhyNot:
    """Why ``name`` (``mql``, ``hot``, ``position A``, ``bant``, a knock-out reason) did not happen.

    Raises:
        ValueError: ``name`` is none of the file's classifications, grades, qualifications or
            knock-out reasons.
    """
    ctx = _Context(rules, Path(path), lead, evaluation)
    ev = evaluation
    words = name.replace("temperature ", "").replace("grade ", "").split()
    lines = ctx.lines

    def explained(rule: RuleLine, summary: str, *, blocked: bool = False) -> WhyNot:
        checks = () if not rule.condition else ctx.analyse(rule.condition)
        return WhyNot(
            name,
            summary,
            " ".join(rule.text.split()),
            rule.source,
            rule.line,
            checks,
            _knockouts(ev) if blocked else (),
        )

    if words == ["mql"]:
        rule = next((r for r in lines if r.kind == "mql"), None)
        if rule is None:
            raise ValueError("the rule file has no 'mql when' rule")
        if ev.mql:
            return WhyNot(
                name, "the lead is an MQL", rule.text, rule.source, rule.line, happened=True
            )
        if ev.knocked_out:
            return explained(rule, "a knocked-out lead is never an MQL", blocked=True)
        return explained(rule, "the mql rule does not hold")
    if len(words) == 1 and words[0] in _TEMPERATURES:
        wanted = words[0]
        branch = [r for r in lines if r.kind == "temperature"]
        rule = next((r for r in branch if r.label == wanted), None)
        if rule is None:
            raise ValueError(f"the temperature block has no line for {wanted!r}")
        if ev.temperature == wanted:
            return WhyNot(
                name, f"the lead is {wanted}", rule.text, rule.source, rule.line, happened=True
            )
        if ev.knocked_out:
            return explained(rule, "a knocked-out lead is always cold", blocked=True)
        earlier = next(
            (
                d
                for d in ev.decisions
                if d.what == "temperature" and (d.source, d.line) < (rule.source, rule.line)
            ),
            None,
        )
        summary = f"the lead is {ev.temperature}"
        if earlier is not None:
            summary += f": line {earlier.line} ({' '.join(earlier.rule.split())}) matched first"
        return explained(rule, summary)
    if len(words) == 2 and words[0] in ev.grades and words[1] in _GRADE_ORDER:
        grade, letter = words
        rule = next(
            (r for r in lines if r.kind == "grade" and r.block == grade and r.label == letter), None
        )
        if rule is None:
            raise ValueError(f"grade {grade} has no line for {letter}")
        have = ev.grades[grade]
        if have == letter:
            return WhyNot(
                name, f"grade {grade} is {letter}", rule.text, rule.source, rule.line, happened=True
            )
        return explained(rule, f"grade {grade} is {have}")
    if len(words) == 1 and words[0] in ev.qualifications:
        q = ev.qualifications[words[0]]
        rule = RuleLine(
            "pass",
            q.framework,
            "",
            q.rule.removeprefix("pass when").strip(),
            q.source,
            q.line,
            q.rule,
        )
        if q.passed:
            return WhyNot(name, f"{q.framework} passes", q.rule, q.source, q.line, happened=True)
        graded = ", ".join(f"{c} {q.answers[c]} ({g})" for c, g in q.grades.items())
        result = explained(rule, f"{q.framework} fails with {q.positive} positive: {graded}")
        checks = tuple(
            Check(
                c.condition,
                f"{q.positive} criteria are graded A or B",
                holds=_positive_holds(c.condition, q.positive),
            )
            if c.condition.startswith("positive")
            else c
            for c in result.checks
        )
        return WhyNot(name, result.summary, result.rule, result.source, result.line, checks)
    if len(words) == 1:
        knockout = next((r for r in lines if r.kind == "knockout" and r.block == words[0]), None)
        if knockout is not None:
            if words[0] in ev.reasons:
                return WhyNot(
                    name,
                    f"knockout {words[0]} fired",
                    knockout.text,
                    knockout.source,
                    knockout.line,
                    happened=True,
                )
            return explained(knockout, f"knockout {words[0]} did not fire")
    known = ["mql", *_TEMPERATURES, *(f"{g} A" for g in ev.grades), *ev.qualifications]
    known += [r.block for r in lines if r.kind == "knockout"]
    raise ValueError(f"cannot explain {name!r}: expected one of {', '.join(known)}")


def _positive_holds(condition: str, positive: int) -> bool | None:
    match = _COMPARISON.match(condition)
    if not match:
        return None
    number, op = float(match[3]), match[2]
    return {
        ">=": positive >= number,
        ">": positive > number,
        "<=": positive <= number,
        "<": positive < number,
    }[op]
