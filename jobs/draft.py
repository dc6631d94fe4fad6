"""Drafting the postmortem page of an incident, and keeping it in step with Jira.

Every step is idempotent, so a job retried after dying half-way finishes the remaining
steps: the page is found again (by its incident label) rather than created twice, labels
and watchers are sets, the remote link is upserted by globalId, and the Jira comment is
posted only when no comment of the incident links the page yet.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from jobs.context import JobContext, job_context
from jobs.failures import park_permanent_failures
from jobs.incidents import load_incident
from jobs.locks import incident_lock
from postmortem.incident import Incident
from postmortem.notices import draft_comment
from postmortem.page_context import (
    POSTMORTEM_LABEL,
    build_page_context,
    incident_label,
    installed_version,
    postmortem_labels,
    postmortem_title,
)
from postmortem.triggers import Decision, decide

log = logging.getLogger("debrief.jobs.draft")


def remote_link_id(key: str) -> str:
    return f"debrief-postmortem-{key}"


@park_permanent_failures
def draft_postmortem(incident_key: str, reasons: list[str] | None = None) -> dict:
    """The first draft. ``reasons`` are the intake's view, kept in the job for operators; the
    job decides again from what Jira says now."""
    return _bring_up_to_date(incident_key)


@park_permanent_failures
def refresh_postmortem(incident_key: str) -> dict:
    """After an update of an incident that has a page: labels, state, watchers, link."""
    return _bring_up_to_date(incident_key)


def _bring_up_to_date(incident_key: str) -> dict:
    """Find or (when the criteria are met) create the page, then do every remaining step.
    Never deletes a page, even when the incident no longer meets the criteria."""
    ctx = job_context()
    with incident_lock(ctx.redis, incident_key):
        incident = load_incident(ctx.jira, ctx.settings, incident_key)
        decision = decide(incident, ctx.settings.triggers, datetime.now(UTC))
        page = _find_page(ctx, incident.key)
        if page is None and not decision.needed:
            ctx.work.forget_postmortem(incident.key)
            log.info("no postmortem needed for %s", incident.key, extra={"incident": incident.key})
            return {"incident": incident.key, "page": None, "skipped": "no trigger criterion is met"}
        created = page is None
        if created:
            page = _create_page(ctx, incident, decision)
        return {**_finish(ctx, incident, decision, page), "created": created}


def _find_page(ctx: JobContext, key: str) -> dict | None:
    places = [ctx.settings.confluence.drafts.space, ctx.settings.confluence.archive.space]
    return ctx.confluence.find_labelled_page([POSTMORTEM_LABEL, incident_label(key)], places)


def _create_page(ctx: JobContext, incident: Incident, decision: Decision) -> dict:
    s = ctx.settings
    template = s.templates.choose(incident)
    labels = _labels(ctx, incident)
    context = build_page_context(incident, decision, language=s.language, timezone=s.timezone,
                                 template=template, labels=labels, now=datetime.now(UTC), debrief_version=installed_version(),
                                 jira_base_url=ctx.jira.base_url)
    body = ctx.renderer.render(template, context)
    drafts = s.confluence.drafts
    parent = ctx.confluence.page_id_by_title(drafts.space, drafts.parent) if drafts.parent else None
    if drafts.parent and parent is None:
        log.warning("parent page %r not found in %s; using the space home", drafts.parent, drafts.space)
    parent = parent or ctx.confluence.space_home_id(drafts.space)
    page = ctx.confluence.create_page(space=drafts.space, title=postmortem_title(incident, s.language),
                                      body=body, parent_id=parent, labels=labels)
    log.info("created postmortem page %s for %s", page["id"], incident.key,
             extra={"incident": incident.key, "page": page["id"]})
    return page


def _labels(ctx: JobContext, incident: Incident) -> list[str]:
    return postmortem_labels(incident, ctx.settings.confluence.labels, status="draft")


def _finish(ctx: JobContext, incident: Incident, decision: Decision, page: dict) -> dict:
    conf, jira, s = ctx.confluence, ctx.jira, ctx.settings
    page_id = str(page["id"])
    url = conf.web_url(page)
    title = page.get("title") or postmortem_title(incident, s.language)
    conf.add_labels(page_id, _labels(ctx, incident))

    state = conf.get_state(page_id)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if state is None:
        value = {"incident": incident.key, "status": "draft", "created": now, "updated": now,
                 "template": s.templates.choose(incident), "language": s.language,
                 "debrief_version": installed_version(), "trigger": [r.reason for r in decision.fired]}
        conf.put_state(page_id, value, None)
    else:
        value, version = state
        conf.put_state(page_id, {**value, "updated": now}, version)

    for person in incident.participants:
        conf.watch(page_id, person.account_id)
    jira.upsert_remote_link(incident.key, url=url, title=title, global_id=remote_link_id(incident.key),
                            summary=f"Postmortem of {incident.key}")
    if not any(url in c.body for c in incident.comments):
        jira.add_comment(incident.key, draft_comment(s.language, title=title, url=url,
                                                     reasons=[r.reason for r in decision.fired]))
    ctx.work.record_postmortem(incident.key, page_id)
    return {"incident": incident.key, "page": page_id, "url": url, "title": title}
