"""Routing as a pure function: the rules pick an owner or a team, round robin within a cap."""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from leadflow.agreement.model import Condition, RouteRule
from leadflow.agreement.reaction import Notify
from leadflow.agreement.state import Routing
from leadflow.lead import Lead

if TYPE_CHECKING:
    from leadflow.agreement.engine import Agreement
    from leadflow.rules import Evaluation

__all__ = ("assign", "holds", "release", "rule_line")


def _fact(name: str, lead: Lead, evaluation: Evaluation | None) -> Any:
    if name == "temperature":
        return None if evaluation is None else evaluation.temperature
    if evaluation is not None and name in evaluation.scores:
        return evaluation.scores[name]
    value = getattr(lead, name, None)
    return value.value if isinstance(value, Enum) else value


def holds(condition: Condition, lead: Lead, evaluation: Evaluation | None) -> bool:
    """Whether ``condition`` holds for ``lead`` (a missing field never matches)."""
    kind = condition[0]
    if kind == "and":
        return all(holds(c, lead, evaluation) for c in condition[1:])
    if kind == "or":
        return any(holds(c, lead, evaluation) for c in condition[1:])
    value = _fact(condition[1], lead, evaluation)
    if value is None:
        return kind in ("is_not", "not_in")
    if kind == "cmp":
        if not isinstance(value, int | float):
            return False
        op, number = condition[2], condition[3]
        result: bool = {
            ">=": value >= number,
            "<=": value <= number,
            ">": value > number,
            "<": value < number,
            "=": value == number,
        }[op]
        return result
    text = str(value).casefold() if isinstance(value, str) else value
    if kind in ("is", "is_not"):
        want = condition[2]
        same = text == (want.casefold() if isinstance(want, str) else want)
        return same if kind == "is" else not same
    among = {v.casefold() for v in condition[2]}
    inside = isinstance(text, str) and text in among
    return inside if kind == "in" else not inside


def rule_line(rule: RouteRule) -> str:
    """How an assignment names the routing line that chose the owner."""
    return f"{rule.where} ({rule.owner} {'otherwise' if rule.condition is None else 'when ' + rule.text})"


def _with(routing: Routing, owner: str, delta: int, turns: dict[str, int] | None = None) -> Routing:
    counts = dict(routing.open)
    counts[owner] = max(0, counts.get(owner, 0) + delta)
    return Routing(
        MappingProxyType(counts),
        MappingProxyType(turns if turns is not None else dict(routing.turns)),
        routing.version + 1,
    )


def release(routing: Routing, owner: str) -> Routing:
    """``routing`` with one open lead of ``owner`` given back."""
    return _with(routing, owner, -1)


def assign(
    agreement: Agreement, lead: Lead, evaluation: Evaluation | None, routing: Routing
) -> tuple[str, str | None, str, bool, Routing, list[Notify]]:
    """The owner for ``lead``: (owner, team, rule line, overflow?, new routing, notifications).

    The first rule whose condition holds wins; a team hands out turns round robin, skipping
    members at the cap; when all are at the cap the team's overflow owner takes the lead and
    the team lead is told. Never over the cap, never silently.
    """
    rules = agreement.route_rules
    index = len(rules) - 1
    for i, rule in enumerate(rules):
        if rule.condition is None or holds(rule.condition, lead, evaluation):
            index = i
            break
    chosen, line = rules[index], agreement.route_lines[index]
    if not chosen.team:
        return chosen.owner, None, line, False, _with(routing, chosen.owner, 1), []
    team = agreement.teams[chosen.owner]
    size = len(team.members)
    start = routing.turns.get(team.name, 0) % size
    for offset in range(size):
        index = (start + offset) % size
        member = team.members[index]
        if team.cap is None or routing.load(member) < team.cap:
            turns = {**routing.turns, team.name: (index + 1) % size}
            return member, team.name, line, False, _with(routing, member, 1, turns), []
    overflow = team.overflow or team.members[start]
    note = (
        f"team {team.name} is at its cap ({team.cap} open each): "
        f"lead {lead.id} goes to the overflow owner {overflow}"
    )
    notes = [Notify(team.lead or "sales_manager", note)]
    if team.lead is None:
        notes.append(Notify(overflow, note))
    return overflow, team.name, line, True, _with(routing, overflow, 1), notes
