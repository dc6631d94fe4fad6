"""What the web app is given at start: settings, environment, Redis, the work queue and the
composed routers (one per source: ``"jira"``, ``"confluence"``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from redis import Redis

from config.environment import Environment
from config.settings import Settings
from jobqueue.queue import WorkQueue
from webhooks.routing import Router


@dataclass
class Runtime:
    settings: Settings
    env: Environment
    work: WorkQueue
    routers: dict[str, Router] = field(default_factory=dict)

    @property
    def redis(self) -> Redis:
        return self.work.redis


def runtime() -> Runtime:
    return current_app.extensions["debrief"]
