"""The Jira half of the sandbox site: REST API v2/v3, admin webhooks, JQL."""

from sandbox.jira import (  # noqa: F401  (register routes)
                          routes_issues,
                          routes_links,
                          routes_meta,
                          routes_search,
                          routes_webhooks,
                          routes_workflow,
)
from sandbox.jira.http import blueprint
from sandbox.jira.model import JiraState

__all__ = ["blueprint", "JiraState"]
