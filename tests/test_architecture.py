"""The pillars import only the shared core, never each other, and the core never reads the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "leadflow"
PILLARS = ("lifecycle", "rules", "sla")
CORE = {
    "leadflow._time",
    "leadflow._version",
    "leadflow.emails",
    "leadflow.errors",
    "leadflow.handoff",
    "leadflow.lead",
    "leadflow.reasons",
    "leadflow.titles",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("pillar", PILLARS)
def test_pillar_imports_only_core_and_itself(pillar: str) -> None:
    own = f"leadflow.{pillar}"
    offending = {
        (path.name, module)
        for path in (SRC / pillar).rglob("*.py")
        for module in imported_modules(path)
        if module.startswith("leadflow")
        and module != own
        and not module.startswith(own + ".")
        and module not in CORE
    }
    assert offending == set()


def test_core_imports_no_pillar() -> None:
    for name in CORE - {"leadflow._version"}:
        path = SRC / (name.removeprefix("leadflow.") + ".py")
        modules = imported_modules(path)
        assert not {m for m in modules if m.startswith(tuple(f"leadflow.{p}" for p in PILLARS))}


BANNED_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def test_no_wall_clock_reads_outside_the_cli() -> None:
    hits = []
    for path in SRC.rglob("*.py"):
        if path.name in {"cli.py", "demo.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in BANNED_CALLS
            ):
                hits.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id in {"eval", "exec"}:
                hits.append(f"{path.name}:{node.lineno} {node.id}")
    assert hits == []


INTEGRATION = {"leadflow.agreement", "leadflow.cli", "leadflow.demo", "leadflow.synthetic"}
"""Modules that may import several pillars (the pillars and the core may not import them)."""


def test_every_module_is_core_pillar_or_integration() -> None:
    names = {f"leadflow.{p.stem}" for p in SRC.glob("*.py") if p.stem != "__init__"}
    names |= {f"leadflow.{p.name}" for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    pillars = {f"leadflow.{p}" for p in PILLARS}
    assert names - CORE - pillars - INTEGRATION == set()


def test_nothing_below_integration_imports_it() -> None:
    below = [SRC / (m.removeprefix("leadflow.") + ".py") for m in CORE - {"leadflow._version"}]
    below += [path for pillar in PILLARS for path in (SRC / pillar).rglob("*.py")]
    offending = {
        (path.name, module)
        for path in below
        for module in imported_modules(path)
        if module.split(".")[:2] in ([*m.split(".")] for m in INTEGRATION)
    }
    assert offending == set()
