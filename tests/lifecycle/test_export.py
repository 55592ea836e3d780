"""Mermaid and Markdown exports, and the diagram in docs/lifecycle.md."""

from __future__ import annotations

import re
from pathlib import Path

from leadflow.lifecycle import DEFAULT_GRAPH, Graph, graph_from_dict, to_markdown, to_mermaid

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def test_mermaid_is_a_state_diagram_with_every_edge() -> None:
    text = to_mermaid(DEFAULT_GRAPH)
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> cold" in lines
    for t in DEFAULT_GRAPH.transitions:
        assert any(line.startswith(f"    {t.source} --> {t.target}: {t.name} (") for line in lines)
    for stage in DEFAULT_GRAPH.terminal_stages:
        assert f"    {stage} --> [*]" in lines
    assert "    mql --> nurture: reject (sales) [reason, contact_attempts]" in lines
    assert "    class sal,sql,opportunity,won,lost sales" in lines


def test_markdown_tables() -> None:
    text = to_markdown(DEFAULT_GRAPH)
    assert "| stage | owner | terminal | meaning |" in text
    assert "| mql | marketing |  | marketing qualified: ICP fit and buying signals |" in text
    assert "| recycle | sal, sql, opportunity | nurture | sales | required: wrong_timing, " in text
    assert "| unreachable | unreachable | check contact-data quality, offer more channels |" in text
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert all(line.endswith(" |") for line in rows)


def test_exports_are_deterministic() -> None:
    assert to_mermaid(DEFAULT_GRAPH) == to_mermaid(DEFAULT_GRAPH)
    assert to_markdown(DEFAULT_GRAPH) == to_markdown(DEFAULT_GRAPH)


def test_docs_diagram_equals_the_export() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "docs/lifecycle.md has no mermaid block"
    assert blocks[0] == to_mermaid(DEFAULT_GRAPH), (
        "docs/lifecycle.md is stale: paste to_mermaid(DEFAULT_GRAPH) into its mermaid block"
    )


def test_docs_table_equals_the_export() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert to_markdown(DEFAULT_GRAPH) in text, (
        "docs/lifecycle.md is stale: paste to_markdown(DEFAULT_GRAPH) under the diagram"
    )


def _odd_graph() -> Graph:
    """Stage names Mermaid reads as keywords, an owner with a space, text with ':' and '|'."""
    return graph_from_dict(
        {
            "name": "odd",
            "initial": "state",
            "owners": ["key account", "sales"],
            "actors": ["sales", "bot: v2"],
            "reasons": {"x": {"label": "a | b", "marketing_action": "line one\nline two"}},
            "stages": [
                {"name": "state", "owner": "key account", "description": "two\nlines | pipe"},
                {"name": "note", "owner": "sales"},
                {"name": "end", "owner": "sales", "terminal": True},
                {"name": "s_end", "owner": "sales", "terminal": True},
            ],
            "transitions": [
                {"name": "class", "from": "state", "to": "note", "actors": ["bot: v2"]},
                {"name": "finish", "from": "note", "to": "end", "actors": ["sales"]},
                {
                    "name": "drop",
                    "from": "note",
                    "to": "s_end",
                    "actors": ["sales"],
                    "kind": "disqualify",
                    "reasons": "all",
                },
            ],
        }
    )


def test_mermaid_escapes_keywords_owners_and_label_text() -> None:
    lines = to_mermaid(_odd_graph()).splitlines()
    assert lines[:5] == [
        "stateDiagram-v2",
        '    state "state" as s_state',
        '    state "note" as s_note',
        '    state "end" as s_end_',
        "    [*] --> s_state",
    ]
    assert "    s_state --> s_note: class (bot v2)" in lines
    assert "    s_note --> s_end_: finish (sales)" in lines
    assert "    s_note --> s_end: drop (sales) [reason]" in lines
    assert "    s_end_ --> [*]" in lines
    assert "    classDef s_key_account fill:#f3f4f6,stroke:#4b5563" in lines
    assert "    class s_state s_key_account" in lines
    for line in lines[1:]:
        _, _, label = line.partition(": ")
        assert ";" not in label
        assert ":" not in label


def test_markdown_rows_stay_on_one_line() -> None:
    text = to_markdown(_odd_graph())
    assert "| state | key account |  | two lines \\| pipe |" in text
    assert "| x | a \\| b | line one line two |" in text
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert all(line.endswith(" |") for line in rows)
