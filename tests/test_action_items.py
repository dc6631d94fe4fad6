"""The action-item planning core: priorities, due dates, bad rows, claims, cells kept in step."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape

import pytest

from config.settings import load_settings
from postmortem.action_items import (
    Claim,
    CreateScreen,
    Facts,
    ItemsState,
    JiraUser,
    Ticket,
    plan_items,
)
from postmortem.action_items.plan import fingerprint, reason_text
from postmortem.action_items.record import Refusal, RowRecord
from postmortem.action_items.tickets import PageRef, issue_update
from postmortem.action_items.values import jira_macro
from postmortem.page import apply_edits, parse_page
from postmortem.page.markers import anchor_xml
from postmortem.page_state import PageState
from postmortem.priorities import ITEM_TYPES, item_type_of
from postmortem.review_panel import ReviewPanel, panel_for_state, render_panel, with_action_items
from tests.helpers import ROOT

POLICY = load_settings(ROOT / "app.yaml").action_items
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
MINA = JiraUser(account_id="acc-mina", display_name="Mina Park")
JUN = JiraUser(account_id="acc-jun", display_name="Jun Seo")
TODAY = date(2026, 12, 1)
HEADER = "<tr><th><p>Action item</p></th><th><p>Type</p></th><th><p>Owner</p></th><th><p>Due</p></th>" \
         "<th><p>Priority</p></th><th><p>Ticket</p></th><th><p>Status</p></th><th><p>Notes</p></th></tr>"
PLACEHOLDER_ROW = ('<tr><td><ac:placeholder>Describe one concrete, verifiable action</ac:placeholder></td>'
                   '<td><ac:placeholder>prevent</ac:placeholder></td><td><ac:placeholder ac:type="mention">'
                   '@mention the owner</ac:placeholder></td><td><ac:placeholder>YYYY-MM-DD</ac:placeholder></td>'
                   '<td /><td><ac:placeholder>created by Debrief</ac:placeholder></td>'
                   '<td><ac:placeholder>TODO</ac:placeholder></td><td /></tr>')


def mention(account_id: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account_id}" /></ac:link>'


MINA_MENTION = mention("acc-mina")
NOTHING = ItemsState()


def row(action="Add a canary stage", kind="prevent", owner=MINA_MENTION, due='<time datetime="2026-12-20" />',
        priority="", ticket="", status="", notes="keep me", local_id="") -> str:
    tr = f'<tr ac:local-id="{local_id}">' if local_id else "<tr>"
    cells = [escape(action) if action else "", escape(kind), owner, due, escape(priority), ticket, escape(status),
             escape(notes)]
    return tr + "".join(f"<td><p>{c}</p></td>" if c else "<td><p /></td>" for c in cells) + "</tr>"


def body(*rows: str) -> str:
    return ('<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:parameter ac:name="title">Debrief review'
            f'</ac:parameter><ac:rich-text-body><p>{anchor_xml("debrief-review")}</p><p>The review has not run '
            'yet.</p></ac:rich-text-body></ac:structured-macro>'
            '<h2>Action items</h2><p>One row per action.</p>'
            f'<table data-layout="default" ac:local-id="t1"><tbody>{HEADER}{"".join(rows)}</tbody></table>'
            "<h2>Lessons learned</h2><p>Something.</p>")


def facts(**kw) -> Facts:
    base = dict(today=TODAY, severity="SEV-2", language="en", cloud=True, priorities=PRIORITIES,
                users={"account-id:acc-mina": MINA, "account-id:acc-jun": JUN, "account-id:ghost": None})
    base.update(kw)
    return Facts(**base)


def plan(text: str, before: ItemsState = NOTHING, policy=POLICY, **kw):
    return plan_items(parse_page(text), "4242", before, facts(**kw), policy, "INC-1")


def only_problem(result) -> list[tuple[str, str]]:
    assert not result.create
    (problem,) = result.state.problems
    return list(problem.reasons)


# --- priorities ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ITEM_TYPES)
@pytest.mark.parametrize("severity", ["SEV-1", "SEV-2", "SEV-3", "SEV-4"])
def test_the_matrix_gives_the_priority_and_due_days_the_date(kind, severity):
    result = plan(body(row(kind=kind, due="")), severity=severity)
    (ticket,) = result.create
    expected = POLICY.priorities[kind][severity]
    assert ticket.priority == expected and not ticket.priority_typed
    assert ticket.due == POLICY.due_date(expected, TODAY)
    assert not result.state.flags


def test_an_unknown_severity_gets_the_default_priority():
    (ticket,) = plan(body(row(kind="process")), severity=None).create
    assert ticket.priority == POLICY.default_priority


def test_a_typed_priority_wins_and_a_higher_one_is_not_flagged():
    (ticket,) = plan(body(row(kind="process", priority="highest"))).create
    assert ticket.priority == "Highest" and ticket.priority_typed
    assert not plan(body(row(kind="process", priority="highest"))).state.flags


def test_a_typed_priority_lower_than_the_matrix_wins_but_is_flagged_for_the_action_plan_gate():
    result = plan(body(row(kind="mitigate", priority="Low")), severity="SEV-1")
    (ticket,) = result.create
    assert ticket.priority == "Low"
    (flag,) = result.state.flags
    assert (flag.typed, flag.matrix, flag.item_type, flag.severity, flag.gate) == (
        "Low", "Highest", "mitigate", "SEV-1", "action_plan")
    assert ItemsState.from_dict(result.state.to_dict()).flags == (flag,)


def test_a_priority_jira_does_not_have_is_a_bad_row():
    assert only_problem(plan(body(row(priority="Urgent!")))) == [("unknown_priority", "Urgent!")]


def test_a_matrix_priority_jira_does_not_have_is_reported_not_sent():
    from dataclasses import replace
    policy = replace(POLICY, priorities={**POLICY.priorities, "detect": {"SEV-2": "P2"}})
    assert only_problem(plan(body(row(kind="detect")), policy=policy)) == [("unknown_priority", "P2")]


def test_korean_type_names_count():
    assert item_type_of("예방") == "prevent" and item_type_of(" Mitigate ") == "mitigate"
    (ticket,) = plan(body(row(kind="완화")), severity="SEV-1").create
    assert ticket.item_type == "mitigate" and ticket.priority == "Highest"


# --- dates -------------------------------------------------------------------------------
def test_the_rows_date_is_the_due_date_as_a_date_macro_or_plain_text():
    assert plan(body(row(due='<time datetime="2026-12-24" />'))).create[0].due == date(2026, 12, 24)
    assert plan(body(row(due="2027-01-15"))).create[0].due == date(2027, 1, 15)
    assert plan(body(row(due=f"<time datetime=\"{TODAY.isoformat()}\" />"))).create[0].due == TODAY


@pytest.mark.parametrize("due,reason", [
    ("next friday", ("bad_date", "next friday")),
    ("2026-02-30", ("bad_date", "2026-02-30")),
    ('<time datetime="2026-11-30" />', ("past_date", "2026-11-30")),
])
def test_a_date_that_does_not_parse_or_lies_in_the_past_is_a_bad_row(due, reason):
    assert only_problem(plan(body(row(due=due)))) == [reason]


# --- bad rows ----------------------------------------------------------------------------
@pytest.mark.parametrize("changes,reason", [
    ({"kind": "fix"}, ("unknown_type", "fix")),
    ({"kind": ""}, ("no_type", "")),
    ({"owner": ""}, ("no_owner", "")),
    ({"owner": "@mina"}, ("owner_not_mention", "@mina")),
    ({"owner": mention("ghost")}, ("owner_not_user", "ghost")),
    ({"owner": mention("acc-mina") + " " + mention("acc-jun")}, ("several_owners", "2")),
    ({"ticket": "ACT-404"}, ("unknown_ticket", "ACT-404")),
])
def test_a_row_debrief_cannot_make_a_ticket_from_is_listed_with_its_reason(changes, reason):
    result = plan(body(row(**changes)), tickets={"ACT-404": None})
    assert only_problem(result) == [reason]
    assert reason_text(*reason, "en") and reason_text(*reason, "ko")


def test_every_reason_of_a_bad_row_is_given_and_good_rows_still_go_ahead():
    result = plan(body(row(action="bad one", kind="fix", owner="", due="soon"), row(action="good one")))
    assert [t.action for t in result.create] == ["good one"]
    (problem,) = result.state.problems
    assert problem.row == 1 and [c for c, _ in problem.reasons] == ["unknown_type", "no_owner", "bad_date"]


def test_a_field_the_create_screen_requires_that_debrief_cannot_fill_fails_every_new_row():
    result = plan(body(row(), row(action="another")), screen=CreateScreen(unfillable=("Team",)))
    assert not result.create
    assert [p.reasons for p in result.state.problems] == [(("required_field", "Team"),)] * 2


def test_the_template_row_and_rows_without_an_action_do_not_count():
    result = plan(body(PLACEHOLDER_ROW, row(action="")))
    assert not result.create and not result.state.problems


# --- tickets and the cells kept in step ------------------------------------------------------
def test_a_new_row_is_created_once_claimed_and_written_once_recorded():
    text = body(row(local_id="r1"))
    (ticket,) = plan(text).create
    assert ticket.labels == ("postmortem", "INC-1", "debrief", f"debrief-row-{ticket.row_id}")
    started = datetime(2026, 12, 1, 9, tzinfo=UTC)
    in_flight = plan(text, claims={ticket.row_id: Claim(ticket.row_id, started)})
    assert not in_flight.create and in_flight.waiting_claims == (ticket.row_id,) and not in_flight.edits
    done = plan(text, claims={ticket.row_id: Claim(ticket.row_id, started, "ACT-7")},
                tickets={"ACT-7": Ticket("ACT-7", "new", MINA, "2026-12-20")})
    assert not done.create
    after = apply_edits(text, done.edits)
    table = parse_page(after).action_items
    cells = table.rows[0].cells
    assert cells["ticket"].jira_keys == ("ACT-7",) and cells["status"].text == "to do"
    assert [r.key for r in done.state.records] == ["ACT-7"] and done.to_link == done.state.records
    # Nothing else changed: the bytes outside the two cells are the same.
    assert after.replace(f"<p>{jira_macro('ACT-7')}</p>", "<p />").replace("<p>to do</p>", "<p />", 1) == text
    again = plan(after, done.state, tickets={"ACT-7": Ticket("ACT-7", "new", MINA, "2026-12-20")})
    assert not again.create and not again.edits and not again.state.problems


def test_the_claim_of_a_row_typed_without_a_local_id_survives_the_editor_adding_one():
    plain = body(row())
    (ticket,) = plan(plain).create
    claims = {ticket.row_id: Claim(ticket.row_id, datetime(2026, 12, 1, tzinfo=UTC), "ACT-9")}
    later = plan(body(row(local_id="new-local")), claims=claims, tickets={"ACT-9": Ticket("ACT-9")})
    assert not later.create and [r.key for r in later.state.records] == ["ACT-9"]


def claimed(ticket, key: str = "") -> dict:
    return {ticket.row_id: Claim(ticket.row_id, datetime(2026, 12, 1, tzinfo=UTC), key, ticket.row, ticket.action)}


def test_a_row_without_a_local_id_edited_between_its_claim_and_the_write_keeps_its_ticket():
    (ticket,) = plan(body(row())).create
    edited = body(row(action="Add a canary stage to the deploy pipeline"))
    in_flight = plan(edited, claims=claimed(ticket))
    assert not in_flight.create and in_flight.waiting_claims == (ticket.row_id,)
    done = plan(edited, claims=claimed(ticket, "ACT-9"), tickets={"ACT-9": Ticket("ACT-9", "new", MINA)})
    assert not done.create and not done.state.unlisted
    (record,) = done.state.records
    assert record.key == "ACT-9" and record.action == "Add a canary stage to the deploy pipeline"
    after = apply_edits(edited, done.edits)
    assert parse_page(after).action_items.rows[0].cells["ticket"].jira_keys == ("ACT-9",)
    again = plan(after, done.state, tickets={"ACT-9": Ticket("ACT-9", "new", MINA)})
    assert not again.create and not again.edits


def test_a_claimed_ticket_whose_row_went_is_listed_and_an_unrelated_row_gets_its_own():
    (ticket,) = plan(body(row())).create
    other = body(row(action="Rotate the on-call schedule"))
    result = plan(other, claims=claimed(ticket, "ACT-9"), tickets={"ACT-9": Ticket("ACT-9", "new", MINA)})
    assert [t.action for t in result.create] == ["Rotate the on-call schedule"]
    assert [(u.key, u.action) for u in result.state.unlisted] == [("ACT-9", "Add a canary stage")]
    assert [r.key for r in result.state.records] == ["ACT-9"] and result.to_link  # still linked to the incident
    assert not plan(body(), claims=claimed(ticket)).state.unlisted  # in flight, no key yet: nothing to list


def test_a_refused_row_is_asked_again_only_once_it_changes_or_the_day_does():
    text = body(row())
    (ticket,) = plan(text).create
    why = "assignee: User 'mina.park' cannot be assigned issues."
    refused = ItemsState(refused=(Refusal(ticket.row_id, fingerprint(ticket), why, TODAY.isoformat()),))
    held = plan(text, refused)
    assert only_problem(held) == [("jira_rejected", why)] and held.state.refused == refused.refused
    assert ItemsState.from_dict(held.state.to_dict()) == held.state
    assert plan(text, refused, today=TODAY + timedelta(days=1)).create  # the next day: asked again
    (changed,) = plan(body(row(owner=mention("acc-jun"))), refused).create  # another owner: asked again
    assert changed.assignee == JUN and not plan(body(row(owner=mention("acc-jun"))), refused).state.refused


def test_a_table_without_a_ticket_column_makes_no_ticket_and_says_why():
    text = body(row()).replace("<th><p>Ticket</p></th>", "").replace("<td><p /></td><td><p /></td><td><p>keep",
                                                                     "<td><p /></td><td><p>keep", 1)
    assert "ticket" not in parse_page(text).action_items.rows[0].cells
    assert only_problem(plan(text)) == [("no_ticket_column", "")]
    assert "add one" in reason_text("no_ticket_column", "", "en") and "티켓 열" in reason_text("no_ticket_column", "", "ko")


def test_a_ticket_key_a_person_types_is_adopted_not_duplicated():
    result = plan(body(row(ticket="ACT-3")), tickets={"ACT-3": Ticket("ACT-3", "indeterminate", MINA)})
    assert not result.create
    (record,) = result.state.records
    assert (record.key, record.origin) == ("ACT-3", "typed")
    assert not result.to_link
    status = parse_page(apply_edits(body(row(ticket="ACT-3")), result.edits)).action_items.rows[0].cells["status"]
    assert status.text == "in progress"


def recorded(text: str, key: str = "ACT-7", ticket: Ticket | None = None, **kw):
    ticket = ticket or Ticket(key, "new", MINA, "2026-12-20")
    first = plan(text, ItemsState(records=(RowRecord(key, "x"),)), tickets={key: ticket}, **kw)
    return apply_edits(text, first.edits), first.state


def test_status_follows_the_tickets_category_in_the_pages_language():
    text, state = recorded(body(row(ticket=jira_macro("ACT-7"))))
    done = plan(text, state, tickets={"ACT-7": Ticket("ACT-7", "done", MINA, "2026-12-20")})
    assert parse_page(apply_edits(text, done.edits)).action_items.rows[0].cells["status"].text == "done"
    korean = plan(text, state, language="ko", tickets={"ACT-7": Ticket("ACT-7", "done", MINA, "2026-12-20")})
    assert parse_page(apply_edits(text, korean.edits)).action_items.rows[0].cells["status"].text == "완료"


def test_a_cell_a_person_changed_is_left_and_noted():
    text, state = recorded(body(row(ticket=jira_macro("ACT-7"))))
    theirs = text.replace("<p>to do</p>", "<p>blocked on vendor</p>")
    result = plan(theirs, state, tickets={"ACT-7": Ticket("ACT-7", "done", MINA, "2026-12-20")})
    assert not result.edits
    (note,) = result.state.left
    assert (note.column, note.value, note.key) == ("status", "done", "ACT-7")


def test_an_assignee_or_due_date_changed_in_jira_comes_back_unless_a_person_changed_the_cell():
    text, state = recorded(body(row(ticket=jira_macro("ACT-7"))))
    moved = Ticket("ACT-7", "new", JUN, "2027-01-10")
    result = plan(text, state, tickets={"ACT-7": moved})
    cells = parse_page(apply_edits(text, result.edits)).action_items.rows[0].cells
    assert [m.id for m in cells["owner"].mentions] == ["acc-jun"] and cells["due"].dates == ("2027-01-10",)
    theirs = text.replace('<time datetime="2026-12-20" />', '<time datetime="2026-12-22" />')
    result = plan(theirs, state, tickets={"ACT-7": moved})
    assert [n.column for n in result.state.left] == ["due"]
    assert parse_page(apply_edits(theirs, result.edits)).action_items.rows[0].cells["due"].dates == ("2026-12-22",)


def test_a_row_deleted_after_its_ticket_exists_leaves_the_ticket_and_says_so():
    text, state = recorded(body(row(ticket=jira_macro("ACT-7"))))
    result = plan(body(), state)
    assert not result.create and not result.edits
    assert [(u.key, u.action) for u in result.state.unlisted] == [("ACT-7", "Add a canary stage")]
    assert [r.key for r in result.state.records] == ["ACT-7"]


def test_on_approval_rows_wait_until_the_postmortem_is_approved():
    from dataclasses import replace
    policy = replace(POLICY, create="on_approval")
    waiting = plan(body(row()), policy=policy)
    assert not waiting.create and [w.action for w in waiting.state.waiting] == ["Add a canary stage"]
    assert len(plan(body(row()), policy=policy, approved=True).create) == 1


def test_extra_columns_are_ignored_and_kept():
    text, _ = recorded(body(row(ticket=jira_macro("ACT-7"), notes="mine & yours")))
    assert parse_page(text).action_items.rows[0].extra["Notes"].text == "mine & yours"


def test_a_table_that_cannot_be_read_plans_nothing_and_says_why():
    merged = body(row()).replace("<td><p>prevent</p></td>", '<td colspan="2"><p>prevent</p></td>')
    result = plan(merged)
    assert not result.create and result.table_problems


# --- the ticket and the panel ------------------------------------------------------------
def test_the_issue_fields_name_the_incident_and_the_page():
    (ticket,) = plan(body(row(action="Alert on [EU] 502s | now"))).create
    page = PageRef("4242", "Postmortem: INC-1 Checkout", "https://x/wiki/spaces/PM/pages/4242")
    update, left_out = issue_update(ticket, POLICY, incident_key="INC-1", page=page, severity="SEV-2",
                                    language="en", cloud=True)
    fields = update["fields"]
    assert fields["assignee"] == {"accountId": "acc-mina"} and fields["priority"] == {"name": "High"}
    assert fields["duedate"] == "2026-12-20" and "INC-1" in fields["labels"] and not left_out
    assert "INC-1" in fields["description"] and page.url in fields["description"]
    dc, left_out = issue_update(ticket.__class__(**{**ticket.__dict__, "assignee": JiraUser(name="mina.park")}),
                                POLICY, incident_key="INC-1", page=page, severity="SEV-2", language="ko",
                                cloud=False, settable=frozenset({"summary", "assignee", "labels"}))
    assert dc["fields"]["assignee"] == {"name": "mina.park"}
    assert set(left_out) == {"description", "priority", "duedate"}


def test_the_review_panel_escapes_people_text_in_both_languages():
    result = plan(body(row(action="<b>drop</b> & \"x\"", kind="<script>")))
    state = PageState(incident="INC-1").with_extra(action_items=result.state.to_dict())
    panel = panel_for_state(state)
    for language in ("en", "ko"):
        xml = render_panel(panel, language)
        parse_page(xml)  # well-formed storage format
        assert "<b>" not in xml and "&lt;b&gt;drop&lt;/b&gt; &amp;" in xml and "&lt;script&gt;" in xml
    assert "티켓을 만들지 못한" in render_panel(panel, "ko")
    assert render_panel(ReviewPanel(), "en").startswith("<p>The review has not run yet.")
    assert with_action_items(ReviewPanel(), ItemsState()) == ReviewPanel()
