"""Drafting the postmortem page of an incident, and keeping it in step with Jira.

Every step is idempotent, so a job retried after dying half-way finishes the remaining
steps: the page is found again (by its incident label) rather than created twice, labels and
watchers are sets, the remote link is upserted by globalId, and the Jira comment is posted
only when no comment of the incident links the page yet. What to write is decided by
``postmortem.upkeep.plan_upkeep``; only writes that change something are made, and the page
state (a versioned content property) is written last, re-read and re-planned on a 409.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime

from jobs.context import JobContext
from jobs.draft_notices import tell_failure, tell_recovery
from jobs.entry import entry_point
from jobs.incidents import load_incident
from jobs.locks import incident_lock
from jobs.lookup_cache import space_home_id, user_keys
from jobs.versioned import read_plan_apply
from postmortem.incident import Incident
from postmortem.page_context import (
    POSTMORTEM_LABEL,
    build_page_context,
    incident_label,
    installed_version,
    postmortem_labels,
    postmortem_title,
)
from postmortem.page_state import PageState
from postmortem.triggers import Decision, decide
from postmortem.upkeep import PageFacts, UpkeepPlan, initial_state, plan_upkeep

log = logging.getLogger("debrief.jobs.draft")
# How long the snapshot of a page's upkeep is trusted to say "nothing to write" on a refresh
# (the sweep reads every draft afresh and writes a new one, so a day is plenty).
SNAPSHOT_SECONDS = 24 * 3600


def remote_link_id(key: str) -> str:
    return f"debrief-postmortem-{key}"


def draft(ctx: JobContext, now: datetime, incident_key: str, reasons: list[str] | None = None) -> dict:
    """The first draft. ``reasons`` are the intake's view, kept in the job for operators; the
    job decides again from what Jira says now. A failure that parks the job is told on the
    incident once (jobs/draft_notices.py), and so is the success that follows it."""
    try:
        result = bring_up_to_date(ctx, now, incident_key)
    except Exception as exc:
        tell_failure(ctx, now, incident_key, exc)
        raise
    if result.get("page"):
        tell_recovery(ctx, incident_key, title=result["title"], url=result["url"])
    return result


def refresh(ctx: JobContext, now: datetime, incident_key: str) -> dict:
    """After an update of an incident that has a page: labels, state, watchers, link."""
    return bring_up_to_date(ctx, now, incident_key)


draft_job = entry_point(draft)
refresh_job = entry_point(refresh)


def bring_up_to_date(ctx: JobContext, now: datetime, incident_key: str, *, incident: Incident | None = None,
                     page: dict | None = None, dry_run: bool = False) -> dict:
    """Find or (when the criteria are met) create the page, then make the writes that differ.
    Never deletes a page, even when the incident no longer meets the criteria. With
    ``dry_run``, reads only and says what it would write."""
    with incident_lock(ctx.redis, incident_key):
        incident = incident or load_incident(ctx.jira, ctx.settings, incident_key)
        decision = decide(incident, ctx.settings.triggers, now)
        if page is None:
            unchanged = _unchanged_by_snapshot(ctx, now, incident, decision)
            if unchanged is not None:
                return unchanged
            page = _recorded_page(ctx, incident.key)
        page = page or find_page(ctx, incident.key)
        if page is None and not decision.needed:
            if not dry_run:
                ctx.work.forget_postmortem(incident.key)
            log.info("no postmortem needed for %s", incident.key, extra={"incident": incident.key})
            return {"incident": incident.key, "page": None, "skipped": "no trigger criterion is met", "writes": []}
        if page is None and dry_run:
            return {"incident": incident.key, "page": None, "writes": ["create the postmortem page"]}
        created = page is None
        first_state = None
        if created:
            page, first_state = _create_page(ctx, now, incident, decision)
        result = _upkeep(ctx, now, incident, decision, page, first_state, dry_run=dry_run)
        return {**result, "created": created}


def find_page(ctx: JobContext, key: str) -> dict | None:
    places = [ctx.settings.confluence.drafts.space, ctx.settings.confluence.archive.space]
    return ctx.confluence.find_labelled_page([POSTMORTEM_LABEL, incident_label(key)], places)


def _unchanged_by_snapshot(ctx: JobContext, now: datetime, incident: Incident, decision: Decision) -> dict | None:
    """The answer of a refresh that has nothing to write, decided from what the last upkeep left
    on the page (kept in Redis); None when there is no snapshot or something is to be written
    (then the page is read afresh and planned again before any write)."""
    raw = ctx.work.page_snapshot(incident.key)
    try:
        snap = json.loads(raw) if raw else None
        facts = PageFacts(page_id=str(snap["page_id"]), url=str(snap["url"]), title=str(snap["title"]),
                          labels=tuple(snap["labels"]),
                          state=PageState.from_dict(snap["state"]) if snap.get("state") else None)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # none, or unreadable: read the page
    if facts.state is None:
        return None
    planned = plan_upkeep(facts, incident, decision, **_plan_args(ctx, incident, now))
    if planned.writes:
        return None
    return {"incident": incident.key, "page": facts.page_id, "url": facts.url, "title": facts.title,
            "writes": [], "created": False}


def _recorded_page(ctx: JobContext, key: str) -> dict | None:
    """The page Redis records for the incident, read directly by id (no search lag), or None."""
    page_id = ctx.work.postmortem_page(key)
    if not page_id:
        return None
    page = ctx.confluence.page_with_state(page_id)
    if page is None:
        log.warning("page %s recorded for %s is gone; looking for the postmortem by its labels", page_id, key,
                    extra={"incident": key, "page": page_id})
        ctx.work.forget_page_snapshot(key)
    return page


def _record_snapshot(ctx: JobContext, incident_key: str, facts: PageFacts, planned: UpkeepPlan,
                     version: int | None) -> None:
    labels = [label for label in facts.labels if label not in planned.labels.remove]
    labels += [label for label in planned.labels.add if label not in labels]
    if planned.write_state:
        state, version = planned.state.to_dict(), (version or 0) + 1
    else:
        state = facts.state.to_dict() if facts.state else None
    snapshot = {"page_id": facts.page_id, "url": facts.url, "title": facts.title, "labels": labels,
                "state": state, "version": version}
    ctx.work.record_page_snapshot(incident_key, json.dumps(snapshot, sort_keys=True), ttl_seconds=SNAPSHOT_SECONDS)


def _labels(ctx: JobContext, incident: Incident) -> list[str]:
    return postmortem_labels(incident, ctx.settings.confluence.labels, status="draft")


def _create_page(ctx: JobContext, now: datetime, incident: Incident, decision: Decision) -> tuple[dict, PageState]:
    """Create the page; or find the one an earlier run created: search may not show it yet (it is
    eventually consistent), so the title recorded before that create, and this run's title, are
    looked up directly (content by space and title) first."""
    s = ctx.settings
    conf = ctx.confluence
    template = s.templates.choose(incident)
    labels = _labels(ctx, incident)
    state = initial_state(incident, template=template, language=s.language, now=now,
                          debrief_version=installed_version(), decision=decision, labels=labels)
    drafts = s.confluence.drafts
    title = postmortem_title(incident, s.language)

    def mine(page: dict) -> bool:
        return _is_ours(ctx, incident.key, page)

    # Only after a run that meant to create (its intent is recorded): this run's own title needs
    # no lookup, as Confluence refuses a second page of that title and create_page then finds it.
    earlier = ctx.work.creating_title(incident.key)
    if earlier:
        page = conf.page_by_title(drafts.space, earlier)
        if page is not None and mine(page):
            log.info("found page %s that an earlier run created for %s", page["id"], incident.key,
                     extra={"incident": incident.key, "page": page["id"]})
            return page, state

    people = [p for p in (incident.assignee, incident.reporter, *incident.participants) if p is not None]
    identities = conf.identities.with_confluence_keys(user_keys(ctx.redis, conf, people))
    context = build_page_context(incident, decision, language=s.language, timezone=s.timezone,
                                 template=template, labels=labels, now=now, debrief_version=installed_version(),
                                 jira_base_url=ctx.jira.base_url, identities=identities)
    body = ctx.renderer.render(template, context)
    parent = conf.page_id_by_title(drafts.space, drafts.parent) if drafts.parent else None
    if drafts.parent and parent is None:
        log.warning("parent page %r not found in %s; using the space home", drafts.parent, drafts.space)
    parent = parent or space_home_id(ctx.redis, conf, drafts.space)
    ctx.work.record_creating(incident.key, title)
    page = conf.create_page(space=drafts.space, title=title, body=body, parent_id=parent, labels=labels, mine=mine)
    log.info("created postmortem page %s for %s", page["id"], incident.key,
             extra={"incident": incident.key, "page": page["id"]})
    page = {**page, "metadata": {"labels": {"results": [{"name": n} for n in labels]}}}
    return page, state


def _is_ours(ctx: JobContext, incident_key: str, page: dict) -> bool:
    """This incident's postmortem: it carries our labels, or our state names the incident."""
    if {POSTMORTEM_LABEL, incident_label(incident_key)} <= set(ctx.confluence.page_labels_of(page)):
        return True
    state = ctx.confluence.get_state(str(page["id"]))
    return bool(state and state[0].get("incident") == incident_key)


def _facts(ctx: JobContext, incident: Incident, page: dict, state: tuple[dict, int] | None) -> PageFacts:
    return PageFacts(page_id=str(page["id"]), url=ctx.confluence.web_url(page),
                     title=page.get("title") or postmortem_title(incident, ctx.settings.language),
                     labels=tuple(ctx.confluence.page_labels_of(page)),
                     state=PageState.from_dict(state[0]) if state else None)


def _upkeep(ctx: JobContext, now: datetime, incident: Incident, decision: Decision, page: dict,
            first_state: PageState | None, *, dry_run: bool) -> dict:
    conf = ctx.confluence
    page_id = str(page["id"])

    def read() -> tuple[PageFacts, int | None]:
        fresh = {**page, "metadata": {}}  # read labels and state again, not from the search result
        stored = conf.get_state(page_id)
        return _facts(ctx, incident, fresh, stored), (stored[1] if stored else None)

    done: set[str] = set()  # writes made by an attempt that then met a 409

    def plan(current: tuple[PageFacts, int | None]) -> UpkeepPlan:
        facts, _version = current
        just_created = facts.state is None and first_state is not None
        if just_created:
            facts = replace(facts, state=first_state)
        planned = plan_upkeep(facts, incident, decision, **_plan_args(ctx, incident, now))
        if just_created:  # the state is not on the page yet: it must be written
            planned = replace(planned, write_state=True)
        if "comment" in done:  # the incident was read before that comment was posted
            planned = replace(planned, comment=None)
        return planned

    def apply(current: tuple[PageFacts, int | None], planned: UpkeepPlan) -> UpkeepPlan:
        if not dry_run:
            _apply(ctx, incident, current[1], planned, done)
            applied[:] = [current, planned]
        return planned

    applied: list = []

    stored = conf.state_of(page) if first_state is None else None
    first = (_facts(ctx, incident, page, stored), stored[1] if stored else None)
    planned = read_plan_apply(read, plan, apply, what=f"bring page {page_id} of {incident.key} up to date",
                              first=first)
    facts = first[0]
    if not dry_run:
        ctx.work.record_postmortem(incident.key, page_id)
        ctx.work.forget_creating(incident.key)
        if applied:
            (facts_applied, version), planned_applied = applied
            _record_snapshot(ctx, incident.key, facts_applied, planned_applied, version)
    writes = planned.writes if planned else []
    if writes:
        log.info("page %s of %s: %s", page_id, incident.key, "; ".join(writes),
                 extra={"incident": incident.key, "page": page_id})
    return {"incident": incident.key, "page": page_id, "url": facts.url, "title": facts.title, "writes": writes}


def _plan_args(ctx: JobContext, incident: Incident, now: datetime) -> dict:
    s = ctx.settings
    return {"configured_labels": s.confluence.labels, "template": s.templates.choose(incident),
            "language": s.language, "debrief_version": installed_version(), "now": now}


def _apply(ctx: JobContext, incident: Incident, version: int | None, planned: UpkeepPlan, done: set[str]) -> None:
    """The writes of a plan; the state last, so a job dying half-way leaves the state saying
    only what was done, and its retry finishes the rest."""
    conf, jira = ctx.confluence, ctx.jira
    page_id = planned.page_id
    if planned.labels.add:
        conf.add_labels(page_id, list(planned.labels.add))
    for label in planned.labels.remove:
        conf.remove_label(page_id, label)
    for person in planned.watch:  # the gateway names each as its deployment wants
        conf.watch(page_id, person)
    if planned.link is not None:
        jira.upsert_remote_link(incident.key, url=planned.link["url"], title=planned.link["title"],
                                global_id=remote_link_id(incident.key), summary=f"Postmortem of {incident.key}")
    if planned.comment is not None:
        # The incident (every comment) was read in this job, under its lock: no second look first.
        jira.add_comment(incident.key, planned.comment, marker=planned.url, looked=True)
        done.add("comment")
    if planned.write_state:
        conf.put_state(page_id, planned.state.to_dict(), version)
