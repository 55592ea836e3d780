"""Whether one condition implies another, and whether a condition contradicts itself.

The analysis behind :func:`leadflow.rules.reach.unreachable`. Implication is decided for
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
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from leadflow.rules import ast
from leadflow.rules.conditions import GRADES
from leadflow.rules.facts import ORDERED_LEVELS

__all__ = (
    "MAX_WORK",
    "Atom",
    "Conjunction",
    "Names",
    "atom_of",
    "clash_message",
    "conjuncts",
    "contradiction",
    "implies",
)

MAX_WORK = 256
"""Steps one comparison of two conditions may take before it gives up (answering "no")."""

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

    consts: Mapping[str, ast.ConstDef]
    lists: Mapping[str, ast.ListDef]


def _resolve(literal: ast.Literal, names: Names | None) -> ast.Literal | None:
    """The literal with a constant replaced by its value; ``None`` if it may be a constant."""
    if literal.kind != "name":
        return literal
    if names is None:
        return None
    const = names.consts.get(str(literal.value))
    return literal if const is None else const.value


def _items(literal: ast.Literal, names: Names | None) -> tuple[ast.Literal, ...] | None:
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
    literals: tuple[ast.Literal, ...], names: Names | None
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


def atom_of(cond: ast.Condition, names: Names | None) -> Atom:
    """What the analysis knows of one simple test."""
    text = cond.pos.text
    opaque = Atom("", "", "", text=text)
    if isinstance(cond, ast.ActivityTest):
        window = _INF if cond.window is None else cond.window
        return Atom(cond.kind, "activity", "", count=cond.count, window=window, text=text)
    if isinstance(cond, ast.GradeCount):
        if cond.grade not in GRADES:
            return opaque
        accepted = GRADES[: GRADES.index(cond.grade) + 1] if cond.or_better else cond.grade
        return Atom("", "grades", "", values=frozenset(accepted), count=cond.count, text=text)
    if not isinstance(cond, ast.Compare):
        return opaque
    op, name = cond.op, cond.name
    if op in {"is missing", "is set"}:
        return Atom(name, "presence", op[3:], text=text)
    literals: tuple[ast.Literal, ...] | None = cond.values
    if op in {"in", "not in"}:
        literals = _items(cond.values[0], names)
    if literals is None:
        return opaque
    found = _values(literals, names)
    if found is None:
        return opaque
    domain, values = found
    if domain == "never" and op == "in":
        return Atom(name, "never", "", text=text)
    if op in {"is", "in", "is not", "not in"} and domain != "never":
        kind = "not in" if "not" in op else "in"
        return Atom(name, domain, kind, values=frozenset(values), text=text)
    bounds = [v for v in values if isinstance(v, float)]
    if domain not in _ORDERED or len(bounds) != len(literals):
        return opaque
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
    return opaque


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
    excluded: frozenset[object] = frozenset()
    texts: list[str] = field(default_factory=list)

    def add(self, atom: Atom) -> None:
        self.texts.append(atom.text)
        if atom.op == "range":
            if _tighter_low(atom.low, self.low):
                self.low = atom.low
            if _tighter_high(atom.high, self.high):
                self.high = atom.high
        elif atom.op == "in":
            self.sets.append(atom.values)
            self.allowed = atom.values if self.allowed is None else self.allowed & atom.values
        elif atom.op == "not in":
            self.excluded |= atom.values

    def fits(self, value: object) -> bool:
        """Whether ``value`` passes every test of the group (concrete domains only)."""
        if value in self.excluded:
            return False
        if isinstance(value, float):
            return _above(value, self.low) and _below(value, self.high)
        return True

    def candidates(self) -> frozenset[object] | None:
        """The values the group allows, if it names them all."""
        if self.domain == "symbol" or self.allowed is None:
            return None
        return frozenset(v for v in self.allowed if self.fits(v))

    def empty(self) -> bool:
        allowed = self.candidates()
        if allowed is not None:
            return not allowed
        if self.domain not in _ORDERED:
            return False
        (low, strict_low), (high, strict_high) = self.low, self.high
        if low > high:
            return True
        return low == high and (strict_low or strict_high or low in self.excluded)

    def implies(self, atom: Atom) -> bool:
        """Whether the group's tests holding mean ``atom`` holds."""
        allowed = self.candidates()
        if atom.op == "range":
            if allowed is not None:
                return all(
                    isinstance(v, float) and _above(v, atom.low) and _below(v, atom.high)
                    for v in allowed
                )
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
                return not (allowed & atom.values)
            return self.domain in _ORDERED and not any(self.fits(v) for v in atom.values)
        return False  # pragma: no cover - groups hold only the three kinds above


@dataclass
class Conjunction:
    """The simple tests an ``and`` joins, grouped by name and domain."""

    groups: dict[tuple[str, str], _Group] = field(default_factory=dict)
    others: list[Atom] = field(default_factory=list)  # activities, grade counts, presence
    texts: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, atoms: list[Atom]) -> Conjunction:
        conj = cls()
        for atom in atoms:
            conj.texts.add(atom.text)
            if atom.op in {"range", "in", "not in"}:
                key = (atom.name, atom.domain)
                conj.groups.setdefault(key, _Group(atom.domain)).add(atom)
            else:
                conj.others.append(atom)
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

    def implies(self, atom: Atom) -> bool:
        if atom.text in self.texts:
            return True
        if atom.op in {"range", "in", "not in"}:
            group = self.groups.get((atom.name, atom.domain))
            return group is not None and group.implies(atom)
        if atom.domain == "presence":
            return any(a.name == atom.name and a.op == atom.op for a in self.others) or (
                atom.op == "set" and any(n == atom.name and d in _VALUED for n, d in self.groups)
            )
        if atom.domain == "activity":
            return any(
                a.domain == "activity"
                and a.name == atom.name
                and a.count >= atom.count
                and a.window <= atom.window
                for a in self.others
            )
        if atom.domain == "grades":
            return any(
                a.domain == "grades" and a.count >= atom.count and a.values <= atom.values
                for a in self.others
            )
        return False


def conjuncts(cond: ast.Condition) -> list[ast.Condition]:
    if isinstance(cond, ast.AllOf):
        return [part for item in cond.items for part in conjuncts(item)]
    return [cond]


@dataclass
class _Budget:
    left: int = MAX_WORK

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _implies(
    later: ast.Condition, earlier: ast.Condition, names: Names | None, budget: _Budget
) -> bool:
    if not budget.spend():
        return False
    if later.pos.text == earlier.pos.text:
        return True
    if isinstance(later, ast.AnyOf):
        return all(_implies(item, earlier, names, budget) for item in later.items)
    if isinstance(earlier, ast.AllOf):
        return all(_implies(later, item, names, budget) for item in earlier.items)
    if isinstance(earlier, ast.AnyOf):
        return any(_implies(later, item, names, budget) for item in earlier.items)
    parts = conjuncts(later)
    budget.left -= len(parts)
    if budget.left < 0:
        return False
    conj = Conjunction.of([atom_of(p, names) for p in parts])
    if conj.implies(atom_of(earlier, names)):
        return True
    return len(parts) > 1 and any(
        isinstance(p, ast.AnyOf) and _implies(p, earlier, names, budget) for p in parts
    )


def implies(later: ast.Condition, earlier: ast.Condition, names: Names | None = None) -> bool:
    """Whether ``earlier`` holds for every lead ``later`` holds for, as far as can be told.

    ``False`` means "not shown", never "shown not to".

    >>> from leadflow.rules.ast import Compare, Literal, Pos
    >>> def cmp(op, n):
    ...     pos = Pos("x", 1, 1, 2, f"fit {op} {n}")
    ...     return Compare("fit", op, (Literal("number", float(n), pos),), pos)
    >>> implies(cmp(">=", 40), cmp(">=", 25)), implies(cmp(">=", 25), cmp(">=", 40))
    (True, False)
    """
    return _implies(later, earlier, names, _Budget())


def _clash(cond: ast.Condition, names: Names | None, budget: _Budget) -> str | None:
    if not budget.spend():
        return None
    if isinstance(cond, ast.AnyOf):
        found: list[str] = []
        for item in cond.items:
            clash = _clash(item, names, budget)
            if clash is None:
                return None
            found.append(clash)
        return "; ".join(found)
    parts = conjuncts(cond)
    budget.left -= len(parts)
    if budget.left < 0:
        return None
    clash = clash_message(Conjunction.of([atom_of(p, names) for p in parts]).clash())
    if clash is not None:
        return clash
    for part in parts:
        if isinstance(part, ast.AnyOf) and (clash := _clash(part, names, budget)) is not None:
            return clash
    return None


def contradiction(cond: ast.Condition, names: Names | None = None) -> str | None:
    """Why ``cond`` can never hold, if the analysis finds it; ``None`` otherwise.

    Usable for any condition (MQL, knock-outs, pass rules), not only classification lines.
    """
    return _clash(cond, names, _Budget())


def clash_message(texts: list[str] | None) -> str | None:
    if texts is None:
        return None
    texts = list(dict.fromkeys(texts))
    if len(texts) == 1:
        return f"{texts[0]} can never hold"
    return f"{' and '.join(texts)} exclude each other"
