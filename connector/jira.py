"""What Debrief reads from and writes to Jira."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from atlassian import Jira

from connector.retry import RetryPolicy, call

PAGE = 100


class JiraGateway:
    def __init__(self, client: Jira, *, cloud: bool, policy: RetryPolicy | None = None):
        self.client, self.cloud = client, cloud
        self.policy = policy or RetryPolicy()

    @property
    def base_url(self) -> str:
        return self.client.url.rstrip("/")

    def _get(self, operation: str, path: str, params: dict | None = None) -> Any:
        return call(operation, lambda: self.client.get(path, params=params), self.policy)

    def issue(self, key_or_id: str) -> dict:
        return self._get(f"get issue {key_or_id}", f"rest/api/2/issue/{key_or_id}",
                         {"fields": "*all"})

    def changelog(self, key: str) -> list[dict]:
        """Every history entry, oldest first, following Jira's pages."""
        if not self.cloud:
            issue = self._get(f"get changelog of {key}", f"rest/api/2/issue/{key}",
                              {"fields": "summary", "expand": "changelog"})
            return list((issue.get("changelog") or {}).get("histories") or [])
        return list(self._paged(f"get changelog of {key}", f"rest/api/2/issue/{key}/changelog", "values"))

    def comments(self, key: str) -> list[dict]:
        return list(self._paged(f"get comments of {key}", f"rest/api/2/issue/{key}/comment", "comments"))

    def _paged(self, operation: str, path: str, items: str) -> Iterator[dict]:
        start = 0
        while True:
            page = self._get(operation, path, {"startAt": start, "maxResults": PAGE})
            values = page.get(items) or []
            yield from values
            start += len(values)
            total = page.get("total")
            if not values or page.get("isLast") or (total is not None and start >= total):
                return

    def add_comment(self, key: str, text: str) -> dict:
        return call(f"comment on {key}", lambda: self.client.issue_add_comment(key, text), self.policy)

    def upsert_remote_link(self, key: str, *, url: str, title: str, global_id: str, summary: str = "") -> None:
        body = {
            "globalId": global_id,
            "application": {"type": "com.atlassian.confluence", "name": "Confluence"},
            "relationship": "Postmortem",
            "object": {"url": url, "title": title, "summary": summary,
                       "icon": {"url16x16": f"{self.base_url}/favicon.ico", "title": "Postmortem"}},
        }
        call(f"link {key} to its postmortem",
             lambda: self.client.post(f"rest/api/2/issue/{key}/remotelink", data=body), self.policy)
