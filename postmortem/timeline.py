"""The incident's timeline, from the Jira issue: creation, milestones, field changes, comments.

``TimelineEntry.what`` holds the event's details in a language-neutral form (the comment's
first line, ``"Open → In Progress"`` for a change, the summary for the creation); the page
puts it into a sentence of the page's language chosen by ``kind``. Milestones
(started, detected, mitigated, resolved) need no details: their ``what`` is empty.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from postmortem.incident import Change, Incident, Person

COMMENT_MAX_CHARS = 200
NO_VALUE = "—"
ARROW = "→"

# Changelog fields with their own kind, as Jira names them in the changelog.
OWN_KIND_FIELDS = ("status", "priority", "assignee", "labels")
# Other changelog fields worth showing (kind "field"), compared case-insensitively:
# the severity custom field under its usual names, and the resolution.
DEFAULT_EXTRA_FIELDS: tuple[str, ...] = ("severity", "sev", "incident severity", "resolution")

MILESTONES = ("started", "detected", "mitigated", "resolved")
KINDS = ("created", *MILESTONES, *OWN_KIND_FIELDS, "field", "comment")


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    who: Person | None
    kind: str
    what: str


def build_timeline(incident: Incident, *,
                   extra_fields: Collection[str] = DEFAULT_EXTRA_FIELDS) -> list[TimelineEntry]:
    """Every dated event of the incident, oldest first (events at the same time keep the
    order: creation, milestones, changelog, comments).

    ``extra_fields`` names further changelog fields to show (e.g. the display name of the
    severity custom field); ``status``, ``priority``, ``assignee`` and ``labels`` always show.
    """
    wanted = {name.strip().lower() for name in extra_fields}
    entries: list[TimelineEntry] = []
    if incident.created is not None:
        entries.append(TimelineEntry(incident.created, incident.reporter, "created", incident.summary))
    for kind in MILESTONES:
        when = getattr(incident, kind)
        if when is not None:
            entries.append(TimelineEntry(when, None, kind, ""))
    for history in incident.history:
        for change in history.changes:
            entry = _change_entry(change, wanted)
            if entry is not None:
                kind, what = entry
                entries.append(TimelineEntry(history.created, history.author, kind, what))
    for comment in incident.comments:
        if comment.created is not None:
            entries.append(TimelineEntry(comment.created, comment.author, "comment",
                                         first_line(comment.body)))
    return sorted(entries, key=lambda e: e.when)


def first_line(text: str, limit: int = COMMENT_MAX_CHARS) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters with an ellipsis."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _change_entry(change: Change, wanted: set[str]) -> tuple[str, str] | None:
    name = change.field.strip()
    folded = name.lower()
    if folded == "labels":
        return "labels", _label_change(change.from_string, change.to_string)
    if folded in OWN_KIND_FIELDS:
        return folded, _transition(change)
    if folded in wanted:
        return "field", f"{name}: {_transition(change)}"
    return None


def _transition(change: Change) -> str:
    before = (change.from_string or "").strip() or NO_VALUE
    after = (change.to_string or "").strip() or NO_VALUE
    return f"{before} {ARROW} {after}"


def _label_change(before: str | None, after: str | None) -> str:
    """Jira writes label changes as space-separated lists; show what was added and removed."""
    old, new = (before or "").split(), (after or "").split()
    added = [f"+{label}" for label in new if label not in old]
    removed = [f"-{label}" for label in old if label not in new]
    return ", ".join(added + removed) or NO_VALUE
