"""Review commands, comments into the record, status, content hash, reminders, agenda, texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postmortem.page import Edit, apply_edits, parse_page
from postmortem.review import content_hash, parse_command, read_comments, status_for
from postmortem.review.agenda import AgendaEntry, render_agenda
from postmortem.review.commands import PageComment
from postmortem.review.gates import GateResult
from postmortem.review.record import ReviewRecord
from postmortem.review.reminders import Schedule, due_reminders, next_reminder
from postmortem.review.texts import REVIEW_TEXTS
from postmortem.storage_format import check_storage
from tests.test_templates import render


@pytest.mark.parametrize("text,kind,finding,reason,problem", [
    ("/approve", "approve", "", "", ""),
    ("/승인 좋습니다", "approve", "", "좋습니다", ""),
    ("/reject needs numbers", "reject", "", "needs numbers", ""),
    ("/reject", "reject", "", "", "needs_reason"),
    ("/waive b-0a1b2c3d quoting the customer", "waive", "b-0a1b2c3d", "quoting the customer", ""),
    ("/waive b-0a1b2c3d", "waive", "b-0a1b2c3d", "", "needs_reason"),
    ("/waive nothing here", "waive", "nothing", "here", "needs_id"),
    ("/frobnicate", "unknown", "", "", "unknown"),
])
def test_parse_command(text, kind, finding, reason, problem):
    c = parse_command(text)
    assert (c.kind, c.finding, c.reason, c.problem) == (kind, finding, reason, problem)


@pytest.mark.parametrize("text", ["", "Looks good to me", "please /approve later"])
def test_conversation_is_not_a_command(text):
    assert parse_command(text) is None


def comment(cid: str, author: str, text: str, at: str = "2026-11-26T00:00:00Z") -> PageComment:
    return PageComment(cid, (author,), author.title(), at, text)


def test_read_comments_counts_reviewers_only_and_says_why_not():
    record = read_comments(ReviewRecord(), [comment("1", "jun", "/approve"), comment("2", "sara", "/approve"),
                                            comment("3", "sara", "/waive b-00000000 fine"),
                                            comment("4", "sara", "hello")],
                           content="h1", reviewers=["Sara"], finding_ids={"b-12345678"}, language="en")
    assert [(a.by, a.content) for a in record.approvals] == [("Sara", "h1")]
    whys = [i.why for i in record.ignored]
    assert any("is for the reviewers" in w for w in whys)
    assert any("no finding b-00000000" in w for w in whys)
    assert record.seen == ("1", "2", "3", "4")
    again = read_comments(record, [comment("2", "sara", "/approve")], content="h2", reviewers=["Sara"],
                          finding_ids=(), language="en")
    assert [a.content for a in again.approvals] == ["h1"]  # a comment read once keeps its binding


def test_status_follows_the_gates():
    r = lambda gate, ok: GateResult(gate, ok, ())  # noqa: E731
    content = [r("data_collected", True), r("root_cause", True)]
    assert status_for([*content, r("approved", False), r("results_shared", False)], "draft") == "in-review"
    assert status_for([*content, r("approved", True), r("results_shared", False)], "in-review") == "approved"
    assert status_for([r("data_collected", False), r("approved", True)], "approved") == "draft"
    assert status_for([*content], "archived") == "archived"


def test_content_hash_ignores_debriefs_cells_and_the_checklist():
    body = render("en")
    page = parse_page(body)
    before = content_hash(page)
    task = page.checklist[0]
    assert content_hash(parse_page(apply_edits(body, [page.set_task(task, True)]))) == before
    root = page.sections["root_causes"]
    edited = apply_edits(body, [Edit(root.content_span[0], root.content_span[1], "<p>A real cause.</p>",
                                     body[root.content_span[0]:root.content_span[1]])])
    assert content_hash(parse_page(edited)) != before


def test_reminders_latest_slot_and_escalation_in_the_timezone():
    created = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # 2 Nov in Seoul
    schedule = Schedule(3, 2, 10)
    at = lambda days: created + timedelta(days=days)  # noqa: E731
    assert due_reminders(created, at(2), "Asia/Seoul", schedule) == []
    assert [d.slot for d in due_reminders(created, at(3), "Asia/Seoul", schedule)] == ["remind-3"]
    assert [d.slot for d in due_reminders(created, at(6), "Asia/Seoul", schedule)] == ["remind-5"]
    assert [d.slot for d in due_reminders(created, at(11), "Asia/Seoul", schedule)] == ["remind-11", "escalate"]
    assert next_reminder(created, at(4), "Asia/Seoul", schedule).isoformat() == "2026-11-07"


def test_agenda_oldest_first_escaped():
    entries = [AgendaEntry("B <new>", "PM", "2026-11-20T00:00:00", "draft", 2, "Mina", ("root_cause",), "2026-11-23"),
               AgendaEntry("A & old", "PM", "2026-11-01T00:00:00", "in-review", 21, "", (), "")]
    xml = render_agenda(entries, "en")
    check_storage(xml)
    assert xml.index("A &amp; old") < xml.index("B &lt;new&gt;")
    assert "Root cause" in xml and "IN REVIEW" in xml
    assert "리뷰를 기다리는 포스트모템이 없습니다" in render_agenda([], "ko")


def test_every_review_text_exists_in_both_languages_with_the_same_fields():
    from postmortem.messages import fields_of

    assert set(REVIEW_TEXTS["en"]) == set(REVIEW_TEXTS["ko"])
    for key, value in REVIEW_TEXTS["en"].items():
        assert fields_of(value) == fields_of(REVIEW_TEXTS["ko"][key]), key
