"""``debrief demo`` / ``make demo``: the whole product on one machine, on embedded defaults.

Starts Redis (or uses the one running), a local SMTP server keeping each message as a file in
.demo/mail/, the sandbox Jira + Confluence, the service and a worker, with the demo's own
config (.demo/app.yaml: the shipped app.yaml plus a sandbox reviewer and a share list);
registers the service as the sandbox Jira's and Confluence's webhook, each with a secret.
Then the samples: the first incident gets its postmortem draft and stays a draft for a person
to play with; the second is walked through every stage by its people (sandbox/demo_lifecycle.py)
and the URL of each stage is printed as it is reached. .demo/env holds the demo's environment
for commands run next (``set -a; . .demo/env; set +a``). The folder is DEBRIEF_DEMO_DIR when set.
Then keeps everything running until Ctrl-C, SIGTERM or SIGHUP, which stop everything it started,
quietly and in order: worker, service, sandbox, then a private Redis last (the others need it
to stop cleanly). Each child runs in its own process group, so a Ctrl-C at the terminal
reaches the demo alone and the demo stops the children itself; on Linux a child is also sent
SIGTERM should the demo die without cleaning up.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
import yaml

from sandbox.demo_lifecycle import Site, StageError, walk_through
from sandbox.demo_people import SARA, SHARE_TO, PersonError
from sandbox.local_redis import DEFAULT_URL, NoRedis, claim_empty_database, ensure_redis
from sandbox.mailbox import Mailbox
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


# The sample incidents: each meets several criteria (user-visible downtime for long enough, a
# rollback, found by customers rather than by alerting).
CHECKOUT = {
    "summary": "Checkout returns HTTP 500 for card payments",
    "description": "Card payments failed at checkout after the 14:00 deploy of payments-api 2.31.\n"
                   "Customers reported errors before any alert fired.",
    "labels": ["rollback", "payments"], "component": "checkout",
    "comment": "Rolled back payments-api to 2.30; error rate back to normal.",
}
SEARCH = {
    "summary": "Search times out for most queries after the index mapping change",
    "description": "Search requests timed out after the 10:30 deploy of search-api 4.2 with a new index mapping.\n"
                   "Customers reported empty results before any alert fired.",
    "labels": ["rollback", "search"], "component": "search",
    "comment": "Rolled back search-api to 4.1; p99 latency back under 300 ms.",
}


def create_sample_incident(jira_url: str, incident: dict = CHECKOUT) -> str:
    now = datetime.now(UTC).replace(microsecond=0)
    fields = {
        "project": {"key": "INC"},
        "issuetype": {"name": "Incident"},
        "summary": incident["summary"],
        "description": incident["description"],
        "priority": {"name": "High"},
        "labels": incident["labels"],
        "components": [{"name": incident["component"]}],
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
    s.post(f"{jira_url}/rest/api/2/issue/{key}/comment", timeout=10, json={"body": incident["comment"]})
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
    in_process = contextlib.ExitStack()  # the SMTP server: stopped after the worker, before Redis
    try:
        redis = ensure_redis()
        redis_url = own_database(redis.url, in_process)
        own = "" if redis_url == redis.url else f", database {redis_url.rsplit('/', 1)[1]} of its own"
        print(f"Redis: {redis.how}{own}", flush=True)
        return _run(children, in_process, redis_url, host, port, sandbox_port, keep_running)
    except NoRedis as exc:
        print(f"debrief demo: {exc}", file=sys.stderr)
        return 3
    except (DemoError, StageError, PersonError) as exc:
        print(f"debrief demo: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stop):
        print("\nStopping the demo...", flush=True)
        return 0
    finally:
        for signum in (signal.SIGINT, *stopping):  # a second Ctrl-C must not cut the shutdown short
            signal.signal(signum, signal.SIG_IGN)
        children.stop()
        in_process.close()
        if redis is not None:
            redis.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum, previous in stopping.items():
            signal.signal(signum, previous)


def own_database(url: str, in_process: contextlib.ExitStack) -> str:
    """The sandbox starts empty every run and numbers its pages alike, so Debrief's keys from an
    earlier run (row claims, job ids, share claims by page id) would meet the new pages: on the
    shared Redis at 127.0.0.1:6379 the demo claims an empty database of its own and empties it
    on exit. A REDIS_URL given explicitly, or a private Redis, is used as it is."""
    if "REDIS_URL" in os.environ or url != DEFAULT_URL:
        return url
    claim = claim_empty_database(url, f"demo:{os.getpid()}", seconds=12 * 3600)

    def release() -> None:
        with contextlib.suppress(Exception):
            from redis import Redis  # noqa: PLC0415

            Redis.from_url(claim.url).flushdb()  # ours: empty when claimed, written only by this run
        claim.release()

    in_process.callback(release)
    return claim.url


def demo_folder() -> Path:
    return Path(os.environ.get("DEBRIEF_DEMO_DIR") or ROOT / ".demo").resolve()


def write_config(folder: Path) -> Path:
    """The demo's app.yaml: the shipped one (or DEBRIEF_CONFIG's) with a sandbox reviewer and a
    share list where it names none, so review, sharing and the archive have someone to act."""
    source = Path(os.environ.get("DEBRIEF_CONFIG") or ROOT / "app.yaml")
    settings = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    review = settings.setdefault("review", {})
    review["reviewers"] = review.get("reviewers") or [SARA.account_id]
    share = review.get("share") or {}
    share["email"] = share.get("email") or [SHARE_TO]
    review["share"] = share
    path = folder / "app.yaml"
    path.write_text(f"# Written by `debrief demo` from {source}: a sandbox reviewer and a share list added.\n"
                    + yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


DEMO_ENV_KEYS = ("REDIS_URL", "JIRA_URL", "CONFLUENCE_URL", "ATLASSIAN_DEPLOYMENT", "ATLASSIAN_USER",
                 "ATLASSIAN_TOKEN", "JIRA_WEBHOOK_SECRET", "CONFLUENCE_WEBHOOK_SECRET", "DEBRIEF_CONFIG",
                 "SMTP_URL", "DEBRIEF_MAIL_FROM")


def write_env(folder: Path, env: dict[str, str]) -> Path:
    path = folder / "env"
    lines = [f"{k}='{env[k]}'" for k in DEMO_ENV_KEYS if env.get(k)]
    path.write_text("# The environment of the running demo: set -a; . .demo/env; set +a\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")
    path.chmod(0o600)
    return path


def register_webhooks(sandbox_url: str, service_url: str, jira_secret: str, confluence_secret: str) -> None:
    r = requests.post(f"{sandbox_url}/rest/webhooks/1.0/webhook", auth=AUTH, timeout=5, json={
        "name": "Debrief", "url": f"{service_url}/webhooks/jira", "secret": jira_secret, "excludeBody": False,
        "events": ["jira:issue_created", "jira:issue_updated", "comment_created"],
        "filters": {"issue-related-events-section": "project = INC"}})
    if r.status_code >= 300:
        raise DemoError(f"registering the Jira webhook failed: {r.status_code} {r.text}")
    r = requests.post(f"{sandbox_url}/wiki/rest/api/webhooks", auth=AUTH, timeout=5, json={
        "name": "Debrief", "url": f"{service_url}/webhooks/confluence", "active": True,
        "events": ["page_created", "page_updated", "comment_created", "comment_updated"],
        "configuration": {"secret": confluence_secret}})
    if r.status_code >= 300:
        raise DemoError(f"registering the Confluence webhook failed: {r.status_code} {r.text}")


def _run(children: Children, in_process: contextlib.ExitStack, redis_url: str, host: str, port: int,
         sandbox_port: int, keep_running: bool) -> int:
    sandbox_url = f"http://{host}:{sandbox_port}"
    service_url = f"http://{host}:{port}"
    secret, confluence_secret = secrets.token_hex(16), secrets.token_hex(16)
    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    mailbox = Mailbox(folder / "mail", host="127.0.0.1").start()
    in_process.callback(mailbox.stop)
    print(f"SMTP server: {mailbox.url}, keeping each message in {mailbox.folder}/", flush=True)
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_URL": sandbox_url, "CONFLUENCE_URL": f"{sandbox_url}/wiki",
           "ATLASSIAN_DEPLOYMENT": "cloud", "ATLASSIAN_USER": DEMO_EMAIL, "ATLASSIAN_TOKEN": DEMO_API_TOKEN,
           "JIRA_WEBHOOK_SECRET": secret, "CONFLUENCE_WEBHOOK_SECRET": confluence_secret,
           "DEBRIEF_CONFIG": str(write_config(folder)), "SMTP_URL": mailbox.url,
           "DEBRIEF_MAIL_FROM": "debrief@example.com"}
    env.pop("ATLASSIAN_PAT", None)
    env_file = write_env(folder, env)
    py = [sys.executable, "-m", "debrief"]
    with (folder / "sandbox.log").open("w") as sandbox_log:
        sandbox = children.start("sandbox", [*py, "sandbox", "--host", host, "--port", str(sandbox_port)],
                                 env=env, stdout=sandbox_log, stderr=subprocess.STDOUT)
    print(f"Sandbox Jira + Confluence: {sandbox_url}/ (its request log: {folder / 'sandbox.log'})", flush=True)
    _wait_for(f"{sandbox_url}/rest/api/2/serverInfo", "the sandbox", sandbox)
    service = children.start("service", [*py, "serve", "--host", host, "--port", str(port), "--workers", "2"],
                             env=env)
    children.start("worker", [*py, "worker", "--name", f"demo-{os.getpid()}"], env=env)
    _wait_for(f"{service_url}/readyz", "the service", service)
    print(f"Service ready: {service_url}/readyz (config: {env['DEBRIEF_CONFIG']})", flush=True)
    register_webhooks(sandbox_url, service_url, secret, confluence_secret)
    site = Site(sandbox_url, service_url, env, folder, mailbox.folder)
    shown = [sample(site) for sample in SAMPLES]
    print(f"\n  Sandbox site:            {sandbox_url}/\n"
          f"  Service health:          {service_url}/readyz\n"
          f"  Sign in to the sandbox API as {DEMO_EMAIL} / {DEMO_API_TOKEN}\n"
          f"  E-mail sent by Debrief:  {mailbox.folder}/ (one .eml file per message)\n", flush=True)
    print(what_to_try(site, env_file, shown[0] if shown else None), flush=True)
    if not keep_running:
        return 0
    print("Press Ctrl-C to stop.", flush=True)
    while (dead := children.first_dead()) is None:
        time.sleep(0.5)
    print(f"debrief demo: the {dead} stopped; shutting down", file=sys.stderr)
    return 1


def what_to_try(site: Site, env_file: Path, first: dict | None) -> str:
    debrief = shlex.quote(str(Path(sys.executable).with_name("debrief")))
    python = shlex.quote(sys.executable)
    page = first["page_id"] if first else "PAGE_ID"
    where = f" ({first['url']})" if first else ""
    return (f"Try it on the first sample's draft, page {page}{where}:\n"
            f"  set -a; . {shlex.quote(str(env_file))}; set +a     # the demo's environment\n"
            f"  {python} -m sandbox.demo_people add-row {page} 'Add a load test for card payments' --owner jun.seo\n"
            f"      # a row typed as Mina Park: the page event makes its ticket\n"
            f"  {debrief} sweep      # what the worker does every few minutes: tickets, review, agenda, archive\n"
            f"  {python} -m sandbox.demo_people comment {page} /approve --as sara.lee\n"
            f"      # a reviewer's approval: the review panel says which gates still fail\n"
            f"  Or in the REST API as mina.park@example.com / mina-token: PUT /wiki/rest/api/content/{page} "
            f"(a new version), POST /wiki/rest/api/content (a comment)")


def draft_sample(site: Site) -> dict:
    """A sample incident that meets the criteria, and the postmortem draft it gets: left as a
    draft for a person to play with."""
    key = create_sample_incident(site.sandbox_url, CHECKOUT)
    print(f"Created sample incident {key}; waiting for its postmortem draft...", flush=True)
    page = wait_for_draft(site.wiki_url, key)
    page_url = site.page_url(page)
    print("\nDebrief demo is running:\n"
          f"  Incident in Jira:        {site.sandbox_url}/browse/{key}\n"
          f"  Postmortem draft:        {page_url}", flush=True)
    return {"key": key, "page_id": page["id"], "url": page_url}


def lifecycle_sample(site: Site) -> dict:
    """A second incident walked through every stage: draft, action-item tickets, review agenda,
    share e-mail, archived page and archive index."""
    key = create_sample_incident(site.sandbox_url, SEARCH)
    print(f"\nCreated a second sample incident {key} ({site.sandbox_url}/browse/{key}); its people now take "
          "its postmortem through every stage:", flush=True)
    page = wait_for_draft(site.wiki_url, key)
    settings = yaml.safe_load(Path(site.env["DEBRIEF_CONFIG"]).read_text(encoding="utf-8"))
    today = datetime.now(ZoneInfo(settings.get("timezone") or "UTC")).date()
    archive_space = ((settings.get("confluence") or {}).get("archive") or {}).get("space") or "PMARCHIVE"
    urls = walk_through(site, key, page, today=today, archive_space=archive_space)
    return {"key": key, "page_id": page["id"], "url": urls["draft"], **urls}


# What the demo shows, in order: each sample takes the running site and prints what it made.
# The first stays a draft (what to try is said about it); the second goes through every stage.
SAMPLES = (draft_sample, lifecycle_sample)
