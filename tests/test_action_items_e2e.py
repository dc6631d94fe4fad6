"""Action items end to end: a person types rows into a drafted page, and a real worker (or the
sweep) on real Redis turns them into Jira tickets on the sandbox, once each, whatever happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import yaml

from jobqueue.queue import WorkQueue
from jobqueue.tickets import claims_key
from postmortem.page import Edit, apply_edits, parse_page
from postmortem.page.markers import REVIEW_REGION
from tests.plugins.service import ROOT, SECRET
from tests.test_end_to_end import (
    AUTH,
    JUN,
    MINA,
    create_incident,
    queued,
    register_webhook,
    wait_until,
)

pytestmark = pytest.mark.e2e
SETTINGS = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
TODAY = datetime.now(ZoneInfo(SETTINGS["timezone"])).date()
LATER = TODAY + timedelta(days=45)


def typed_row(action: str, kind: str, owner: str, due: str = "", priority: str = "") -> str:
    """A row as the Cloud editor saves what a person typed: <p> in every cell, a mention with
    the space typed after it, a date picked from the date picker."""
    cell = lambda inner: f"<td><p>{inner}</p></td>" if inner else "<td><p /></td>"  # noqa: E731
    mention = f'<ac:link><ri:user ri:account-id="{owner}" /></ac:link> ' if owner else ""
    when = f'<time datetime="{due}" /> ' if due else ""
    return "<tr>" + cell(action) + cell(kind) + cell(mention) + cell(when) + cell(priority) + cell("") + cell("") + "</tr>"


ROWS = [
    ("Add a canary stage for ingress config changes", "prevent", MINA, LATER.isoformat(), ""),
    ("Alert on the 5xx rate per region", "detect", JUN, "", ""),
    ("Write the failover runbook", "process", MINA, "", "Lowest"),
    ("Find who broke it", "fix", "000000-not-a-user", "", ""),
]
GOOD = ROWS[:3]


def draft(sandbox, service, redis_conn) -> tuple[str, str]:
    register_webhook(sandbox, service)
    key = create_incident(sandbox)
    wait_until(lambda: f"draft-{key}" in queued(redis_conn), "the draft job to be queued")
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/search", auth=AUTH,
                     params={"cql": f'type = page and label = "{key.lower()}"'})
    (page,) = r.json()["results"]
    return key, page["id"]


def get_page(sandbox, page_id: str) -> dict:
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}", auth=AUTH,
                     params={"expand": "body.storage,version"})
    assert r.ok, r.text
    return r.json()


def save_as_person(sandbox, page_id: str, change) -> str:
    page = get_page(sandbox, page_id)
    body = change(page["body"]["storage"]["value"])
    r = requests.put(f"{sandbox.url}/wiki/rest/api/content/{page_id}", auth=("mina.park@example.com", "mina-token"),
                     json={"id": page_id, "type": "page", "title": page["title"],
                           "version": {"number": page["version"]["number"] + 1},
                           "body": {"storage": {"value": body, "representation": "storage"}}})
    assert r.ok, r.text
    return body


def type_rows(rows) -> callable:
    def change(body: str) -> str:
        table = parse_page(body).action_items
        example = table.rows[0]
        assert example.is_placeholder
        return apply_edits(body, [Edit(example.span[0], example.span[1], "".join(typed_row(*r) for r in rows),
                                       body[example.span[0]:example.span[1]])])
    return change


def tickets_of(sandbox, incident: str) -> list:
    with sandbox.state.lock:
        return [i for i in sandbox.state.jira.all_issues() if i.key.startswith("ACT-") and incident in i.fields["labels"]]


def issue(sandbox, key: str) -> dict:
    return requests.get(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH).json()


def run(service, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "debrief", *args], env=service.env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def fault(sandbox, **rule) -> None:
    r = requests.post(f"{sandbox.url}/_sandbox/faults", auth=AUTH, json=rule)
    assert r.status_code == 201, r.text


def start_worker(service, tmp_path: Path) -> subprocess.Popen:
    log = (tmp_path / "worker.log").open("a")
    return subprocess.Popen([sys.executable, "-m", "debrief", "worker", "--burst"], env=service.env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its work horse (RQ puts the horse in a process group of its own)."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    horses = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    for pid in horses:
        os.kill(pid, signal.SIGKILL)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_rows_typed_into_the_page_become_one_ticket_each(sandbox, service, redis_conn, tmp_path):
    incident, page_id = draft(sandbox, service, redis_conn)
    typed = save_as_person(sandbox, page_id, type_rows(ROWS))

    # The page event's job reads the page, then creates the tickets slowly: meanwhile a person
    # saves an edit of their own. Debrief's write meets a 409, reads again, applies again.
    fault(sandbox, kind="latency", ms=2500, method="POST", path="/rest/api/2/issue/bulk", times=1)
    WorkQueue(redis_conn).submit("page", page_id, key=page_id)
    worker = start_worker(service, tmp_path)
    wait_until(lambda: redis_conn.hlen(claims_key(page_id)) == 3, "the rows to be claimed", timeout=30)
    edit = "<p>Rolling back took too long: we want a one-click rollback.</p>"
    typed = save_as_person(sandbox, page_id, lambda b: b.replace("<h3>", edit + "<h3>", 1))
    assert worker.wait(timeout=90) == 0

    tickets = tickets_of(sandbox, incident)
    assert len(tickets) == 3
    by_summary = {t.fields["summary"]: issue(sandbox, t.key) for t in tickets}
    assert set(by_summary) == {r[0] for r in GOOD}
    policy = SETTINGS["action_items"]
    expected_priority = {GOOD[0][0]: policy["priorities"]["prevent"]["SEV-2"],
                         GOOD[1][0]: policy["priorities"]["detect"]["SEV-2"], GOOD[2][0]: "Lowest"}
    for summary, data in by_summary.items():
        fields = data["fields"]
        assert fields["priority"]["name"] == expected_priority[summary]
        assert fields["assignee"]["accountId"] == dict((r[0], r[2]) for r in GOOD)[summary]
        assert {"postmortem", incident, "debrief"} <= set(fields["labels"])
        assert [link.get("outwardIssue", link.get("inwardIssue"))["key"] for link in fields["issuelinks"]] == [incident]
        assert fields["issuelinks"][0]["type"]["name"] == policy["link_type"]
        remote = requests.get(f"{sandbox.url}/rest/api/2/issue/{data['key']}/remotelink", auth=AUTH).json()
        assert [r["globalId"] for r in remote] == [f"debrief-postmortem-page-{page_id}"]
        assert f"/pages/{page_id}" in remote[0]["object"]["url"]
        assert incident in fields["description"] and f"/pages/{page_id}" in fields["description"]
    assert by_summary[GOOD[0][0]]["fields"]["duedate"] == LATER.isoformat()
    medium_days = policy["due_days"][expected_priority[GOOD[1][0]]]
    assert by_summary[GOOD[1][0]]["fields"]["duedate"] == (TODAY + timedelta(days=medium_days)).isoformat()

    page = get_page(sandbox, page_id)
    body = page["body"]["storage"]["value"]
    assert edit in body  # the person's edit saved between Debrief's read and write survives
    puts = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH,
                        params={"method": "PUT", "path_prefix": f"/wiki/rest/api/content/{page_id}"}).json()
    assert 409 in [p["status"] for p in puts if p["path"] == f"/wiki/rest/api/content/{page_id}"]
    parsed = parse_page(body)
    rows = parsed.action_items.rows
    keys = {data["key"]: summary for summary, data in by_summary.items()}
    assert [keys[r.cells["ticket"].jira_keys[0]] for r in rows[:3]] == [r[0] for r in GOOD]
    assert [r.cells["status"].text for r in rows[:3]] == ["to do"] * 3
    assert rows[3].cells["ticket"].jira_keys == ()
    panel = body[parsed.regions[REVIEW_REGION].inner[0]:parsed.regions[REVIEW_REGION].inner[1]]
    assert "Find who broke it" in panel and "unknown type" in panel and "not a Jira user" in panel

    # Every other byte is as the person left it: put their cells and panel back, and it is theirs.
    theirs = parse_page(typed)
    undo = [Edit(*new.cells[col].inner, old.cells[col].xml, body[slice(*new.cells[col].inner)])
            for new, old in zip(rows, theirs.action_items.rows, strict=True) for col in ("ticket", "status")
            if new.cells[col].xml != old.cells[col].xml]
    old_region, new_region = theirs.regions[REVIEW_REGION].inner, parsed.regions[REVIEW_REGION].inner
    undo.append(Edit(*new_region, typed[slice(*old_region)], body[slice(*new_region)]))
    assert apply_edits(body, undo) == typed

    state = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH).json()
    items = state["value"]["action_items"]
    assert [(f["typed"], f["matrix"]) for f in items["flags"]] == [("Lowest", policy["priorities"]["process"]["SEV-2"])]
    assert [p["action"] for p in items["problems"]] == ["Find who broke it"]

    # A second sweep creates nothing and changes nothing.
    version = page["version"]["number"]
    swept = run(service, "sweep")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert len(tickets_of(sandbox, incident)) == 3
    assert get_page(sandbox, page_id)["version"]["number"] == version, swept.stdout

    # A ticket's status changes in Jira: the sweep brings the category back into the status cell.
    done_key = rows[0].cells["ticket"].jira_keys[0]
    r = requests.post(f"{sandbox.url}/rest/api/2/issue/{done_key}/transitions", auth=AUTH,
                      json={"transition": {"id": "31"}})
    assert r.status_code == 204, r.text
    swept = run(service, "sweep")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    assert [r.cells["status"].text for r in rows[:3]] == ["done", "to do", "to do"]

    # With Jira's webhook on the action-item project, a ticket's change reaches the page at once.
    r = requests.post(f"{sandbox.url}/rest/webhooks/1.0/webhook", auth=AUTH, json={
        "name": "Debrief action items", "url": f"{service.url}/webhooks/jira", "secret": SECRET,
        "excludeBody": False, "events": ["jira:issue_updated"],
        "filters": {"issue-related-events-section": "project = ACT"}})
    assert r.status_code in (200, 201), r.text
    started_key = rows[1].cells["ticket"].jira_keys[0]
    r = requests.post(f"{sandbox.url}/rest/api/2/issue/{started_key}/transitions", auth=AUTH,
                      json={"transition": {"id": "21"}})
    assert r.status_code == 204, r.text
    wait_until(lambda: f"page-{page_id}" in queued(redis_conn), "the page job to be queued")
    assert service.run_worker().returncode == 0
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    assert [r.cells["status"].text for r in rows[:3]] == ["done", "in progress", "to do"]
    assert len(tickets_of(sandbox, incident)) == 3


def test_a_row_edited_while_its_ticket_is_created_keeps_that_ticket(sandbox, service, redis_conn, tmp_path):
    """Rows typed without a local id are known by their text: a person rewording one while
    Debrief creates its ticket must not get a second ticket for it."""
    incident, page_id = draft(sandbox, service, redis_conn)
    save_as_person(sandbox, page_id, type_rows(GOOD))
    fault(sandbox, kind="latency", ms=2500, method="POST", path="/rest/api/2/issue/bulk", times=1)
    WorkQueue(redis_conn).submit("page", page_id, key=page_id)
    worker = start_worker(service, tmp_path)
    wait_until(lambda: redis_conn.hlen(claims_key(page_id)) == 3, "the rows to be claimed", timeout=30)
    reworded = "Add a canary stage for every ingress and egress config change"
    save_as_person(sandbox, page_id, lambda b: b.replace(GOOD[0][0], reworded, 1))
    assert worker.wait(timeout=90) == 0
    WorkQueue(redis_conn).submit("page", page_id, key=page_id)  # as the edit's page event would
    worker = start_worker(service, tmp_path)
    assert worker.wait(timeout=90) == 0

    tickets = tickets_of(sandbox, incident)
    assert sorted(t.fields["summary"] for t in tickets) == sorted(r[0] for r in GOOD)
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    first = next(t.key for t in tickets if t.fields["summary"] == GOOD[0][0])
    assert rows[0].cells["action"].text == reworded and rows[0].cells["ticket"].jira_keys == (first,)
    assert all(len(r.cells["ticket"].jira_keys) == 1 for r in rows[:3])


def test_search_lag_and_a_worker_killed_mid_create_still_make_one_ticket_per_row(sandbox, service, redis_conn,
                                                                                  tmp_path):
    window = 20  # longer than the test takes to reach its first sweep
    config = {**SETTINGS, "action_items": {**SETTINGS["action_items"], "search_consistency_seconds": window}}
    path = tmp_path / "app.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    service.env["DEBRIEF_CONFIG"] = str(path)
    incident, page_id = draft(sandbox, service, redis_conn)
    save_as_person(sandbox, page_id, type_rows(GOOD[:2]))

    # Search lags behind (as on Cloud), and the create answer never reaches the worker: it is
    # killed while Jira is still creating the tickets.
    fault(sandbox, kind="search_lag", seconds=3)
    fault(sandbox, kind="latency", ms=3000, method="POST", path="/rest/api/2/issue/bulk", times=1)
    WorkQueue(redis_conn).submit("page", page_id, key=page_id)
    worker = start_worker(service, tmp_path)
    wait_until(lambda: redis_conn.hlen(claims_key(page_id)) == 2, "the rows to be claimed", timeout=30)
    claimed = time.monotonic()
    kill_worker(worker)
    redis_conn.delete(f"debrief:lock:page:{page_id}")  # a dead worker's lock expires; now, for the test
    wait_until(lambda: len(tickets_of(sandbox, incident)) == 2, "Jira to finish creating", timeout=15)

    # Right away the claims are too young to trust search: nothing is created, nothing written.
    swept = run(service, "sweep")
    assert time.monotonic() - claimed < window, "the test was too slow to see the window"
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert len(tickets_of(sandbox, incident)) == 2
    assert all(not r.cells["ticket"].jira_keys for r in
               parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows)

    # Once the window has passed, search (still lagging, but less than the window) finds them.
    time.sleep(max(0.0, window + 0.5 - (time.monotonic() - claimed)))
    swept = run(service, "sweep")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    tickets = tickets_of(sandbox, incident)
    assert len(tickets) == 2
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    assert sorted(r.cells["ticket"].jira_keys[0] for r in rows) == sorted(t.key for t in tickets)
    for ticket in tickets:  # adopted tickets are linked like created ones
        assert issue(sandbox, ticket.key)["fields"]["issuelinks"]


def test_a_worker_killed_before_the_page_write_leaves_keys_that_are_adopted(sandbox, service, redis_conn, tmp_path):
    incident, page_id = draft(sandbox, service, redis_conn)
    save_as_person(sandbox, page_id, type_rows(GOOD[:2]))
    fault(sandbox, kind="search_lag", seconds=600, path="/rest/api/*")  # JQL never finds them: Redis must
    fault(sandbox, kind="latency", ms=5000, method="PUT", path=f"/wiki/rest/api/content/{page_id}", times=1)
    WorkQueue(redis_conn).submit("page", page_id, key=page_id)
    worker = start_worker(service, tmp_path)
    wait_until(lambda: len(tickets_of(sandbox, incident)) == 2 and all(
        b'"key": "ACT-' in v for v in redis_conn.hvals(claims_key(page_id))), "the keys to be recorded", timeout=30)
    time.sleep(0.5)
    kill_worker(worker)
    redis_conn.delete(f"debrief:lock:page:{page_id}")
    requests.delete(f"{sandbox.url}/_sandbox/faults", auth=AUTH)
    fault(sandbox, kind="search_lag", seconds=600, path="/rest/api/*")

    swept = run(service, "sweep")
    assert swept.returncode == 0, swept.stdout + swept.stderr
    tickets = tickets_of(sandbox, incident)
    assert len(tickets) == 2
    rows = parse_page(get_page(sandbox, page_id)["body"]["storage"]["value"]).action_items.rows
    assert sorted(r.cells["ticket"].jira_keys[0] for r in rows if r.cells["ticket"].jira_keys) == sorted(
        t.key for t in tickets), swept.stdout + (tmp_path / "worker.log").read_text()
    assert date.fromisoformat(issue(sandbox, tickets[0].key)["fields"]["duedate"]) > TODAY
