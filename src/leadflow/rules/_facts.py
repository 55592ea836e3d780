"""What a rule can read about a lead, and the per-lead facts computed once, on first use.

Rules read *facts*: lead fields (``industry``), derived facts (``seniority``, ``email_domain``),
host-declared custom fields (``lead.custom``), and activity ages. A :class:`Facts` mapping
computes each fact the first time a rule asks for it and keeps it for the other rules, so a
lead's title is classified once however many rules test its seniority.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from functools import lru_cache
from operator import attrgetter
from typing import Any, Final

from leadflow.emails import is_freemail_domain
from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead
from leadflow.titles import BuyingRole, Seniority, seniority_of

__all__ = (
    "CUSTOM_TYPES",
    "DERIVED",
    "FIELD_TYPES",
    "ORDERED_LEVELS",
    "Facts",
    "FieldType",
    "Getter",
    "activity_ages",
    "custom_getter",
    "field_reader",
    "getters_for",
    "shadowed",
)

FieldType = str
"""One of: text, number, list, time, seniority, buying_role, email, flag."""

FIELD_TYPES: Final[Mapping[str, FieldType]] = {
    "id": "text",
    "company": "text",
    "email": "email",
    "first_name": "text",
    "last_name": "text",
    "title": "text",
    "phone": "text",
    "interests": "list",
    "employees": "number",
    "industry": "text",
    "country": "text",
    "region": "text",
    "tech_stack": "list",
    "source": "text",
    "channel": "text",
    "campaign": "text",
    "created_at": "time",
    "email_domain": "text",
    "seniority": "seniority",
    "buying_role": "buying_role",
}
"""Every lead field and derived fact a rule may read, with its type."""

CUSTOM_TYPES: Final = ("text", "number", "flag")
"""Types a host (or a ``field`` line) can declare for a custom field in ``lead.custom``."""

ORDERED_LEVELS: Final[Mapping[str, tuple[str, ...]]] = {
    "seniority": tuple(s.value for s in Seniority),
    "buying_role": tuple(r.value for r in BuyingRole),
}

Getter = Callable[[Lead], Any]


DERIVED: Final[Mapping[str, str]] = {
    "seniority": "title",
    "buying_role": "title",
    "email_domain": "email",
}
"""Facts the rules derive from a lead field, with that field."""

_STANDARD: Final = frozenset(FIELD_TYPES)


def shadowed(lead: Lead) -> RuleEvaluationError | None:
    """The error for a lead whose ``custom`` holds the name of a lead field or derived fact
    (the rules would read the field, never that value), or ``None``."""
    custom = lead.custom
    if _STANDARD.isdisjoint(custom):
        return None
    name = next(k for k in custom if k in _STANDARD)
    if name in DERIVED:
        what = f"is derived from {DERIVED[name]}; set {DERIVED[name]} instead"
    else:
        what = f"is a lead field; set the field {name} instead"
    return RuleEvaluationError(
        f"lead {lead.id!r}: custom holds {name!r}, which the rules never read from custom: "
        f"{name} {what}",
        field=name,
        value=custom[name],
    )


def _plain(name: str) -> Getter:
    read = attrgetter(name)
    if FIELD_TYPES.get(name) == "list":
        return lambda lead: read(lead) or None
    if name == "source":
        return lambda lead: None if lead.source is None else lead.source.value
    return read


def _folded_text(read: Getter) -> Getter:
    """Case-folded text of a field that holds a string or nothing."""

    def get(lead: Lead) -> Any:
        value = read(lead)
        return None if value is None else value.casefold()

    return get


def _folded(read: Getter) -> Getter:
    def get(lead: Lead) -> Any:
        value = read(lead)
        if value is None:
            return None
        if isinstance(value, tuple):
            return tuple(v.casefold() for v in value)
        return str(value).casefold()

    return get


_LEVEL_VALUES: Final[Mapping[Seniority, str | None]] = {
    level: None if level is Seniority.UNKNOWN else level.value for level in Seniority
}


def _seniority(lead: Lead) -> Any:
    return _LEVEL_VALUES[seniority_of(lead.title)]


def _buying_role(lead: Lead) -> Any:
    role = lead.buying_role
    return None if role is BuyingRole.UNKNOWN else role.value


_is_freemail = lru_cache(maxsize=8192)(is_freemail_domain)


def _freemail(lead: Lead) -> bool:
    return _is_freemail(lead.email.rpartition("@")[2])  # is_freemail_domain lower-cases


def activity_ages(
    lead: Lead, now_ts: float, keys: Mapping[str, str] | None = None
) -> dict[str, list[float]]:
    """Ages in seconds per ``@kind``, youngest first; activities after ``now`` are ignored.

    With ``keys`` (kind → ``@kind``), only those kinds are read.
    """
    ages: dict[str, list[float]] = {}
    wanted = keys.get if keys is not None else lambda kind: "@" + kind
    for activity in lead.activities:
        key = wanted(activity.kind)
        if key is not None:
            age = now_ts - activity.at.timestamp()
            if age >= 0:
                if key in ages:
                    ages[key].append(age)
                else:
                    ages[key] = [age]
    for found in ages.values():
        found.sort()  # one sort per kind (linear when the activities come in order)
    return ages


def _finite(value: object) -> bool:
    """Whether ``value`` is a number the rules can compare and show: not NaN, not infinite,
    and (for an integer) within the range of floats (NaN made ``x >= 1`` and ``not x >= 1``
    both hold; a 5,000-digit integer could not be shown by ``explain()``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= sys.float_info.max


def _shown(value: object) -> str:
    """``repr(value)``, or the size of an integer too long to print."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4_000:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    return repr(value)


def custom_getter(name: str, type_: str) -> Getter:
    """Read ``lead.custom[name]`` and check it has the declared type.

    Raises:
        RuleEvaluationError: the value is not of the declared type, or a number is not finite
            (NaN, an infinity, an integer beyond the range of floats).
    """

    def get(lead: Lead) -> Any:
        value = lead.custom.get(name)
        if value is None:
            return None
        ok = (
            isinstance(value, bool)
            if type_ == "flag"
            else _finite(value)
            if type_ == "number"
            else isinstance(value, str)
        )
        if not ok:
            expected = "; expected a finite number" if type_ == "number" else ""
            raise RuleEvaluationError(
                f"lead {lead.id!r}: custom field {name!r} is declared as {type_} "
                f"but holds {_shown(value)}{expected}",
                field=name,
                value=value,
            )
        return value

    return get


def _standard_getters() -> dict[str, Getter]:
    getters: dict[str, Getter] = {name: _plain(name) for name in FIELD_TYPES}
    getters["seniority"] = _seniority
    getters["buying_role"] = _buying_role
    getters["@freemail"] = _freemail
    for name, type_ in FIELD_TYPES.items():
        if type_ in {"text", "email"}:
            getters["~" + name] = _folded_text(getters[name])
        elif type_ == "list":
            getters["~" + name] = _folded(getters[name])
    return getters


STANDARD_GETTERS: Final[Mapping[str, Getter]] = _standard_getters()


class Facts(dict[str, Any]):
    """Facts about one lead at one instant, computed on first access by key.

    Keys: a field name gives its value (``None`` when missing); ``~name`` its case-folded text;
    ``@kind`` the ages (seconds, youngest first) of that kind's activities; ``$score``,
    ``%grade``, ``?criterion`` and ``!temperature`` are filled in while a rule set evaluates.
    """

    __slots__ = ("aged", "getters", "lead", "now_ts")

    def __init__(
        self,
        lead: Lead,
        now_ts: float,
        getters: Mapping[str, Getter],
        aged: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.lead = lead
        self.now_ts = now_ts
        self.getters = getters
        self.aged = aged
        """Kind -> ``@kind`` of the only kinds whose ages are read (``None``: every kind)."""

    def __missing__(self, key: str) -> Any:
        getter = self.getters.get(key)
        if getter is not None:
            value = getter(self.lead)
        elif key[:1] == "@":
            if "@@" in self:
                self[key] = ()
                return ()
            self["@@"] = True
            self.update(activity_ages(self.lead, self.now_ts, self.aged))
            return self.get(key, ())
        else:
            value = None
        self[key] = value
        return value


def field_reader(getters: tuple[Getter, ...]) -> Callable[[Lead], list[Any]]:
    """Read the fields of a lead into a new list, the calls written out for a few fields."""
    if len(getters) == 1:
        (g1,) = getters
        return lambda lead: [g1(lead)]
    if len(getters) == 2:
        g1, g2 = getters
        return lambda lead: [g1(lead), g2(lead)]
    if len(getters) == 3:
        g1, g2, g3 = getters
        return lambda lead: [g1(lead), g2(lead), g3(lead)]
    if len(getters) == 4:
        g1, g2, g3, g4 = getters
        return lambda lead: [g1(lead), g2(lead), g3(lead), g4(lead)]
    if len(getters) == 5:
        g1, g2, g3, g4, g5 = getters
        return lambda lead: [g1(lead), g2(lead), g3(lead), g4(lead), g5(lead)]
    if len(getters) == 6:
        g1, g2, g3, g4, g5, g6 = getters
        return lambda lead: [g1(lead), g2(lead), g3(lead), g4(lead), g5(lead), g6(lead)]
    return lambda lead: [get(lead) for get in getters]


def getters_for(custom: Mapping[str, str]) -> dict[str, Getter]:
    """Getters for the standard facts plus ``custom`` fields (name → type)."""
    getters = dict(STANDARD_GETTERS)
    for name, type_ in custom.items():
        getters[name] = custom_getter(name, type_)
        if type_ == "text":
            getters["~" + name] = _folded_text(getters[name])
    return getters
