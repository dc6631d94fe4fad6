"""The archive end to end on the sandbox (real HTTP, real Redis), Cloud and Data Center: an
approved postmortem whose gates pass is moved under its period page with its children and id,
labelled, locked, linked, announced once, indexed; interrupted runs are finished exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import requests
from redis import Redis

from config.environment import read_environment
from config.settings import load_settings
from connector.retry import RetryPolicy
from jobs.archive import ArchiveApproved, archive_page
from jobs.context import JobContext
from jobs.draft import draft
from jobs.sweep import run_sweep
from postmortem.page import parse_page
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL, DEMO_PAT
from tests.plugins.service import ROOT
from tests.test_end_to_end import AUTH, create_incident

pytestmark = pytest.mark.e2e
SARA = "5b10ac8d82e05b22cc7d4ef8"
MINA_AUTH = ("mina.park@example.com", "mina-token")
SARA_AUTH = ("sara.lee@example.com", "sara-token")


def environment(sandbox, redis_url: str, deployment: str) -> dict:
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_URL": sandbox.url, "CONFLUENCE_URL": f"{sandbox.url}/wiki",
           "ATLASSIAN_DEPLOYMENT": deployment, "DEBRIEF_CONFIG": str(ROOT / "app.yaml")}
    for name in ("ATLASSIAN_PAT", "ATLASSIAN_USER", "ATLASSIAN_TOKEN", "DEBRIEF_ATLASSIAN_TIMEOUT"):
        env.pop(name, None)
    if deployment == "datacenter":
        env["ATLASSIAN_PAT"] = DEMO_PAT
    else:
        env.update({"ATLASSIAN_USER": DEMO_EMAIL, "ATLASSIAN_TOKEN": DEMO_API_TOKEN})
    return env


@pytest.fixture(params=["cloud", "datacenter"])
def site(request, sandbox, redis_conn, redis_url):
    deployment = request.param
    env = environment(sandbox, redis_url, deployment)
    settings = load_settings(ROOT / "app.yaml")
    who = SARA if deployment == "cloud" else "sara.lee"
    archive = replace(settings.confluence.archive, restrict_users=(who,), restrict_groups=("sre",))
    settings = replace(settings, confluence=replace(settings.confluence, archive=archive))
    ctx = JobContext(settings, read_environment(env), Redis.from_url(redis_url))
    fast = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)
    ctx.confluence.policy = ctx.jira.policy = fast
    return sandbox, ctx, env, deployment


def approve(sandbox, ctx: JobContext, page_id: str) -> None:
    """What the review stage records when every gate passes and a reviewer approved."""
    value, version = ctx.confluence.get_state(page_id)
    gates = {g: {"ok": True, "reason": ""} for g in ctx.settings.review.gates}
    ctx.confluence.put_state(page_id, {**value, "status": "approved", "gates": gates}, version)


def drafted(sandbox, ctx) -> tuple[str, str]:
    key = create_incident(sandbox)
    result = draft(ctx, datetime.now(UTC), key)
    page_id = result["page"]
    # a person adds a child page under the postmortem (e.g. its supporting graphs)
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=MINA_AUTH, json={
        "type": "page", "title": f"Graphs of {key}", "space": {"key": "PM"}, "ancestors": [{"id": page_id}],
        "body": {"storage": {"value": "<p>graphs</p>", "representation": "storage"}}})
    assert r.ok, r.text
    return key, page_id


def page(sandbox, page_id: str) -> dict:
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}", auth=AUTH,
                     params={"expand": "space,ancestors,body.storage,version,metadata.labels,children.page"})
    assert r.ok, r.text
    return r.json()


def comments(sandbox, key: str) -> list[str]:
    r = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH)
    return [c["body"] for c in r.json()["comments"]]


def writes(sandbox) -> list[dict]:
    entries = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH).json()
    entries = entries.get("entries", entries) if isinstance(entries, dict) else entries
    return [e for e in entries if e["method"] in ("POST", "PUT", "DELETE")]


def edit_as(sandbox, auth, page_id: str) -> requests.Response:
    current = page(sandbox, page_id)
    return requests.put(f"{sandbox.url}/wiki/rest/api/content/{page_id}", auth=auth, json={
        "id": page_id, "type": "page", "title": current["title"], "version": {"number": current["version"]["number"] + 1},
        "body": {"storage": {"value": current["body"]["storage"]["value"] + "<p>edit</p>", "representation": "storage"}}})


def test_approved_postmortem_is_archived_locked_linked_and_indexed(site):
    sandbox, ctx, env, deployment = site
    key, page_id = drafted(sandbox, ctx)
    before = page(sandbox, page_id)
    # not approved yet: says which gates fail, moves nothing
    held = archive_page(ctx, datetime.now(UTC), page_id)
    assert held["outcome"] == "held" and "approved" in held["reason"]
    assert page(sandbox, page_id)["space"]["key"] == "PM"

    approve(sandbox, ctx, page_id)
    requests.delete(f"{sandbox.url}/_sandbox/journal", auth=AUTH)
    dry = subprocess.run([sys.executable, "-m", "debrief", "archive", "--dry-run"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert f"page {page_id} of {key}" in dry.stdout and "PMARCHIVE" in dry.stdout, dry.stdout
    stray = writes(sandbox)
    assert [(w["method"], w["path"]) for w in stray] == [], (dry.stdout, stray)  # zero writes

    result = archive_page(ctx, datetime.now(UTC), page_id)
    assert result["outcome"] == "archived", result
    after = page(sandbox, page_id)
    assert after["id"] == before["id"] and after["space"]["key"] == "PMARCHIVE"
    period = after["ancestors"][-1]["title"]
    assert period.startswith(str(datetime.now(UTC).year)[:3]) and " Q" in period
    assert [c["title"] for c in after["children"]["page"]["results"]] == [f"Graphs of {key}"]
    labels = {x["name"] for x in after["metadata"]["labels"]["results"]}
    assert {"postmortem", "postmortem-archived", "sev-2", "checkout", key.lower()} <= labels
    assert "postmortem-draft" not in labels and "postmortem-approved" not in labels
    year, quarter = period.split(" Q")
    assert {year, f"{year}-q{quarter}"} <= labels
    assert parse_page(after["body"]["storage"]["value"]).properties["status"].cell.statuses == ("ARCHIVED",)
    state, _ = ctx.confluence.get_state(page_id)
    assert state["status"] == "archived" and state["archive"]["complete"] is True
    url = ctx.confluence.web_url(after)
    # the incident: the same remote link now points at the new URL, and one comment says so
    links = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/remotelink", auth=AUTH).json()
    ours = [x for x in links if x.get("globalId") == f"debrief-postmortem-{key}"]
    assert len(ours) == 1 and ours[0]["object"]["url"] == url
    assert sum("archived" in c and url in c for c in comments(sandbox, key)) == 1
    # locked: sara (named) and the sre group (mina) and Debrief may edit; tom may not
    assert edit_as(sandbox, ("tom.choi@example.com", "tom-token"), page_id).status_code == 403
    assert edit_as(sandbox, SARA_AUTH, page_id).ok
    assert edit_as(sandbox, MINA_AUTH, page_id).ok
    # the index on the archive home lists the report and the service
    home = ctx.confluence.space_home_id("PMARCHIVE")
    index = page(sandbox, home)["body"]["storage"]["value"]
    assert 'ac:name="detailssummary"' in index and ">checkout</a> (1)" in index
    # again: nothing left to do, no write at all
    requests.delete(f"{sandbox.url}/_sandbox/journal", auth=AUTH)
    assert archive_page(ctx, datetime.now(UTC), page_id)["outcome"] == "done"
    report = run_sweep(ctx, datetime.now(UTC), duties=[ArchiveApproved()])
    assert report.failed == [], report.lines()
    assert [(w["method"], w["path"]) for w in writes(sandbox)] == [], report.lines()


def test_a_move_interrupted_by_faults_is_finished_exactly_once_by_the_next_sweep(site):
    sandbox, ctx, env, deployment = site
    key, page_id = drafted(sandbox, ctx)
    approve(sandbox, ctx, page_id)
    # Atlassian goes down right after the move: labels, body and state writes fail
    for rule in ({"kind": "status", "status": 503, "method": "POST", "path": "/wiki/rest/api/content/*/label"},
                 {"kind": "status", "status": 503, "method": "PUT", "path": f"/wiki/rest/api/content/{page_id}"}):
        assert requests.post(f"{sandbox.url}/_sandbox/faults", auth=AUTH, json=rule).status_code == 201
    first = run_sweep(ctx, datetime.now(UTC))
    assert first.failed, first.lines()
    assert page(sandbox, page_id)["space"]["key"] == "PMARCHIVE"  # moved, not finished
    requests.delete(f"{sandbox.url}/_sandbox/faults", auth=AUTH)
    second = run_sweep(ctx, datetime.now(UTC))
    assert not second.failed, second.lines()
    third = run_sweep(ctx, datetime.now(UTC))
    assert not [s for s, _ in third.done if s.duty == "archive"], third.lines()
    title = page(sandbox, page_id)["title"]
    with sandbox.state.lock:
        copies = [c for c in sandbox.state.confluence.current("page") if c.title == title]
    assert len(copies) == 1
    after = page(sandbox, page_id)
    assert "postmortem-archived" in {x["name"] for x in after["metadata"]["labels"]["results"]}
    url = ctx.confluence.web_url(after)
    assert sum("archived" in c for c in comments(sandbox, key)) == 1
    assert sum(url in c for c in comments(sandbox, key)) == 1


def test_odd_states_get_a_clear_outcome(site):
    sandbox, ctx, env, deployment = site
    key, page_id = drafted(sandbox, ctx)
    approve(sandbox, ctx, page_id)
    # a person set the status back by hand: respected, with the reason on the review panel
    requests.post(f"{sandbox.url}/wiki/rest/api/content/{page_id}/label", auth=MINA_AUTH,
                  json=[{"prefix": "global", "name": "postmortem-in-review"}])
    held = archive_page(ctx, datetime.now(UTC), page_id)
    assert held["outcome"] == "left" and "in-review" in held["reason"]
    body = page(sandbox, page_id)["body"]["storage"]["value"]
    assert "in-review" in body and page(sandbox, page_id)["space"]["key"] == "PM"
    requests.delete(f"{sandbox.url}/wiki/rest/api/content/{page_id}/label", auth=MINA_AUTH,
                    params={"name": "postmortem-in-review"})
    # an archive space Debrief may not write to: held with the reason, nothing lost
    with sandbox.state.lock:
        sandbox.state.confluence.spaces["PMARCHIVE"].read_only.append("5b10a2844c20165700ede21g")
    held = archive_page(ctx, datetime.now(UTC), page_id)
    assert held["outcome"] == "held" and "403" in held["reason"], held
    assert page(sandbox, page_id)["space"]["key"] == "PM"
    with sandbox.state.lock:
        sandbox.state.confluence.spaces["PMARCHIVE"].read_only.clear()
    # the incident deleted in Jira: archived anyway, and it says the link was not updated
    with sandbox.state.lock:
        jira = sandbox.state.jira
        del jira.issues[next(i for i, issue in jira.issues.items() if issue.key == key)]
    assert requests.get(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH).status_code == 404
    done = archive_page(ctx, datetime.now(UTC), page_id)
    assert done["outcome"] == "archived" and "no longer exists" in done["reason"], done
    assert page(sandbox, page_id)["space"]["key"] == "PMARCHIVE"
