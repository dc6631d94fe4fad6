"""Keeping a postmortem page in step with its incident: what to write, decided from what was read.

``plan_upkeep`` compares the page's state, its labels and the incident and returns only the
writes that would change something: labels to add and remove, people to make watchers, the
Jira remote link, the Jira comment announcing the draft, and the new page state. A plan with
no writes means the page is up to date; the job then makes no Atlassian write at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType

from postmortem.incident import Incident, Person
from postmortem.notices import draft_comment
from postmortem.page_context import postmortem_labels
from postmortem.page_state import (
    LabelChange,
    PageState,
    incident_fingerprint,
    iso,
    label_change,
    new_state,
)
from postmortem.triggers import Decision


@dataclass(frozen=True)
class PageFacts:
    """What a job read about the page: where it is and what it carries."""

    page_id: str
    url: str
    title: str
    labels: tuple[str, ...]
    state: PageState | None


@dataclass(frozen=True)
class UpkeepPlan:
    page_id: str
    labels: LabelChange
    watch: tuple[Person, ...]
    link: Mapping[str, str] | None  # {url, title} to upsert on the incident, or None
    comment: str | None  # the Jira comment to post (it links the page, so it contains the url), or None
    state: PageState  # the state after the plan
    write_state: bool
    url: str = ""  # the page's address: what marks Debrief's comment on the incident

    @property
    def writes(self) -> list[str]:
        """Each Atlassian write the plan makes, in words (empty: nothing to do)."""
        out = [f"add label {label}" for label in self.labels.add]
        out += [f"remove label {label}" for label in self.labels.remove]
        out += [f"make {person.label} a watcher" for person in self.watch]
        if self.link is not None:
            out.append(f"link the incident to {self.link['url']}")
        if self.comment is not None:
            out.append("comment on the incident")
        if self.write_state:
            out.append("write the page state")
        return out


def initial_state(incident: Incident, *, template: str, language: str, now: datetime, debrief_version: str,
                  decision: Decision, labels: Iterable[str]) -> PageState:
    """The state of a page Debrief has just created with ``labels``."""
    state = new_state(incident, template=template, language=language, now=now,
                      debrief_version=debrief_version, trigger=[r.reason for r in decision.fired])
    return replace(state, labels=tuple(labels))


def plan_upkeep(page: PageFacts, incident: Incident, decision: Decision, *, configured_labels: Iterable[str],
                template: str, language: str, debrief_version: str, now: datetime) -> UpkeepPlan:
    configured_labels = tuple(configured_labels)
    before = page.state
    if before is None:
        # A page Debrief created but never recorded (it died in between): the labels it
        # calls for that are on the page are taken to be Debrief's own.
        wanted = postmortem_labels(incident, configured_labels, status="draft")
        base = initial_state(incident, template=template, language=language, now=now,
                             debrief_version=debrief_version, decision=decision,
                             labels=[label for label in wanted if label in page.labels])
    else:
        base = before
    change = label_change(base, incident, configured_labels, page.labels)
    watch = tuple(p for p in incident.participants if p.account_id and p.account_id not in base.watchers)
    link = {"url": page.url, "title": page.title}
    link_write = None if dict(base.link) == link else MappingProxyType(link)
    comment = None
    if not any(page.url in c.body for c in incident.comments):
        comment = draft_comment(language, title=page.title, url=page.url,
                                reasons=[r.reason for r in decision.fired])
    after = replace(base, labels=change.debrief_labels, watchers=tuple(dict.fromkeys((*base.watchers, *(p.account_id for p in watch)))),
                    link=link, fingerprint=incident_fingerprint(incident))
    write_state = not after.same_content(before)
    if write_state:
        after = replace(after, updated=iso(now))
    return UpkeepPlan(page.page_id, change, watch, link_write, comment, after, write_state, url=page.url)
