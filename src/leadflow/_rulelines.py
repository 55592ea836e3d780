"""The rule lines of a rule file as text: what coverage counts and why-not reads.

The public :class:`~leadflow.rules.RuleSet` says which lines *fired* for a lead (contributions,
knock-out hits, decisions), but not which lines a file *has*. Until the rules package exposes
that, this integration module reads it from the file's text, line by line: every scoring line,
knock-out, temperature and grade branch, the ``mql`` rule and each ``pass when`` rule, following
``include`` lines. Templates (``use bant``) are not read: their lines are the template's, with
their own tests.

The scanner is deliberately shallow: it only needs a statement's first word and its block, which
the language fixes (one statement per line, ``{`` at the end of a line, ``}`` on a line of its
own). A file that does not load is never scanned: the CLI loads it with the engine first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ("RuleLine", "definitions", "scan")

_BLOCK: Final = re.compile(r"^(score|grade|qualification)\s+([a-z_][a-z0-9_]*)\s*\{$")
_TEMPERATURE: Final = re.compile(r"^temperature\s*\{$")
_OTHER_BLOCK: Final = re.compile(r"^(test\s+\".*\"|lead)\s*\{$")
_POINTS: Final = re.compile(r"^([+-]\d[\d.]*)(\s+each)?\s+(.*)$")
_BRANCH: Final = re.compile(r"^([A-Za-z_]+)\s+(when\s+(.*)|otherwise)$")
_KNOCKOUT: Final = re.compile(r"^knockout\s+([a-z_][a-z0-9_]*)\s+when\s+(.*)$")
_MQL: Final = re.compile(r"^mql\s+when\s+(.*)$")
_PASS: Final = re.compile(r"^pass\s+when\s+(.*)$")
_INCLUDE: Final = re.compile(r'^include\s+"([^"]*)"$')
_DEFINITION: Final = re.compile(r"^(list|const|field|activity)\b")


@dataclass(frozen=True, slots=True)
class RuleLine:
    """One line of a rule file that can fire.

    Attributes:
        kind: ``score``, ``knockout``, ``temperature``, ``grade``, ``mql`` or ``pass``.
        block: the score, grade or qualification it belongs to (the reason of a knock-out,
            ``temperature`` or ``mql``).
        label: what the line decides: the points (``+10``), the temperature, the grade letter,
            or ``""`` for knock-outs, ``mql`` and ``pass``.
        condition: the condition's text (``""`` for ``otherwise``).
        source, line: where it is (``source`` as the engine names it).
        text: the line as written, without comment and indentation.
    """

    kind: str
    block: str
    label: str
    condition: str
    source: str
    line: int
    text: str


def _strip_comment(line: str) -> str:
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:i].strip()
    return line.strip()


def scan(path: str | Path, *, source: str | None = None) -> tuple[RuleLine, ...]:
    """The lines of a rule file (and of the files it includes) that can fire, in file order.

    ``source`` is the name the engine gives the file (the path as passed to ``load``).
    """
    return tuple(_scan(Path(path), source or str(path), set()))


def _scan(path: Path, source: str, seen: set[Path]) -> list[RuleLine]:
    key = path.resolve()
    if key in seen or not path.is_file():
        return []
    seen.add(key)
    out: list[RuleLine] = []
    stack: list[tuple[str, str]] = []  # (kind, name) of the open blocks
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        text = _strip_comment(raw)
        if not text:
            continue
        if text == "}":
            if stack:
                stack.pop()
            continue
        if match := _BLOCK.match(text):
            stack.append((match[1], match[2]))
            continue
        if _TEMPERATURE.match(text):
            stack.append(("temperature", "temperature"))
            continue
        if _OTHER_BLOCK.match(text):
            stack.append(("other", ""))
            continue
        kind, name = stack[-1] if stack else ("", "")
        if kind == "score" and (match := _POINTS.match(text)):
            out.append(RuleLine("score", name, match[1], match[3], source, number, text))
        elif kind in {"temperature", "grade"} and (match := _BRANCH.match(text)):
            out.append(RuleLine(kind, name, match[1], match[3] or "", source, number, text))
        elif kind == "qualification" and (match := _PASS.match(text)):
            out.append(RuleLine("pass", name, "", match[1], source, number, text))
        elif not stack and (match := _KNOCKOUT.match(text)):
            out.append(RuleLine("knockout", match[1], "", match[2], source, number, text))
        elif not stack and (match := _MQL.match(text)):
            out.append(RuleLine("mql", "mql", "", match[1], source, number, text))
        elif not stack and (match := _INCLUDE.match(text)):
            target = path.parent / match[1]
            name = (
                str(Path(source).parent / match[1]) if Path(source).parent != Path() else match[1]
            )
            out.extend(_scan(target, name, seen))
    return out


def definitions(path: str | Path) -> tuple[str, ...]:
    """The ``list``, ``const``, ``field``, ``activity`` and ``include`` lines of a file.

    Why-not builds small probe files from them, so that a condition reads the same names.
    """
    lines = []
    for raw in Path(path).read_text(encoding="utf-8-sig").splitlines():
        text = _strip_comment(raw)
        if _DEFINITION.match(text) or _INCLUDE.match(text):
            lines.append(text)
    return tuple(lines)
