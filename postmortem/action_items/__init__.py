"""Action items: the postmortem page's action-item table becomes prioritised Jira tickets,
and the tickets' state flows back into the table. Pure planning; the job does the I/O.

- ``rows``: which rows count and each row's identity;
- ``values``: reading cells (type, owner, due, ticket, status) and the markup Debrief writes;
- ``facts``: what the job tells the planning (users, tickets, claims, create screen, clock);
- ``plan``: ``plan_items(page, page_id, before, facts, policy, incident_key) -> Plan``;
- ``tickets``: the Jira fields of a new ticket, its incident link and page link;
- ``record``: what the page state keeps between runs (``PageState.extra["action_items"]``).
"""

from postmortem.action_items.facts import Claim, CreateScreen, Facts, JiraUser, Ticket
from postmortem.action_items.plan import NewTicket, Plan, labels_for, lookups, plan_items, row_label
from postmortem.action_items.record import STATE_KEY, ItemsState, RowRecord

__all__ = ["STATE_KEY", "Claim", "CreateScreen", "Facts", "ItemsState", "JiraUser", "NewTicket", "Plan",
           "RowRecord", "Ticket", "labels_for", "lookups", "plan_items", "row_label"]
