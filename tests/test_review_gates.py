"""Each review gate, pure: pass, fail, and the reason a person reads (English and Korean)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from postmortem.action_items.record import ItemsState, PriorityFlag, RowRecord, WaitingRow
from postmortem.page import Edit, apply_edits, parse_page
from postmortem.page_state import PageState
from postmortem.review import GATES, ReviewContext, ReviewRecord, ReviewSettings, content_hash
from postmortem.review.drafted import drafted_timeline
from postmortem.review.record import Act
from tests.test_templates import T0, make_incident, render

NOW = T0 + timedelta(days=1)
MINA = "5b10ac8d82e05b22cc7d4ef5"
FUTURE = "2099-01-31"


def section(body: str, key: str, xml: str) -> str:
    s = parse_page(body).sections[key]
    return apply_edits(body, [Edit(s.content_span[0], s.content_span[1], xml, body[s.content_span[0]:s.content_span[1]])])


def add_to(body: str, key: str, xml: str) -> str:
    s = parse_page(body).sections[key]
    at = s.content_span[1]
    return apply_edits(body, [Edit(at, at, xml, "")])


def tick(body: str, gate: str) -> str:
    page = parse_page(body)
    return apply_edits(body, [page.set_task(next(t for t in page.checklist if t.gate == gate), True)])


def rows(body: str, *cells: tuple[str, str, str, str, str, str]) -> str:
    page = parse_page(body)
    example = page.action_items.rows[0]
    tr = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "<td></td></tr>" for row in cells)
    return apply_edits(body, [Edit(example.span[0], example.span[1], tr, body[example.span[0]:example.span[1]])])


def owner() -> str:
    return f'<ac:link><ri:user ri:account-id="{MINA}" /></ac:link>'


def ticket(key: str) -> str:
    return f'<ac:structured-macro ac:name="jira" ac:schema-version="1"><ac:parameter ac:name="key">{key}</ac:parameter></ac:structured-macro>'


def context(body: str, *, language: str = "en", incident=None, state: PageState | None = None,
            record: ReviewRecord | None = None, **settings) -> ReviewContext:
    incident = incident or make_incident()
    page = parse_page(body)
    return ReviewContext(page, incident, NOW, state or PageState("INC-7", language=language),
                         ReviewSettings(**{"reviewers": ("sara",), **settings}),
                         drafted_timeline(incident, language=language, timezone="Asia/Seoul", now=NOW),
                         record or ReviewRecord())


def judge(gate: str, body: str, **kw):
    result = GATES[gate](context(body, **kw))
    return result, result.reason("en"), result.reason("ko")


# --- data_collected -----------------------------------------------------------------------
def test_data_collected_fails_on_a_fresh_draft_and_says_what_to_add():
    result, en, ko = judge("data_collected", render("en"))
    assert not result.ok
    assert "timeline entries" in en and "Supporting information" in en
    assert "타임라인" in ko


def test_data_collected_passes_with_a_row_people_added():
    body = render("en")
    page = parse_page(body)
    table = next(t for t in page.tables() if t.rows and t.rows[0][0].text == "When")
    end = table.span[1] - len("</tbody></table>")
    body = apply_edits(body, [Edit(end, end, "<tr><td>14:20</td><td>Jun</td><td>Error graph spiked</td></tr>", "")])
    assert judge("data_collected", body)[0].ok


def test_data_collected_passes_with_a_link_to_graphs():
    body = add_to(render("en"), "supporting", '<p><a href="https://grafana.example.com/d/1">5xx graph</a></p>')
    result, en, _ = judge("data_collected", body)
    assert result.ok and "known" in en


def test_data_collected_fails_without_mitigation_time_and_names_it():
    incident = replace(make_incident(), mitigated=None)
    body = add_to(render("en", incident=incident), "supporting",
                  '<p><a href="https://grafana.example.com/d/1">5xx graph</a></p>')
    result, en, ko = judge("data_collected", body, incident=incident)
    assert not result.ok and "Times not known yet" in en and "mitigated" in en.lower()
    assert "모르는 시각" in ko


# --- impact_assessed ------------------------------------------------------------------------
def test_impact_only_prefilled_fails():
    result, en, ko = judge("impact_assessed", render("en"))
    assert not result.ok and "only the prefilled duration" in en and "지속 시간만" in ko


def test_impact_without_a_number_fails():
    body = add_to(render("en"), "impact", "<p>Many customers could not check out for a while.</p>")
    result, en, _ = judge("impact_assessed", body)
    assert not result.ok and "Quantify" in en


@pytest.mark.parametrize("text", ["About 12,400 users could not pay.", "18% of checkout requests failed.",
                                  "We lost $40,000 in sales.", "결제 요청 3만 건이 실패했습니다."])
def test_impact_quantified_passes(text):
    assert judge("impact_assessed", add_to(render("en"), "impact", f"<p>{text}</p>"))[0].ok


def test_impact_missing_section_says_to_put_the_heading_back():
    body = render("en").replace("<h2>Impact</h2>", "<h2>Effects</h2>")
    result, en, _ = judge("impact_assessed", body)
    assert not result.ok and "missing or renamed" in en and "Impact" in en


# --- root_cause ---------------------------------------------------------------------------
GOOD_CAUSE = "<p>The config change removed the health check route and no canary stage caught it.</p>"


def test_root_cause_empty_fails():
    result, en, ko = judge("root_cause", render("en"))
    assert not result.ok and "Write the root causes" in en and "근본 원인" in ko


def test_root_cause_written_but_unticked_fails_naming_the_task():
    result, en, _ = judge("root_cause", section(render("en"), "root_causes", GOOD_CAUSE))
    assert not result.ok and "Tick the review task" in en and "root cause is understood" in en


def test_root_cause_written_and_ticked_passes():
    body = tick(section(render("en"), "root_causes", GOOD_CAUSE), "root_cause")
    assert judge("root_cause", body)[0].ok


def test_root_cause_human_error_fails():
    body = tick(section(render("en"), "root_causes", "<p>The root cause was human error during the deploy.</p>"),
                "root_cause")
    result, en, ko = judge("root_cause", body)
    assert not result.ok and "blame" in en and "human error" in en.lower()
    assert "비난" in ko


def test_root_cause_naming_a_person_fails():
    body = tick(section(render("en"), "root_causes", f"<p>{owner()} pushed the config without review.</p>"),
                "root_cause")
    result, en, _ = judge("root_cause", body)
    assert not result.ok and "name a person" in en and MINA in en


# --- action_plan ---------------------------------------------------------------------------
def test_action_plan_without_rows_fails():
    result, en, ko = judge("action_plan", render("en"))
    assert not result.ok and "at least one action item" in en and "하나 이상" in ko


def test_action_plan_complete_rows_with_tickets_pass():
    body = rows(render("en"), ("Add a canary stage", "prevent", owner(), f'<time datetime="{FUTURE}" />', "",
                               ticket("ACT-1")))
    result, en, _ = judge("action_plan", body)
    assert result.ok and "1 action item" in en


def test_action_plan_row_missing_owner_type_due_and_ticket_says_each():
    result, en, ko = judge("action_plan", rows(render("en"), ("Add a canary stage", "", "", "", "", "")))
    assert not result.ok
    assert "row 1 (Add a canary stage)" in en and "no Owner" in en and "no Type" in en and "no Due" in en
    assert "no Ticket" in en
    assert "1행" in ko


def test_action_plan_rows_waiting_for_approval_need_no_ticket():
    body = rows(render("en"), ("Add a canary stage", "prevent", owner(), f'<time datetime="{FUTURE}" />', "", ""))
    state = PageState("INC-7").with_extra(action_items=ItemsState(waiting=(WaitingRow(1, "Add a canary stage"),)).to_dict())
    assert GATES["action_plan"](context(body, state=state, create_mode="on_approval")).ok
    assert not GATES["action_plan"](context(body, state=state, create_mode="on_edit")).ok
    # its ticket gets the matrix's due date when it is made: a waiting row needs none typed
    undated = rows(render("en"), ("Add a canary stage", "prevent", owner(), "", "", ""))
    assert GATES["action_plan"](context(undated, state=state, create_mode="on_approval")).ok
    result = GATES["action_plan"](context(undated, create_mode="on_approval"))
    assert not result.ok and "no Due" in result.reason("en")  # not waiting (not seen yet): still asked


def test_action_plan_due_date_of_the_ticket_counts():
    body = rows(render("en"), ("Add a canary stage", "prevent", owner(), "", "", ticket("ACT-1")))
    state = PageState("INC-7").with_extra(action_items=ItemsState(records=(
        RowRecord("ACT-1", "r1", jira={"due": FUTURE}),)).to_dict())
    assert GATES["action_plan"](context(body, state=state)).ok
    assert not GATES["action_plan"](context(body)).ok


def test_action_plan_low_priority_without_reason_fails_and_with_a_reason_passes():
    body = rows(render("en"), ("Write the runbook", "process", owner(), f'<time datetime="{FUTURE}" />', "Lowest",
                               ticket("ACT-2")))
    flag = PriorityFlag(1, "Write the runbook", "process", "SEV-2", "Lowest", "Medium", "ACT-2")
    state = PageState("INC-7").with_extra(action_items=ItemsState(flags=(flag,)).to_dict())
    result = GATES["action_plan"](context(body, state=state))
    assert not result.ok and "lower than Medium" in result.reason("en") and "매트릭스" in result.reason("ko")
    # A column people added, with the reason in it:
    page = parse_page(body)
    header = page.action_items
    body2 = body.replace("<th>Status</th></tr>", "<th>Status</th><th>Why</th></tr>", 1)
    row_end = parse_page(body2).action_items.rows[0].span[1] - len("</tr>")
    body2 = apply_edits(body2, [Edit(row_end, row_end, "<td>Runbook exists in draft already</td>", "")])
    assert header is not None and GATES["action_plan"](context(body2, state=state)).ok


def test_action_plan_merged_cells_fail_with_a_clear_reason():
    body = rows(render("en"), ("Add a canary stage", "prevent", owner(), "", "", ticket("ACT-1")))
    body = body.replace("<td>Add a canary stage</td>", '<td colspan="2">Add a canary stage</td>', 1)
    result, en, _ = judge("action_plan", body)
    assert not result.ok and "merged cells" in en


# --- results_shared ----------------------------------------------------------------------------
def test_results_shared_waits_for_the_mail_or_a_tick():
    result, en, ko = judge("results_shared", render("en"), share_email=("team@example.com",))
    assert not result.ok and "team@example.com" in en and "team@example.com" in ko
    result, en, _ = judge("results_shared", render("en"))
    assert not result.ok and "names nobody" in en


def test_results_shared_passes_when_sent_or_ticked():
    record = ReviewRecord(shared={"content": "x", "at": "2026-11-26T09:00:00+00:00", "to": ["team@example.com"]})
    result, en, _ = judge("results_shared", render("en"), record=record)
    assert result.ok and "E-mailed to team@example.com" in en
    assert judge("results_shared", tick(render("en"), "results_shared"))[0].ok


# --- blameless, no_personal_data ----------------------------------------------------------------
def test_blameless_fails_on_blame_and_a_waiver_lets_it_pass():
    body = add_to(render("en"), "lessons", "<p>Jun was careless and should have known better.</p>")
    result, en, ko = judge("blameless", body)
    assert not result.ok and "/waive" in en and "/waive" in ko
    ids = [f.id for f in context(body).findings if f.check == "blame"]
    record = ReviewRecord(waivers=tuple(Act("sara", "Sara", f"c{i}", "2026-11-26T00:00:00", finding=i2)
                                        for i, i2 in enumerate(ids)))
    assert judge("blameless", body, record=record)[0].ok
    assert judge("blameless", render("en"))[0].ok


def test_no_personal_data_fails_on_a_customer_email():
    body = add_to(render("en"), "impact", "<p>Customer kim.minsu@gmail.com could not pay.</p>")
    result, en, _ = judge("no_personal_data", body)
    assert not result.ok and "p-" in en
    assert judge("no_personal_data", render("en"))[0].ok


# --- approved --------------------------------------------------------------------------------
def test_approved_needs_a_reviewer_approval_for_this_content():
    body = render("en")
    page = parse_page(body)
    current = content_hash(page)
    result, en, ko = judge("approved", body)
    assert not result.ok and "0 of 1" in en and "/승인" in ko
    ok = ReviewRecord(approvals=(Act("sara", "Sara Lee", "c1", "2026-11-26T00:00:00", content=current),))
    result, en, _ = judge("approved", body, record=ok)
    assert result.ok and "Sara Lee" in en
    stale = ReviewRecord(approvals=(Act("sara", "Sara Lee", "c1", "2026-11-26T00:00:00", content="other"),))
    assert not judge("approved", body, record=stale)[0].ok
    assert judge("approved", body, record=stale, approval_survives_edits=True)[0].ok


def test_the_panel_shows_the_approvals_the_gate_counted_and_why_others_do_not():
    from postmortem.review import assess
    from postmortem.review.panel_lines import approval_lines

    body = render("en")
    edited = ReviewRecord(approvals=(Act("sara", "Sara Lee", "c1", "2026-11-26T00:00:00+00:00", content="older"),))
    for survives, counted in ((False, False), (True, True)):
        outcome = assess(context(body, record=edited, approval_survives_edits=survives), ["approved"], "en")
        assert outcome.all_pass is counted
        [(line, ok)] = approval_lines(ReviewRecord.from_dict(outcome.record.to_dict()), "en")
        assert (ok is True) is counted
        assert ("earlier version" in line) is not counted  # the panel agrees with the gate
    current = content_hash(parse_page(body))
    sent_back = ReviewRecord(
        approvals=(Act("sara", "Sara Lee", "c1", "2026-11-26T00:00:00+00:00", content=current),),
        rejections=(Act("sara", "Sara Lee", "c2", "2026-11-26T01:00:00+00:00", content=current, reason="numbers"),))
    outcome = assess(context(body, record=sent_back), ["approved"], "en")
    [(line, ok), (rejection, _)] = approval_lines(outcome.record, "en")
    assert ok is None and "before the page was sent back" in line and "numbers" in rejection
    [(line, _), _] = approval_lines(outcome.record, "ko")
    assert "되돌려 보내기 전" in line
    # a record kept from before the gates recorded what counted falls back to the content hash
    [(line, ok)] = approval_lines(replace(edited, content="older"), "en")
    assert ok is True and "earlier version" not in line


def test_approved_after_a_rejection_only():
    body = render("en")
    current = content_hash(parse_page(body))
    record = ReviewRecord(approvals=(Act("sara", "Sara", "c1", "2026-11-26T00:00:00+00:00", content=current),),
                          rejections=(Act("sara", "Sara", "c2", "2026-11-26T01:00:00+00:00", content=current,
                                          reason="needs numbers"),))
    assert not judge("approved", body, record=record)[0].ok


def test_approved_without_reviewers_says_the_setting_is_empty():
    result, en, ko = judge("approved", render("en"), reviewers=())
    assert not result.ok and "review.reviewers is empty" in en and "review.reviewers" in ko
