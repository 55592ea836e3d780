"""The wheel ships what the library reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("leadflow-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_contains_package_data(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    expected = {
        "leadflow/py.typed",
        "leadflow/data/freemail_domains.txt",
        "leadflow/data/examples/leads.json",
        "leadflow/data/examples/agreement.lf",
        "leadflow/data/examples/scoring.lf",
        "leadflow/agreement/grammar.lark",
    }
    assert expected <= names
    assert any(name.startswith("leadflow/rules/") and name.endswith(".lark") for name in names)
    templates = [n for n in names if n.startswith("leadflow/rules/templates/")]
    assert {Path(n).stem for n in templates} >= {"bant", "champ", "meddic"}
