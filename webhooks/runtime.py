"""What the web app is given at start: settings, environment, Redis and the work queue."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from redis import Redis

from config.environment import Environment
from config.settings import Settings
from jobqueue.queue import WorkQueue


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
