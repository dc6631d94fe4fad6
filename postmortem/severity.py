"""Severity levels, ordered most severe first (``app.yaml: incidents.severity_levels``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeverityScale:
    levels: tuple[str, ...]  # app.yaml incidents.severity_levels

    def rank(self, severity: str | None) -> int | None:
        """0 for the most severe level; None for an unknown or missing severity."""
        if severity is None:
            return None
        folded = {level.lower(): i for i, level in enumerate(self.levels)}
        return folded.get(severity.strip().lower())

    def at_least(self, severity: str | None, threshold: str) -> bool:
        """True when ``severity`` is as severe as ``threshold`` or more."""
        mine, limit = self.rank(severity), self.rank(threshold)
        return mine is not None and limit is not None and mine <= limit
