"""The leadflow pytest plugin: rule-file ``test`` blocks as pytest items, and fixtures.

Installed with leadflow and registered through the ``pytest11`` entry point, it does nothing
until a project opts in with one line of configuration::

    [tool.pytest.ini_options]
    leadflow_rules = ["rules/*.lf"]

Then every ``test`` block of a matching rule file is a pytest item, named after the block and
reported at its file and line; a failure shows the expected and the actual value and the
explanation of the scores. A rule file with errors is a collection error that lists them.
Patterns are shell-style and matched against the path relative to the root directory (``*``
also crosses folders). The rule files must lie under a path pytest collects: with
``testpaths``, list their folder there too.

Fixtures for the host's own tests: ``leadflow_now`` (a fixed, aware instant; ini option
``leadflow_now``), ``lead_builder`` (a lead with sensible B2B defaults) and ``leadflow_rules``
(the project's rule file, loaded once; ini option ``leadflow_rules_file`` when several match).

Projects without the option see no change: the plugin only compares the suffix of the files
pytest visits, and imports the rules engine only when it collects a rule file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from leadflow.lead import Lead
    from leadflow.rules import RuleSet, TestResult

__all__ = (
    "DEFAULT_NOW",
    "LeadBuilder",
    "RuleFile",
    "RuleTestItem",
    "lead_builder",
    "leadflow_now",
    "leadflow_rules",
)

DEFAULT_NOW: Final = "2026-11-20T12:00:00+01:00"
"""The ``leadflow_now`` fixture's instant unless the ini option ``leadflow_now`` says otherwise."""

_TEST_LINE: Final = re.compile(r'^\s*test\s+"((?:[^"\\]|\\.)*)"\s*\{')


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "leadflow_rules",
        type="linelist",
        default=[],
        help="leadflow: rule files whose test blocks are collected (patterns, e.g. rules/*.lf)",
    )
    parser.addini(
        "leadflow_rules_file",
        default="",
        help="leadflow: the rule file the leadflow_rules fixture loads",
    )
    parser.addini(
        "leadflow_now", default=DEFAULT_NOW, help="leadflow: the leadflow_now fixture's instant"
    )
    group = parser.getgroup("leadflow")
    group.addoption(
        "--leadflow-rules",
        action="append",
        default=[],
        metavar="PATTERN",
        help="collect the test blocks of rule files matching PATTERN (adds to the ini option)",
    )


def _patterns(config: pytest.Config) -> list[str]:
    patterns: list[str] = list(config.getini("leadflow_rules"))
    patterns += config.getoption("leadflow_rules", default=[]) or []
    return patterns


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix != ".lf":
        return None
    patterns = _patterns(parent.config)
    if not patterns:
        return None
    try:
        relative = file_path.relative_to(parent.config.rootpath).as_posix()
    except ValueError:
        relative = file_path.as_posix()
    if any(fnmatch(relative, p) or fnmatch(file_path.as_posix(), p) for p in patterns):
        return RuleFile.from_parent(parent, path=file_path)
    return None


class RuleFileError(Exception):
    """A collected rule file does not load; the message lists its errors."""


class RuleTestFailed(Exception):  # noqa: N818 - pytest's own style: the failure of one item
    """A ``test`` block did not hold."""

    def __init__(self, result: TestResult) -> None:
        super().__init__(result.name)
        self.result = result


class RuleFile(pytest.File):
    """A rule file: one item per ``test`` block."""

    _rules: RuleSet | None = None
    _results: tuple[TestResult, ...] | None = None

    def rules(self) -> RuleSet:
        if self._rules is None:
            from leadflow.errors import LeadflowError
            from leadflow.rules import load

            # relative to where pytest runs (collection happens there), so messages stay short
            here = Path.cwd()
            path = self.path.relative_to(here) if self.path.is_relative_to(here) else self.path
            try:
                self._rules = load(path)
            except LeadflowError as error:
                raise RuleFileError(str(error)) from None
        return self._rules

    def results(self) -> tuple[TestResult, ...]:
        if self._results is None:
            self._results = self.rules().run_tests()
        return self._results

    def collect(self) -> Iterator[RuleTestItem]:
        names = self.rules().test_names
        lines: dict[str, int] = {}
        for number, text in enumerate(self.path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if match := _TEST_LINE.match(text):
                lines.setdefault(match[1], number)
        for index, name in enumerate(names):
            yield RuleTestItem.from_parent(self, name=name, index=index, line=lines.get(name, 1))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, RuleFileError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))


class RuleTestItem(pytest.Item):
    """One ``test`` block of a rule file."""

    def __init__(self, *, index: int, line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        self.line = line

    def runtest(self) -> None:
        assert isinstance(self.parent, RuleFile)  # noqa: S101 - built only by RuleFile
        result = self.parent.results()[self.index]
        self.line = result.line
        if not result.passed:
            raise RuleTestFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if not isinstance(excinfo.value, RuleTestFailed):
            return str(super().repr_failure(excinfo))
        return failure_text(excinfo.value.result)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"test {self.name!r}"


def failure_text(result: TestResult) -> str:
    """Expected vs actual for each expectation that failed, then the explanation."""
    from leadflow._cli.common import split_failure

    out = [f"{result.source}:{result.line}: test {result.name!r} failed"]
    for message in result.failures:
        failure = split_failure(message)
        if "expected" in failure:
            out.append(f"  line {failure['line']}:")
            out.append(f"    expected: {failure['expected']}")
            out.append(f"    actual:   {failure['actual']}")
        else:
            out.append(f"  {message}")
    if result.evaluation is not None:
        out.append("explanation:")
        out.extend(f"  {line}" for line in result.evaluation.explain().splitlines())
    return "\n".join(out)


@pytest.fixture
def leadflow_now(request: pytest.FixtureRequest) -> datetime:
    """A fixed, aware evaluation instant (ini option ``leadflow_now``, ISO 8601 with offset)."""
    text = str(request.config.getini("leadflow_now") or DEFAULT_NOW)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        pytest.fail(
            f"leadflow_now = {text!r} needs a UTC offset, e.g. {DEFAULT_NOW}", pytrace=False
        )
    return value


class LeadBuilder:
    """Builds valid leads with B2B defaults; keyword arguments replace or add fields.

    ``activities`` may hold ``(kind, age)`` pairs, ``age`` a :class:`~datetime.timedelta`
    counted back from the builder's ``now``, besides activity dicts.
    """

    DEFAULTS: Final[Mapping[str, Any]] = {
        "company": "Muster GmbH",
        "email": "anna.schmidt@muster.de",
        "first_name": "Anna",
        "last_name": "Schmidt",
        "title": "Head of IT",
        "employees": 120,
        "industry": "software",
        "country": "DE",
        "source": "web_form",
    }

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._count = 0

    def __call__(self, **fields: Any) -> Lead:
        from leadflow import validate_lead

        self._count += 1
        data: dict[str, Any] = {"id": f"lead-{self._count}", **self.DEFAULTS, **fields}
        data["activities"] = [self._activity(a) for a in data.get("activities", ())]
        return validate_lead(data)

    def _activity(self, item: Any) -> Any:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], timedelta):
            return {"kind": item[0], "at": self.now - item[1]}
        return item


@pytest.fixture
def lead_builder(leadflow_now: datetime) -> LeadBuilder:
    """Build leads: ``lead_builder(title="CFO", activities=[("demo_request", timedelta(days=2))])``."""
    return LeadBuilder(leadflow_now)


def _project_rule_file(config: pytest.Config) -> Path:
    root = config.rootpath
    named = str(config.getini("leadflow_rules_file") or "")
    if named:
        return root / named
    found = sorted({p for pattern in _patterns(config) for p in root.glob(pattern)})
    if len(found) != 1:
        shown = ", ".join(str(p.relative_to(root)) for p in found) or "none"
        pytest.fail(
            f"the leadflow_rules fixture needs one rule file; the patterns match {shown}: "
            "set the ini option leadflow_rules_file",
            pytrace=False,
        )
    return found[0]


@pytest.fixture(scope="session")
def leadflow_rules(pytestconfig: pytest.Config) -> RuleSet:
    """The project's rule file, loaded once per session."""
    from leadflow.rules import load

    return load(_project_rule_file(pytestconfig))
