"""Static checks over a whole rule file, and its compilation into a :class:`Program`.

Every problem found is collected, so one run reports them all: unknown names and activity kinds
(with "did you mean"), type mismatches, unknown grades, temperatures and reason codes, duplicate
names, and classification lines that can never match.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from types import MappingProxyType

from leadflow.rules import ast
from leadflow.rules.closures import never
from leadflow.rules.conditions import (
    GRADES,
    TEMPERATURES,
    Check,
    Test,
    did_you_mean,
    references,
)
from leadflow.rules.evaluation import KnockoutHit, fmt
from leadflow.rules.facts import FIELD_TYPES, getters_for
from leadflow.rules.names import criterion_clash, declare, name_pos
from leadflow.rules.program import CBranch, CQualification, CRule, CScore, Program
from leadflow.rules.reach import Names, WorkBudget, contradiction, unreachable

__all__ = ("assemble",)


MAX_GAIN = 1_000_000_000_000
"""How much a score formula may multiply points by, through the formulas it uses (so that
scores stay finite)."""

SHIPPED_TEMPLATES = ("bant", "champ", "meddic")
"""The qualification templates shipped in ``leadflow/rules/templates/``."""


def _figure(value: float) -> str:
    """A large figure written out (``10,000,000,000,000``), or in powers of ten when huge."""
    return f"{value:,.0f}" if value < 1e18 else f"{value:.3g}"


def _rule(rule: ast.Rule, block: ast.ScoreBlock, check: Check) -> CRule:
    cond = rule.condition
    test = None if rule.each else check.condition(cond)
    fuser = None if test is None else check.fusers.get(test)
    key, window, count = "", None, 1
    if isinstance(cond, ast.ActivityTest):
        key, window, count = "@" + cond.kind, cond.window, cond.count
        check.used.setdefault("@" + cond.kind, cond.pos)
        if rule.each and cond.kind not in check.kinds:
            check.error(
                cond.pos,
                f"unknown activity kind '{cond.kind}'{check.suggest(cond.kind, check.kinds)}",
            )
    decays = block.decay_factor is not None and key != "" and cond.kind in check.kinds  # type: ignore[union-attr]
    reads = []
    for name in references(cond):
        if name in check.kinds:
            wanted = "@" + name
            reads.append((name, wanted if wanted != key or window is None else f"{key}|{window}"))
        elif name in check.field_types:
            reads.append((name, name))
    return CRule(
        block.name,
        rule.points,
        test,
        key,
        window,
        count,
        rule.each,
        rule.cap,
        decays,
        tuple(reads),
        rule.pos.text,
        rule.pos.source,
        rule.pos.line,
        # a line worth nothing gives -0.0 when it counts, to tell it from one that does not
        None if fuser is None else fuser(rule.points or -0.0),
    )


def _check_block(s: ast.ScoreBlock, check: Check) -> None:
    if s.decay_period is not None and s.decay_period <= 0:
        check.error(s.pos, f"score {s.name}: decay needs a period longer than 0")
    if s.decay_factor is not None and not 0 <= s.decay_factor < 1:
        check.error(s.pos, f"score {s.name}: decay takes away between 1% and 100% per period")
    if s.at_most is not None and s.at_least is not None and s.at_least > s.at_most:
        check.error(
            s.pos,
            f"score {s.name}: 'at least {fmt(s.at_least)}' is above 'at most {fmt(s.at_most)}'",
        )
    for rule in s.rules:
        if rule.cap is not None and rule.cap < 0:
            check.error(
                rule.pos, "'at most' limits the size of the points; write it without a sign"
            )


def _term_text(weight: float, score: str) -> str:
    """A formula term as explain shows it: ``+ fit``, ``- risk``, ``+ 0.6 * engagement``."""
    sign = "+ " if weight >= 0 else "- "
    return sign + (score if abs(weight) == 1 else f"{fmt(abs(weight))} * {score}")


def _marker(
    s: ast.ScoreBlock | ast.ScoreFormula, text: str, line: int, *, key: str = "", sign: float = 1
) -> CRule:
    """A pseudo-rule for explain: a cap or floor line, or a term of a score formula."""
    reads = ((key, "$" + key),) if key else ()
    return CRule(
        score=s.name,
        points=float(sign),
        test=None,
        key=key,
        window=None,
        count=1,
        each=False,
        cap=None,
        decays=False,
        reads=reads,
        text=text,
        source=s.pos.source,
        line=line,
    )


def _checked(
    cond: ast.Condition, pos: ast.Pos, check: Check, what: str, *, constants: bool = True
) -> Test:
    """``cond`` compiled; when it has no other error, also checked for contradicting itself
    (with the file's constants and lists looked up when ``constants``)."""
    errors = check.found
    test = check.condition(cond)
    if check.found == errors:
        names = Names(check.consts, check.lists) if constants else None
        if (why := contradiction(cond, names, check.work)) is not None:
            check.error(pos, f"this {what} can never match: {why}")
    return test


def _branches(
    branches: tuple[ast.Branch, ...], check: Check, what: str, labels: Collection[str]
) -> tuple[CBranch, ...]:
    out: list[CBranch] = []
    for b in branches:
        if b.label not in labels:
            noun = "temperature" if what == "temperature" else "grade"
            check.error(
                b.pos,
                f"unknown {noun} '{b.label}'; expected "
                f"{', '.join(labels)}{check.suggest(b.label, labels)}",
            )
        test = None if b.condition is None else check.condition(b.condition)
        out.append(CBranch(b.label, test, b.pos.text, b.pos.source, b.pos.line, what))
    if branches and all(b.condition is not None for b in branches):
        last = branches[-1]
        example = "cold otherwise" if what == "temperature" else "C otherwise"
        check.error(
            last.pos,
            f"the {what} block needs a last line such as '{example}', so every lead gets one",
        )
    found = unreachable(branches, consts=check.consts, lists=check.lists, work=check.work)
    for later, reason in found:
        check.error(later.pos, f"this line can never match: {reason}")
    return tuple(out)


def assemble(
    statements: tuple[ast.Statement, ...],
    texts: Mapping[str, str],
    *,
    custom: Mapping[str, str],
    kinds: Collection[str],
    reasons: Collection[str],
    templates: Collection[str] = (),
) -> tuple[Program, Check]:
    """Check ``statements`` and compile them; the returned check holds every error found."""
    check = Check(texts, dict(FIELD_TYPES), set(kinds), work=WorkBudget())
    statements = _merge_templates(statements, check, templates)
    declare(statements, check, custom)
    scores: list[CScore] = []
    grades: list[tuple[str, tuple[CBranch, ...]]] = []
    knockouts: list[tuple[Test, KnockoutHit]] = []
    temperature: tuple[CBranch, ...] | None = None
    mql: CBranch | None = None
    quals: list[CQualification] = []
    defined: set[str] = set()
    gains: dict[str, float] = {}  # formula score -> how much it can multiply points by
    # criterion -> its answers, where, in which qualification
    answered: dict[str, tuple[tuple[str, ...], ast.Pos, str]] = {}
    single: dict[str, ast.Pos] = {}
    for s in statements:
        check.allow_scores = check.allow_temperature = check.allow_criteria = False
        if isinstance(s, ast.Temperature | ast.Mql):
            what = "temperature" if isinstance(s, ast.Temperature) else "mql"
            if what in single:
                first = single[what]
                check.error(
                    s.pos, f"a second {what} rule; the first is at {first.source}:{first.line}"
                )
                continue
            single[what] = s.pos
        if isinstance(s, ast.ScoreBlock):
            _check_block(s, check)
            rules = tuple(_rule(r, s, check) for r in s.rules)
            limits = (
                _marker(s, f"at most {fmt(s.at_most)}", s.limit_lines[0]),
                _marker(s, f"at least {fmt(s.at_least)}", s.limit_lines[1]),
            )
            scores.append(
                CScore(
                    s.name,
                    rules,
                    s.at_most,
                    s.at_least,
                    s.decay_factor,
                    s.decay_period,
                    None,
                    s.pos.source,
                    s.pos.line,
                    limits,
                )
            )
            defined.add(s.name)
        elif isinstance(s, ast.ScoreFormula):
            for _, term, pos in s.terms:
                if term not in defined:
                    later = term in check.scores
                    hint = (
                        " (define it above this line)"
                        if later
                        else check.suggest(term, check.scores)
                    )
                    check.error(pos, f"unknown score '{term}'{hint}")
            gain = sum(abs(weight) * gains.get(term, 1.0) for weight, term, _ in s.terms)
            if gain > MAX_GAIN:
                check.error(
                    s.pos,
                    f"score {s.name} multiplies points by up to {_figure(gain)} through its weights "
                    f"(and those of the formulas it uses); at most {MAX_GAIN:,} is allowed",
                )
                gain = 1.0  # reported here, not again in every formula using it
            gains[s.name] = gain
            formula = tuple((weight, term) for weight, term, _ in s.terms)
            terms = tuple(
                _marker(s, _term_text(weight, term), pos.line, key=term, sign=weight)
                for weight, term, pos in s.terms
            )
            none = _marker(s, "", s.pos.line)
            scores.append(
                CScore(
                    s.name,
                    terms,
                    None,
                    None,
                    None,
                    None,
                    formula,
                    s.pos.source,
                    s.pos.line,
                    (none, none),
                )
            )
            defined.add(s.name)
        elif isinstance(s, ast.GradeBlock):
            check.allow_scores = True
            branches = _branches(s.branches, check, f"grade {s.name}", tuple(GRADES))
            grades.append((s.name, branches))
        elif isinstance(s, ast.Knockout):
            check.allow_scores = True
            if s.reason not in reasons:
                check.error(
                    s.pos,
                    f"unknown reason code '{s.reason}'"
                    f"{check.suggest(s.reason, reasons)}; reasons: "
                    f"{', '.join(sorted(reasons))}",
                )
            knockouts.append(
                (
                    _checked(s.condition, s.pos, check, "knock-out"),
                    KnockoutHit(s.reason, s.pos.text, s.pos.source, s.pos.line),
                )
            )
        elif isinstance(s, ast.Temperature):
            check.allow_scores = True
            temperature = _branches(s.branches, check, "temperature", TEMPERATURES)
        elif isinstance(s, ast.Mql):
            check.allow_scores = check.allow_temperature = True
            test = _checked(s.condition, s.pos, check, "mql rule")
            mql = CBranch("mql", test, s.pos.text, s.pos.source, s.pos.line)
        elif isinstance(s, ast.Qualification):
            quals.append(_qualification(s, check, templates, answered))
    if temperature is None:
        for pos in check.temperature_refs:
            check.error(pos, "'temperature' is used but the file has no temperature block")
    getters = getters_for(check_custom(check))
    program = Program(
        getters=getters,
        plan=tuple((key, getters[key]) for key in sorted(check.used) if key in getters),
        readers={
            key: (pos.text, pos.source, pos.line, pos.column)
            for key, pos in check.used.items()
            if key.lstrip("~") in check_custom(check)
        },
        activities={k[1:]: k for k in sorted(check.used) if k[:1] == "@" and k != "@freemail"},
        scores=tuple(scores),
        grades=tuple(grades),
        knockouts=tuple(knockouts),
        temperature=temperature,
        mql=mql,
        qualifications=tuple(quals),
        sources=tuple(texts),
        places=_places(statements, templates),
        on_scores=MappingProxyType(dict(check.on_scores)),
    )
    return program, check


def _places(
    statements: tuple[ast.Statement, ...], templates: Collection[str]
) -> tuple[tuple[str, int], ...]:
    """Where each statement is, includes in place; a template's statements are left out, so
    explain shows them after the file's own rules (a ``use`` line is a reference, not text)."""
    shipped = {f"{name}.lf" for name in templates}
    return tuple((s.pos.source, s.pos.line) for s in statements if s.pos.source not in shipped)


def check_custom(check: Check) -> dict[str, str]:
    """The custom fields of a check: every field type that is not a standard field."""
    return {k: v for k, v in check.field_types.items() if k not in FIELD_TYPES}


def _qualification(
    s: ast.Qualification,
    check: Check,
    templates: Collection[str],
    answered: dict[str, tuple[tuple[str, ...], ast.Pos, str]],
) -> CQualification:
    criteria: list[tuple[str, Mapping[str, str]]] = []
    if not s.criteria:
        # a shipped template's own name is its closest match: "did you mean 'use bant'?"
        close = did_you_mean(s.name, SHIPPED_TEMPLATES)
        hint = close.replace("did you mean '", "did you mean 'use ")
        check.error(s.pos, f"qualification {s.name} has no criteria{hint}")
    named: dict[str, ast.Pos] = {}
    for c in s.criteria:
        if c.name in named:
            first = named[c.name]
            check.error(
                c.pos, f"criterion {c.name} is already defined at {first.source}:{first.line}"
            )
            continue
        named[c.name] = c.pos
        clash = criterion_clash(c.name, check)
        if clash is not None:
            is_ = "is" if clash == "a word of the rule language" else "is already"
            check.error(
                name_pos(c.pos, c.name), f"'{c.name}' {is_} {clash}; choose another criterion name"
            )
            continue
        scale: dict[str, str] = {}
        for answer, grade in c.answers:
            if grade not in GRADES:
                check.error(
                    c.pos, f"unknown grade '{grade}' for answer '{answer}'; grades are A to F"
                )
            if answer in scale:
                check.error(c.pos, f"answer '{answer}' is listed twice for {c.name}")
            scale[answer] = grade
        if "unknown" not in scale:
            check.error(
                c.pos,
                f"criterion {c.name} must grade the answer 'unknown' (used when "
                "sales has not answered yet), e.g. 'unknown D'",
            )
            scale["unknown"] = "F"
        answers = tuple(scale)
        other, where, there = answered.setdefault(c.name, (answers, c.pos, s.name))
        if set(other) != set(answers):
            # reported at the line the user wrote, not in a shipped template
            here, mine, theirs, them = c.pos, answers, other, (where, there)
            if c.pos.source in {f"{t}.lf" for t in templates}:
                here, mine, theirs, them = where, other, answers, (c.pos, s.name)
            hint = f" (override it in {them[1]} too)" if them[1] in templates else ""
            check.error(
                here,
                f"criterion {c.name} has the answers {', '.join(mine)} here but "
                f"{', '.join(theirs)} in qualification {them[1]} at {them[0].source}:"
                f"{them[0].line}; sales answers a criterion once, so give it the same answers "
                f"in every qualification{hint}",
            )
        criteria.append((c.name, MappingProxyType(scale)))
    check.criteria = {name: dict(scale) for name, scale in criteria}
    check.allow_scores = check.allow_temperature = check.allow_criteria = True
    test: Test
    if s.passes is None or s.pass_pos is None:
        check.error(s.pos, f"qualification {s.name} needs a 'pass when ...' line")
        test = never
        text, line = "", s.pos.line
    else:
        # constants are not looked up: a criterion's answers are names, not constants
        test = _checked(s.passes, s.pass_pos, check, "pass rule", constants=False)
        text, line = s.pass_pos.text, s.pass_pos.line
    check.criteria = {}
    source = s.pass_pos.source if s.pass_pos is not None else s.pos.source
    return CQualification(s.name, tuple(criteria), test, text, source, line)


def _merge_templates(
    statements: tuple[ast.Statement, ...], check: Check, templates: Collection[str]
) -> tuple[ast.Statement, ...]:
    """Let a file's ``qualification bant { ... }`` override parts of the template it uses."""
    out: list[ast.Statement] = []
    index: dict[str, int] = {}
    for s in statements:
        if not isinstance(s, ast.Qualification):
            out.append(s)
            continue
        if s.name in index:
            at = index[s.name]
            base = out[at]
            assert isinstance(base, ast.Qualification)  # noqa: S101
            if s.name not in templates or base.pos.source == s.pos.source:
                check.error(
                    s.pos,
                    f"qualification '{s.name}' is already defined at "
                    f"{base.pos.source}:{base.pos.line}",
                )
                continue
            replaced = {c.name: c for c in s.criteria}
            criteria = tuple(replaced.pop(c.name, c) for c in base.criteria)
            criteria += tuple(replaced.values())
            out[at] = replace(
                base,
                criteria=criteria,
                passes=s.passes if s.passes is not None else base.passes,
                pass_pos=s.pass_pos if s.passes is not None else base.pass_pos,
            )
            continue
        index[s.name] = len(out)
        out.append(s)
    return tuple(out)
