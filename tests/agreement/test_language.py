"""The agreement file: it parses, its cross-references are checked, errors point at the text."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadflow.agreement import parse_agreement
from leadflow.agreement.syntax import parse_tree
from leadflow.errors import AgreementSyntaxError, ConfigurationError, RuleSyntaxError
from leadflow.handoff import DEFAULT_HANDOFF

from .helpers import EXAMPLES, MINIMAL, shipped, with_scoring


def test_the_shipped_agreement_loads_and_its_tests_pass() -> None:
    agreement = shipped()
    assert [passed for _, passed, _ in agreement.run_tests()] == [True, True]
    assert agreement.handoff == DEFAULT_HANDOFF
    assert agreement.touch_rule.min_touches == 6
    assert agreement.graph.transition("mql", "reject").guards[0].minimum == 6  # type: ignore[attr-defined]


def test_a_minimal_agreement_uses_the_library_defaults(tmp_path: Path) -> None:
    agreement = with_scoring(MINIMAL, tmp_path)
    assert agreement.handoff is DEFAULT_HANDOFF
    assert agreement.touch_rule.min_touches == 6
    assert agreement.fingerprint != shipped().fingerprint


def error_of(body: str, tmp_path: Path) -> AgreementSyntaxError:
    with pytest.raises(AgreementSyntaxError) as info:
        with_scoring(body, tmp_path)
    return info.value


def test_syntax_error_has_position_caret_and_expected_words(tmp_path: Path) -> None:
    error = error_of(
        MINIMAL.replace("hot  within 4 business hours", "hot  within four hours"), tmp_path
    )
    assert str(error).startswith(f"{tmp_path / 'a.lf'}:8:15: expected a number, found 'four'")
    assert error.snippet.splitlines()[1].index("^") == error.snippet.splitlines()[0].index("four")
    assert (error.line, error.column) == (8, 15)


def test_end_of_file_is_reported_as_such(tmp_path: Path) -> None:
    error = error_of(MINIMAL.rstrip().rstrip("}"), tmp_path)
    assert "found end of file" in str(error)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("respond on office", "respond on ofice"),
            "unknown calendar ofice; did you mean 'office'?",
        ),
        (("hot  within", "hott within"), "no temperature produces hott; did you mean 'hot'?"),
        (('"anna" otherwise', "sales otherwise"), "unknown team sales"),
        (
            ('"anna" otherwise', '"anna" when employes >= 5\n  "ben" otherwise'),
            "unknown field 'employes' in a routing rule; did you mean 'employees'?",
        ),
        (
            ('"anna" otherwise', '"anna" otherwise\n  "ben" when employees >= 5'),
            "this rule can never match: 'otherwise' on line 11 already takes every lead",
        ),
        (
            (
                '"anna" otherwise',
                '"anna" when country is "DE"\n  "ben" when country is "DE"\n  "c" otherwise',
            ),
            "this rule can never match: line 11 has the same condition",
        ),
        (
            ('"anna" otherwise', '"anna" when country is "DE"'),
            "the last routing rule must be '... otherwise'",
        ),
        (
            ("reasons {", "handoff {\n  require company, emial\n}\nreasons {"),
            "unknown lead field emial: no lead model has it; did you mean 'email'?",
        ),
        (
            (
                "reasons {",
                "alerts over 30 days {\n  rejected icpp above 20 % tell ops\n}\nreasons {",
            ),
            "unknown reason or category icpp",
        ),
        (
            ("reasons {", "alerts over 30 days {\n  mql_to_sqll below 30 % tell ops\n}\nreasons {"),
            "unknown metric mql_to_sqll; did you mean 'mql_to_sql'?",
        ),
        (
            (
                '"anna" otherwise',
                'team t = ["a", "b"] round robin, at most 3 open each\n  t otherwise',
            ),
            "team t has a cap but no overflow owner",
        ),
        (("zone Europe/Berlin", "zone Europe/Berlyn"), "a.lf:5:8: unknown time zone"),
        (
            ("hot  within 4 business hours", 'hot  within 4 business hours\n  promise "by {when}"'),
            "the promise text may only use {due}",
        ),
    ],
)
def test_cross_references_are_checked(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    body = MINIMAL.replace(*change)
    assert body != MINIMAL
    error = error_of(body, tmp_path)
    assert message in str(error)
    assert str(error).startswith(f"{tmp_path / 'a.lf'}:")
    assert "^" in error.snippet


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    body = MINIMAL.replace("respond on office", "respond on ofice").replace(
        "hot  within", "hott within"
    )
    error = error_of(body, tmp_path)
    assert len(error.errors) == 2


def test_a_knockout_reason_missing_from_the_reasons_is_an_error_in_the_rule_file(
    tmp_path: Path,
) -> None:
    body = MINIMAL.replace('  student            "student" -> "exclude students"\n', "")
    with pytest.raises(RuleSyntaxError) as info:
        with_scoring(body, tmp_path)
    assert "scoring.lf:27:10: unknown reason code 'student'" in str(info.value)


def test_an_unreadable_file_is_a_configuration_error(tmp_path: Path) -> None:
    from leadflow.agreement import load_agreement

    with pytest.raises(ConfigurationError, match="cannot read agreement file"):
        load_agreement(tmp_path / "missing.lf")


def test_the_handoff_block_replaces_the_definition(tmp_path: Path) -> None:
    body = MINIMAL + "handoff {\n  require company, email, phone\n  recommend title\n}\n"
    agreement = with_scoring(body, tmp_path)
    assert agreement.handoff.required == ("company", "email", "phone")
    assert agreement.handoff.business_email is False
    guard = agreement.graph.transition("iql", "promote").guards[0]
    assert guard.fields == ("company", "email", "phone")  # type: ignore[attr-defined]


@given(st.text(max_size=200))
def test_any_text_raises_only_agreement_syntax_errors(text: str) -> None:
    error = _raised(lambda: parse_tree(text, "fuzz.lf"))
    if error is not None:
        assert error.line >= 1
        assert error.column >= 1


@given(st.text(alphabet=st.sampled_from(list('abc{}"=,0123456789 \n%-:[]')), max_size=120))
def test_near_miss_text_raises_only_agreement_syntax_errors(text: str) -> None:
    error = _raised(lambda: parse_agreement(text, source="fuzz.lf"))
    if error is not None:
        assert 1 <= error.line <= max(1, text.count("\n") + 1)


def _raised(call: Callable[[], object]) -> AgreementSyntaxError | None:
    """The syntax error ``call`` raises (anything else propagates and fails the test)."""
    try:
        call()
    except AgreementSyntaxError as error:
        return error
    return None


def test_an_agreement_file_keeps_a_bounded_number_of_errors() -> None:
    from leadflow._snippets import MAX_KEPT

    text = "\n".join(f'calendar c{i} {{\n  hours "mon-fri 08:00-18:00"\n}}' for i in range(150))
    with pytest.raises(AgreementSyntaxError) as info:
        parse_agreement(text, source="many.lf")
    assert len(info.value.errors) == MAX_KEPT
    assert len(info.value.errors) + info.value.omitted == 153  # 150 calendars + 3 missing blocks
    assert f"({MAX_KEPT - 1 + info.value.omitted} more)" in str(info.value)


@pytest.mark.parametrize("relative", [True, False])
def test_errors_name_the_agreement_file_as_it_was_passed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool
) -> None:
    from leadflow.agreement import load_agreement

    folder = tmp_path / "deals" / "2026"
    folder.mkdir(parents=True)
    (folder / "scoring.lf").write_text(
        (EXAMPLES / "scoring.lf").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "a.lf").write_text(MINIMAL.replace("respond on office", "respond on ofice"))
    monkeypatch.chdir(tmp_path)
    given = str(Path("deals", "2026", "a.lf")) if relative else str(folder / "a.lf")
    with pytest.raises(AgreementSyntaxError) as info:
        load_agreement(given)
    assert info.value.source == given
    assert str(info.value).startswith(f"{given}:7:12: unknown calendar ofice")
    # the included rule file is named as the agreement's folder joined with the include
    (folder / "a.lf").write_text(MINIMAL)
    (folder / "scoring.lf").write_text("mql when employees >= 5 and\n", encoding="utf-8")
    with pytest.raises(RuleSyntaxError) as rule_info:
        load_agreement(given)
    assert rule_info.value.source == str(Path(given).parent / "scoring.lf")
    # and a good file keeps the name in the rule line of a routing decision
    (folder / "scoring.lf").write_text(
        (EXAMPLES / "scoring.lf").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert load_agreement(Path(given)).route_rules[-1].where.source == given


def test_a_path_that_is_no_path_is_a_configuration_error() -> None:
    from leadflow.agreement import load_agreement

    with pytest.raises(ConfigurationError, match="must be text or a path"):
        load_agreement(42)  # type: ignore[arg-type]


ROLES = 'roles {\n  sales_manager "Sales manager"\n  vp_sales "VP Sales"\n}\n'
TEAM = '"anna" otherwise'
TEAMED = 'team inside = ["anna", "ben"] round robin, lead "tina"\n  inside otherwise'


def refused_at(text: str, tmp_path: Path, where: tuple[int, int], message: str) -> None:
    """Loading ``text`` fails first at ``where`` (line, column) with ``message``, caret shown."""
    error = error_of(text, tmp_path)
    assert str(error).startswith(f"{tmp_path / 'a.lf'}:{where[0]}:{where[1]}: ")
    assert message in str(error).splitlines()[0]
    assert "^" in error.snippet


@pytest.mark.parametrize(
    ("extra", "where", "message"),
    [
        (
            ROLES + "escalate feedback {\n  after 48 hours -> sales_manger\n}\n",
            (24, 21),
            "unknown recipient sales_manger; did you mean 'sales_manager'?",
        ),
        (
            "escalate feedback {\n  after 48 hours -> sales_manager\n}\n",
            (20, 21),
            "a person goes in quotes); declare it in a 'roles' block",
        ),
        (
            ROLES + 'escalate feedback {\n  after 48 hours -> "annna"\n}\n',
            (24, 21),
            "unknown person \"annna\"; did you mean 'anna'?",
        ),
        (
            ROLES + "escalate feedbak {\n  after 48 hours -> sales_manager\n}\n",
            (23, 10),
            "unknown duty feedbak; did you mean 'feedback'? (a ladder escalates one of: feedback, response)",
        ),
        (
            ROLES + "escalate response {\n  after 3 hours elapsed -> sales_manager\n}\n",
            (23, 10),
            "the response ladder's step 'after 3 hours' does not come after the duty's due time "
            "(4 business hours)",
        ),
        (
            ROLES + "escalate response {\n  after 4 business hours -> sales_manager\n}\n",
            (23, 10),
            "does not come after the duty's due time (4 business hours)",
        ),
        (
            ROLES + "escalate response {\n  after 2 business days business -> vp_sales\n}\n",
            (24, 25),
            "say the clock once: '2 business days' is business time already",
        ),
        (
            ROLES
            + "escalate feedback {\n  after 2 days -> vp_sales\n}\n"
            + "escalate feedback {\n  after 3 days -> vp_sales\n}\n",
            (26, 10),
            "a second ladder for feedback; line 23 has one",
        ),
        (
            ROLES + "escalate feedback {\n}\n",
            (23, 10),
            "the ladder of feedback has no steps",
        ),
        (
            # once roles are declared, every lead duty's recipient is checked
            ROLES + "feedback {\n  disposition within 2 weeks tell sales_manger\n}\n",
            (24, 35),
            "unknown recipient sales_manger; did you mean 'sales_manager'?",
        ),
        (
            ROLES + 'roles {\n  sales_manager "again"\n}\n',
            (24, 3),
            "role sales_manager is listed twice",
        ),
    ],
)
def test_escalation_ladders_are_checked_at_load(
    tmp_path: Path, extra: str, where: tuple[int, int], message: str
) -> None:
    refused_at(MINIMAL + extra, tmp_path, where, message)


def test_a_ladder_joins_its_duty_and_resolves_its_recipients(tmp_path: Path) -> None:
    body = (
        MINIMAL.replace(TEAM, TEAMED)
        + ROLES
        + "feedback {\n  disposition within 2 weeks tell sales_manager\n}\n"
        + "escalate disposition {\n  after 3 weeks -> vp_sales, team_lead\n}\n"
        + 'escalate response {\n  after 2 business days -> sales_manager, "tina"\n'
        + "  after 72 hours elapsed -> team_lead, inside, owner\n}\n"
        + "escalate feedback {\n  after 48 hours elapsed -> sales_manager\n"
        + "  after 5 business days -> vp_sales\n}\n"
    )
    agreement = with_scoring(body, tmp_path)
    assert agreement.roles == {"sales_manager": "Sales manager", "vp_sales": "VP Sales"}
    assert [(s.after.text, s.after.clock, s.notify) for s in agreement.response_ladder] == [
        ("2 business days", "business", ("sales_manager", "tina")),
        ("72 hours", "elapsed", ("team_lead", "inside", "owner")),
    ]
    disposition = agreement.timer_specs["disposition"]
    assert [(s.after.text, s.notify) for s in disposition.steps] == [
        ("2 weeks", ("sales_manager",)),
        ("3 weeks", ("vp_sales", "team_lead")),
    ]
    feedback = agreement.timer_specs["feedback"]  # the ladder is the duty: its first step is due
    assert feedback.stage == "mql"
    assert [(s.after.text, s.after.clock) for s in feedback.steps] == [
        ("48 hours", "elapsed"),
        ("5 business days", "business"),
    ]
    page = agreement.render("markdown")
    assert (
        "**First contact still missing** (escalation, from the handoff): after 2 business days "
        "tell sales_manager, tina; after 72 hours tell team_lead, inside, owner." in page
    )
    assert "after 2 weeks tell sales_manager; after 3 weeks tell vp_sales, team_lead." in page
    assert "**Roles**: `sales_manager` Sales manager; `vp_sales` VP Sales." in page
    assert "after 2 business days tell sales_manager, tina" in agreement.render("html")


def alerts_block(block: str = "", line: str = "", recipient: str = "ops") -> str:
    """An ``alerts`` block (lines 19-23 after MINIMAL) with an optional minimum sample."""
    return (
        f"alerts over 30 days{block} {{\n"
        f"  mql_to_sql     below 30 %{line} tell {recipient}\n"
        "  sal_acceptance below 60 % tell ops\n"
        "  rejected no_icp_fit above 20 % of at least 1 lead tell ops\n"
        "}\n"
    )


def test_the_minimum_sample_is_stated_for_the_block_and_overridden_per_line(
    tmp_path: Path,
) -> None:
    stated = with_scoring(
        MINIMAL + alerts_block(", at least 50 leads", " of at least 1000000 leads"), tmp_path
    )
    assert stated.parts.alerts_min_sample == 50
    assert [a.min_sample for a in stated.parts.alerts] == [1_000_000, 50, 1]
    assert stated.parts.alerts[0].text == (
        "mql_to_sql below 30 % of at least 1000000 leads tell ops"
    )
    unstated = with_scoring(MINIMAL + alerts_block(), tmp_path)
    assert unstated.parts.alerts_min_sample is None
    assert [a.min_sample for a in unstated.parts.alerts] == [20, 20, 1]


@pytest.mark.parametrize(
    ("block", "line", "where", "message"),
    [
        (
            ", at least 0 leads",
            "",
            (19, 31),
            "a minimum sample lies between 1 and 1,000,000 leads, not 0",
        ),
        ("", " of at least 1000001 leads", (20, 41), "between 1 and 1,000,000 leads, not 1000001"),
        (
            "",
            " of at least 2.5 leads",
            (20, 41),
            "a minimum sample is a whole number of leads (1 to 1,000,000), not 2.5",
        ),
        (
            "",
            " of at least " + "9" * 5000 + " leads",
            (20, 41),
            "a number below 1,000,000,000 (at most 9 digits before the point), not one of 5,000 digits",
        ),
        (", at least twenty leads", "", (19, 31), "expected a number, found 'twenty'"),
        (", at least -3 leads", "", (19, 31), "expected a number, found '-'"),
        ("", " of at least 50", (20, 44), "expected 'lead' or 'leads', found 'tell'"),
        (", 20 leads", "", (19, 22), "found '20'"),
    ],
)
def test_a_minimum_sample_out_of_bounds_or_not_whole_is_refused_at_its_position(
    tmp_path: Path, block: str, line: str, where: tuple[int, int], message: str
) -> None:
    error = error_of(MINIMAL + alerts_block(block, line), tmp_path)
    assert (error.line, error.column) == where
    assert str(error).startswith(f"{tmp_path / 'a.lf'}:{where[0]}:{where[1]}: ")
    assert message in str(error).splitlines()[0]
    assert "^" in error.snippet


ALERT_ROLES = ROLES.replace("}\n", '  marketing "Marketing"\n  revops "Revenue operations"\n}\n')
MISSES = "escalate misses {\n  1 week tell revops\n  1 month tell {who}\n}\n"


@pytest.mark.parametrize(
    ("extra", "where", "message"),
    [
        (
            ALERT_ROLES + alerts_block(recipient="marketting"),
            (26, 34),
            "unknown recipient marketting; did you mean 'marketing'? (a role or a team; "
            "a person goes in quotes)",
        ),
        (
            ALERT_ROLES
            + alerts_block(recipient="marketing").replace("tell ops", "tell marketing")
            + MISSES.replace("{who}", "executive_board"),
            (32, 16),
            "unknown recipient executive_board; expected one of: marketing, revops, "
            "sales_manager, vp_sales (a role or a team; a person goes in quotes)",
        ),
        (
            ALERT_ROLES + alerts_block(recipient='"ICP workshop"'),
            (26, 34),
            'unknown person "ICP workshop"; expected one of: anna',
        ),
        (
            ALERT_ROLES + MISSES.replace("{who}", "owner"),
            (27, 16),
            "an alert judges many leads: there is no one owner to tell; name a role or a team",
        ),
        (  # owner and team_lead name one lead's people: refused even without a roles block
            alerts_block(recipient="team_lead"),
            (20, 34),
            "there is no one team lead to tell",
        ),
    ],
)
def test_alert_and_miss_recipients_are_checked_at_load(
    tmp_path: Path, extra: str, where: tuple[int, int], message: str
) -> None:
    refused_at(MINIMAL + extra, tmp_path, where, message)


def test_alert_and_meeting_names_are_free_text_without_roles_and_checked_with_them(
    tmp_path: Path,
) -> None:
    meeting = "meetings {\n  sync weekly on monday 09:00 for 30 minutes with {who}\n}\n"
    free = with_scoring(
        MINIMAL
        + alerts_block(recipient="anyone")
        + MISSES.replace("{who}", "board")
        + meeting.replace("{who}", "nobody, anyone"),
        tmp_path,
    )
    assert free.parts.alerts[0].notify == ("anyone",)
    assert [m.notify for m in free.parts.misses] == [("revops",), ("board",)]
    assert free.parts.meetings[0].attendees == ("nobody", "anyone")
    declared = (
        MINIMAL.replace(TEAM, TEAMED)
        + ALERT_ROLES
        + alerts_block(recipient='marketing, inside, "tina"').replace("tell ops", "tell revops")
        + MISSES.replace("{who}", "vp_sales, inside")
    )
    teamed = with_scoring(
        declared + meeting.replace("{who}", 'marketing, inside, "tina"'), tmp_path
    )
    assert teamed.parts.alerts[0].notify == ("marketing", "inside", "tina")
    assert teamed.parts.meetings[0].attendees == ("marketing", "inside", "tina")
    line = declared.count("\n") + 2
    unknown = _raised(
        lambda: with_scoring(declared + meeting.replace("{who}", "marketing, nobody"), tmp_path)
    )
    assert unknown is not None
    assert (unknown.line, unknown.column) == (line, 62)
    assert "unknown recipient nobody" in str(unknown)
    owner = _raised(lambda: with_scoring(MINIMAL + meeting.replace("{who}", "owner"), tmp_path))
    assert owner is not None
    assert "a meeting is about many leads: there is no one owner to invite" in str(owner)


_NUMBERS = re.compile(r"(?<![\w.:\-])\d+(\.\d+)?(?![\w:\-])")


@pytest.mark.parametrize("number", ["9" * 400, "1000000000", "999999999", "36600"])
def test_any_number_of_the_shipped_agreement_made_huge_is_an_error_at_its_place(
    number: str,
) -> None:
    """Every number the example states (durations, shares, caps, touches, samples, meeting
    lengths, test leads), replaced by a huge one: a syntax error there or a valid agreement,
    never a foreign exception (an ``OverflowError`` from ``int(float(...))`` or
    ``timedelta``, before the bounds)."""
    text = (EXAMPLES / "agreement.lf").read_text(encoding="utf-8")
    places = list(_NUMBERS.finditer(text))
    assert len(places) > 25
    errors = 0
    for place in places:
        changed = text[: place.start()] + number + text[place.end() :]
        line = text.count("\n", 0, place.start()) + 1
        column = place.start() - text.rfind("\n", 0, place.start())
        error = _raised(partial(parse_agreement, changed, source="big.lf", base_dir=EXAMPLES))
        if error is not None:
            errors += 1
            assert (error.line, error.column) == (line, column), str(error)
    if len(number) > 9:
        assert errors == len(places)
    else:
        assert errors > 5


@pytest.mark.parametrize(
    ("stated", "longer", "longest"),
    [
        ("over 2 weeks", "over 123 months", "over 122 months"),
        (
            "disposition within 2 weeks",
            "disposition within 523 weeks",
            "disposition within 522 weeks",
        ),
        ("after 5 business days", "after 3661 business days", "after 3660 business days"),
        ("for 4 hours", "for 87841 hours", "for 87840 hours"),
    ],
)
def test_a_duration_longer_than_ten_years_is_refused(
    stated: str, longer: str, longest: str
) -> None:
    text = (EXAMPLES / "agreement.lf").read_text(encoding="utf-8")
    assert text.count(stated) == 1
    error = _raised(
        lambda: parse_agreement(text.replace(stated, longer), source="long.lf", base_dir=EXAMPLES)
    )
    assert error is not None
    assert "a duration of at most 3,660 days (about ten years)" in str(error)
    assert error.line == text[: text.index(stated)].count("\n") + 1
    parse_agreement(text.replace(stated, longest), base_dir=EXAMPLES)  # ten years: valid
