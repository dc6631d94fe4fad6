"""The Confluence site's data and every change to it (callers hold the site lock)."""

from __future__ import annotations

import re
from typing import Any

from sandbox.search_history import SearchHistory

from . import storage
from .errors import ConfluenceApiError, bad_request, not_found
from .model import Content, Property, Space, Version, now_iso

FIRST_CONTENT_ID = 98001
FIRST_SPACE_ID = 65538
PROPERTY_VALUE_LIMIT = 32 * 1024
SPACE_KEY = re.compile(r"^[A-Za-z0-9]{1,255}$")
DUPLICATE_TITLE = (
    "A page with this title already exists: A page already exists with the same TITLE in this space"
)


class ConfluenceState:
    def __init__(self) -> None:
        self.spaces: dict[str, Space] = {}
        self.contents: dict[str, Content] = {}
        self.next_content_id = FIRST_CONTENT_ID
        self.next_space_id = FIRST_SPACE_ID
        self.next_property_id = 1179649
        self.label_ids: dict[str, str] = {}
        self.next_label_id = 2293761
        self.search_history = SearchHistory()  # what lagged CQL search sees (sandbox.faults)
        # (event, content id) of each change, for admin webhooks; the request that made them
        # sends them (sandbox.confluence.events), so nothing here is persisted.
        self.changes: list[tuple[str, str]] = []

    # ------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        return {
            "spaces": [space.to_json() for space in self.spaces.values()],
            "contents": [content.to_json() for content in self.contents.values()],
            "next_content_id": self.next_content_id,
            "next_space_id": self.next_space_id,
            "next_property_id": self.next_property_id,
            "label_ids": dict(self.label_ids),
            "next_label_id": self.next_label_id,
        }

    @classmethod
    def from_json(cls, data: dict) -> ConfluenceState:
        state = cls()
        state.spaces = {s["key"]: Space.from_json(s) for s in data.get("spaces", [])}
        state.contents = {c["id"]: Content.from_json(c) for c in data.get("contents", [])}
        state.next_content_id = int(data.get("next_content_id", FIRST_CONTENT_ID))
        state.next_space_id = int(data.get("next_space_id", FIRST_SPACE_ID))
        state.next_property_id = int(data.get("next_property_id", state.next_property_id))
        state.label_ids = dict(data.get("label_ids", {}))
        state.next_label_id = int(data.get("next_label_id", state.next_label_id))
        return state


    # ------------------------------------------------------------ ids
    def allocate_content_id(self) -> str:
        value = str(self.next_content_id)
        self.next_content_id += 1
        return value

    def _new_property_id(self) -> str:
        value = str(self.next_property_id)
        self.next_property_id += 1
        return value

    def label_id(self, name: str) -> str:
        if name not in self.label_ids:
            self.label_ids[name] = str(self.next_label_id)
            self.next_label_id += 1
        return self.label_ids[name]

    # ------------------------------------------------------------ reads
    def space(self, key: str) -> Space:
        space = self.spaces.get(key) or next(
            (s for s in self.spaces.values() if s.key.lower() == key.lower()), None
        )
        if space is None:
            raise not_found(f"No space found with key : {key}")
        return space

    def space_by_id(self, space_id: int) -> Space | None:
        return next((s for s in self.spaces.values() if s.id == space_id), None)

    def content(self, content_id: str, statuses: tuple[str, ...] = ("current",)) -> Content:
        content = self.contents.get(str(content_id))
        if content is None or ("any" not in statuses and content.status not in statuses):
            raise not_found(f"No content found with id : ContentId{{id={content_id}}}")
        return content

    def page(self, page_id: str) -> Content:
        content = self.content(page_id)
        if content.type != "page":
            raise not_found(f"No page found with id : {page_id}")
        return content

    def current(self, type_: str | None = None) -> list[Content]:
        return [
            c for c in self.contents.values()
            if c.status == "current" and (type_ is None or c.type == type_)
        ]

    def children(self, parent_id: str, type_: str = "page") -> list[Content]:
        found = [c for c in self.contents.values()
                 if c.parent_id == parent_id and c.type == type_ and c.status == "current"]
        return sorted(found, key=lambda c: (c.position, int(c.id)))

    def descendants(self, page_id: str, type_: str = "page") -> list[Content]:
        result: list[Content] = []
        for child in self.children(page_id):
            if type_ == "page":
                result.append(child)
            result.extend(self.descendants(child.id, type_))
        if type_ == "comment":
            result = self.children(page_id, "comment") + result
        return result

    def ancestors(self, content: Content) -> list[Content]:
        chain: list[Content] = []
        parent_id = content.parent_id
        seen: set[str] = set()
        while parent_id and parent_id not in seen:
            seen.add(parent_id)
            parent = self.contents.get(parent_id)
            if parent is None:
                break
            chain.append(parent)
            parent_id = parent.parent_id
        return list(reversed(chain))

    def top_level(self, space_key: str) -> list[Content]:
        found = [c for c in self.current("page") if c.space_key == space_key and c.parent_id is None]
        return sorted(found, key=lambda c: (c.position, int(c.id)))

    def find_by_title(self, space_key: str | None, title: str, type_: str = "page",
                      exclude: str | None = None) -> Content | None:
        for content in self.current(type_):
            if content.id == exclude or content.title.lower() != title.lower():
                continue
            if space_key is None or content.space_key.lower() == space_key.lower():
                return content
        return None

    # ------------------------------------------------------------ spaces
    def create_space(self, key: str, name: str, description: str, user: str | None) -> Space:
        if not key or not SPACE_KEY.match(key):
            raise bad_request(
                "Space key must consist of alphanumeric characters only and cannot be blank"
            )
        if not name or not name.strip():
            raise bad_request("Space name cannot be blank")
        if any(s.key.lower() == key.lower() for s in self.spaces.values()):
            raise bad_request(f"A space already exists with key {key}")
        space = Space(id=self.next_space_id, key=key, name=name.strip(), description=description,
                      created=now_iso(), created_by=user)
        self.next_space_id += 1
        self.spaces[key] = space
        home = self.insert(Content(
            id=self.allocate_content_id(), type="page", title=f"{space.name} Home", space_key=key,
            body=f"<p>Welcome to {_xml_text(space.name)}.</p>", created=space.created,
            created_by=user,
        ), user)
        space.homepage_id = home.id
        return space

    # ------------------------------------------------------------ pages & comments
    def insert(self, content: Content, user: str | None, message: str = "") -> Content:
        """Store new content as the last of its siblings, with version 1 dated at creation."""
        siblings = (self.children(content.parent_id, content.type) if content.parent_id
                    else self.top_level(content.space_key))
        content.position = (max((s.position for s in siblings), default=-1) + 1)
        content.add_version(user, message)
        content.versions[-1].when = content.created
        self.contents[content.id] = content
        self.note_for_search(content)
        return content

    def note_for_search(self, content: Content) -> None:
        """Snapshot what CQL search matches of ``content`` (see ``sandbox.search_history``)."""
        self.search_history.note(content.id, {"title": content.title, "labels": list(content.labels),
                                              "body": content.body})

    def create_page(self, space_key: str, title: str, body: str, user: str | None,
                    parent_id: str | None = None, message: str = "", status: str = "current",
                    labels: list[str] | None = None, root_level: bool = False) -> Content:
        space = self.space(space_key)
        title = _require_title(title)
        storage_check(body)
        if parent_id is not None:
            parent = self._parent_page(parent_id)
            if parent.space_key != space.key:
                raise bad_request(
                    "Parent page must be in the same space as the page being created"
                )
        elif not root_level:
            parent_id = space.homepage_id
        if status == "current" and self.find_by_title(space.key, title):
            raise bad_request(DUPLICATE_TITLE)
        names = [normalise_label(n) for n in (labels or [])]
        content = Content(id=self.allocate_content_id(), type="page", title=title, space_key=space.key,
                          body=body, created=now_iso(), created_by=user, status=status,
                          parent_id=parent_id, labels=list(dict.fromkeys(names)))
        for name in content.labels:
            self.label_id(name)
        self.insert(content, user, message)
        if status == "current":
            self.changes.append(("page_created", content.id))
        return content

    def _parent_page(self, parent_id: str) -> Content:
        try:
            return self.page(str(parent_id))
        except ConfluenceApiError:
            raise not_found(f"Could not find parent page with id {parent_id}") from None

    def create_comment(self, container_id: str, body: str, user: str | None,
                       parent_comment_id: str | None = None) -> Content:
        try:
            page = self.content(str(container_id))
        except ConfluenceApiError:
            raise not_found(f"Could not find container content with id {container_id}") from None
        storage_check(body)
        if page.type == "comment":  # a reply: keep the page as the container
            parent_comment_id, page = page.id, self.content(page.parent_id or "")
        comment = Content(id=self.allocate_content_id(), type="comment", title=f"Re: {page.title}",
                          space_key=page.space_key, body=body, created=now_iso(),
                          created_by=user, parent_id=page.id)
        comment.reply_to = str(parent_comment_id) if parent_comment_id else None
        self.insert(comment, user)
        self.changes.append(("comment_created", comment.id))
        return comment

    def update_content(self, content_id: str, *, user: str | None, version: int | None,
                       title: str | None, body: str | None, parent_id: str | None = None,
                       message: str = "", minor_edit: bool = False,
                       status: str | None = None) -> Content:
        content = self.content(content_id, ("current", "draft", "trashed"))
        if version is None:
            raise bad_request("Must supply an incremented version when updating Content. "
                              f"No version supplied. Current version is: {content.version.number}")
        if version != content.version.number + 1:
            raise ConfluenceApiError(
                409, f"Version must be incremented on update. Current version is: "
                     f"{content.version.number}")
        if content.type == "page":
            title = _require_title(title if title is not None else content.title)
            clash = self.find_by_title(content.space_key, title, exclude=content.id)
            if clash is not None:
                raise bad_request(DUPLICATE_TITLE)
        if body is not None:
            storage_check(body)
        if parent_id is not None and content.type == "page" and parent_id != content.parent_id:
            parent = self._parent_page(parent_id)
            if parent.space_key != content.space_key:
                raise bad_request("Cannot move a page to a parent in another space with an update;"
                                  " use the move endpoint")
            self._check_not_below_itself(content, parent)
            content.parent_id = parent.id
            content.position = max((c.position for c in self.children(parent.id)), default=-1) + 1
        if title is not None:
            content.title = title
        if body is not None:
            content.body = body
        if status in ("current", "draft"):
            content.status = status
        content.add_version(user, message, minor_edit)
        self.note_for_search(content)
        if content.status == "current":
            self.changes.append((f"{content.type}_updated", content.id))
        return content

    def delete_content(self, content_id: str, purge: bool = False) -> None:
        content = self.contents.get(str(content_id))
        if content is None or (content.status == "trashed" and not purge):
            raise not_found(f"No content found with id : ContentId{{id={content_id}}}")
        if purge:
            if content.status != "trashed" and content.type == "page":
                raise bad_request("Only trashed pages can be purged")
            del self.contents[content.id]
            return
        if content.type == "page":
            for child in self.children(content.id):  # children move up, as in Confluence
                child.parent_id = content.parent_id
            for space in self.spaces.values():
                if space.homepage_id == content.id:
                    space.homepage_id = None
        content.status = "trashed"

    # ------------------------------------------------------------ move
    def move(self, page_id: str, position: str, target_id: str) -> Content:
        if position not in ("before", "after", "append"):
            raise bad_request(f"Invalid position: {position}. Must be one of before, after, append")
        page = self.page(str(page_id))
        try:
            target = self.page(str(target_id))
        except ConfluenceApiError:
            raise not_found(f"No page found with id : {target_id}") from None
        if page.id == target.id:
            raise bad_request("Cannot move a page relative to itself")
        new_parent = target if position == "append" else (
            self.contents.get(target.parent_id) if target.parent_id else None)
        if new_parent is not None:
            self._check_not_below_itself(page, new_parent)
        self._take_space(page, target.space_key)
        page.parent_id = new_parent.id if new_parent is not None else None
        if position == "append":
            siblings = [c for c in self.children(target.id) if c.id != page.id]
            page.position = max((c.position for c in siblings), default=-1) + 1
        else:
            siblings = [c for c in (self.children(new_parent.id) if new_parent
                                    else self.top_level(target.space_key)) if c.id != page.id]
            index = siblings.index(target) + (1 if position == "after" else 0)
            siblings.insert(index, page)
            for number, sibling in enumerate(siblings):
                sibling.position = number
        self.changes.append(("page_moved", page.id))
        return page

    def move_to_top_level(self, page_id: str, space_key: str) -> Content:
        page = self.page(str(page_id))
        space = self.space(space_key)
        self._take_space(page, space.key)
        page.parent_id = None
        page.position = max((c.position for c in self.top_level(space.key) if c.id != page.id),
                            default=-1) + 1
        self.changes.append(("page_moved", page.id))
        return page

    def _check_not_below_itself(self, page: Content, new_parent: Content) -> None:
        if new_parent.id == page.id or page in self.ancestors(new_parent):
            raise bad_request("Cannot move a page to be a descendant of itself")

    def _take_space(self, page: Content, space_key: str) -> None:
        """Move a page and all its descendants (and their comments) to ``space_key``."""
        if page.space_key == space_key:
            return
        tree = [page, *self.descendants(page.id)]
        for moving in tree:
            if self.find_by_title(space_key, moving.title):
                raise bad_request(
                    f"A page with this title already exists: A page already exists with the "
                    f"title {moving.title} in the space with key {space_key}")
        for moving in tree:
            moving.space_key = space_key
            for comment in self.children(moving.id, "comment"):
                comment.space_key = space_key

    # ------------------------------------------------------------ labels
    def add_labels(self, content_id: str, names: list[str]) -> Content:
        content = self.content(content_id)
        for name in names:
            label = normalise_label(name)
            self.label_id(label)
            if label not in content.labels:
                content.labels.append(label)
        self.note_for_search(content)
        return content

    def remove_label(self, content_id: str, name: str) -> Content:
        content = self.content(content_id)
        label = (name or "").strip().lower()
        if label.startswith("global:"):
            label = label[len("global:"):]
        if label not in content.labels:
            raise not_found(f"Label '{name}' does not exist on content {content_id}")
        content.labels.remove(label)
        self.note_for_search(content)
        return content

    # ------------------------------------------------------------ properties
    def properties(self, content_id: str) -> list[Property]:
        content = self.content(content_id)
        return list(content.properties.values())

    def property(self, content_id: str, key: str) -> Property:
        content = self.content(content_id)
        prop = content.properties.get(key)
        if prop is None:
            raise not_found(f"Cannot find property '{key}' on content with id {content_id}")
        return prop

    def create_property(self, content_id: str, key: str, value: Any, user: str | None) -> Property:
        content = self.content(content_id)
        _check_property(key, value)
        if key in content.properties:
            raise bad_request(f"Cannot add a property with key '{key}' to content with id "
                              f"{content_id}: the content already has a property with this key")
        prop = Property(id=self._new_property_id(), key=key, value=value, version=1,
                        when=now_iso(), by=user)
        content.properties[key] = prop
        return prop

    def update_property(self, content_id: str, key: str, value: Any, version: int | None,
                        user: str | None, message: str = "", minor_edit: bool = False) -> Property:
        content = self.content(content_id)
        if version is None:
            raise bad_request("Property version must be supplied when updating a property")
        _check_property(key, value)
        prop = content.properties.get(key)
        if prop is None:
            if version != 1:
                raise not_found(f"Cannot find property '{key}' on content with id {content_id}")
            return self.create_property(content_id, key, value, user)
        if version != prop.version + 1:
            raise ConfluenceApiError(
                409, f"Version must be incremented on update. Current version is: {prop.version}")
        prop.value, prop.version, prop.when, prop.by = value, version, now_iso(), user
        prop.message, prop.minor_edit = message, minor_edit
        return prop

    def delete_property(self, content_id: str, key: str) -> None:
        self.property(content_id, key)
        del self.content(content_id).properties[key]

    # ------------------------------------------------------------ watches
    def set_watch(self, content_id: str, account_id: str, watching: bool) -> None:
        content = self.content(content_id)
        if watching and account_id not in content.watchers:
            content.watchers.append(account_id)
        elif not watching and account_id in content.watchers:
            content.watchers.remove(account_id)

    def set_space_watch(self, space_key: str, account_id: str, watching: bool) -> None:
        space = self.space(space_key)
        if watching and account_id not in space.watchers:
            space.watchers.append(account_id)
        elif not watching and account_id in space.watchers:
            space.watchers.remove(account_id)

    # ------------------------------------------------------------ versions
    def version_of(self, content: Content, number: int) -> Version:
        found = next((v for v in content.versions if v.number == number), None)
        if found is None:
            raise not_found(f"No version {number} found for content {content.id}")
        return found


def storage_check(body: str) -> None:
    try:
        storage.validate(body)
    except storage.StorageFormatError as exc:
        raise bad_request(str(exc)) from None


def normalise_label(name: str) -> str:
    label = (name or "").strip()
    if label.lower().startswith("global:"):
        label = label[len("global:"):]
    if not label:
        raise bad_request("Label name cannot be empty")
    if any(ch.isspace() for ch in label):
        raise bad_request(f"Label '{label}' contains a space; labels cannot contain spaces")
    if any(ch in label for ch in ":;,.?&[]()#^*@!<>"):
        raise bad_request(f"Label '{label}' contains an invalid character")
    if len(label) > 255:
        raise bad_request("Label name must be 255 characters or fewer")
    return label.lower()


def _require_title(title: str | None) -> str:
    if title is None or not str(title).strip():
        raise bad_request("Title cannot be empty")
    if len(title) > 255:
        raise bad_request("Title must be 255 characters or fewer")
    return str(title)


def _check_property(key: str, value: Any) -> None:
    import json

    if not key or not key.strip():
        raise bad_request("Property key cannot be empty")
    if len(key) > 255:
        raise bad_request("Property key must be 255 characters or fewer")
    if len(json.dumps(value, separators=(",", ":")).encode("utf-8")) > PROPERTY_VALUE_LIMIT:
        raise ConfluenceApiError(413, "The value of the property is too long (over 32768 bytes)")


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
