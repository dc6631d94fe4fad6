"""The Jira issue Debrief creates for a row: fields for ``POST /rest/api/2/issue/bulk``, the
link to the incident and the remote link back to the page. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.action_items.plan import NewTicket
from postmortem.messages import message
from postmortem.page_context import clean_line
from postmortem.priorities import ActionItemPolicy

SUMMARY_MAX = 255
# Fields Debrief fills itself; a required field outside these it cannot fill.
FILLED = frozenset({"project", "issuetype", "summary", "description", "priority", "assignee", "duedate",
                    "labels", "reporter"})
ALWAYS_SENT = frozenset({"project", "issuetype", "summary"})


@dataclass(frozen=True)
class PageRef:
    page_id: str
    title: str
    url: str


def _wiki(text: str) -> str:
    """Text that Jira wiki markup shows as written."""
    return "".join("\\" + ch if ch in "[]|{}*_+^~-!#" else ch for ch in text)


def summary_of(action: str) -> str:
    line = clean_line(action)
    return line if len(line) <= SUMMARY_MAX else line[:SUMMARY_MAX - 1].rstrip() + "…"


def description_of(ticket: NewTicket, *, incident_key: str, page: PageRef, severity: str | None,
                   language: str) -> str:
    why = (message(language, "items.why_typed") if ticket.priority_typed
           else message(language, "items.why_matrix", severity=severity or message(language, "value.unknown")))
    return message(language, "items.description", incident=incident_key, title=_wiki(page.title), url=page.url,
                   type=ticket.item_type, priority=ticket.priority, why=why)


def issue_update(ticket: NewTicket, policy: ActionItemPolicy, *, incident_key: str, page: PageRef,
                 severity: str | None, language: str, cloud: bool, issue_type_id: str | None = None,
                 settable: frozenset[str] | None = None) -> tuple[dict, tuple[str, ...]]:
    """One ``issueUpdates`` element, and the fields left out because the create screen does not
    have them (``settable``: the field ids it has; None sends everything)."""
    fields: dict = {
        "project": {"key": policy.project},
        "issuetype": {"id": issue_type_id} if issue_type_id else {"name": policy.issue_type},
        "summary": summary_of(ticket.action),
        "description": description_of(ticket, incident_key=incident_key, page=page, severity=severity,
                                      language=language),
        "priority": {"name": ticket.priority},
        "assignee": ticket.assignee.assignee(cloud),
        "labels": list(ticket.labels),
    }
    if ticket.due is not None:
        fields["duedate"] = ticket.due.isoformat()
    left_out: tuple[str, ...] = ()
    if settable is not None:
        left_out = tuple(f for f in fields if f not in ALWAYS_SENT and f not in settable)
        fields = {k: v for k, v in fields.items() if k not in left_out}
    return {"fields": fields}, left_out


def incident_link(policy: ActionItemPolicy, ticket_key: str, incident_key: str) -> dict:
    """``POST /rest/api/2/issueLink``: the ticket and its incident, with the configured type."""
    return {"type": {"name": policy.link_type}, "inwardIssue": {"key": ticket_key},
            "outwardIssue": {"key": incident_key}}


def page_link_id(page_id: str) -> str:
    """The remote link's globalId: Jira updates, never duplicates, a link with the same id."""
    return f"debrief-postmortem-page-{page_id}"
