"""The default graph, graph validation (all problems at once), and TOML/JSON loading."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadflow.errors import ConfigurationError, GraphError
from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    REASON_KINDS,
    ContactAttempts,
    Graph,
    GuardFailure,
    HandoffEvent,
    LeadRecord,
    Stage,
    StageSpec,
    Transition,
    advance,
    default_graph,
    graph_from_dict,
    graph_to_dict,
    load_graph,
    new_lead,
    to_markdown,
    to_mermaid,
    try_advance,
)
from leadflow.reasons import STANDARD_REASONS, Reason
from tests.lifecycle.helpers import T0, at


def test_default_graph_has_the_stages_of_the_source_material() -> None:
    assert DEFAULT_GRAPH.stage_names == tuple(s.value for s in Stage)
    assert DEFAULT_GRAPH.terminal_stages == ("won", "lost", "disqualified")
    owners = {s.name: s.owner for s in DEFAULT_GRAPH.stages}
    assert {n for n, o in owners.items() if o == "marketing"} == {
        "cold",
        "iql",
        "mql",
        "nurture",
        "disqualified",
    }
    assert {n for n, o in owners.items() if o == "sales"} == {
        "sal",
        "sql",
        "opportunity",
        "won",
        "lost",
    }


def test_default_graph_main_path_and_detours() -> None:
    edges = {(t.source, t.name): t.target for t in DEFAULT_GRAPH.transitions}
    assert edges[("cold", "engage")] == "iql"
    assert edges[("iql", "promote")] == "mql"
    assert edges[("mql", "accept")] == "sal"
    assert edges[("sal", "qualify")] == "sql"
    assert edges[("sql", "convert")] == "opportunity"
    assert edges[("opportunity", "win")] == "won"
    assert edges[("opportunity", "lose")] == "lost"
    assert edges[("mql", "reject")] == "nurture"
    assert edges[("nurture", "reengage")] == "mql"
    assert edges[("sal", "recycle")] == "nurture"
    assert edges[("mql", "disqualify")] == "disqualified"


def test_every_transition_names_its_actors() -> None:
    for t in DEFAULT_GRAPH.transitions:
        assert t.actors
        assert set(t.actors) <= {"marketing", "sales", "system"}
    assert DEFAULT_GRAPH.transition("mql", "accept").actors == ("sales",)  # type: ignore[union-attr]
    assert "system" in DEFAULT_GRAPH.transition("iql", "promote").actors  # type: ignore[union-attr]


def test_reason_transitions_carry_reason_lists_from_the_standard_list() -> None:
    kinds = {t.kind for t in DEFAULT_GRAPH.transitions if t.requires_reason}
    assert kinds == {"reject", "disqualify", "recycle", "lost"}
    for t in DEFAULT_GRAPH.transitions:
        if t.kind in REASON_KINDS:
            assert t.reasons
            assert set(t.reasons) <= set(STANDARD_REASONS)


def test_default_reason_list_covers_the_source_material_with_actions() -> None:
    for code in (
        "no_icp_fit",
        "too_small",
        "wrong_industry",
        "wrong_use_case",
        "no_budget",
        "only_information",
        "wrong_contact",
        "unrealistic_timeline",
        "unreachable",
        "competitor_chosen",
        "wrong_timing",
    ):
        assert code in DEFAULT_GRAPH.reasons
        assert DEFAULT_GRAPH.reasons[code].marketing_action
    assert DEFAULT_GRAPH.reasons["too_small"].marketing_action == (
        "tighten ICP criteria in lead scoring"
    )
    assert DEFAULT_GRAPH.reasons["only_information"].marketing_action == (
        "nurture path instead of direct sales handoff"
    )
    assert DEFAULT_GRAPH.reasons["unreachable"].marketing_action == (
        "check contact-data quality, offer more channels"
    )


BROKEN = {
    "name": "broken",
    "initial": "new",
    "owners": ["marketing", "sales"],
    "stages": [
        {"name": "new", "owner": "marketing"},
        {"name": "work", "owner": "finance"},
        {"name": "done", "owner": "sales", "terminal": True},
        {"name": "island", "owner": "sales"},
        {"name": "loop", "owner": "sales"},
    ],
    "transitions": [
        {"name": "start", "from": "new", "to": "work", "actors": ["sales"]},
        {"name": "finish", "from": "work", "to": "done", "actors": ["sales"]},
        {"name": "reopen", "from": "done", "to": "work", "actors": ["sales"]},
        {"name": "drop", "from": "work", "to": "done", "actors": ["sales"], "kind": "reject"},
        {
            "name": "lose",
            "from": "work",
            "to": "done",
            "actors": ["intern"],
            "kind": "lost",
            "reasons": ["bad_luck"],
        },
        {"name": "spin", "from": "new", "to": "loop", "actors": ["sales"]},
        {"name": "spin", "from": "loop", "to": "loop", "actors": ["sales"]},
    ],
}


def test_validation_reports_every_problem_at_once() -> None:
    with pytest.raises(GraphError) as info:
        graph_from_dict(BROKEN, source="broken.toml")
    error = info.value
    messages = [str(p) for p in error.problems]
    expected = [
        "unknown owner 'finance' of stage 'work'",
        "transition out of terminal stage 'done'",
        "a reject transition needs a reason list",
        "unknown actor 'intern'",
        "unknown reason code 'bad_luck'",
        "stage 'island' is unreachable from the entry stages (new)",
        "stage 'island' has no way to a terminal stage",
        "stage 'loop' has no way to a terminal stage",
    ]
    for text in expected:
        assert any(text in m for m in messages), text
    assert len(error.problems) == len(expected)
    assert isinstance(error, ConfigurationError)
    assert str(error).startswith("lifecycle graph broken.toml is invalid (8 problems):\n  - ")


def test_python_built_graph_is_validated_too() -> None:
    with pytest.raises(GraphError, match="no terminal stage"):
        Graph("g", (StageSpec("a", "sales"),), (), initial="a")
    with pytest.raises(GraphError, match="unknown stage 'zzz'"):
        Graph("g", (StageSpec("a", "sales", terminal=True),), (), initial="zzz")


def test_duplicate_edges_and_stages_are_problems() -> None:
    data = {
        "name": "dup",
        "initial": "a",
        "stages": [
            {"name": "a", "owner": "sales"},
            {"name": "a", "owner": "sales"},
            {"name": "b", "owner": "sales", "terminal": True},
        ],
        "transitions": [
            {"name": "go", "from": "a", "to": "b", "actors": ["sales"]},
            {"name": "go", "from": "a", "to": "b", "actors": ["sales"]},
        ],
    }
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    assert [p.message for p in info.value.problems] == [
        "duplicate stage 'a'",
        "duplicate transition 'go' out of 'a'",
    ]


def test_file_structure_problems_are_collected() -> None:
    data = {
        "name": "x",
        "initial": "a",
        "colour": "blue",
        "stages": [{"name": "a", "owner": "sales", "terminal": "yes"}, 7],
        "transitions": [
            {"name": "t", "from": [], "to": "a", "actors": ["sales"]},
            {"name": "u", "from": "a", "to": "a", "actors": ["sales"], "guards": ["psychic"]},
        ],
        "reasons": {"late": {"label": "late"}},
    }
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    fields = [p.field for p in info.value.problems]
    assert "colour" in fields
    assert "stages[0].terminal" in fields
    assert "stages[1]" in fields
    assert "transitions[0].from" in fields
    assert "transitions[1].guards[0].name" in fields
    assert "reasons.late.marketing_action" in fields


def test_load_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "mini.toml"
    toml.write_text(
        """
name = "mini"
initial = "new"

[reasons.too_late]
label = "too late"
marketing_action = "hand over sooner"

[[stages]]
name = "new"
owner = "marketing"

[[stages]]
name = "gone"
owner = "sales"
terminal = true

[[transitions]]
name = "drop"
from = "new"
to = "gone"
actors = ["sales"]
kind = "disqualify"
reasons = "all"
guards = [{ name = "contact_attempts", minimum = 2, reasons = ["too_late"] }]
""",
        encoding="utf-8",
    )
    graph = load_graph(toml)
    assert graph.name == "mini"
    assert graph.transition("new", "drop").reasons == ("too_late",)  # type: ignore[union-attr]
    outcome = try_advance(
        new_lead("L-1", graph=graph),
        HandoffEvent("drop", T0, "sales", reason="too_late"),
        graph,
    )
    assert outcome.refusal == "guard-failed"
    assert "have 0 attempts, need 2" in outcome.message
    as_json = tmp_path / "mini.json"
    as_json.write_text(json.dumps(graph_to_dict(graph)), encoding="utf-8")
    assert load_graph(as_json) == graph


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ", encoding="utf-8")
    with pytest.raises(GraphError, match=r"bad\.toml is invalid"):
        load_graph(bad)
    yaml = tmp_path / "graph.yaml"
    yaml.write_text("name: x", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"expected a \.toml or \.json file"):
        load_graph(yaml)


def test_default_graph_round_trips_through_plain_data() -> None:
    data = graph_to_dict(DEFAULT_GRAPH)
    again = graph_from_dict(json.loads(json.dumps(data)))
    assert again == DEFAULT_GRAPH
    assert to_mermaid(again) == to_mermaid(DEFAULT_GRAPH)


@dataclass(frozen=True)
class WorkdayOnly:
    """A host-defined guard: only on weekdays (UTC)."""

    name: str = "workday_only"

    def check(self, record: LeadRecord, event: HandoffEvent) -> GuardFailure | None:
        day = event.at.weekday()
        if day < 5:
            return None
        return GuardFailure("not on weekends", {"weekday": day})

    def describe(self) -> str:
        return "only Monday to Friday"


def test_host_defined_guard_in_a_python_graph() -> None:
    graph = Graph(
        "custom",
        (StageSpec("new", "sales"), StageSpec("done", "sales", terminal=True)),
        (Transition("close", "new", "done", ("sales",), guards=(WorkdayOnly(),)),),
        initial="new",
    )
    saturday = T0.replace(day=28)
    outcome = try_advance(
        new_lead("L", graph=graph), HandoffEvent("close", saturday, "sales"), graph
    )
    assert outcome.refusal == "guard-failed"
    assert outcome.error is not None
    assert outcome.error.context["evidence"] == {"weekday": 5}
    record, _ = advance(new_lead("L", graph=graph), HandoffEvent("close", T0, "sales"), graph)
    assert record.stage == "done"
    with pytest.raises(ConfigurationError, match="has no file form"):
        graph_to_dict(graph)


def test_non_guard_objects_are_rejected() -> None:
    with pytest.raises(GraphError, match="not a guard"):
        Graph(
            "g",
            (StageSpec("a", "sales"), StageSpec("b", "sales", terminal=True)),
            (Transition("go", "a", "b", ("sales",), guards=("nope",)),),  # type: ignore[arg-type]
            initial="a",
        )


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("syntax.toml", 'name = "x"\nstages = [\n', "<file>: "),
        ("syntax.json", '{"name": "x",\n "stages": [,]}', "<file>: Expecting value: line 2"),
        ("latin1.toml", b'name = "K\xf6ln"', "<file>: not UTF-8 text"),
        ("deep.json", "[" * 50_000 + "]" * 50_000, "<file>: nested too deeply"),
        ("deep.toml", "a = " + "[" * 50_000 + "]" * 50_000, "<file>: nested too deeply"),
        ("array.json", "[1, 2]", "<graph>: expected a table of settings"),
        ("unknown.toml", 'colour = "blue"', "colour: unknown setting"),
        (
            "types.toml",
            'name = 5\ninitial = ["a"]\nstages = "x"\n'
            "transitions = [{name = 1, from = 5, to = {a = 1}, actors = 2}]",
            "transitions[0].name: expected a non-empty string",
        ),
    ],
)
def test_malformed_files_raise_graph_error_naming_the_file(
    tmp_path: Path, name: str, content: str | bytes, problem: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(GraphError) as info:
        load_graph(path)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"lifecycle graph {path} is invalid")
    assert any(str(p).startswith(problem) for p in info.value.problems), info.value.problems


def test_a_malformed_setting_is_reported_once() -> None:
    with pytest.raises(GraphError) as info:
        graph_from_dict({"name": "x", "initial": 5, "stages": "x", "transitions": []})
    assert [str(p) for p in info.value.problems] == [
        "initial: expected a non-empty string",
        "stages: expected a list of stage tables",
    ]


def test_reason_tables_need_strings() -> None:
    data = graph_to_dict(DEFAULT_GRAPH)
    data["reasons"] = {"late": {"label": 5, "category": [], "marketing_action": ""}}
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    fields = [p.field for p in info.value.problems]
    assert fields[:3] == [
        "reasons.late.label",
        "reasons.late.category",
        "reasons.late.marketing_action",
    ]


def test_guard_reason_codes_must_be_known() -> None:
    data = graph_to_dict(DEFAULT_GRAPH)
    data["transitions"][3]["guards"] = [{"name": "contact_attempts", "reasons": ["unrechable"]}]
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    assert [p.message for p in info.value.problems] == [
        "guard contact_attempts names unknown reason code 'unrechable'"
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"transitions": (Transition("go", ["a"], "b", ("sales",)),)}, "transitions[0]"),  # type: ignore[arg-type]
        ({"transitions": (Transition("go", "a", "b", "sales"),)}, "transitions[0]"),  # type: ignore[arg-type]
        ({"transitions": (Transition("go", "a", "b", ("sales",), guards=None),)}, "transitions[0]"),  # type: ignore[arg-type]
        ({"transitions": (Transition("go", "a", "b", ("sales",), reasons="x"),)}, "transitions[0]"),  # type: ignore[arg-type]
        ({"transitions": ("go",)}, "transitions[0]"),
        ({"stages": (StageSpec("a", "sales"), "b")}, "stages[1]"),
        ({"stages": (StageSpec("a", "sales"), StageSpec("b", "sales", "yes"))}, "stages[1]"),  # type: ignore[arg-type]
        ({"initial": ["a"]}, "initial"),
        ({"entry": "ab"}, "entry"),
        ({"reasons": ["x"]}, "reasons"),
        ({"owners": "sales"}, "owners"),
        ({"attempt_event": None}, "attempt_event"),
    ],
)
def test_python_graphs_with_wrong_types_raise_graph_error(
    change: dict[str, object], field: str
) -> None:
    settings: dict[str, object] = {
        "name": "g",
        "stages": (StageSpec("a", "sales"), StageSpec("b", "sales", terminal=True)),
        "transitions": (Transition("go", "a", "b", ("sales",)),),
        "initial": "a",
        **change,
    }
    with pytest.raises(GraphError) as info:
        Graph(**settings)  # type: ignore[arg-type]
    assert info.value.problems[0].field.startswith(field), info.value.problems


def test_lists_are_accepted_where_tuples_are_expected() -> None:
    graph = Graph(
        "g",
        [StageSpec("a", "sales"), StageSpec("b", "sales", terminal=True)],  # type: ignore[arg-type]
        [Transition("go", "a", "b", ["sales"], reasons=["no_budget"], guards=[])],  # type: ignore[arg-type]
        initial="a",
        entry=["a"],  # type: ignore[arg-type]
    )
    assert graph.stage_names == ("a", "b")
    assert graph.entry == ("a",)
    assert graph.transitions[0] == Transition("go", "a", "b", ("sales",), reasons=("no_budget",))


def test_default_graph_with_the_hosts_number_of_contact_attempts() -> None:
    graph = default_graph(contact_attempts=5)
    record = new_lead("L-1", "mql", graph=graph)
    for hours in range(4):
        record, _ = advance(record, HandoffEvent("contact_attempt", at(hours), "sales"), graph)
    outcome = try_advance(
        record, HandoffEvent("reject", at(5), "sales", reason="unreachable"), graph
    )
    assert outcome.refusal == "guard-failed"
    assert "have 4 attempts, need 5" in outcome.message
    assert default_graph() == DEFAULT_GRAPH
    with pytest.raises(ConfigurationError, match="contact_attempts must be an integer >= 0"):
        default_graph(contact_attempts=-1)


def test_default_graph_with_the_hosts_reason_list() -> None:
    acquired = Reason("acquired", "company was acquired", "account", "update the account list")
    graph = default_graph(reasons={**STANDARD_REASONS, "acquired": acquired})
    record, _ = advance(
        new_lead("L-1", "mql", graph=graph),
        HandoffEvent("disqualify", T0, "sales", reason="acquired"),
        graph,
    )
    assert record.stage == "disqualified"
    assert "| acquired | company was acquired | update the account list |" in to_markdown(graph)
    # lose and recycle accept a fixed selection of codes: the message says which are missing
    with pytest.raises(ConfigurationError, match="'lose' names no_budget, competitor_chosen"):
        default_graph(reasons={"acquired": acquired})
    without = {k: v for k, v in STANDARD_REASONS.items() if k != "wrong_use_case"}
    with pytest.raises(ConfigurationError, match="fixed selection") as info:
        default_graph(reasons=without)
    assert "'lose' names wrong_use_case" in str(info.value)
    assert info.value.expected == "a reason list containing wrong_use_case"


def test_unhashable_values_in_a_python_graph_are_problems_not_type_errors() -> None:
    stages = (StageSpec("a", "sales"), StageSpec("b", "sales", terminal=True))
    odd = (
        Transition("go", "a", "b", ("sales",), kind=["x"]),  # type: ignore[arg-type]
        Transition("drop", "a", "b", ("sales",), guards=(ContactAttempts(reasons=(["u"],)),)),  # type: ignore[arg-type]
    )
    with pytest.raises(GraphError) as info:
        Graph("g", stages, odd, initial="a")
    assert [p.field.rsplit(".", 1)[1] for p in info.value.problems] == ["kind", "guards"]


def test_the_same_problems_from_json_and_toml(tmp_path: Path) -> None:
    as_json = tmp_path / "broken.json"
    as_json.write_text(json.dumps(BROKEN), encoding="utf-8")
    with pytest.raises(GraphError) as from_json:
        load_graph(as_json)
    with pytest.raises(GraphError) as from_dict:
        graph_from_dict(BROKEN)
    assert from_json.value.problems == from_dict.value.problems
    as_toml = tmp_path / "broken.toml"
    as_toml.write_text(
        """
name = "broken"
initial = "new"

[[stages]]
name = "new"
owner = "finance"

[[stages]]
name = "done"
owner = "sales"
terminal = true

[[stages]]
name = "island"
owner = "sales"

[[transitions]]
name = "drop"
from = "new"
to = "done"
actors = ["sales"]
kind = "lost"

[[transitions]]
name = "reopen"
from = "done"
to = "new"
actors = ["sales"]
reasons = ["bad_luck"]
""",
        encoding="utf-8",
    )
    with pytest.raises(GraphError) as from_toml:
        load_graph(as_toml)
    assert [p.message for p in from_toml.value.problems] == [
        "unknown owner 'finance' of stage 'new'; expected one of marketing, sales",
        "a lost transition needs a reason list",
        "transition out of terminal stage 'done'",
        "unknown reason code 'bad_luck'; not in the reason list",
        "stage 'island' is unreachable from the entry stages (new)",
        "stage 'island' has no way to a terminal stage",
    ]


def test_guard_actor_roles_must_be_known() -> None:
    data = graph_to_dict(DEFAULT_GRAPH)
    data["transitions"][3]["guards"] = [{"name": "contact_attempts", "actors": ["intern"]}]
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    assert [p.message for p in info.value.problems] == [
        "guard contact_attempts counts attempts of unknown actor 'intern'"
    ]
    data["transitions"][3]["guards"] = [{"name": "contact_attempts", "actors": "sales"}]
    with pytest.raises(GraphError, match=r"guards\[0\]\.actors: expected a list of actor roles"):
        graph_from_dict(data)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(graph_to_dict(DEFAULT_GRAPH)), encoding="utf-8-sig")
    assert load_graph(path) == DEFAULT_GRAPH


def test_stage_names_from_a_crm_get_a_suggestion() -> None:
    data = {
        "name": "crm",
        "initial": "new",
        "stages": [
            {"name": "new", "owner": "sales"},
            {"name": "Closed-Won", "owner": "sales", "terminal": True},
            {"name": "---", "owner": "sales", "terminal": True},
        ],
        "transitions": [],
    }
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    messages = [str(p) for p in info.value.problems]
    assert messages[:2] == [
        "stages[1].name: expected a lower_snake_case name, got 'Closed-Won'; e.g. 'closed_won'",
        "stages[2].name: expected a lower_snake_case name, got '---'",
    ]
