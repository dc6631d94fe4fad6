"""Action-item types, priorities and due dates, from item type and incident severity."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

# The kinds of action item the SRE book's postmortems use.
ITEM_TYPES = ("mitigate", "prevent", "detect", "process", "investigate")
# The names people may write in the table's type column, per type (English and Korean).
ITEM_TYPE_NAMES: Mapping[str, tuple[str, ...]] = {
    "mitigate": ("mitigate", "mitigation", "완화"),
    "prevent": ("prevent", "prevention", "예방", "방지"),
    "detect": ("detect", "detection", "탐지", "감지"),
    "process": ("process", "프로세스", "절차"),
    "investigate": ("investigate", "investigation", "조사"),
}
# When the tickets of the table's rows are created: as soon as a row is complete, or only
# once the postmortem is approved.
CREATE_MODES = ("on_edit", "on_approval")


def item_type_of(text: str) -> str | None:
    """The item type a person's text names (``"Prevent"``, ``"예방"``), or None."""
    folded = " ".join(text.split()).casefold()
    return next((kind for kind, names in ITEM_TYPE_NAMES.items() if folded in names), None)


@dataclass(frozen=True)
class ActionItemPolicy:
    """``app.yaml: action_items`` (defaults in config/schema.py)."""

    project: str
    issue_type: str
    link_type: str
    # priorities[item type][severity] -> Jira priority name
    priorities: Mapping[str, Mapping[str, str]]
    default_priority: str
    # due_days[Jira priority] -> days from creation
    due_days: Mapping[str, int]
    create: str  # one of CREATE_MODES
    # Jira's search may not list an issue created this many seconds ago (Cloud search is
    # eventually consistent): a row claimed for creation this recently is not looked up by
    # search, but retried later.
    search_consistency_seconds: int

    def priority_for(self, item_type: str, severity: str | None) -> str:
        by_severity = self.priorities.get(item_type.strip().lower(), {})
        return by_severity.get(severity or "", self.default_priority)

    def due_date(self, priority: str, created: date) -> date | None:
        days = self.due_days.get(priority)
        return created + timedelta(days=days) if days is not None else None
