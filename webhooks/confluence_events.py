"""Parsing Confluence deliveries into events (sans-I/O): JSON value in, ``ConfluenceEvent`` or
``PayloadError`` out.

Three senders:
- Data Center admin webhooks (``POST /rest/api/webhooks``): the body names its event
  (``"event": "page_updated"``) beside ``page`` or ``comment``, ``timestamp`` and ``userKey``.
- Cloud webhooks: the same ``page``/``comment`` objects but no event name; it is taken from
  the ``event`` query parameter of the registered URL, else from the body's shape (a
  ``page``/``comment`` at version 1 was created, a later version updated).
- Confluence Automation "Send web request" with custom data, e.g.
  ``{"event": "page_updated", "page": {"id": "{{page.id}}"}}`` or
  ``{"event": "comment_created", "comment": {"id": "{{comment.id}}"}, "page": {"id": "{{page.id}}"}}``.

Only the page id is needed: the job re-reads the page (and its comments) from Confluence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from webhooks.payloads import PayloadError

PAGE_EVENTS = ("page_created", "page_updated", "page_moved")
COMMENT_EVENTS = ("comment_created", "comment_updated")
_ID = re.compile(r"^[0-9]{1,19}\Z")
_EVENT_NAME = re.compile(r"^[a-z_]{1,64}\Z")
_FOCUSED_PAGE = re.compile(r"/pages/([0-9]{1,19})(?:/|\?|$)")


@dataclass(frozen=True)
class ConfluenceEvent:
    source = "confluence"
    name: str  # page_created, page_updated, page_moved, comment_created, ...
    page_id: str | None
    comment_id: str | None = None
    space_key: str | None = None
    user: str | None = None  # accountId (Cloud) or userKey (Data Center)


def _content_id(value: Any) -> str | None:
    """Confluence ids are numbers in older captures and strings in newer ones."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        value = str(value)
    return value if isinstance(value, str) and _ID.match(value) else None


def _page_of_comment(comment: dict) -> str | None:
    """The page a comment is on: ``container``, else up the ``parent`` chain (replies sit
    under a comment), else the page id in ``self`` (``.../pages/<id>/...?focusedCommentId=``)."""
    container = comment.get("container")
    if isinstance(container, dict) and (found := _content_id(container.get("idAsString") or container.get("id"))):
        return found
    parent, hops = comment.get("parent"), 0
    while isinstance(parent, dict) and hops < 8:
        if parent.get("contentType", "page") == "page":
            return _content_id(parent.get("idAsString") or parent.get("id"))
        parent, hops = parent.get("parent"), hops + 1
    link = comment.get("self")
    match = _FOCUSED_PAGE.search(link) if isinstance(link, str) else None
    return match.group(1) if match else None


def _named(body: dict, given: str | None, obj: dict, kind: str) -> str:
    name = body.get("event") or body.get("webhookEvent") or given
    if name is None:
        version = obj.get("version")
        number = version.get("number") if isinstance(version, dict) else version
        return f"{kind}_created" if number == 1 else f"{kind}_updated"
    if not isinstance(name, str) or not _EVENT_NAME.match(name):
        raise PayloadError({"event": ["must be a Confluence event name such as page_updated"]})
    return name


def parse_confluence_event(body: Any, event_name: str | None = None) -> ConfluenceEvent:
    """A Confluence webhook or Automation body; ``event_name`` from the URL or headers is used
    when the body names none (Cloud)."""
    if not isinstance(body, dict):
        raise PayloadError({"(body)": ["must be a JSON object"]})
    page, comment = body.get("page"), body.get("comment")
    if page is not None and not isinstance(page, dict):
        raise PayloadError({"page": ["must be an object"]})
    if comment is not None and not isinstance(comment, dict):
        raise PayloadError({"comment": ["must be an object"]})
    user = body.get("userAccountId") or body.get("userKey")
    user = user if isinstance(user, str) else None
    if comment is not None:
        name = _named(body, event_name, comment, "comment")
        page_id = _content_id(page.get("idAsString") or page.get("id")) if page else None
        page_id = page_id or _page_of_comment(comment)
        if page_id is None:
            raise PayloadError({"comment": ["must name its page (container, parent or self)"]})
        comment_id = _content_id(comment.get("idAsString") or comment.get("id"))
        space = comment.get("spaceKey")
        return ConfluenceEvent(name, page_id, comment_id, space if isinstance(space, str) else None, user)
    if page is not None:
        name = _named(body, event_name, page, "page")
        page_id = _content_id(page.get("idAsString") or page.get("id"))
        if page_id is None:
            raise PayloadError({"page.id": ["must be a Confluence page id (digits)"]})
        space = page.get("spaceKey")
        if space is None and isinstance(page.get("space"), dict):
            space = page["space"].get("key")
        return ConfluenceEvent(name, page_id, None, space if isinstance(space, str) else None, user)
    name = _named(body, event_name, {}, "content")
    return ConfluenceEvent(name, None, None, None, user)  # space, label, ... events: nothing to route
