"""The signed page (Markdown, HTML) and the meeting rhythm as iCalendar."""

from __future__ import annotations

from datetime import date, datetime

import icalendar
import pytest
from dateutil import rrule

from leadflow.agreement import parse_agreement
from leadflow.errors import AgreementInputError, NaiveDatetimeError

from .helpers import BERLIN, EXAMPLES, shipped

A = shipped()


def test_markdown_holds_every_part_of_the_agreement() -> None:
    page = A.render("markdown")
    for needle in (
        "# Muster Software GmbH: marketing and sales",
        "company, business email, title, source",
        "| hot | within 4 business hours | 75 % → owner | → sales_manager |",
        "| team enterprise | employees >= 1000 and country in AT, CH, DE | 39 |",
        "6 touches over 2 weeks, at least 1 day apart",
        "after 48 hours tell sales_manager; after 5 business days tell vp_sales",
        "| no_budget | no budget | qualify budget earlier (form field, pre-sales call) |",
        "| mql_to_sql | below 30 % | 20 leads | marketing |",
        "| rejected icp | above 20 % | 20 leads | icp_workshop |",
        "A rate on fewer leads than its minimum sample is not judged.",
        "Missed for 3 months in a row: executive_board.",
        "| kpi review | monthly on first tuesday 14:00 | 1 hour | marketing, sales, revops |",
        "- Head of Sales: ______",
    ):
        assert needle in page, needle


def test_html_is_one_self_contained_page_for_a4() -> None:
    page = A.render("html")
    assert page.startswith("<!DOCTYPE html>")
    assert "@page { size: A4;" in page
    assert "<script" not in page
    assert "src=" not in page
    assert "href=" not in page
    assert "<strong>Contact</strong>" in page
    assert page.count("<table>") == 5


def test_the_page_shows_each_alerts_minimum_sample() -> None:
    text = (EXAMPLES / "agreement.lf").read_text(encoding="utf-8")
    text = text.replace("at least 20 leads {", "at least 1500 leads {")
    text = text.replace("below 30 %  tell", "below 30 % of at least 1 lead tell")
    page = parse_agreement(text, source="a.lf", base_dir=EXAMPLES).render("markdown")
    assert "| mql_to_sql | below 30 % | 1 lead | marketing |" in page
    assert "| sal_acceptance | below 60 % | 1,500 leads | revops |" in page
    html = parse_agreement(text, source="a.lf", base_dir=EXAMPLES).render("html")
    assert "<th>minimum sample</th>" in html
    assert "<td>1,500 leads</td>" in html


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(AgreementInputError, match="unknown format 'pdf'"):
        A.render("pdf")


def expanded(text: str, until: datetime) -> dict[str, list[datetime]]:
    calendar = icalendar.Calendar.from_ical(text)
    out = {}
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        rule = rrule.rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
        out[str(event["SUMMARY"])] = list(rule.between(start, until, inc=True))
    return out


def test_meetings_ics_reads_back_and_expands_to_the_rhythm() -> None:
    start = datetime(2027, 1, 1, tzinfo=BERLIN)
    until = datetime(2027, 12, 31, tzinfo=BERLIN)
    text = A.meetings_ics(start=start, until=until)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    meetings = expanded(text, until)
    weekly = meetings["Pipeline review"]
    assert len(weekly) == 52
    assert all(m.weekday() == 0 and (m.hour, m.minute) == (9, 0) for m in weekly)
    assert {m.utcoffset().total_seconds() for m in weekly} == {3600, 7200}  # type: ignore[union-attr]
    monthly = meetings["Kpi review"]
    assert [m.date() for m in monthly[:3]] == [date(2027, 1, 5), date(2027, 2, 2), date(2027, 3, 2)]
    assert all(m.weekday() == 1 and m.day <= 7 for m in monthly)
    quarterly = meetings["Planning"]
    assert [m.date() for m in quarterly] == [
        date(2027, 1, 4),
        date(2027, 4, 5),
        date(2027, 7, 5),
        date(2027, 10, 4),
    ]
    assert A.meetings_ics(start=start, until=until) == text


def test_meetings_ics_needs_aware_times_in_order() -> None:
    with pytest.raises(NaiveDatetimeError):
        A.meetings_ics(start=datetime(2027, 1, 1), until=datetime(2027, 2, 1, tzinfo=BERLIN))
    with pytest.raises(AgreementInputError, match="must lie after start"):
        A.meetings_ics(
            start=datetime(2027, 2, 1, tzinfo=BERLIN), until=datetime(2027, 1, 1, tzinfo=BERLIN)
        )
