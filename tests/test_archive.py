"""The archive's pure decisions (postmortem/archive.py): when, where, which labels, who may edit."""

from __future__ import annotations

from datetime import UTC, datetime

from postmortem import archive as plan
from postmortem.action_items.record import ItemsState, WaitingRow
from postmortem.incident import Incident
from postmortem.page import apply_edits, parse_page
from postmortem.page_state import PageState, label_change

GATES = ("data_collected", "approved")
OK = {"gates": {"data_collected": {"ok": True, "reason": ""}, "approved": {"ok": True, "reason": ""}}}
INCIDENT = Incident(key="INC-4", summary="Checkout down", project="INC", issue_type="Incident", severity="SEV-2",
                    service="checkout", started=datetime(2026, 12, 31, 16, 30, tzinfo=UTC))


def approved(**kw) -> PageState:
    return PageState(incident="INC-4", status="approved", labels=("postmortem", "postmortem-approved", "sev-2",
                                                                  "checkout", "inc-4"), extra={**OK, **kw})


def test_periods_follow_the_configured_timezone_and_grouping():
    # 16:30 UTC on 31 December is already 1 January in Seoul
    assert plan.period_of(INCIDENT.started, "quarter", "Asia/Seoul") == plan.Period("2027 Q1", ("2027", "2027-q1"))
    assert plan.period_of(INCIDENT.started, "quarter", "UTC") == plan.Period("2026 Q4", ("2026", "2026-q4"))
    assert plan.period_of(INCIDENT.started, "year", "UTC").title == "2026"
    assert plan.period_of(INCIDENT.started, "none", "UTC") == plan.Period(None, ("2026", "2026-q4"))
    assert plan.period_of(None, "quarter", "UTC") == plan.Period(None, ())


def test_rows_whose_tickets_wait_for_the_approval_hold_the_archive_until_they_are_made():
    waiting = approved().with_extra(action_items=ItemsState(waiting=(WaitingRow(1, "Add a canary stage"),)).to_dict())
    ready = plan.readiness(waiting, GATES, waiting.labels)
    assert not ready.ready and ready.tickets_due == 1
    assert "1 action item(s)" in ready.reason("en") and "티켓" in ready.reason("ko")


def test_ready_only_when_approved_and_every_gate_passes():
    assert plan.readiness(approved(), GATES, approved().labels).ready
    failing = approved().with_extra(gates={"data_collected": {"ok": False, "reason": "no start time"}})
    ready = plan.readiness(failing, GATES, failing.labels)
    assert not ready.ready
    assert ready.failing == (("data_collected", "no start time"), ("approved", "not checked yet"))
    assert "data_collected (no start time)" in ready.reason("en")
    assert "data_collected" in ready.reason("ko")
    draft = PageState(incident="INC-4", status="draft", extra=OK)
    assert plan.readiness(draft, GATES, ()).failing == (("approved", "the status is draft"),)


def test_a_status_label_set_back_by_hand_holds_the_page():
    state = approved()
    by_hand = [label for label in state.labels if label != "postmortem-approved"] + ["postmortem-in-review"]
    ready = plan.readiness(state, GATES, by_hand)
    assert not ready.ready and ready.reopened == "in-review"
    assert "in-review" in ready.reason("en")
    archived = PageState(incident="INC-4", status="archived", labels=("postmortem", plan.ARCHIVED_LABEL))
    assert plan.readiness(archived, GATES, ["postmortem", plan.ARCHIVED_LABEL]).ready
    assert plan.readiness(archived, GATES, ["postmortem", "postmortem-draft"]).reopened == "draft"


def test_placement_never_moves_twice_and_respects_a_person_s_move():
    assert plan.placement("PM", drafts_space="PM", archive_space="PMA").action == "move"
    assert plan.placement("PMA", drafts_space="PM", archive_space="PMA").action == "stay"
    assert plan.placement("TEAM", drafts_space="PM", archive_space="PMA") == plan.Placement("elsewhere", "TEAM")


def test_archive_labels_replace_draft_labels_and_later_refreshes_keep_period_labels():
    state = approved()
    period = plan.Period("2026 Q4", ("2026", "2026-q4"))
    on_page = [*state.labels, "team-payments"]
    change = plan.archive_labels(state, INCIDENT, ["postmortem"], on_page, period)
    assert set(change.add) == {"postmortem-archived", "2026", "2026-q4"}
    assert change.remove == ("postmortem-approved",)
    assert "team-payments" not in change.remove  # a person's label stays
    after = plan.archived_state(state, now=datetime(2027, 1, 2, tzinfo=UTC), space="PMA", parent="9",
                                period=period, url="u", title="t", labels=change, link_written=True, complete=True)
    assert after.status == "archived" and plan.is_complete(after) and after.link == {"url": "u", "title": "t"}
    labels_now = [label for label in on_page if label not in change.remove] + list(change.add)
    assert label_change(after, INCIDENT, ["postmortem"], labels_now).empty  # a refresh removes nothing
    # without the incident (deleted in Jira) the page keeps the severity and service it has
    gone = plan.archive_labels(state, None, ["postmortem"], on_page, period)
    assert set(gone.add) == {"postmortem-archived", "2026", "2026-q4"} and gone.remove == ("postmortem-approved",)


def test_restriction_always_keeps_debrief_and_writes_only_a_change():
    assert plan.restriction_change(((), ()), [], [], "me") is None
    assert plan.restriction_change(((), ()), ["sara"], ["sre"], "me") == (("me", "sara"), ("sre",))
    assert plan.restriction_change((("sara", "me"), ("sre",)), ["sara"], ["sre"], "me") is None
    assert plan.restriction_change((("sara",), ()), ["sara"], [], "me") == (("me", "sara"), ())


BODY = ('<ac:structured-macro ac:name="details" ac:schema-version="1"><ac:parameter ac:name="id">postmortem'
        '</ac:parameter><ac:rich-text-body><table><tbody><tr><th>Incident</th><td>INC-4</td></tr>'
        '<tr><th>Status</th><td><p local-id="a1"><ac:structured-macro ac:name="status" ac:schema-version="1">'
        '<ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">APPROVED</ac:parameter>'
        '</ac:structured-macro> </p></td></tr></tbody></table></ac:rich-text-body></ac:structured-macro>'
        '<h1>Summary</h1><p>Typed by a person &amp; kept.</p>')


def test_status_lozenge_is_spliced_and_everything_else_is_kept():
    page = parse_page(BODY)
    edit = plan.status_edit(page)
    new = apply_edits(BODY, [edit])
    assert parse_page(new).properties["status"].cell.statuses == ("ARCHIVED",)
    start, end = page.properties["status"].cell.inner
    assert new[:start] == BODY[:start] and new.endswith(BODY[end:])
    assert plan.status_edit(parse_page(new)) is None  # nothing more to write


def test_index_lists_the_report_and_label_searches_per_service_and_quarter():
    archived = [plan.Archived("INC-4", ("postmortem", "checkout", "2026", "2026-q4")),
                plan.Archived("INC-9", ("postmortem", "checkout", "search", "2027", "2027-q1"))]
    xml = plan.index_region(language="en", space="PMARCHIVE", base_url="https://x/wiki", archived=archived,
                            service_labels=["checkout", "search"])
    page = parse_page(xml)
    assert not [p for p in page.problems if p.code == "malformed"]
    assert 'ac:name="detailssummary"' in xml
    assert 'space = &quot;PMARCHIVE&quot; and label = &quot;postmortem&quot;' in xml or \
        'space = "PMARCHIVE" and label = "postmortem"' in xml
    assert "Incident,Severity,Service,Started,Duration,Owner,Trigger" in xml
    assert ">checkout</a> (2)" in xml and ">search</a> (1)" in xml
    assert xml.index("2027 Q1") < xml.index("2026 Q4")  # newest first
    assert "label%20%3D%20%22checkout%22%20and%20label%20%3D%20%222027%22" in xml  # checkout this year: a link
    assert "2" in plan.index_region(language="ko", space="PMARCHIVE", base_url="https://x/wiki",
                                    archived=archived, service_labels=["checkout"])
