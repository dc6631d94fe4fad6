"""Deciding for deliveries that did not carry the issue (Data Center comment events)."""

from __future__ import annotations

import logging
from datetime import datetime

from jobs.context import JobContext
from jobs.entry import entry_point
from postmortem.assessment import assess

log = logging.getLogger("debrief.jobs.intake")


def consider_issue_by_id(ctx: JobContext, now: datetime, issue_id: str, comment: str) -> dict:
    """Fetch the issue a comment delivery named only by id, decide, and queue what it calls for."""
    issue = ctx.jira.issue(issue_id)
    scope = ctx.settings.incidents
    assessment = assess(issue, scope, ctx.settings.triggers, now, new_comment=comment)
    if assessment is None:
        return {"issue": issue.get("key"), "ignored": scope.why_not(issue)}
    incident, decision = assessment.incident, assessment.decision
    submitted = ctx.work.submit_incident(incident.key, needed=decision.needed,
                                         reasons=[r.reason for r in decision.fired])
    log.info("decided %s from a comment: %s", incident.key, submitted.action or "nothing queued",
             extra={"incident": incident.key, "decision": decision.as_dict()})
    return {"incident": incident.key, "decision": decision.as_dict(), **submitted.as_dict()}


consider_job = entry_point(consider_issue_by_id)
