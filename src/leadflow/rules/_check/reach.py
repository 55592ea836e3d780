"""Finding classification lines that can never match.

A line can never match when it follows ``otherwise``, when it contradicts itself
(``employees > 500 and employees < 100``, ``employees between 500 and 50``), or when every lead
it matches is matched by an earlier line first: its condition implies the earlier one (see
:mod:`leadflow.rules._check.implication` for what the analysis understands). It never reports a line
that could match.

The check takes time linear in the size of the rule file. Each line is analysed once, then
compared with at most :data:`MAX_COMPARED` earlier lines, each comparison giving up (answering
"no") after :data:`MAX_WORK` units of work. A line of more than :data:`MAX_PARTS` simple tests is
opaque: it is taken to repeat an earlier line only when its text is the same, and no line is
taken to repeat it unless written the same. A test of a list of more than :data:`MAX_ITEMS`
items, written out or named, is known only by its text; the rest of its line is still analysed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import assert_never

from leadflow.rules._check.implication import (
    FILE_WORK,
    MAX_ITEMS,
    MAX_WORK,
    Atom,
    Conjunction,
    Names,
    WorkBudget,
    atom_of,
    clash_message,
    conjuncts,
    contradiction,
    implies,
)
from leadflow.rules._syntax import nodes

__all__ = (
    "FILE_WORK",
    "MAX_COMPARED",
    "MAX_ITEMS",
    "MAX_PARTS",
    "MAX_WORK",
    "Names",
    "WorkBudget",
    "contradiction",
    "implies",
    "unreachable",
)

MAX_COMPARED = 50
"""Each line is compared with at most this many earlier lines, so the check stays linear."""

MAX_PARTS = 32
"""A line of more than this many simple tests is compared with others only by its text."""


def unreachable(
    branches: tuple[nodes.Branch, ...],
    *,
    consts: Mapping[str, nodes.ConstDef] | None = None,
    lists: Mapping[str, nodes.ListDef] | None = None,
    work: WorkBudget | None = None,
) -> Iterator[tuple[nodes.Branch, str]]:
    """Yield each branch that can never match, with the reason.

    Args:
        branches: the lines of one temperature or grade block, in order.
        consts: the rule set's constants; without them a name is never taken to differ from
            another name, nor to be a seniority level.
        lists: the rule set's named lists; without them ``in a_list`` is compared as written.
        work: the rule set's budget (:data:`FILE_WORK` units for all its checks), charged with
            the work done; once it is spent, lines are no longer compared (its ``stopped_at``
            says from where).

    Work is linear in the size of the branches: each is analysed once (a list of more than
    :data:`MAX_ITEMS` items only by its text), then compared with at most :data:`MAX_COMPARED`
    earlier ones, in at most :data:`MAX_WORK` units of work each. A branch of more than
    :data:`MAX_PARTS` simple tests is compared only by its text.
    """
    names = None if consts is None else Names(consts, lists or {})
    work = WorkBudget() if work is None else work
    lines: list[_Line | None] = []
    catch_all: nodes.Branch | None = None
    for i, later in enumerate(branches):
        if catch_all is not None:
            where = f"line {catch_all.pos.line}"
            yield later, f"'{catch_all.label} otherwise' on {where} already catches every lead"
            continue
        if later.condition is None:
            catch_all = later
            continue
        if work.take(later.pos) is None:
            lines.append(None)
            continue
        line = _Line.of(later.condition, names)
        work.charge(_tests(later.condition))
        reason = line.contradiction(names, work)
        lines.append(None if reason is not None else line)
        if reason is not None:
            yield later, reason
            continue
        for j in range(max(0, i - MAX_COMPARED), i):
            earlier = lines[j]
            if earlier is not None and line.implies(earlier, names, work):
                yield (
                    later,
                    f"every lead it matches is already matched on line {branches[j].pos.line}",
                )
                break


@dataclass(frozen=True, slots=True)
class _Line:
    """A classification line prepared once for its comparisons with the lines around it."""

    condition: nodes.Condition
    atoms: tuple[Atom, ...] | None  # its tests, when it is only an "and" of simple ones
    conjunction: Conjunction | None
    opaque: bool = False  # more than MAX_PARTS simple tests: compared only by its text

    @classmethod
    def of(cls, cond: nodes.Condition, names: Names | None) -> _Line:
        if _tests(cond) > MAX_PARTS:
            return cls(cond, None, None, opaque=True)
        parts = conjuncts(cond)
        if any(isinstance(p, nodes.AnyOf) for p in parts):
            return cls(cond, None, None)
        atoms = tuple(atom_of(p, names) for p in parts)
        return cls(cond, atoms, Conjunction.of(list(atoms)))

    def contradiction(self, names: Names | None, work: WorkBudget) -> str | None:
        if self.conjunction is None:
            return contradiction(self.condition, names, work)
        return clash_message(self.conjunction.clash())

    def implies(self, earlier: _Line, names: Names | None, budget: WorkBudget) -> bool:
        if self.condition.pos.text == earlier.condition.pos.text:
            return True
        if self.opaque or earlier.opaque:
            return False
        if self.conjunction is None or earlier.atoms is None:
            return implies(self.condition, earlier.condition, names, budget)
        if budget.take(self.condition.pos) is None:
            return False
        start = work = min(MAX_WORK, budget.left)
        try:
            for atom in earlier.atoms:
                work -= self.conjunction.cost(atom)
                if work < 0 or not self.conjunction.implies(atom):
                    return False
            return True
        finally:
            budget.charge(start - work)


def _tests(cond: nodes.Condition) -> int:
    """How many simple tests ``cond`` joins with ``and`` and ``or``."""
    match cond:
        case nodes.AllOf() | nodes.AnyOf():
            return sum(_tests(item) for item in cond.items)
        case (
            nodes.Negation()
            | nodes.Compare()
            | nodes.ActivityTest()
            | nodes.GradeCount()
            | nodes.KnockedOut()
        ):
            return 1
        case _:
            assert_never(cond)
