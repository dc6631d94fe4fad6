"""The request journal: every request the site answered, newest last, bounded in memory.

Served at ``GET /_sandbox/journal`` (``?since=<id or ISO time>``, ``?path_prefix=``,
``?method=``) and emptied by ``DELETE /_sandbox/journal``. Requests to the ``/_sandbox`` hooks
themselves are not recorded: the journal shows only the site's Atlassian traffic.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

DEFAULT_CAPACITY = 100_000


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Journal:
    """A thread-safe ring of request records."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **entry: Any) -> dict[str, Any]:
        with self._lock:
            entry = {"id": next(self._ids), **entry}
            self._entries.append(entry)
            return entry

    def entries(self, since: str | None = None, path_prefix: str | None = None,
                method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            items = list(self._entries)
        if since:
            if since.isdigit():
                items = [e for e in items if e["id"] > int(since)]
            else:
                items = [e for e in items if e["time"] > since]
        if path_prefix:
            items = [e for e in items if e["path"].startswith(path_prefix)]
        if method:
            items = [e for e in items if e["method"] == method.upper()]
        return items

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def install(app: Flask, journal_of) -> None:
    """Record every request of ``app`` into ``journal_of()`` (a callable, since state may swap)."""

    @app.before_request
    def _start_clock() -> None:
        g.journal_t0 = time.monotonic()
        g.journal_wall = time.time()

    @app.after_request
    def _record(response: Response) -> Response:
        if request.path.startswith("/_sandbox") or g.get("stale"):
            return response  # a stale request belongs to a site that was reset since
        started = g.get("journal_t0", time.monotonic())
        user = g.get("user")
        journal_of().record(
            time=_iso(g.get("journal_wall", time.time())),
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            status=response.status_code,
            duration_ms=round((time.monotonic() - started) * 1000, 2),
            user=user.account_id if user else None,
            fault=g.get("fault_kind"),
        )
        return response
