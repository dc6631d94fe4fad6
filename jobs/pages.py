"""A Confluence page changed: run the per-page duties for that page.

For now the one duty is bringing the page of an incident up to date (the refresh). Later
stages add theirs (action-item sync, review gates) to ``PAGE_DUTIES``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from jobs.action_items import page_duty as action_items_duty
from jobs.archive import page_duty as archive_duty
from jobs.context import JobContext
from jobs.draft import bring_up_to_date
from jobs.entry import entry_point
from jobs.review import page_duty as review_duty
from postmortem.action_items.record import ItemsState
from postmortem.page_context import POSTMORTEM_LABEL
from postmortem.page_state import PageState

log = logging.getLogger("debrief.jobs.pages")


def refresh_incident_page(ctx: JobContext, now: datetime, page_id: str, state: PageState) -> dict:
    return bring_up_to_date(ctx, now, state.incident)


# Each duty: (name, fn(ctx, now, page_id, state) -> dict). Run in order for a changed page.
PAGE_DUTIES: list[tuple[str, Callable[..., dict]]] = [
    ("refresh", refresh_incident_page),
    ("action_items", action_items_duty),
    ("review", review_duty),
    ("archive", archive_duty),  # keep last: archives a page the duties before it approved
]


def page_changed(ctx: JobContext, now: datetime, page_id: str) -> dict:
    """Run every page duty for a Debrief page; a page Debrief does not own is left alone.

    With ``action_items.create: on_approval``, the review that approves a page is followed by
    the action items once more (the tickets are made now) and the review again (which shares
    the page, tickets listed), before the archive takes it."""
    labels = ctx.confluence.page_labels(page_id)
    stored = ctx.confluence.get_state(page_id) if POSTMORTEM_LABEL in labels else None
    state = PageState.from_dict(stored[0]) if stored else None
    if state is None or not state.incident:
        return {"page": page_id, "skipped": "not a postmortem page Debrief keeps"}
    duties = {}
    for name, duty in PAGE_DUTIES:
        if name == "archive" and _tickets_wait_for_this_approval(ctx, page_id):
            duties["action_items_on_approval"] = action_items_duty(ctx, now, page_id, state)
            duties["review_with_tickets"] = review_duty(ctx, now, page_id, state)
        duties[name] = duty(ctx, now, page_id, state)
    return {"page": page_id, "incident": state.incident, "duties": duties}


def _tickets_wait_for_this_approval(ctx: JobContext, page_id: str) -> bool:
    """Whether rows wait for an approval the page now has (read after the review duty)."""
    if ctx.settings.action_items.create != "on_approval":
        return False
    stored = ctx.confluence.get_state(page_id)
    state = PageState.from_dict(stored[0]) if stored else None
    return (state is not None and state.status.strip().lower() == "approved"
            and bool(ItemsState.of(state.extra).waiting))


page_job = entry_point(page_changed)
