"""Whether one condition implies another, and whether a condition contradicts itself.

The analysis behind :func:`leadflow.rules._check.reach.unreachable`. Implication is decided for
``and``/``or`` over

- comparisons of numbers (``<``, ``<=``, ``>``, ``>=``, ``between``, ``is``, ``in``, ...),
- text, yes/no and names tested with ``is``, ``is not``, ``in`` and ``not in`` (text
  case-folded, as the rules compare it),
- grades and seniority levels with ``at least``, ``at most``, ``is`` and ``in``,
- ``is missing`` and ``is set``,
- activities: ``at least 3 times within 7 days`` implies ``at least 2 times within 30 days``,
- grade counts: ``at least 3 grades are A`` implies ``at least 2 grades are B or better``;

anything else only by its text as written, so the answer "implies" (or "contradicts itself") is
never given for conditions where it could be wrong. Constants and named lists are looked up
only when the caller passes them; without them a name is compared as written and never taken to
differ from another name.

The work stays bounded whatever the input: a list of more than :data:`MAX_ITEMS` items (written
out or named) makes its test opaque, known only by its text, and one comparison of two
conditions gives up (answering "no") after :data:`MAX_WORK` units of work, a unit being a
simple test or a list item looked at. Each group of tests is prepared once per condition, so no
list is re-scanned per comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import assert_never

from leadflow.rules._check.scope import GRADES
from leadflow.rules._facts import ORDERED_LEVELS
from leadflow.rules._syntax import nodes

__all__ = (
    "FILE_WORK",
    "MAX_ITEMS",
    "MAX_WORK",
    "Atom",
    "Conjunction",
    "Names",
    "WorkBudget",
    "atom_of",
    "clash_message",
    "conjuncts",
    "contradiction",
    "implies",
)

MAX_WORK = 2048
"""Work one comparison of two conditions may take before it gives up (answering "no").

Counted in simple tests and list items looked at."""

FILE_WORK = 300_000
"""Work the never-match check of a whole rule set may take, in the units of :data:`MAX_WORK`
(200 lines of 32 ``or``-ed tests took 39 s before the check had a budget for the whole file;
with it, the check of any file stops within about half a second)."""

MAX_ITEMS = 256
"""A test of a list longer than this is opaque: known only by its text."""

_ORDERED = {"number", "grade"} | {"level:" + name for name in ORDERED_LEVELS}
_VALUED = _ORDERED | {"text", "flag"}  # domains whose tests are unknown on a missing value
_INF = math.inf


@dataclass(frozen=True, slots=True)
class Atom:
    """One simple test: of ``name`` in ``domain`` (see :func:`atom_of`), or only its text."""

    name: str
    domain: str  # "number" | "grade" | "level:..." | "text" | "flag" | "name" | "symbol" |
    # "presence" | "activity" | "grades" | "never" | "" (compared by text only)
    op: str  # "range" | "in" | "not in" | "missing" | "set" | "" (for the last four domains)
    low: tuple[float, bool] = (-_INF, False)  # bound and whether it is strict
    high: tuple[float, bool] = (_INF, False)
    values: frozenset[object] = frozenset()
    count: float = 0.0
    window: float = _INF
    text: str = ""


@dataclass(frozen=True, slots=True)
class Names:
    """What names stand for: the rule set's constants and named lists."""

    consts: Mapping[str, nodes.ConstDef]
    lists: Mapping[str, nodes.ListDef]


def _resolve(literal: nodes.Literal, names: Names | None) -> nodes.Literal | None:
    """The literal with a constant replaced by its value; ``None`` if it may be a constant."""
    if literal.kind != "name":
        return literal
    if names is None:
        return None
    const = names.consts.get(str(literal.value))
    return literal if const is None else const.value


def _items(literal: nodes.Literal, names: Names | None) -> tuple[nodes.Literal, ...] | None:
    if literal.kind == "list" and isinstance(literal.value, tuple):
        return literal.value
    if literal.kind == "name" and names is not None and str(literal.value) in names.lists:
        return names.lists[str(literal.value)].items
    return None


def _level(word: str) -> tuple[str, int] | None:
    """The order a level word belongs to and its rank in it (``None``: not exactly one)."""
    found = [
        (order, levels.index(word))
        for order, levels in ORDERED_LEVELS.items()
        if word in levels and word != "unknown"
    ]
    return found[0] if len(found) == 1 else None


def _values(
    literals: tuple[nodes.Literal, ...], names: Names | None
) -> tuple[str, tuple[object, ...]] | None:
    """The domain and values of literals all of one kind, as the rules would compare them."""
    resolved = [_resolve(lit, names) for lit in literals]
    if not resolved:
        return "never", ()
    if any(r is None for r in resolved):  # unresolved names: equal only to themselves
        return "symbol", tuple((lit.kind, str(lit.value)) for lit in literals)
    kinds = {r.kind for r in resolved if r is not None}
    raw = [r.value for r in resolved if r is not None]
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind == "number":
        return "number", tuple(float(v) for v in raw if isinstance(v, int | float))
    if kind == "text":
        return "text", tuple(str(v).casefold() for v in raw)
    if kind == "flag":
        return "flag", tuple(raw)
    if kind == "grade":
        if not all(str(v) in GRADES for v in raw):
            return None
        return "grade", tuple(float(len(GRADES) - GRADES.index(str(v))) for v in raw)
    if kind == "name":
        levels = [_level(str(v)) for v in raw]
        orders = {lv[0] for lv in levels if lv is not None}
        if len(orders) == 1 and all(lv is not None for lv in levels):
            return "level:" + orders.pop(), tuple(float(lv[1]) for lv in levels if lv)
        return "name", tuple(str(v) for v in raw)
    return None


def atom_of(cond: nodes.Condition, names: Names | None) -> Atom:
    """What the analysis knows of one simple test.

    Every condition form is handled here (mypy checks it, through ``assert_never``): a form the
    analysis does not understand must be *opaque*, or "can never match" errors go wrong.
    """
    text = cond.pos.text
    match cond:
        case nodes.ActivityTest():
            window = _INF if cond.window is None else cond.window
            return Atom(cond.kind, "activity", "", count=cond.count, window=window, text=text)
        case nodes.GradeCount():
            if cond.grade not in GRADES:
                return Atom("", "", "", text=text)
            accepted = GRADES[: GRADES.index(cond.grade) + 1] if cond.or_better else cond.grade
            return Atom("", "grades", "", values=frozenset(accepted), count=cond.count, text=text)
        case nodes.Compare():
            return _compared(cond, names) or Atom("", "", "", text=text)
        case nodes.AllOf() | nodes.AnyOf() | nodes.Negation():
            return Atom("", "", "", text=text)  # opaque: taken apart by the callers
        case nodes.KnockedOut():
            return Atom("", "", "", text=text)  # opaque: the same only when written the same
        case _:
            assert_never(cond)


def _compared(cond: nodes.Compare, names: Names | None) -> Atom | None:
    """The atom of a comparison, or ``None`` where the analysis cannot tell (opaque)."""
    op, name, text = cond.op, cond.name, cond.pos.text
    if op in {"is missing", "is set"}:
        return Atom(name, "presence", op[3:], text=text)
    literals: tuple[nodes.Literal, ...] | None = cond.values
    if op in {"in", "not in"}:
        literals = _items(cond.values[0], names)
    if literals is None or len(literals) > MAX_ITEMS:
        return None
    found = _values(literals, names)
    if found is None:
        return None
    domain, values = found
    if domain == "never" and op == "in":
        return Atom(name, "never", "", text=text)
    if op in {"is", "in", "is not", "not in"} and domain != "never":
        kind = "not in" if "not" in op else "in"
        return Atom(name, domain, kind, values=frozenset(values), text=text)
    bounds = [v for v in values if isinstance(v, float)]
    if domain not in _ORDERED or len(bounds) != len(literals):
        return None
    return _ranged(cond, domain, bounds)


def _ranged(cond: nodes.Compare, domain: str, bounds: list[float]) -> Atom | None:
    """The atom of an ordered comparison (``<``, ``between``, ``at least`` ...)."""
    op, name, text = cond.op, cond.name, cond.pos.text
    if domain == "number" and op in {"<", "<=", ">", ">="}:
        bound = (bounds[0], len(op) == 1)
        if op[0] == ">":
            return Atom(name, domain, "range", low=bound, text=text)
        return Atom(name, domain, "range", high=bound, text=text)
    if domain == "number" and op == "between":
        low, high = bounds
        return Atom(name, domain, "range", low=(low, False), high=(high, False), text=text)
    if domain != "number" and op in {"at least", "at most"}:
        bound = (bounds[0], False)
        if op == "at least":
            return Atom(name, domain, "range", low=bound, text=text)
        return Atom(name, domain, "range", high=bound, text=text)
    return None


def _above(value: float, low: tuple[float, bool]) -> bool:
    return value > low[0] or (value == low[0] and not low[1])


def _below(value: float, high: tuple[float, bool]) -> bool:
    return value < high[0] or (value == high[0] and not high[1])


def _tighter_low(a: tuple[float, bool], b: tuple[float, bool]) -> bool:
    """Whether lower bound ``a`` admits nothing that ``b`` rejects."""
    return a[0] > b[0] or (a[0] == b[0] and (a[1] or not b[1]))


def _tighter_high(a: tuple[float, bool], b: tuple[float, bool]) -> bool:
    return a[0] < b[0] or (a[0] == b[0] and (a[1] or not b[1]))


@dataclass
class _Group:
    """Everything an ``and`` says about one name in one domain."""

    domain: str
    low: tuple[float, bool] = (-_INF, False)
    high: tuple[float, bool] = (_INF, False)
    allowed: frozenset[object] | None = None  # None: no "is"/"in" yet
    sets: list[frozenset[object]] = field(default_factory=list)  # each "in" as written
    excluded: set[object] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)
    # Worked out once by seal(), so a comparison never re-scans the group's lists:
    candidates: frozenset[object] | None = None  # the values it allows, if it names them all
    numeric: tuple[float, float] | None = None  # the least and greatest candidate, all numbers
    set_items: int = 0  # items in self.sets

    def add(self, atom: Atom) -> None:
        self.texts.append(atom.text)
        if atom.op == "range":
            if _tighter_low(atom.low, self.low):
                self.low = atom.low
            if _tighter_high(atom.high, self.high):
                self.high = atom.high
        elif atom.op == "in":
            self.sets.append(atom.values)
            self.set_items += len(atom.values)
            self.allowed = atom.values if self.allowed is None else self.allowed & atom.values
        elif atom.op == "not in":
            self.excluded |= atom.values

    def seal(self) -> None:
        """Work out what comparisons need, once all tests are added."""
        if self.domain == "symbol" or self.allowed is None:
            return
        self.candidates = frozenset(v for v in self.allowed if self.fits(v))
        numbers = [v for v in self.candidates if isinstance(v, float)]
        if numbers and len(numbers) == len(self.candidates):
            self.numeric = (min(numbers), max(numbers))

    def fits(self, value: object) -> bool:
        """Whether ``value`` passes every test of the group (concrete domains only)."""
        if value in self.excluded:
            return False
        if isinstance(value, float):
            return _above(value, self.low) and _below(value, self.high)
        return True

    def empty(self) -> bool:
        if self.candidates is not None:
            return not self.candidates
        if self.domain not in _ORDERED:
            return False
        (low, strict_low), (high, strict_high) = self.low, self.high
        if low > high:
            return True
        return low == high and (strict_low or strict_high or low in self.excluded)

    def cost(self, atom: Atom) -> int:
        """An upper bound of the work :meth:`implies` does for ``atom``."""
        scan = self.set_items + len(self.sets) if self.candidates is None else 0
        return 1 + len(atom.values) + (scan if atom.op == "in" else 0)

    def implies(self, atom: Atom) -> bool:
        """Whether the group's tests holding mean ``atom`` holds."""
        allowed = self.candidates
        if atom.op == "range":
            if allowed is not None:
                if not allowed:
                    return True
                if self.numeric is None:
                    return False
                least, greatest = self.numeric
                return _above(least, atom.low) and _below(greatest, atom.high)
            return _tighter_low(self.low, atom.low) and _tighter_high(self.high, atom.high)
        if atom.op == "in":
            if allowed is not None:
                return allowed <= atom.values
            if any(s <= atom.values for s in self.sets):
                return True
            point = self.low[0] == self.high[0] and not (self.low[1] or self.high[1])
            return self.domain in _ORDERED and point and self.low[0] in atom.values
        if atom.op == "not in":
            if atom.values <= self.excluded:
                return True
            if self.domain == "symbol":
                return False
            if allowed is not None:
                return allowed.isdisjoint(atom.values)
            return self.domain in _ORDERED and not any(self.fits(v) for v in atom.values)
        return False  # pragma: no cover - groups hold only the three kinds above


@dataclass
class Conjunction:
    """The simple tests an ``and`` joins, grouped by name and domain."""

    groups: dict[tuple[str, str], _Group] = field(default_factory=dict)
    others: list[Atom] = field(default_factory=list)  # activities, grade counts, presence
    texts: set[str] = field(default_factory=set)
    # The others by domain and name, and the names of valued groups, for direct look-up:
    by_name: dict[tuple[str, str], list[Atom]] = field(default_factory=dict)
    valued: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, atoms: list[Atom]) -> Conjunction:
        conj = cls()
        for atom in atoms:
            conj.texts.add(atom.text)
            if atom.op in {"range", "in", "not in"}:
                key = (atom.name, atom.domain)
                conj.groups.setdefault(key, _Group(atom.domain)).add(atom)
                if atom.domain in _VALUED:
                    conj.valued.add(atom.name)
            else:
                conj.others.append(atom)
                conj.by_name.setdefault(_key(atom), []).append(atom)
        for group in conj.groups.values():
            group.seal()
        return conj

    def clash(self) -> list[str] | None:
        """The texts of tests that exclude each other, if the analysis finds some."""
        for atom in self.others:
            if atom.domain == "never":
                return [atom.text]
        for group in self.groups.values():
            if group.empty():
                return group.texts
        missing = {a.name: a.text for a in self.others if a.op == "missing"}
        for atom in self.others:
            if atom.op == "set" and atom.name in missing:
                return [missing[atom.name], atom.text]
        for (name, domain), group in self.groups.items():
            if name in missing and domain in _VALUED:
                return [missing[name], *group.texts]
        return None

    def cost(self, atom: Atom) -> int:
        """An upper bound of the work :meth:`implies` does for ``atom``."""
        if atom.op in {"range", "in", "not in"}:
            group = self.groups.get((atom.name, atom.domain))
            return 1 if group is None else group.cost(atom)
        return 1 + len(atom.values) + len(self.by_name.get(_key(atom), ()))

    def implies(self, atom: Atom) -> bool:
        if atom.text in self.texts:
            return True
        if atom.op in {"range", "in", "not in"}:
            group = self.groups.get((atom.name, atom.domain))
            return group is not None and group.implies(atom)
        same = self.by_name.get(_key(atom), [])
        if atom.domain == "presence":
            return any(a.op == atom.op for a in same) or (
                atom.op == "set" and atom.name in self.valued
            )
        if atom.domain == "activity":
            return any(a.count >= atom.count and a.window <= atom.window for a in same)
        if atom.domain == "grades":
            return any(a.count >= atom.count and a.values <= atom.values for a in same)
        return False


def _key(atom: Atom) -> tuple[str, str]:
    """Which of a conjunction's other tests can bear on ``atom``: same domain, same name."""
    return atom.domain, atom.name


def conjuncts(cond: nodes.Condition) -> list[nodes.Condition]:
    """The parts ``cond`` joins with ``and``, nested ``and`` flattened."""
    match cond:
        case nodes.AllOf():
            return [part for item in cond.items for part in conjuncts(item)]
        case (
            nodes.AnyOf()
            | nodes.Negation()
            | nodes.Compare()
            | nodes.ActivityTest()
            | nodes.GradeCount()
            | nodes.KnockedOut()
        ):
            return [cond]
        case _:
            assert_never(cond)


@dataclass
class _Budget:
    left: int = MAX_WORK

    def spend(self, work: int = 1) -> bool:
        self.left -= work
        return self.left >= 0


@dataclass
class WorkBudget:
    """The work left for the never-match check of a whole rule set, shared by its comparisons.

    Each comparison takes at most :data:`MAX_WORK` units and at most what is left; once nothing
    is left, comparisons answer "no" (not shown) and the check says where it stopped.
    """

    left: int = field(default_factory=lambda: FILE_WORK)
    stopped_at: nodes.Pos | None = None
    """The first line left unchecked after the budget ran out."""

    @property
    def exhausted(self) -> bool:
        return self.left <= 0

    def take(self, pos: nodes.Pos) -> _Budget | None:
        """A budget for one comparison, or ``None`` (noting ``pos``) when nothing is left."""
        if self.left <= 0:
            if self.stopped_at is None:
                self.stopped_at = pos
            return None
        return _Budget(min(MAX_WORK, self.left))

    def charge(self, units: int) -> None:
        """Count the work of one comparison."""
        self.left -= units


def _atoms(parts: list[nodes.Condition], names: Names | None, budget: _Budget) -> list[Atom] | None:
    """The atoms of ``parts``, each paid for by its list items; ``None`` when out of budget."""
    if not budget.spend(len(parts)):
        return None
    atoms = []
    for part in parts:
        atom = atom_of(part, names)
        if not budget.spend(len(atom.values)):
            return None
        atoms.append(atom)
    return atoms


def _implies(
    later: nodes.Condition, earlier: nodes.Condition, names: Names | None, budget: _Budget
) -> bool:
    if not budget.spend():
        return False
    if later.pos.text == earlier.pos.text:
        return True
    if isinstance(later, nodes.AnyOf):
        return all(_implies(item, earlier, names, budget) for item in later.items)
    if isinstance(earlier, nodes.AllOf):
        return all(_implies(later, item, names, budget) for item in earlier.items)
    if isinstance(earlier, nodes.AnyOf):
        return any(_implies(later, item, names, budget) for item in earlier.items)
    parts = conjuncts(later)
    atoms = _atoms(parts, names, budget)
    wanted = _atoms([earlier], names, budget)
    if atoms is None or wanted is None:
        return False
    conj = Conjunction.of(atoms)
    if budget.spend(conj.cost(wanted[0])) and conj.implies(wanted[0]):
        return True
    return len(parts) > 1 and any(
        isinstance(p, nodes.AnyOf) and _implies(p, earlier, names, budget) for p in parts
    )


def implies(
    later: nodes.Condition,
    earlier: nodes.Condition,
    names: Names | None = None,
    work: WorkBudget | None = None,
) -> bool:
    """Whether ``earlier`` holds for every lead ``later`` holds for, as far as can be told.

    ``False`` means "not shown", never "shown not to".

    >>> from leadflow.rules._syntax.nodes import Compare, Literal, Pos
    >>> def cmp(op, n):
    ...     pos = Pos("x", 1, 1, 2, f"fit {op} {n}")
    ...     return Compare("fit", op, (Literal("number", float(n), pos),), pos)
    >>> implies(cmp(">=", 40), cmp(">=", 25)), implies(cmp(">=", 25), cmp(">=", 40))
    (True, False)

    ``work``: the rule set's budget, charged with the work done (see :class:`WorkBudget`).
    """
    if work is None:
        return _implies(later, earlier, names, _Budget())
    budget = work.take(later.pos)
    if budget is None:
        return False
    start = budget.left
    found = _implies(later, earlier, names, budget)
    work.charge(start - budget.left)
    return found


def _clash(cond: nodes.Condition, names: Names | None, budget: _Budget) -> str | None:
    if not budget.spend():
        return None
    if isinstance(cond, nodes.AnyOf):
        found: list[str] = []
        for item in cond.items:
            clash = _clash(item, names, budget)
            if clash is None:
                return None
            found.append(clash)
        return "; ".join(found)
    parts = conjuncts(cond)
    atoms = _atoms(parts, names, budget)
    if atoms is None:
        return None
    clash = clash_message(Conjunction.of(atoms).clash())
    if clash is not None:
        return clash
    for part in parts:
        if isinstance(part, nodes.AnyOf) and (clash := _clash(part, names, budget)) is not None:
            return clash
    return None


def contradiction(
    cond: nodes.Condition, names: Names | None = None, work: WorkBudget | None = None
) -> str | None:
    """Why ``cond`` can never hold, if the analysis finds it; ``None`` otherwise.

    Usable for any condition (MQL, knock-outs, pass rules), not only classification lines.
    ``work``: the rule set's budget, charged with the work done (see :class:`WorkBudget`).
    """
    if work is None:
        return _clash(cond, names, _Budget())
    budget = work.take(cond.pos)
    if budget is None:
        return None
    start = budget.left
    found = _clash(cond, names, budget)
    work.charge(start - budget.left)
    return found


def clash_message(texts: list[str] | None) -> str | None:
    if texts is None:
        return None
    texts = list(dict.fromkeys(texts))
    if len(texts) == 1:
        return f"{texts[0]} can never hold"
    return f"{' and '.join(texts)} exclude each other"
