"""Secrets and endpoints, from the environment only (never from app.yaml)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEPLOYMENTS = ("cloud", "datacenter")


class EnvironmentProblem(Exception):
    """A required variable is missing or malformed; ``problems`` names each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class AtlassianAccess:
    jira_url: str
    confluence_url: str
    deployment: str  # "cloud" or "datacenter"
    user: str | None = None
    token: str | None = None
    pat: str | None = None

    def __repr__(self) -> str:  # never print secrets
        return (f"AtlassianAccess(jira_url={self.jira_url!r}, confluence_url={self.confluence_url!r}, "
                f"deployment={self.deployment!r}, user={self.user!r}, token={'***' if self.token else None}, "
                f"pat={'***' if self.pat else None})")


@dataclass(frozen=True)
class Environment:
    redis_url: str | None
    webhook_secret: str | None
    automation_token: str | None
    log_format: str  # "text" or "json"
    atlassian: AtlassianAccess | None

    def __repr__(self) -> str:
        return (f"Environment(redis_url={self.redis_url!r}, webhook_secret={'***' if self.webhook_secret else None}, "
                f"automation_token={'***' if self.automation_token else None}, log_format={self.log_format!r}, "
                f"atlassian={self.atlassian!r})")


def read_environment(env: Mapping[str, str] | None = None, *, need_atlassian: bool = False) -> Environment:
    """Read Debrief's variables. With ``need_atlassian`` the Atlassian ones must be complete."""
    env = os.environ if env is None else env
    get = lambda name: (env.get(name) or "").strip() or None  # noqa: E731
    problems: list[str] = []
    atlassian = None
    jira_url, conf_url = get("JIRA_URL"), get("CONFLUENCE_URL")
    if jira_url or conf_url or need_atlassian:
        deployment = (get("ATLASSIAN_DEPLOYMENT") or "cloud").lower()
        if deployment not in DEPLOYMENTS:
            problems.append(f"ATLASSIAN_DEPLOYMENT: must be cloud or datacenter, got {deployment!r}")
        if not jira_url:
            problems.append("JIRA_URL: required (e.g. https://your-site.atlassian.net)")
        if not conf_url:
            problems.append("CONFLUENCE_URL: required (e.g. https://your-site.atlassian.net/wiki)")
        user, token, pat = get("ATLASSIAN_USER"), get("ATLASSIAN_TOKEN"), get("ATLASSIAN_PAT")
        if not pat and not (user and token):
            problems.append("ATLASSIAN_USER + ATLASSIAN_TOKEN (Cloud: e-mail and API token) "
                            "or ATLASSIAN_PAT (Data Center personal access token): required")
        for name, url in (("JIRA_URL", jira_url), ("CONFLUENCE_URL", conf_url)):
            if url and not url.startswith(("http://", "https://")):
                problems.append(f"{name}: must start with http:// or https://, got {url!r}")
        if not problems:
            atlassian = AtlassianAccess(jira_url.rstrip("/"), conf_url.rstrip("/"), deployment, user, token, pat)
    log_format = (get("DEBRIEF_LOG_FORMAT") or "text").lower()
    if log_format not in ("text", "json"):
        problems.append(f"DEBRIEF_LOG_FORMAT: must be text or json, got {log_format!r}")
    if problems:
        raise EnvironmentProblem(problems)
    return Environment(
        redis_url=get("REDIS_URL"),
        webhook_secret=get("JIRA_WEBHOOK_SECRET"),
        automation_token=get("DEBRIEF_AUTOMATION_TOKEN"),
        log_format=log_format,
        atlassian=atlassian,
    )
