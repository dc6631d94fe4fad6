"""Archiving an approved postmortem: pure decisions, no I/O.

The archive job reads where a page is and what it carries, and asks this module what to do:

- ``readiness``: may the page be archived (every configured gate passes and it is approved),
  or why not (failing gates; a person set its status back by hand);
- ``placement``: is the page where the archive puts it, already moved there, or somewhere a
  person put it (then it is left there);
- ``period_of``: the period parent page ("2026 Q4", "2026" or none) and the year and quarter
  labels, from when the incident started, in the configured timezone;
- ``archive_labels``/``restriction_change``/``status_edit``/``archived_state``: each write the
  archive makes, only when it would change something (check-then-do, so a run interrupted
  anywhere is finished by the next one without repeating a write);
- ``index_region``: the archive index (a Page Properties Report plus label searches per
  service and per quarter) as storage format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from postmortem.action_items.record import ItemsState
from postmortem.incident import Incident
from postmortem.messages import message
from postmortem.page import Edit, Page
from postmortem.page_context import POSTMORTEM_LABEL, STATUS_COLOURS, label_slug
from postmortem.page_state import LabelChange, PageState, iso, label_change

ARCHIVED = "archived"
APPROVED = "approved"
ARCHIVED_LABEL = "postmortem-archived"
PERIOD_LABEL = "postmortem-period"  # on the period parent pages Debrief creates
INDEX_REGION = "archive-index"
STATE_KEY = "archive"
STATUS_LABELS = ("postmortem-draft", "postmortem-in-review", "postmortem-approved", ARCHIVED_LABEL)
INDEX_HEADINGS = ("Incident", "Severity", "Service", "Started", "Duration", "Owner", "Trigger")


def normal_status(status: str) -> str:
    """``IN REVIEW`` / ``in review`` / ``in-review`` -> ``in-review``."""
    return "-".join((status or "").strip().lower().replace("_", " ").split())


# --- may it be archived? ---------------------------------------------------------------------
@dataclass(frozen=True)
class Readiness:
    ready: bool
    failing: tuple[tuple[str, str], ...] = ()  # (gate, reason) of each gate that does not pass
    reopened: str = ""  # the status a person set back by hand ("" if none)
    tickets_due: int = 0  # rows whose tickets are made on approval and are not made yet

    def reason(self, language: str) -> str:
        if self.ready:
            return ""
        if self.reopened:
            return message(language, "archive.held.reopened", status=self.reopened)
        if self.tickets_due:
            return message(language, "archive.held.tickets", count=self.tickets_due)
        gates = "; ".join(f"{g} ({r})" if r else g for g, r in self.failing)
        return message(language, "archive.held.gates", gates=gates or "-")


def readiness(state: PageState, gates: Iterable[str], labels_on_page: Iterable[str]) -> Readiness:
    """Archivable when the state says approved (or archived: a run to finish) and every
    configured gate recorded ``ok``; a status label a person put back (``postmortem-draft``
    or ``postmortem-in-review`` that Debrief did not set, or ``postmortem-approved`` that
    Debrief set and a person removed) is their choice, and holds it."""
    on_page = set(labels_on_page)
    status = normal_status(state.status)
    ours = set(state.labels)
    if status == ARCHIVED:
        if ARCHIVED_LABEL in ours and ARCHIVED_LABEL not in on_page:
            back = next((label for label in STATUS_LABELS[:3] if label in on_page), "")
            if back:
                return Readiness(False, reopened=back.removeprefix("postmortem-"))
        return Readiness(True)
    by_hand = [label for label in STATUS_LABELS[:2] if label in on_page and label not in ours]
    if status == APPROVED and by_hand:
        return Readiness(False, reopened=by_hand[0].removeprefix("postmortem-"))
    recorded = state.extra.get("gates")
    recorded = recorded if isinstance(recorded, Mapping) else {}
    failing = []
    for gate in gates:
        result = recorded.get(gate)
        if not isinstance(result, Mapping):
            failing.append((gate, "not checked yet"))
        elif result.get("ok") is not True:
            failing.append((gate, str(result.get("reason") or "")))
    if status != APPROVED and not failing:
        failing.append(("approved", f"the status is {state.status or 'draft'}"))
    waiting = ItemsState.of(state.extra).waiting  # ``create: on_approval``: made by the next action-item run
    if not failing and waiting:
        return Readiness(False, tickets_due=len(waiting))
    return Readiness(not failing, tuple(failing))


# --- where does it go? -----------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    title: str | None  # the period parent page's title; None: straight under the archive root
    labels: tuple[str, ...]  # year and quarter labels ("2026", "2026-q4")


def period_of(when: datetime | None, group_by: str, timezone: str) -> Period:
    if when is None:
        return Period(None, ())
    local = when.astimezone(ZoneInfo(timezone)) if when.tzinfo else when
    quarter = (local.month - 1) // 3 + 1
    labels = (str(local.year), f"{local.year}-q{quarter}")
    title = {"quarter": f"{local.year} Q{quarter}", "year": str(local.year)}.get(group_by)
    return Period(title, labels)


def incident_moment(incident: Incident | None, state: PageState) -> datetime | None:
    """When the incident happened: its start, else detection, resolution, creation; without
    the incident (deleted in Jira), when its page was created."""
    if incident is not None:
        for moment in (incident.started, incident.detected, incident.resolved, incident.created):
            if moment is not None:
                return moment
    try:
        return datetime.fromisoformat(state.created) if state.created else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Placement:
    action: str  # "move" (to target), "stay" (in the archive already), "elsewhere" (a person put it there)
    space: str  # the space it is in now


def placement(space_now: str, *, drafts_space: str, archive_space: str) -> Placement:
    """A page in the drafts space moves; in the archive space it stays (moved by an earlier
    run, or by a person: never moved twice); anywhere else a person put it, and it is left."""
    if space_now == archive_space:
        return Placement("stay", space_now)
    if space_now == drafts_space:
        return Placement("move", space_now)
    return Placement("elsewhere", space_now)


# --- the writes ------------------------------------------------------------------------------
def archive_labels(state: PageState, incident: Incident | None, configured: Iterable[str],
                   on_page: Iterable[str], period: Period) -> LabelChange:
    """Labels of an archived page: ``postmortem-archived`` and the period's, severity, service
    (from the incident; without it, the page keeps the ones it has) and the draft labels
    Debrief set removed, through the page state's label computation."""
    archived = archive_record(state) | {"labels": list(period.labels)}
    state = state.with_extra(**{STATE_KEY: archived})
    if incident is not None:
        return label_change(state, incident, configured, on_page, status=ARCHIVED)
    present = set(on_page)
    wanted = [ARCHIVED_LABEL, *period.labels]
    add = tuple(label for label in wanted if label not in present)
    remove = tuple(label for label in STATUS_LABELS[:3] if label in present and label in state.labels)
    ours = tuple(dict.fromkeys([*(label for label in state.labels if label not in remove), *add]))
    return LabelChange(add, remove, ours)


def restriction_change(current: tuple[tuple[str, ...], tuple[str, ...]], users: Iterable[str],
                       groups: Iterable[str], me: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The edit restriction to write (users, groups), Debrief's own account always among the
    users; None when there is nothing to restrict or the page is restricted so already."""
    users, groups = tuple(users), tuple(groups)
    if not users and not groups:
        return None
    wanted_users = tuple(dict.fromkeys([me, *users]))
    wanted = (wanted_users, tuple(dict.fromkeys(groups)))
    if set(current[0]) == set(wanted[0]) and set(current[1]) == set(wanted[1]):
        return None
    return wanted


def status_lozenge(status: str = "ARCHIVED") -> str:
    return ('<ac:structured-macro ac:name="status" ac:schema-version="1">'
            f'<ac:parameter ac:name="colour">{escape(STATUS_COLOURS.get(status, "Grey"))}</ac:parameter>'
            f'<ac:parameter ac:name="title">{escape(status)}</ac:parameter></ac:structured-macro>')


def status_edit(page: Page) -> Edit | None:
    """Splice the Page Properties Status cell to ARCHIVED; None when it shows that already or
    the page has no Status row (people removed it: nothing to write)."""
    prop = page.properties.get("status")
    if prop is None:
        return None
    if tuple(s.upper() for s in prop.cell.statuses) == ("ARCHIVED",):
        return None
    xml = status_lozenge()
    if page.body[prop.cell.inner[0]:prop.cell.inner[1]].lstrip().startswith("<p"):
        xml = f"<p>{xml}</p>"
    return page.replace_property("status", xml)


def archive_record(state: PageState) -> dict:
    record = state.extra.get(STATE_KEY)
    return dict(record) if isinstance(record, Mapping) else {}


def held_state(state: PageState, reason: str) -> PageState:
    """The state with why the page is not archived (empty reason: nothing holds it)."""
    record = {k: v for k, v in archive_record(state).items() if k != "held"}
    if reason:
        record["held"] = reason
    return state.with_extra(**{STATE_KEY: record})


def archived_state(state: PageState, *, now: datetime, space: str, parent: str | None, period: Period,
                   url: str, title: str, labels: LabelChange | None = None, link_written: bool = False,
                   complete: bool = False, restricted: bool = False, incident_missing: bool = False) -> PageState:
    record = {k: v for k, v in archive_record(state).items() if k != "held"}
    record.setdefault("at", iso(now))
    record.update({"space": space, "parent": parent, "period": period.title, "labels": list(period.labels),
                   "url": url, "complete": complete, "restricted": restricted})
    if incident_missing:
        record["incident_missing"] = True
    values = {"status": ARCHIVED, "extra": {**state.extra, STATE_KEY: record}}
    if labels is not None:
        values["labels"] = labels.debrief_labels
    if link_written:
        values["link"] = {"url": url, "title": title}
    return PageState.from_dict({**state.to_dict(), **{k: v for k, v in values.items() if k != "extra"},
                                **values["extra"]})


def is_complete(state: PageState) -> bool:
    return normal_status(state.status) == ARCHIVED and archive_record(state).get("complete") is True


# --- the index -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Archived:
    """An archived postmortem as the index lists it."""

    incident: str
    labels: tuple[str, ...]


def _label_search(base_url: str, space: str, labels: Iterable[str]) -> str:
    cql = f'space = "{space}" and ' + " and ".join(f'label = "{label}"' for label in labels)
    return f"{base_url}/dosearchsite.action?cql={quote(cql)}"


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url, {chr(34): "&quot;"})}">{escape(text)}</a>'


def index_region(*, language: str, space: str, base_url: str, archived: Iterable[Archived],
                 service_labels: Iterable[str]) -> str:
    """The index's content: a Page Properties Report of every postmortem in the archive
    (newest first), then one line per service and per quarter, each a label search, so
    "every checkout outage this year" is two clicks away."""
    archived = list(archived)
    cql = f'space = "{space}" and label = "{POSTMORTEM_LABEL}"'
    report = ('<ac:structured-macro ac:name="detailssummary" ac:schema-version="2">'
              f'<ac:parameter ac:name="cql">{escape(cql)}</ac:parameter>'
              f'<ac:parameter ac:name="headings">{escape(",".join(INDEX_HEADINGS))}</ac:parameter>'
              '<ac:parameter ac:name="firstcolumn">Postmortem</ac:parameter>'
              '<ac:parameter ac:name="sortBy">Started</ac:parameter>'
              '<ac:parameter ac:name="reverseSort">true</ac:parameter>'
              '<ac:parameter ac:name="pageSize">50</ac:parameter></ac:structured-macro>')
    services = {label_slug(s) for s in service_labels if label_slug(s)}
    by_service: dict[str, int] = {}
    by_quarter: dict[str, int] = {}
    years: set[str] = set()
    for item in archived:
        for label in item.labels:
            if label in services:
                by_service[label] = by_service.get(label, 0) + 1
            if len(label) == 7 and label[:4].isdigit() and label[4:6] == "-q":
                by_quarter[label] = by_quarter.get(label, 0) + 1
                years.add(label[:4])
    parts = [f"<h2>{escape(message(language, 'archive.index.all'))}</h2>", report]
    if by_service:
        lines = []
        for service in sorted(by_service):
            year_links = " ".join(_link(_label_search(base_url, space, [POSTMORTEM_LABEL, service, y]), y)
                                  for y in sorted(years, reverse=True))
            lines.append(f"<li>{_link(_label_search(base_url, space, [POSTMORTEM_LABEL, service]), service)} "
                         f"({by_service[service]}){' — ' + year_links if year_links else ''}</li>")
        parts.append(f"<h2>{escape(message(language, 'archive.index.by_service'))}</h2><ul>{''.join(lines)}</ul>")
    if by_quarter:
        lines = [f"<li>{_link(_label_search(base_url, space, [POSTMORTEM_LABEL, q]), q.replace('-q', ' Q'))} "
                 f"({by_quarter[q]})</li>" for q in sorted(by_quarter, reverse=True)]
        parts.append(f"<h2>{escape(message(language, 'archive.index.by_quarter'))}</h2><ul>{''.join(lines)}</ul>")
    return "".join(parts)
