"""``debrief demo`` / ``make demo``: the whole product on one machine, on embedded defaults.

Starts Redis (or uses the one running), the sandbox Jira + Confluence, the service and a
worker; registers the service as the sandbox Jira's webhook with a secret; creates a sample
incident that meets the criteria; waits for its postmortem draft and prints the URLs. Then
keeps everything running until Ctrl-C, SIGTERM or SIGHUP, which stop everything it started,
quietly and in order: worker, service, sandbox, then a private Redis last (the others need it
to stop cleanly). Each child runs in its own process group, so a Ctrl-C at the terminal
reaches the demo alone and the demo stops the children itself; on Linux a child is also sent
SIGTERM should the demo die without cleaning up.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from sandbox.local_redis import NoRedis, ensure_redis
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL

ROOT = Path(__file__).resolve().parent.parent
AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)


class DemoError(RuntimeError):
    pass


class Stop(Exception):  # noqa: N818 - a request, not an error
    """SIGTERM or SIGHUP: stop like Ctrl-C."""


def _die_with_parent() -> None:
    """In a child before exec: SIGTERM it when the demo dies (Linux' PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes  # noqa: PLC0415

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass


class Children:
    """The processes the demo started, stopped in the reverse order of their start (so a
    process stops before the ones it talks to). Each is the leader of its own process group."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], **popen) -> subprocess.Popen:
        proc = subprocess.Popen(argv, start_new_session=True, preexec_fn=_die_with_parent, **popen)
        self.procs.append((name, proc))
        return proc

    def first_dead(self) -> str | None:
        return next((name for name, p in self.procs if p.poll() is not None), None)

    def stop(self, timeout: float = 10.0) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                self._signal(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    print(f"debrief demo: the {name} did not stop within {timeout:.0f}s; killing it",
                          file=sys.stderr)
                    self._signal(proc, signal.SIGKILL)
                    proc.wait()
            self._signal(proc, signal.SIGKILL)  # anything left in its group (e.g. a worker's job)

    @staticmethod
    def _signal(proc: subprocess.Popen, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signum)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _wait_for(url: str, what: str, proc: subprocess.Popen, timeout: float = 30.0, auth=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DemoError(f"{what} exited with code {proc.returncode}")
        try:
            if requests.get(url, timeout=1, auth=auth).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise DemoError(f"{what} did not become ready at {url} within {timeout:.0f}s")


def _jira_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def create_sample_incident(jira_url: str) -> str:
    """A checkout outage that meets several criteria: 47 minutes of downtime, a rollback,
    found by customers rather than by alerting."""
    now = datetime.now(UTC).replace(microsecond=0)
    fields = {
        "project": {"key": "INC"},
        "issuetype": {"name": "Incident"},
        "summary": "Checkout returns HTTP 500 for card payments",
        "description": "Card payments failed at checkout after the 14:00 deploy of payments-api 2.31.\n"
                       "Customers reported errors before any alert fired.",
        "priority": {"name": "High"},
        "labels": ["rollback", "payments"],
        "components": [{"name": "checkout"}],
        "assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5"},
        "customfield_10100": {"value": "SEV-2"},
        "customfield_10101": _jira_time(now - timedelta(minutes=52)),
        "customfield_10102": _jira_time(now - timedelta(minutes=40)),
        "customfield_10104": {"value": "Customer report"},
        "customfield_10105": {"value": "Downtime"},
    }
    s = requests.Session()
    s.auth = AUTH
    r = s.post(f"{jira_url}/rest/api/2/issue", json={"fields": fields}, timeout=10)
    if r.status_code != 201:
        raise DemoError(f"creating the sample incident failed: {r.status_code} {r.text}")
    key = r.json()["key"]
    s.post(f"{jira_url}/rest/api/2/issue/{key}/comment", timeout=10,
           json={"body": "Rolled back payments-api to 2.30; error rate back to normal."})
    r = s.put(f"{jira_url}/rest/api/2/issue/{key}", timeout=10,
              json={"fields": {"customfield_10103": _jira_time(now - timedelta(minutes=5))}})
    if r.status_code >= 300:
        raise DemoError(f"updating the sample incident failed: {r.status_code} {r.text}")
    return key


def wait_for_draft(wiki_url: str, key: str, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    cql = f'type = page and label = "{key.lower()}" and label = "postmortem"'
    while time.monotonic() < deadline:
        r = requests.get(f"{wiki_url}/rest/api/search", params={"cql": cql}, auth=AUTH, timeout=5)
        if r.ok and r.json().get("results"):
            content = r.json()["results"][0]["content"]
            page = requests.get(f"{wiki_url}/rest/api/content/{content['id']}", auth=AUTH, timeout=5).json()
            return page
        time.sleep(0.5)
    raise DemoError(f"no postmortem page for {key} after {timeout:.0f}s (see the worker's log above)")


def run_demo(*, host: str = "127.0.0.1", port: int = 8000, sandbox_port: int = 8090,
             keep_running: bool = True) -> int:
    for p, what in ((port, "service"), (sandbox_port, "sandbox")):
        if not _port_free(host, p):
            print(f"debrief demo: port {p} for the {what} is in use; pick another with "
                  f"--{'port' if what == 'service' else 'sandbox-port'}", file=sys.stderr)
            return 2
    stopping = {signal.SIGTERM: signal.getsignal(signal.SIGTERM), signal.SIGHUP: signal.getsignal(signal.SIGHUP)}

    def _stop(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    for signum in stopping:
        signal.signal(signum, _stop)
    redis = None
    children = Children()
    try:
        redis = ensure_redis()
        print(f"Redis: {redis.how}", flush=True)
        return _run(children, redis.url, host, port, sandbox_port, keep_running)
    except NoRedis as exc:
        print(f"debrief demo: {exc}", file=sys.stderr)
        return 3
    except DemoError as exc:
        print(f"debrief demo: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stop):
        print("\nStopping the demo...", flush=True)
        return 0
    finally:
        for signum in (signal.SIGINT, *stopping):  # a second Ctrl-C must not cut the shutdown short
            signal.signal(signum, signal.SIG_IGN)
        children.stop()
        if redis is not None:
            redis.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum, previous in stopping.items():
            signal.signal(signum, previous)


def _run(children: Children, redis_url: str, host: str, port: int, sandbox_port: int,
         keep_running: bool) -> int:
    sandbox_url = f"http://{host}:{sandbox_port}"
    service_url = f"http://{host}:{port}"
    secret = secrets.token_hex(16)
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_URL": sandbox_url, "CONFLUENCE_URL": f"{sandbox_url}/wiki",
           "ATLASSIAN_DEPLOYMENT": "cloud", "ATLASSIAN_USER": DEMO_EMAIL, "ATLASSIAN_TOKEN": DEMO_API_TOKEN,
           "JIRA_WEBHOOK_SECRET": secret, "DEBRIEF_CONFIG": os.environ.get("DEBRIEF_CONFIG", str(ROOT / "app.yaml"))}
    env.pop("ATLASSIAN_PAT", None)
    py = [sys.executable, "-m", "debrief"]
    log_dir = ROOT / ".demo"
    log_dir.mkdir(exist_ok=True)
    with (log_dir / "sandbox.log").open("w") as sandbox_log:
        sandbox = children.start("sandbox", [*py, "sandbox", "--host", host, "--port", str(sandbox_port)],
                                 env=env, stdout=sandbox_log, stderr=subprocess.STDOUT)
    print(f"Sandbox Jira + Confluence: {sandbox_url}/ (its request log: {log_dir / 'sandbox.log'})", flush=True)
    _wait_for(f"{sandbox_url}/rest/api/2/serverInfo", "the sandbox", sandbox)
    service = children.start("service", [*py, "serve", "--host", host, "--port", str(port), "--workers", "2"],
                             env=env)
    children.start("worker", [*py, "worker", "--name", f"demo-{os.getpid()}"], env=env)
    _wait_for(f"{service_url}/readyz", "the service", service)
    print(f"Service ready: {service_url}/readyz", flush=True)
    r = requests.post(f"{sandbox_url}/rest/webhooks/1.0/webhook", auth=AUTH, timeout=5, json={
        "name": "Debrief", "url": f"{service_url}/webhooks/jira", "secret": secret, "excludeBody": False,
        "events": ["jira:issue_created", "jira:issue_updated", "comment_created"],
        "filters": {"issue-related-events-section": "project = INC"}})
    if r.status_code >= 300:
        raise DemoError(f"registering the webhook failed: {r.status_code} {r.text}")
    for sample in SAMPLES:
        sample(sandbox_url, service_url)
    print(f"  Sandbox site:            {sandbox_url}/\n"
          f"  Service health:          {service_url}/readyz\n"
          f"  Sign in to the sandbox API as {DEMO_EMAIL} / {DEMO_API_TOKEN}\n", flush=True)
    if not keep_running:
        return 0
    print("Press Ctrl-C to stop.", flush=True)
    while (dead := children.first_dead()) is None:
        time.sleep(0.5)
    print(f"debrief demo: the {dead} stopped; shutting down", file=sys.stderr)
    return 1


def draft_sample(sandbox_url: str, service_url: str) -> None:
    """A sample incident that meets the criteria, and the postmortem draft it gets."""
    key = create_sample_incident(sandbox_url)
    print(f"Created sample incident {key}; waiting for its postmortem draft...", flush=True)
    page = wait_for_draft(f"{sandbox_url}/wiki", key)
    links = page.get("_links") or {}
    page_url = (links.get("base") or f"{sandbox_url}/wiki") + links.get("webui", "")
    print("\nDebrief demo is running:\n"
          f"  Incident in Jira:        {sandbox_url}/browse/{key}\n"
          f"  Postmortem draft:        {page_url}", flush=True)


# What the demo shows, in order: each sample takes the sandbox's and the service's URLs and
# prints what it made. A later sample (e.g. a full lifecycle) is one more function here.
SAMPLES = (draft_sample,)
