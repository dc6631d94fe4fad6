"""What the web app is given at start: settings, environment, Redis and the work queue."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from redis import Redis

from debrief.environment import Environment
from debrief.settings import Settings
from debrief.workqueue import WorkQueue


@dataclass
class Runtime:
    settings: Settings
    env: Environment
    work: WorkQueue

    @property
    def redis(self) -> Redis:
        return self.work.redis


def runtime() -> Runtime:
    return current_app.extensions["debrief"]
