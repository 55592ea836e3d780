"""The source line under an error, with its caret, and the cap on kept errors: shared by every
language leadflow reads (rule files, agreement files), which are untrusted input."""

from __future__ import annotations

from typing import Final

__all__ = ("MAX_KEPT", "SNIPPET_WIDTH", "snippet")

MAX_KEPT: Final = 100
"""At most this many errors are kept in ``RuleSyntaxError.errors``; ``.omitted`` counts the rest
(one line naming 16,000 unknown fields kept 16,000 errors, 10.5 GB)."""

SNIPPET_WIDTH: Final = 160
"""A source line longer than this is shown in a message cut to this many characters around the
caret, so an error's size does not grow with its line."""


def snippet(text: str, line: int, column: int) -> str:
    """The source line ``line`` of ``text`` with a caret under ``column`` (both 1-based)."""
    lines = text.split("\n")
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if len(source_line) > SNIPPET_WIDTH:
        start = max(0, min(column - 1 - SNIPPET_WIDTH // 2, len(source_line) - SNIPPET_WIDTH))
        cut = source_line[start : start + SNIPPET_WIDTH]
        before = "…" if start > 0 else ""
        after = "…" if start + SNIPPET_WIDTH < len(source_line) else ""
        source_line = before + cut + after
        column = column - start + len(before)
    source_line = source_line.replace("\t", " ")
    return f"  {source_line}\n  {' ' * (column - 1)}^"
