"""Section 3: Atlassian calls per stage of one incident's life, against the fewest the APIs allow.

Each stage is a function that drives the real product as people would (they act in Jira and
Confluence as themselves, the service gets Jira's deliveries, the sweep is ``debrief sweep``)
and counts, from the sandbox journal, only the calls made with Debrief's own account. A stage
whose feature is not in the product yet says so instead of a figure.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.servers import ROOT
from bench.site import ALEX, JUN, SARA, SERVICE_ACCOUNT, Calls, Site

JOB_TIMEOUT = 30.0


@dataclass
class Minimum:
    reads: int
    writes: int
    why: str


@dataclass
class Stage:
    name: str
    minimum: Minimum | None = None
    calls: Calls | None = None
    unavailable: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out: dict = {"stage": self.name}
        if self.unavailable:
            out["available"] = False
            out["why"] = self.unavailable
        if self.minimum:
            out["minimum"] = {"reads": self.minimum.reads, "writes": self.minimum.writes, "why": self.minimum.why}
        if self.calls is not None:
            out.update(available=True, reads=self.calls.reads, writes=self.calls.writes, calls=self.calls.by_name())
            if self.minimum:
                out["at_minimum"] = (self.calls.reads <= self.minimum.reads and self.calls.writes <= self.minimum.writes)
        if self.notes:
            out["notes"] = self.notes
        return out


@dataclass
class Lifecycle:
    """One incident taken through its life; stages run in order and share it."""

    site: Site
    env: dict
    key: str | None = None
    persons: set[str] = field(default_factory=set)

    def people_on(self, key: str) -> set[str]:
        """Everyone Debrief should make a watcher: assignee, reporter, commenters, history authors."""
        s = self.site.as_person()
        issue = s.get(f"{self.site.url}/rest/api/2/issue/{key}", params={"expand": "changelog"}, timeout=10).json()
        comments = s.get(f"{self.site.url}/rest/api/2/issue/{key}/comment", timeout=10).json().get("comments", [])
        f = issue["fields"]
        found = {(f.get("assignee") or {}).get("accountId"), (f.get("reporter") or {}).get("accountId")}
        found |= {(c.get("author") or {}).get("accountId") for c in comments}
        found |= {(h.get("author") or {}).get("accountId") for h in (issue.get("changelog") or {}).get("histories", [])}
        return {p for p in found if p and p != SERVICE_ACCOUNT}

    def delivered(self, event: str = "jira:issue_updated") -> Calls:
        """Send Jira's delivery about the incident and wait for the job it queues to end."""
        raw, headers = self.site.delivery(self.key, event)
        mark = self.site.mark()
        sent, status, answer = self.site.deliver(raw, headers)
        if status >= 300:
            raise RuntimeError(f"the service answered {status}: {answer}")
        outcome = self.site.wait_for_job(answer.get("job"), sent, JOB_TIMEOUT)
        if outcome not in ("finished", "no job"):
            raise RuntimeError(f"job {answer.get('job')} ended {outcome}")
        time.sleep(0.05)
        return self.site.debrief_calls(mark)


def _cli_commands() -> set[str]:
    from debrief.cli import build_parser  # noqa: PLC0415

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")  # noqa: SLF001
    return set(sub.choices)


def has_sweep() -> bool:
    return "sweep" in _cli_commands()


def sweep_duties() -> list[str]:
    """Names of what the sweep does (jobs/sweep.py SWEEP_DUTIES), [] when there is no sweep."""
    try:
        from jobs.sweep import SWEEP_DUTIES  # noqa: PLC0415
    except ImportError:
        return []
    return [getattr(d, "name", type(d).__name__) for d in SWEEP_DUTIES]


def job_kinds() -> list[str]:
    try:
        from jobqueue.kinds import KINDS  # noqa: PLC0415
    except ImportError:
        return []
    return [k.name for k in KINDS] if isinstance(KINDS, list | tuple) else list(getattr(KINDS, "_kinds", {}))


SWEEP_TIMEOUT = 60.0


def run_sweep(env: dict, timeout: float = SWEEP_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "debrief", "sweep"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


# Stages --------------------------------------------------------------------------------------
def draft(life: Lifecycle) -> Stage:
    life.key = life.site.create_incident()
    calls = life.delivered("jira:issue_created")
    life.persons = life.people_on(life.key)
    n = len(life.persons)
    return Stage("draft", Minimum(1, 3 + n, f"read: the issue with changelog and comments; writes: one create "
                                            f"carrying labels and the state property, one watch per person ({n}), "
                                            "one remote link, one Jira comment"), calls)


UPDATES: list[tuple[str, Callable[[Lifecycle], None], int, str]] = [
    ("update 1: Jun comments", lambda life: life.site.comment(life.key, "Rolled back payments-api to 2.30.", JUN),
     1, "one watch for the new person"),
    ("update 2: mitigation time set", lambda life: life.site.edit_issue(
        life.key, fields={"customfield_10103": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())}),
     0, "nothing Debrief keeps in Confluence or Jira changes"),
    ("update 3: severity SEV-2 -> SEV-1", lambda life: life.site.edit_issue(
        life.key, fields={"customfield_10100": {"value": "SEV-1"}}),
     2, "add label sev-1, remove label sev-2"),
    ("update 4: reassigned to Alex", lambda life: life.site.edit_issue(
        life.key, fields={"assignee": {"accountId": ALEX.account_id}}),
     1, "one watch for the new person"),
    ("update 5: description edited", lambda life: life.site.edit_issue(
        life.key, fields={"description": "Card payments failed at checkout; rollback at 14:47."}),
     0, "nothing Debrief keeps changes"),
]


def updates(life: Lifecycle) -> list[Stage]:
    stages = []
    for name, act, writes, why in UPDATES:
        act(life)
        calls = life.delivered()
        stages.append(Stage(name, Minimum(1, writes, f"read: the issue with changelog and comments; writes: {why}"),
                            calls))
    return stages


# Priority left blank, as most people leave it: the severity matrix in app.yaml decides.
ACTION_ROWS = [("Add a canary stage to payments-api deploys", "prevent", JUN, "2026-12-15", ""),
               ("Alert on checkout error rate above 2% for 2 minutes", "detect", ALEX, "2026-12-20", ""),
               ("Write the rollback runbook for payments-api", "mitigate", JUN, "2026-12-22", "")]


def _with_action_rows(body: str) -> str | None:
    """The page as Mina leaves it after typing three rows into the action-item table, the way
    the Cloud editor stores them (cell text in <p>, a mention, a date); None if there is no table."""
    heading = body.find("<h2>Action items</h2>")
    table = body.find("<table>", heading) if heading >= 0 else -1
    header_end = body.find("</tr>", table) if table >= 0 else -1
    if header_end < 0:
        return None
    rows = "".join(
        f"<tr><td><p>{text}</p></td><td><p>{kind}</p></td>"
        f'<td><p><ac:link><ri:user ri:account-id="{owner.account_id}" /></ac:link> </p></td>'
        f'<td><p><time datetime="{due}" /> </p></td><td>{f"<p>{priority}</p>" if priority else "<p />"}</td>'
        "<td><p /></td><td><p>TODO</p></td></tr>"
        for text, kind, owner, due, priority in ACTION_ROWS)
    at = header_end + len("</tr>")
    return body[:at] + rows + body[at:]


def action_items(life: Lifecycle) -> Stage:
    name = f"{len(ACTION_ROWS)} action items typed into the page, then a sweep"
    minimum = Minimum(2, 2, "reads: the sweep's one search (the changed page shows by its version), the page "
                            "body; writes: one bulk create of the tickets (owner, due date, priority and the "
                            "link to the incident in the same call), one page update writing their keys in")
    duties = sweep_duties()
    if not has_sweep() or not any("action" in d.lower() for d in duties):
        return Stage(name, minimum, unavailable="not available yet: the sweep has no action-item duty")
    pages = life.site.pages_for(life.key)
    if not pages:
        return Stage(name, minimum, unavailable=f"no page for {life.key}")
    wiki = f"{life.site.url}/wiki/rest/api/content/{pages[0].id}"
    person = life.site.as_person()
    page = person.get(wiki, params={"expand": "body.storage,version"}, timeout=10).json()
    edited = _with_action_rows(page["body"]["storage"]["value"])
    if edited is None:
        return Stage(name, minimum, unavailable="the page has no action-item table to type into")
    r = person.put(wiki, timeout=10, json={"type": "page", "title": page["title"], "version": {
        "number": page["version"]["number"] + 1}, "body": {"storage": {"value": edited, "representation": "storage"}}})
    r.raise_for_status()
    mark = life.site.mark()
    result = run_sweep(life.env)
    stage = Stage(name, minimum, life.site.debrief_calls(mark))
    if result.returncode != 0:
        stage.notes.append(f"debrief sweep exited {result.returncode}: {_last_line(result.stderr)}")
    made = [c for c in stage.calls.entries if c["method"] == "POST" and c["path"].endswith(("/issue", "/issue/bulk"))]
    stage.notes.append(f"{len(made)} ticket-creating call(s)")
    return stage


QUIET_SWEEP = Minimum(1, 0, "read: one CQL search listing open drafts with their versions; nothing changed, "
                           "so nothing else is read and nothing is written")


def _sweep_stage(life: Lifecycle, name: str, minimum: Minimum | None) -> Stage:
    if not has_sweep():
        return Stage(name, minimum, unavailable="not available yet: no `debrief sweep`")
    mark = life.site.mark()
    result = run_sweep(life.env)
    stage = Stage(name, minimum, life.site.debrief_calls(mark))
    if minimum is None:
        stage.notes.append("no minimum: drafts never swept before may be due work")
    if result.returncode != 0:
        stage.notes.append(f"debrief sweep exited {result.returncode}: {_last_line(result.stderr)}")
    return stage


def first_sweep(life: Lifecycle) -> Stage:
    """The first sweep over every draft made so far (reported; it settles them)."""
    return _sweep_stage(life, "first sweep over the drafts so far", None)


def review_sweep(life: Lifecycle) -> Stage:
    """A sweep with nothing changed since the last one: it should write nothing."""
    return _sweep_stage(life, "review sweep, nothing changed", QUIET_SWEEP)


def _page_status(life: Lifecycle) -> str | None:
    pages = life.site.pages_for(life.key)
    prop = pages[0].properties.get("debrief") if pages else None
    value = (prop.value or {}) if prop else {}
    failing = sorted(g for g, r in (value.get("gates") or {}).items() if isinstance(r, dict) and not r.get("ok"))
    return f"{value.get('status')}" + (f" (gates waiting: {', '.join(failing)})" if failing else "")


def _filled_in(body: str) -> str:
    """The draft as Mina completes it for review: root causes written, impact counted, a graph
    linked, and the root-cause and results-shared tasks ticked (spliced, as the editor saves)."""
    from postmortem.page import Edit, apply_edits, parse_page  # noqa: PLC0415

    page = parse_page(body)
    sections, edits = page.sections, []
    root = sections["root_causes"].content_span
    edits.append(Edit(root[0], root[1], "<p>The payments-api 2.31 deploy changed the card tokeniser's timeout, "
                                        "and the deploy pipeline had no canary stage to catch it.</p>",
                      body[root[0]:root[1]]))
    impact = sections["impact"].content_span
    edits.append(Edit(impact[1], impact[1], "<p>About 12,400 users could not pay; 18% of checkout requests "
                                            "failed for 47 minutes.</p>", ""))
    supporting = sections["supporting"].content_span
    edits.append(Edit(supporting[0], supporting[0],
                      '<p><a href="https://grafana.example.com/d/checkout">Checkout error graph</a></p>', ""))
    for task in page.checklist:
        if task.gate in ("root_cause", "results_shared") and not task.complete:
            edits.append(page.set_task(task, True))
    return apply_edits(body, edits)


def _save_as(life: Lifecycle, change, person=None) -> None:
    pages = life.site.pages_for(life.key)
    wiki = f"{life.site.url}/wiki/rest/api/content/{pages[0].id}"
    session = life.site.as_person(person) if person else life.site.as_person()
    page = session.get(wiki, params={"expand": "body.storage,version"}, timeout=10).json()
    r = session.put(wiki, timeout=10, json={"type": "page", "title": page["title"], "version": {
        "number": page["version"]["number"] + 1}, "body": {"storage": {"value": change(page["body"]["storage"]["value"]),
                                                                       "representation": "storage"}}})
    r.raise_for_status()


def _page_comment(life: Lifecycle, person, text: str) -> None:
    page_id = life.site.pages_for(life.key)[0].id
    r = life.site.as_person(person).post(f"{life.site.url}/wiki/rest/api/content", timeout=10, json={
        "type": "comment", "container": {"id": page_id, "type": "page"},
        "body": {"storage": {"value": f"<p>{text}</p>", "representation": "storage"}}})
    r.raise_for_status()


REVIEW = Minimum(3, 4, "reads: the sweep's search, the changed page, its comments; writes: one page update "
                       "(status lozenge and review panel), label add + label remove, the state property")
ARCHIVE = Minimum(2, 9, "reads: the page, the archive's period page; writes: one move to the archive space, one "
                        "page update (lozenge), label add + remove, one restriction, the state property, the "
                        "incident's remote link, one Jira comment, the archive index")


def review_submitted(life: Lifecycle) -> Stage:
    name = "page filled in for review, then a sweep"
    if not any(d == "review" for d in sweep_duties()):
        return Stage(name, REVIEW, unavailable="not available yet: the sweep has no review duty")
    _save_as(life, _filled_in)
    stage = _sweep_stage(life, name, REVIEW)
    stage.notes.append(f"status after: {_page_status(life)}")
    return stage


def approval(life: Lifecycle) -> list[Stage]:
    """Sara (a configured reviewer) comments /approve; a sweep approves, and archives when the
    archive duty takes it in the same sweep (then the minimum is both stages')."""
    name = "approval: /approve by the reviewer, then a sweep"
    if not any(d == "review" for d in sweep_duties()):
        return [Stage(name, REVIEW, unavailable="not available yet: the sweep has no review duty")]
    _page_comment(life, SARA, "/approve looks good")
    stage = _sweep_stage(life, name, REVIEW)
    status = _page_status(life)
    stage.notes.append(f"status after: {status}")
    if status and status.startswith("archived"):
        stage.name = "approval + archive in one sweep"
        stage.minimum = Minimum(REVIEW.reads + ARCHIVE.reads, REVIEW.writes + ARCHIVE.writes,
                                f"approval ({REVIEW.why}) and archive ({ARCHIVE.why})")
        return [stage, Stage("archive", ARCHIVE, unavailable="done by the approval's sweep (counted there)")]
    return [stage, archive(life)]


def archive(life: Lifecycle) -> Stage:
    if "archive" not in job_kinds() and not any("archiv" in d.lower() for d in sweep_duties()):
        return Stage("archive", ARCHIVE, unavailable="not available yet: no archive job or sweep duty")
    stage = _sweep_stage(life, "archive: the next sweep", ARCHIVE)
    stage.notes.append(f"status after: {_page_status(life)}")
    return stage


def run(site: Site, env: dict) -> list[dict]:
    life = Lifecycle(site, env)
    stages: list[Stage] = []
    try:
        stages.append(draft(life))
        stages += updates(life)
    except RuntimeError as exc:
        stages.append(Stage("(stopped)", unavailable=f"the lifecycle stopped: {exc}"))
        return [s.as_dict() for s in stages]
    for stage in (first_sweep, action_items, review_sweep, review_submitted, approval):
        try:
            done = stage(life)
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as exc:
            done = Stage(stage.__name__, unavailable=f"failed: {type(exc).__name__}: {exc}")
        stages += done if isinstance(done, list) else [done]
    return [s.as_dict() for s in stages]
