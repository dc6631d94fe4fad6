"""Writes that must not happen twice: a POST is repeated only after checking it did not land.

A POST that creates something (a comment, a page) is not idempotent. When its answer is lost
(the read timed out, the connection dropped after sending) the server may have done the work,
or may still be doing it. So: look for the result first; when it is there, that is the answer.
When it is not there after a lost answer, do NOT send again in this job (the first request may
still land): raise a passing error, so the job is retried later and checks again before sending.
After a 5xx answer (the server finished, with an error) or a 429 (refused), the check is
reliable and the write is retried here with back-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import requests
from atlassian.errors import ApiError

from connector.errors import PermanentAtlassianError, TransientAtlassianError, classify
from connector.retry import RetryPolicy

T = TypeVar("T")
log = logging.getLogger("debrief.connector")


def answer_lost(exc: BaseException) -> bool:
    """The request may have reached Atlassian but its answer did not reach us."""
    if isinstance(exc, requests.ConnectTimeout):
        return False  # never connected: nothing was sent
    return isinstance(exc, requests.Timeout | requests.ConnectionError)


def post_once(operation: str, send: Callable[[], T], landed: Callable[[], T | None],
              policy: RetryPolicy) -> T:
    """``send()`` with retries, where every repeat is preceded by ``landed()`` (the thing the
    POST creates, found by a read that is not search, or None)."""
    for attempt in range(policy.attempts):
        try:
            return send()
        except (ApiError, requests.RequestException) as exc:
            lost, error = answer_lost(exc), classify(exc, operation)
        if isinstance(error, PermanentAtlassianError):
            raise error
        assert isinstance(error, TransientAtlassianError)
        if lost or error.status != 429:
            found = landed()
            if found is not None:
                log.warning("%s; it had been done all the same, so it is not repeated", error)
                return found
        if lost:
            raise TransientAtlassianError(
                f"{error}; not found afterwards, so not sent again now: the job is retried later "
                "and looks again first", status=error.status, retry_after=error.retry_after,
                operation=operation) from None
        wait = policy.delay(attempt, error.retry_after)
        if attempt + 1 >= policy.attempts or wait > policy.max_delay:
            raise error
        log.warning("%s; not done, retrying in %.1fs (attempt %d of %d)", error, wait, attempt + 2,
                    policy.attempts)
        policy.sleep(wait)
    raise AssertionError("unreachable")
