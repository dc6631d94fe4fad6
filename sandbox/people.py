"""The seeded people of the sandbox site (a small demo company on example.com).

Shared by the Jira and Confluence halves: authentication, assignees, watchers,
authors and reviewers all resolve to these records.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_EMAIL = "demo@example.com"
DEMO_API_TOKEN = "demo-token"
DEMO_PAT = "demo-pat"


@dataclass(frozen=True)
class Person:
    account_id: str
    name: str  # Data Center username (also the user key there)
    display_name: str
    email: str
    role: str
    api_token: str | None = None
    pat: str | None = None
    time_zone: str = "Asia/Seoul"

    def jira_user(self, base_url: str) -> dict:
        """A Jira user object as Cloud returns it (with the DC name/key kept for both flavours)."""
        return {
            "self": f"{base_url.rstrip('/')}/rest/api/2/user?accountId={self.account_id}",
            "accountId": self.account_id,
            "accountType": "atlassian",
            "name": self.name,
            "key": self.name,
            "emailAddress": self.email,
            "avatarUrls": {
                size: f"{base_url.rstrip('/')}/secure/useravatar?size={px}&ownerId={self.name}"
                for size, px in (("48x48", "large"), ("24x24", "small"), ("16x16", "xsmall"), ("32x32", "medium"))
            },
            "displayName": self.display_name,
            "active": True,
            "timeZone": self.time_zone,
        }

    def confluence_user(self, base_url: str) -> dict:
        """A Confluence user object as Cloud v1 returns it."""
        return {
            "type": "known",
            "accountId": self.account_id,
            "accountType": "atlassian",
            "email": self.email,
            "publicName": self.display_name,
            "displayName": self.display_name,
            "username": self.name,
            "userKey": self.name,
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
           "incident-commander", api_token="mina-token", pat="mina-pat"),
    Person("5b10ac8d82e05b22cc7d4ef6", "jun.seo", "Jun Seo", "jun.seo@example.com",
           "engineer", api_token="jun-token", pat="jun-pat"),
    Person("5b10ac8d82e05b22cc7d4ef7", "alex.kim", "Alex Kim", "alex.kim@example.com",
           "engineer", api_token="alex-token", pat="alex-pat"),
    Person("5b10ac8d82e05b22cc7d4ef8", "sara.lee", "Sara Lee", "sara.lee@example.com",
           "reviewer", api_token="sara-token", pat="sara-pat"),
    Person("5b10ac8d82e05b22cc7d4ef9", "tom.choi", "Tom Choi", "tom.choi@example.com",
           "reviewer", api_token="tom-token", pat="tom-pat", time_zone="Europe/London"),
)


def by_account_id(account_id: str) -> Person | None:
    return next((p for p in PEOPLE if p.account_id == account_id), None)


def by_name(name: str) -> Person | None:
    return next((p for p in PEOPLE if p.name == name or p.email == name), None)


def by_basic(email: str, token: str) -> Person | None:
    return next((p for p in PEOPLE if p.email == email and p.api_token == token), None)


def by_pat(token: str) -> Person | None:
    return next((p for p in PEOPLE if p.pat == token), None)


def search(query: str) -> list[Person]:
    q = query.lower()
    return [p for p in PEOPLE if q in p.display_name.lower() or q in p.email.lower() or q in p.name.lower()]
