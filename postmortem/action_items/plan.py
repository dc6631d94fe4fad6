"""Deciding what the action-item table calls for: tickets to create, cells to write, rows and
tickets to report. Pure: the job gathers the facts (Jira's users, tickets, priorities and
create screen; the Redis claims; the clock) and applies the plan.

Planning is idempotent: run again on the same page and facts, it plans the same; run after
the tickets were created (their keys recorded in the claims), it plans the cell writes and no
creation. That is how a job resumes after dying at any point, and how a 409 is handled:
re-read, re-plan, re-apply.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from xml.sax.saxutils import escape

from postmortem.action_items.facts import Claim, Facts, JiraUser, Ticket
from postmortem.action_items.record import (
    CellNote,
    ItemsState,
    PriorityFlag,
    Refusal,
    RowProblem,
    RowRecord,
    UnlistedTicket,
    WaitingRow,
)
from postmortem.action_items.rows import ItemRow, item_rows
from postmortem.action_items.values import (
    category_of_text,
    date_markup,
    in_cell_style,
    jira_macro,
    mention_markup,
    mention_ref,
    parse_due,
    status_category,
    status_text,
)
from postmortem.messages import message
from postmortem.page import Edit, Page
from postmortem.priorities import ITEM_TYPES, ActionItemPolicy, item_type_of

DEBRIEF_LABEL = "debrief"
ROW_LABEL_PREFIX = "debrief-row-"
POSTMORTEM_LABEL = "postmortem"


def row_label(row_id: str) -> str:
    return f"{ROW_LABEL_PREFIX}{row_id}"


@dataclass(frozen=True)
class NewTicket:
    row_id: str
    row: int
    action: str
    item_type: str
    priority: str
    priority_typed: bool
    due: date | None
    assignee: JiraUser
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    create: tuple[NewTicket, ...] = ()
    waiting_claims: tuple[str, ...] = ()  # row ids whose creation is in flight: retry later
    edits: tuple[Edit, ...] = ()
    state: ItemsState = field(default_factory=ItemsState)
    table_problems: tuple[str, ...] = ()

    @property
    def to_link(self) -> tuple[RowRecord, ...]:
        """Tickets Debrief made whose incident link and page link are not recorded yet."""
        return tuple(r for r in self.state.records if not r.linked and r.origin == "created")


def fingerprint(ticket: NewTicket) -> str:
    """What a ticket would be, as a short digest: a refused row is sent again once it changes."""
    parts = (ticket.action, ticket.item_type, ticket.priority, str(ticket.due or ""), ticket.assignee.ident,
             *ticket.labels)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def labels_for(row_id: str, incident_key: str) -> tuple[str, ...]:
    return (POSTMORTEM_LABEL, incident_key, DEBRIEF_LABEL, row_label(row_id))


class _Planner:
    def __init__(self, page: Page, page_id: str, before: ItemsState, facts: Facts, policy: ActionItemPolicy,
                 incident_key: str):
        self.page, self.page_id, self.before, self.facts, self.policy = page, page_id, before, facts, policy
        self.incident_key = incident_key
        self.lang = facts.language
        self.records: dict[str, RowRecord] = {}
        self.edits: list[Edit] = []
        self.create: list[NewTicket] = []
        self.waiting_claims: list[str] = []
        self.problems: list[RowProblem] = []
        self.left: list[CellNote] = []
        self.waiting: list[WaitingRow] = []
        self.flags: list[PriorityFlag] = []
        self.refused: list[Refusal] = []
        self.strays: dict[str, Claim] = {}

    def stray_claims(self, rows: list[ItemRow]) -> dict[str, Claim]:
        """Claims no row of the page answers to and no record holds: a row whose action text
        (its identity, without a local id) changed between its claim and the write of its key,
        or a row deleted then. Matched to rows by ``adopt``; the rest are listed as unlisted."""
        ids = {i for row in rows for i in row.ids}
        keys = {r.key for r in self.before.records} | {row.ticket_key for row in rows if row.ticket_key}
        return {c.row_id: c for c in self.facts.claims.values()
                if c.row_id not in ids and c.key not in keys and c.action}

    def adopt(self, row: ItemRow) -> Claim | None:
        """The stray claim that is most likely this row, edited: the same position with words in
        common, or at least half its words (set overlap) anywhere."""
        words = set(row.action.casefold().split())
        best, best_score = None, 0.0
        for claim in self.strays.values():
            theirs = set(claim.action.casefold().split())
            overlap = len(words & theirs) / len(words | theirs) if words | theirs else 0.0
            score = overlap + (0.5 if claim.row == row.number and overlap else 0.0)
            if score >= 0.5 and score > best_score:
                best, best_score = claim, score
        if best is not None:
            del self.strays[best.row_id]
        return best

    # --- per row -------------------------------------------------------------------------
    def row(self, row: ItemRow) -> None:
        typed = row.ticket_key
        by_key = {r.key: r for r in self.before.records}
        record: RowRecord | None = None
        if typed:
            record = by_key.get(typed)
            if record is None:
                if self.facts.tickets.get(typed) is None:
                    self.problems.append(RowProblem(row.number, row.action, (("unknown_ticket", typed),)))
                    return
                record = RowRecord(key=typed, row_id=row.row_id, origin="typed", action=row.action)
        else:
            by_row = {r.row_id: r for r in self.before.records}
            record = next((by_row[i] for i in row.ids if i in by_row and by_row[i].key not in self.records), None)
            if record is None:
                claim = next((self.facts.claims[i] for i in row.ids if i in self.facts.claims), None)
                adopted = claim is None and (claim := self.adopt(row)) is not None
                if claim is not None and claim.key:
                    record = RowRecord(key=claim.key, row_id=row.row_id if adopted else claim.row_id,
                                       origin="created", action=row.action)
                elif claim is not None:
                    self.waiting_claims.append(claim.row_id)
                    return
        if record is not None:
            if record.key in self.records:
                self.problems.append(RowProblem(row.number, row.action, (("duplicate_ticket", record.key),)))
                return
            self.flag(row, record.key)
            self.records[record.key] = self.sync(row, replace(record, action=row.action))
            return
        self.new_row(row)

    def item_type(self, row: ItemRow) -> str | None:
        return item_type_of(row.text("type"))

    def matched_priority(self, typed: str) -> str | None:
        folded = typed.casefold()
        return next((p for p in self.facts.priorities if p.casefold() == folded), None)

    def flag(self, row: ItemRow, key: str = "") -> None:
        kind, typed = self.item_type(row), row.text("priority")
        if kind is None or not typed:
            return
        chosen, matrix = self.matched_priority(typed), self.policy.priority_for(kind, self.facts.severity)
        order = [p.casefold() for p in self.facts.priorities]
        if chosen is None or matrix.casefold() not in order:
            return
        if order.index(chosen.casefold()) > order.index(matrix.casefold()):
            self.flags.append(PriorityFlag(row.number, row.action, kind, self.facts.severity or "", chosen,
                                           matrix, key))

    def new_row(self, row: ItemRow) -> None:
        reasons: list[tuple[str, str]] = []
        type_text = row.text("type")
        kind = self.item_type(row)
        if not type_text:
            reasons.append(("no_type", ""))
        elif kind is None:
            reasons.append(("unknown_type", type_text))
        owner = row.cell("owner")
        user: JiraUser | None = None
        mentions = owner.mentions if owner is not None else ()
        if not mentions:
            owner_text = row.text("owner")
            reasons.append(("owner_not_mention", owner_text) if owner_text else ("no_owner", ""))
        elif len(set(mentions)) > 1:
            reasons.append(("several_owners", str(len(set(mentions)))))
        else:
            user = self.facts.users.get(mention_ref(mentions[0]))
            if user is None:
                reasons.append(("owner_not_user", mentions[0].id))
        due: date | None = None
        try:
            due, raw = parse_due(row.cell("due"))
        except ValueError as exc:
            reasons.append(("bad_date", str(exc)))
        else:
            if due is not None and due < self.facts.today:
                reasons.append(("past_date", raw))
        typed = row.text("priority")
        priority = self.matched_priority(typed) if typed else None
        if typed and priority is None:
            reasons.append(("unknown_priority", typed))
        reasons += [("required_field", name) for name in self.facts.screen.unfillable]
        if row.cell("ticket") is None:  # the key could not be written: an edited row would get a second ticket
            reasons.append(("no_ticket_column", ""))
        if reasons:
            self.problems.append(RowProblem(row.number, row.action, tuple(reasons)))
            return
        assert kind is not None and user is not None
        self.flag(row)
        if self.policy.create == "on_approval" and not self.facts.approved:
            self.waiting.append(WaitingRow(row.number, row.action))
            return
        chosen = priority or self.policy.priority_for(kind, self.facts.severity)
        if priority is None and self.facts.priorities and self.matched_priority(chosen) is None:
            # app.yaml names a priority this Jira does not have: say so rather than let Jira refuse
            self.problems.append(RowProblem(row.number, row.action, (("unknown_priority", chosen),)))
            return
        ticket = NewTicket(
            row_id=row.row_id, row=row.number, action=row.action, item_type=kind, priority=chosen,
            priority_typed=priority is not None, due=due or self.policy.due_date(chosen, self.facts.today),
            assignee=user, labels=labels_for(row.row_id, self.incident_key))
        asked = (row.row_id, fingerprint(ticket), self.facts.today.isoformat())
        refusal = next((r for r in self.before.refused if (r.row_id, r.fingerprint, r.on) == asked), None)
        if refusal is not None:  # Jira said no to this very ticket today: say so, do not ask again
            self.refused.append(refusal)
            self.problems.append(RowProblem(row.number, row.action, (("jira_rejected", refusal.why),)))
            return
        self.create.append(ticket)

    # --- keeping a listed ticket's cells in step ------------------------------------------
    def write(self, row: ItemRow, column: str, inner: str) -> None:
        cell = row.cell(column)
        self.edits.append(self.page.replace_cell(cell, in_cell_style(cell, inner)))

    def note(self, row: ItemRow, column: str, value: str, key: str) -> None:
        self.left.append(CellNote(row.number, row.action, column, value, key))

    def sync(self, row: ItemRow, record: RowRecord) -> RowRecord:
        cells, jira = dict(record.cells), dict(record.jira)
        key = record.key
        if row.cell("ticket") is not None:
            current, last = row.ticket_key, cells.get("ticket")
            if current == key:
                cells["ticket"] = key
            elif current is None and last is None:
                self.write(row, "ticket", jira_macro(key))
                cells["ticket"] = key
            else:
                self.note(row, "ticket", key, key)
        ticket = self.facts.tickets.get(key)
        if ticket is not None:
            self.sync_status(row, ticket, cells)
            self.sync_owner(row, ticket, cells, jira)
            self.sync_due(row, ticket, cells, jira)
        return replace(record, cells=cells, jira=jira)

    def sync_status(self, row: ItemRow, ticket: Ticket, cells: dict) -> None:
        if row.cell("status") is None:
            return
        wanted = status_category(ticket.status_category)
        text = row.text("status")
        current = category_of_text(text)
        if current == wanted:
            cells["status"] = wanted
        elif not text or (current is not None and current == cells.get("status")):
            self.write(row, "status", escape(status_text(wanted, self.lang)))
            cells["status"] = wanted
        else:
            self.note(row, "status", status_text(wanted, self.lang), ticket.key)

    def owner_ident(self, row: ItemRow) -> str:
        cell = row.cell("owner")
        if cell is None or not cell.mentions:
            return f"text:{row.text('owner')}" if row.text("owner") else ""
        user = self.facts.users.get(mention_ref(cell.mentions[0]))
        return user.ident if user is not None else mention_ref(cell.mentions[0])

    def sync_owner(self, row: ItemRow, ticket: Ticket, cells: dict, jira: dict) -> None:
        if row.cell("owner") is None:
            return
        wanted = ticket.assignee.ident if ticket.assignee else ""
        current = self.owner_ident(row)
        if "assignee" not in jira or current == wanted:
            jira["assignee"], cells["owner"] = wanted, current
            return
        if wanted == jira["assignee"]:
            return
        shown = (ticket.assignee.display_name or wanted) if ticket.assignee else message(self.lang, "value.unassigned")
        if current == cells.get("owner"):
            if ticket.assignee is not None:
                self.write(row, "owner", mention_markup(*ticket.assignee.mention(self.facts.cloud)))
            else:
                self.write(row, "owner", escape(shown))
            jira["assignee"], cells["owner"] = wanted, wanted if ticket.assignee else f"text:{shown}"
        else:
            self.note(row, "owner", shown, ticket.key)

    def sync_due(self, row: ItemRow, ticket: Ticket, cells: dict, jira: dict) -> None:
        if row.cell("due") is None:
            return
        wanted = ticket.due
        try:
            day, _ = parse_due(row.cell("due"))
            current = day.isoformat() if day else ""
        except ValueError as exc:
            current = f"text:{exc}"
        if "due" not in jira or current == wanted:
            jira["due"], cells["due"] = wanted, current
            return
        if wanted == jira["due"]:
            return
        if current == cells.get("due"):
            self.write(row, "due", date_markup(date.fromisoformat(wanted)) if wanted else "")
            jira["due"], cells["due"] = wanted, wanted
        else:
            self.note(row, "due", wanted or message(self.lang, "value.none"), ticket.key)

    # --- the whole table -----------------------------------------------------------------
    def run(self) -> Plan:
        table = self.page.action_items
        unreadable = [p.detail for p in (table.problems if table else ()) if p.code == "merged_cells"]
        if table is None or unreadable:
            why = tuple(unreadable) or tuple(p.detail for p in self.page.problems if p.code == "missing_action_table")
            return Plan(state=replace(self.before, problems=(), left=(), waiting=(), flags=()), table_problems=why)
        rows = item_rows(table, self.page_id)
        self.strays = self.stray_claims(rows)
        for row in rows:
            self.row(row)
        unlisted = []
        strays = [RowRecord(key=c.key, row_id=c.row_id, origin="created", action=c.action)
                  for c in self.strays.values() if c.key]  # created, its row gone before the write
        for record in (*self.before.records, *strays):
            if record.key not in self.records:
                self.records[record.key] = record
                unlisted.append(UnlistedTicket(record.key, record.action))
        state = ItemsState(records=tuple(self.records.values()), problems=tuple(self.problems),
                           unlisted=tuple(unlisted), left=tuple(self.left), waiting=tuple(self.waiting),
                           flags=tuple(self.flags), refused=tuple(self.refused))
        return Plan(create=tuple(self.create), waiting_claims=tuple(self.waiting_claims), edits=tuple(self.edits),
                    state=state)


def plan_items(page: Page, page_id: str, before: ItemsState, facts: Facts, policy: ActionItemPolicy,
               incident_key: str) -> Plan:
    """What the table calls for now, given what Debrief recorded (``before``) and ``facts``."""
    return _Planner(page, page_id, before, facts, policy, incident_key).run()


def lookups(page: Page, page_id: str, before: ItemsState) -> tuple[set[str], set[str]]:
    """What the job must ask Jira before planning: the mentions of the rows' owners (refs) and
    the ticket keys the table and the records name."""
    refs: set[str] = set()
    keys: set[str] = {r.key for r in before.records}
    if page.action_items is not None:
        for row in item_rows(page.action_items, page_id):
            owner = row.cell("owner")
            refs.update(mention_ref(m) for m in (owner.mentions if owner else ()))
            if row.ticket_key:
                keys.add(row.ticket_key)
    return refs, keys


def reason_text(code: str, value: str, language: str) -> str:
    """The sentence for one reason a row did not become a ticket."""
    return message(language, f"items.problem.{code}", value=value, types=", ".join(ITEM_TYPES))
