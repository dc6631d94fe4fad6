"""From a signed Jira webhook through real Redis and a real RQ worker to a page in the sandbox."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from rq import Queue

from jobqueue.queue import QUEUE_NAME
from postmortem.storage_format import parse_storage
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL, by_account_id
from tests.plugins.service import SECRET

pytestmark = pytest.mark.e2e
AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)
MINA = "5b10ac8d82e05b22cc7d4ef5"
JUN = "5b10ac8d82e05b22cc7d4ef6"


def jira_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def register_webhook(sandbox, service) -> None:
    r = requests.post(f"{sandbox.url}/rest/webhooks/1.0/webhook", auth=AUTH, json={
        "name": "Debrief", "url": f"{service.url}/webhooks/jira", "secret": SECRET, "excludeBody": False,
        "events": ["jira:issue_created", "jira:issue_updated", "comment_created"],
        "filters": {"issue-related-events-section": "project = INC"}})
    assert r.status_code in (200, 201), r.text


def create_incident(sandbox, **extra) -> str:
    now = datetime.now(UTC).replace(microsecond=0)
    fields = {"project": {"key": "INC"}, "issuetype": {"name": "Incident"},
              "summary": "Checkout returns <b>500</b> & fails {{ 7*7 }}",
              "description": "Card payments failed after deploy.", "priority": {"name": "High"},
              "labels": ["rollback"], "components": [{"name": "checkout"}], "assignee": {"accountId": MINA},
              "customfield_10100": {"value": "SEV-2"}, "customfield_10101": jira_time(now - timedelta(minutes=52)),
              "customfield_10102": jira_time(now - timedelta(minutes=40)),
              "customfield_10104": {"value": "Customer report"}, "customfield_10105": {"value": "Downtime"}}
    fields.update(extra)
    r = requests.post(f"{sandbox.url}/rest/api/2/issue", auth=AUTH, json={"fields": fields})
    assert r.status_code == 201, r.text
    return r.json()["key"]


def wait_until(predicate, what: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def postmortem_pages(sandbox, key: str) -> list[dict]:
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/search", auth=AUTH,
                     params={"cql": f'type = page and label = "{key.lower()}"', "expand": "body.storage,version"})
    assert r.ok, r.text
    return r.json()["results"]


def queued(redis_conn) -> list[str]:
    return Queue(QUEUE_NAME, connection=redis_conn).get_job_ids()


@pytest.mark.parametrize("service", ["cloud", "datacenter"], indirect=True)
def test_signed_webhook_to_draft_page(sandbox, service, redis_conn):
    register_webhook(sandbox, service)
    key = create_incident(sandbox)
    requests.post(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH,
                  json={"body": "Rolled back payments-api to 2.30."})
    wait_until(lambda: f"draft-{key}" in queued(redis_conn), "the draft job to be queued")
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]

    pages = postmortem_pages(sandbox, key)
    assert len(pages) == 1
    page = pages[0]
    body = page["body"]["storage"]["value"]
    root = parse_storage(body)  # well-formed storage format
    text = "".join(root.itertext())
    assert "Checkout returns <b>500</b> & fails {{ 7*7 }}" in text  # escaped, never markup or evaluated
    for heading in ("Summary", "Impact", "Root causes", "Trigger", "Resolution", "Detection",
                    "Action items", "Lessons learned", "Timeline"):
        assert heading in text, heading
    assert 'ac:name="details"' in body and 'ac:name="jira"' in body and 'ac:name="status"' in body
    assert "Rolled back payments-api" in text  # the comment made it into the timeline
    # The owner is named as the deployment names people: account id on Cloud, user key on DC.
    owner = (f'ri:userkey="{by_account_id(MINA).confluence_key}"' if service.env["ATLASSIAN_DEPLOYMENT"] == "datacenter"
             else f'ri:account-id="{MINA}"')
    assert owner in body

    page_id = page["id"]
    labels = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/label", auth=AUTH).json()
    names = {label["name"] for label in labels["results"]}
    assert {"postmortem", "postmortem-draft", key.lower(), "checkout"} <= names

    prop = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH).json()
    assert prop["value"]["incident"] == key and prop["value"]["status"] == "draft"
    assert prop["value"]["template"] == "default"

    watching = requests.get(f"{sandbox.url}/wiki/rest/api/user/watch/content/{page_id}", auth=AUTH,
                            params={"accountId": MINA}).json()
    assert watching["watching"] is True

    links = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/remotelink", auth=AUTH).json()
    assert [link["globalId"] for link in links] == [f"debrief-postmortem-{key}"]
    assert f"/wiki/spaces/PM/pages/{page_id}" in links[0]["object"]["url"]
    comments = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH).json()["comments"]
    assert sum("postmortem draft" in c["body"] for c in comments) == 1


def test_duplicate_and_racing_deliveries_make_one_page(sandbox, service, redis_conn):
    register_webhook(sandbox, service)
    key = create_incident(sandbox)
    # More deliveries for the same incident while the draft is pending.
    for i in range(3):
        requests.put(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH,
                     json={"update": {"labels": [{"add": f"touch-{i}"}]}})
    wait_until(lambda: f"draft-{key}" in queued(redis_conn), "the draft job")
    time.sleep(0.5)  # let the other deliveries land
    assert queued(redis_conn).count(f"draft-{key}") == 1

    # Two workers racing on the same incident: the lock and the page lookup keep it to one page.
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(service.run_worker())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.returncode == 0 for r in results), [r.stderr[-2000:] for r in results]
    assert len(postmortem_pages(sandbox, key)) == 1

    # A replayed draft job (e.g. after a crash) finds the page and finishes, creating nothing new.
    from jobqueue.kinds import KINDS

    Queue(QUEUE_NAME, connection=redis_conn).enqueue(KINDS["draft"].func, key, [], job_id=f"replay-{key}")
    assert service.run_worker().returncode == 0
    assert len(postmortem_pages(sandbox, key)) == 1
    comments = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH).json()["comments"]
    assert sum("postmortem draft" in c["body"] for c in comments) == 1
    links = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/remotelink", auth=AUTH).json()
    assert len(links) == 1


def test_data_center_comment_command_is_decided_by_a_job(sandbox, service, redis_conn):
    """A DC comment event names its issue only by id: a job fetches it, decides, and drafts."""
    from jobqueue.queue import WorkQueue

    key = create_incident(sandbox, labels=[], priority={"name": "Low"}, customfield_10100={"value": "SEV-4"},
                          customfield_10104={"value": "Monitoring alert"}, customfield_10105={"value": "None"})
    issue_id = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH).json()["id"]
    work = WorkQueue(redis_conn)
    assert work.submit("consider", issue_id, "no command here", key=issue_id).job_id == f"consider-{issue_id}"
    assert service.run_worker().returncode == 0
    assert postmortem_pages(sandbox, key) == []  # nothing asked for one and no rule fired

    requests.post(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH, json={"body": "/postmortem"})
    work.submit("consider", issue_id, "/postmortem", key=issue_id)
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    pages = postmortem_pages(sandbox, key)
    assert len(pages) == 1
    prop = requests.get(f"{sandbox.url}/wiki/rest/api/content/{pages[0]['id']}/property/debrief", auth=AUTH)
    assert prop.json()["value"]["trigger"] == ["comment /postmortem"]
