"""Action-item priorities and due dates, from item type and incident severity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

# The kinds of action item the SRE book's postmortems use.
ITEM_TYPES = ("mitigate", "prevent", "detect", "process", "investigate")


@dataclass(frozen=True)
class ActionItemPolicy:
    project: str = "ACT"
    issue_type: str = "Task"
    link_type: str = "Relates"
    # priorities[item type][severity] -> Jira priority name
    priorities: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    default_priority: str = "Medium"
    # due_days[Jira priority] -> days from creation
    due_days: Mapping[str, int] = field(default_factory=dict)

    def priority_for(self, item_type: str, severity: str | None) -> str:
        by_severity = self.priorities.get(item_type.strip().lower(), {})
        return by_severity.get(severity or "", self.default_priority)

    def due_date(self, priority: str, created: date) -> date | None:
        days = self.due_days.get(priority)
        return created + timedelta(days=days) if days is not None else None
