"""Evaluating a whole batch of leads per column, with numpy (for :mod:`leadflow.batch`).

Internal to leadflow, reached through ``RuleSet._columnar(now).vector()``: the batch path's
vectorized evaluation. The caller gives the lead fields of a batch of *valid* leads as
dictionary-encoded columns (per field the distinct values, as :class:`~leadflow.Lead` holds
them, and per row the place of its value there), the activity counts of
:attr:`Columnar.counts <leadflow.rules._columnar.Columnar.counts>` as an integer matrix and,
per ``@kind`` the rules age, the rows and ages (youngest first within a row) of the
activities up to ``now``. The result is a column per score, the temperature, the MQL status and
the knock-out reasons: exactly what :meth:`RuleSet.evaluate <leadflow.rules.RuleSet.evaluate>`
gives for each lead, to the last bit.

Nothing here decides a rule again by other means:

- a line whose condition reads one field runs the engine's own points function (see
  :meth:`Engine.lines <leadflow.rules._engine.engine.Engine.lines>`) once per *distinct value*
  of the field in the batch; a line on an activity count once per distinct count; the points
  are then gathered per row;
- a decaying line (``decay half every 30 days``) is :func:`~leadflow.rules._engine.lines.rule_points`
  over the numpy ages: ``factor ** (age // period)`` in Python once per distinct exponent (numpy's
  ``floor_divide`` is CPython's float ``//``), the points of an ``each`` line added up row by row
  from the youngest activity (the order of Python's ``sum``), capped, then Python's
  ``round(x, 2)`` once per distinct figure;
- a block's points are added line by line from ``0.0``, as :func:`add_up` does, then rounded
  (Python's ``round``, only where not whole), capped and floored;
- a knock-out whose condition reads one field is decided once per distinct value of it, by its
  own test; temperature and MQL conditions on scores are their comparisons (``fit >= 40``) on
  the score columns; a knocked-out lead gets the engine's own knock-out outcome.

:meth:`Vector.of` answers ``None`` for a rule set with any other shape (a formula, grades,
qualifications that need answers, custom fields, a condition of another shape in a line, a
knock-out or a classification): the caller evaluates such batches row by row. Qualifications
that need no answers are left out: a batch row does not show them. From Python 3.12 on, the
points of a decaying ``each`` line are added with ``sum`` per row (it compensates rounding).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from leadflow.rules._engine.lines import SELF
from leadflow.rules._facts import DERIVED, FIELD_TYPES, STANDARD_GETTERS, Facts

if TYPE_CHECKING:
    from leadflow.rules._compile.program import CRule
    from leadflow.rules._engine.engine import Engine
    from leadflow.rules.results import KnockoutHit

__all__ = ("DOMAIN", "Ages", "Column", "Scored", "Vector", "source_of")

Column = tuple[Sequence[Any], Any]
"""A dictionary-encoded field: the distinct values and, per row, the place of its value
(an integer numpy array)."""
Ages = Mapping[str, tuple[Any, Any]]
"""Per ``@kind``: the rows (ascending) and the ages in seconds (youngest first within a row)
of the activities up to ``now``, as two numpy arrays."""

_OPS: Final = frozenset({"is", "is not", "<", "<=", ">", ">="})
_ABSENT: Final = object()
_KEEP: Final = 250_000
"""The facts kept per fact key across batches (then they are worked out again)."""


class Scored(NamedTuple):
    """The evaluation of a batch, per row.

    Attributes:
        scores: per score (in the rule set's order) its figures, a float64 array.
        temperature: the labels and, per row, the place of its label (``None``: no
            temperature rules).
        mql: per row the MQL status, a bool array (``None``: no MQL rule).
        knockouts: the knock-out reasons joined by ``;`` (``None``: none fired) and, per row,
            the place of its entry.
    """

    scores: dict[str, Any]
    temperature: tuple[tuple[str | None, ...], Any] | None
    mql: Any
    knockouts: tuple[tuple[str | None, ...], Any]


DOMAIN: Final = "@domain"
"""The source of the facts that read nothing of the e-mail but its domain (the text after the
last ``@``, lower-cased as ``Lead`` holds it): the caller gives the domains as a field of this
name, so the many addresses of one company make one look-up of the free-mail list."""
_OF_DOMAIN: Final = frozenset({"@freemail", "email_domain", "~email_domain"})


def source_of(key: str) -> str | None:
    """The lead field a standard fact read up front derives from (``~industry``: ``industry``,
    ``seniority``: ``title``, ``@freemail``: :data:`DOMAIN`), or ``None`` for any other fact."""
    if key in _OF_DOMAIN:
        return DOMAIN
    name = key[1:] if key[:1] == "~" else key
    if name not in FIELD_TYPES or STANDARD_GETTERS.get(key) is None:
        return None
    return DERIVED.get(name, name)


def _view(kind: type, attribute: str, value: Any) -> Any:
    """A lead of class ``kind`` (``LeadFields``) with one field set (none: ``_ABSENT``)."""
    view: Any = object.__new__(kind)
    if value is _ABSENT:
        view.__dict__ = {}
    elif attribute == DOMAIN:
        view.__dict__ = {"email": "@" + value}
    else:
        view.__dict__ = {attribute: value}
    return view


def _np() -> Any:
    import numpy

    return numpy


class Vector:
    """The vectorized evaluation of one rule set at one instant (see the module docstring)."""

    __slots__ = (
        "_blocks",
        "_count_keys",
        "_engine",
        "_getters",
        "_knockouts",
        "_known",
        "_mql",
        "_now_ts",
        "_out_mql",
        "_out_temperature",
        "_plain",
        "_temperature",
        "_view",
        "sources",
    )

    DOMAIN: Final = DOMAIN
    """The name of the field of the e-mails' domains (see :data:`DOMAIN`)."""

    def __init__(self, engine: Engine, now_ts: float, view: type) -> None:
        self._engine = engine
        self._view = view
        self._known: dict[str, dict[Any, Any]] = {}  # per fact key: field value -> fact
        self._plain: dict[str, bool] = {}  # per fact key: whether it is the field's value
        self._now_ts = now_ts
        self._getters = engine.program.getters
        self._count_keys = engine.count_keys()
        self._blocks: tuple[tuple[str, Any, Any, tuple[Any, ...]], ...] = ()
        self._knockouts: tuple[tuple[Any, str, KnockoutHit], ...] = ()
        self._temperature: tuple[tuple[str, tuple[Any, ...] | None], ...] | None = None
        self._mql: tuple[Any, ...] | None = None
        self._out_temperature: str | None = None
        self._out_mql: bool | None = None
        self.sources: frozenset[str] = frozenset()

    @classmethod
    def of(cls, engine: Engine, now_ts: float, view: type) -> Vector | None:
        """The vectorized evaluation of ``engine``'s rules at ``now_ts`` (``now.timestamp()``),
        or ``None`` if some part of them has a shape it does not take (see the module
        docstring). ``view`` is the class of the lead fields the getters read (``LeadFields``)."""
        program = engine.program
        if program.grades or (program.qualifications and engine._unanswered is None):
            return None  # a qualification without answers decides nothing a batch row shows
        vector = cls(engine, now_ts, view)
        sources: set[str] = set()
        blocks = vector._lines(sources)
        knockouts = vector._knockouts_of(sources)
        temperature = vector._classifying()
        if blocks is None or knockouts is None or temperature is None:
            return None
        vector._blocks, vector._knockouts = blocks, knockouts
        if knockouts:  # the engine's own outcome of a knocked-out lead
            hit = knockouts[0][2]
            vector._out_temperature = engine._temperature_of({}, (hit,), [])[0]  # type: ignore[arg-type]
            vector._out_mql = engine._mql_of({}, (hit,), [])  # type: ignore[arg-type]
        vector.sources = frozenset(sources)
        return vector

    def _lines(self, sources: set[str]) -> tuple[tuple[str, Any, Any, tuple[Any, ...]], ...] | None:
        """Per block its name, cap, floor and lines: ``(field key, source, fn)``, ``("#",
        place of the count, fn)`` or ``(SELF, rule, (factor, period))``; ``None``: a shape
        this module does not take."""
        program = self._engine.program
        lines = iter(self._engine.lines())
        blocks = []
        for block in program.scores:
            if block.formula is not None:
                return None
            decay = None
            if block.factor is not None and block.period is not None:
                decay = (block.factor, block.period)
            found: list[tuple[str, Any, Any]] = []
            for rule in block.rules:
                key, fn = next(lines)
                if key == SELF:
                    if decay is None or not rule.decays:
                        return None  # a condition of another shape
                    found.append((SELF, rule, decay))
                elif key[:1] == "#":
                    found.append(("#", self._count_keys.index(key), fn))
                else:
                    source = self._source(key)
                    if source is None:
                        return None
                    sources.add(source)
                    found.append((key, source, fn))
            blocks.append((block.name, block.at_most, block.at_least, tuple(found)))
        return tuple(blocks)

    def _source(self, key: str) -> str | None:
        """:func:`source_of` a fact the rules read with the standard getter, else ``None``."""
        source = source_of(key)
        if source is None or self._getters.get(key) is not STANDARD_GETTERS[key]:
            return None
        return source

    def _knockouts_of(self, sources: set[str]) -> tuple[tuple[Any, str, KnockoutHit], ...] | None:
        """Per knock-out its test, the field its one fact derives from and its hit."""
        program = self._engine.program
        if len(program.knockout_clauses) != len(program.knockouts):  # pragma: no cover
            return None
        knockouts = []
        for (test, hit), clause in zip(program.knockouts, program.knockout_clauses, strict=True):
            source = None if clause.parts else self._source(clause.key)
            if source is None:
                return None
            sources.add(source)
            knockouts.append((test, source, hit))
        return tuple(knockouts)

    def _classifying(self) -> bool | None:
        """Temperature and MQL as comparisons of scores (``None``: another shape)."""
        program = self._engine.program
        if program.temperature is not None:
            lines = []
            for branch in program.temperature:
                comparisons = None
                if branch.test is not None:
                    comparisons = program.on_scores.get(branch.test)
                    if comparisons is None or any(op not in _OPS for op, _, _ in comparisons):
                        return None
                lines.append((branch.label, comparisons))
            self._temperature = tuple(lines)
        if program.mql is not None:
            comparisons = program.on_scores.get(program.mql.test)  # type: ignore[arg-type]
            if comparisons is None or any(op not in _OPS for op, _, _ in comparisons):
                return None
            self._mql = comparisons
        return True

    # -- per batch -----------------------------------------------------------------------------
    def evaluate(
        self,
        fields: Mapping[str, Column],
        rows: int,
        counts: Any,
        ages: Ages,
    ) -> Scored:
        """The evaluation of ``rows`` valid leads (see the module docstring): ``fields`` per
        lead field of :attr:`sources` (a field left out is absent in every lead), ``counts``
        an integer array of ``rows`` by the number of counts (``None`` if there are none),
        ``ages`` per ``@kind`` of :attr:`Columnar.age_kinds` (a kind left out has none)."""
        np = _np()
        scores = self._scores(fields, rows, counts, ages)
        mask = np.zeros(rows, np.int64)
        for bit, (test, source, _) in enumerate(self._knockouts):
            key = self._engine.program.knockout_clauses[bit].key
            fired = self._per_fact(fields, key, source, rows, self._fired(test, key), bool)
            mask |= fired.astype(np.int64) << bit
        knocked = mask != 0
        distinct_masks, mask_codes = np.unique(mask, return_inverse=True)
        labels = tuple(self._reasons(int(m)) for m in distinct_masks.tolist())
        knockouts = (labels, mask_codes.reshape(-1))
        temperature = None
        if self._temperature is not None:
            names: list[str | None] = [label for label, _ in self._temperature]
            place = np.full(rows, -1, np.int64)
            for i, (_, comparisons) in enumerate(self._temperature):
                if comparisons is None:
                    place[place < 0] = i
                    break
                place[(place < 0) & _holds(np, comparisons, scores, rows)] = i
            place[place < 0] = len(names) - 1  # no "otherwise": the last line
            if self._knockouts:
                names.append(self._out_temperature)
                place[knocked] = len(names) - 1
            temperature = (tuple(names), place)
        mql = None
        if self._mql is not None:
            mql = _holds(np, self._mql, scores, rows)
            if self._knockouts:
                mql = np.where(knocked, bool(self._out_mql), mql)
        return Scored(scores, temperature, mql, knockouts)

    def _scores(
        self, fields: Mapping[str, Column], rows: int, counts: Any, ages: Ages
    ) -> dict[str, Any]:
        """Each block's figures: its lines' points added up in order, rounded, capped."""
        np = _np()
        scores: dict[str, Any] = {}
        for name, at_most, at_least, lines in self._blocks:
            total = np.zeros(rows, np.float64)
            for key, source, fn in lines:
                if key == SELF:
                    points = self._decayed(source, fn, ages.get(source.key), rows)
                elif key == "#":
                    distinct, codes = np.unique(counts[:, source], return_inverse=True)
                    table = [fn(n, 0.0) for n in distinct.tolist()]
                    points = np.array(table, np.float64)[codes.reshape(-1)]
                else:
                    points = self._per_fact(
                        fields, key, source, rows, lambda _, v, fn=fn: fn(v, 0.0), np.float64
                    )
                total = total + points
            total = _rounded(np, total, whole=True)
            if at_most is not None:
                total = np.where(total > at_most, at_most, total)
            if at_least is not None:
                total = np.where(total < at_least, at_least, total)
            scores[name] = total
        return scores

    def _fired(self, test: Any, key: str) -> Any:
        """Whether a knock-out reading the fact ``key`` fires, given a lead and the fact."""
        now_ts, getters = self._now_ts, self._getters

        def fired(view: Any, value: Any) -> bool:
            f = Facts(view, now_ts, getters)
            f[key] = value
            return test(f) is True

        return fired

    def _per_fact(
        self, fields: Mapping[str, Column], key: str, source: str, rows: int, fn: Any, kind: Any
    ) -> Any:
        """``fn(lead, fact)`` per row, where the fact ``key`` derives from the field ``source``
        alone: the fact once per distinct value of the field that some row has (kept for the
        next batches), ``fn`` once per distinct fact, gathered into an array of ``kind``."""
        np = _np()
        distinct, codes = fields.get(source) or ((_ABSENT,), np.zeros(rows, np.int64))
        if not rows:
            return np.zeros(0, kind)
        used = np.bincount(codes, minlength=len(distinct)).tolist()
        known = self._known.get(key)
        if known is None or len(known) > _KEEP:
            known = self._known[key] = {}
        get = self._getters[key]
        view = self._view
        same = self._same(key, source)
        answers: dict[Any, Any] = {}
        known_get, answer_get = known.get, answers.get
        table: list[Any] = []
        append = table.append
        zero = kind(0)
        for value, n in zip(distinct, used, strict=False):
            if not n:
                append(zero)
                continue
            fact = value if same else known_get(value, _ABSENT)
            if fact is _ABSENT:
                fact = known[value] = get(_view(view, source, value))
            answer = answer_get(fact, _ABSENT)
            if answer is _ABSENT:
                answer = answers[fact] = fn(_view(view, source, value), fact)
            append(answer)
        return np.array(table, kind)[codes]

    def _same(self, key: str, source: str) -> bool:
        """Whether the fact ``key`` is the value of the field ``source`` itself (its getter,
        tried once on a marker value, hands the value back)."""
        found = self._plain.get(key)
        if found is None:
            marker = object()
            try:
                found = self._getters[key](_view(self._view, source, marker)) is marker
            except Exception:  # a getter that works on the value: not the value itself
                found = False
            self._plain[key] = found
        return found

    def _reasons(self, mask: int) -> str | None:
        reasons = (hit.reason for bit, (_, _, hit) in enumerate(self._knockouts) if mask >> bit & 1)
        return ";".join(dict.fromkeys(reasons)) or None

    def _decayed(self, rule: CRule, decay: tuple[float, float], found: Any, rows: int) -> Any:
        """The points of a decaying line per row (``rule_points`` over the numpy ages)."""
        np = _np()
        factor, period = decay
        out = np.zeros(rows, np.float64)
        if found is None:
            parent = np.zeros(0, np.int64)
            age = np.zeros(0, np.float64)
        else:
            parent, age = found
        within = np.ones(len(age), bool) if rule.window is None else age <= rule.window
        n = np.bincount(parent[within], minlength=rows)
        starts = np.searchsorted(parent, np.arange(rows))
        rank = np.arange(len(parent)) - starts[parent] if len(parent) else parent
        if rule.each:
            take = np.flatnonzero(within)
            if not len(take):
                return out
            terms = rule.points * _powers(np, factor, age[take] // period)
            order = rank[take]
            rows_of = parent[take]
            if sys.version_info >= (3, 12):  # pragma: no cover - sum() compensates from 3.12
                sums: dict[int, list[float]] = {}
                for r, t in zip(rows_of.tolist(), terms.tolist(), strict=True):
                    sums.setdefault(r, []).append(t)
                for r, ts in sums.items():
                    out[r] = float(sum(ts))
            else:  # Python's sum: from the youngest, one addition at a time
                for step in range(int(order.max()) + 1):
                    at = order == step
                    out[rows_of[at]] += terms[at]
            if rule.cap is not None:
                if rule.points > 0:
                    out = np.where(rule.cap < out, rule.cap, out)
                else:
                    out = np.where(-rule.cap > out, -rule.cap, out)
            out = _rounded(np, out, whole=False)
            return np.where((n > 0) & (out != 0), out, 0.0)
        holds = n >= rule.count
        if rule.count <= 0:
            return np.where(holds, rule.points or 0.0, 0.0)
        at = np.flatnonzero(rank == rule.count - 1)
        at = at[holds[parent[at]]]
        if not len(at):
            return out
        out[parent[at]] = rule.points * _powers(np, factor, age[at] // period)
        out = _rounded(np, out, whole=False)
        return np.where(out != 0, out, 0.0)


def _powers(np: Any, factor: float, exponents: Any) -> Any:
    """``factor ** e`` per exponent, Python's float power, once per distinct exponent."""
    distinct, codes = np.unique(exponents, return_inverse=True)
    return np.array([factor**e for e in distinct.tolist()], np.float64)[codes.reshape(-1)]


def _rounded(np: Any, values: Any, *, whole: bool) -> Any:
    """Python's ``round(x, 2)`` of each figure (with ``whole``: only those not whole, as a
    block's total; else every one, as a decaying line's points), once per distinct figure."""
    pick = np.floor(values) != values if whole else np.ones(len(values), bool)
    if not pick.any():
        return values
    distinct, codes = np.unique(values[pick], return_inverse=True)
    out = values.copy()
    out[pick] = np.array([round(v, 2) for v in distinct.tolist()], np.float64)[codes.reshape(-1)]
    return out


def _holds(np: Any, comparisons: tuple[tuple[str, str, float], ...], scores: Any, rows: int) -> Any:
    """Per row, whether every comparison of scores with a number holds."""
    result = np.ones(rows, bool)
    for op, key, bound in comparisons:
        value = scores[key[1:]]
        if op == "is":
            result &= value == bound
        elif op == "is not":
            result &= value != bound
        elif op == "<":
            result &= value < bound
        elif op == "<=":
            result &= value <= bound
        elif op == ">":
            result &= value > bound
        else:
            result &= value >= bound
    return result
