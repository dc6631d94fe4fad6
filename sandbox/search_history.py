"""What search sees: time-stamped snapshots of searchable content, for the search-lag fault.

Atlassian Cloud's search is eventually consistent: content created or changed a moment ago is
not found yet, or is found as it was (CQL via ``/wiki/rest/api/search``, JQL via
``/rest/api/*/search*``). The stores note a snapshot of the searchable values of a page or an
issue each time they change; a search with a lag of N seconds matches the snapshot that was
current N seconds ago, and skips content that did not exist then. Lookups that are not search
(``GET /wiki/rest/api/content?spaceKey&title``, ``GET /rest/api/2/issue/{key}``) are never lagged.
Content seeded or loaded from a file has no snapshot and is always seen as it is now.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any


class SearchHistory:
    """Snapshots per content id (or issue id), oldest first."""

    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._snapshots: dict[str, list[tuple[float, Any]]] = {}
        self._lock = threading.Lock()

    def note(self, ref: str | int, snapshot: Any) -> None:
        """Record what search will show of ``ref`` from now on (a deep copy is kept)."""
        with self._lock:
            self._snapshots.setdefault(str(ref), []).append((self._clock(), copy.deepcopy(snapshot)))

    def tracked(self, ref: str | int) -> bool:
        return str(ref) in self._snapshots

    def as_of(self, ref: str | int, lag_seconds: float) -> tuple[bool, Any]:
        """``(visible, snapshot)`` as search saw ``ref`` ``lag_seconds`` ago. Untracked content is
        ``(True, None)``: the caller uses its current values."""
        with self._lock:
            history = self._snapshots.get(str(ref))
            if history is None:
                return True, None
            moment = self._clock() - max(lag_seconds, 0.0)
            seen = [snapshot for when, snapshot in history if when <= moment]
        if not seen:
            return False, None
        return True, seen[-1]

    def clear(self) -> None:
        with self._lock:
            self._snapshots.clear()
