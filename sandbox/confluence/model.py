"""Plain records the Confluence half keeps: spaces, content (pages and comments), versions,
content properties. JSON round-trip lives here too so the demo can save its state file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    """Confluence timestamps: ISO 8601, milliseconds, UTC 'Z'."""
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Version:
    number: int
    when: str
    by: str | None  # account id of the author (None: anonymous)
    message: str = ""
    minor_edit: bool = False
    title: str = ""
    body: str = ""


@dataclass
class Property:
    id: str
    key: str
    value: Any
    version: int = 1
    when: str = ""
    by: str | None = None
    message: str = ""
    minor_edit: bool = False


@dataclass
class Content:
    """A page or a comment. Comments keep their page in ``parent_id``."""

    id: str
    type: str
    title: str
    space_key: str
    body: str
    created: str
    created_by: str | None
    status: str = "current"
    parent_id: str | None = None
    position: int = 0
    versions: list[Version] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    properties: dict[str, Property] = field(default_factory=dict)
    watchers: list[str] = field(default_factory=list)
    reply_to: str | None = None  # comments: the comment this one answers
    # Content restrictions by operation ("read", "update"): {"user": [account ids], "group": [names]}
    restrictions: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def version(self) -> Version:
        return self.versions[-1]

    @property
    def last_modified(self) -> str:
        return self.version.when

    def add_version(self, by: str | None, message: str = "", minor_edit: bool = False) -> Version:
        version = Version(
            number=(self.versions[-1].number + 1) if self.versions else 1,
            when=now_iso(),
            by=by,
            message=message,
            minor_edit=minor_edit,
            title=self.title,
            body=self.body,
        )
        self.versions.append(version)
        return version

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Content:
        data = dict(data)
        data["versions"] = [Version(**v) for v in data.get("versions", [])]
        data["properties"] = {k: Property(**p) for k, p in data.get("properties", {}).items()}
        return cls(**data)


@dataclass
class Space:
    id: int
    key: str
    name: str
    homepage_id: str | None = None
    description: str = ""
    type: str = "global"
    status: str = "current"
    created: str = ""
    created_by: str | None = None
    watchers: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)  # account ids that may view but not add or move pages in

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Space:
        return cls(**data)
