"""Doctest set-up for the pages that run the ``leadflow`` command (cli.md, testing-rules.md).

Each such page runs in a fresh folder holding the shipped examples (``scoring.lf``,
``leads.json``, ``agreement.lf``, ``events.jsonl``, ``history.jsonl``) and every fenced block of the page whose info string names a file
(```` ```lf file=fit.lf ````). ``run("leadflow ...")`` calls ``leadflow.cli.main`` and prints
its stdout, then its stderr, then the exit code.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"cli.md", "testing-rules.md"}
FILE_BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def run(command: str) -> None:
    """Run a ``leadflow`` command line as the docs show it."""
    from leadflow.cli import main

    argv = shlex.split(command)
    if argv[0] != "leadflow":
        raise ValueError(f"not a leadflow command: {command}")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv[1:])
        except SystemExit as stop:  # argparse's usage errors
            code = stop.code if isinstance(stop.code, int) else 1
    text = out.getvalue() + err.getvalue()
    print(text + f"exit {code}" if text else f"exit {code}")


@pytest.fixture(autouse=True)
def _cli_page(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    doctest_namespace: dict[str, Any],
) -> None:
    page = Path(str(request.node.path))
    if page.name not in PAGES:
        return
    for name in ("scoring.lf", "leads.json", "agreement.lf", "events.jsonl", "history.jsonl"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    for match in FILE_BLOCK.finditer(page.read_text(encoding="utf-8")):
        target = tmp_path / match[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(match[2], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doctest_namespace["run"] = run
