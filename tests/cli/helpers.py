"""Rule files and leads with known errors and known test failures, and a runner for main()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadflow.cli import main

NOW = "2026-11-25T10:00:00+01:00"

GOOD = """\
list dach = ["DE", "AT", "CH"]

score fit {
  +20  employees between 50 and 500
  +15  seniority at least director
  +10  country in dach
}

score engagement {
  +40          demo_request within 30 days
  +10 each     pricing_page_view within 30 days, at most 30
  +15          webinar_attended within 60 days
}

knockout student when seniority is student

temperature {
  hot   when fit >= 40 and engagement >= 40
  warm  when fit >= 25 and engagement >= 15
  cold  otherwise
}

mql when fit >= 30 and engagement >= 25

grade position {
  A when seniority at least vp
  C otherwise
}

test "a director with a demo request" {
  now 2026-11-20 12:00 Europe/Berlin
  lead {
    title "IT-Direktor", employees 120, country "DE"
    demo_request 2 days ago
  }
  expect fit 45, engagement 40, temperature hot, mql yes
}
"""

FAILING = """\
score fit {
  +20  employees between 50 and 500
}
mql when fit >= 30

test "mid-sized" {
  now 2026-11-20 12:00 Europe/Berlin
  lead {
    employees 80
  }
  expect fit 25, mql no
}

test "passes" {
  now 2026-11-20 12:00 Europe/Berlin
  lead {
    employees 80
  }
  expect fit 20
}
"""

BROKEN = """\
score fit {
  +15 industri in ["software"]
  +20 employees between 50 and "500"
}
"""

LEADS = [
    {
        "id": "L-1",
        "company": "Muster GmbH",
        "email": "anna@muster.de",
        "title": "IT-Direktor",
        "employees": 120,
        "country": "DE",
        "activities": [{"kind": "demo_request", "at": "2026-11-23T09:00:00+01:00"}],
    },
    {
        "id": "L-2",
        "company": "Beispiel AG",
        "email": "max@beispiel.de",
        "title": "Head of IT",
        "employees": 80,
        "country": "DE",
        "activities": [{"kind": "pricing_page_view", "at": "2026-11-24T09:00:00+01:00"}],
    },
    {"id": "L-3", "company": "", "email": "nope"},
    {
        "id": "L-4",
        "company": "Uni",
        "email": "stud@uni.de",
        "title": "Werkstudent",
        "activities": [{"kind": "demo_request", "at": "2026-11-23T09:00:00+01:00"}],
    },
]


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def write_jsonl(
    folder: Path, name: str = "leads.jsonl", records: list[object] | None = None
) -> str:
    lines = [json.dumps(r) for r in (LEADS if records is None else records)]
    return write(folder, name, "\n".join(lines) + "\n")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``leadflow ARGV``; the exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
