"""Jira updates of action-item tickets: the page that lists the ticket is brought in step
(status, assignee, due date) by its page job. Beside the incident handler, not instead of it.
Nothing is read from Atlassian here: the page comes from Redis (recorded when Debrief created
or adopted the ticket), else from the incident key among the ticket's labels."""

from __future__ import annotations

import logging

from jobqueue.tickets import page_of_ticket
from webhooks.dispatch import IntakeContext, Outcome, ignored, repeated
from webhooks.payloads import JiraEvent
from webhooks.routing import Router

log = logging.getLogger("debrief.intake")
router = Router()


def _page_for(event: JiraEvent, ctx: IntakeContext) -> str | None:
    page = page_of_ticket(ctx.work.redis, event.issue_key or "")
    if page:
        return page
    labels = (event.issue or {}).get("fields", {}).get("labels") or []
    for label in labels if isinstance(labels, list) else ():
        if isinstance(label, str) and (page := ctx.work.postmortem_page(label)):
            return page
    return None


@router.register("jira:issue_updated")
def ticket_updated(event: JiraEvent, ctx: IntakeContext) -> Outcome:
    project = ctx.settings.action_items.project
    if event.project != project:
        return ignored(f"not an action-item ticket (project {event.project}, not {project})")
    page = _page_for(event, ctx)
    if page is None:
        return ignored(f"{event.issue_key} is not a ticket of a postmortem page Debrief keeps")
    submitted = ctx.work.submit("page", page, key=page, delivery_id=ctx.delivery_id)
    if submitted.repeated_delivery:
        return repeated(ctx, ticket=event.issue_key, page=page)
    log.info("ticket %s changed: page %s %s", event.issue_key, page,
             "already queued" if submitted.duplicate else "queued",
             extra={"ticket": event.issue_key, "page": page, "delivery": ctx.delivery_id, "job": submitted.job_id})
    return Outcome(202, {"ticket": event.issue_key, "page": page, **submitted.as_dict()})
