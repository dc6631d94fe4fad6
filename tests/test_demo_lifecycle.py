"""``debrief demo`` walks its second sample incident through every stage and prints each
stage's URL: draft, action-item tickets, review agenda, share e-mail (a file the demo's SMTP
server wrote), archived page, archive index. Real demo runs in a subprocess on free ports."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import requests

from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL

ROOT = Path(__file__).resolve().parents[1]
AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)
pytestmark = pytest.mark.e2e
STAGES = {
    "draft": r"1\. Draft: +(http://\S+/wiki/spaces/PM/pages/(\d+)/\S+)",
    "tickets": r"2\. Action-item tickets: +(http://\S+/browse/ACT-\d+)\s+(http://\S+/browse/ACT-\d+)",
    "agenda": r"3\. Review agenda: +(http://\S+/wiki/spaces/PM/pages/\d+/Postmortems\+awaiting\+review)",
    "mail": r"4\. Share e-mail: +(\S+\.eml)",
    "archived": r"5\. Archived page: +(http://\S+/wiki/spaces/PMARCHIVE/pages/(\d+)/\S+)",
    "index": r"6\. Archive index: +(http://\S+/wiki/spaces/PMARCHIVE/pages/\d+/\S+)",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo(redis_url: str, folder: Path, *args: str) -> tuple[subprocess.Popen, int]:
    sandbox_port = _free_port()
    env = {**os.environ, "REDIS_URL": redis_url, "DEBRIEF_CONFIG": str(ROOT / "app.yaml"),
           "DEBRIEF_DEMO_DIR": str(folder), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "debrief", "demo", "--port", str(_free_port()),
                             "--sandbox-port", str(sandbox_port), *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    return proc, sandbox_port


def stages(text: str) -> dict[str, re.Match]:
    found = {name: re.search(pattern, text) for name, pattern in STAGES.items()}
    missing = [name for name, m in found.items() if m is None]
    assert not missing, f"no URL for {missing} in:\n{text}"
    return found


def test_demo_once_shows_every_stage_and_keeps_the_mail(redis_conn, redis_url, tmp_path):
    proc, _ = demo(redis_url, tmp_path, "--once")
    try:
        out, _ = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out[-6000:]
    found = stages(out)
    # the first sample stays a draft, with what to try on it
    first = re.search(r"Postmortem draft: +(http://\S+/wiki/spaces/PM/pages/(\d+)/\S+)", out)
    assert first and first.group(2) != found["draft"].group(2), out
    assert f"add-row {first.group(2)} " in out and f"comment {first.group(2)} /approve" in out
    assert " sweep" in out and f"{tmp_path / 'env'}" in out
    # the same page, moved: its id is kept
    assert found["archived"].group(2) == found["draft"].group(2)
    mail_path = Path(found["mail"].group(1))
    assert mail_path.parent == tmp_path / "mail" and mail_path.is_file()
    mail = message_from_bytes(mail_path.read_bytes(), policy=policy.default)
    assert mail["To"] == "postmortems@example.com" and "Postmortem approved" in mail["Subject"]
    content = mail.get_content()
    assert "3,100 users" in content and "Approved by Sara Lee" in content
    env_file = (tmp_path / "env").read_text()
    assert "SMTP_URL=" in env_file and "CONFLUENCE_WEBHOOK_SECRET=" in env_file
    assert "Traceback" not in out, out[-6000:]


def test_the_running_demo_has_the_postmortem_archived(redis_conn, redis_url, tmp_path):
    proc, sandbox_port = demo(redis_url, tmp_path)
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            assert line is not None, "".join(output)
            output.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        else:
            raise AssertionError("the demo did not finish its samples:\n" + "".join(output))
        found = stages("".join(output))
        wiki = f"http://127.0.0.1:{sandbox_port}/wiki"
        page_id = found["archived"].group(2)
        page = requests.get(f"{wiki}/rest/api/content/{page_id}", auth=AUTH, timeout=10,
                            params={"expand": "space,metadata.labels"}).json()
        assert page["space"]["key"] == "PMARCHIVE"
        assert "postmortem-archived" in {x["name"] for x in page["metadata"]["labels"]["results"]}
        state = requests.get(f"{wiki}/rest/api/content/{page_id}/property/debrief", auth=AUTH, timeout=10).json()
        assert state["value"]["status"] == "archived", state
        for url in found["tickets"].groups():
            key = url.rsplit("/", 1)[1]
            issue = requests.get(f"http://127.0.0.1:{sandbox_port}/rest/api/2/issue/{key}", auth=AUTH, timeout=10)
            assert issue.ok, issue.text
        # what the output says to try on the first draft: add a row as Mina, /approve as Sara
        first = re.search(r"add-row (\d+) ", "".join(output)).group(1)
        env = {**os.environ, "CONFLUENCE_URL": wiki}
        for args in (["add-row", first, "Load-test card payments weekly", "--owner", "jun.seo"],
                     ["comment", first, "/approve", "--as", "sara.lee"]):
            done = subprocess.run([sys.executable, "-m", "sandbox.demo_people", *args], env=env, cwd=ROOT,
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stdout + done.stderr
        body = requests.get(f"{wiki}/rest/api/content/{first}", auth=AUTH, timeout=10,
                            params={"expand": "body.storage"}).json()["body"]["storage"]["value"]
        assert "Load-test card payments weekly" in body
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
