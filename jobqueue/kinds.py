"""Every kind of job Debrief runs, declared once: its name, the function that runs it, how its
id derives from a stable key, its retry policy and its timeout.

Functions are named by dotted path, so the web process never imports job code. An id derived
from the key makes a job unique per key (one pending draft per incident, one sweep per time
slot) however many deliveries race for it. Adding a kind is one ``JobKind(...)`` line here and
the function it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rq import Retry

# Back-off for Atlassian outages beyond what a job retries itself (seconds).
BACKOFF = Retry(max=5, interval=[10, 30, 60, 120, 300])
DEFAULT_TIMEOUT = 300
RESULT_TTL = 7 * 24 * 3600


def job_slug(text: str) -> str:
    """RQ job ids allow only letters, digits, - and _."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


@dataclass(frozen=True)
class JobKind:
    name: str
    func: str  # dotted path of the RQ entry point
    retry: Retry | None = BACKOFF
    timeout: int = DEFAULT_TIMEOUT
    result_ttl: int = RESULT_TTL
    # True for kinds that run once per key (a sweep slot): a job of that id, whatever its
    # status, absorbs the submit. Otherwise a finished or failed job makes way for a new run
    # (jobs re-read Jira, so one more run brings the page up to date).
    once_per_key: bool = False

    def job_id(self, key: str) -> str:
        return f"{self.name}-{job_slug(key)}"


class UnknownJobKind(KeyError):
    pass


class JobKinds:
    def __init__(self, *kinds: JobKind):
        self._kinds = {k.name: k for k in kinds}
        if len(self._kinds) != len(kinds):
            raise ValueError("two job kinds share a name")

    def __getitem__(self, name: str) -> JobKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownJobKind(f"no job kind {name!r}; known: {', '.join(self._kinds)}") from None

    def __iter__(self):
        return iter(self._kinds.values())

    def names(self) -> list[str]:
        return list(self._kinds)


KINDS = JobKinds(
    # The first draft of an incident's postmortem page (key: the incident key).
    JobKind("draft", "jobs.draft.draft_job"),
    # An incident that has a page changed: labels, state, watchers, link (key: the incident key).
    JobKind("refresh", "jobs.draft.refresh_job"),
    # A delivery that names its issue only by id (Data Center comments): fetch, then decide.
    JobKind("consider", "jobs.intake.consider_job"),
    # A Confluence page changed: run the per-page duties for it (key: the page id).
    JobKind("page", "jobs.pages.page_job"),
    # Archive an approved postmortem page (key: the page id).
    JobKind("archive", "jobs.archive.archive_job"),
    # The periodic sweep over open drafts (key: the time slot); once per slot, never rerun.
    JobKind("sweep", "jobs.sweep.sweep_job", retry=None, timeout=900, result_ttl=48 * 3600,
            once_per_key=True),
)
