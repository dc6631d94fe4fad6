"""What one sweep knows of the open drafts, read once and handed to every sweep duty.

``SweepSnapshot.take`` makes one CQL search over the drafts space: every postmortem page with
its body, version, labels and ``debrief`` property, the agenda page with its body, and the
comments created or edited in the space since the last sweep (``CHECKED``, widened by the
search lag; without it, the first sweep or a clock gone backwards, every page counts as
commented). Then one JQL search (paged by 100): the ``updated`` time of every incident and
action-item ticket the open drafts name. A change search has not indexed yet shows in a later
sweep's answer, so a lagging search delays a check, it never loses one.

A duty that found nothing to do for a page records that in a memo (``debrief:sweep:quiet:
<page>``, per duty: a digest of what its plan read, and when). A later sweep skips the page
without reading anything more while the digest (page version, state version, labels, its
issues' ``updated`` times, settings, Redis claims, the day) is the same and no comment of the
page changed (a page with a changed comment loses its memos at once, so a sweep that fails
half-way cannot forget it). A memo counts for ``QUIET_FOR``: every page gets a full check on
that slower cadence whatever search said (the safety net for what the digest does not cover:
a deleted comment, a Jira user or priority changed). A page a step of this sweep wrote to is
never taken as unchanged again in the same sweep, and its state is read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.confluence import STATE_PROPERTY, cql_quote
from connector.errors import AtlassianError
from jobqueue.queue import PREFIX
from jobqueue.tickets import claims_key
from jobs.context import JobContext
from jobs.incidents import load_incident
from postmortem.action_items import ItemsState
from postmortem.incident import Incident
from postmortem.page_context import POSTMORTEM_LABEL
from postmortem.page_state import PageState

log = logging.getLogger("debrief.jobs.sweep")
CHECKED = f"{PREFIX}:sweep:checked"
QUIET_FOR = timedelta(hours=6)
AGENDA_LABEL = "debrief-agenda"
KEYS_PER_SEARCH = 200
TICKET_FIELDS = "updated,status,assignee,duedate,project,labels"  # what an action-item row shows of a ticket
_current: ContextVar[SweepSnapshot | None] = ContextVar("sweep_snapshot", default=None)


def current() -> SweepSnapshot | None:
    """The snapshot of the sweep running now, or None outside a sweep."""
    return _current.get()


@contextmanager
def in_sweep(snapshot: SweepSnapshot) -> Iterator[SweepSnapshot]:
    token = _current.set(snapshot)
    try:
        yield snapshot
    finally:
        _current.reset(token)


def _memo_key(page_id: str) -> str:
    """A hash: duty -> ``<digest> <ISO time of the check>``."""
    return f"{PREFIX}:sweep:quiet:{page_id}"


@dataclass
class SweepSnapshot:
    now: datetime
    pages: list[dict[str, Any]] = field(default_factory=list)  # postmortem pages, search order
    agenda: dict[str, Any] | None = None
    commented: set[str] | None = None  # pages with recent comments; None: unknown (all may have)
    issues: dict[str, dict] | None = None  # key -> issue (``TICKET_FIELDS``); None: search failed
    touched: set[str] = field(default_factory=set)  # pages this sweep wrote to
    settings_digest: str = ""
    seen: dict[str, tuple] = field(default_factory=dict)  # page -> (page, state) versions a plan read live
    shared: dict = field(default_factory=dict)  # answers the same for every page (priorities, users), once a sweep

    # reading ---------------------------------------------------------------------------
    @classmethod
    def take(cls, ctx: JobContext, now: datetime) -> SweepSnapshot:
        snap = cls(now, settings_digest=hashlib.sha256(repr(ctx.settings).encode()).hexdigest()[:16])
        clock = datetime.now(UTC)  # Confluence's now() is the wall clock, whatever ``now`` the sweep is for
        minutes = _window_minutes(ctx, clock)
        space = ctx.settings.confluence.drafts.space
        cql = (f"(type = page and space = {cql_quote(space)} and label in "
               f"({cql_quote(POSTMORTEM_LABEL)}, {cql_quote(AGENDA_LABEL)}))")
        if minutes is not None:
            cql += f' or (type = comment and space = {cql_quote(space)} and lastmodified >= now("-{minutes}m"))'
        expand = ("content.body.storage,content.version,content.space,content.metadata.labels,"
                  f"content.metadata.properties.{STATE_PROPERTY},content.container")
        commented: set[str] = set()
        for result in ctx.confluence.search(cql, expand=expand):
            content = result.get("content") or {}
            if not content.get("id"):
                continue
            if content.get("type") == "comment":
                container = str((content.get("container") or {}).get("id") or "")
                if not container:  # a comment whose page is not said: take every page as commented
                    minutes = None
                commented.add(container)
                continue
            labels = ctx.confluence.page_labels_of(content)
            if POSTMORTEM_LABEL in labels:
                snap.pages.append(content)
            elif AGENDA_LABEL in labels and snap.agenda is None:
                snap.agenda = content
        snap.commented = commented if minutes is not None else None
        for page_id in sorted(commented - {""}):  # a later sweep may not see this comment: check in full
            ctx.redis.delete(_memo_key(page_id))
        snap.issues = snap._issues(ctx)
        ctx.redis.set(CHECKED, clock.isoformat())
        return snap

    def _issues(self, ctx: JobContext) -> dict[str, dict] | None:
        keys = sorted({k for page in self.pages for k in self.issue_keys(ctx, page)})
        found: dict[str, dict] = {}
        try:
            for start in range(0, len(keys), KEYS_PER_SEARCH):
                found |= ctx.jira.issues_by_key(keys[start:start + KEYS_PER_SEARCH], TICKET_FIELDS)
        except AtlassianError as exc:  # e.g. a ticket deleted since: Jira refuses the whole query
            log.info("sweep: could not ask Jira when the issues changed (%s); checking every page", exc)
            return None
        return found

    # what duties ask -------------------------------------------------------------------
    def page(self, page_id: str) -> dict | None:
        """The page as the snapshot shows it (body, version, labels, state), or None when it is
        not in it or this sweep wrote to it."""
        if page_id in self.touched:
            return None
        return next((p for p in self.pages if str(p["id"]) == page_id and "body" in p), None)

    def incident(self, ctx: JobContext, key: str) -> Incident:
        """The incident with its history, loaded once a sweep for every duty's plan."""
        if ("incident", key) not in self.shared:
            self.shared[("incident", key)] = load_incident(ctx.jira, ctx.settings, key)
        return self.shared[("incident", key)]

    def issue(self, key: str) -> dict | None:
        """An issue as the sweep's JQL search gave it (``TICKET_FIELDS``), or None."""
        return (self.issues or {}).get(key)

    def state(self, ctx: JobContext, page: dict) -> PageState | None:
        stored = ctx.confluence.state_of(page)
        return PageState.from_dict(stored[0]) if stored else None

    def issue_keys(self, ctx: JobContext, page: dict) -> set[str]:
        """The page's incident and the tickets its state and claims name."""
        state = self.state(ctx, page)
        if state is None or not state.incident:
            return set()
        keys = {state.incident} | {r.key for r in ItemsState.of(state.extra).records if r.key}
        for raw in ctx.redis.hvals(claims_key(str(page["id"]))):
            try:
                key = json.loads(raw).get("key")
            except (ValueError, AttributeError):
                continue
            if key:
                keys.add(str(key))
        return keys

    def digest(self, ctx: JobContext, page: dict, *extra: Any, versions: tuple | None = None) -> str | None:
        """What a duty's plan of ``page`` reads, as one digest; None when the page cannot be
        taken as unchanged (comments moved, an issue search did not return, no window).
        ``versions``: the (page, state) versions the plan read live, or () for a duty that
        reads neither; by default the snapshot's, which a page written to in this sweep lost."""
        page_id = str(page["id"])
        if versions is None and page_id in self.touched:
            return None
        if self.commented is None or self.issues is None or page_id in self.commented:
            return None
        keys = self.issue_keys(ctx, page)
        if not keys <= self.issues.keys():  # an issue Jira's search did not return: check in full
            return None
        issues = sorted((k, str((self.issues[k].get("fields") or {}).get("updated"))) for k in keys)
        props = ((page.get("metadata") or {}).get("properties") or {})
        prop = props.get(STATE_PROPERTY) or {}
        claims = sorted((k.decode() if isinstance(k, bytes) else str(k), v.decode() if isinstance(v, bytes) else str(v))
                        for k, v in ctx.redis.hgetall(claims_key(page_id)).items())
        if versions is None:
            versions = ((page.get("version") or {}).get("number"), (prop.get("version") or {}).get("number"))
        facts = [page_id, list(versions), sorted(ctx.confluence.page_labels_of(page)) if versions else [],
                 issues, claims, self.settings_digest, self.now.date().isoformat(), *extra]
        return hashlib.sha256(json.dumps(facts, default=str, sort_keys=True).encode()).hexdigest()[:32]

    def unchanged(self, ctx: JobContext, duty: str, page: dict, *extra: Any, versions: tuple | None = None) -> bool:
        """Whether ``duty`` found nothing to do for ``page`` when it last looked, and nothing it
        reads moved since."""
        digest = self.digest(ctx, page, *extra, versions=versions)
        if digest is None:
            return False
        seen = ctx.redis.hget(_memo_key(str(page["id"])), duty)
        recorded, _, at = (seen.decode() if isinstance(seen, bytes) else seen or "").partition(" ")
        try:
            fresh = datetime.now(UTC) - datetime.fromisoformat(at) < QUIET_FOR
        except ValueError:
            fresh = False
        return fresh and recorded == digest

    def nothing_to_do(self, ctx: JobContext, duty: str, page: dict, *extra: Any,
                      versions: tuple | None = None) -> None:
        """Record that ``duty`` found nothing to do for ``page`` as the snapshot shows it (or at
        the ``versions`` its plan read live)."""
        if versions is None and str(page["id"]) in self.seen:
            versions = self.seen.pop(str(page["id"]))
        digest = self.digest(ctx, page, *extra, versions=versions)
        if digest is not None:
            key = _memo_key(str(page["id"]))
            pipe = ctx.redis.pipeline()
            pipe.hset(key, duty, f"{digest} {datetime.now(UTC).isoformat()}")
            pipe.expire(key, int(QUIET_FOR.total_seconds()) * 2)  # only for tidiness: each entry says its age
            pipe.execute()


def pages_to_check(ctx: JobContext, duty: str, pages: Iterable[dict]) -> Iterator[dict]:
    """The pages a sweep duty must plan for: every one outside a sweep; inside one, those that moved
    since the duty last had nothing to do for them (their memo is dropped as they are taken)."""
    snap = current()
    for page in pages:
        if snap is not None:
            if snap.unchanged(ctx, duty, page):
                continue
            snap.seen.pop(str(page["id"]), None)
        yield page


def nothing_to_do(ctx: JobContext, duty: str, page: dict) -> None:
    """Remember, for the sweeps to come, that ``duty`` found nothing to do on ``page``."""
    snap = current()
    if snap is not None:
        snap.nothing_to_do(ctx, duty, page)


def _window_minutes(ctx: JobContext, now: datetime) -> int | None:
    """Minutes back (wall clock) to the previous sweep, plus the search lag; None without a
    usable one."""
    raw = ctx.redis.get(CHECKED)
    try:
        last = datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw) if raw else None
    except ValueError:
        last = None
    if last is None or last > now or now - last > QUIET_FOR:
        return None
    lag = ctx.settings.action_items.search_consistency_seconds
    return math.ceil(((now - last).total_seconds() + lag) / 60) + 1
