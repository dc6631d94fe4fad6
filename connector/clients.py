"""Building atlassian-python-api clients the right way for Cloud and Data Center.

Cloud Confluence needs the v1 ``ConfluenceServer`` class on ``<site>/wiki`` (the 5.x
``Confluence`` dispatcher hands Cloud URLs to a class without pages); Jira needs
``cloud=True`` on Cloud so search uses ``/search/jql``. Our own retry policy replaces the
library's, so its one-shot Retry-After sleep is switched off. Every request waits for its slot in
the site's pacer (connector/pacing.py): shared through Redis when the caller passes one, else
this process's own.
"""

from __future__ import annotations

import os

from atlassian import Jira
from atlassian.confluence import ConfluenceServer

from config.environment import AtlassianAccess
from connector.pacing import LocalPacer, RedisPacer, pace_session, pacer_for
from connector.retry import RetryPolicy
from telemetry import metrics as telemetry

# How long to wait for Atlassian's answer before taking the request as lost. Slow answers are
# normal: Cloud's own gateway gives up on a request after about 60 s, and page creates with big
# bodies or comments on busy issues take 30 s and more at peak times. A shorter timeout turns a
# slow success into a "failure" whose retry writes the same thing twice, so wait past
# Atlassian's own limit. (The library coerces it to a whole number of seconds.)
TIMEOUT_SECONDS = 75
# For tests and odd sites only: a whole number of seconds that replaces TIMEOUT_SECONDS.
TIMEOUT_VARIABLE = "DEBRIEF_ATLASSIAN_TIMEOUT"


def client_timeout(environ=os.environ) -> int:
    """TIMEOUT_SECONDS, or the whole seconds in DEBRIEF_ATLASSIAN_TIMEOUT when set (>= 1)."""
    raw = (environ.get(TIMEOUT_VARIABLE) or "").strip()
    if not raw:
        return TIMEOUT_SECONDS
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{TIMEOUT_VARIABLE} must be a whole number of seconds, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{TIMEOUT_VARIABLE} must be at least 1 second, not {value}")
    return value


def _auth(access: AtlassianAccess) -> dict:
    if access.pat and access.deployment == "datacenter":
        return {"token": access.pat}
    if access.user and access.token:
        return {"username": access.user, "password": access.token}
    return {"token": access.pat}


Pacer = LocalPacer | RedisPacer


def _counted(client, product: str, pacer: Pacer | None):
    """Every request of ``client`` paced; every answer counted by product and status, with its
    latency (/metrics) net of the time it waited for its slot."""
    def hook(response, *args, **kwargs):
        elapsed = response.elapsed.total_seconds() - getattr(response, "paced_wait", 0.0)
        telemetry.atlassian_call(product, response.status_code, max(0.0, elapsed))

    pace_session(client._session, pacer_for(client.url) if pacer is None else pacer,
                 max_wait=RetryPolicy().max_delay)
    client._session.hooks["response"].append(hook)
    return client


def jira_client(access: AtlassianAccess, *, timeout: int | None = None, pacer: Pacer | None = None) -> Jira:
    return _counted(Jira(url=access.jira_url, cloud=access.deployment == "cloud",
                         timeout=timeout or client_timeout(), retry_with_header=False, **_auth(access)),
                    "jira", pacer)


def confluence_client(access: AtlassianAccess, *, timeout: int | None = None,
                      pacer: Pacer | None = None) -> ConfluenceServer:
    url = access.confluence_url
    if access.deployment == "cloud" and not url.rstrip("/").endswith("/wiki"):
        url = url.rstrip("/") + "/wiki"
    return _counted(ConfluenceServer(url, cloud=access.deployment == "cloud", timeout=timeout or client_timeout(),
                                     retry_with_header=False, **_auth(access)), "confluence", pacer)
