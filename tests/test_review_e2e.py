"""Review end to end: a drafted page on the sandbox, a real worker on real Redis, a local SMTP
server. A fresh draft fails its content gates with reasons on the page; filled in as a person
would, it goes to review; a reviewer's /approve approves it and shares it by e-mail once; an
/approve by someone else changes nothing; an edit asks for approval again; the sweep's
reminders go out once however often it runs; the agenda lists the open drafts."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests
import yaml

from jobqueue.queue import WorkQueue
from postmortem.page import apply_edits, parse_page, plain_text
from postmortem.page.markers import REVIEW_REGION
from tests.plugins.service import ROOT
from tests.test_action_items_e2e import GOOD, get_page, save_as_person, typed_row
from tests.test_end_to_end import (
    AUTH,
    create_incident,
    jira_time,
    queued,
    register_webhook,
    wait_until,
)

pytestmark = pytest.mark.e2e
SARA = "5b10ac8d82e05b22cc7d4ef8"  # a configured reviewer
TOM = "5b10ac8d82e05b22cc7d4ef9"  # told on escalation
JUN_LOGIN = ("jun.seo@example.com", "jun-token")
SARA_LOGIN = ("sara.lee@example.com", "sara-token")


def configure(service, smtp_server, tmp_path, *, share: list[str], create: str = "on_edit"):
    settings = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
    settings["action_items"]["create"] = create
    settings["review"]["reviewers"] = [SARA]
    settings["review"]["share"] = {"email": share}
    settings["review"]["reminders"]["escalate_to"] = [TOM]
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    service.env.update({"DEBRIEF_CONFIG": str(path), "SMTP_URL": smtp_server.url})
    return service


def run_worker(service) -> None:
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]


def page_job(service, redis_conn, page_id: str) -> None:
    WorkQueue(redis_conn).submit("page", page_id, key=page_id)
    run_worker(service)


def state(sandbox, page_id: str) -> dict:
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH)
    assert r.ok, r.text
    return r.json()["value"]


def labels(sandbox, page_id: str) -> set[str]:
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/label", auth=AUTH)
    return {x["name"] for x in r.json()["results"]}


def panel_text(sandbox, page_id: str) -> str:
    body = get_page(sandbox, page_id)["body"]["storage"]["value"]
    region = parse_page(body).regions[REVIEW_REGION]
    return plain_text(body[region.inner[0]:region.inner[1]])


def status_of(sandbox, page_id: str) -> tuple[str, ...]:
    return parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).properties["status"].cell.statuses


def comment(sandbox, page_id: str, login, text: str) -> None:
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=login, json={
        "type": "comment", "container": {"id": page_id, "type": "page"},
        "body": {"storage": {"value": f"<p>{text}</p>", "representation": "storage"}}})
    assert r.status_code in (200, 201), r.text


def fill_in(body: str) -> str:
    page = parse_page(body)
    s = page.sections
    edits = []
    root = s["root_causes"]
    edits.append(_replace(body, root.content_span, "<p>The ingress config change removed the health check "
                                                   "route, and the deploy pipeline had no canary stage to catch "
                                                   "it before every region took it.</p>"))
    impact = s["impact"]
    impact_xml = body[impact.content_span[0]:impact.content_span[1]]
    edits.append(_replace(body, impact.content_span, impact_xml.replace(
        "</ul>", "</ul><p>About 12,400 users could not pay; 18% of checkout requests failed.</p>", 1)))
    supporting = s["supporting"]
    edits.append(_replace(body, (supporting.content_span[0], supporting.content_span[0]),
                          '<p><a href="https://grafana.example.com/d/checkout">Checkout error graph</a></p>'))
    table = page.action_items
    example = table.rows[0]
    edits.append(_replace(body, example.span, "".join(typed_row(*r) for r in GOOD[:2])))
    task = next(t for t in page.checklist if t.gate == "root_cause")
    edits.append(page.set_task(task, True))
    return apply_edits(body, edits)


def _replace(body: str, span, xml: str):
    from postmortem.page import Edit

    return Edit(span[0], span[1], xml, body[span[0]:span[1]])


def sweep(service, at: datetime) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "debrief", "sweep", "--at", at.isoformat()], env=service.env,
                          cwd=ROOT, capture_output=True, text=True, timeout=180)


def incident_comments(sandbox, key: str) -> list[str]:
    r = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH)
    return [c["body"] for c in r.json()["comments"]]


def drafted(sandbox, service, redis_conn) -> tuple[str, str, str]:
    register_webhook(sandbox, service)
    now = datetime.now(UTC).replace(microsecond=0)
    key = create_incident(sandbox, customfield_10103=jira_time(now - timedelta(minutes=10)))
    wait_until(lambda: f"draft-{key}" in queued(redis_conn), "the draft job to be queued")
    run_worker(service)
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/search", auth=AUTH,
                     params={"cql": f'type = page and label = "{key.lower()}"'})
    (found,) = r.json()["results"]
    return key, found["id"], found["title"]


def test_a_draft_goes_to_review_and_is_approved_and_shared_once(sandbox, service, redis_conn, smtp_server, tmp_path):
    configure(service, smtp_server, tmp_path, share=["team@example.com"])
    key, page_id, _title = drafted(sandbox, service, redis_conn)

    # A fresh draft: the content gates fail, with reasons on the page.
    page_job(service, redis_conn, page_id)
    st = state(sandbox, page_id)
    assert st["status"] == "draft"
    assert {g for g, r in st["gates"].items() if not r["ok"]} >= {"data_collected", "impact_assessed", "root_cause",
                                                                  "action_plan", "approved"}
    panel = panel_text(sandbox, page_id)
    assert "Write the root causes" in panel and "Add at least one action item" in panel
    assert status_of(sandbox, page_id) == ("DRAFT",)
    assert "postmortem-draft" in labels(sandbox, page_id)

    # Filled in as a person would: it goes to review.
    save_as_person(sandbox, page_id, fill_in)
    page_job(service, redis_conn, page_id)
    st = state(sandbox, page_id)
    failing = {g: r["reason"] for g, r in st["gates"].items() if not r["ok"]}
    assert set(failing) == {"results_shared", "approved"}, failing
    assert st["status"] == "in-review"
    assert status_of(sandbox, page_id) == ("IN REVIEW",)
    assert {"postmortem-in-review"} <= labels(sandbox, page_id) and "postmortem-draft" not in labels(sandbox, page_id)

    # /approve by someone who is not a reviewer changes nothing but says why.
    comment(sandbox, page_id, JUN_LOGIN, "/approve")
    page_job(service, redis_conn, page_id)
    assert state(sandbox, page_id)["status"] == "in-review"
    assert "is for the reviewers" in panel_text(sandbox, page_id)
    assert smtp_server.inbox.messages == []

    # /approve by a reviewer: approved, shared by e-mail once (then the archive stage takes it).
    comment(sandbox, page_id, SARA_LOGIN, "/approve looks good")
    page_job(service, redis_conn, page_id)
    st = state(sandbox, page_id)
    assert st["status"] in ("approved", "archived"), st["gates"]
    assert st["gates"]["results_shared"]["ok"] and st["gates"]["approved"]["ok"]
    (mail,) = smtp_server.inbox.messages
    assert mail["To"] == "team@example.com" and "Postmortem approved" in mail["Subject"]
    content = mail.get_content()
    assert "12,400 users" in content and "canary stage" in content and "/wiki/" in content
    page_job(service, redis_conn, page_id)
    assert len(smtp_server.inbox.messages) == 1


def test_an_edit_after_approval_asks_again_and_reminders_go_once(sandbox, service, redis_conn, smtp_server,
                                                                 tmp_path):
    configure(service, smtp_server, tmp_path, share=[])  # results_shared waits for a tick: no archive
    key, page_id, title = drafted(sandbox, service, redis_conn)
    save_as_person(sandbox, page_id, fill_in)
    comment(sandbox, page_id, SARA_LOGIN, "/승인")
    page_job(service, redis_conn, page_id)
    st = state(sandbox, page_id)
    assert st["status"] == "approved", st["gates"]
    assert status_of(sandbox, page_id) == ("APPROVED",)
    assert "postmortem-approved" in labels(sandbox, page_id)

    def edit(body: str) -> str:
        root = parse_page(body).sections["root_causes"]
        return apply_edits(body, [_replace(body, root.content_span, "<p>The ingress config change removed the "
                                           "health check route and no canary stage existed; the alert threshold "
                                           "was too high to notice it.</p>")])
    save_as_person(sandbox, page_id, edit)
    page_job(service, redis_conn, page_id)
    st = state(sandbox, page_id)
    assert st["status"] == "in-review" and not st["gates"]["approved"]["ok"]
    assert status_of(sandbox, page_id) == ("IN REVIEW",)
    assert "earlier version" in panel_text(sandbox, page_id)

    # The sweep past the reminder schedule: one reminder, one escalation, however often it runs.
    later = datetime.fromisoformat(st["created"]) + timedelta(days=11)
    dry = subprocess.run([sys.executable, "-m", "debrief", "sweep", "--dry-run", "--at", later.isoformat()],
                         env=service.env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert "escalate page" in dry.stdout and "remind the owner" in dry.stdout, dry.stdout + dry.stderr
    assert not [t for t in incident_comments(sandbox, key) if "debrief reminder" in t]
    for _ in range(2):
        result = sweep(service, later)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    reminders = [t for t in incident_comments(sandbox, key) if "debrief reminder" in t]
    assert len(reminders) == 2, reminders
    assert sum("open for 11 day(s)" in t for t in reminders) == 2
    assert sum(TOM in t for t in reminders) == 1

    # The agenda page lists the open draft, and is not written again when nothing changed.
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH,
                     params={"spaceKey": "PM", "title": "Postmortems awaiting review", "expand": "body.storage,version"})
    (agenda,) = r.json()["results"]
    agenda_body = agenda["body"]["storage"]["value"]
    assert "IN REVIEW" in agenda_body and key in agenda_body
    version = agenda["version"]["number"]
    sweep(service, later)
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/{agenda['id']}", auth=AUTH, params={"expand": "version"})
    assert r.json()["version"]["number"] == version


def test_with_tickets_made_on_approval_the_approval_makes_them_before_the_share_and_the_archive(
        sandbox, service, redis_conn, smtp_server, tmp_path):
    configure(service, smtp_server, tmp_path, share=["team@example.com"], create="on_approval")
    key, page_id, _title = drafted(sandbox, service, redis_conn)
    save_as_person(sandbox, page_id, fill_in)
    page_job(service, redis_conn, page_id)
    st = state(sandbox, page_id)
    assert st["status"] == "in-review", {g: r for g, r in st["gates"].items() if not r["ok"]}
    assert not [i for i in sandbox.state.jira.all_issues() if "debrief" in i.fields["labels"]]

    comment(sandbox, page_id, SARA_LOGIN, "/approve")
    page_job(service, redis_conn, page_id)
    tickets = sorted(i.key for i in sandbox.state.jira.all_issues() if "debrief" in i.fields["labels"])
    assert len(tickets) == 2
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    assert sorted(k for r in rows for k in r.cells["ticket"].jira_keys) == tickets
    (mail,) = smtp_server.inbox.messages
    content = mail.get_content()
    assert all(k in content for k in tickets), content  # the share lists the tickets made on approval
    assert state(sandbox, page_id)["status"] == "archived"


def test_with_tickets_made_on_approval_the_sweep_makes_them_before_it_shares_and_archives(
        sandbox, service, redis_conn, smtp_server, tmp_path):
    """On Cloud no page event may come: the sweep alone takes an approved page through. Shared
    by hand (the results_shared task ticked), nothing but the tickets holds the archive."""
    configure(service, smtp_server, tmp_path, share=[], create="on_approval")
    key, page_id, _title = drafted(sandbox, service, redis_conn)

    def shared_by_hand(body: str) -> str:
        body = fill_in(body)
        page = parse_page(body)
        return apply_edits(body, [page.set_task(next(t for t in page.checklist if t.gate == "results_shared"), True)])
    save_as_person(sandbox, page_id, shared_by_hand)
    comment(sandbox, page_id, SARA_LOGIN, "/approve")
    now = datetime.now(UTC)
    outcomes = []
    for minutes in (1, 2, 3):
        result = sweep(service, now + timedelta(minutes=minutes))
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        outcomes.append(state(sandbox, page_id)["status"])
    assert outcomes[-1] == "archived", outcomes
    tickets = sorted(i.key for i in sandbox.state.jira.all_issues() if "debrief" in i.fields["labels"])
    assert len(tickets) == 2
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    assert sorted(k for r in rows for k in r.cells["ticket"].jira_keys) == tickets
