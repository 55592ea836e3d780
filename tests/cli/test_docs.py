"""The pytest-plugin example of docs/testing-rules.md, run as a project of its own."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import leadflow.rules  # noqa: F401 - imported once here, so that pytester runs reuse it

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "testing-rules.md"
FILE_BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
TEXT_BLOCK = re.compile(r"^```text\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_the_plugin_example_reports_what_the_page_shows(pytester: pytest.Pytester) -> None:
    text = PAGE.read_text(encoding="utf-8")
    for name, content in FILE_BLOCK.findall(text):
        target = pytester.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    (pytester.path / "rules").mkdir()
    shutil.copy(ROOT / "examples" / "scoring.lf", pytester.path / "rules" / "scoring.lf")
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    shown = TEXT_BLOCK.search(text)
    assert shown is not None
    result.stdout.fnmatch_lines([f"{line}*" for line in shown[1].splitlines()])
    result.assert_outcomes(passed=4)
