"""Fixtures for the contract tests: per-product API callers bound to a fresh sandbox site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.contracts.support import Api, demo_session


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = demo_session()
    yield session
    session.close()


@pytest.fixture
def site_url(sandbox) -> str:
    return sandbox.url.rstrip("/")


@pytest.fixture
def jira3(site_url: str, http: requests.Session) -> Api:
    """Jira Cloud platform REST API v3 (/rest/api/3)."""
    return Api(site_url, "jira-cloud-v3", http)


@pytest.fixture
def jira_dc(site_url: str, http: requests.Session) -> Api:
    """The Jira Data Center REST API v2 operations, served at /rest/api/2."""
    return Api(site_url, "jira-dc-v2", http)


@pytest.fixture
def wiki(site_url: str, http: requests.Session) -> Api:
    """Confluence Cloud REST API v1 (/wiki/rest/api)."""
    return Api(site_url, "confluence-cloud-v1", http)


@pytest.fixture
def wiki2(site_url: str, http: requests.Session) -> Api:
    """Confluence Cloud REST API v2 (/wiki/api/v2)."""
    return Api(site_url, "confluence-cloud-v2", http)
