"""The lark parsers of the rule and agreement languages, built once and loaded in milliseconds.

Building the LALR tables of a grammar takes lark 1-2 s, in every process that parses a file
(each CLI call, each worker of a parallel or Spark run). So the built parser is saved with
``Lark.save`` beside its grammar (``grammar.lark`` -> ``grammar.lark.tables``), after one header
line naming the grammar text's SHA-256, the lark version and the build recipe.
:func:`load_parser` uses the saved parser only when all three match the running code, and builds
from the grammar otherwise: a stale or foreign file makes parsing slower to start, never wrong.
The saved file ships inside the package and is trusted as its code is (``Lark.load``
unpickles it); nothing outside the package is read.

After editing a grammar, save the tables again with ``python tests/core/test_grammars.py``; a
test fails while a saved file does not match its grammar.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from importlib.resources import files
from typing import Final

import lark
from lark import Lark

__all__ = ("TABLES_SUFFIX", "Grammar", "header_of", "load_parser", "saved_tables")

TABLES_SUFFIX: Final = ".tables"


@dataclass(frozen=True, slots=True)
class Grammar:
    """A grammar file in a package and how its parser is built from the text."""

    package: str
    name: str
    recipe: str
    """Changed whenever ``build`` changes in a way the saved tables reflect."""
    build: Callable[[str], Lark]

    def text(self) -> str:
        return files(self.package).joinpath(self.name).read_text(encoding="utf-8")


def header_of(grammar: Grammar, text: str) -> bytes:
    """The header line the saved tables of ``grammar`` must start with for ``text``."""
    fields = {
        "grammar_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "lark": lark.__version__,
        "recipe": grammar.recipe,
    }
    return json.dumps(fields, sort_keys=True).encode("ascii") + b"\n"


def saved_tables(grammar: Grammar) -> bytes | None:
    """The bytes of ``grammar``'s saved tables (header included), ``None`` when not shipped."""
    found = files(grammar.package).joinpath(grammar.name + TABLES_SUFFIX)
    try:
        return found.read_bytes()
    except OSError:
        return None


def load_parser(grammar: Grammar) -> Lark:
    """The parser of ``grammar``: loaded from the saved tables when they were saved from the
    same grammar text by the same lark with the same recipe, else built from the grammar."""
    text = grammar.text()
    saved = saved_tables(grammar)
    header = header_of(grammar, text)
    if saved is not None and saved.startswith(header):
        with suppress(Exception):  # any damage to the saved file: build instead
            return Lark.load(io.BytesIO(saved[len(header) :]))
    return grammar.build(text)
