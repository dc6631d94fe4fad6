"""Deciding for deliveries that did not carry the issue (Data Center comment events)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from jobs.context import job_context
from jobs.failures import park_permanent_failures
from postmortem.assessment import assess

log = logging.getLogger("debrief.jobs.intake")


@park_permanent_failures
def consider_issue(issue_id: str, comment: str) -> dict:
    ctx = job_context()
    issue = ctx.jira.issue(issue_id)
    scope = ctx.settings.incidents
    assessment = assess(issue, scope, ctx.settings.triggers, datetime.now(UTC), new_comment=comment)
    if assessment is None:
        return {"issue": issue.get("key"), "ignored": scope.why_not(issue)}
    incident, decision = assessment.incident, assessment.decision
    submitted = ctx.work.submit_incident(incident.key, needed=decision.needed,
                                         reasons=[r.reason for r in decision.fired])
    log.info("decided %s from a comment: %s", incident.key, submitted.action or "nothing queued",
             extra={"incident": incident.key, "decision": decision.as_dict()})
    return {"incident": incident.key, "decision": decision.as_dict(), **submitted.as_dict()}
