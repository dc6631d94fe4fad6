"""Calling Atlassian with back-off: Retry-After honoured, exponential with jitter otherwise."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from atlassian.errors import ApiError

from connector.errors import (
    ConflictError,
    PermanentAtlassianError,
    TransientAtlassianError,
    classify,
)

T = TypeVar("T")
log = logging.getLogger("debrief.connector")


@dataclass(frozen=True)
class RetryPolicy:
    """In-job retries for short trouble; longer outages fall to the job queue's own retries."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0  # a longer Retry-After ends the in-job attempts (the job is retried later)
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return min(self.max_delay, self.base_delay * 2 ** attempt) * (0.5 + random.random() / 2)


def call(operation: str, fn: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``fn``; on 429/5xx/network errors wait and try again, up to ``policy.attempts``.
    A 409 is raised at once as ConflictError: the caller must re-read before writing again."""
    for attempt in range(policy.attempts):
        try:
            return fn()
        except (ApiError, requests.RequestException) as exc:
            error = classify(exc, operation)
        if isinstance(error, PermanentAtlassianError | ConflictError):
            raise error  # resending cannot help: a 4xx, or a stale version to re-read
        assert isinstance(error, TransientAtlassianError)
        wait = policy.delay(attempt, error.retry_after)
        if attempt + 1 >= policy.attempts or wait > policy.max_delay:
            raise error
        log.warning("%s; retrying in %.1fs (attempt %d of %d)", error, wait, attempt + 2, policy.attempts)
        policy.sleep(wait)
    raise AssertionError("unreachable")
