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


@given(st.text())
def test_any_text_classifies_without_error(title: str) -> None:
    assert seniority_of(title) in set(Seniority)
    assert (seniority_of(title) is Seniority.UNKNOWN) == (not title.strip())
