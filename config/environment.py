"""Secrets and endpoints, from the environment only (never from app.yaml)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEPLOYMENTS = ("cloud", "datacenter")


# user:password@ (or :password@) in any URL inside a text, e.g. a Redis error message
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:@/\s]*):[^@/\s]*@")


def redact_url(url: str | None) -> str | None:
    """``url`` with its password replaced by ``***`` (``redis://:***@host:6379/0``): the form
    every printer and log shows of REDIS_URL and other connection URLs."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if parts.password is None:
        return redact_text(url)
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def redact_text(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***`` (for error messages
    that quote a connection URL)."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


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
    confluence_webhook_secret: str | None = None
    allow_unsigned: bool = False  # DEBRIEF_ALLOW_UNSIGNED=1: accept deliveries no secret covers
    smtp_url: str | None = None  # SMTP_URL: smtp://[user:password@]host[:port] (smtps:// for TLS)
    mail_from: str | None = None  # DEBRIEF_MAIL_FROM: the sender of Debrief's e-mails

    def __repr__(self) -> str:
        return (f"Environment(redis_url={redact_url(self.redis_url)!r}, webhook_secret={'***' if self.webhook_secret else None}, "
                f"automation_token={'***' if self.automation_token else None}, log_format={self.log_format!r}, "
                f"atlassian={self.atlassian!r}, "
                f"confluence_webhook_secret={'***' if self.confluence_webhook_secret else None}, "
                f"allow_unsigned={self.allow_unsigned!r}, smtp_url={redact_url(self.smtp_url)!r})")


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
    allow_unsigned = (get("DEBRIEF_ALLOW_UNSIGNED") or "0").lower()
    if allow_unsigned not in ("0", "1", "true", "false", "yes", "no"):
        problems.append(f"DEBRIEF_ALLOW_UNSIGNED: must be 1 or 0, got {allow_unsigned!r}")
    if problems:
        raise EnvironmentProblem(problems)
    return Environment(
        redis_url=get("REDIS_URL"),
        webhook_secret=get("JIRA_WEBHOOK_SECRET"),
        automation_token=get("DEBRIEF_AUTOMATION_TOKEN"),
        log_format=log_format,
        atlassian=atlassian,
        confluence_webhook_secret=get("CONFLUENCE_WEBHOOK_SECRET"),
        allow_unsigned=allow_unsigned in ("1", "true", "yes"),
        smtp_url=get("SMTP_URL"),
        mail_from=get("DEBRIEF_MAIL_FROM"),
    )
