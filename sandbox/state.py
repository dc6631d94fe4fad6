"""Everything one sandbox site holds: Jira and Confluence data, webhooks, journal and faults."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from sandbox.confluence.seed import seeded_state as seed_confluence
from sandbox.confluence.state import ConfluenceState
from sandbox.faults import Faults
from sandbox.jira.model import JiraState
from sandbox.jira.seed import seeded_state as seed_jira
from sandbox.journal import Journal
from sandbox.webhooks_out import Policy, Webhooks

FORMAT_VERSION = 1


class SandboxState:
    """The site's state. Blueprints hold ``lock`` while they read or change ``jira``/``confluence``."""

    def __init__(self, jira: JiraState, confluence: ConfluenceState,
                 webhooks: Webhooks | None = None) -> None:
        self.lock = threading.RLock()
        self.jira = jira
        self.confluence = confluence
        self.webhooks = webhooks or Webhooks()
        self.journal = Journal()
        self.faults = Faults()
        # Bumped by every reset: a request that began before a reset (say, one held by a latency
        # fault while its test ended) is answered without touching the new site's data or journal.
        self.generation = 0

    @classmethod
    def seeded(cls, webhook_policy: Policy | None = None) -> SandboxState:
        return cls(seed_jira(), seed_confluence(), Webhooks(webhook_policy))

    def reset(self) -> None:
        """Back to the seed: data, webhook registrations and deliveries, faults and journal."""
        with self.lock:
            self.jira = seed_jira()
            self.confluence = seed_confluence()
            self.webhooks.reset()
            self.faults.clear()
            self.journal.clear()
            self.generation += 1

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {"format": FORMAT_VERSION, "jira": self.jira.to_json(),
                    "confluence": self.confluence.to_json(), "webhooks": self.webhooks.to_json()}

    def save(self, path: str | os.PathLike) -> None:
        """Write the data (not journal or faults) as JSON, atomically."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.to_json(), indent=1)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
        os.replace(tmp, target)

    @classmethod
    def from_json(cls, data: dict[str, Any], webhook_policy: Policy | None = None) -> SandboxState:
        state = cls(JiraState.from_json(data["jira"]), ConfluenceState.from_json(data["confluence"]),
                    Webhooks(webhook_policy))
        state.webhooks.load_json(data.get("webhooks", {}))
        return state

    @classmethod
    def load(cls, path: str | os.PathLike, webhook_policy: Policy | None = None) -> SandboxState:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), webhook_policy)
