"""Seniority and buying-center role derived from a job title (English and German).

The classification is a keyword match on the normalised title, most specific phrase first, so
``"Vice President Sales"`` is ``vp`` (not ``c_level`` for "president") and ``"Managing Director"``
is ``c_level`` (the English title of a German Geschäftsführer), not ``director``. Assistants and
secretaries are ``individual`` whoever they assist (``"Assistant to the CEO"``), and a German
compound ending in *-leiter*, *-leiterin* or *-leitung* ("Vertriebsleiter") leads something.

A title with no keyword is ``individual``: most contributor titles ("Software Engineer",
"Sachbearbeiter") carry no rank word, so its absence is the evidence. ``unknown`` means the
seniority is not known: no title, a placeholder ("n/a", "-"), or only a former role ("Ex-CEO").
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from leadflow.errors import ArgumentTypeError

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
# A phrase that contains a shorter one of its level ("key account manager", "co founder") or a
# compound that a pattern of its level matches ("teamleiter") is left out: it could never decide.
_PHRASES: tuple[tuple[Seniority, tuple[str, ...]], ...] = (
    (
        Seniority.STUDENT,
        (
            "werkstudent",
            "werkstudentin",
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
        (
            "product owner",
            "account manager",
            "project manager assistant",
            "executive assistant",
            "personal assistant",
        ),
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
            "bereichsleitung",
            "hauptabteilungsleiter",
            "hauptabteilungsleiterin",
            "hauptabteilungsleitung",
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
            "geschaeftsfuehrung",
            "geschaeftsleiter",
            "geschaeftsleiterin",
            "geschaeftsleitung",
            "gf",
            "managing director",
            "managing partner",
            "general manager",
            "vorstand",
            "vorstaendin",
            "vorstandsmitglied",
            "board member",
            "member of the board",
            "chairman",
            "chairwoman",
            "chairperson",
            "chair of the board",
            "aufsichtsrat",
            "aufsichtsraetin",
            "aufsichtsratsvorsitzender",
            "aufsichtsratsvorsitzende",
            "vorstandsvorsitzender",
            "vorstandsvorsitzende",
            "owner",
            "inhaber",
            "inhaberin",
            "founder",
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
        ("director", "direktor", "direktorin", "werksleiter", "werksleiterin", "werksleitung"),
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
            "team lead",
            "team leader",
            "teamlead",
            "supervisor",
            "meister",
        ),
    ),
)

# Patterns added to a level's phrases. An assistant or secretary is checked before the senior
# phrases, since the title names whom they assist ("Assistant to the CEO", "Director's assistant",
# "Vorstandsassistentin"), unless the word is a rank prefix ("Assistant Director", "Assistant Vice
# President", "Assistant Manager") or the head of an association ("Secretary General").
# A German compound ending in -leiter/-leiterin/-leitung leads something ("Vertriebsleiter"); the
# more specific compounds (Bereichs-, Werks-, Geschäfts-) are phrases of higher levels, and words
# that only end like one (Halbleiter, Leistungshalbleiter, Lichtwellenleiter, Begleiter,
# Anleitung, Rohrleitung) are excluded. A compound ending in -manager ("Projektmanager") manages.
_PATTERNS: dict[Seniority, tuple[str, ...]] = {
    Seniority.INDIVIDUAL: (
        r"assistant(?! (?:vice president|director|general manager|manager|head)\b)",
        r"[a-z]*assisten(?:t|tin|z)",
        r"(?<!general )secretary(?! general\b)",
        r"(?!general)[a-z]*sekretaer(?:in)?",
        r"[a-z]*sekretariat",
    ),
    Seniority.MANAGER: (
        r"(?!(?:ab|an|ein|um|weiter|zu|ueber)leit)"
        r"(?![a-z]*(?:halb|supra|wellen|rohr|strom|wasser|gas|fern|beg)leit)"
        r"[a-z]+(?:leiter|leiterin|leitung)",
        r"[a-z]+manager(?:in)?",
    ),
}

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_MATCHERS = tuple(
    (
        level,
        re.compile(
            r"\b(?:"
            + "|".join((*_PATTERNS.get(level, ()), *(re.escape(p) for p in phrases)))
            + r")\b"
        ),
    )
    for level, phrases in _PHRASES
)

# Titles that say there is no title.
_PLACEHOLDERS = frozenset(
    {"n a", "na", "n v", "k a", "keine angabe", "none", "null", "unknown", "unbekannt", "tbd"}
)
# A part of a title (between commas, slashes, brackets, "&", " - ") naming a past role.
_PARTS = re.compile(r"[,;|/()\[\]&+]|\s[-–—]\s")
_FORMER = re.compile(
    r"^ (?:ex|former|formerly|fmr|previously|retired|ehem|ehemalig|ehemalige|ehemaliger|"
    r"ehemaliges|frueher|fruehere|frueherer) |(?: a d| i r| retired) $"
)
_MAY_BE_FORMER = re.compile(
    r"\b(?:ex|former|formerly|fmr|previously|retired|ehem|a d|i r)\b|ehemalig|frueher"
)


def _normalise(title: str) -> str:
    return " " + _SEPARATORS.sub(" ", title.lower().translate(_FOLD)).strip() + " "


def _current(title: str) -> str:
    """The normalised title without the parts that name a former role."""
    text = _normalise(title)
    if not _MAY_BE_FORMER.search(text):
        return text
    parts = (_normalise(part) for part in _PARTS.split(title))
    return " " + " ".join(p.strip() for p in parts if p.strip() and not _FORMER.search(p)) + " "


def seniority_of(title: str | None) -> Seniority:
    """Classify a job title (English or German) by seniority.

    A title with no keyword is ``individual``. ``unknown`` (which rules read as a missing
    seniority) is kept for a title that says nothing about the current role: none, a blank or a
    placeholder ("n/a", "-"), or only a former role ("Ex-CEO", "Geschäftsführer a.D.").

    >>> seniority_of("Geschäftsführer")
    <Seniority.C_LEVEL: 'c_level'>
    >>> seniority_of("VP Sales"), seniority_of("Head of IT"), seniority_of("Leiter Einkauf")
    (<Seniority.VP: 'vp'>, <Seniority.MANAGER: 'manager'>, <Seniority.MANAGER: 'manager'>)
    >>> seniority_of("Werkstudent Marketing"), seniority_of("Software Engineer")
    (<Seniority.STUDENT: 'student'>, <Seniority.INDIVIDUAL: 'individual'>)
    >>> seniority_of("Vertriebsleiterin"), seniority_of("Assistant to the CEO")
    (<Seniority.MANAGER: 'manager'>, <Seniority.INDIVIDUAL: 'individual'>)
    >>> seniority_of("Ex-CEO"), seniority_of("n/a")
    (<Seniority.UNKNOWN: 'unknown'>, <Seniority.UNKNOWN: 'unknown'>)

    Raises:
        ArgumentTypeError: ``title`` is neither a text nor ``None`` (a ``TypeError``).
    """
    if title is None:
        return Seniority.UNKNOWN
    if type(title) is not str and not isinstance(title, str):
        raise ArgumentTypeError("title", title, "a job title text or None")
    return _seniority_of(title)


@lru_cache(maxsize=4096)
def _seniority_of(title: str) -> Seniority:
    text = _current(title)
    if text.isspace() or text.strip() in _PLACEHOLDERS:
        return Seniority.UNKNOWN
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
