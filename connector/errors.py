"""Atlassian failures, sorted into the two kinds a job treats differently."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from atlassian.errors import ApiError

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
# 409: the thing changed since it was read (a stale version). Sending the same request again
# cannot succeed; the caller re-reads, re-plans and re-applies (jobs/versioned.py).
CONFLICT_STATUS = 409


class AtlassianError(Exception):
    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 operation: str = ""):
        self.status, self.retry_after, self.operation = status, retry_after, operation
        super().__init__(message)


class TransientAtlassianError(AtlassianError):
    """Rate limited, a 5xx or the network: worth retrying later."""


class PermanentAtlassianError(AtlassianError):
    """A 4xx that the same request will get again: fail the job for an operator to see."""


class ConflictError(AtlassianError):
    """409: what was written to is no longer the version that was read. Never resent as is."""


def _response_of(exc: BaseException) -> requests.Response | None:
    response = getattr(exc, "response", None)
    if response is None and isinstance(exc, ApiError):
        response = getattr(getattr(exc, "reason", None), "response", None)
    return response


def retry_after_seconds(response: requests.Response | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), if any."""
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def classify(exc: BaseException, operation: str) -> AtlassianError:
    """Turn a requests/atlassian-python-api exception into a Debrief error with a clear message."""
    if isinstance(exc, AtlassianError):
        return exc
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        return TransientAtlassianError(f"{operation}: cannot reach Atlassian ({exc.__class__.__name__}: {exc})",
                                       operation=operation)
    response = _response_of(exc)
    status = response.status_code if response is not None else None
    detail = str(exc) or (response.reason if response is not None else exc.__class__.__name__)
    message = f"{operation}: HTTP {status}: {detail}" if status else f"{operation}: {detail}"
    if status == CONFLICT_STATUS:
        return ConflictError(message, status=status, operation=operation)
    if status is None or status in RETRYABLE_STATUS:
        return TransientAtlassianError(message, status=status, retry_after=retry_after_seconds(response),
                                       operation=operation)
    return PermanentAtlassianError(message, status=status, operation=operation)
