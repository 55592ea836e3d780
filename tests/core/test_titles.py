"""Seniority and buying-center role from English and German job titles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadflow import BuyingRole, Seniority
from leadflow.titles import buying_role_of, seniority_of


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", Seniority.C_LEVEL),
        ("Chief Revenue Officer", Seniority.C_LEVEL),
        ("Geschäftsführer", Seniority.C_LEVEL),
        ("Geschaeftsfuehrerin", Seniority.C_LEVEL),
        ("Managing Director", Seniority.C_LEVEL),
        ("Inhaber", Seniority.C_LEVEL),
        ("Co-Founder & CTO", Seniority.C_LEVEL),
        ("Vorstand Finanzen", Seniority.C_LEVEL),
        ("VP Sales", Seniority.VP),
        ("Vice President Engineering", Seniority.VP),
        ("SVP, Operations", Seniority.VP),
        ("Bereichsleiter Vertrieb", Seniority.VP),
        ("Director Supply Chain", Seniority.DIRECTOR),
        ("Sales Director DACH", Seniority.DIRECTOR),
        ("IT-Direktorin", Seniority.DIRECTOR),
        ("Head of IT", Seniority.MANAGER),
        ("Leiter Einkauf", Seniority.MANAGER),
        ("Abteilungsleiterin Personal", Seniority.MANAGER),
        ("Teamleiter Support", Seniority.MANAGER),
        ("Marketing Manager", Seniority.MANAGER),
        ("Werkstudent", Seniority.STUDENT),
        ("Working Student Marketing", Seniority.STUDENT),
        ("Praktikantin Vertrieb", Seniority.STUDENT),
        ("Marketing Intern", Seniority.STUDENT),
        ("Software Engineer", Seniority.INDIVIDUAL),
        ("Sachbearbeiter Einkauf", Seniority.INDIVIDUAL),
        ("Product Owner", Seniority.INDIVIDUAL),
        ("Key Account Manager", Seniority.INDIVIDUAL),
        ("Internal Sales", Seniority.INDIVIDUAL),
        ("", Seniority.UNKNOWN),
        (None, Seniority.UNKNOWN),
    ],
)
def test_seniority_of_title(title: str | None, expected: Seniority) -> None:
    assert seniority_of(title) is expected


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Geschäftsführer", BuyingRole.DECISION_MAKER),
        ("VP Sales", BuyingRole.DECISION_MAKER),
        ("Director IT", BuyingRole.DECISION_MAKER),
        ("Leiter Einkauf", BuyingRole.INFLUENCER),
        ("Head of IT", BuyingRole.INFLUENCER),
        ("Software Engineer", BuyingRole.USER),
        ("Werkstudent", BuyingRole.USER),
        (None, BuyingRole.UNKNOWN),
    ],
)
def test_buying_role_of_title(title: str | None, role: BuyingRole) -> None:
    assert buying_role_of(title) is role


def test_seniority_order() -> None:
    order = [
        Seniority.STUDENT,
        Seniority.INDIVIDUAL,
        Seniority.MANAGER,
        Seniority.DIRECTOR,
        Seniority.VP,
        Seniority.C_LEVEL,
    ]
    assert sorted(order, key=lambda s: s.rank) == order
    assert Seniority.DIRECTOR.at_least(Seniority.DIRECTOR)
    assert not Seniority.MANAGER.at_least(Seniority.DIRECTOR)
    assert not Seniority.UNKNOWN.at_least(Seniority.STUDENT)


@pytest.mark.parametrize(
    ("title", "seniority", "role"),
    [
        # Assistants and secretaries assist, whoever they assist.
        ("Assistant to the CEO", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Director's assistant", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Executive Assistant to the Managing Director", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Personal Assistant to the VP Sales", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Assistenz der Geschäftsführung", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Assistentin des Vorstands", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Vorstandsassistentin", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Teamassistenz Vertrieb", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Sekretärin", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Sekretärin der Geschäftsleitung", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Chefsekretärin", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Secretary to the Board", Seniority.INDIVIDUAL, BuyingRole.USER),
        # ... but "assistant" as a rank prefix keeps the rank.
        ("Assistant Director", Seniority.DIRECTOR, BuyingRole.DECISION_MAKER),
        ("Assistant Vice President", Seniority.VP, BuyingRole.DECISION_MAKER),
        ("Assistant Manager", Seniority.MANAGER, BuyingRole.INFLUENCER),
        # German compounds ending in -leiter, -leiterin, -leitung lead something.
        ("Vertriebsleiter", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Vertriebsleiterin", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Marketingleiter", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Einkaufsleiter", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Marketingleitung", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Leiter Vertrieb", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("IT-Leiter", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Niederlassungsleiter Süd", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Abteilungsleiter", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Bereichsleitung Vertrieb", Seniority.VP, BuyingRole.DECISION_MAKER),
        ("Werksleiterin", Seniority.DIRECTOR, BuyingRole.DECISION_MAKER),
        ("Geschäftsleitung", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Mitglied der Geschäftsleitung", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Geschäftsleiter", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Geschäftsleiterin", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        # Words that only end like one.
        ("Vertrieb Halbleiter", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Reisebegleiterin", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Monteur Rohrleitung", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Ingenieur Leistungshalbleiter", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Supraleiter-Forschung", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Lichtwellenleiter-Techniker", Seniority.INDIVIDUAL, BuyingRole.USER),
        # Boards, team leaders and German -manager compounds.
        ("Board Member", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Chairman of the Board", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Vorstandsmitglied", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Aufsichtsrat", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Team Leader", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Projektmanager", Seniority.MANAGER, BuyingRole.INFLUENCER),
        ("Produktmanagerin", Seniority.MANAGER, BuyingRole.INFLUENCER),
        # A former role says nothing about the current one.
        ("Ex-CEO", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("former CEO", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("ehemaliger Geschäftsführer", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("Geschäftsführer a.D.", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("Former CEO, now Advisor", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Founder & CEO (ex-Google)", Seniority.C_LEVEL, BuyingRole.DECISION_MAKER),
        ("Sales Director (ex-CEO)", Seniority.DIRECTOR, BuyingRole.DECISION_MAKER),
        ("Expert Sales", Seniority.INDIVIDUAL, BuyingRole.USER),
        # No keyword: an individual contributor; no title at all: unknown.
        ("Unicorn Wrangler", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("xyz", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("Hausmeister", Seniority.INDIVIDUAL, BuyingRole.USER),
        ("n/a", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("k.A.", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("-", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
        ("   ", Seniority.UNKNOWN, BuyingRole.UNKNOWN),
    ],
)
def test_title_examples(title: str, seniority: Seniority, role: BuyingRole) -> None:
    assert (seniority_of(title), buying_role_of(title)) == (seniority, role)


@given(st.text())
def test_any_text_classifies_without_error(title: str) -> None:
    assert seniority_of(title) in set(Seniority)
    assert buying_role_of(title) in set(BuyingRole)
    if not title.strip():
        assert seniority_of(title) is Seniority.UNKNOWN


_NOT_A_ROLE = {"ex", "former", "formerly", "fmr", "previously", "retired", "ehem", "na", "none"}
_NOT_A_ROLE |= {"null", "unknown", "unbekannt", "tbd", "n", "k", "a", "i"}
_NOT_A_ROLE |= {"frueher", "fruehere", "frueherer"}


@given(st.from_regex(r"[A-Za-z]{2,12}( [A-Za-z]{2,12}){0,3}", fullmatch=True))
def test_a_worded_title_is_never_unknown(title: str) -> None:
    """Only a missing title, a placeholder or a former role is ``unknown``."""
    words = title.lower().split()
    if not _NOT_A_ROLE.intersection(words) and "ehemalig" not in title.lower():
        assert seniority_of(title) is not Seniority.UNKNOWN
