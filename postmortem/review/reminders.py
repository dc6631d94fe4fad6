"""When an open postmortem's owner is reminded, and when others are told: pure arithmetic on
the page's age in days, counted in the configured timezone.

With ``first_after_days: 3, every_days: 2, escalate_after_days: 10`` a draft created on day 0
is due a reminder on days 3, 5, 7, ... and an escalation once, from day 10. Each reminder is a
slot (``remind-3``, ``remind-5``, ``escalate``) sent at most once; a sweep that comes late sends
only the latest slot due, never a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Schedule:
    first_after_days: int = 3
    every_days: int = 2
    escalate_after_days: int = 10


@dataclass(frozen=True)
class Due:
    slot: str  # remind-<day> | escalate
    escalation: bool
    days: int  # the page's age


def local_day(when: datetime, timezone: str) -> date:
    return when.astimezone(ZoneInfo(timezone)).date()


def age_days(created: datetime, now: datetime, timezone: str) -> int:
    return (local_day(now, timezone) - local_day(created, timezone)).days


def due_reminders(created: datetime, now: datetime, timezone: str, schedule: Schedule) -> list[Due]:
    """The reminder slots due at ``now`` (the latest reminder, and the escalation once due)."""
    days = age_days(created, now, timezone)
    out = []
    if days >= schedule.first_after_days:
        step = (days - schedule.first_after_days) // schedule.every_days
        out.append(Due(f"remind-{schedule.first_after_days + step * schedule.every_days}", False, days))
    if days >= schedule.escalate_after_days:
        out.append(Due("escalate", True, days))
    return out


def next_reminder(created: datetime, now: datetime, timezone: str, schedule: Schedule) -> date:
    """The local day of the next reminder after today."""
    days = age_days(created, now, timezone)
    if days < schedule.first_after_days:
        offset = schedule.first_after_days
    else:
        step = (days - schedule.first_after_days) // schedule.every_days + 1
        offset = schedule.first_after_days + step * schedule.every_days
    return local_day(created, timezone) + timedelta(days=offset)
