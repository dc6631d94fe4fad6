"""Action items: the page's table becomes Jira tickets, and the tickets' state comes back.

Run for a page (a page event, a Jira update of one of its tickets, the sweep). Under a lock
per page:

1. read the page, its state, the incident's severity, the Redis claims of its rows;
2. claims without a key that are older than ``action_items.search_consistency_seconds`` are
   looked up by their ``debrief-row-<id>`` label (adopted when found, released when not);
   younger ones are left alone and the job is retried later: Jira's search may not list the
   ticket yet, so nothing is created for them now;
3. ask Jira what the rows name (owners, typed keys, the tracked tickets), its priorities and
   the create screen, and plan (``postmortem.action_items.plan_items``);
4. claim each row to create in Redis (HSETNX, before any request), bulk-create (50 a call),
   record every key in Redis the moment Jira answers; rows Jira refused are released and
   reported with Jira's reason;
5. link each new ticket to the incident and the page;
6. write the page: a splice of Debrief's own cells (ticket macro, status, and owner or due
   when Jira changed them) and of its review panel, on the version read; a 409 re-reads and
   re-plans. Then the state, the same way.

A job killed anywhere resumes: keys recorded in Redis are adopted, not created again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis

from connector.errors import (
    AtlassianError,
    ConflictError,
    PermanentAtlassianError,
    TransientAtlassianError,
)
from jobqueue.tickets import TICKETS_KEY, claims_key
from jobs.context import JobContext
from jobs.locks import page_lock
from jobs.steps import Step
from jobs.versioned import read_plan_apply
from postmortem.action_items import (
    STATE_KEY,
    Claim,
    CreateScreen,
    Facts,
    ItemsState,
    JiraUser,
    Plan,
    Ticket,
    lookups,
    plan_items,
    row_label,
)
from postmortem.action_items.plan import fingerprint, reason_text
from postmortem.action_items.record import Refusal, RowProblem
from postmortem.action_items.tickets import (
    FILLED,
    PageRef,
    incident_link,
    issue_update,
    page_link_id,
)
from postmortem.fieldmap import IncidentDataError, incident_from_issue
from postmortem.messages import message
from postmortem.page import (
    Page,
    StorageFormatError,
    apply_edits,
    parse_page,
    plain_text,
    region_xml,
)
from postmortem.page.markers import REVIEW_REGION
from postmortem.page_state import PageState
from postmortem.review_panel import panel_for_state, render_panel

log = logging.getLogger("debrief.jobs.action_items")
BULK = 50


class CreationInFlight(TransientAtlassianError):
    """Rows whose ticket creation was started but is not confirmed yet: look again later."""


# --- claims in Redis ---------------------------------------------------------------------
class Claims:
    """``debrief:action-items:claims:<page>``: row id -> ``{"at": ISO time, "key": "ACT-7" | "",
    "row": number, "action": text}`` (the row as claimed, so an edited row is still known).
    A claim is taken before the create request and never expires on its own: it is the memory
    that a ticket may exist for the row."""

    def __init__(self, redis: Redis, page_id: str):
        self.redis, self.page_id, self.key = redis, page_id, claims_key(page_id)

    def read(self) -> dict[str, Claim]:
        out = {}
        for row_id, raw in self.redis.hgetall(self.key).items():
            row = row_id.decode() if isinstance(row_id, bytes) else row_id
            try:
                data = json.loads(raw)
                out[row] = Claim(row, datetime.fromisoformat(data["at"]), data.get("key") or "",
                                 int(data.get("row") or 0), str(data.get("action") or ""))
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable claim %s of page %s dropped", row, self.page_id)
                self.redis.hdel(self.key, row)
        return out

    @staticmethod
    def _json(claim: Claim) -> str:
        return json.dumps({"at": claim.started.isoformat(), "key": claim.key, "row": claim.row,
                           "action": claim.action}, ensure_ascii=False)

    def take(self, claim: Claim) -> bool:
        return bool(self.redis.hsetnx(self.key, claim.row_id, self._json(claim)))

    def record(self, claim: Claim) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self.key, claim.row_id, self._json(claim))
        pipe.hset(TICKETS_KEY, claim.key, self.page_id)
        pipe.execute()

    def release(self, row_id: str) -> None:
        self.redis.hdel(self.key, row_id)


# --- facts from Jira ---------------------------------------------------------------------
def _user_of(data: dict | None) -> JiraUser | None:
    if not isinstance(data, dict) or data.get("active") is False:
        return None
    return JiraUser(account_id=str(data.get("accountId") or ""), name=str(data.get("name") or ""),
                    key=str(data.get("key") or ""), display_name=str(data.get("displayName") or ""))


class Lookups:
    """Jira (and, on Data Center, Confluence) answers for one run, each asked once."""

    def __init__(self, ctx: JobContext, known: Any = None):
        self.ctx = ctx
        self.known = known  # the sweep's snapshot in a dry run: tickets as its one JQL search gave them
        self.cloud = ctx.jira.cloud
        # In a sweep's dry runs the answers that are the same for every page are asked once a sweep.
        self.shared: dict = known.shared if known is not None else {}
        self.users: dict[str, JiraUser | None] = self.shared.setdefault("users", {})
        self.tickets: dict[str, Ticket | None] = {}

    def user(self, ref: str) -> JiraUser | None:
        if ref not in self.users:
            kind, _, ident = ref.partition(":")
            jira = self.ctx.jira
            if kind == "account-id":
                found = _user_of(jira.user(account_id=ident))
            elif kind == "userkey":  # Confluence's own key: its username names the Jira user
                person = self.ctx.confluence.user(key=ident)
                name = (person or {}).get("username")
                found = _user_of(jira.user(username=name)) if name else None
                found = replace(found, confluence_key=ident) if found else None
            else:
                found = _user_of(jira.user(username=ident))
            self.users[ref] = found
        return self.users[ref]

    def with_confluence_key(self, user: JiraUser | None) -> JiraUser | None:
        if user is None or self.cloud or user.confluence_key or not user.name:
            return user
        person = self.ctx.confluence.user(username=user.name) or {}
        return replace(user, confluence_key=str(person.get("userKey") or ""))

    def ticket(self, key: str) -> Ticket | None:
        if key not in self.tickets:
            issue = (self.known.issue(key) if self.known is not None else None) or self.ctx.jira.issue_or_none(key)
            if issue is None:
                self.tickets[key] = None
            else:
                f = issue.get("fields") or {}
                category = ((f.get("status") or {}).get("statusCategory") or {}).get("key") or "new"
                assignee = self.with_confluence_key(_user_of(f.get("assignee")))
                self.tickets[key] = Ticket(issue.get("key") or key, category, assignee, str(f.get("duedate") or ""))
        return self.tickets[key]

    def priorities(self) -> tuple[str, ...]:
        if "priorities" not in self.shared:
            self.shared["priorities"] = tuple(self.ctx.jira.priority_names())
        return self.shared["priorities"]

    def screen(self) -> tuple[CreateScreen, str | None]:
        """The create screen of the action-item project and issue type, and the type's id."""
        if "screen" not in self.shared:
            policy = self.ctx.settings.action_items
            type_id = self.ctx.jira.create_issue_type_id(policy.project, policy.issue_type)
            if type_id is None:
                reason = f"{policy.issue_type} (not an issue type of {policy.project})"
                self.shared["screen"] = (CreateScreen(unfillable=(reason,)), None)
            else:
                fields = self.ctx.jira.create_fields(policy.project, type_id)
                unfillable = tuple(str(f.get("name") or f.get("fieldId")) for f in fields
                                   if f.get("required") and not f.get("hasDefaultValue")
                                   and f.get("fieldId") not in FILLED)
                settable = frozenset(str(f.get("fieldId")) for f in fields if f.get("fieldId"))
                self.shared["screen"] = (CreateScreen(unfillable, settable), type_id)
        return self.shared["screen"]


# --- one run -----------------------------------------------------------------------------
@dataclass
class Read:
    page: dict
    body: str
    version: int
    title: str
    parsed: Page
    state: PageState
    state_version: int | None


@dataclass
class Run:
    """What one run did, for the job's result and the log."""

    page: str
    created: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


class ActionItemSync:
    def __init__(self, ctx: JobContext, now: datetime, page_id: str, *, dry_run: bool = False):
        self.ctx, self.now, self.page_id, self.dry_run = ctx, now, page_id, dry_run
        self.policy = ctx.settings.action_items
        self.claims = Claims(ctx.redis, page_id)
        from jobs import sweep_snapshot  # noqa: PLC0415

        # A dry run in a sweep plans from the sweep's snapshot; the run that writes reads live.
        self.snapshot = sweep_snapshot.current() if dry_run else None
        self.lookups = Lookups(ctx, self.snapshot)
        self.run = Run(page_id)
        self.refusals: list[RowProblem] = []  # rows Jira refused in this run
        self.refused: list[Refusal] = []  # and what they were, not to be sent again today
        self.linked: set[str] = set()
        self.severity: str | None = None

    # reading
    def read(self) -> Read | None:
        conf = self.ctx.confluence
        known = self.snapshot.page(self.page_id) if self.snapshot is not None else None
        page = known or conf.page_with_body(self.page_id)
        body = ((page.get("body") or {}).get("storage") or {}).get("value") or ""
        stored = conf.state_of(known) if known is not None else conf.get_state(self.page_id)
        if stored is None:
            return None
        if self.snapshot is not None and known is None:  # read live: the versions its memo may stand on
            self.snapshot.seen[self.page_id] = (int((page.get("version") or {}).get("number") or 1), stored[1])
        state = PageState.from_dict(stored[0])
        return Read(page, body, int((page.get("version") or {}).get("number") or 1), str(page.get("title") or ""),
                    parse_page(body), state, stored[1])

    def incident_severity(self, key: str) -> str | None:
        try:
            if self.snapshot is not None:  # a sweep's plan: the incident every duty plans from
                return self.snapshot.incident(self.ctx, key).severity
            issue = self.ctx.jira.issue(key)
            return incident_from_issue(issue, self.ctx.settings.incidents.fields).severity
        except IncidentDataError as exc:
            log.warning("the severity of %s cannot be read (%s); priorities use the default", key, exc)
            return None

    def settle_claims(self) -> dict[str, Claim]:
        """Claims, with those whose creation answer was lost resolved where search can be trusted."""
        window = timedelta(seconds=self.policy.search_consistency_seconds)
        claims = self.claims.read()
        for row_id, claim in list(claims.items()):
            if claim.key or self.now - claim.started < window:
                continue
            keys = self.ctx.jira.keys_labelled(row_label(row_id))
            if keys:
                log.warning("page %s row %s: the ticket %s was created but its key was lost; adopted",
                            self.page_id, row_id, keys[0], extra={"page": self.page_id})
                claims[row_id] = replace(claim, key=sorted(keys)[0])
                if not self.dry_run:
                    self.claims.record(claims[row_id])
                self.run.adopted.append(claims[row_id].key)
            else:
                del claims[row_id]
                if not self.dry_run:
                    self.claims.release(row_id)
        return claims

    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.ctx.settings.timezone)).date()

    def facts(self, read: Read, claims: dict[str, Claim]) -> Facts:
        before = ItemsState.of(read.state.extra)
        refs, keys = lookups(read.parsed, self.page_id, before)
        keys |= {c.key for c in claims.values() if c.key}
        users = {ref: self.lookups.user(ref) for ref in sorted(refs)}
        tickets = {key: self.lookups.ticket(key) for key in sorted(keys)}
        screen, _ = self.lookups.screen()
        language = read.state.language or read.parsed.language or self.ctx.settings.language
        return Facts(today=self.today(),
                     severity=self.severity, language=language, cloud=self.lookups.cloud,
                     priorities=self.lookups.priorities(), users=users, tickets=tickets, claims=claims,
                     screen=screen, approved=read.state.status.strip().lower() in ("approved", "archived"))

    def plan(self, read: Read, claims: dict[str, Claim]) -> Plan:
        before = ItemsState.of(read.state.extra)
        return plan_items(read.parsed, self.page_id, before, self.facts(read, claims), self.policy,
                          read.state.incident)

    # creating
    def create(self, read: Read, plan: Plan) -> None:
        if not plan.create:
            return
        screen, type_id = self.lookups.screen()
        url = self.ctx.confluence.web_url(read.page)
        ref = PageRef(self.page_id, read.title, url)
        language = read.state.language or self.ctx.settings.language
        claimed = {t.row_id: Claim(t.row_id, self.now, row=t.row, action=t.action) for t in plan.create}
        taken = [t for t in plan.create if self.claims.take(claimed[t.row_id])]
        for start in range(0, len(taken), BULK):
            chunk = taken[start:start + BULK]
            updates = []
            for ticket in chunk:
                update, left_out = issue_update(ticket, self.policy, incident_key=read.state.incident, page=ref,
                                                severity=self.severity, language=language,
                                                cloud=self.lookups.cloud, issue_type_id=type_id,
                                                settable=screen.settable)
                if left_out:
                    log.warning("the %s create screen has no %s: left out of %r", self.policy.project,
                                ", ".join(left_out), ticket.action, extra={"page": self.page_id})
                updates.append(update)
            try:
                answer = self.ctx.jira.bulk_create(updates)
            except (PermanentAtlassianError, TransientAtlassianError) as exc:
                if isinstance(exc, PermanentAtlassianError) or exc.status == 429:
                    for ticket in chunk:  # refused outright: nothing was created
                        self.claims.release(ticket.row_id)
                raise
            # A transient failure leaves the claims: the tickets may exist; the consistency
            # window and the row labels settle them on a later run.
            failed = {int(e.get("failedElementNumber", -1)): e for e in answer["errors"]}
            created = iter(answer["issues"])
            for number, ticket in enumerate(chunk):
                if number in failed:
                    self.claims.release(ticket.row_id)
                    why = _jira_reason(failed[number])
                    self.refusals.append(RowProblem(ticket.row, ticket.action, (("jira_rejected", why),)))
                    self.refused.append(Refusal(ticket.row_id, fingerprint(ticket), why, self.today().isoformat()))
                    self.run.refused.append(f"row {ticket.row}: {why}")
                    continue
                issue = next(created, None)
                if issue is None or not issue.get("key"):
                    continue  # Jira's answer lacks it: the claim stays, the label finds it later
                self.claims.record(replace(claimed[ticket.row_id], key=issue["key"]))
                self.run.created.append(issue["key"])
                log.info("created %s for row %d of page %s: %s", issue["key"], ticket.row, self.page_id,
                         ticket.action, extra={"page": self.page_id, "ticket": issue["key"]})

    def link(self, read: Read, plan: Plan) -> None:
        url = self.ctx.confluence.web_url(read.page)
        for record in plan.to_link:
            self.ctx.jira.link(incident_link(self.policy, record.key, read.state.incident))
            self.ctx.jira.upsert_remote_link(record.key, url=url, title=read.title, global_id=page_link_id(self.page_id),
                                             summary=f"Postmortem of {read.state.incident}")
            self.linked.add(record.key)
            self.run.linked.append(record.key)

    # writing
    def final(self, read: Read, claims: dict[str, Claim]) -> tuple[Plan, PageState, str] | None:
        plan = self.plan(read, claims)
        items = replace(plan.state, problems=plan.state.problems + tuple(self.refusals),
                        refused=plan.state.refused + tuple(self.refused),
                        records=tuple(replace(r, linked=True) if r.key in self.linked else r
                                      for r in plan.state.records))
        untouched = STATE_KEY not in read.state.extra and items == ItemsState()
        state = read.state if untouched else read.state.with_extra(**{STATE_KEY: items.to_dict()})
        edits = list(plan.edits)
        panel = self.panel_edit(read, state)
        if panel is not None:
            edits.append(panel)
        body = apply_edits(read.body, edits) if edits else read.body
        if body == read.body and state.same_content(read.state):
            return None
        return plan, state, body

    def panel_edit(self, read: Read, state: PageState):
        page = read.parsed
        language = state.language or page.language or self.ctx.settings.language
        xml = render_panel(panel_for_state(state), language)
        region = page.regions.get(REVIEW_REGION)
        if region is not None:
            current = read.body[region.inner[0]:region.inner[1]]
            if _same_lines(current, xml):
                return None
            return page.replace_region(REVIEW_REGION, xml)
        if not plain_text(xml) or plain_text(xml) == message(language, "review.not_run"):
            return None
        return page.insert_after_properties(region_xml(REVIEW_REGION, message(language, "review.title"), xml))

    def write(self, read: Read, planned: tuple[Plan, PageState, str]) -> None:
        plan, state, body = planned
        if body != read.body:
            self.ctx.confluence.update_body(self.page_id, title=read.title, body=body, version=read.version,
                                            message="Debrief: action-item tickets")
            self.run.writes.append(f"page: {len(plan.edits)} cell(s)" + ("" if len(plan.edits) else ", panel"))
            read = replace(read, body=body, version=read.version + 1)
        self.ctx.confluence.put_state(self.page_id, state.to_dict(), read.state_version)
        self.run.writes.append("state")
        keys = [r.key for r in plan.state.records]
        if keys:  # a Jira update of any ticket the page lists finds the page (webhooks/action_items.py)
            self.ctx.redis.hset(TICKETS_KEY, mapping=dict.fromkeys(keys, self.page_id))

    # the whole run
    def sync(self) -> dict:
        read = self.read()
        if read is None or not read.state.incident:
            self.run.skipped = "not a postmortem page Debrief keeps"
            return self.run.as_dict()
        if read.parsed.action_items is None:
            self.run.skipped = "the page has no action-item table"
            log.warning("page %s: %s", self.page_id, self.run.skipped, extra={"page": self.page_id})
        self.severity = self.incident_severity(read.state.incident)
        claims = self.settle_claims()
        first = self.plan(read, claims)
        if self.dry_run:
            planned = self.final(read, claims)
            return {**self.run.as_dict(), "would_create": [t.action for t in first.create],
                    "would_write": len(first.edits), "would_change": planned is not None,
                    "in_flight": list(first.waiting_claims)}
        self.report(first)
        self.create(read, first)
        claims = self.claims.read()
        self.link(read, self.plan(read, claims))
        transient = first.waiting_claims or [c for c in claims.values() if not c.key]
        read_plan_apply(self.read_again, lambda current: self.final(current, self.claims.read()),
                        self.write, what=f"action items of page {self.page_id}", first=read)
        if transient:
            self.run.waiting = sorted({c.row_id for c in claims.values() if not c.key} | set(first.waiting_claims))
            raise CreationInFlight(
                f"page {self.page_id}: {len(self.run.waiting)} row(s) whose ticket creation is in flight or "
                "unconfirmed; checking again later", operation="action items")
        return self.run.as_dict()

    def read_again(self) -> Read:
        read = self.read()
        if read is None:
            raise PermanentAtlassianError(f"the state of page {self.page_id} is gone", operation="action items")
        return read

    def report(self, plan: Plan) -> None:
        for problem in plan.state.problems:
            text = "; ".join(reason_text(code, value, "en") for code, value in problem.reasons)
            self.run.problems.append(f"row {problem.row} ({problem.action}): {text}")
            log.warning("page %s, action-item row %d (%s) has no ticket: %s", self.page_id, problem.row,
                        problem.action, text, extra={"page": self.page_id})
        for why in plan.table_problems:
            self.run.problems.append(why)
            log.warning("page %s: action-item table not read: %s", self.page_id, why, extra={"page": self.page_id})


def _same_lines(current: str, wanted: str) -> bool:
    """The panel says the same, in whatever order its lines stand (another stage's lines come
    from a mapping whose order a JSON round trip through Confluence does not keep)."""
    return sorted(plain_text(current).splitlines()) == sorted(plain_text(wanted).splitlines())


def _jira_reason(error: dict) -> str:
    element = error.get("elementErrors") or {}
    parts = [str(m) for m in element.get("errorMessages") or []]
    parts += [f"{k}: {v}" for k, v in (element.get("errors") or {}).items()]
    return "; ".join(parts) or f"HTTP {error.get('status')}"


def sync_action_items(ctx: JobContext, now: datetime, page_id: str, *, dry_run: bool = False) -> dict:
    """Bring a page's action items and their tickets in step (see the module's text)."""
    try:
        with page_lock(ctx.redis, page_id, wait=0 if dry_run else 60):
            return ActionItemSync(ctx, now, page_id, dry_run=dry_run).sync()
    except StorageFormatError as exc:
        log.error("page %s is not storage format Debrief can read: %s", page_id, exc, extra={"page": page_id})
        return {"page": page_id, "skipped": f"unreadable page: {exc}"}


def page_duty(ctx: JobContext, now: datetime, page_id: str, state: PageState) -> dict:
    """The action-item duty of a changed page (jobs/pages.py PAGE_DUTIES)."""
    return sync_action_items(ctx, now, page_id)


# --- the sweep ---------------------------------------------------------------------------
class SyncActionItems:
    """Every open draft's action items: new rows become tickets, tickets' changes come back.
    The plan reads only (stale claims are looked up, not changed); apply runs the sync."""

    name = "action-items"

    def plan(self, ctx: JobContext, now: datetime) -> list:
        from jobs import sweep_snapshot  # noqa: PLC0415

        steps = []
        snap = sweep_snapshot.current()
        drafts = ctx.settings.confluence.drafts.space
        pages = snap.pages if snap is not None else _postmortem_pages(ctx, [drafts])
        for page in sweep_snapshot.pages_to_check(ctx, self.name, pages):
            page_id = str(page["id"])
            try:
                seen = sync_action_items(ctx, now, page_id, dry_run=True)
            except AtlassianError as exc:
                log.warning("sweep: action items of page %s not checked: %s", page_id, exc)
                continue
            if seen.get("skipped") or not (seen["would_create"] or seen["would_change"] or seen["in_flight"]
                                           or seen.get("adopted")):
                sweep_snapshot.nothing_to_do(ctx, self.name, page)
                continue
            steps.append(Step(self.name, f"action items of page {page_id}: "
                              f"{len(seen.get('would_create') or [])} to create, "
                              f"{seen.get('would_write', 0)} cell(s) to write", page_id))
        return steps

    def apply(self, ctx: JobContext, now: datetime, step) -> str:
        try:
            result = sync_action_items(ctx, now, step.data)
        except ConflictError as exc:
            return f"changed meanwhile, next sweep: {exc}"
        except CreationInFlight as exc:
            return f"{exc} (next sweep)"
        done = [f"created {', '.join(result['created'])}"] if result.get("created") else []
        done += result.get("writes") or []
        return "; ".join(done) or "nothing differed"


def _postmortem_pages(ctx: JobContext, spaces: Iterable[str]) -> Iterable[dict[str, Any]]:
    from postmortem.page_context import POSTMORTEM_LABEL
    return ctx.confluence.labelled_pages([POSTMORTEM_LABEL], list(spaces))
