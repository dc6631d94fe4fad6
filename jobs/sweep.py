"""The periodic sweep: duties that look over Debrief's open work and act where it is due.

A duty has a ``name``, ``plan(ctx, now) -> list[Step]`` (reads only) and ``apply(ctx, now,
step) -> str`` (the writes, returning what it did). ``SWEEP_DUTIES`` is the registry; later
stages append theirs (action-item sync, review reminders, archive). ``debrief sweep
--dry-run`` runs only the plans, so it makes no Atlassian write at all.

Reads: each sweep starts with one snapshot (``jobs/sweep_snapshot.py``) that every duty works
from: one CQL search over the drafts space (every open draft with its body, version, labels and
``debrief`` state, the agenda page, and the comments changed since the last sweep) and one JQL
search (the ``updated`` time of every incident and action-item ticket the drafts name). A duty
that found nothing to do for a page skips it while nothing it reads moved. So, with N open
drafts naming K issues (incidents and tickets), a sweep reads

    ceil(N / 50) + ceil(K / 100)                     with nothing changed (2 up to 50 drafts),
    the same + the live reads of the N_changed pages when some changed,

and a changed page costs what its duties read live: refresh 3 (issue, changelog, comments),
action items 2 + its incident + one per ticket + the create screen, review 4 + its incident
(3), archive (approved pages only) what archiving checks. Writes: none with nothing changed.
Every page still gets a full check every ``QUIET_FOR`` (the safety net for search that lags).
The cost follows the open drafts, never the archive.

The worker schedules one sweep job per time slot (``sweep-<slot start>``) through RQ's
scheduler; the job id makes it exactly one per slot however many workers run.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from redis.exceptions import LockError

from connector.errors import AtlassianError, PermanentAtlassianError
from jobqueue.kinds import KINDS
from jobqueue.queue import PENDING, PREFIX, WorkQueue
from jobs import sweep_snapshot as snapshot
from jobs.action_items import SyncActionItems
from jobs.archive import ArchiveApproved
from jobs.context import JobContext
from jobs.draft import bring_up_to_date
from jobs.entry import entry_point
from jobs.incidents import load_incident
from jobs.reminders import ReviewAgenda, ReviewReminders
from jobs.review import ReviewPages
from jobs.steps import Duty, Step
from postmortem.page_context import POSTMORTEM_LABEL
from postmortem.page_state import PageState, incident_fingerprint

log = logging.getLogger("debrief.jobs.sweep")




class RefreshChangedIncidents:
    """Open drafts whose incident changed since the page was last brought up to date.

    One CQL over the drafts space (labels and state expanded), so the cost follows the open
    drafts, not the archive; the incident's fingerprint is compared with the one the page
    state recorded, and an unchanged incident costs no write."""

    name = "refresh-changed"

    def plan(self, ctx: JobContext, now: datetime) -> list[Step]:
        steps = []
        snap = snapshot.current()
        if snap is not None:
            pages = snap.pages
        else:
            pages = ctx.confluence.labelled_pages([POSTMORTEM_LABEL], [ctx.settings.confluence.drafts.space])
        for page in pages:
            stored = ctx.confluence.state_of(page)
            state = PageState.from_dict(stored[0]) if stored else None
            if state is None or not state.incident:
                continue
            if snap is not None and snap.unchanged(ctx, self.name, page, state.fingerprint, versions=()):
                continue  # the incident's update time and the recorded fingerprint are as last checked
            try:
                incident = (snap.incident(ctx, state.incident) if snap is not None
                            else load_incident(ctx.jira, ctx.settings, state.incident))
            except PermanentAtlassianError as exc:
                log.warning("sweep: page %s names %s, which Jira cannot give: %s", page["id"], state.incident, exc)
                continue
            if incident_fingerprint(incident) == state.fingerprint:
                if snap is not None:
                    snap.nothing_to_do(ctx, self.name, page, state.fingerprint, versions=())
                continue
            steps.append(Step(self.name, f"refresh page {page['id']} of {incident.key}: the incident changed",
                              (page, incident)))
        return steps

    def apply(self, ctx: JobContext, now: datetime, step: Step) -> str:
        page, incident = step.data
        result = bring_up_to_date(ctx, now, incident.key, incident=incident, page=page)
        return "; ".join(result.get("writes") or []) or "nothing differed"


class ParkedDrafts:
    """Incidents a draft was asked for that still have no page and no pending draft job
    (it failed for good during an outage, or was lost): draft them again."""

    name = "parked-drafts"

    def plan(self, ctx: JobContext, now: datetime) -> list[Step]:
        work = ctx.work
        steps = []
        for key in work.wanted_drafts():
            if work.postmortem_page(key):
                continue
            status = work.job_status(KINDS["draft"].job_id(key))
            if status in PENDING:
                continue
            steps.append(Step(self.name, f"draft {key} again (its draft job {status or 'is gone'})", key))
        return steps

    def apply(self, ctx: JobContext, now: datetime, step: Step) -> str:
        submitted = ctx.work.submit("draft", step.data, [], key=step.data)
        return f"queued {submitted.job_id}" + (" (already pending)" if submitted.duplicate else "")


# The archive stays last: it acts on what the duties before it (review gates) decided.
SWEEP_DUTIES: list[Duty] = [RefreshChangedIncidents(), ParkedDrafts(), SyncActionItems(), ReviewPages(),
                            ReviewReminders(), ReviewAgenda(), ArchiveApproved()]


@dataclass
class SweepReport:
    at: datetime
    dry_run: bool
    done: list[tuple[Step, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (duty or step, error)
    skipped: str | None = None

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"sweep at {self.at.isoformat(timespec='seconds')}: skipped, {self.skipped}"]
        verb = "would" if self.dry_run else "did"
        out = [f"{step.duty}: {step.what}" + ("" if self.dry_run else f" -> {result}") for step, result in self.done]
        out += [f"{what}: FAILED {error}" for what, error in self.failed]
        out.append(f"sweep at {self.at.isoformat(timespec='seconds')}: {verb} {len(self.done)} step(s), "
                   f"{len(self.failed)} failure(s)")
        return out

    def as_dict(self) -> dict:
        return {"at": self.at.isoformat(), "dry_run": self.dry_run, "skipped": self.skipped,
                "done": [{"duty": s.duty, "what": s.what, "result": r} for s, r in self.done],
                "failed": [{"what": w, "error": e} for w, e in self.failed]}


def run_sweep(ctx: JobContext, now: datetime, *, dry_run: bool = False,
              duties: list[Duty] | None = None) -> SweepReport:
    """Plan every duty and (unless ``dry_run``) apply each step. A duty or step that fails is
    reported and the others still run. One sweep at a time: a second one is skipped."""
    report = SweepReport(now, dry_run)
    lock = ctx.redis.lock(f"{PREFIX}:lock:sweep", timeout=KINDS["sweep"].timeout, blocking=False)
    if not lock.acquire():
        report.skipped = "another sweep is running"
        return report
    try:
        try:
            snap = snapshot.SweepSnapshot.take(ctx, now)
        except (AtlassianError, OSError) as exc:
            report.failed.append(("snapshot", str(exc)))
            return report
        with snapshot.in_sweep(snap):
            for duty in SWEEP_DUTIES if duties is None else duties:
                try:
                    steps = duty.plan(ctx, now)
                except (AtlassianError, OSError) as exc:
                    report.failed.append((duty.name, str(exc)))
                    continue
                for step in steps:
                    if dry_run:
                        report.done.append((step, ""))
                        continue
                    page_id = _page_of(step)
                    if page_id:  # written to (or about to be): no later duty takes it as unchanged
                        snap.touched.add(page_id)
                    try:
                        report.done.append((step, duty.apply(ctx, now, step)))
                    except (AtlassianError, OSError) as exc:
                        report.failed.append((f"{duty.name}: {step.what}", str(exc)))
    finally:
        with contextlib.suppress(LockError):  # expired: released by Redis already
            lock.release()
    for line in report.lines():
        log.info("%s", line)
    return report


def _page_of(step: Step) -> str | None:
    """The page a step acts on: its data is a page id, or a tuple that starts with the page."""
    data = step.data
    if isinstance(data, tuple) and data and isinstance(data[0], dict):
        data = data[0]
    if isinstance(data, dict):
        return str(data.get("id") or "") or None
    return str(data) if isinstance(data, str) and data.isdigit() else None


def sweep(ctx: JobContext, now: datetime, slot: str) -> dict:
    return run_sweep(ctx, now).as_dict()


sweep_job = entry_point(sweep)


# Scheduling -------------------------------------------------------------------------------
def slot_start(now: datetime, every_seconds: int) -> datetime:
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % every_seconds, UTC)


def schedule_sweeps(work: WorkQueue, now: datetime, every_seconds: int) -> list[str]:
    """Make sure this slot's sweep and the next one are queued (the current one for now, the
    next through RQ's scheduler for its start). Ids per slot keep it one sweep per slot."""
    start = slot_start(now, every_seconds)
    queued = []
    for when in (start, start + timedelta(seconds=every_seconds)):
        slot = when.strftime("%Y%m%dT%H%M%SZ")
        submitted = work.submit("sweep", slot, key=slot, at=when if when > now else None)
        if not submitted.duplicate:
            queued.append(submitted.job_id)
    return queued
