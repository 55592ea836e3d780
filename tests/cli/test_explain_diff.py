"""``leadflow explain --why-not``, ``diff``, ``diagram`` and ``schema``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import BROKEN, GOOD, NOW, run, write, write_jsonl


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, "good.lf", GOOD), write_jsonl(tmp_path)


def test_explain_one_lead(files: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", *files, "--lead", "L-1", "--now", NOW)
    assert code == 0
    assert out.splitlines()[0] == "lead L-1 at 2026-11-25T10:00:00+01:00"
    assert "mql = yes" in out


def test_why_not_mql_names_the_shortfall_and_the_nearest_points(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "explain", *files, "--lead", "L-2", "--why-not", "mql", "--now", NOW)
    assert code == 0
    assert out.split("\n\n", 1)[1].splitlines() == [
        "mql needs fit >= 30 and engagement >= 25 (line 23): engagement >= 25: engagement is 10, "
        "15 short; the nearest points: +15 webinar_attended within 60 days, line 12; "
        "+40 demo_request within 30 days, line 10"
    ]


def test_why_not_of_a_knocked_out_lead(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "explain",
        *files,
        "--lead",
        "L-4",
        "--why-not",
        "hot",
        "--format",
        "json",
        "--now",
        NOW,
    )
    assert code == 0
    assert json.loads(out)["why_not"] == (
        "hot did not happen: the lead is knocked out (student: knockout student when seniority "
        "is student, line 15), so it is cold"
    )


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("student", "knockout student needs seniority is student (line 15): seniority is director"),
        (
            "position A",
            "grade position A needs seniority at least vp (line 26): seniority is director; "
            "the lead is grade position C: C otherwise (line 27)",
        ),
        (
            "warm",
            "warm did not happen: an earlier line matched first; the lead is hot: "
            "hot when fit >= 40 and engagement >= 40 (line 18)",
        ),
    ],
)
def test_why_not_other_names(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str], name: str, answer: str
) -> None:
    code, out, _ = run(capsys, "explain", *files, "--lead", "L-1", "--why-not", name, "--now", NOW)
    assert code == 0
    assert out.split("\n\n", 1)[1].strip() == answer


def test_why_not_unknown_name_and_unknown_lead(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "explain", *files, "--lead", "L-1", "--why-not", "sql", "--now", NOW)
    assert code == 2
    assert "nothing called 'sql' (did you mean 'mql'?); they decide: mql, hot, warm" in err
    code, _, err = run(capsys, "explain", *files, "--lead", "L-9", "--now", NOW)
    assert code == 2
    assert f"no valid lead with id 'L-9' in {files[1]}" in err


def test_why_not_a_missing_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(
        tmp_path,
        "r.lf",
        'score fit {\n  +10 industry is "software"\n}\nmql when fit >= 10 and industry is "software"\n',
    )
    leads = write_jsonl(tmp_path, records=[{"id": "A", "company": "C", "email": "a@c.de"}])
    code, out, _ = run(
        capsys, "explain", rules, leads, "--lead", "A", "--why-not", "mql", "--now", NOW
    )
    assert code == 0
    assert 'industry is "software": industry is missing' in out


def test_why_not_a_qualification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(tmp_path, "r.lf", "use bant\nscore fit {\n  +10 employees > 10\n}\n")
    leads = write_jsonl(tmp_path, records=[{"id": "A", "company": "C", "email": "a@c.de"}])
    code, out, _ = run(
        capsys, "explain", rules, leads, "--lead", "A", "--why-not", "bant", "--now", NOW
    )
    assert code == 0
    assert "bant passes only when positive >= 3 and (pricing_page_view within 30 days" in out
    assert "pricing_page_view within 30 days: none, demo_request within 30 days: none" in out


def test_diff_counts_changes_and_shows_changed_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, leads = write(tmp_path, "old.lf", GOOD), write_jsonl(tmp_path)
    new = write(tmp_path, "new.lf", GOOD.replace("engagement >= 25", "engagement >= 10"))
    code, out, err = run(capsys, "diff", old, new, leads, "--now", NOW)
    assert code == 0
    assert out.splitlines()[:2] == [
        f"1 of 3 leads change ({old} -> {new})",
        "  mql: no -> yes: 1  e.g. L-2",
    ]
    assert "  -mql when fit >= 30 and engagement >= 25" in out
    assert "  +mql when fit >= 30 and engagement >= 10" in out
    assert len(err.splitlines()) == 1  # the invalid record, reported once
    code, out, _ = run(capsys, "diff", old, new, leads, "--now", NOW, "--format", "json")
    report = json.loads(out)
    assert report["changes"] == [
        {"what": "mql", "from": "no", "to": "yes", "count": 1, "examples": ["L-2"]}
    ]
    assert (report["leads"], report["changed"]) == (3, 1)


def test_diff_with_a_broken_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "diff",
        write(tmp_path, "a.lf", GOOD),
        write(tmp_path, "b.lf", BROKEN),
        write_jsonl(tmp_path),
        "--now",
        NOW,
    )
    assert code == 1
    assert "unknown name 'industri'" in err


def test_diagram(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diagram")
    assert code == 0
    assert out.startswith("stateDiagram-v2\n    [*] --> cold\n")
    code, _, err = run(capsys, "diagram", write(tmp_path, "g.json", "{}"))
    assert code == 1
    assert err.startswith(f"{tmp_path / 'g.json'}:1:1: ")
    code, _, _ = run(capsys, "diagram", str(tmp_path / "none.toml"))
    assert code == 2


@pytest.mark.parametrize(
    ("payload", "required"),
    [
        ("lead", ["id", "company", "email"]),
        ("activity", ["kind", "at"]),
        ("handoff-event", ["name", "at", "actor"]),
    ],
)
def test_schema(capsys: pytest.CaptureFixture[str], payload: str, required: list[str]) -> None:
    code, out, _ = run(capsys, "schema", payload)
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["required"] == required


def test_schema_of_the_agreement_events(capsys: pytest.CaptureFixture[str]) -> None:
    from leadflow.agreement.events import EVENT_TYPES

    code, out, _ = run(capsys, "schema", "event")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["discriminator"]["mapping"]) == set(EVENT_TYPES)
    assert len(schema["oneOf"]) == len(EVENT_TYPES) == 11


def test_why_not_reads_nested_groups(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(
        tmp_path,
        "nest.lf",
        "score fit {\n  +20 employees > 50\n}\n"
        "score engagement {\n  +40 demo_request within 30 days\n}\n"
        'mql when fit >= 20 and (engagement >= 40 or (industry is "software" and employees > 1000))\n',
    )
    leads = write_jsonl(
        tmp_path,
        records=[
            {"id": "A", "company": "C", "email": "a@c.de", "employees": 85, "industry": "Software"}
        ],
    )
    code, out, _ = run(
        capsys, "explain", rules, leads, "--lead", "A", "--why-not", "mql", "--now", NOW
    )
    assert code == 0
    assert (
        out.split("\n\n", 1)[1]
        .strip()
        .endswith(
            'or (industry is "software" and employees > 1000): employees > 1000: employees is 85, '
            "915 short, engagement >= 40: engagement is 0, 40 short"
        )
    )


def test_diagram_of_an_agreement_shows_its_flow(capsys: pytest.CaptureFixture[str]) -> None:
    shipped = Path(__file__).resolve().parents[2] / "examples" / "agreement.lf"
    code, out, _ = run(capsys, "diagram", str(shipped))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    iql --> mql: promote (marketing, system) [handoff_complete]" in lines
    mql = lines.index("    note right of mql")
    assert lines[mql + 1 : mql + 3] == [
        "        by itself when the mql rule holds and company, email, title, source are set",
        "        first contact hot: 4 business hours; warm: 24 business hours; cold: nurture, "
        "no sales target",
    ]
    assert "        disposition within 2 weeks" in lines
