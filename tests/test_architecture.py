"""The layers of leadflow, checked on the source: core <- pillars <- integration.

- **core**: every top-level module of ``leadflow`` that is neither a pillar nor integration
  (derived from the package, so a new core module is covered without editing this file). The
  core imports only the core.
- **pillars**: ``lifecycle``, ``rules``, ``sla``. Each imports the core and itself, never another
  pillar.
- **integration**: the modules and packages named in :data:`INTEGRATION` (absent ones are
  skipped: later issues add theirs). They may import anything.
- ``leadflow/__init__.py`` is the facade over all of it; nothing inside the library imports it.
- ``leadflow.rules._*`` are private to ``leadflow.rules``: nothing outside it imports them
  (tests excepted).
- No import cycles: inside ``leadflow.rules`` counting imports under ``TYPE_CHECKING`` and
  inside functions (#15); everywhere, none among the imports a module runs when it is loaded.
  (``lifecycle.record`` replays a stored history on a ``Graph`` through a deferred import of
  the machine, whose guards name ``LeadRecord`` in their signatures: a cycle of types only.)

Imports are read with :mod:`ast`: ``import x``, ``from x import y`` (``y`` a submodule when it is
one), relative imports, and ``importlib.import_module("...")`` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "leadflow"
PILLARS = ("leadflow.lifecycle", "leadflow.rules", "leadflow.sla")
INTEGRATION = (
    "leadflow.cli",
    "leadflow._cli",
    "leadflow._records",
    "leadflow.demo",
    "leadflow.synthetic",
    "leadflow.agreement",
    "leadflow.metrics",
    "leadflow.batch",
    "leadflow.spark",
    "leadflow.pytest_plugin",
)
"""Integration modules and packages, which may import several pillars (later issues add
theirs here; names that do not exist yet are skipped)."""
FACADE = "leadflow"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the library by its dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def top_level(name: str) -> str:
    """``leadflow.x`` for any module under ``leadflow.x``."""
    return ".".join(name.split(".")[:2])


def core_modules() -> set[str]:
    layered = {*PILLARS, *INTEGRATION}
    return {
        name
        for name in modules()
        if name != FACADE and top_level(name) not in layered and top_level(name) == name
    }


def existing_integration() -> set[str]:
    return {name for name in INTEGRATION if any(top_level(m) == name for m in modules())}


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of a (possibly relative) ``from`` import in ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _literal_import(node: ast.Call) -> tuple[str, int] | None:
    """``importlib.import_module("name")`` (or ``import_module``) with a literal name, as the
    name and its relative level."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if called != "import_module" or not node.args:
        return None
    arg = node.args[0]
    if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
        return None
    name = arg.value
    level = len(name) - len(name.lstrip("."))
    return name[level:], level


def _loaded_imports(tree: ast.Module) -> Iterator[ast.AST]:
    """The import statements a module runs when it is loaded: module level, outside ``if
    TYPE_CHECKING:``, inside ``try``/``if`` blocks too, never inside functions or classes."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            guard = node.test
            if not (isinstance(guard, ast.Name) and guard.id == "TYPE_CHECKING"):
                pending.extend(node.body)
            pending.extend(node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend([*node.body, *node.orelse, *node.finalbody])
            for handler in node.handlers:
                pending.extend(handler.body)


def imports_of(name: str, *, loaded_only: bool = False) -> set[str]:
    """What module ``name`` imports, as absolute names (``from p import m`` gives ``p.m`` when
    ``m`` is a submodule of ``p``)."""
    path = modules()[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add_from(base: str, names: list[str]) -> None:
        for alias in names:
            sub = f"{base}.{alias}" if base else alias
            found.add(sub if sub in modules() else base)

    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _loaded_imports(tree) if loaded_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, name, is_package)
            add_from(base, [alias.name for alias in node.names])
        elif isinstance(node, ast.Call) and (literal := _literal_import(node)):
            target, level = literal
            found.add(_absolute(target, level, name, is_package) if level else target)
    return {module for module in found if module == FACADE or module.startswith(FACADE + ".")}


def violations(allowed: dict[str, set[str]]) -> Iterator[tuple[str, str]]:
    """``(importer, imported)`` pairs where a module imports outside what its layer allows."""
    for name in modules():
        layer = allowed.get(top_level(name))
        if layer is None:
            continue
        for imported in imports_of(name):
            if top_level(imported) not in layer:
                yield name, imported


def test_the_layers_are_derived_from_the_package() -> None:
    core = core_modules()
    assert {"leadflow.errors", "leadflow.lead", "leadflow._time"} <= core
    assert not core & {*PILLARS, *INTEGRATION, FACADE}
    assert {"leadflow.cli", "leadflow.demo"} <= existing_integration()


def test_the_import_reader_resolves_every_spelling() -> None:
    assert _absolute("x", 1, "leadflow.rules._engine.engine", is_package=False) == (
        "leadflow.rules._engine.x"
    )
    assert _absolute(None, 2, "leadflow.rules._engine.engine", is_package=False) == (
        "leadflow.rules"
    )
    assert _absolute("sla", 1, "leadflow", is_package=True) == "leadflow.sla"
    call = ast.parse('importlib.import_module("leadflow.sla")').body[0]
    assert isinstance(call, ast.Expr)
    assert isinstance(call.value, ast.Call)
    assert _literal_import(call.value) == ("leadflow.sla", 0)
    assert "leadflow.sla" in imports_of("leadflow")  # the facade's `from leadflow.sla import`


def test_the_core_imports_only_the_core() -> None:
    core = core_modules()
    assert sorted(violations({name: core for name in core})) == []


@pytest.mark.parametrize("pillar", PILLARS)
def test_a_pillar_imports_only_the_core_and_itself(pillar: str) -> None:
    allowed = core_modules() | {pillar}
    assert sorted(violations({pillar: allowed})) == []


def test_nothing_inside_the_library_imports_the_facade() -> None:
    importers = sorted(
        name
        for name in modules()
        if top_level(name) not in existing_integration() and FACADE in imports_of(name)
    )
    assert importers == []


def test_the_rule_phases_are_private_to_the_rules_package() -> None:
    private = "leadflow.rules._"
    offending = sorted(
        (name, imported)
        for name in modules()
        if not name.startswith("leadflow.rules")
        for imported in imports_of(name)
        if imported.startswith(private)
    )
    assert offending == []


def test_the_public_modules_of_the_rules_package_are_few() -> None:
    rules = PACKAGE / "rules"
    public = sorted(p.name for p in rules.iterdir() if not p.name.startswith(("_", ".")))
    assert public == [
        "grammar.lark",
        "grammar.lark.tables",
        "results.py",
        "ruleset.py",
        "templates",
    ]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_import_cycles_in_the_rules_package_even_for_types() -> None:
    rules = {name for name in modules() if name.startswith("leadflow.rules")}
    assert _cycles({name: imports_of(name) & rules for name in rules}) == []


def test_no_import_cycles_among_the_imports_run_at_load() -> None:
    graph = {name: imports_of(name, loaded_only=True) & modules().keys() for name in modules()}
    assert _cycles(graph) == []


def test_the_cycle_check_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


BANNED_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def test_no_wall_clock_reads_outside_the_integration_modules() -> None:
    hits = []
    for name, path in modules().items():
        if top_level(name) in INTEGRATION:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and (node.func.value.id, node.func.attr) in BANNED_CALLS
            ):
                hits.append(f"{name}:{node.lineno}")
            if isinstance(node, ast.Name) and node.id in {"eval", "exec"}:
                hits.append(f"{name}:{node.lineno} {node.id}")
    assert hits == []
