"""Archiving approved postmortems: move, label, lock, link, announce; and the archive index.

Each step checks before it writes (where is the page now, which labels, lozenge, restriction,
link and comment does it have), so a run that dies anywhere, or meets an outage or a 409, is
finished by the next run (the sweep's, or the next page event's) without a second copy, a
second move or a second comment. Decisions are in ``postmortem.archive``; this module reads,
asks, and writes.

Order: period parent page (found or created) -> move (Cloud REST v1 / Data Center
movepage.action) -> state says archived -> status lozenge -> labels -> edit restriction ->
incident's remote link -> comment on the incident -> state complete -> index.
A page that cannot be archived is left where it is with the reason on its review panel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from connector.errors import (
    AtlassianError,
    ConflictError,
    PermanentAtlassianError,
    TransientAtlassianError,
)
from jobqueue.queue import PREFIX
from jobs.context import JobContext
from jobs.draft import remote_link_id
from jobs.entry import entry_point
from jobs.incidents import load_incident
from jobs.locks import page_lock
from jobs.steps import Step
from jobs.versioned import read_plan_apply
from postmortem import archive as plan
from postmortem.incident import Incident
from postmortem.messages import message
from postmortem.page import apply_edits, parse_page, plain_text, region_xml
from postmortem.page.markers import REVIEW_REGION
from postmortem.page_context import POSTMORTEM_LABEL, label_slug
from postmortem.page_state import PageState
from postmortem.review_panel import panel_for_state, render_panel
from postmortem.storage_format import StorageFormatError

log = logging.getLogger("debrief.jobs.archive")
# Pages whose archiving has started and is not complete (the sweep finishes them without
# searching the archive space), and whether the index must be written again.
UNFINISHED = f"{PREFIX}:archive:unfinished"
INDEX_STALE = f"{PREFIX}:archive:index-stale"


@dataclass
class ArchiveRun:
    page: str
    incident: str = ""
    outcome: str = ""  # archived | done | held | left | skipped | would archive
    reason: str = ""
    url: str = ""
    writes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"page": self.page, "incident": self.incident, "outcome": self.outcome, "reason": self.reason,
                "url": self.url, "writes": list(self.writes)}


class Archiver:
    def __init__(self, ctx: JobContext, now: datetime, page_id: str, *, dry_run: bool = False):
        self.ctx, self.now, self.page_id, self.dry_run = ctx, now, str(page_id), dry_run
        self.conf = ctx.confluence
        self.settings = ctx.settings
        self.archive = ctx.settings.confluence.archive
        self.run = ArchiveRun(self.page_id)

    # reading -----------------------------------------------------------------------------
    def read_state(self) -> tuple[PageState | None, int | None]:
        stored = self.conf.get_state(self.page_id)
        return (PageState.from_dict(stored[0]), stored[1]) if stored else (None, None)

    def language(self, state: PageState) -> str:
        return state.language if state.language in ("en", "ko") else self.settings.language

    def incident(self, key: str) -> Incident | None:
        try:
            return load_incident(self.ctx.jira, self.settings, key)
        except PermanentAtlassianError as exc:
            if exc.status == 404:
                log.warning("page %s: incident %s is gone from Jira; archiving without it", self.page_id, key)
                return None
            raise

    # the run -----------------------------------------------------------------------------
    def go(self) -> dict:
        place = self.conf.page_place(self.page_id)
        labels = self.conf.page_labels_of(place)
        state, _version = self.read_state()
        if state is None or not state.incident or POSTMORTEM_LABEL not in labels:
            self.run.outcome, self.run.reason = "skipped", "not a postmortem page Debrief keeps"
            return self.run.as_dict()
        self.run.incident = state.incident
        lang = self.language(state)
        space_now = str((place.get("space") or {}).get("key") or "")
        ready = plan.readiness(state, self.settings.review.gates, labels)
        if plan.is_complete(state) and space_now == self.archive.space and ready.ready:
            self.run.outcome, self.run.url = "done", self.conf.web_url(place)
            return self.run.as_dict()
        if not ready.ready:  # failing gates are the review panel's own lines: only a person's choice is noted
            return self.hold(ready.reason(lang), "left" if ready.reopened else "held", record=bool(ready.reopened))
        where = plan.placement(space_now, drafts_space=self.settings.confluence.drafts.space,
                               archive_space=self.archive.space)
        if where.action == "elsewhere":
            return self.hold(message(lang, "archive.held.elsewhere", space=where.space), "left")
        incident = self.incident(state.incident)
        record = plan.archive_record(state)
        if record.get("labels") or record.get("period"):
            period = plan.Period(record.get("period"), tuple(record.get("labels") or ()))
        else:
            period = plan.period_of(plan.incident_moment(incident, state), self.archive.group_by,
                                    self.settings.timezone)
        try:
            if where.action == "move":
                parent = self.period_parent(period, lang)
                if parent is None:  # held (or dry run said what it would do)
                    return self.run.as_dict()
                place = self.move(place, parent)
                if self.dry_run:
                    self.run.outcome = "would archive"
                    return self.run.as_dict()
            elif self.dry_run:
                self.run.writes.append("finish archiving (status, labels, restriction, link, comment)")
                self.run.outcome = "would archive"
                return self.run.as_dict()
            self.finish(place, incident, period, lang)
        except PermanentAtlassianError as exc:
            if exc.status == 403:
                return self.hold(message(lang, "archive.held.forbidden", what=exc.operation or "write",
                                         reason=_short(exc)), "held")
            raise
        return self.run.as_dict()

    def period_parent(self, period: plan.Period, lang: str) -> str | None:
        """The page the archived page goes under: the period page (found by title in the archive
        space, or created under the archive root), or the root itself when not grouped."""
        space = self.archive.space
        root = self.conf.page_id_by_title(space, self.archive.parent) if self.archive.parent else None
        root = root or self.conf.space_home_id(space)
        if not period.title:
            return root
        found = self.conf.page_by_title(space, period.title)
        if found is not None:
            return str(found["id"])
        if self.dry_run:
            self.run.writes.append(f"create the period page {period.title!r} in {space}")
            self.run.writes.append(f"move the page to {space} under {period.title!r}")
            self.run.outcome = "would archive"
            return None
        body = f"<p>{message(lang, 'archive.index.title')}: {period.title}</p>"
        body = ('<ac:structured-macro ac:name="children" ac:schema-version="2">'
                '<ac:parameter ac:name="sort">title</ac:parameter></ac:structured-macro>' + body)
        try:
            page = self.conf.create_page(space=space, title=period.title, body=body, parent_id=root,
                                         labels=[plan.PERIOD_LABEL], mine=lambda p: True)
        except PermanentAtlassianError as exc:
            self.hold(message(lang, "archive.held.no_parent", title=period.title, space=space, reason=_short(exc)),
                      "held")
            return None
        self.run.writes.append(f"create the period page {period.title!r}")
        return str(page["id"])

    def move(self, place: dict, parent: str) -> dict:
        if self.dry_run:
            self.run.writes.append(f"move the page to {self.archive.space} under page {parent}")
            return place
        self.ctx.redis.sadd(UNFINISHED, self.page_id)  # before the move: a lost answer is still finished
        try:
            self.conf.move_page(self.page_id, target_id=parent, space=self.archive.space)
        except ConflictError as exc:  # never resent blindly: the next run looks where the page is
            raise TransientAtlassianError(f"move of page {self.page_id} met a conflict: {exc}", status=409,
                                          operation="move") from exc
        moved = self.conf.page_place(self.page_id)
        if str((moved.get("space") or {}).get("key")) != self.archive.space:
            raise TransientAtlassianError(f"page {self.page_id} is not in {self.archive.space} after the move",
                                          operation="move")
        self.run.writes.append(f"move the page to {self.archive.space} under page {parent}")
        log.info("moved page %s to %s under %s", self.page_id, self.archive.space, parent,
                 extra={"page": self.page_id})
        return moved

    def finish(self, place: dict, incident: Incident | None, period: plan.Period, lang: str) -> None:
        url, title = self.conf.web_url(place), place.get("title") or ""
        self.run.url = url
        parent = str(((place.get("ancestors") or [{}])[-1]).get("id") or "") or None
        common = {"now": self.now, "space": self.archive.space, "parent": parent, "period": period, "url": url,
                  "title": title, "incident_missing": incident is None}
        # 1. the state says archived (a later run finishes from here, never moves again)
        self.write_state(lambda s: plan.archived_state(s, **common, complete=False))
        # 2. the status lozenge (and the review panel without a hold reason)
        self.write_body()
        # 3. labels
        state, _ = self.read_state()
        on_page = self.conf.page_labels(self.page_id)
        change = plan.archive_labels(state, incident, self.settings.confluence.labels, on_page, period)
        if change.add:
            self.conf.add_labels(self.page_id, list(change.add))
        for label in change.remove:
            self.conf.remove_label(self.page_id, label)
        self.run.writes += [f"add label {x}" for x in change.add] + [f"remove label {x}" for x in change.remove]
        # 4. the edit restriction
        restricted = False
        if self.archive.restricted:
            me = self.conf.current_user()
            wanted = plan.restriction_change(self.conf.edit_restriction(self.page_id), self.archive.restrict_users,
                                             self.archive.restrict_groups, me)
            if wanted is not None:
                self.conf.restrict_edit(self.page_id, users=wanted[0], groups=wanted[1])
                self.run.writes.append("restrict editing to " + ", ".join([*wanted[0], *wanted[1]]))
            restricted = True
        # 5. the incident: link and comment
        if incident is not None:
            if dict(state.link).get("url") != url:
                self.ctx.jira.upsert_remote_link(incident.key, url=url, title=title,
                                                 global_id=remote_link_id(incident.key),
                                                 summary=f"Postmortem of {incident.key}")
                self.run.writes.append(f"link the incident to {url}")
            if not plan.archive_record(state).get("commented"):
                text = message(lang, "jira.archived_comment", key=incident.key, title=title, url=url)
                self.ctx.jira.add_comment(incident.key, text, marker=text)
                self.run.writes.append("comment on the incident")
        else:
            self.run.reason = message(lang, "archive.incident_missing", key=self.run.incident)

        # 6. the state is complete
        def final(s: PageState) -> PageState:
            done = plan.archived_state(s, **common, labels=change, link_written=incident is not None,
                                       complete=True, restricted=restricted)
            record = plan.archive_record(done) | ({"commented": True} if incident is not None else {})
            if incident is not None:
                record["services"] = [label_slug(x) for x in (incident.service or "").split(",") if label_slug(x)]
            return done.with_extra(**{plan.STATE_KEY: record})
        self.write_state(final)
        self.ctx.redis.set(INDEX_STALE, "1")
        self.ctx.redis.srem(UNFINISHED, self.page_id)
        self.run.outcome = "archived"
        log.info("archived page %s of %s at %s", self.page_id, self.run.incident, url, extra={"page": self.page_id})

    # writing -----------------------------------------------------------------------------
    def write_state(self, change) -> None:
        def plan_state(current: tuple[PageState | None, int | None]):
            state, _version = current
            if state is None:
                raise PermanentAtlassianError(f"the state of page {self.page_id} is gone", operation="archive")
            after = change(state)
            return None if after.same_content(state) else after

        def apply(current, after: PageState) -> None:
            self.conf.put_state(self.page_id, after.to_dict(), current[1])
            self.run.writes.append("write the page state")

        read_plan_apply(self.read_state, plan_state, apply, what=f"archive state of page {self.page_id}")

    def write_body(self, *, lozenge: bool = True) -> None:
        """Splice the status lozenge (when ``lozenge``) and the review panel from the state."""
        def read():
            page = self.conf.page_with_body(self.page_id)
            state, _ = self.read_state()
            return page, state

        def edits(current):
            page, state = current
            body = page["body"]["storage"]["value"]
            try:
                parsed = parse_page(body)
            except StorageFormatError as exc:
                log.warning("page %s: not storage format Debrief can read (%s); body left as it is", self.page_id, exc)
                return None
            changes = []
            if lozenge:
                edit = plan.status_edit(parsed)
                if edit is not None:
                    changes.append(edit)
            panel = self.panel_edit(parsed, body, state)
            if panel is not None:
                changes.append(panel)
            return apply_edits(body, changes) if changes else None

        def apply(current, body: str) -> None:
            page, _ = current
            self.conf.update_body(self.page_id, title=page["title"], body=body, version=page["version"]["number"],
                                  message="Debrief: archive")
            self.run.writes.append("splice the page (status, review panel)")

        read_plan_apply(read, edits, apply, what=f"archive edits of page {self.page_id}")

    def panel_edit(self, parsed, body: str, state: PageState | None):
        if state is None:
            return None
        lang = self.language(state)
        xml = render_panel(panel_for_state(state), lang)
        region = parsed.regions.get(REVIEW_REGION)
        if region is not None:
            if plain_text(body[region.inner[0]:region.inner[1]]) == plain_text(xml):
                return None
            return parsed.replace_region(REVIEW_REGION, xml)
        if not plan.archive_record(state).get("held"):
            return None
        return parsed.insert_after_properties(region_xml(REVIEW_REGION, message(lang, "review.title"), xml))

    def hold(self, reason: str, outcome: str, *, record: bool = True) -> dict:
        """Leave the page where it is, with ``reason`` in its state and on its review panel
        (written only when the reason changed; not at all without ``record``)."""
        self.run.outcome, self.run.reason = outcome, reason
        state, _ = self.read_state()
        if not record or self.dry_run or state is None or plan.archive_record(state).get("held") == reason:
            return self.run.as_dict()
        try:
            self.write_state(lambda s: plan.held_state(s, reason))
            self.write_body(lozenge=False)
        except PermanentAtlassianError as exc:  # e.g. a page people restricted: the reason stays in the log
            log.warning("page %s: could not record why it is not archived (%s): %s", self.page_id, exc, reason)
        log.info("page %s not archived: %s", self.page_id, reason, extra={"page": self.page_id})
        return self.run.as_dict()


def _short(exc: AtlassianError) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:297] + "..."


def archive_page(ctx: JobContext, now: datetime, page_id: str, *, dry_run: bool = False) -> dict:
    """Archive one page when it may be archived (see the module's text); else say why not."""
    with page_lock(ctx.redis, str(page_id)):
        result = Archiver(ctx, now, page_id, dry_run=dry_run).go()
    if result["outcome"] == "archived" and not dry_run:
        result["index"] = refresh_index(ctx, now)
    elif result["outcome"] in ("done", "skipped", "left") and not dry_run:
        ctx.redis.srem(UNFINISHED, str(page_id))
    return result


archive_job = entry_point(archive_page)


def page_duty(ctx: JobContext, now: datetime, page_id: str, state: PageState) -> dict:
    """The archive duty of a changed page (jobs/pages.py PAGE_DUTIES): the event that made
    the last gate pass archives the page."""
    stored = ctx.confluence.get_state(page_id)  # the duties before this one (review) may have approved it
    state = PageState.from_dict(stored[0]) if stored else state
    if plan.is_complete(state) or plan.normal_status(state.status) not in (plan.APPROVED, plan.ARCHIVED):
        return {"page": page_id, "outcome": "skipped", "reason": f"status {state.status}"}
    return archive_page(ctx, now, page_id)


# --- the index ----------------------------------------------------------------------------
def refresh_index(ctx: JobContext, now: datetime, *, dry_run: bool = False) -> str:
    """Write the archive index (Debrief's region on the index page) when its content changed."""
    conf, archive = ctx.confluence, ctx.settings.confluence.archive
    lang = ctx.settings.language
    archived = []
    services: set[str] = set()
    for page in conf.labelled_pages([POSTMORTEM_LABEL, plan.ARCHIVED_LABEL], [archive.space]):
        labels = tuple(conf.page_labels_of(page))
        stored = conf.state_of(page)
        state = PageState.from_dict(stored[0]) if stored else None
        archived.append(plan.Archived(state.incident if state else "", labels))
        recorded = plan.archive_record(state).get("services") if state else None
        services.update(recorded if isinstance(recorded, list) else _service_labels(labels))
    xml = plan.index_region(language=lang, space=archive.space, base_url=conf.base_url, archived=archived,
                            service_labels=services)
    title = archive.index_title
    if title:
        found = conf.page_by_title(archive.space, title)
        if found is None:
            if dry_run:
                return f"would create the index page {title!r}"
            body = region_xml(plan.INDEX_REGION, message(lang, "archive.index.title"), xml, macro="panel")
            conf.create_page(space=archive.space, title=title, body=body, parent_id=conf.space_home_id(archive.space),
                             labels=["postmortem-index"], mine=lambda p: True)
            return f"created the index page {title!r}"
        page_id = str(found["id"])
    else:
        page_id = conf.space_home_id(archive.space)
    page = conf.page_with_body(page_id)
    body = page["body"]["storage"]["value"]
    parsed = parse_page(body)
    if plan.INDEX_REGION in parsed.regions:
        new = apply_edits(body, [parsed.replace_region(plan.INDEX_REGION, xml)])
    else:
        new = body + region_xml(plan.INDEX_REGION, message(lang, "archive.index.title"), xml, macro="panel")
    if new == body:
        if not dry_run:
            ctx.redis.delete(INDEX_STALE)
        return "index unchanged"
    if dry_run:
        return f"would update the index on page {page_id}"
    try:
        conf.update_body(page_id, title=page["title"], body=new, version=page["version"]["number"],
                         message="Debrief: archive index")
    except ConflictError:
        return "index changed meanwhile; the next sweep writes it"
    ctx.redis.delete(INDEX_STALE)
    return f"updated the index on page {page_id}"


def _service_labels(labels: tuple[str, ...]) -> list[str]:
    """Labels that are neither Debrief's fixed ones, the key, severity nor period: services."""
    fixed = {POSTMORTEM_LABEL, *plan.STATUS_LABELS}
    out = []
    for label in labels:
        if label in fixed or label.startswith("sev-") or label[:4].isdigit():
            continue
        if "-" in label and label.rsplit("-", 1)[1].isdigit():  # an incident key (inc-7)
            continue
        out.append(label)
    return out


# --- the sweep ----------------------------------------------------------------------------
class ArchiveApproved:
    """Approved pages in the drafts space, and archived pages whose archiving is unfinished:
    archive them (or finish). The plan reads only; apply runs the archive."""

    name = "archive"

    def plan(self, ctx: JobContext, now: datetime) -> list:
        from jobs import sweep_snapshot  # noqa: PLC0415

        steps = []
        snap = sweep_snapshot.current()
        drafts = ctx.settings.confluence.drafts.space
        listed = snap.pages if snap is not None else ctx.confluence.labelled_pages([POSTMORTEM_LABEL], [drafts])
        candidates: dict[str, dict | None] = {str(page["id"]): page for page in listed}
        for member in sorted(ctx.redis.smembers(UNFINISHED)):
            candidates.setdefault(member.decode() if isinstance(member, bytes) else str(member), None)
        for page_id, page in candidates.items():
            fresh = page is None or (snap is not None and page_id in snap.touched)  # written to in this sweep
            stored = ctx.confluence.get_state(page_id) if fresh else ctx.confluence.state_of(page)
            state = PageState.from_dict(stored[0]) if stored else None
            if state is None or not state.incident or plan.is_complete(state):
                continue
            status = plan.normal_status(state.status)
            if status not in (plan.APPROVED, plan.ARCHIVED):
                continue
            quiet = snap is not None and page is not None
            if quiet and snap.unchanged(ctx, self.name, page):
                continue  # held before, and nothing moved since
            try:
                seen = archive_page(ctx, now, page_id, dry_run=True)
            except AtlassianError as exc:
                log.warning("sweep: page %s not checked for the archive: %s", page_id, exc)
                continue
            if seen["outcome"] != "would archive":
                if seen["outcome"] in ("held", "left") and seen["reason"] != plan.archive_record(state).get("held"):
                    steps.append(Step(self.name, f"page {page_id} of {state.incident}: not archived: {seen['reason']}",
                                      page_id))
                elif quiet:
                    snap.nothing_to_do(ctx, self.name, page)
                continue
            steps.append(Step(self.name, f"page {page_id} of {state.incident}: " + "; ".join(seen["writes"]), page_id))
        if ctx.redis.get(INDEX_STALE):  # an archive run could not write the index
            index = refresh_index(ctx, now, dry_run=True)
            if index.startswith("would"):
                steps.append(Step(self.name, index, None))
        return steps

    def apply(self, ctx: JobContext, now: datetime, step) -> str:
        if step.data is None:
            return refresh_index(ctx, now)
        result = archive_page(ctx, now, step.data)
        return f"{result['outcome']}" + (f": {result['reason']}" if result.get("reason") else "") + (
            f" ({'; '.join(result['writes'])})" if result.get("writes") else "")
