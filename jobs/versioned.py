"""Writing a versioned thing (a content property, a page body): read, plan, apply; on a 409
read again and plan again, a bounded number of times. A stale version is never resent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from connector.errors import ConflictError, TransientAtlassianError

R = TypeVar("R")  # what was read
P = TypeVar("P")  # the plan made from it
T = TypeVar("T")

ATTEMPTS = 3
log = logging.getLogger("debrief.jobs")


def read_plan_apply(read: Callable[[], R], plan: Callable[[R], P | None], apply: Callable[[R, P], T], *,
                    what: str, attempts: int = ATTEMPTS, first: R | None = None) -> T | None:
    """``apply(read(), plan(read()))``, again from a fresh read when ``apply`` meets a 409.

    ``plan`` returns None when nothing needs writing (then nothing is applied). ``first`` is
    an already-read value to start from (e.g. expanded in a search result). After
    ``attempts`` conflicts in a row the job fails as transient (RQ retries it later)."""
    current = first if first is not None else read()
    for attempt in range(1, attempts + 1):
        planned = plan(current)
        if planned is None:
            return None
        try:
            return apply(current, planned)
        except ConflictError as exc:
            log.warning("%s: changed meanwhile (%s); reading again (attempt %d of %d)", what, exc,
                        attempt, attempts)
            last = exc
        current = read()
    raise TransientAtlassianError(f"{what}: still conflicting after {attempts} attempts: {last}",
                                  status=409, operation=what)
