"""Outgoing webhooks: registration API, payload shapes, signatures, retries, filters.

A tiny werkzeug server on 127.0.0.1 plays the receiver; it records every request and answers
with a scripted list of statuses (then 200).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

DEMO = ("demo@example.com", "demo-token")
HOOKS = "/rest/webhooks/1.0/webhook"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    delay: float = 0.0
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["Content-Type"] = environ.get("CONTENT_TYPE", "")
        if self.delay:
            time.sleep(self.delay)
        with self.cond:
            self.received.append(Received(environ["PATH_INFO"], headers, body))
            status = self.script.pop(0) if self.script else 200
            self.cond.notify_all()
        start_response(f"{status} Scripted", [("Content-Type", "text/plain")])
        return [b"ok"]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.received) < count and time.monotonic() < deadline:
                self.cond.wait(0.05)
            return list(self.received)


    def reset(self) -> None:
        with self.cond:
            self.received.clear()
            self.script.clear()
            self.delay = 0.0


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[Receiver]:
    recv = Receiver()
    server = make_server("127.0.0.1", 0, recv, threaded=True, request_handler=_Quiet)
    recv.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recv
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(receiver_server: Receiver, sandbox) -> Iterator[Receiver]:
    receiver_server.reset()
    yield receiver_server
    sandbox.state.webhooks.clear_queue()
    receiver_server.reset()


def register(sandbox, url, events=("jira:issue_created",), jql="", secret=None, **extra):
    body = {"name": "debrief", "url": url, "events": list(events),
            "filters": {"issue-related-events-section": jql}, "excludeBody": False, **extra}
    if secret:
        body["secret"] = secret
    response = requests.post(f"{sandbox.url}{HOOKS}", json=body, auth=DEMO)
    assert response.status_code == 201, response.text
    return response.json()


def create_incident(jira, **fields):
    return jira.create_issue(fields={"project": {"key": "INC"}, "issuetype": {"name": "Incident"},
                                     "summary": "Checkout down", "customfield_10100": {"value": "SEV-1"},
                                     **fields})["key"]


def attempts(sandbox):
    return requests.get(f"{sandbox.url}/_sandbox/deliveries?wait=5", auth=DEMO).json()["attempts"]


def test_registration_api_round_trip(sandbox):
    hook = register(sandbox, "http://127.0.0.1:9/hook", events=["jira:issue_created", "comment_created"],
                    jql="project = INC", secret="s3cret")
    assert hook["self"].endswith(f"{HOOKS}/1") and hook["enabled"] is True
    assert hook["filters"] == {"issue-related-events-section": "project = INC"}
    assert "secret" not in hook
    listed = requests.get(f"{sandbox.url}{HOOKS}", auth=DEMO).json()
    assert [h["name"] for h in listed] == ["debrief"]
    changed = requests.put(f"{sandbox.url}{HOOKS}/1", json={"name": "renamed", "enabled": False}, auth=DEMO).json()
    assert changed["name"] == "renamed" and changed["enabled"] is False and changed["url"] == hook["url"]
    assert requests.delete(f"{sandbox.url}{HOOKS}/1", auth=DEMO).status_code == 204
    assert requests.get(f"{sandbox.url}{HOOKS}/1", auth=DEMO).status_code == 404
    bad = requests.post(f"{sandbox.url}{HOOKS}", json={"name": "", "url": "ftp://x", "events": ["nope"]}, auth=DEMO)
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"name", "url", "events"}


def test_issue_created_payload_is_signed_and_real_shaped(sandbox, receiver, jira_client):
    register(sandbox, receiver.url + "/jira", secret="s3cret")
    key = create_incident(jira_client, description="Line one", labels=["eu"])
    [got] = receiver.wait_for(1)
    assert got.headers["Content-Type"] == "application/json"
    expected = "sha256=" + hmac.new(b"s3cret", got.body, hashlib.sha256).hexdigest()
    assert got.headers["X-Hub-Signature"] == expected
    assert got.headers["X-Atlassian-Webhook-Identifier"]
    assert got.headers["X-Atlassian-Webhook-Flow"] == "Primary"
    assert "X-Atlassian-Webhook-Retry" not in got.headers
    body = got.json
    assert body["webhookEvent"] == "jira:issue_created" and body["issue_event_type_name"] == "issue_created"
    assert isinstance(body["timestamp"], int) and body["timestamp"] > 1_700_000_000_000
    assert body["user"]["accountId"] == "5b10a2844c20165700ede21g"
    issue = body["issue"]
    assert issue["key"] == key and issue["self"] == f"{sandbox.url}/rest/api/2/issue/{issue['id']}"
    assert issue["fields"]["description"] == "Line one"  # a string, never ADF
    assert issue["fields"]["customfield_10100"]["value"] == "SEV-1"
    items = {i["fieldId"]: i for i in body["changelog"]["items"]}
    assert items["status"]["toString"] == "To Do" and items["labels"]["toString"] == "eu"
    assert items["customfield_10100"]["fieldtype"] == "custom"


def test_unsigned_without_secret_and_exclude_body(sandbox, receiver, jira_client):
    register(sandbox, receiver.url, excludeBody=True)
    create_incident(jira_client)
    [got] = receiver.wait_for(1)
    assert "X-Hub-Signature" not in got.headers and got.body == b""


def test_updates_transitions_and_comments(sandbox, receiver, jira_client):
    register(sandbox, receiver.url, events=["jira:issue_updated", "comment_created"])
    key = create_incident(jira_client)
    jira_client.update_issue_field(key, {"assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5"}})
    jira_client.update_issue_field(key, {"priority": {"name": "Highest"}, "labels": ["sev1"]})
    jira_client.set_issue_status(key, "In Progress")
    jira_client.set_issue_status(key, "Resolved")
    jira_client.issue_add_comment(key, "Mitigated.")
    got = receiver.wait_for(6)
    bodies = [r.json for r in got]
    kinds = [(b["webhookEvent"], b.get("issue_event_type_name")) for b in bodies]
    assert kinds == [("jira:issue_updated", "issue_assigned"), ("jira:issue_updated", "issue_updated"),
                     ("jira:issue_updated", "issue_generic"), ("jira:issue_updated", "issue_resolved"),
                     ("comment_created", None), ("jira:issue_updated", "issue_commented")]
    resolved = bodies[3]["changelog"]["items"]
    assert {(i["field"], i["fromString"], i["toString"]) for i in resolved} >= {
        ("status", "In Progress", "Resolved"), ("resolution", None, "Done")}
    comment = bodies[4]
    assert comment["comment"]["body"] == "Mitigated." and comment["issue"]["key"] == key
    assert set(comment["issue"]["fields"]) == {"summary", "issuetype", "project", "assignee", "priority", "status"}
    assert bodies[5]["comment"]["id"] == comment["comment"]["id"]
    identifiers = {r.headers["X-Atlassian-Webhook-Identifier"] for r in got}
    assert len(identifiers) == len(got)


def test_retries_keep_identifier_and_count(sandbox, receiver, jira_client):
    receiver.script = [500, 429, 503]
    register(sandbox, receiver.url)
    create_incident(jira_client)
    got = receiver.wait_for(4)
    assert len(got) == 4
    assert len({r.headers["X-Atlassian-Webhook-Identifier"] for r in got}) == 1
    assert [r.headers.get("X-Atlassian-Webhook-Retry") for r in got] == [None, "1", "2", "3"]
    assert len({r.body for r in got}) == 1
    log = attempts(sandbox)
    assert [(a["retry"], a["status"], a["outcome"]) for a in log] == [
        (0, 500, "retrying"), (1, 429, "retrying"), (2, 503, "retrying"), (3, 200, "delivered")]


@pytest.mark.parametrize("status", [408, 409, 425])
def test_other_retryable_statuses(sandbox, receiver, jira_client, status):
    receiver.script = [status]
    register(sandbox, receiver.url)
    create_incident(jira_client)
    assert len(receiver.wait_for(2)) == 2


def test_no_retry_on_400(sandbox, receiver, jira_client):
    receiver.script = [400]
    register(sandbox, receiver.url)
    create_incident(jira_client)
    log = attempts(sandbox)
    assert [(a["status"], a["outcome"]) for a in log] == [(400, "failed")]
    assert len(receiver.received) == 1


def test_gives_up_after_policy_retries(sandbox, receiver, jira_client):
    policy = requests.put(f"{sandbox.url}/_sandbox/webhook-policy", json={"retry_delays": [0.01, 0.02]}, auth=DEMO)
    assert policy.json()["max_retries"] == 2
    receiver.script = [503] * 10
    register(sandbox, receiver.url)
    create_incident(jira_client)
    log = attempts(sandbox)
    assert [a["outcome"] for a in log] == ["retrying", "retrying", "failed"]


def test_connection_errors_are_retried(sandbox, jira_client):
    requests.put(f"{sandbox.url}/_sandbox/webhook-policy", json={"retry_delays": [0.01]}, auth=DEMO)
    register(sandbox, "http://127.0.0.1:9/closed")
    create_incident(jira_client)
    log = attempts(sandbox)
    assert [(a["status"], a["outcome"]) for a in log] == [(None, "retrying"), (None, "failed")]
    assert "ConnectionError" in log[0]["error"]


def test_jql_filter_applies(sandbox, receiver, jira_client):
    register(sandbox, receiver.url + "/act", events=["jira:issue_created"], jql="project = ACT")
    register(sandbox, receiver.url + "/sev1", events=["jira:issue_created"], jql='cf[10100] = "SEV-1"')
    create_incident(jira_client)
    jira_client.create_issue(fields={"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "t"})
    got = receiver.wait_for(2)
    assert attempts(sandbox) and len(got) == 2
    assert sorted((r.path, r.json["issue"]["fields"]["project"]["key"]) for r in got) == [
        ("/act", "ACT"), ("/sev1", "INC")]


def test_url_variables_are_substituted(sandbox, receiver, jira_client):
    register(sandbox, receiver.url + "/jira/${project.key}/${issue.key}")
    key = create_incident(jira_client)
    [got] = receiver.wait_for(1)
    assert got.path == f"/jira/INC/{key}"


def test_delivery_happens_after_the_response(sandbox, receiver, jira_client):
    receiver.delay = 1.0
    register(sandbox, receiver.url)
    started = time.monotonic()
    create_incident(jira_client)
    assert time.monotonic() - started < 0.8
    assert len(receiver.wait_for(1)) == 1


def test_issuelink_created_event(sandbox, receiver, jira_client):
    register(sandbox, receiver.url, events=["issuelink_created"])
    jira_client.create_issue_link({"type": {"name": "Blocks"}, "inwardIssue": {"key": "INC-2"},
                                   "outwardIssue": {"key": "INC-3"}})
    [got] = receiver.wait_for(1)
    link = got.json["issueLink"]
    assert (link["sourceIssueId"], link["destinationIssueId"]) == (10002, 10003)
    assert link["issueLinkType"]["outwardName"] == "blocks"


def test_policy_hook_validates(sandbox):
    bad = requests.put(f"{sandbox.url}/_sandbox/webhook-policy", json={"retry_delays": [-1]}, auth=DEMO)
    assert bad.status_code == 400
    current = requests.get(f"{sandbox.url}/_sandbox/webhook-policy", auth=DEMO).json()
    assert current["max_retries"] == 5


# Confluence admin webhooks (Data Center registration) ------------------------------------
CONF_HOOKS = "/wiki/rest/api/webhooks"
PAGE_EVENTS = ["page_created", "page_updated", "page_moved", "comment_created", "comment_updated"]


def register_confluence(sandbox, url, events=PAGE_EVENTS, secret="conf-s3cret"):
    body = {"name": "debrief", "url": url, "events": list(events), "active": True,
            "configuration": {"secret": secret} if secret else {}}
    response = requests.post(f"{sandbox.url}{CONF_HOOKS}", json=body, auth=DEMO)
    assert response.status_code == 201, response.text
    return response.json()


def a_page(sandbox, title="Postmortem INC-1", body="<p>draft</p>"):
    response = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=DEMO, json={
        "type": "page", "title": title, "space": {"key": "PM"},
        "body": {"storage": {"value": body, "representation": "storage"}}})
    assert response.status_code == 200, response.text
    return response.json()


def test_confluence_registration_round_trip(sandbox):
    hook = register_confluence(sandbox, "http://127.0.0.1:9/hook")
    assert hook["events"] == PAGE_EVENTS and hook["active"] is True
    assert hook["configuration"] == {"secret": "********"}  # never echoed
    listed = requests.get(f"{sandbox.url}{CONF_HOOKS}", auth=DEMO).json()
    assert [h["name"] for h in listed["results"]] == ["debrief"] and listed["totalCount"] == 1
    assert requests.get(f"{sandbox.url}{HOOKS}", auth=DEMO).json() == []  # not a Jira hook
    changed = requests.put(f"{sandbox.url}{CONF_HOOKS}/{hook['id']}", json={"active": False}, auth=DEMO).json()
    assert changed["active"] is False and changed["url"] == hook["url"]
    assert requests.delete(f"{sandbox.url}{CONF_HOOKS}/{hook['id']}", auth=DEMO).status_code == 204
    assert requests.get(f"{sandbox.url}{CONF_HOOKS}/{hook['id']}", auth=DEMO).status_code == 404
    bad = requests.post(f"{sandbox.url}{CONF_HOOKS}", json={"name": "x", "url": "http://h/",
                                                          "events": ["jira:issue_created"]}, auth=DEMO)
    assert bad.status_code == 400 and "Unknown webhook events" in bad.json()["message"]


def test_page_update_reaches_the_receiver_signed(sandbox, receiver):
    register_confluence(sandbox, receiver.url + "/confluence")
    page = a_page(sandbox)
    update = requests.put(f"{sandbox.url}/wiki/rest/api/content/{page['id']}", auth=DEMO, json={
        "type": "page", "title": page["title"], "version": {"number": 2},
        "body": {"storage": {"value": "<p>edited</p>", "representation": "storage"}}})
    assert update.status_code == 200, update.text
    created, updated = receiver.wait_for(2)
    assert [created.json["event"], updated.json["event"]] == ["page_created", "page_updated"]
    assert updated.path == "/confluence" and updated.headers["X-Event-Key"] == "page_updated"
    expected = "sha256=" + hmac.new(b"conf-s3cret", updated.body, hashlib.sha256).hexdigest()
    assert updated.headers["X-Hub-Signature"] == expected
    assert updated.json["page"]["id"] == page["id"] and updated.json["page"]["version"] == 2
    assert updated.json["page"]["spaceKey"] == "PM" and updated.json["userKey"]
    assert updated.headers["X-Atlassian-Webhook-Identifier"] != created.headers["X-Atlassian-Webhook-Identifier"]


def test_comment_and_move_events(sandbox, receiver):
    register_confluence(sandbox, receiver.url + "/c", events=["comment_created", "page_moved"], secret=None)
    page, target = a_page(sandbox, "Moving page"), a_page(sandbox, "Target page")
    comment = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=DEMO, json={
        "type": "comment", "container": {"id": page["id"], "type": "page"},
        "body": {"storage": {"value": "<p>/approve</p>", "representation": "storage"}}})
    assert comment.status_code == 200, comment.text
    moved = requests.put(f"{sandbox.url}/wiki/rest/api/content/{page['id']}/move/append/{target['id']}", auth=DEMO)
    assert moved.status_code == 200, moved.text
    got = receiver.wait_for(2)
    assert [g.json["event"] for g in got] == ["comment_created", "page_moved"]
    assert "X-Hub-Signature" not in got[0].headers
    assert got[0].json["comment"]["parent"]["id"] == page["id"]
    assert got[1].json["page"]["id"] == page["id"]


def test_confluence_deliveries_retry_like_jira(sandbox, receiver):
    receiver.script[:] = [503, 500]
    register_confluence(sandbox, receiver.url + "/c", events=["page_created"])
    a_page(sandbox)
    got = receiver.wait_for(3)
    assert len({g.headers["X-Atlassian-Webhook-Identifier"] for g in got}) == 1
    assert [g.headers.get("X-Atlassian-Webhook-Retry") for g in got] == [None, "1", "2"]
