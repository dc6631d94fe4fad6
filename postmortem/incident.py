"""The incident as Debrief sees it: a plain value built from a Jira issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Person:
    """Someone in Jira or Confluence. ``account_id`` identifies them within Debrief: the Cloud
    account id, or on Data Center the Jira user key; ``username`` is the Data Center username
    (what DC's REST calls take; see ``postmortem.identity``)."""

    account_id: str
    display_name: str
    email: str | None = None
    username: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.account_id


@dataclass(frozen=True)
class Comment:
    author: Person | None
    body: str
    created: datetime | None
    id: str = ""


@dataclass(frozen=True)
class Change:
    """One field change inside a Jira history entry."""

    field: str
    from_string: str | None
    to_string: str | None


@dataclass(frozen=True)
class HistoryEntry:
    """One Jira changelog history: who changed what, when."""

    author: Person | None
    created: datetime
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Incident:
    """An incident, mapped from a Jira issue through the configured field mapping.

    Times are timezone-aware datetimes or None when Jira does not know them.
    """

    key: str
    summary: str
    project: str
    issue_type: str
    status: str = ""
    url: str = ""
    description: str = ""
    severity: str | None = None
    priority: str | None = None
    service: str | None = None
    impact: str | None = None  # "downtime", "degradation" or None
    detection_method: str | None = None
    labels: frozenset[str] = frozenset()
    field_values: tuple[tuple[str, str], ...] = ()  # (field id, rendered value) for rule matching
    created: datetime | None = None
    started: datetime | None = None
    detected: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    reporter: Person | None = None
    assignee: Person | None = None
    comments: tuple[Comment, ...] = ()
    history: tuple[HistoryEntry, ...] = field(default=(), compare=False)

    @property
    def start(self) -> datetime | None:
        """When the incident began: the explicit start time, else when the issue was created."""
        return self.started or self.created

    @property
    def end_of_impact(self) -> datetime | None:
        """When users stopped being affected: mitigation, else resolution."""
        return self.mitigated or self.resolved

    def impact_duration(self, now: datetime) -> timedelta | None:
        """How long users were affected; an ongoing incident counts up to ``now``."""
        if self.start is None:
            return None
        return max((self.end_of_impact or now) - self.start, timedelta(0))

    def time_to_detect(self) -> timedelta | None:
        if self.start is None or self.detected is None:
            return None
        return max(self.detected - self.start, timedelta(0))

    def time_to_resolve(self) -> timedelta | None:
        if self.start is None or self.resolved is None:
            return None
        return max(self.resolved - self.start, timedelta(0))

    def has_label(self, *names: str) -> set[str]:
        """The given labels this incident carries, compared case-insensitively."""
        mine = {label.lower() for label in self.labels}
        return {name for name in names if name.lower() in mine}

    def value_of(self, field_id: str) -> str | None:
        return next((v for f, v in self.field_values if f == field_id), None)

    @property
    def participants(self) -> tuple[Person, ...]:
        """Assignee, reporter, commenters and history authors, each once, in order of appearance."""
        seen: dict[str, Person] = {}
        candidates = [self.assignee, self.reporter]
        candidates += [c.author for c in self.comments]
        candidates += [h.author for h in self.history]
        for person in candidates:
            if person is not None and person.account_id not in seen:
                seen[person.account_id] = person
        return tuple(seen.values())
