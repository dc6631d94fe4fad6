"""The site as a whole: persistence, reset, serving, HTML views, concurrent writers."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import requests

from sandbox.server import start
from sandbox.state import SandboxState

DEMO = ("demo@example.com", "demo-token")
ROOT = Path(__file__).resolve().parents[2]


def test_save_and_load_round_trip(tmp_path, jira_client, sandbox):
    key = jira_client.create_issue(fields={"project": {"key": "INC"}, "issuetype": {"name": "Incident"},
                                           "summary": "Persist me"})["key"]
    jira_client.issue_add_comment(key, "kept")
    requests.post(f"{sandbox.url}/rest/webhooks/1.0/webhook", auth=DEMO,
                  json={"name": "w", "url": "http://127.0.0.1:9/", "events": ["jira:issue_created"]})
    path = tmp_path / "state.json"
    sandbox.state.save(path)
    loaded = SandboxState.load(path)
    issue = loaded.jira.get(key)
    assert issue.fields["summary"] == "Persist me" and issue.comments[0]["body"] == "kept"
    assert [h.name for h in loaded.webhooks.registrations.values()] == ["w"]
    assert loaded.confluence.to_json() == sandbox.state.confluence.to_json()
    created = loaded.jira.create({"project": "INC", "issuetype": "10004", "summary": "next"}, "x")
    assert created.key == f"INC-{int(key.split('-')[1]) + 1}"


def test_start_with_state_file_saves_on_stop(tmp_path):
    path = tmp_path / "site.json"
    with start(state_file=path) as site:
        requests.post(f"{site.url}/rest/api/2/issue", auth=DEMO, json={
            "fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "survives"}})
    data = json.loads(path.read_text())
    assert any(i["fields"]["summary"] == "survives" for i in data["jira"]["issues"])
    with start(state_file=path) as again:
        assert requests.get(f"{again.url}/rest/api/2/issue/ACT-2", auth=DEMO).json()["fields"]["summary"] == "survives"


def test_run_prints_banner_and_saves_on_ctrl_c(tmp_path):
    path = tmp_path / "run.json"
    code = f"from sandbox.server import run; run(port=0, state_file={str(path)!r})"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        first = proc.stdout.readline() + proc.stdout.readline()
        url = first.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        assert requests.get(f"{url}/rest/api/2/serverInfo", timeout=5).status_code == 200
        requests.put(f"{url}/rest/api/2/issue/INC-3", auth=DEMO, json={"fields": {"summary": "renamed"}}, timeout=5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert "demo@example.com / demo-token" in first + out and "Saved sandbox state" in out
    saved = json.loads(path.read_text())
    assert any(i["fields"]["summary"] == "renamed" for i in saved["jira"]["issues"])


def test_html_views_escape_user_text(jira_client, sandbox):
    key = jira_client.create_issue(fields={"project": {"key": "INC"}, "issuetype": {"name": "Incident"},
                                           "summary": "<script>alert(1)</script>",
                                           "description": "<b>bold?</b>"})["key"]
    jira_client.create_or_update_issue_remote_links(key, "javascript:alert(1)", "evil")
    page = requests.get(f"{sandbox.url}/browse/{key}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page and 'href="javascript:' not in page
    index = requests.get(f"{sandbox.url}/").text
    assert 'href="/projects/INC"' in index and 'href="/wiki/spaces/PM"' in index
    project = requests.get(f"{sandbox.url}/jira/INC").text
    assert f'href="/browse/{key}"' in project
    assert requests.get(f"{sandbox.url}/browse/NOPE-1").status_code == 404


def test_concurrent_writers_get_unique_keys(sandbox):
    keys: list[str] = []

    def create(n: int) -> None:
        response = requests.post(f"{sandbox.url}/rest/api/2/issue", auth=DEMO, json={
            "fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": f"t{n}"}})
        keys.append(response.json()["key"])

    threads = [threading.Thread(target=create, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(keys, key=lambda k: int(k.split("-")[1])) == [f"ACT-{n}" for n in range(2, 22)]
