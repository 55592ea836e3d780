"""Public holidays for a calendar: a region code resolved with ``holidays``, or fixed dates.

``holidays`` objects are dicts that grow on lookup and reduce a ``datetime`` to a date in their
own zone, so they never leave this module: each year is asked once, with dates only, and frozen
into a ``frozenset[date]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

import holidays as _holidays

from leadflow.errors import ArgumentTypeError, ConfigurationError

__all__ = ("HolidaySource", "holiday_source")


@cache
def _supported() -> dict[str, list[str]]:
    return dict(_holidays.list_supported_countries())


def _region(code: str) -> tuple[str, str | None]:
    country, _, subdiv = code.strip().partition("-")
    country = country.upper()
    supported = _supported()
    if country not in supported:
        raise ConfigurationError(
            f"unknown holiday country {country!r} in {code!r}; expected an ISO 3166-1 code "
            f"supported by the holidays package: {', '.join(sorted(supported))}",
            field="holidays",
            value=code,
            expected="'CC' or 'CC-SUBDIV', e.g. 'DE' or 'DE-BY'",
        )
    if not subdiv:
        return country, None
    by_upper = {s.upper(): s for s in supported[country]}
    if subdiv.upper() not in by_upper:
        valid = ", ".join(f"{country}-{s}" for s in supported[country]) or "none"
        raise ConfigurationError(
            f"unknown subdivision {subdiv!r} of {country} in holidays {code!r}; valid codes: {valid}",
            field="holidays",
            value=code,
            expected=f"one of {valid}",
        )
    return country, by_upper[subdiv.upper()]


@dataclass(frozen=True, slots=True)
class HolidaySource:
    """Where a calendar's holidays come from; :meth:`dates` freezes one year at a time.

    Exactly one of ``country`` and ``fixed`` is set, or neither (no holidays).
    """

    country: str | None = None
    subdiv: str | None = None
    categories: tuple[str, ...] | None = None
    fixed: frozenset[date] | None = None
    _years: dict[int, frozenset[date]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def is_empty(self) -> bool:
        """Whether this source never gives a holiday."""
        return self.country is None and not self.fixed

    def dates(self, year: int) -> frozenset[date]:
        """Return the holidays in local calendar year ``year``.

        Raises:
            ArgumentTypeError: ``year`` is not an int.
        """
        if type(year) is not int:
            raise ArgumentTypeError("year", year, "a year as an int, e.g. 2026")
        found = self._years.get(year)
        if found is None:
            found = self._compute(year)
            self._years[year] = found  # deterministic value: a racing thread stores the same set
        return found

    def _compute(self, year: int) -> frozenset[date]:
        if self.fixed is not None:
            return frozenset(d for d in self.fixed if d.year == year)
        if self.country is None or not 1 <= year <= 9999:
            return frozenset()
        table = _holidays.country_holidays(
            self.country,
            subdiv=self.subdiv,
            years=[year],
            expand=False,
            categories=self.categories,
        )
        return frozenset(d for d in table if d.year == year)

    def __str__(self) -> str:
        if self.country is not None:
            return self.country + (f"-{self.subdiv}" if self.subdiv else "")
        if self.fixed is not None:
            return f"{len(self.fixed)} fixed dates"
        return "none"


def _categories(categories: Iterable[str] | None) -> tuple[str, ...] | None:
    if categories is None:
        return None
    if isinstance(categories, str):
        return (categories,)  # one category, not its letters
    names = tuple(categories) if isinstance(categories, Iterable) else None
    if names is None or not all(isinstance(c, str) for c in names):
        raise ConfigurationError(
            f"holiday_categories must be category names such as ('public',), got {categories!r}",
            field="holiday_categories",
            value=categories,
            expected="an iterable of category names, e.g. ('public', 'bank')",
        )
    return names


def holiday_source(
    spec: str | Iterable[date] | HolidaySource | None,
    categories: Iterable[str] | None = None,
) -> HolidaySource:
    """Resolve ``"CC"``, ``"CC-SUBDIV"``, an iterable of dates, or ``None`` into a source.

    >>> holiday_source("DE-BY").dates(2026) >= {date(2026, 6, 4)}
    True
    >>> holiday_source("DE-XX")
    Traceback (most recent call last):
    leadflow.errors.ConfigurationError: unknown subdivision 'XX' of DE in holidays 'DE-XX'; valid codes: DE-BB, DE-BE, ...

    Raises:
        ConfigurationError: unknown country, subdivision or category, a non-date entry, or a
            ``holidays`` object without years (iterated, it is empty).
    """
    if isinstance(spec, HolidaySource):
        return spec
    cats = _categories(categories)
    if spec is None:
        return HolidaySource()
    if isinstance(spec, str):
        country, subdiv = _region(spec)
        try:  # validates the categories once, up front
            _holidays.country_holidays(country, subdiv=subdiv, years=[], categories=cats)
        except (NotImplementedError, ValueError) as error:
            raise ConfigurationError(
                f"holidays {spec!r}: {error}",
                field="holiday_categories",
                value=cats,
                expected="categories the holidays package supports for this country",
            ) from None
        return HolidaySource(country=country, subdiv=subdiv, categories=cats)
    if isinstance(spec, _holidays.HolidayBase) and not spec.years:
        # such an object only fills in the years it is asked about: iterated, it is empty
        raise ConfigurationError(
            f"holidays object {spec!r} holds no years; pass its region code instead "
            "(e.g. 'DE-BY'), or create it with years=...",
            field="holidays",
            value=spec,
            expected="'CC' or 'CC-SUBDIV', e.g. 'DE' or 'DE-BY', or an iterable of dates",
        )
    if isinstance(spec, date) or not isinstance(spec, Iterable):
        raise ConfigurationError(
            f"holidays must be a region code like 'DE-BY', an iterable of dates or None, "
            f"got {spec!r}",
            field="holidays",
            value=spec,
            expected="'CC' or 'CC-SUBDIV', e.g. 'DE' or 'DE-BY', or an iterable of dates",
        )
    fixed = tuple(spec)
    for item in fixed:
        if isinstance(item, datetime) or not isinstance(item, date):
            raise ConfigurationError(
                f"holidays must be dates, got {item!r}",
                field="holidays",
                value=item,
                expected="datetime.date values",
            )
    return HolidaySource(fixed=frozenset(fixed))
