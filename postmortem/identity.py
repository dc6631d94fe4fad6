"""How each Atlassian deployment names a person: the one place that chooses.

Cloud names everyone by account id, everywhere. Data Center has no account ids: Jira and
Confluence REST calls take the username (watchers ``?username=``, assignees ``{"name": ...}``,
restrictions ``{"username": ...}``, Jira mentions ``[~username]``), and a Confluence page names
a user by Confluence's own *user key* (``ri:userkey``), an opaque id that is neither the
username nor Jira's user key: it is looked up by username (``GET /rest/api/user?username=``)
and handed in as ``confluence_keys``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from postmortem.incident import Person

CLOUD = "cloud"
DATACENTER = "datacenter"
DEPLOYMENTS = (CLOUD, DATACENTER)


@dataclass(frozen=True)
class Mention:
    """A storage-format user reference: ``<ri:user ri:{attribute}="{value}"/>``."""

    attribute: str  # "account-id" (Cloud) or "userkey" (Data Center)
    value: str


@dataclass(frozen=True)
class Identities:
    """The names of people as ``deployment`` understands them."""

    deployment: str = CLOUD
    confluence_keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.deployment not in DEPLOYMENTS:
            raise ValueError(f"deployment must be one of {', '.join(DEPLOYMENTS)}, not {self.deployment!r}")

    @property
    def datacenter(self) -> bool:
        return self.deployment == DATACENTER

    def handle(self, person: Person) -> str:
        """What REST calls name ``person`` by: the account id (Cloud) or the username (DC)."""
        if self.datacenter:
            return person.username or person.account_id
        return person.account_id

    def watcher_params(self, person: Person) -> dict[str, str]:
        """Query parameters of ``/rest/api/user/watch/content/{id}``."""
        return {"username" if self.datacenter else "accountId": self.handle(person)}

    def user_lookup_params(self, person: Person) -> dict[str, str]:
        """Query parameters of ``GET /rest/api/user`` (Jira and Confluence)."""
        return self.watcher_params(person)

    def jira_user(self, person: Person) -> dict[str, str]:
        """A Jira user field value (assignee, reporter, user pickers)."""
        return {"name" if self.datacenter else "accountId": self.handle(person)}

    def restriction_user(self, person: Person) -> dict[str, str]:
        """One entry of a Confluence restriction's ``restrictions.user`` list."""
        return {"type": "known", "username" if self.datacenter else "accountId": self.handle(person)}

    def jira_mention(self, person: Person) -> str:
        """A mention in a Jira comment (wiki markup): notifies the person."""
        return f"[~{self.handle(person)}]" if self.datacenter else f"[~accountid:{person.account_id}]"

    def mention(self, person: Person | None) -> Mention | None:
        """How a Confluence page names ``person``; None when Confluence does not know them (a DC
        user whose key was not found): the page then shows the name as text."""
        if person is None:
            return None
        if not self.datacenter:
            return Mention("account-id", person.account_id) if person.account_id else None
        key = self.confluence_keys.get(self.handle(person))
        return Mention("userkey", key) if key else None

    def with_confluence_keys(self, keys: Mapping[str, str]) -> Identities:
        return Identities(self.deployment, MappingProxyType(dict(keys)))
