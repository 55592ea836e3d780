"""Shared pytest configuration: hypothesis profiles and the ``property`` marker.

Profiles: "ci" is derandomized (the README's test command under ``CI=true``), "dev" is the
default with random seeds, and "random" is what ``.ci/run`` uses for its extra run of the
property tests with a printed seed (``--hypothesis-seed``), so a flaky property shows up in CI
with the command that reproduces it. Every hypothesis test gets the ``property`` marker, so
``pytest -m property`` selects them.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, is_hypothesis_test, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile(
    "random",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
    database=None,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every hypothesis test ``property``."""
    for item in items:
        if is_hypothesis_test(getattr(item, "obj", None)):
            item.add_marker(pytest.mark.property)


pytest_plugins = ["pytester"]  # tests/cli tests the leadflow pytest plugin with pytester
