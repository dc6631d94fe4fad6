"""Deciding for deliveries that did not carry the issue (Data Center comment events)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from jobs.context import job_context
from jobs.failures import park_permanent_failures
from postmortem.fieldmap import incident_from_issue, is_incident
from postmortem.triggers import decide

log = logging.getLogger("debrief.jobs.intake")


@park_permanent_failures
def consider_issue(issue_id: str, comment: str) -> dict:
    ctx = job_context()
    issue = ctx.jira.issue(issue_id)
    scope = ctx.settings.incidents
    if not is_incident(issue, scope.projects, scope.issue_types):
        return {"issue": issue.get("key"), "ignored": "not an incident"}
    incident = incident_from_issue(issue, scope.fields)
    decision = decide(incident, ctx.settings.triggers, datetime.now(UTC), new_comment=comment)
    submitted = ctx.work.submit_incident(incident.key, needed=decision.needed,
                                         reasons=[r.reason for r in decision.fired])
    log.info("decided %s from a comment: %s", incident.key, submitted.action or "nothing queued",
             extra={"incident": incident.key, "decision": decision.as_dict()})
    return {"incident": incident.key, "decision": decision.as_dict(), **submitted.as_dict()}
