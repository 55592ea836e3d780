"""Static checks over a whole rule file, and its compilation into a :class:`Program`.

Every problem found is collected, so one run reports them all: unknown names and activity kinds
(with "did you mean"), type mismatches, unknown grades, temperatures and reason codes, duplicate
names, and classification lines that can never match.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import assert_never

from leadflow.rules._check.names import criterion_clash, declare, name_pos
from leadflow.rules._check.reach import Names, contradiction, unreachable
from leadflow.rules._check.scope import GRADES, TEMPERATURES, did_you_mean
from leadflow.rules._compile.clauses import Clause
from leadflow.rules._compile.conditions import Compiler, Test, references
from leadflow.rules._compile.predicates import never
from leadflow.rules._compile.program import CBranch, CQualification, CRule, CScore, Program
from leadflow.rules._facts import FIELD_TYPES, getters_for
from leadflow.rules._syntax import nodes
from leadflow.rules.results import KnockoutHit, fmt

__all__ = ("assemble",)


MAX_GAIN = 1_000_000_000_000
"""How much a score formula may multiply points by, through the formulas it uses (so that
scores stay finite)."""

SHIPPED_TEMPLATES = ("bant", "champ", "meddic")
"""The qualification templates shipped in ``leadflow/rules/templates/``."""


def _figure(value: float) -> str:
    """A large figure written out (``10,000,000,000,000``), or in powers of ten when huge."""
    return f"{value:,.0f}" if value < 1e18 else f"{value:.3g}"


def _rule(rule: nodes.Rule, block: nodes.ScoreBlock, check: Compiler) -> CRule:
    cond = rule.condition
    test = None if rule.each else check.condition(cond)
    fuser = None if test is None else check.fusers.get(test)
    key, window, count = "", None, 1
    if isinstance(cond, nodes.ActivityTest):
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


def _check_block(s: nodes.ScoreBlock, check: Compiler) -> None:
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
    s: nodes.ScoreBlock | nodes.ScoreFormula,
    text: str,
    line: int,
    *,
    key: str = "",
    sign: float = 1,
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
    cond: nodes.Condition, pos: nodes.Pos, check: Compiler, what: str, *, constants: bool = True
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
    branches: tuple[nodes.Branch, ...], check: Compiler, what: str, labels: Collection[str]
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
        why = None if b.condition is None else check.clause(b.condition)
        out.append(CBranch(b.label, test, b.pos.text, b.pos.source, b.pos.line, what, why))
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


@dataclass
class _Assembly:
    """What the statements compiled so far add up to, one statement at a time."""

    check: Compiler
    reasons: Collection[str]
    templates: Collection[str]
    scores: list[CScore] = field(default_factory=list)
    grades: list[tuple[str, tuple[CBranch, ...]]] = field(default_factory=list)
    knockouts: list[tuple[Test, KnockoutHit]] = field(default_factory=list)
    knockout_clauses: list[Clause] = field(default_factory=list)
    temperature: tuple[CBranch, ...] | None = None
    mql: CBranch | None = None
    quals: list[CQualification] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)
    gains: dict[str, float] = field(default_factory=dict)  # formula score -> its multiplier
    # criterion -> its answers, where, in which qualification
    answered: dict[str, tuple[tuple[str, ...], nodes.Pos, str]] = field(default_factory=dict)
    single: dict[str, nodes.Pos] = field(default_factory=dict)

    def add(self, s: nodes.Statement) -> None:
        """Check and compile one statement (declarations were handled by ``declare``)."""
        check = self.check
        check.allow_scores = check.allow_temperature = check.allow_criteria = False
        check.allow_knockouts = isinstance(s, nodes.Temperature | nodes.Mql | nodes.Qualification)
        match s:
            case nodes.ScoreBlock():
                self.score_block(s)
            case nodes.ScoreFormula():
                self.score_formula(s)
            case nodes.GradeBlock():
                check.allow_scores = True
                branches = _branches(s.branches, check, f"grade {s.name}", tuple(GRADES))
                self.grades.append((s.name, branches))
            case nodes.Knockout():
                self.knockout(s)
            case nodes.Temperature():
                if self.first("temperature", s.pos):
                    check.allow_scores = True
                    self.temperature = _branches(s.branches, check, "temperature", TEMPERATURES)
            case nodes.Mql():
                if self.first("mql", s.pos):
                    check.allow_scores = check.allow_temperature = True
                    test = _checked(s.condition, s.pos, check, "mql rule")
                    why = check.clause(s.condition)
                    self.mql = CBranch("mql", test, s.pos.text, s.pos.source, s.pos.line, "", why)
            case nodes.Qualification():
                self.quals.append(_qualification(s, check, self.templates, self.answered))
            case (
                nodes.Use()
                | nodes.Include()
                | nodes.ListDef()
                | nodes.ConstDef()
                | nodes.FieldDecl()
                | nodes.ActivityDecl()
                | nodes.TestBlock()
            ):
                pass  # declarations (names.declare) and tests (the self-tests) go elsewhere
            case _:
                assert_never(s)

    def first(self, what: str, pos: nodes.Pos) -> bool:
        """Whether this is the file's first temperature (or mql) rule; else report it."""
        if what in self.single:
            first = self.single[what]
            self.check.error(
                pos, f"a second {what} rule; the first is at {first.source}:{first.line}"
            )
            return False
        self.single[what] = pos
        return True

    def score_block(self, s: nodes.ScoreBlock) -> None:
        check = self.check
        _check_block(s, check)
        rules = tuple(_rule(r, s, check) for r in s.rules)
        limits = (
            _marker(s, f"at most {fmt(s.at_most)}", s.limit_lines[0]),
            _marker(s, f"at least {fmt(s.at_least)}", s.limit_lines[1]),
        )
        self.scores.append(
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
        self.defined.add(s.name)

    def score_formula(self, s: nodes.ScoreFormula) -> None:
        check = self.check
        for _, term, pos in s.terms:
            if term not in self.defined:
                later = term in check.scores
                hint = (
                    " (define it above this line)" if later else check.suggest(term, check.scores)
                )
                check.error(pos, f"unknown score '{term}'{hint}")
        gain = sum(abs(weight) * self.gains.get(term, 1.0) for weight, term, _ in s.terms)
        if gain > MAX_GAIN:
            check.error(
                s.pos,
                f"score {s.name} multiplies points by up to {_figure(gain)} through its weights "
                f"(and those of the formulas it uses); at most {MAX_GAIN:,} is allowed",
            )
            gain = 1.0  # reported here, not again in every formula using it
        self.gains[s.name] = gain
        formula = tuple((weight, term) for weight, term, _ in s.terms)
        terms = tuple(
            _marker(s, _term_text(weight, term), pos.line, key=term, sign=weight)
            for weight, term, pos in s.terms
        )
        none = _marker(s, "", s.pos.line)
        self.scores.append(
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
        self.defined.add(s.name)

    def knockout(self, s: nodes.Knockout) -> None:
        check = self.check
        check.allow_scores = True
        if s.reason not in self.reasons:
            check.error(
                name_pos(s.pos, s.reason),
                f"unknown reason code '{s.reason}'"
                f"{check.suggest(s.reason, self.reasons)}; reasons: "
                f"{', '.join(sorted(self.reasons))}",
            )
        self.knockouts.append(
            (
                _checked(s.condition, s.pos, check, "knock-out"),
                KnockoutHit(s.reason, s.pos.text, s.pos.source, s.pos.line),
            )
        )
        self.knockout_clauses.append(check.clause(s.condition))


def assemble(
    statements: tuple[nodes.Statement, ...],
    texts: Mapping[str, str],
    *,
    custom: Mapping[str, str],
    kinds: Collection[str],
    reasons: Collection[str],
    templates: Collection[str] = (),
) -> tuple[Program, Compiler]:
    """Check ``statements`` and compile them; the returned check holds every error found."""
    check = Compiler(texts, dict(FIELD_TYPES), set(kinds))
    statements = _merge_templates(statements, check, templates)
    declare(statements, check, custom)
    done = _Assembly(check, reasons, templates)
    for s in statements:
        done.add(s)
    if done.temperature is None:
        for pos in check.temperature_refs:
            check.error(pos, "'temperature' is used but the file has no temperature block")
    custom_types = check_custom(check)
    getters = getters_for(custom_types)
    program = Program(
        getters=getters,
        plan=tuple((key, getters[key]) for key in sorted(check.used) if key in getters),
        readers={
            key: (pos.text, pos.source, pos.line, pos.column)
            for key, pos in check.used.items()
            if key.lstrip("~") in custom_types
        },
        activities={k[1:]: k for k in sorted(check.used) if k[:1] == "@" and k != "@freemail"},
        scores=tuple(done.scores),
        grades=tuple(done.grades),
        knockouts=tuple(done.knockouts),
        temperature=done.temperature,
        mql=done.mql,
        qualifications=tuple(done.quals),
        sources=tuple(texts),
        places=_places(statements, templates),
        on_scores=MappingProxyType(dict(check.on_scores)),
        knockout_clauses=tuple(done.knockout_clauses),
    )
    check.tests.clear()  # keyed by node ids: of no use once the statements are gone
    check.reads.clear()
    return program, check


def _places(
    statements: tuple[nodes.Statement, ...], templates: Collection[str]
) -> tuple[tuple[str, int], ...]:
    """Where each statement is, includes in place; a template's statements are left out, so
    explain shows them after the file's own rules (a ``use`` line is a reference, not text)."""
    shipped = {f"{name}.lf" for name in templates}
    return tuple((s.pos.source, s.pos.line) for s in statements if s.pos.source not in shipped)


def check_custom(check: Compiler) -> dict[str, str]:
    """The custom fields of a check: every field type that is not a standard field."""
    return {k: v for k, v in check.field_types.items() if k not in FIELD_TYPES}


def _qualification(
    s: nodes.Qualification,
    check: Compiler,
    templates: Collection[str],
    answered: dict[str, tuple[tuple[str, ...], nodes.Pos, str]],
) -> CQualification:
    criteria: list[tuple[str, Mapping[str, str]]] = []
    if not s.criteria:
        # a shipped template's own name is its closest match: "did you mean 'use bant'?"
        close = did_you_mean(s.name, SHIPPED_TEMPLATES)
        hint = close.replace("did you mean '", "did you mean 'use ")
        check.error(s.pos, f"qualification {s.name} has no criteria{hint}")
    named: dict[str, nodes.Pos] = {}
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
    why: Clause | None = None
    if s.passes is None or s.pass_pos is None:
        check.error(s.pos, f"qualification {s.name} needs a 'pass when ...' line")
        test = never
        text, line = "", s.pos.line
    else:
        # constants are not looked up: a criterion's answers are names, not constants
        test = _checked(s.passes, s.pass_pos, check, "pass rule", constants=False)
        why = check.clause(s.passes)
        text, line = s.pass_pos.text, s.pass_pos.line
    check.criteria = {}
    source = s.pass_pos.source if s.pass_pos is not None else s.pos.source
    return CQualification(s.name, tuple(criteria), test, text, source, line, why)


def _merge_templates(
    statements: tuple[nodes.Statement, ...], check: Compiler, templates: Collection[str]
) -> tuple[nodes.Statement, ...]:
    """Let a file's ``qualification bant { ... }`` override parts of the template it uses."""
    out: list[nodes.Statement] = []
    index: dict[str, int] = {}
    for s in statements:
        if not isinstance(s, nodes.Qualification):
            out.append(s)
            continue
        if s.name in index:
            at = index[s.name]
            base = out[at]
            assert isinstance(base, nodes.Qualification)  # noqa: S101
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
