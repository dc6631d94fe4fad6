"""The review of a postmortem page: read the page, its comments and its incident, judge the
gates (``postmortem.review``), then write what changed: the Status lozenge, Debrief's review
panel, the labels and the page state. An approved page's share e-mail goes out once.

Run for a page event (jobs/pages.py, after the action-item duty) and by the sweep for every
open draft (``ReviewPages``), and the sweep keeps the agenda page (``ReviewAgenda``).
A 409 on a write re-reads and re-plans; the share e-mail is guarded by a Redis claim keyed by
page and content, so no retry, worker or sweep ever sends it twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from connector.errors import AtlassianError, ConflictError, PermanentAtlassianError
from connector.mail import Mailer, MailNotConfigured
from jobqueue.queue import PREFIX
from jobs.context import JobContext
from jobs.incidents import load_incident
from jobs.locks import page_lock
from jobs.steps import Step
from postmortem.action_items.record import ItemsState
from postmortem.action_items.values import in_cell_style
from postmortem.fieldmap import IncidentDataError
from postmortem.incident import Incident
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
from postmortem.page_context import POSTMORTEM_LABEL, STATUS_COLOURS
from postmortem.page_state import PageState, iso, label_change
from postmortem.review import (
    APPROVED,
    ARCHIVED,
    LOZENGE,
    PageComment,
    ReviewContext,
    ReviewOutcome,
    ReviewRecord,
    ReviewSettings,
    assess,
    content_hash,
    page_findings,
    read_comments,
    state_after,
)
from postmortem.review.drafted import drafted_timeline
from postmortem.review.share import share_mail
from postmortem.review_panel import panel_for_state, render_panel

log = logging.getLogger("debrief.jobs.review")


def shared_claim_key(page_id: str, content: str) -> str:
    return f"{PREFIX}:review:shared:{page_id}:{content}"


def comment_of(data: dict) -> PageComment:
    """A REST comment (v1 ``child/comment`` with ``body.storage,history``) as the review reads it."""
    author = ((data.get("history") or {}).get("createdBy") or {})
    ids = tuple(str(author[k]) for k in ("accountId", "username", "userKey") if author.get(k))
    body = ((data.get("body") or {}).get("storage") or {}).get("value") or ""
    try:
        text = plain_text(body)
    except StorageFormatError:
        text = ""
    return PageComment(str(data.get("id") or ""), ids, str(author.get("displayName") or ""),
                       str((data.get("history") or {}).get("createdDate") or ""), text)


def review_settings(ctx: JobContext) -> ReviewSettings:
    r = ctx.settings.review
    return ReviewSettings(reviewers=r.reviewers, required_approvals=r.required_approvals,
                          approval_survives_edits=r.approval_survives_edits, share_email=r.share_email,
                          create_mode=ctx.settings.action_items.create, privacy=ctx.settings.privacy)


@dataclass
class Reading:
    page: dict
    body: str
    version: int
    parsed: Page
    state: PageState
    state_version: int | None
    labels: list[str]
    comments: list[PageComment]


@dataclass
class ReviewRun:
    page: str
    status: str = ""
    failing: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    mailed: list[str] = field(default_factory=list)
    skipped: str | None = None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [], "")}


def lozenge(status: str) -> str:
    title = LOZENGE.get(status, status.upper())
    return ('<ac:structured-macro ac:name="status" ac:schema-version="1">'
            f'<ac:parameter ac:name="colour">{STATUS_COLOURS.get(title, "Grey")}</ac:parameter>'
            f'<ac:parameter ac:name="title">{title}</ac:parameter></ac:structured-macro>')


class PageReview:
    def __init__(self, ctx: JobContext, now: datetime, page_id: str, *, dry_run: bool = False):
        self.ctx, self.now, self.page_id, self.dry_run = ctx, now, page_id, dry_run
        self.run = ReviewRun(page_id)
        self.incident: Incident | None = None

    def read(self) -> Reading | None:
        conf = self.ctx.confluence
        from jobs import sweep_snapshot  # noqa: PLC0415

        # A dry run in a sweep plans from the sweep's snapshot (page, labels, state: one search
        # for every page); the run that writes reads live.
        snap = sweep_snapshot.current() if self.dry_run else None
        known = snap.page(self.page_id) if snap is not None else None
        stored = conf.state_of(known) if known is not None else conf.get_state(self.page_id)
        if stored is None:
            return None
        page = known or conf.page_with_body(self.page_id)
        body = ((page.get("body") or {}).get("storage") or {}).get("value") or ""
        comments = [comment_of(c) for c in conf.page_comments(self.page_id)]
        labels = conf.page_labels_of(known) if known is not None else conf.page_labels(self.page_id)
        if snap is not None and known is None:  # read live: the versions its memo may stand on
            snap.seen[self.page_id] = (int((page.get("version") or {}).get("number") or 1), stored[1])
        return Reading(page, body, int((page.get("version") or {}).get("number") or 1), parse_page(body),
                       PageState.from_dict(stored[0]), stored[1], labels, comments)

    def language(self, r: Reading) -> str:
        return r.state.language or r.parsed.language or self.ctx.settings.language

    def judge(self, r: Reading, record: ReviewRecord | None = None) -> ReviewOutcome:
        s = self.ctx.settings
        lang = self.language(r)
        rs = review_settings(self.ctx)
        findings = page_findings(r.parsed, rs.privacy)
        content = content_hash(r.parsed)
        record = record or read_comments(ReviewRecord.of(r.state.extra), r.comments, content=content,
                                         reviewers=rs.reviewers, finding_ids={f.id for f in findings},
                                         language=lang)
        owner = self.incident.assignee if self.incident else None
        if owner is not None:
            record = replace(record, owner={"account_id": owner.account_id, "username": owner.username,
                                            "name": owner.display_name, "email": owner.email or ""})
        drafted = drafted_timeline(self.incident, language=lang, timezone=s.timezone, now=self.now)
        rctx = ReviewContext(r.parsed, self.incident, self.now, r.state, rs, drafted, record, found=findings)
        return assess(rctx, s.review.gates, lang)

    # the share e-mail -------------------------------------------------------------------
    def share(self, r: Reading, outcome: ReviewOutcome) -> ReviewOutcome:
        """Send the share e-mail of an approved page once per content; record it."""
        to = self.ctx.settings.review.share_email
        record = outcome.record
        content = record.content
        if outcome.status != APPROVED or not to or record.shared.get("content") == content:
            return outcome
        if ItemsState.of(r.state.extra).waiting:
            # rows whose tickets this approval makes (create: on_approval; jobs/pages.py): share once
            # they are listed, as the archive waits for them (postmortem/archive.py readiness)
            log.info("page %s: the share e-mail waits for the tickets made on approval", self.page_id,
                     extra={"page": self.page_id})
            return outcome
        if self.dry_run:
            self.run.mailed.append(f"would e-mail {', '.join(to)}")
            return outcome
        env = self.ctx.env
        if not env.smtp_url:
            log.warning("page %s is approved but SMTP_URL is not set: the share e-mail is not sent", self.page_id)
            return outcome
        try:
            mailer = Mailer(env.smtp_url, env.mail_from)
        except MailNotConfigured as exc:
            log.error("page %s: %s", self.page_id, exc)
            return outcome
        key = shared_claim_key(self.page_id, content)
        claim = {"at": iso(self.now), "to": list(to), "content": content}
        if self.ctx.redis.set(key, json.dumps(claim), nx=True):
            title = str(r.page.get("title") or "")
            approved_by = [a.name or a.by for a in record.approvals if a.comment in (record.counted or ())]
            mail = share_mail(r.parsed, title=title, url=self.ctx.confluence.web_url(r.page), to=tuple(to),
                              approved_by=approved_by, language=outcome.language)
            try:
                refused = mailer.send(mail)
            except Exception:
                self.ctx.redis.delete(key)
                raise
            if refused:
                log.warning("page %s: the share e-mail was refused for %s", self.page_id, ", ".join(refused))
            self.run.mailed.append(", ".join(to))
            log.info("page %s: shared by e-mail with %s", self.page_id, ", ".join(to), extra={"page": self.page_id})
        else:
            claim = json.loads(self.ctx.redis.get(key) or "{}") or claim
        record = replace(record, shared={"content": content, "at": claim.get("at"), "to": claim.get("to") or []})
        return self.judge(r, record)

    # writing ----------------------------------------------------------------------------
    def plan(self, r: Reading) -> tuple[PageState, str, list[str], list[str], list[str]]:
        outcome = self.share(r, self.judge(r))
        self.run.status, self.run.failing = outcome.status, outcome.failing
        state = state_after(r.state, outcome)
        change = label_change(r.state, self.incident, self.ctx.settings.confluence.labels, r.labels,
                              status=outcome.status)
        state = replace(state, labels=change.debrief_labels)
        edits, what = [], []
        cell = r.parsed.properties.get("status")
        title = LOZENGE.get(outcome.status, "")
        if cell is not None and title and cell.cell.statuses != (title,):
            edits.append(r.parsed.replace_property("status", in_cell_style(cell.cell, lozenge(outcome.status))))
            what.append(f"status {title}")
        panel = self.panel_edit(r, state)
        if panel is not None:
            edits.append(panel)
            what.append("review panel")
        body = apply_edits(r.body, edits) if edits else r.body
        if not state.same_content(r.state):
            state = replace(state, updated=iso(self.now))
        return state, body, what, list(change.add), list(change.remove)

    def panel_edit(self, r: Reading, state: PageState):
        lang = self.language(r)
        xml = render_panel(panel_for_state(state), lang)
        region = r.parsed.regions.get(REVIEW_REGION)
        if region is not None:
            current = r.body[region.inner[0]:region.inner[1]]
            return None if plain_text(current) == plain_text(xml) else r.parsed.replace_region(REVIEW_REGION, xml)
        return r.parsed.insert_after_properties(region_xml(REVIEW_REGION, message(lang, "review.title"), xml))

    def once(self) -> dict:
        from jobs import sweep_snapshot  # noqa: PLC0415

        r = self.read()
        if r is None or not r.state.incident:
            self.run.skipped = "not a postmortem page Debrief keeps"
            return self.run.as_dict()
        if r.state.status == ARCHIVED:
            self.run.skipped = "archived"
            return self.run.as_dict()
        try:
            snap = sweep_snapshot.current() if self.dry_run else None
            self.incident = self.incident or (snap.incident(self.ctx, r.state.incident) if snap is not None
                                              else load_incident(self.ctx.jira, self.ctx.settings, r.state.incident))
        except (IncidentDataError, PermanentAtlassianError) as exc:
            self.run.skipped = f"the incident {r.state.incident} cannot be read: {exc}"
            log.warning("page %s: %s", self.page_id, self.run.skipped, extra={"page": self.page_id})
            return self.run.as_dict()
        state, body, what, add, remove = self.plan(r)
        changed_state = not state.same_content(r.state)
        self.run.writes = [*what, *(f"add label {x}" for x in add), *(f"remove label {x}" for x in remove)]
        if changed_state:
            self.run.writes.append("state")
        if self.dry_run:
            return self.run.as_dict()
        conf = self.ctx.confluence
        if body != r.body:
            conf.update_body(self.page_id, title=str(r.page.get("title") or ""), body=body, version=r.version,
                             message="Debrief: review")
        if add:
            conf.add_labels(self.page_id, add)
        for label in remove:
            conf.remove_label(self.page_id, label)
        if changed_state:
            conf.put_state(self.page_id, state.to_dict(), r.state_version)
        if self.run.writes:
            log.info("page %s review: %s (%s)", self.page_id, "; ".join(self.run.writes), self.run.status,
                     extra={"page": self.page_id})
        return self.run.as_dict()


def review_page(ctx: JobContext, now: datetime, page_id: str, *, dry_run: bool = False) -> dict:
    """Judge a page's gates and write what changed (see the module's text)."""
    try:
        with page_lock(ctx.redis, page_id):
            for attempt in range(3):
                review = PageReview(ctx, now, page_id, dry_run=dry_run)
                try:
                    return review.once()
                except ConflictError:
                    if attempt == 2:
                        raise
                    log.info("page %s changed while it was reviewed; reviewing again", page_id)
    except StorageFormatError as exc:
        log.error("page %s is not storage format Debrief can read: %s", page_id, exc, extra={"page": page_id})
        return {"page": page_id, "skipped": f"unreadable page: {exc}"}
    return {"page": page_id}


def page_duty(ctx: JobContext, now: datetime, page_id: str, state: PageState) -> dict:
    """The review duty of a changed page (jobs/pages.py PAGE_DUTIES, after the action items)."""
    return review_page(ctx, now, page_id)


def open_pages(ctx: JobContext) -> list[tuple[dict, PageState]]:
    """Postmortem pages in the drafts space Debrief keeps and has not archived (from the
    sweep's snapshot during a sweep: no read of its own)."""
    from jobs import sweep_snapshot  # noqa: PLC0415

    snap = sweep_snapshot.current()
    out = []
    pages = snap.pages if snap is not None else ctx.confluence.labelled_pages(
        [POSTMORTEM_LABEL], [ctx.settings.confluence.drafts.space])
    for page in pages:
        if snap is not None and str(page["id"]) in snap.touched:  # written to in this sweep: read again
            stored = ctx.confluence.get_state(str(page["id"]))
        else:
            stored = ctx.confluence.state_of(page)
        state = PageState.from_dict(stored[0]) if stored else None
        if state is not None and state.incident and state.status != ARCHIVED:
            out.append((page, state))
    return out


class ReviewPages:
    """Every open draft's gates, comments and status, as a page event would (for Cloud, where
    page and comment events do not reach Debrief)."""

    name = "review"

    def plan(self, ctx: JobContext, now: datetime) -> list:
        from jobs import sweep_snapshot  # noqa: PLC0415

        steps = []
        pages = (page for page, _state in open_pages(ctx))
        for page in sweep_snapshot.pages_to_check(ctx, self.name, pages):
            page_id = str(page["id"])
            try:
                seen = review_page(ctx, now, page_id, dry_run=True)
            except AtlassianError as exc:
                log.warning("sweep: review of page %s not checked: %s", page_id, exc)
                continue
            if seen.get("skipped") or not (seen.get("writes") or seen.get("mailed")):
                if not seen.get("skipped"):
                    sweep_snapshot.nothing_to_do(ctx, self.name, page)
                continue
            steps.append(Step(self.name, f"review page {page_id} ({seen.get('status')}): "
                              + "; ".join([*seen.get("writes", []), *seen.get("mailed", [])]), page_id))
        return steps

    def apply(self, ctx: JobContext, now: datetime, step) -> str:
        try:
            result = review_page(ctx, now, step.data)
        except ConflictError as exc:
            return f"changed meanwhile, next sweep: {exc}"
        done = result.get("writes") or []
        if result.get("mailed"):
            done = [*done, f"e-mailed {', '.join(result['mailed'])}"]
        return "; ".join(done) or "nothing differed"


def unknown_reviewers(settings, env) -> list[str]:
    """``debrief check-config``: the configured reviewers (and escalation people) Jira does not
    know, when the environment names a site; [] without one. Never raises: a site that cannot be
    asked is one line saying so."""
    if env.atlassian is None:
        return []
    from connector.clients import jira_client  # noqa: PLC0415
    from connector.jira import JiraGateway  # noqa: PLC0415

    cloud = env.atlassian.deployment == "cloud"
    jira = JiraGateway(jira_client(env.atlassian), cloud=cloud)
    problems = []
    people = [("review.reviewers", p) for p in settings.review.reviewers]
    people += [("review.reminders.escalate_to", p) for p in settings.review.reminders.escalate_to if "@" not in p]
    for where, who in people:
        try:
            user = jira.user(account_id=who) if cloud else jira.user(username=who)
        except AtlassianError as exc:
            return [f"{where}: could not ask Jira about {who!r}: {exc}"]
        if not user or user.get("active") is False:
            kind = "account id" if cloud else "username"
            problems.append(f"{where}: {who!r} is not an active Jira user ({kind} expected)")
    return problems
