"""What Debrief reads from and writes to Jira."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests
from atlassian import Jira
from atlassian.errors import ApiError

from connector.errors import PermanentAtlassianError, classify
from connector.retry import RetryPolicy, call
from connector.writes import post_once

PAGE = 100
BULK_LIMIT = 50  # issues per bulk create, Jira's limit


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

    def issue_with_activity(self, key_or_id: str) -> tuple[dict, list[dict], list[dict]]:
        """The issue, its changelog (oldest first) and its comments, in one request when they fit:
        ``fields=*all`` carries the comments and ``expand=changelog`` the history (Cloud and Data
        Center alike). Either one that the issue holds only in part (more than one page) is read
        again in full from its paged endpoint."""
        issue = self._get(f"get issue {key_or_id}", f"rest/api/2/issue/{key_or_id}",
                          {"fields": "*all", "expand": "changelog"})
        key = str(issue.get("key") or key_or_id)
        embedded = issue.get("changelog")
        histories = _complete(embedded, "histories")
        if histories is None:
            histories = self.changelog(key)
        histories = sorted(histories, key=lambda h: str(h.get("created") or ""))  # stable: ties keep their order
        comments = _complete((issue.get("fields") or {}).get("comment"), "comments")
        if comments is None:
            comments = self.comments(key)
        return issue, histories, comments

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

    def add_comment(self, key: str, text: str, *, marker: str, looked: bool = False) -> dict:
        """Comment on ``key`` unless a comment containing ``marker`` is there already: a comment
        POST whose answer was lost is looked for before it is ever sent again. ``looked``: the
        caller has just read every comment of the issue and none has ``marker`` (no first look)."""
        def landed() -> dict | None:
            return next((c for c in self.comments(key) if marker in str(c.get("body") or "")), None)

        found = None if looked else landed()
        if found is not None:
            return found
        return post_once(f"comment on {key}", lambda: self.client.issue_add_comment(key, text), landed,
                         self.policy)

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

    # Action-item tickets ---------------------------------------------------------------
    def bulk_create(self, issue_updates: list[dict]) -> dict:
        """``POST /rest/api/2/issue/bulk`` (at most 50): ``{"issues": [...], "errors": [...]}``,
        partial success included (Jira answers 400 with the same shape when every one failed).

        Sent once, never repeated here: an answer lost or a 5xx may hide issues that were
        created, so the caller finds them by their labels later instead of creating again."""
        if len(issue_updates) > BULK_LIMIT:
            raise ValueError(f"at most {BULK_LIMIT} issues per bulk create, got {len(issue_updates)}")
        operation = f"create {len(issue_updates)} issue(s)"
        try:
            response = self.client.post("rest/api/2/issue/bulk", data={"issueUpdates": issue_updates},
                                        advanced_mode=True)
        except (ApiError, requests.RequestException) as exc:
            raise classify(exc, operation) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in (200, 201, 400) and isinstance(body, dict) and (
                "issues" in body or "errors" in body) and isinstance(body.get("errors", []), list):
            return {"issues": list(body.get("issues") or []), "errors": list(body.get("errors") or [])}
        try:
            response.raise_for_status()
        except requests.HTTPError as exc:
            raise classify(exc, operation) from None
        raise classify(requests.HTTPError(f"unexpected answer: {str(body)[:200]}", response=response), operation)

    def create_issue_type_id(self, project: str, name: str) -> str | None:
        """The id of issue type ``name`` as the project's create metadata lists it."""
        data = self._get(f"get create metadata of {project}", f"rest/api/2/issue/createmeta/{project}/issuetypes",
                         {"maxResults": 200})
        types = data.get("issueTypes") or data.get("values") or []
        folded = name.casefold()
        return next((str(t["id"]) for t in types if str(t.get("name", "")).casefold() == folded
                     or str(t.get("id")) == name), None)

    def create_fields(self, project: str, issue_type_id: str) -> list[dict]:
        """The create screen's fields (``fieldId``, ``name``, ``required``, ``hasDefaultValue``)."""
        path = f"rest/api/2/issue/createmeta/{project}/issuetypes/{issue_type_id}"
        out: list[dict] = []
        start = 0
        while True:
            data = self._get(f"get create fields of {project}", path, {"startAt": start, "maxResults": 200})
            values = data.get("fields") or data.get("values") or data.get("results") or []
            out += values
            start += len(values)
            if not values or start >= int(data.get("total") or 0):
                return out

    def priority_names(self) -> list[str]:
        """Jira's priorities, highest first."""
        return [p["name"] for p in self._get("get priorities", "rest/api/2/priority") or [] if p.get("name")]

    def user(self, *, account_id: str | None = None, username: str | None = None,
             key: str | None = None) -> dict | None:
        """A Jira user, or None when there is no such user."""
        params = ({"accountId": account_id} if account_id else {"username": username} if username
                  else {"key": key})
        try:
            return self._get(f"get user {params}", "rest/api/2/user", params)
        except PermanentAtlassianError as exc:
            if exc.status in (400, 404):
                return None
            raise

    def issue_or_none(self, key: str, fields: str = "status,assignee,duedate,project,labels") -> dict | None:
        """An issue (only ``fields``), or None when Jira has no such issue (or hides it)."""
        try:
            return self._get(f"get issue {key}", f"rest/api/2/issue/{key}", {"fields": fields})
        except PermanentAtlassianError as exc:
            if exc.status == 404:
                return None
            raise

    def keys_labelled(self, label: str) -> list[str]:
        """Keys of the issues carrying ``label``, by JQL search (eventually consistent on Cloud:
        a just-created issue may be missing)."""
        jql = f'labels = "{label}"'
        path = "rest/api/3/search/jql" if self.cloud else "rest/api/2/search"
        data = self._get(f"search {jql}", path, {"jql": jql, "fields": "labels", "maxResults": 50})
        keys = []
        for found in (data or {}).get("issues") or []:
            key = found.get("key")
            if not key and found.get("id"):  # an id-only answer: the issue itself names its key
                key = (self.issue_or_none(str(found["id"]), fields="labels") or {}).get("key")
            if key:
                keys.append(key)
        return keys

    def issues_by_key(self, keys: list[str], fields: str = "updated") -> dict[str, dict]:
        """The issues ``keys`` name, with ``fields``, by key (one JQL search, paged; issues Jira
        does not return are left out). Search is eventually consistent: a change may show later."""
        if not keys:
            return {}
        jql = f"key in ({', '.join(keys)})"
        out: dict[str, dict] = {}
        token, start = None, 0
        while True:
            if self.cloud:
                params = {"jql": jql, "fields": fields, "maxResults": PAGE, **({"nextPageToken": token} if token else {})}
                data = self._get("search issues by key", "rest/api/3/search/jql", params) or {}
            else:
                data = self._get("search issues by key", "rest/api/2/search",
                                 {"jql": jql, "fields": fields, "maxResults": PAGE, "startAt": start}) or {}
            issues = data.get("issues") or []
            out |= {str(i["key"]): i for i in issues if i.get("key")}  # an id-only answer is left out
            start += len(issues)
            token = data.get("nextPageToken")
            total = data.get("total")
            if not issues or data.get("isLast") or (self.cloud and not token) or (
                    not self.cloud and total is not None and start >= total):
                return out

    def link(self, data: dict) -> None:
        """``POST /rest/api/2/issueLink`` (Jira keeps one link per type and pair)."""
        call(f"link {data.get('inwardIssue')} to {data.get('outwardIssue')}",
             lambda: self.client.post("rest/api/2/issueLink", data=data), self.policy)


def _complete(listing: Any, items: str) -> list[dict] | None:
    """The entries of an embedded listing (``{startAt, maxResults, total, <items>}``) when it
    holds all of them, else None (absent, or only a first page)."""
    if not isinstance(listing, dict) or not isinstance(listing.get(items), list):
        return None
    values = [v for v in listing[items] if isinstance(v, dict)]
    total = listing.get("total")
    if int(listing.get("startAt") or 0) != 0 or not isinstance(total, int) or total > len(values):
        return None
    return values
