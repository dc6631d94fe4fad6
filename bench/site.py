"""The sandbox site as the benchmark drives it: people act in Jira as themselves (Mina, Jun), the
service is sent the signed deliveries Jira would send, and the journal tells Debrief's calls
(made as the service account) from everyone else's.

The journal and state are read in this process, never over HTTP, so watching adds no calls.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
from redis import Redis
from rq.exceptions import NoSuchJobError
from rq.job import Job

from bench import deliveries
from bench.servers import SECRET
from sandbox.people import PEOPLE
from sandbox.server import RunningSandbox

SERVICE_ACCOUNT = PEOPLE[0].account_id  # Debrief signs in as the demo admin
MINA, JUN, ALEX, SARA = PEOPLE[1], PEOPLE[2], PEOPLE[3], PEOPLE[4]  # Sara reviews (bench app.yaml)
WRITES = ("POST", "PUT", "DELETE", "PATCH")


def jira_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def entry_start(entry: dict) -> float:
    return datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def entry_end(entry: dict) -> float:
    return entry_start(entry) + entry["duration_ms"] / 1000


_ID = re.compile(r"/(\d{3,}|[A-Z][A-Z0-9_]*-\d+)(?=/|$)")  # ids and issue keys, not API versions
NAMES = {
    ("GET", "/rest/api/2/issue/{id}"): "read issue",
    ("GET", "/rest/api/3/issue/{id}"): "read issue",
    ("GET", "/rest/api/2/issue/{id}/changelog"): "read changelog",
    ("GET", "/rest/api/2/issue/{id}/comment"): "read comments",
    ("GET", "/rest/api/2/issue/{id}/remotelink"): "read remote links",
    ("POST", "/rest/api/2/issue/{id}/remotelink"): "remote link",
    ("POST", "/rest/api/2/issue/{id}/comment"): "Jira comment",
    ("GET", "/wiki/rest/api/search"): "CQL search",
    ("GET", "/wiki/rest/api/content/search"): "CQL search",
    ("GET", "/wiki/rest/api/content"): "find page by title",
    ("POST", "/wiki/rest/api/content"): "create page",
    ("GET", "/wiki/rest/api/content/{id}"): "read page",
    ("PUT", "/wiki/rest/api/content/{id}"): "update page",
    ("POST", "/wiki/rest/api/content/{id}/label"): "add labels",
    ("GET", "/wiki/rest/api/content/{id}/property/debrief"): "read state property",
    ("POST", "/wiki/rest/api/content/{id}/property"): "create state property",
    ("PUT", "/wiki/rest/api/content/{id}/property/debrief"): "update state property",
    ("POST", "/wiki/rest/api/user/watch/content/{id}"): "watch",
    ("GET", "/wiki/rest/api/space/{key}"): "read space",
    ("GET", "/wiki/rest/api/content/{id}/label"): "read labels",
    ("GET", "/rest/api/2/priority"): "read priorities",
    ("GET", "/rest/api/2/user"): "read user",
    ("GET", "/wiki/rest/api/content/{id}/child/comment"): "read page comments",
    ("PUT", "/wiki/rest/api/content/{id}/restriction"): "set restriction",
    ("POST", "/wiki/rest/api/content/{id}/restriction"): "set restriction",
    ("PUT", "/rest/api/2/issue/{id}"): "edit issue",
    ("POST", "/rest/api/2/issue/bulk"): "bulk create issues",
    ("POST", "/rest/api/2/issueLink"): "link issues",
}


def call_name(entry: dict) -> str:
    path = _ID.sub("/{id}", entry["path"])
    if path.startswith("/wiki/rest/api/space/"):
        path = "/wiki/rest/api/space/{key}"
    if entry["method"] == "DELETE" and re.fullmatch(r"/wiki/rest/api/content/\{id\}/label(/.*)?", path):
        return "remove label"
    if "/issue/createmeta/" in path:
        return "read create screen"
    if "/move/" in path and entry["method"] == "PUT":
        return "move page"
    return NAMES.get((entry["method"], path), f"{entry['method']} {path}")


def is_write(entry: dict) -> bool:
    return entry["method"] in WRITES


@dataclass
class Calls:
    """Debrief's calls in one stretch of the journal."""

    entries: list[dict]

    @property
    def reads(self) -> int:
        return sum(not is_write(e) for e in self.entries)

    @property
    def writes(self) -> int:
        return sum(is_write(e) for e in self.entries)

    @property
    def service_ms(self) -> float:
        return sum(e["duration_ms"] for e in self.entries)

    def by_name(self) -> dict[str, int]:
        return dict(Counter(call_name(e) for e in self.entries))

    def watched(self) -> list[str]:
        return [e["query"] for e in self.entries if call_name(e) == "watch"]


class Site:
    def __init__(self, site: RunningSandbox, service_url: str, redis: Redis):
        self.site, self.url, self.service_url, self.redis = site, site.url, service_url, redis
        self.people = {p.account_id: requests.Session() for p in (MINA, JUN, ALEX, SARA)}
        for person in (MINA, JUN, ALEX, SARA):
            self.people[person.account_id].auth = (person.email, person.api_token)
        self._service = urlsplit(service_url)

    # The journal --------------------------------------------------------------------------
    @property
    def state(self):
        return self.site.state

    def mark(self) -> int:
        entries = self.state.journal.entries()
        return entries[-1]["id"] if entries else 0

    def debrief_calls(self, since: int, until: int | None = None) -> Calls:
        entries = [e for e in self.state.journal.entries(since=str(since)) if e["user"] == SERVICE_ACCOUNT]
        return Calls([e for e in entries if until is None or e["id"] <= until])

    # People acting in Jira ---------------------------------------------------------------
    def as_person(self, person=MINA) -> requests.Session:
        return self.people[person.account_id]

    def create_incident(self, **extra) -> str:
        """A checkout outage that meets the shipped criteria (SEV-2 downtime, a rollback)."""
        now = datetime.now(UTC).replace(microsecond=0)
        fields = {"project": {"key": "INC"}, "issuetype": {"name": "Incident"},
                  "summary": "Checkout returns HTTP 500 for card payments",
                  "description": "Card payments failed at checkout after the deploy of payments-api 2.31.",
                  "priority": {"name": "High"}, "labels": ["rollback"], "components": [{"name": "checkout"}],
                  "assignee": {"accountId": MINA.account_id}, "customfield_10100": {"value": "SEV-2"},
                  "customfield_10101": jira_time(now - timedelta(minutes=52)),
                  "customfield_10102": jira_time(now - timedelta(minutes=40)),
                  "customfield_10104": {"value": "Customer report"}, "customfield_10105": {"value": "Downtime"}}
        fields.update(extra)
        r = self.as_person().post(f"{self.url}/rest/api/2/issue", json={"fields": fields}, timeout=10)
        r.raise_for_status()
        return r.json()["key"]

    def edit_issue(self, key: str, person=MINA, **update) -> None:
        r = self.as_person(person).put(f"{self.url}/rest/api/2/issue/{key}", json=update, timeout=10)
        r.raise_for_status()

    def comment(self, key: str, text: str, person=MINA) -> None:
        r = self.as_person(person).post(f"{self.url}/rest/api/2/issue/{key}/comment", json={"body": text}, timeout=10)
        r.raise_for_status()

    def issue(self, key: str) -> dict:
        r = self.as_person().get(f"{self.url}/rest/api/2/issue/{key}", timeout=10)
        r.raise_for_status()
        return r.json()

    # Deliveries --------------------------------------------------------------------------
    def delivery(self, key: str, event: str = "jira:issue_updated") -> tuple[bytes, dict[str, str]]:
        """The signed body Jira sends about ``key`` now (read before any timing starts)."""
        return deliveries.signed(deliveries.issue_event(self.issue(key), event), SECRET)

    def deliver(self, raw: bytes, headers: dict[str, str]) -> tuple[float, int, dict]:
        """POST one delivery; (Unix time it was sent, status, JSON answer)."""
        conn = http.client.HTTPConnection(self._service.hostname, self._service.port, timeout=30)
        sent = time.time()
        conn.request("POST", deliveries.PATH, body=raw, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        try:
            answer = json.loads(body)
        except ValueError:
            answer = {"raw": body[:200].decode("utf-8", "replace")}
        return sent, response.status, answer

    # Waiting -----------------------------------------------------------------------------
    def wait_for_call(self, since: int, name: str, timeout: float, status_ok=lambda s: s < 300) -> dict | None:
        """The first call of Debrief named ``name`` after ``since`` (None on timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.debrief_calls(since).entries:
                if call_name(entry) == name and status_ok(entry["status"]):
                    return entry
            time.sleep(0.005)
        return None

    def wait_for_job(self, job_id: str | None, sent: float, timeout: float) -> str:
        """Wait until RQ says ``job_id`` ended after ``sent``; its final status."""
        if not job_id:
            return "no job"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                job = Job.fetch(job_id, connection=self.redis)
                status = getattr(job.get_status(refresh=True), "value", None)
                ended = job.ended_at.replace(tzinfo=UTC).timestamp() if job.ended_at else 0
                if status in ("finished", "failed", "stopped", "canceled") and ended >= sent - 0.001:
                    return status
            except NoSuchJobError:
                pass
            time.sleep(0.01)
        return "timed out"

    def pages_for(self, key: str) -> list:
        label = key.lower()
        with self.state.lock:
            return [c for c in self.state.confluence.contents.values()
                    if c.type == "page" and c.status == "current" and label in c.labels]
