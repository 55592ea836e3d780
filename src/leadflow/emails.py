"""Business versus free-mail addresses, from the shipped list ``data/freemail_domains.txt``.

Addresses are compared after Unicode NFKC normalisation, so fullwidth ``ｇｍａｉｌ.com`` is
``gmail.com``. Characters that change an address without showing in it (control, format and
other invisible characters such as U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT OVERRIDE, NUL,
the soft hyphen) are never removed silently: :func:`hidden_character` finds them and
:func:`leadflow.validate_lead` refuses an address holding one. Every function here raises
:class:`~leadflow.errors.ArgumentTypeError` (a ``TypeError``) for an argument that is not a text.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files
from typing import Any, Final

from leadflow.errors import ArgumentTypeError

__all__ = (
    "email_domain",
    "freemail_domains",
    "hidden_character",
    "is_freemail_domain",
    "normalize_email",
)

_REFUSED: Final = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Cs": "a surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Zs": "a space",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
"""Unicode general categories an address may not contain, and what to call them."""

_INVISIBLE: Final = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0"
    + "".join(map(chr, range(0x180B, 0x1810)))  # Mongolian variation selectors, vowel separator
    + "".join(map(chr, range(0xFE00, 0xFE10)))  # variation selectors
    + "".join(map(chr, range(0xE0100, 0xE01F0)))  # variation selectors supplement
)
"""Characters of visible categories (letters, marks) that render as nothing."""


def _text(value: Any, argument: str) -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(argument, value, "a text (str)")
    return value


def hidden_character(text: str) -> str | None:
    """Describe the first control or invisible character of ``text``, or ``None`` without one.

    >>> hidden_character("anna@gmail.com\\u200b")
    'U+200B ZERO WIDTH SPACE (an invisible format character) at position 15'
    >>> hidden_character("anna@muster.de") is None
    True
    """
    if _text(text, "text").isascii() and text.isprintable() and " " not in text:
        return None  # the common case: printable ASCII holds no hidden character
    for position, char in enumerate(text, start=1):
        category = unicodedata.category(char)
        if category in _REFUSED or char in _INVISIBLE:
            kind = _REFUSED.get(category, "an invisible character")
            name = unicodedata.name(char, "")
            label = f"U+{ord(char):04X}" + (f" {name}" if name else "")
            return f"{label} ({kind}) at position {position}"
    return None


def normalize_email(address: str) -> str:
    """The address in Unicode NFKC with a lower-cased domain; nothing is removed.

    >>> normalize_email("Anna@ＧＭＡＩＬ．com")
    'Anna@gmail.com'
    """
    if not _text(address, "address").isascii():  # ASCII is already NFKC
        address = unicodedata.normalize("NFKC", address)
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


@cache
def freemail_domains() -> frozenset[str]:
    """The shipped set of free-mail domains (read once, on first use)."""
    text = files("leadflow").joinpath("data/freemail_domains.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


def email_domain(email: str) -> str:
    """The domain part of an address, NFKC-normalised and lower-cased.

    >>> email_domain("Anna.Schmidt@Muster-GmbH.DE")
    'muster-gmbh.de'
    """
    return unicodedata.normalize("NFKC", _text(email, "email").rpartition("@")[2]).lower()


def is_freemail_domain(domain: str) -> bool:
    """Whether ``domain`` (or a parent domain of it) is a known free-mail provider.

    >>> is_freemail_domain("gmx.de"), is_freemail_domain("mail.gmx.de"), is_freemail_domain("siemens.com")
    (True, True, False)
    """
    known = freemail_domains()
    name = _text(domain, "domain")
    if not name.isascii():  # ASCII is already NFKC
        name = unicodedata.normalize("NFKC", name)
    name = name.lower().rstrip(".")
    while "." in name:  # the domain, then each parent of two labels or more
        if name in known:
            return True
        name = name.partition(".")[2]
    return False
