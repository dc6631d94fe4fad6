"""Handlers for incident events: map the issue, decide by the written criteria, enqueue.

No Atlassian calls here: everything needed is in the delivery, and anything that is not
becomes a job.
"""

from __future__ import annotations

import logging

from postmortem.assessment import assess
from postmortem.fieldmap import IncidentDataError
from postmortem.triggers import asks_for_postmortem
from telemetry import metrics as telemetry
from webhooks.dispatch import IntakeContext, Outcome, ignored, repeated, unprocessable
from webhooks.payloads import AUTOMATION, JiraEvent
from webhooks.routing import Router

log = logging.getLogger("debrief.intake")
router = Router()


def consider_issue(issue: dict, ctx: IntakeContext, *, new_comment: str | None = None) -> Outcome:
    scope = ctx.settings.incidents
    try:
        assessment = assess(issue, scope, ctx.settings.triggers, ctx.now, new_comment=new_comment)
    except IncidentDataError as exc:
        return unprocessable(f"the issue lacks what Debrief needs: {exc}", {k: [v] for k, v in exc.problems.items()})
    if assessment is None:
        return ignored(scope.why_not(issue))
    incident, decision = assessment.incident, assessment.decision
    reasons = [r.reason for r in decision.fired]
    submitted = ctx.work.submit_incident(incident.key, needed=decision.needed, reasons=reasons,
                                         delivery_id=ctx.delivery_id)
    if submitted.repeated_delivery:
        return repeated(ctx, incident=incident.key)
    telemetry.rules_fired((r.rule for r in decision.fired), into=ctx.work.redis)  # counted in memory
    decided = decision.as_dict()
    log.info("decided %s: postmortem %s (%s); %s", incident.key, "needed" if decision.needed else "not needed",
             "; ".join(reasons) or "no rule fired", submitted.action or "nothing queued",
             extra={"incident": incident.key, "delivery": ctx.delivery_id, "decision": decided,
                    "job": submitted.job_id})
    return Outcome(202, {"incident": incident.key, "decision": decided, **submitted.as_dict()})


@router.register("jira:issue_created", "jira:issue_updated", AUTOMATION)
def issue_changed(event: JiraEvent, ctx: IntakeContext) -> Outcome:
    if event.issue is None:
        return unprocessable("the delivery has no issue", {"issue": ["Missing data for required field."]})
    return consider_issue(event.issue, ctx)


@router.register("comment_created")
def comment_created(event: JiraEvent, ctx: IntakeContext) -> Outcome:
    if event.issue is not None:  # Cloud sends an abbreviated issue with the comment
        return consider_issue(event.issue, ctx, new_comment=event.comment_body)
    command = ctx.settings.triggers.explicit_request.command
    if not (ctx.settings.triggers.explicit_request.enabled and asks_for_postmortem(event.comment_body or "", command)):
        return ignored(f"comment without an issue and without {command}")
    if not event.comment_issue_id:
        return unprocessable("cannot tell which issue the comment is on",
                             {"comment.self": ["must name the issue (…/issue/<id>/comment/<id>)"]})
    submitted = ctx.work.submit("consider", event.comment_issue_id, event.comment_body or "",
                                key=event.comment_issue_id, delivery_id=ctx.delivery_id)
    if submitted.repeated_delivery:
        return repeated(ctx, incident=None)
    log.info("comment asks for a postmortem on issue %s; %s queued", event.comment_issue_id, submitted.action,
             extra={"delivery": ctx.delivery_id, "job": submitted.job_id})
    return Outcome(202, {"issue": event.comment_issue_id, "decision": {"postmortem": None, "pending": "fetch"},
                         **submitted.as_dict()})
