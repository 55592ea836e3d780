"""``leadflow check`` and ``leadflow test``: exit codes, stderr lines, JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import BROKEN, FAILING, GOOD, run, write


def test_check_clean_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", write(tmp_path, "good.lf", GOOD))
    assert code == 0
    assert err.splitlines() == ["checked 1 file: 0 errors"]


def test_check_reports_every_error_as_file_line_col(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bad.lf", BROKEN)
    code, out, err = run(capsys, "check", path)
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"{path}:2:7: unknown name 'industri' (did you mean 'industry'?)",
        f'{path}:3:32: employees is a number; it cannot be compared with text "500"',
        "checked 1 file: 2 errors",
    ]


def test_check_json_and_github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "bad.lf", BROKEN)
    code, out, _ = run(capsys, "check", "--format", "json", path)
    assert code == 1
    found = json.loads(out)
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in found] == [
        (path, 2, 7, "rule-syntax"),
        (path, 3, 32, "rule-syntax"),
    ]
    assert set(found[0]) == {"file", "line", "column", "end_column", "message", "code", "severity"}
    code, out, _ = run(capsys, "check", "--format", "github", path)
    assert code == 1
    assert out.splitlines()[0] == (
        f"::error file={path},line=2,col=7::unknown name 'industri' (did you mean 'industry'?)"
    )


def test_check_missing_file_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nope.lf"), write(tmp_path, "g.lf", GOOD))
    assert code == 2
    assert f"leadflow: cannot read file {tmp_path / 'nope.lf'}: no such file" in err


def test_check_a_lifecycle_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "graph.toml", 'name = "x"\ninitial = "nowhere"\n')
    code, _, err = run(capsys, "check", path)
    assert code == 1
    assert err.startswith(f"{path}:1:1: ")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        run(capsys, "check")
    assert stop.value.code == 2


def test_test_reports_expected_actual_and_explanation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "fail.lf", FAILING)
    code, out, err = run(capsys, "test", path)
    assert code == 1
    assert err.splitlines() == [f"{path}:11:1: test 'mid-sized' failed: expected fit 25, got 20"]
    assert f"FAIL  {path}:6  mid-sized" in out
    assert "    expected: fit 25\n    actual:   20   (line 11)\n" in out
    assert "score fit = 20" in out  # the explanation
    assert f"PASS  {path}:14  passes" in out
    assert out.splitlines()[-1] == "2 tests: 1 passed, 1 failed"


def test_test_passing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", write(tmp_path, "good.lf", GOOD))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "1 tests: 1 passed, 0 failed"


def test_test_on_a_broken_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "test", write(tmp_path, "bad.lf", BROKEN))
    assert code == 1
    assert len(err.splitlines()) == 2


def test_test_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "fail.lf", FAILING)
    code, out, _ = run(capsys, "test", "--format", "json", path)
    assert code == 1
    report = json.loads(out)
    assert (report["passed"], report["failed"]) == (1, 1)
    failing = report["tests"][0]
    assert failing["name"] == "mid-sized"
    assert (failing["file"], failing["line"], failing["passed"]) == (path, 6, False)
    assert failing["failures"] == [
        {
            "file": path,
            "line": 11,
            "expected": "fit 25",
            "actual": "20",
            "message": f"{path}:11: expected fit 25, got 20",
        }
    ]
    assert failing["explanation"].startswith("lead test-6 at 2026-11-20T12:00:00+01:00")
    assert "coverage" not in report
    assert report["diagnostics"][0]["line"] == 11


def test_coverage_lists_what_no_test_fired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "good.lf", GOOD)
    code, out, _ = run(capsys, "test", "--coverage", path)
    assert code == 0
    missed = [line.split(": ")[0].strip() for line in out.splitlines() if " never " in line]
    # fired: fit 4, 5, 6; engagement 10; temperature hot 18; mql yes 23; grade C 27
    assert missed == [f"{path}:{n}" for n in (11, 12, 15, 19, 20, 23, 26)]
    assert "coverage: 7 of 14 branches fired (50.0%)" in out


def test_fail_under(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "good.lf", GOOD)
    code, out, _ = run(capsys, "test", "--fail-under", "80", path)
    assert code == 1
    assert "coverage 50.0% is under --fail-under 80.0%" in out
    code, out, _ = run(capsys, "test", "--fail-under", "50", "--format", "json", path)
    assert code == 0
    coverage = json.loads(out)["coverage"]
    assert (coverage["percent"], coverage["branches"], coverage["covered"]) == (50.0, 14, 7)
    assert coverage["missed"][-1] == {
        "file": path,
        "line": 26,
        "what": "grade position",
        "rule": "A when seniority at least vp",
        "outcome": "A",
    }


def test_github_format_for_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "fail.lf", FAILING)
    code, out, _ = run(capsys, "test", "--format", "github", path)
    assert code == 1
    assert out.splitlines() == [
        f"::error file={path},line=11,col=1::test 'mid-sized' failed: expected fit 25, got 20"
    ]


def test_check_reads_agreement_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped = Path(__file__).resolve().parents[2] / "examples"
    code, _, err = run(capsys, "check", str(shipped / "agreement.lf"))
    assert code == 0
    assert "checked 1 file: 0 errors" in err
    for name in ("agreement.lf", "scoring.lf"):
        (tmp_path / name).write_text((shipped / name).read_text(encoding="utf-8"), "utf-8")
    broken = tmp_path / "agreement.lf"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("zone      Europe/Berlin", "zone      Europe/Berlni"), "utf-8")
    code, _, err = run(capsys, "check", str(broken))
    assert code == 1
    # one error, at the zone: no follow-ups for the calendar it broke
    assert err.splitlines() == [
        f"{broken}:12:13: unknown time zone 'Europe/Berlni'; expected an IANA name such as "
        "'Europe/Berlin'",
        "checked 1 file: 1 error",
    ]


def test_test_runs_the_test_blocks_of_an_agreement_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = Path(__file__).resolve().parents[2] / "examples"
    code, out, _ = run(capsys, "test", str(shipped / "agreement.lf"))
    assert code == 0
    assert out.splitlines()[-1] == "2 tests: 2 passed, 0 failed"
    for name in ("agreement.lf", "scoring.lf"):
        (tmp_path / name).write_text((shipped / name).read_text(encoding="utf-8"), "utf-8")
    changed = tmp_path / "agreement.lf"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace('owner "carla"', 'owner "bruno"'), "utf-8")
    code, out, _ = run(capsys, "test", "--format", "json", str(changed))
    assert code == 1
    report = json.loads(out)
    assert (report["passed"], report["failed"]) == (1, 1)
    failed = next(t for t in report["tests"] if not t["passed"])
    assert failed["line"] == text[: text.index('test "a hot demo')].count("\n") + 1 == 109
    assert "carla" in failed["failures"][0]["message"]
