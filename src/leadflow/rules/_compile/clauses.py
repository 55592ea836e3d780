"""Classification conditions kept with their parts, for the why-not explanations.

A :class:`Clause` is a condition node of :mod:`leadflow.rules._syntax.nodes` with the test it
compiled to, its parts (for ``and``, ``or`` and ``not``) and, for a comparison, the fact it reads
and the values it compares with (constants and lists looked up). Only the conditions of
classification statements (grades, knock-outs, temperature, MQL, pass rules) are kept; the
engine never reads them: :mod:`leadflow.rules._engine.whynot` does, on demand.

Every condition form is handled in :func:`clause` by one ``match`` ending in ``assert_never``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

from leadflow.rules._compile.predicates import Test, never
from leadflow.rules._syntax import nodes

__all__ = ("Clause", "Reads", "clause")

Reads = tuple[str, str, tuple[Any, ...]]
"""A comparison's fact key (``$fit``, ``~industry``), the type of the fact, and its values."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One condition node with its compiled test, its parts and what it reads."""

    node: nodes.Condition
    test: Test
    parts: tuple[Clause, ...] = ()
    key: str = ""
    type_: str = ""
    values: tuple[Any, ...] = ()

    @property
    def text(self) -> str:
        """The condition as written."""
        return " ".join(self.node.pos.text.split())


def clause(cond: nodes.Condition, tests: dict[int, Test], reads: dict[int, Reads]) -> Clause:
    """``cond`` with the tests its nodes compiled to (``tests``, by node id) and what its
    comparisons read (``reads``, by node id); a node not compiled (an error) never matches."""
    test = tests.get(id(cond), never)
    match cond:
        case nodes.AllOf() | nodes.AnyOf():
            return Clause(cond, test, tuple(clause(c, tests, reads) for c in cond.items))
        case nodes.Negation():
            return Clause(cond, test, (clause(cond.item, tests, reads),))
        case nodes.Compare():
            key, type_, values = reads.get(id(cond), ("", "", ()))
            return Clause(cond, test, (), key, type_, values)
        case nodes.ActivityTest() | nodes.GradeCount() | nodes.KnockedOut():
            return Clause(cond, test)
        case _:
            assert_never(cond)
