"""Finding classification lines that can never match because an earlier line always wins.

A later line is unreachable when it follows ``otherwise``, repeats an earlier condition, or its
condition implies an earlier one: ``warm when fit >= 40`` after ``hot when fit >= 25`` can never
match. Implication is decided for ``and``-joined comparisons with numbers (and ``between``);
anything else is compared as written, so the check never reports a line that could match.
"""

from __future__ import annotations

from collections.abc import Iterator

from leadflow.rules import ast

__all__ = ("unreachable",)

Atom = tuple[str, str, object]  # (name, op, bound) or (name, "=", text as written)


def _atoms(cond: ast.Condition) -> list[Atom] | None:
    items = cond.items if isinstance(cond, ast.AllOf) else (cond,)
    atoms: list[Atom] = []
    for item in items:
        if isinstance(item, ast.Compare) and all(v.kind == "number" for v in item.values):
            if item.op in {"<", "<=", ">", ">="}:
                atoms.append((item.name, item.op, item.values[0].value))
                continue
            if item.op == "between":
                atoms.append((item.name, ">=", item.values[0].value))
                atoms.append((item.name, "<=", item.values[1].value))
                continue
        atoms.append(("", "=", item.pos.text))
    return atoms


def _implies(a: Atom, b: Atom) -> bool:
    """Whether atom ``a`` holding means atom ``b`` holds."""
    if a[1] == "=" or b[1] == "=":
        return a == b
    if a[0] != b[0]:
        return False
    (_, op_a, x), (_, op_b, y) = a, b
    assert isinstance(x, float)  # noqa: S101 - numbers by construction
    assert isinstance(y, float)  # noqa: S101
    if op_a in {">", ">="} and op_b in {">", ">="}:
        return x > y or (x == y and (op_b == ">=" or op_a == ">"))
    if op_a in {"<", "<="} and op_b in {"<", "<="}:
        return x < y or (x == y and (op_b == "<=" or op_a == "<"))
    return False


MAX_COMPARED = 50
"""Each line is compared with at most this many earlier lines, so the check stays linear."""


def unreachable(branches: tuple[ast.Branch, ...]) -> Iterator[tuple[ast.Branch, str]]:
    """Yield each branch that an earlier branch always catches first, with the reason."""
    catch_all = next((b for b in branches if b.condition is None), None)
    for i, later in enumerate(branches):
        if catch_all is not None and i > branches.index(catch_all):
            where = f"line {catch_all.pos.line}"
            yield later, f"'{catch_all.label} otherwise' on {where} already catches every lead"
            continue
        for earlier in branches[max(0, i - MAX_COMPARED) : i]:
            where = f"line {earlier.pos.line}"
            if earlier.condition is None:
                yield later, f"'{earlier.label} otherwise' on {where} already catches every lead"
                break
            if later.condition is None:
                continue
            mine, theirs = _atoms(later.condition), _atoms(earlier.condition)
            if mine is None or theirs is None:  # pragma: no cover - _atoms always answers
                continue
            if all(any(_implies(a, b) for a in mine) for b in theirs):
                yield later, f"every lead it matches is already matched on {where}"
                break
