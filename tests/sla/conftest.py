"""Fixtures shared by the SLA tests."""

from __future__ import annotations

import pytest

from leadflow.sla import BusinessCalendar


@pytest.fixture(scope="module")
def office() -> BusinessCalendar:
    return BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE")
