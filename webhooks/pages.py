"""Handlers for Confluence page events: a page, or a comment on it, changed, so the page's
duties run (a job re-reads the page; ``/approve``, ``/waive`` and ``/reject`` comments drive
the review stage there). Nothing is read from Confluence here.
"""

from __future__ import annotations

import logging

from webhooks.confluence_events import COMMENT_EVENTS, PAGE_EVENTS, ConfluenceEvent
from webhooks.dispatch import IntakeContext, Outcome, repeated, unprocessable
from webhooks.routing import Router

log = logging.getLogger("debrief.intake")
router = Router()


@router.register(*PAGE_EVENTS, *COMMENT_EVENTS)
def page_changed(event: ConfluenceEvent, ctx: IntakeContext) -> Outcome:
    if event.page_id is None:
        return unprocessable("the delivery names no page", {"page.id": ["Missing data for required field."]})
    submitted = ctx.work.submit("page", event.page_id, key=event.page_id, delivery_id=ctx.delivery_id)
    if submitted.repeated_delivery:
        return repeated(ctx, page=event.page_id)
    log.info("page %s: %s; %s", event.page_id, event.name,
             "already queued" if submitted.duplicate else f"{submitted.action} queued",
             extra={"page": event.page_id, "event": event.name, "delivery": ctx.delivery_id,
                    "job": submitted.job_id})
    return Outcome(202, {"page": event.page_id, "event": event.name, **submitted.as_dict()})
