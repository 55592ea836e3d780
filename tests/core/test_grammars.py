"""The saved parser tables (:mod:`leadflow._grammars`): current, equal to a fresh build, and
never trusted when they do not match.

Run this file as a script to save the tables again after editing a grammar:
``python tests/core/test_grammars.py``.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from lark import Lark, Token, Tree

from leadflow import _grammars
from leadflow._grammars import TABLES_SUFFIX, Grammar, header_of, load_parser, saved_tables
from leadflow.agreement import syntax as agreement_syntax
from leadflow.rules._syntax import parser as rules_parser

ROOT = Path(__file__).resolve().parents[2]
GRAMMARS = {"rules": rules_parser.GRAMMAR, "agreement": agreement_syntax.GRAMMAR}
STALE = "saved parser tables are stale: run `python tests/core/test_grammars.py`"


def _shape(tree: Tree[Any]) -> Iterator[tuple[Any, ...]]:
    """Every node and token of ``tree`` with its position, in order."""
    for node in tree.iter_subtrees_topdown():
        meta = node.meta
        yield ("tree", node.data, getattr(meta, "line", None), getattr(meta, "column", None))
        for child in node.children:
            if isinstance(child, Token):
                yield ("token", child.type, str(child), child.line, child.column, child.end_pos)


def _pattern(terminal: Any) -> tuple[Any, ...]:
    pattern = terminal.pattern
    return type(pattern).__name__, pattern.value, tuple(pattern.flags), terminal.priority


def _sources(kind: str) -> list[Path]:
    if kind == "rules":
        found = [*ROOT.glob("examples/*.lf"), *ROOT.glob("src/leadflow/rules/templates/*.lf")]
        return [p for p in found if p.name != "agreement.lf"]
    return [ROOT / "examples" / "agreement.lf"]


@pytest.mark.parametrize("kind", sorted(GRAMMARS))
def test_the_shipped_tables_match_the_grammar_and_lark(kind: str) -> None:
    grammar = GRAMMARS[kind]
    saved = saved_tables(grammar)
    assert saved is not None, STALE
    found = json.loads(saved.split(b"\n", 1)[0])
    wanted = json.loads(header_of(grammar, grammar.text()))
    assert (found["grammar_sha256"], found["recipe"]) == (
        wanted["grammar_sha256"],
        wanted["recipe"],
    ), STALE
    if found["lark"] != wanted["lark"]:  # a newer lark than the tables': built, not loaded
        pytest.skip(f"tables saved with lark {found['lark']}, running {wanted['lark']}: {STALE}")
    assert saved.startswith(header_of(grammar, grammar.text()))


@pytest.mark.parametrize("kind", sorted(GRAMMARS))
def test_the_loaded_parser_parses_as_a_fresh_build_does(kind: str) -> None:
    grammar = GRAMMARS[kind]
    loaded, built = load_parser(grammar), grammar.build(grammar.text())
    assert [t.name for t in loaded.terminals] == [t.name for t in built.terminals]
    assert [_pattern(t) for t in loaded.terminals] == [_pattern(t) for t in built.terminals]
    sources = _sources(kind)
    assert sources
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if kind == "rules":
            text = rules_parser.normalize(text)
        assert list(_shape(loaded.parse(text))) == list(_shape(built.parse(text))), path


def test_keywords_are_named_as_words_in_messages() -> None:
    keywords: dict[str, str] = {}

    def record(terminal: Any) -> None:
        pattern = terminal.pattern
        if type(pattern).__name__ == "PatternStr" and pattern.value.isalpha():
            keywords[terminal.name] = f"'{pattern.value}'"
        rules_parser._whole_word(terminal)

    grammar = rules_parser.GRAMMAR
    Lark(grammar.text(), parser="lalr", edit_terminals=record)
    assert {"AT", "LEAST"} <= set(keywords), "keywords the messages name"
    words = rules_parser._terminal_words()
    assert {name: words[name] for name in keywords} == keywords


def _counting(grammar: Grammar) -> tuple[Grammar, list[str]]:
    built: list[str] = []

    def build(text: str) -> Lark:
        built.append(text)
        return grammar.build(text)

    return Grammar(grammar.package, grammar.name, grammar.recipe, build), built


def test_matching_tables_are_loaded_without_building() -> None:
    grammar, built = _counting(rules_parser.GRAMMAR)
    saved = saved_tables(grammar)
    if saved is None or not saved.startswith(header_of(grammar, grammar.text())):
        pytest.skip(f"the tables do not match this lark: {STALE}")
    load_parser(grammar).parse("mql when fit >= 5\n")
    assert built == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda saved, header: None,  # not shipped
        lambda saved, header: b'{"grammar_sha256": "0"}\n' + saved[len(header) :],  # stale
        lambda saved, header: header + b"\x80\x04not a pickle",  # damaged
        lambda saved, header: header,  # cut off
    ],
    ids=["missing", "stale", "damaged", "empty"],
)
def test_unusable_tables_are_never_trusted_the_grammar_is_built(
    monkeypatch: pytest.MonkeyPatch, damage: Any
) -> None:
    grammar, built = _counting(rules_parser.GRAMMAR)
    saved = saved_tables(grammar)
    assert saved is not None
    header = header_of(grammar, grammar.text())
    monkeypatch.setattr(_grammars, "saved_tables", lambda g: damage(saved, header))
    parser = load_parser(grammar)
    assert len(built) == 1
    tree = parser.parse("mql when fit >= 5\n")
    assert list(_shape(tree)) == list(
        _shape(grammar.build(grammar.text()).parse("mql when fit >= 5\n"))
    )


def test_another_recipe_is_another_header() -> None:
    grammar = rules_parser.GRAMMAR
    other = Grammar(grammar.package, grammar.name, grammar.recipe + " changed", grammar.build)
    text = grammar.text()
    assert header_of(grammar, text) != header_of(other, text)
    assert header_of(grammar, text) != header_of(grammar, text + "\n")


def save(grammar: Grammar) -> Path:
    """Save ``grammar``'s parser tables beside it in the source tree."""
    text = grammar.text()
    buffer = io.BytesIO()
    grammar.build(text).save(buffer, exclude_options=("edit_terminals",))
    target = Path(str(files(grammar.package).joinpath(grammar.name + TABLES_SUFFIX)))
    target.write_bytes(header_of(grammar, text) + buffer.getvalue())
    return target


if __name__ == "__main__":
    for each in GRAMMARS.values():
        sys.stdout.write(f"saved {save(each)}\n")
