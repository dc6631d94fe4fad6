"""What Debrief reads from and writes to Confluence (REST v1, Cloud and Data Center)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from atlassian.confluence import ConfluenceServer

from connector.errors import PermanentAtlassianError
from connector.retry import RetryPolicy, call

STATE_PROPERTY = "debrief"


def cql_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ConfluenceGateway:
    def __init__(self, client: ConfluenceServer, *, cloud: bool, policy: RetryPolicy | None = None):
        self.client, self.cloud = client, cloud
        self.policy = policy or RetryPolicy()

    @property
    def base_url(self) -> str:
        return self.client.url.rstrip("/")

    def _call(self, operation: str, fn):
        return call(operation, fn, self.policy)

    # Finding pages -----------------------------------------------------------------------
    def search(self, cql: str, *, limit: int = 50) -> Iterator[dict]:
        """Every CQL result, following ``_links.next`` from ``_links.base`` (the library's own
        pager drops the context path)."""
        page = self._call(f"search {cql}", lambda: self.client.get(
            "rest/api/search", params={"cql": cql, "limit": limit, "expand": "content.version"}))
        while True:
            yield from page.get("results") or []
            links = page.get("_links") or {}
            if not links.get("next"):
                return
            url = (links.get("base") or self.base_url).rstrip("/") + links["next"]
            page = self._call(f"search {cql} (next page)", lambda u=url: self.client.get(u, absolute=True))

    def find_labelled_page(self, labels: list[str], spaces: list[str]) -> dict | None:
        """The first page carrying every one of ``labels`` in any of ``spaces``."""
        space_list = ", ".join(cql_quote(s) for s in spaces)
        wanted = " and ".join(f"label = {cql_quote(label)}" for label in labels)
        cql = f"type = page and {wanted} and space in ({space_list})"
        for result in self.search(cql):
            content = result.get("content") or {}
            if content.get("id"):
                return content
        return None

    def page_id_by_title(self, space: str, title: str) -> str | None:
        found = self._call(f"find page {title!r} in {space}", lambda: self.client.get(
            "rest/api/content", params={"spaceKey": space, "title": title, "type": "page"}))
        results = (found or {}).get("results") or []
        return results[0]["id"] if results else None

    def space_home_id(self, space: str) -> str:
        data = self._call(f"get space {space}", lambda: self.client.get(
            f"rest/api/space/{quote(space)}", params={"expand": "homepage"}))
        home = (data or {}).get("homepage") or {}
        if not home.get("id"):
            raise PermanentAtlassianError(f"space {space} has no home page", operation="get space")
        return str(home["id"])

    def web_url(self, page: dict) -> str:
        links = page.get("_links") or {}
        base = (links.get("base") or self.base_url).rstrip("/")
        return base + links["webui"] if links.get("webui") else f"{self.base_url}/pages/viewpage.action?pageId={page['id']}"

    # Writing -----------------------------------------------------------------------------
    def create_page(self, *, space: str, title: str, body: str, parent_id: str | None,
                    labels: list[str]) -> dict:
        data: dict[str, Any] = {
            "type": "page", "title": title, "space": {"key": space},
            "body": {"storage": {"value": body, "representation": "storage"}},
            "metadata": {"labels": [{"prefix": "global", "name": n} for n in labels]},
        }
        if parent_id:
            data["ancestors"] = [{"id": parent_id}]
        return self._call(f"create page {title!r}", lambda: self.client.post("rest/api/content", data=data))

    def add_labels(self, page_id: str, labels: list[str]) -> None:
        body = [{"prefix": "global", "name": n} for n in labels]
        self._call(f"label page {page_id}", lambda: self.client.post(f"rest/api/content/{page_id}/label", data=body))

    def get_state(self, page_id: str) -> tuple[dict, int] | None:
        """The page's ``debrief`` content property and its version, or None."""
        try:
            data = self._call(f"get state of page {page_id}", lambda: self.client.get(
                f"rest/api/content/{page_id}/property/{STATE_PROPERTY}"))
        except PermanentAtlassianError as exc:
            if exc.status == 404:
                return None
            raise
        return data["value"], data["version"]["number"]

    def put_state(self, page_id: str, value: dict, version: int | None) -> None:
        """Create (version None) or update the ``debrief`` property; a stale version is a 409."""
        if version is None:
            self._call(f"set state of page {page_id}", lambda: self.client.post(
                f"rest/api/content/{page_id}/property", data={"key": STATE_PROPERTY, "value": value}))
        else:
            self._call(f"update state of page {page_id}", lambda: self.client.put(
                f"rest/api/content/{page_id}/property/{STATE_PROPERTY}",
                data={"key": STATE_PROPERTY, "value": value, "version": {"number": version + 1}}))

    def watch(self, page_id: str, person_id: str) -> None:
        """Make someone a watcher, so Confluence's own notifications reach them."""
        param = "accountId" if self.cloud else "username"
        self._call(f"add watcher to page {page_id}", lambda: self.client.post(
            f"rest/api/user/watch/content/{page_id}", params={param: person_id},
            headers={**self.client.default_headers, "X-Atlassian-Token": "no-check"}))
