"""What a job works with: settings, Redis and the Atlassian gateways, built once per process.

``debrief worker`` configures it at start; a job run by any other RQ worker builds it from
the environment on first use. Clients are built lazily in the process that runs the job,
so no HTTP connection is shared across RQ's fork. Both gateways pace their calls through Redis
(connector/pacing.py), so every worker process keeps to the site's rate limit together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from redis import Redis

from config.environment import Environment, read_environment
from config.settings import Settings, load_settings
from connector.clients import confluence_client, jira_client
from connector.confluence import ConfluenceGateway
from connector.jira import JiraGateway
from connector.pacing import pacer_for
from jobqueue.queue import WorkQueue
from templates.render import PageRenderer


@dataclass
class JobContext:
    settings: Settings
    env: Environment
    redis: Redis
    _pid: int = field(default=-1, repr=False)
    _jira: JiraGateway | None = field(default=None, repr=False)
    _confluence: ConfluenceGateway | None = field(default=None, repr=False)

    def _fresh(self) -> None:
        if self._pid != os.getpid():
            self._pid, self._jira, self._confluence = os.getpid(), None, None

    @property
    def jira(self) -> JiraGateway:
        self._fresh()
        if self._jira is None:
            access = self._access()
            self._jira = JiraGateway(jira_client(access, pacer=pacer_for(access.jira_url, self.redis)),
                                     cloud=access.deployment == "cloud")
        return self._jira

    @property
    def confluence(self) -> ConfluenceGateway:
        self._fresh()
        if self._confluence is None:
            access = self._access()
            pacer = pacer_for(access.confluence_url, self.redis)
            self._confluence = ConfluenceGateway(confluence_client(access, pacer=pacer),
                                                 cloud=access.deployment == "cloud")
        return self._confluence

    def _access(self):
        if self.env.atlassian is None:
            raise RuntimeError("JIRA_URL, CONFLUENCE_URL and credentials must be set for jobs")
        return self.env.atlassian

    @property
    def work(self) -> WorkQueue:
        return WorkQueue(self.redis, dedupe_seconds=self.settings.intake.dedupe_seconds)

    @property
    def renderer(self) -> PageRenderer:
        return PageRenderer(self.settings.team_template_dir)


_context: JobContext | None = None


def configure(context: JobContext | None) -> None:
    global _context
    _context = context


def from_environment() -> JobContext:
    env = read_environment(need_atlassian=True)
    return JobContext(load_settings(), env, Redis.from_url(env.redis_url or "redis://127.0.0.1:6379/0"))


def job_context() -> JobContext:
    global _context
    if _context is None:
        _context = from_environment()
    return _context
