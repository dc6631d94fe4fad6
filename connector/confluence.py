"""What Debrief reads from and writes to Confluence (REST v1, Cloud and Data Center)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

from atlassian.confluence import ConfluenceServer

from connector.errors import PermanentAtlassianError
from connector.retry import RetryPolicy, call
from connector.writes import post_once
from postmortem.identity import CLOUD, DATACENTER, Identities
from postmortem.incident import Person

STATE_PROPERTY = "debrief"


def cql_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ConfluenceGateway:
    def __init__(self, client: ConfluenceServer, *, cloud: bool, policy: RetryPolicy | None = None):
        self.client, self.cloud = client, cloud
        self.policy = policy or RetryPolicy()
        self.identities = Identities(CLOUD if cloud else DATACENTER)

    @property
    def base_url(self) -> str:
        return self.client.url.rstrip("/")

    def _call(self, operation: str, fn):
        return call(operation, fn, self.policy)

    # Finding pages -----------------------------------------------------------------------
    def search(self, cql: str, *, limit: int = 50, expand: str = "content.version") -> Iterator[dict]:
        """Every CQL result, following ``_links.next`` from ``_links.base`` (the library's own
        pager drops the context path)."""
        page = self._call(f"search {cql}", lambda: self.client.get(
            "rest/api/search", params={"cql": cql, "limit": limit, "expand": expand}))
        while True:
            yield from page.get("results") or []
            links = page.get("_links") or {}
            if not links.get("next"):
                return
            url = (links.get("base") or self.base_url).rstrip("/") + links["next"]
            page = self._call(f"search {cql} (next page)", lambda u=url: self.client.get(u, absolute=True))

    def find_labelled_page(self, labels: list[str], spaces: list[str]) -> dict | None:
        """The first page carrying every one of ``labels`` in any of ``spaces``, with its
        labels and ``debrief`` property (read them with ``page_labels_of``/``state_of``)."""
        return next(self.labelled_pages(labels, spaces), None)

    def labelled_pages(self, labels: list[str], spaces: list[str]) -> Iterator[dict]:
        """Every page carrying all of ``labels`` in ``spaces`` (one CQL, paged), each with its
        version, labels and ``debrief`` property expanded."""
        space_list = ", ".join(cql_quote(s) for s in spaces)
        wanted = " and ".join(f"label = {cql_quote(label)}" for label in labels)
        cql = f"type = page and {wanted} and space in ({space_list})"
        expand = f"content.version,content.metadata.labels,content.metadata.properties.{STATE_PROPERTY}"
        for result in self.search(cql, expand=expand):
            content = result.get("content") or {}
            if content.get("id"):
                yield content

    def page_labels_of(self, page: dict) -> list[str]:
        """The labels of a page found by ``labelled_pages`` (read again when not expanded)."""
        labels = ((page.get("metadata") or {}).get("labels") or {})
        if "results" in labels and not (labels.get("_links") or {}).get("next"):
            return [item["name"] for item in labels["results"] if item.get("name")]
        return self.page_labels(str(page["id"]))

    def state_of(self, page: dict) -> tuple[dict, int] | None:
        """The ``debrief`` property of a page found by ``labelled_pages`` (read when not expanded)."""
        props = (page.get("metadata") or {}).get("properties")
        if isinstance(props, dict) and STATE_PROPERTY in props:
            prop = props[STATE_PROPERTY]
            return prop["value"], prop["version"]["number"]
        return self.get_state(str(page["id"]))

    def page_labels(self, page_id: str) -> list[str]:
        names: list[str] = []
        start = 0
        while True:
            data = self._call(f"get labels of page {page_id}", lambda s=start: self.client.get(
                f"rest/api/content/{page_id}/label", params={"start": s, "limit": 200}))
            results = (data or {}).get("results") or []
            names += [item["name"] for item in results if item.get("name")]
            start += len(results)
            if not results or not ((data or {}).get("_links") or {}).get("next"):
                return names

    def page_id_by_title(self, space: str, title: str) -> str | None:
        found = self._call(f"find page {title!r} in {space}", lambda: self.client.get(
            "rest/api/content", params={"spaceKey": space, "title": title, "type": "page"}))
        results = (found or {}).get("results") or []
        return results[0]["id"] if results else None

    def page_by_title(self, space: str, title: str) -> dict | None:
        """The current page titled exactly ``title`` in ``space`` (a content lookup, not search:
        it sees a page the moment it exists), with its labels; or None."""
        found = self._call(f"find page {title!r} in {space}", lambda: self.client.get(
            "rest/api/content", params={"spaceKey": space, "title": title, "type": "page",
                                        "expand": "version,space,metadata.labels"}))
        results = (found or {}).get("results") or []
        return results[0] if results else None

    def page_with_state(self, page_id: str) -> dict | None:
        """The page by id (a direct read, never search), with its version, space, labels and
        ``debrief`` property expanded (read them with ``page_labels_of``/``state_of``); None
        when there is no such page (deleted, or hidden from Debrief)."""
        try:
            page = self._call(f"get page {page_id}", lambda: self.client.get(
                f"rest/api/content/{page_id}",
                params={"expand": f"version,space,metadata.labels,metadata.properties.{STATE_PROPERTY}"}))
        except PermanentAtlassianError as exc:
            if exc.status == 404:
                return None
            raise
        if not page or page.get("status", "current") != "current":
            return None
        return page

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
                    labels: list[str], mine: Callable[[dict], bool]) -> dict:
        """Create the page, or return it when it exists already: ``mine(page)`` tells our page
        (e.g. by its incident label) from someone else's of the same title. A create whose answer
        was lost is looked up by title before it is sent again; a title clash with our own page
        is that page, a clash with another page is a PermanentAtlassianError saying so."""
        data: dict[str, Any] = {
            "type": "page", "title": title, "space": {"key": space},
            "body": {"storage": {"value": body, "representation": "storage"}},
            "metadata": {"labels": [{"prefix": "global", "name": n} for n in labels]},
        }
        if parent_id:
            data["ancestors"] = [{"id": parent_id}]
        operation = f"create page {title!r} in {space}"

        def ours() -> dict | None:
            page = self.page_by_title(space, title)
            return page if page is not None and mine(page) else None

        try:
            return post_once(operation, lambda: self.client.post("rest/api/content", data=data), ours, self.policy)
        except PermanentAtlassianError as exc:
            if exc.status != 400 or not _title_clash(str(exc)):
                raise
            page = self.page_by_title(space, title)
            if page is None:
                raise
            if mine(page):  # an earlier attempt made it after all: that is the page
                return page
            raise PermanentAtlassianError(
                f"{operation}: a page with this title already exists in space {space} (page {page['id']}, "
                f"{self.web_url(page)}) and it is not this incident's postmortem. Rename or move that page, "
                "then replay the job.", status=400, operation=operation) from None

    def add_labels(self, page_id: str, labels: list[str]) -> None:
        body = [{"prefix": "global", "name": n} for n in labels]
        self._call(f"label page {page_id}", lambda: self.client.post(f"rest/api/content/{page_id}/label", data=body))

    def remove_label(self, page_id: str, label: str) -> None:
        self._call(f"remove label {label} from page {page_id}", lambda: self.client.delete(
            f"rest/api/content/{page_id}/label", params={"name": label}))

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
        """Write the ``debrief`` property over ``version`` (None: it does not exist yet).

        Always a PUT of version+1 (Confluence creates the property on a PUT of version 1), so
        a property written by someone else meanwhile is a 409, raised as ConflictError for the
        caller to re-read, never a duplicate."""
        self._call(f"set state of page {page_id}", lambda: self.client.put(
            f"rest/api/content/{page_id}/property/{STATE_PROPERTY}",
            data={"key": STATE_PROPERTY, "value": value, "version": {"number": (version or 0) + 1}}))

    # Moving and restricting (the archive) ----------------------------------------------------
    def page_place(self, page_id: str) -> dict:
        """Where the page is now: the page with ``space``, ``ancestors``, ``version`` and its
        labels expanded (a direct read, never search: it is right the moment after a move)."""
        return self._call(f"get page {page_id}", lambda: self.client.get(
            f"rest/api/content/{page_id}", params={"expand": "space,ancestors,version,metadata.labels"}))

    def move_page(self, page_id: str, *, target_id: str, space: str) -> None:
        """Make the page the last child of ``target_id`` (which may be in another space), with its
        children and its id. Cloud: REST v1 ``PUT content/{id}/move/append/{target}``; Data
        Center: the ``movepage.action`` UI action (REST cannot move across spaces there). The
        answer is not trusted: callers read ``page_place`` again to see where the page is."""
        operation = f"move page {page_id} under page {target_id} in {space}"
        if self.cloud:
            self._call(operation, lambda: self.client.put(f"rest/api/content/{page_id}/move/append/{target_id}"))
        else:
            self._call(operation, lambda: self.client.post(
                "pages/movepage.action",
                params={"pageId": page_id, "spaceKey": space, "targetId": target_id, "position": "append"},
                headers={**self.client.default_headers, "X-Atlassian-Token": "no-check"}))

    def current_user(self) -> str:
        """Debrief's own account as restrictions name it: account id (Cloud), username (DC)."""
        data = self._call("get the current user", lambda: self.client.get("rest/api/user/current")) or {}
        handle = data.get("accountId") if self.cloud else (data.get("username") or data.get("name"))
        if not handle:
            raise PermanentAtlassianError("Confluence did not say who Debrief signs in as", operation="current user")
        return str(handle)

    def edit_restriction(self, page_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Who may edit the page: (users, groups), users by account id (Cloud) or username (DC);
        both empty when anyone who can see the page may edit it."""
        data = self._call(f"get edit restrictions of page {page_id}", lambda: self.client.get(
            f"rest/api/content/{page_id}/restriction/byOperation/update",
            params={"expand": "restrictions.user,restrictions.group"})) or {}
        rules = data.get("restrictions") or {}
        key = "accountId" if self.cloud else "username"
        users = tuple(str(u[key]) for u in (rules.get("user") or {}).get("results") or [] if u.get(key))
        groups = tuple(str(g["name"]) for g in (rules.get("group") or {}).get("results") or [] if g.get("name"))
        return users, groups

    def restrict_edit(self, page_id: str, *, users: Iterable[str], groups: Iterable[str]) -> None:
        """Replace who may edit the page. Confluence replaces the whole ``update`` operation, so
        ``users`` must include Debrief's own account (``current_user``) or it locks itself out."""
        key = "accountId" if self.cloud else "username"
        body = [{"operation": "update", "restrictions": {
            "user": [{"type": "known", key: u} for u in users],
            "group": [{"type": "group", "name": g} for g in groups]}}]
        self._call(f"restrict editing of page {page_id}", lambda: self.client.put(
            f"rest/api/content/{page_id}/restriction", data=body))

    # A page's body -----------------------------------------------------------------------
    def page_with_body(self, page_id: str) -> dict:
        """The page with ``body.storage``, ``version`` and ``space`` expanded."""
        return self._call(f"get page {page_id}", lambda: self.client.get(
            f"rest/api/content/{page_id}", params={"expand": "body.storage,version,space"}))

    def page_comments(self, page_id: str) -> list[dict]:
        """Every footer comment of the page, oldest first, with ``body.storage`` and ``history``
        (its author: ``accountId`` on Cloud, ``username``/``userKey`` on Data Center)."""
        out: list[dict] = []
        start = 0
        while True:
            data = self._call(f"get comments of page {page_id}", lambda s=start: self.client.get(
                f"rest/api/content/{page_id}/child/comment",
                params={"expand": "body.storage,history", "start": s, "limit": 100, "depth": "all"}))
            results = (data or {}).get("results") or []
            out += results
            start += len(results)
            if not results or not ((data or {}).get("_links") or {}).get("next"):
                return out

    def update_body(self, page_id: str, *, title: str, body: str, version: int, message: str = "") -> dict:
        """Write ``body`` as version ``version + 1`` (a minor edit: watchers are not notified).
        A page someone saved meanwhile is a 409, raised as ConflictError: re-read, re-apply."""
        data = {"id": page_id, "type": "page", "title": title,
                "version": {"number": version + 1, "minorEdit": True, "message": message},
                "body": {"storage": {"value": body, "representation": "storage"}}}
        return self._call(f"update page {page_id}", lambda: self.client.put(
            f"rest/api/content/{page_id}", data=data))

    def user(self, *, key: str | None = None, username: str | None = None) -> dict | None:
        """A Confluence user by user key or username (Data Center), or None."""
        params = {"key": key} if key else {"username": username}
        try:
            return self._call(f"get user {params}", lambda: self.client.get("rest/api/user", params=params))
        except PermanentAtlassianError as exc:
            if exc.status in (400, 404):
                return None
            raise

    def watch(self, page_id: str, person: Person) -> None:
        """Make someone a watcher, so Confluence's own notifications reach them (named as the
        deployment wants: account id on Cloud, username on Data Center)."""
        self._call(f"add {person.label} as a watcher of page {page_id}", lambda: self.client.post(
            f"rest/api/user/watch/content/{page_id}", params=self.identities.watcher_params(person),
            headers={**self.client.default_headers, "X-Atlassian-Token": "no-check"}))

    def user_keys(self, people: Iterable[Person]) -> dict[str, str]:
        """Data Center: Confluence's user key of each person Confluence knows, by username (what
        a page's ``ri:userkey`` needs). Cloud pages name people by account id: nothing to look up."""
        if self.cloud:
            return {}
        keys: dict[str, str] = {}
        for person in people:
            handle = self.identities.handle(person)
            if not handle or handle in keys:
                continue
            try:
                user = self._call(f"look up Confluence user {handle}", lambda h=handle: self.client.get(
                    "rest/api/user", params={"username": h}))
            except PermanentAtlassianError as exc:
                if exc.status == 404:
                    continue  # not a Confluence user: the page names them as text
                raise
            if (user or {}).get("userKey"):
                keys[handle] = str(user["userKey"])
        return keys


def _title_clash(message: str) -> bool:
    text = message.lower()
    return "already exists" in text and "title" in text
