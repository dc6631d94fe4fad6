"""Building atlassian-python-api clients the right way for Cloud and Data Center.

Cloud Confluence needs the v1 ``ConfluenceServer`` class on ``<site>/wiki`` (the 5.x
``Confluence`` dispatcher hands Cloud URLs to a class without pages); Jira needs
``cloud=True`` on Cloud so search uses ``/search/jql``. Our own retry policy replaces the
library's, so its one-shot Retry-After sleep is switched off.
"""

from __future__ import annotations

from atlassian import Jira
from atlassian.confluence import ConfluenceServer

from config.environment import AtlassianAccess

TIMEOUT_SECONDS = 30


def _auth(access: AtlassianAccess) -> dict:
    if access.pat and access.deployment == "datacenter":
        return {"token": access.pat}
    if access.user and access.token:
        return {"username": access.user, "password": access.token}
    return {"token": access.pat}


def jira_client(access: AtlassianAccess) -> Jira:
    return Jira(url=access.jira_url, cloud=access.deployment == "cloud", timeout=TIMEOUT_SECONDS,
                retry_with_header=False, **_auth(access))


def confluence_client(access: AtlassianAccess) -> ConfluenceServer:
    url = access.confluence_url
    if access.deployment == "cloud" and not url.rstrip("/").endswith("/wiki"):
        url = url.rstrip("/") + "/wiki"
    return ConfluenceServer(url, cloud=access.deployment == "cloud", timeout=TIMEOUT_SECONDS,
                            retry_with_header=False, **_auth(access))
