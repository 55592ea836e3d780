"""Business versus free-mail addresses, from the shipped list ``data/freemail_domains.txt``."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ("email_domain", "freemail_domains", "is_freemail_domain")


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
    """The lower-cased domain part of an address.

    >>> email_domain("Anna.Schmidt@Muster-GmbH.DE")
    'muster-gmbh.de'
    """
    return email.rpartition("@")[2].lower()


def is_freemail_domain(domain: str) -> bool:
    """Whether ``domain`` (or a parent domain of it) is a known free-mail provider.

    >>> is_freemail_domain("gmx.de"), is_freemail_domain("mail.gmx.de"), is_freemail_domain("siemens.com")
    (True, True, False)
    """
    known = freemail_domains()
    parts = domain.lower().rstrip(".").split(".")
    return any(".".join(parts[i:]) in known for i in range(len(parts) - 1))
