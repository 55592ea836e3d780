"""Names in a rule file: the words that are not names, and the declarations of a file's names.

:func:`declare` registers the file's fields, activity kinds, lists, constants, scores and grades
with the :class:`~leadflow.rules._check.scope.Check`, reporting every name given twice, taken
from a lead field or activity kind, or one of the :data:`RESERVED` words.
"""

from __future__ import annotations

from collections.abc import Mapping

from leadflow.rules._check.scope import Check
from leadflow.rules._facts import CUSTOM_TYPES, FIELD_TYPES
from leadflow.rules._syntax import nodes

__all__ = (
    "RESERVED",
    "RESERVED_FOR_CONSTANTS",
    "criterion_clash",
    "declare",
    "name_pos",
)

RESERVED = frozenset(
    {"and", "or", "not", "is", "in", "at", "each", "yes", "no", "positive", "temperature"}
)
"""Words no list, constant, field, activity, score, grade or criterion may be named: the words
that join or negate conditions, ``at`` and ``each`` (which start phrases after a name), yes/no,
``positive`` (the count of positive criteria in a pass rule) and ``temperature``."""

RESERVED_FOR_CONSTANTS = frozenset({"freemail", "business", "hot", "warm", "cold"})
"""Values conditions compare with (``email is freemail``, ``temperature is hot``), which a
constant of that name would replace: no constant is named so."""


def name_pos(pos: nodes.Pos, name: str) -> nodes.Pos:
    """Where ``name`` is in the statement at ``pos`` (after its keyword), for a caret under it."""
    at = pos.text.find(name, pos.text.find(" ") + 1) if " " in pos.text else -1
    if at < 0:
        return pos
    column = pos.column + at
    return nodes.Pos(pos.source, pos.line, column, column + len(name), name)


def declare(
    statements: tuple[nodes.Statement, ...], check: Check, custom: Mapping[str, str]
) -> None:
    """Register the names ``statements`` declare (``custom``: the host's fields and types)."""
    names = _Names(check, custom)
    for s in statements:
        if isinstance(s, nodes.FieldDecl):
            names.field(s)
        elif isinstance(s, nodes.ActivityDecl):
            names.activities(s)
    for name, type_ in custom.items():
        check.field_types.setdefault(name, type_)
    for s in statements:
        if isinstance(s, nodes.ListDef) and names.claim(s.name, s.pos, "list"):
            names.named_list(s)
        elif isinstance(s, nodes.ConstDef) and names.claim(s.name, s.pos, "constant"):
            check.consts[s.name] = s
        elif isinstance(s, nodes.ScoreBlock | nodes.ScoreFormula) and names.claim(
            s.name, s.pos, "score"
        ):
            check.scores.add(s.name)
        elif isinstance(s, nodes.GradeBlock) and names.claim(s.name, s.pos, "grade"):
            check.grades.add(s.name)


class _Names:
    """The names declared so far, and where."""

    def __init__(self, check: Check, custom: Mapping[str, str]) -> None:
        self.check = check
        self.custom = custom
        self.seen: dict[str, nodes.Pos] = {}

    def claim(self, name: str, pos: nodes.Pos, what: str) -> bool:
        """Whether ``name`` may be declared as a ``what`` here; else report why not."""
        check, seen = self.check, self.seen
        at = name_pos(pos, name)
        if name in RESERVED or (what == "constant" and name in RESERVED_FOR_CONSTANTS):
            check.error(at, f"'{name}' is a word of the rule language; choose another {what} name")
            seen.setdefault(name, pos)
            return True  # reported once here; the rules using the name are not errors too
        if name in FIELD_TYPES or name in check.kinds:
            check.error(at, f"'{name}' is already a lead field or activity; choose another name")
            return False
        if name in seen:
            first = seen[name]
            check.error(pos, f"{what} '{name}' is already defined at {first.source}:{first.line}")
            return False
        seen[name] = pos
        return True

    def field(self, s: nodes.FieldDecl) -> None:
        check, custom = self.check, self.custom
        if s.type not in CUSTOM_TYPES:
            check.error(
                s.pos,
                f"unknown field type '{s.type}'; expected text, number or flag"
                f"{check.suggest(s.type, CUSTOM_TYPES)}",
            )
        elif s.name in custom and custom[s.name] != s.type:
            check.error(
                s.pos,
                f"field '{s.name}' is declared by the host application as "
                f"{custom[s.name]}, not {s.type}",
            )
        elif self.claim(s.name, s.pos, "field"):
            check.field_types[s.name] = s.type

    def activities(self, s: nodes.ActivityDecl) -> None:
        for kind in s.kinds:
            if kind in RESERVED or kind in FIELD_TYPES or kind in self.custom:
                what = "a word of the rule language" if kind in RESERVED else "a lead field"
                self.check.error(
                    name_pos(s.pos, kind), f"'{kind}' is {what}; choose another activity name"
                )
            else:
                self.check.kinds.add(kind)

    def named_list(self, s: nodes.ListDef) -> None:
        self.check.lists[s.name] = s
        kinds = {i.kind for i in s.items}
        if len(kinds) > 1:
            self.check.error(
                s.pos,
                f"list '{s.name}' mixes {' and '.join(sorted(kinds))}; "
                "a list holds one kind of value",
            )


def criterion_clash(name: str, check: Check) -> str | None:
    """What else ``name`` already is, if a criterion of that name would hide it."""
    if name in RESERVED:
        return "a word of the rule language"
    if name in check.field_types or name in check.kinds:
        return "a lead field or activity"
    for what, names in (
        ("a score", check.scores),
        ("a grade", check.grades),
        ("a list", check.lists),
        ("a constant", check.consts),
    ):
        if name in names:
            return what
    return None
