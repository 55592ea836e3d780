"""Seniority and buying-center role derived from a job title (English and German).

The classification is a keyword match on the normalised title, most specific phrase first, so
``"Vice President Sales"`` is ``vp`` (not ``c_level`` for "president") and ``"Managing Director"``
is ``c_level`` (the English title of a German Geschäftsführer), not ``director``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

__all__ = ("BuyingRole", "Seniority", "buying_role_of", "seniority_of")


class Seniority(StrEnum):
    """How senior a job title is, lowest first; compare with :meth:`rank`."""

    UNKNOWN = "unknown"
    STUDENT = "student"
    INDIVIDUAL = "individual"
    MANAGER = "manager"
    DIRECTOR = "director"
    VP = "vp"
    C_LEVEL = "c_level"

    @property
    def rank(self) -> int:
        """Position in the order unknown < student < individual < manager < director < vp < c_level."""
        return _RANK[self]

    def at_least(self, other: Seniority) -> bool:
        """Whether this seniority is ``other`` or higher; ``unknown`` is never at least anything.

        >>> Seniority.VP.at_least(Seniority.DIRECTOR)
        True
        >>> Seniority.UNKNOWN.at_least(Seniority.STUDENT)
        False
        """
        return self is not Seniority.UNKNOWN and self.rank >= other.rank


_RANK = {s: i for i, s in enumerate(Seniority)}


class BuyingRole(StrEnum):
    """Role of a person in the buying center."""

    UNKNOWN = "unknown"
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    USER = "user"


# Phrases are matched on word boundaries after normalisation (lower case, umlauts folded to
# ae/oe/ue, ß to ss, separators to spaces). Order matters: the first level with a hit wins.
_PHRASES: tuple[tuple[Seniority, tuple[str, ...]], ...] = (
    (
        Seniority.STUDENT,
        (
            "werkstudent",
            "werkstudentin",
            "working student",
            "student",
            "studentin",
            "praktikant",
            "praktikantin",
            "praktikum",
            "intern",
            "internship",
            "trainee",
            "azubi",
            "auszubildender",
            "auszubildende",
            "apprentice",
            "thesis",
            "abschlussarbeit",
            "bachelorand",
            "bachelorandin",
            "masterand",
            "masterandin",
            "doktorand",
            "doktorandin",
        ),
    ),
    (
        Seniority.INDIVIDUAL,
        # Titles that contain a senior-sounding word but are individual-contributor roles.
        ("product owner", "account manager", "key account manager", "project manager assistant"),
    ),
    (
        Seniority.VP,
        (
            "vp",
            "svp",
            "evp",
            "avp",
            "vice president",
            "vizepraesident",
            "vizepraesidentin",
            "bereichsleiter",
            "bereichsleiterin",
            "hauptabteilungsleiter",
            "hauptabteilungsleiterin",
            "divisional director",
            "division director",
        ),
    ),
    (
        Seniority.C_LEVEL,
        (
            "ceo",
            "cto",
            "cfo",
            "coo",
            "cio",
            "cmo",
            "cro",
            "cso",
            "cdo",
            "cpo",
            "ciso",
            "chro",
            "chief",
            "president",
            "praesident",
            "praesidentin",
            "geschaeftsfuehrer",
            "geschaeftsfuehrerin",
            "geschaeftsfuehrender",
            "geschaeftsfuehrende",
            "gf",
            "managing director",
            "managing partner",
            "general manager",
            "vorstand",
            "vorstaendin",
            "vorstandsvorsitzender",
            "vorstandsvorsitzende",
            "owner",
            "co owner",
            "inhaber",
            "inhaberin",
            "founder",
            "co founder",
            "cofounder",
            "gruender",
            "gruenderin",
            "mitgruender",
            "mitgruenderin",
            "prokurist",
            "prokuristin",
        ),
    ),
    (
        Seniority.DIRECTOR,
        ("director", "direktor", "direktorin", "werksleiter", "werksleiterin"),
    ),
    (
        Seniority.MANAGER,
        (
            "manager",
            "managerin",
            "head",
            "leiter",
            "leiterin",
            "leitung",
            "abteilungsleiter",
            "abteilungsleiterin",
            "teamleiter",
            "teamleiterin",
            "gruppenleiter",
            "gruppenleiterin",
            "team lead",
            "teamlead",
            "supervisor",
            "meister",
        ),
    ),
)

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_MATCHERS = tuple(
    (level, re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b"))
    for level, phrases in _PHRASES
)


def _normalise(title: str) -> str:
    return " " + _SEPARATORS.sub(" ", title.lower().translate(_FOLD)).strip() + " "


@lru_cache(maxsize=4096)
def seniority_of(title: str | None) -> Seniority:
    """Classify a job title (English or German) by seniority.

    A missing or blank title is ``unknown``; a title with no senior keyword is ``individual``.

    >>> seniority_of("Geschäftsführer")
    <Seniority.C_LEVEL: 'c_level'>
    >>> seniority_of("VP Sales"), seniority_of("Head of IT"), seniority_of("Leiter Einkauf")
    (<Seniority.VP: 'vp'>, <Seniority.MANAGER: 'manager'>, <Seniority.MANAGER: 'manager'>)
    >>> seniority_of("Werkstudent Marketing"), seniority_of("Software Engineer")
    (<Seniority.STUDENT: 'student'>, <Seniority.INDIVIDUAL: 'individual'>)
    """
    if title is None or not title.strip():
        return Seniority.UNKNOWN
    text = _normalise(title)
    for level, matcher in _MATCHERS:
        if matcher.search(text):
            return level
    return Seniority.INDIVIDUAL


_ROLE_OF = {
    Seniority.UNKNOWN: BuyingRole.UNKNOWN,
    Seniority.STUDENT: BuyingRole.USER,
    Seniority.INDIVIDUAL: BuyingRole.USER,
    Seniority.MANAGER: BuyingRole.INFLUENCER,
    Seniority.DIRECTOR: BuyingRole.DECISION_MAKER,
    Seniority.VP: BuyingRole.DECISION_MAKER,
    Seniority.C_LEVEL: BuyingRole.DECISION_MAKER,
}


def buying_role_of(title: str | None) -> BuyingRole:
    """Buying-center role implied by a title: director and above decide, managers influence.

    >>> buying_role_of("IT-Direktor"), buying_role_of("Head of IT"), buying_role_of("Buyer")
    (<BuyingRole.DECISION_MAKER: 'decision_maker'>, <BuyingRole.INFLUENCER: 'influencer'>, <BuyingRole.USER: 'user'>)
    """
    return _ROLE_OF[seniority_of(title)]
