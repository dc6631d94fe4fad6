"""The seeded people of the sandbox site (a small demo company on example.com).

Shared by the Jira and Confluence halves: authentication, assignees, watchers,
authors and reviewers all resolve to these records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

DEMO_EMAIL = "demo@example.com"
DEMO_API_TOKEN = "demo-token"
DEMO_PAT = "demo-pat"


@dataclass(frozen=True)
class Person:
    account_id: str
    name: str  # Data Center username
    display_name: str
    email: str
    role: str
    api_token: str | None = None
    pat: str | None = None
    time_zone: str = "Asia/Seoul"
    jira_key: str = ""  # Jira Data Center's user key: the username for users made before Jira 8

    def __post_init__(self) -> None:
        if not self.jira_key:
            object.__setattr__(self, "jira_key", self.name)

    @property
    def confluence_key(self) -> str:
        """Confluence Data Center's user key: an opaque 32-hex id, not the username (what
        ``ri:userkey`` in storage format and ``?key=`` in the REST API name)."""
        return hashlib.md5(f"confluence-user:{self.name}".encode()).hexdigest()

    def jira_user(self, base_url: str, *, datacenter: bool = False) -> dict:
        """A Jira user object as Cloud returns it (with the DC name/key kept for both flavours);
        ``datacenter``: as Data Center returns it, without Cloud's account id."""
        if datacenter:
            cloud_only = self.jira_user(base_url)
            return {**{k: v for k, v in cloud_only.items() if k not in ("accountId", "accountType")},
                    "self": f"{base_url.rstrip('/')}/rest/api/2/user?username={self.name}"}
        return {
            "self": f"{base_url.rstrip('/')}/rest/api/2/user?accountId={self.account_id}",
            "accountId": self.account_id,
            "accountType": "atlassian",
            "name": self.name,
            "key": self.jira_key,
            "emailAddress": self.email,
            "avatarUrls": {
                size: f"{base_url.rstrip('/')}/secure/useravatar?size={px}&ownerId={self.name}"
                for size, px in (("48x48", "large"), ("24x24", "small"), ("16x16", "xsmall"), ("32x32", "medium"))
            },
            "displayName": self.display_name,
            "active": True,
            "timeZone": self.time_zone,
        }

    def confluence_user(self, base_url: str, *, datacenter: bool = False) -> dict:
        """A Confluence user object as Cloud v1 returns it; ``datacenter``: as Data Center does
        (username and user key, no account id)."""
        if datacenter:
            return {
                "type": "known", "username": self.name, "userKey": self.confluence_key,
                "displayName": self.display_name,
                "profilePicture": {"path": "/wiki/images/icons/profilepics/default.svg", "width": 48,
                                   "height": 48, "isDefault": True},
                "_links": {"self": f"{base_url.rstrip('/')}/wiki/rest/api/user?key={self.confluence_key}"},
            }
        return {
            "type": "known",
            "accountId": self.account_id,
            "accountType": "atlassian",
            "email": self.email,
            "publicName": self.display_name,
            "displayName": self.display_name,
            "username": self.name,
            "userKey": self.confluence_key,
            "profilePicture": {
                "path": f"/wiki/aa-avatar/{self.account_id}",
                "width": 48,
                "height": 48,
                "isDefault": True,
            },
            "_links": {"self": f"{base_url.rstrip('/')}/wiki/rest/api/user?accountId={self.account_id}"},
        }


PEOPLE: tuple[Person, ...] = (
    Person("5b10a2844c20165700ede21g", "demo", "Demo Admin", DEMO_EMAIL, "admin",
           api_token=DEMO_API_TOKEN, pat=DEMO_PAT),
    Person("5b10ac8d82e05b22cc7d4ef5", "mina.park", "Mina Park", "mina.park@example.com",
           "incident-commander", api_token="mina-token", pat="mina-pat", jira_key="JIRAUSER10100"),
    Person("5b10ac8d82e05b22cc7d4ef6", "jun.seo", "Jun Seo", "jun.seo@example.com",
           "engineer", api_token="jun-token", pat="jun-pat", jira_key="JIRAUSER10101"),
    Person("5b10ac8d82e05b22cc7d4ef7", "alex.kim", "Alex Kim", "alex.kim@example.com",
           "engineer", api_token="alex-token", pat="alex-pat", jira_key="JIRAUSER10102"),
    Person("5b10ac8d82e05b22cc7d4ef8", "sara.lee", "Sara Lee", "sara.lee@example.com",
           "reviewer", api_token="sara-token", pat="sara-pat"),
    Person("5b10ac8d82e05b22cc7d4ef9", "tom.choi", "Tom Choi", "tom.choi@example.com",
           "reviewer", api_token="tom-token", pat="tom-pat", time_zone="Europe/London"),
)


# Confluence groups of the seeded people (content restrictions name groups).
GROUPS: dict[str, tuple[str, ...]] = {
    "confluence-users": tuple(p.name for p in PEOPLE),
    "postmortem-reviewers": ("sara.lee", "tom.choi"),
    "sre": ("mina.park", "jun.seo"),
}


def groups_of(person: Person) -> set[str]:
    return {group for group, members in GROUPS.items() if person.name in members}


def by_account_id(account_id: str) -> Person | None:
    return next((p for p in PEOPLE if p.account_id == account_id), None)


def by_name(name: str) -> Person | None:
    return next((p for p in PEOPLE if p.name == name or p.email == name), None)


def by_jira_ref(ref: str) -> Person | None:
    """A Jira user named by username, e-mail or Jira user key (what DC's REST and JQL take)."""
    return by_name(ref) or next((p for p in PEOPLE if p.jira_key == ref), None)


def by_confluence_key(key: str) -> Person | None:
    return next((p for p in PEOPLE if p.confluence_key == key), None)


def by_any_id(ident: str) -> Person | None:
    """Whoever ``ident`` names: an account id, a username or e-mail, or a Confluence user key."""
    return by_account_id(ident) or by_jira_ref(ident) or by_confluence_key(ident)


def by_basic(email: str, token: str) -> Person | None:
    return next((p for p in PEOPLE if p.email == email and p.api_token == token), None)


def by_pat(token: str) -> Person | None:
    return next((p for p in PEOPLE if p.pat == token), None)


def search(query: str) -> list[Person]:
    q = query.lower()
    return [p for p in PEOPLE if q in p.display_name.lower() or q in p.email.lower() or q in p.name.lower()]
