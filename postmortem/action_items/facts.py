"""What the action-item planning is told about the world: Jira's users and tickets, the Redis
claims of rows, the project's create screen, the clock. The job gathers them; plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class JiraUser:
    """A Jira user: Cloud has ``account_id``; Data Center ``name`` (username) and ``key``."""

    account_id: str = ""
    name: str = ""
    key: str = ""
    display_name: str = ""
    confluence_key: str = ""  # Data Center: the ri:userkey Confluence pages name them by

    @property
    def ident(self) -> str:
        return self.account_id or self.key or self.name

    def assignee(self, cloud: bool) -> dict:
        return {"accountId": self.account_id} if cloud else {"name": self.name or self.key}

    def mention(self, cloud: bool) -> tuple[str, str]:
        """How a page's user link names them: ``ri:account-id`` (Cloud), ``ri:userkey`` (Data
        Center, Confluence's own key), else ``ri:username``."""
        if cloud and self.account_id:
            return "account-id", self.account_id
        return ("userkey", self.confluence_key) if self.confluence_key else ("username", self.name)


@dataclass(frozen=True)
class Ticket:
    key: str
    status_category: str = "new"
    assignee: JiraUser | None = None
    due: str = ""  # ISO date or ""


@dataclass(frozen=True)
class Claim:
    """A row claimed for creation in Redis: when, and the key once Jira answered."""

    row_id: str
    started: datetime
    key: str = ""
    row: int = 0  # the row's number and action text when claimed: a row whose text changed
    action: str = ""  # before its key was written is still known as the same row


@dataclass(frozen=True)
class CreateScreen:
    """What the project's create screen asks: required fields Debrief cannot fill (by name)
    and the field ids it can set (None: not known, send everything)."""

    unfillable: tuple[str, ...] = ()
    settable: frozenset[str] | None = None


@dataclass(frozen=True)
class Facts:
    today: date  # in the configured timezone
    severity: str | None
    language: str
    cloud: bool
    priorities: tuple[str, ...] = ()  # Jira's priority names, highest first
    users: Mapping[str, JiraUser | None] = field(default_factory=dict)  # mention ref -> user, None: not one
    tickets: Mapping[str, Ticket | None] = field(default_factory=dict)  # key -> ticket, None: no such issue
    claims: Mapping[str, Claim] = field(default_factory=dict)  # row id -> claim
    screen: CreateScreen = field(default_factory=CreateScreen)
    approved: bool = False
