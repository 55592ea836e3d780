"""Every rule-file example in the rules docs parses, passes its checks, and its tests pass."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leadflow.rules import parse

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^```lf\n(.*?)^```", re.MULTILINE | re.DOTALL)


def examples() -> Iterator[Any]:
    for page in ("rules.md", "rule-language.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            yield pytest.param(match.group(1), id=f"{page}:{line}")


@pytest.mark.parametrize("text", list(examples()))
def test_doc_example(text):
    rules = parse(text, source="example.lf")
    results = rules.run_tests()
    assert all(r.passed for r in results), "\n".join(str(r) for r in results)


def test_there_are_examples_with_tests():
    found = list(examples())
    assert len(found) >= 10
    assert sum("test " in p.values[0] for p in found) >= 10
