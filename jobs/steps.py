"""What a sweep duty is: it plans steps (reads only) and applies them one at a time.

The sweep (jobs/sweep.py) runs its duties in order; each duty module imports this one, never
the sweep itself, so the sweep can list its duties without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from jobs.context import JobContext


@dataclass(frozen=True)
class Step:
    duty: str
    what: str  # in words, for the operator
    data: Any = field(default=None, compare=False, repr=False)


class Duty(Protocol):
    name: str

    def plan(self, ctx: JobContext, now: datetime) -> list[Step]: ...

    def apply(self, ctx: JobContext, now: datetime, step: Step) -> str: ...
