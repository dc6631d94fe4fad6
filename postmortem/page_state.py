"""What the ``debrief`` content property of a postmortem page holds, as one typed value.

``PageState`` is what Debrief knows about a page it wrote: status, incident, template,
language, when it was created and last brought up to date, the Debrief version, why the page
was drafted, which labels and watchers Debrief itself set, what it last wrote into the cells
it owns ({cell id: storage xml}), the fingerprint of the incident it last saw, and an open
``extra`` mapping later stages extend (gates, approvals, action items, ...).

``from_dict`` is tolerant: keys it does not know go to ``extra`` and survive a round trip;
missing keys get defaults; wrong types are coerced or dropped, never a crash. ``to_dict``
gives plain JSON values.

Labels are computed from the state, the incident and the configured labels, and removed as
well as added: only labels Debrief set itself are ever removed, never ones people added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from postmortem.incident import Incident
from postmortem.page_context import postmortem_labels

_KNOWN = ("incident", "status", "template", "language", "created", "updated", "debrief_version",
          "trigger", "labels", "watchers", "link", "owned", "fingerprint")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return tuple(dict.fromkeys(str(v) for v in value if isinstance(v, str | int) and str(v)))
    return ()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _frozen(mapping: Any, values=lambda v: v) -> Mapping[str, Any]:
    if not isinstance(mapping, Mapping):
        return _EMPTY
    return MappingProxyType({str(k): values(v) for k, v in mapping.items()})


def _plain(value: Any) -> Any:
    """A JSON value from what ``extra`` may hold (mapping proxies, tuples)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class PageState:
    incident: str
    status: str = "draft"
    template: str = ""
    language: str = ""
    created: str = ""  # ISO 8601, UTC
    updated: str = ""
    debrief_version: str = ""
    trigger: tuple[str, ...] = ()  # the reasons the page was drafted
    labels: tuple[str, ...] = ()  # labels Debrief put on the page (the only ones it removes)
    watchers: tuple[str, ...] = ()  # people Debrief made watchers (never re-added once there)
    link: Mapping[str, str] = field(default_factory=dict)  # the Jira remote link last written {url, title}
    owned: Mapping[str, str] = field(default_factory=dict)  # {cell id: storage xml Debrief last wrote}
    fingerprint: str = ""  # of the incident facts the page was last brought up to date with
    extra: Mapping[str, Any] = field(default_factory=dict)  # later stages: gates, approvals, items, ...

    def __post_init__(self):
        object.__setattr__(self, "trigger", _strings(self.trigger))
        object.__setattr__(self, "labels", _strings(self.labels))
        object.__setattr__(self, "watchers", _strings(self.watchers))
        object.__setattr__(self, "link", _frozen(self.link, _text))
        object.__setattr__(self, "owned", _frozen(self.owned, _text))
        object.__setattr__(self, "extra", _frozen(self.extra))

    @classmethod
    def from_dict(cls, data: Any) -> PageState:
        """The state from a property value, whatever version of Debrief wrote it."""
        data = data if isinstance(data, Mapping) else {}
        extra = {k: v for k, v in data.items() if k not in _KNOWN and k != "extra"}
        if isinstance(data.get("extra"), Mapping):
            extra = {**extra, **data["extra"]}
        return cls(
            incident=_text(data.get("incident")), status=_text(data.get("status")) or "draft",
            template=_text(data.get("template")), language=_text(data.get("language")),
            created=_text(data.get("created")), updated=_text(data.get("updated")),
            debrief_version=_text(data.get("debrief_version")), trigger=data.get("trigger") or (),
            labels=data.get("labels") or (), watchers=data.get("watchers") or (),
            link=data.get("link") or {}, owned=data.get("owned") or {},
            fingerprint=_text(data.get("fingerprint")), extra=extra)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "incident": self.incident, "status": self.status, "template": self.template,
            "language": self.language, "created": self.created, "updated": self.updated,
            "debrief_version": self.debrief_version, "trigger": list(self.trigger),
            "labels": list(self.labels), "watchers": list(self.watchers), "link": dict(self.link),
            "owned": dict(self.owned), "fingerprint": self.fingerprint,
        }
        # Unknown keys of older or newer versions stay at the top level, where they were found.
        out.update({k: _plain(v) for k, v in self.extra.items() if k not in out})
        return out

    def with_extra(self, **values: Any) -> PageState:
        return replace(self, extra={**self.extra, **values})

    def same_content(self, other: PageState | None) -> bool:
        """Equal but for ``updated``: writing ``self`` over ``other`` would change nothing."""
        return other is not None and replace(self, updated="") == replace(other, updated="")


def new_state(incident: Incident, *, template: str, language: str, now: datetime, debrief_version: str,
              trigger: Iterable[str]) -> PageState:
    when = iso(now)
    return PageState(incident=incident.key, status="draft", template=template, language=language,
                     created=when, updated=when, debrief_version=debrief_version, trigger=tuple(trigger))


def iso(now: datetime) -> str:
    return now.isoformat(timespec="seconds")


def incident_fingerprint(incident: Incident) -> str:
    """A digest of the incident facts a page's labels, state, watchers and link derive from,
    and of the facts a page shows: a changed incident has another fingerprint."""
    facts = {
        "key": incident.key, "summary": incident.summary, "status": incident.status,
        "severity": incident.severity, "priority": incident.priority, "service": incident.service,
        "impact": incident.impact, "detection": incident.detection_method,
        "labels": sorted(incident.labels),
        "times": [t.isoformat() if t else None for t in (incident.started, incident.detected,
                                                          incident.mitigated, incident.resolved)],
        "people": [p.account_id for p in incident.participants],
    }
    raw = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def period_labels(state: PageState | None) -> tuple[str, ...]:
    """The year and quarter labels the archive gave the page (kept by every later label change)."""
    record = state.extra.get("archive") if state is not None else None
    labels = record.get("labels") if isinstance(record, Mapping) else None
    return _strings(labels) if labels else ()


@dataclass(frozen=True)
class LabelChange:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    debrief_labels: tuple[str, ...] = ()  # what the state records as Debrief's after the change

    @property
    def empty(self) -> bool:
        return not self.add and not self.remove


def label_change(state: PageState | None, incident: Incident, configured: Iterable[str],
                 on_page: Iterable[str], *, status: str | None = None) -> LabelChange:
    """Labels to add and remove so the page carries what the incident calls for now.

    Removed: only labels Debrief set before (``state.labels``) that the incident no longer
    calls for, and that are still on the page. A label a person added is never removed, even
    when it looks like one of Debrief's (``sev-2`` put there by hand stays)."""
    status = status or (state.status if state else "draft")
    wanted = list(dict.fromkeys([*postmortem_labels(incident, configured, status=status), *period_labels(state)]))
    present = set(on_page)
    ours_before = set(state.labels) if state else set()
    add = tuple(label for label in wanted if label not in present)
    remove = tuple(label for label in sorted(ours_before - set(wanted)) if label in present)
    # Debrief's labels after the change: the wanted ones it added now or before; a wanted
    # label that a person had put on the page before Debrief stays theirs.
    ours_after = tuple(label for label in wanted if label in add or label in ours_before)
    return LabelChange(add, remove, ours_after)
