"""Email addresses: NFKC normalisation, hidden characters refused, free-mail after normalising."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leadflow as lf
from leadflow.emails import freemail_domains, hidden_character, is_freemail_domain

FREEMAIL = sorted(d for d in freemail_domains() if d.isascii())[:40]


def lead(email: str) -> lf.Lead:
    return lf.validate_lead({"id": "L-1", "company": "ACME", "email": email})


@pytest.mark.parametrize(
    ("email", "named"),
    [
        ("x@gmail.com\u200b", "U+200B ZERO WIDTH SPACE"),
        ("x@gmail.com\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("x@gmail.com\x00", "U+0000"),
        ("x@gm\u00adail.com", "U+00AD SOFT HYPHEN"),
        ("x\u2060@gmail.com", "U+2060 WORD JOINER"),
        ("x@gmail.com\ufe0f", "U+FE0F VARIATION SELECTOR-16"),
        ("x@gma\u3164il.com", "U+3164 HANGUL FILLER"),
    ],
)
def test_hidden_characters_are_refused_with_their_name(email: str, named: str) -> None:
    with pytest.raises(lf.LeadValidationError) as info:
        lead(email)
    (problem,) = info.value.problems
    assert problem.field == "email"
    assert problem.message.startswith(f"contains {named} (")
    assert "refused, not removed" in problem.message


@pytest.mark.parametrize("email", ["x@ｇｍａｉｌ.com", "x@gmail．com", "ｘ＠ＧＭＡＩＬ．ＣＯＭ"])
def test_fullwidth_addresses_normalise_to_the_freemail_domain(email: str) -> None:
    got = lead(email)
    assert got.email == "x@gmail.com"
    assert got.is_freemail
    assert not got.is_business_email


def test_check_handoff_on_raw_data_normalises_and_warns() -> None:
    report = lf.check_handoff({"id": "L-1", "email": "x@ｇｍａｉｌ.com"})
    assert report.warnings == (
        "email is a free-mail address (gmail.com); a business address is required",
    )
    assert "email" in report.missing
    report = lf.check_handoff({"id": "L-1", "email": "x@gmail.com\u200b"})
    assert (
        report.warnings[0]
        == "email contains U+200B ZERO WIDTH SPACE (an invisible format character) at position 12"
    )


# U+0020 is visible: an address with a plain space fails the address check instead (see below)
REFUSED = st.characters(
    categories=["Cc", "Cf", "Co", "Zs", "Zl", "Zp"], exclude_characters=" "
) | st.sampled_from("\u034f\u115f\u3164\u2800\ufe00\U000e0100")
locals_ = st.text("abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=20).filter(
    lambda s: not s.startswith(".")
)


@given(st.sampled_from(FREEMAIL), locals_, REFUSED, st.integers(0, 60))
def test_a_hidden_character_anywhere_is_refused(
    domain: str, local: str, char: str, where: int
) -> None:
    address = f"{local}@{domain}"
    where %= len(address) + 1
    smuggled = address[:where] + char + address[where:]
    if smuggled.strip() != smuggled:  # surrounding whitespace is stripped, as for every field
        return
    with pytest.raises(lf.LeadValidationError) as info:
        lead(smuggled)
    assert info.value.problems[0].field == "email"
    assert info.value.problems[0].message.startswith(f"contains U+{ord(char):04X}")


def fullwidth(text: str, mask: list[bool]) -> str:
    return (
        "".join(
            chr(ord(c) + 0xFEE0) if flip and "!" <= c <= "~" else c
            for c, flip in zip(text, mask, strict=False)
        )
        + text[len(mask) :]
    )


@given(st.sampled_from(FREEMAIL), locals_, st.lists(st.booleans(), max_size=80))
def test_fullwidth_freemail_is_always_freemail(domain: str, local: str, mask: list[bool]) -> None:
    address = f"{local}@{domain}"
    got = lead(fullwidth(address, mask))
    assert got.email == address
    assert got.is_freemail


@given(st.text(max_size=40))
def test_an_accepted_address_is_normalised_and_holds_no_hidden_character(text: str) -> None:
    try:
        got = lead(text)
    except lf.LeadValidationError:
        return
    assert hidden_character(got.email) is None
    assert unicodedata.normalize("NFKC", got.email) == got.email
    assert got.is_freemail == is_freemail_domain(got.email.rpartition("@")[2])


def test_a_plain_space_inside_an_address_is_refused_by_the_address_check() -> None:
    with pytest.raises(lf.LeadValidationError) as info:
        lead("x @gmail.com")
    assert info.value.problems[0].field == "email"
    assert info.value.problems[0].message == "expected an address like 'name@company.com'"


def suffix_rule(domain: str) -> bool:
    """The free-mail rule as written first: any suffix of two labels or more, after NFKC,
    lower-casing and trailing dots."""
    known = freemail_domains()
    parts = unicodedata.normalize("NFKC", domain).lower().rstrip(".").split(".")
    return any(".".join(parts[i:]) in known for i in range(len(parts) - 1))


LABELS = st.sampled_from(["", "mail", "GMX", "de", "gmail", "com", "co", "uk", "ｇｍａｉｌ", "x"])


@given(
    st.one_of(
        st.lists(st.one_of(LABELS, st.sampled_from(FREEMAIL)), max_size=5).map(".".join),
        st.text(max_size=20),
    ),
    st.sampled_from(["", ".", ".."]),
)
def test_the_freemail_check_is_the_suffix_rule(domain: str, dots: str) -> None:
    assert is_freemail_domain(domain + dots) is suffix_rule(domain + dots)
