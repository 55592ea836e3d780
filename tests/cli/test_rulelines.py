"""The rule lines coverage counts, read from a file and the files it includes."""

from __future__ import annotations

from pathlib import Path

from leadflow._coverage import Coverage
from leadflow._rulelines import definitions, scan
from leadflow.rules import load


def test_scan_follows_includes_and_skips_tests_and_comments(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "fit.lf").write_text(
        'list dach = ["DE"]  # a list\nscore fit {\n  +10 country in dach  # "#" in a comment\n}\n',
        encoding="utf-8",
    )
    main = tmp_path / "main.lf"
    main.write_text(
        'include "shared/fit.lf"\n'
        "grade position {\n  A when seniority at least vp\n  C otherwise\n}\n"
        "knockout student when seniority is student\n"
        'test "t" {\n  now 2026-11-20 12:00 UTC\n  lead {\n    title "CEO", country "DE"\n  }\n'
        "  expect fit 10, grade position A\n}\n",
        encoding="utf-8",
    )
    lines = scan(main, source="main.lf")
    assert [(r.kind, r.block, r.label, r.source, r.line) for r in lines] == [
        ("score", "fit", "+10", "shared/fit.lf", 3),
        ("grade", "position", "A", "main.lf", 3),
        ("grade", "position", "C", "main.lf", 4),
        ("knockout", "student", "", "main.lf", 6),
    ]
    assert lines[0].condition == "country in dach"
    assert definitions(main) == ('include "shared/fit.lf"',)


def test_coverage_over_an_include(tmp_path: Path, monkeypatch) -> None:
    test_scan_follows_includes_and_skips_tests_and_comments(tmp_path)
    monkeypatch.chdir(tmp_path)
    rules = load("main.lf")
    coverage = Coverage.of_file("main.lf", source=rules.source)
    coverage.add_all(r.evaluation for r in rules.run_tests() if r.evaluation)
    assert [(b.rule.source, b.rule.line) for b in coverage.missed()] == [
        ("main.lf", 4),
        ("main.lf", 6),
    ]
    assert coverage.percent == 50.0
