"""Pytest fixtures for the sandbox Atlassian site, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from atlassian import Jira

from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL
from sandbox.server import RunningSandbox, start

FAST_RETRIES = (0.05, 0.1, 0.15, 0.2, 0.25)


@pytest.fixture(scope="session")
def sandbox_site() -> Iterator[RunningSandbox]:
    """One site for the whole session (webhook retries shortened so tests stay fast)."""
    site = start("127.0.0.1", 0, webhook_retry_delays=FAST_RETRIES, webhook_timeout=2.0)
    yield site
    site.stop()


@pytest.fixture
def sandbox(sandbox_site: RunningSandbox) -> Iterator[RunningSandbox]:
    """The session site reset to its seed: data, journal, faults, webhooks and retry policy."""
    state = sandbox_site.state
    state.reset()
    state.webhooks.policy.retry_delays = FAST_RETRIES
    state.webhooks.policy.timeout = state.webhooks.policy.connect_timeout = 2.0
    yield sandbox_site
    state.faults.clear()


@pytest.fixture
def jira_client(sandbox: RunningSandbox) -> Jira:
    """The Data Center style v2 client (``atlassian.Jira``)."""
    return Jira(url=sandbox.url, username=DEMO_EMAIL, password=DEMO_API_TOKEN)


@pytest.fixture
def jira_cloud(sandbox: RunningSandbox) -> Jira:
    """The same client in Cloud mode (``cloud=True``: search/jql, changelog endpoint)."""
    return Jira(url=sandbox.url, username=DEMO_EMAIL, password=DEMO_API_TOKEN, cloud=True)
