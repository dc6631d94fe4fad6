"""Confluence admin webhook events, sent as Data Center sends them: the body names its event
(``"event": "page_updated"``) beside ``timestamp``, ``userKey`` and the ``page`` or ``comment``
(with its page as ``parent``), in the object shape Cloud deliveries carry too.

``ConfluenceState`` notes each change in ``changes``; the request that made them sends them
here when it ends (``web_helpers.locked``), so every route (v1, v2, the page move) emits.
"""

from __future__ import annotations

import time
from typing import Any

from .model import Content, parse_iso
from .shapes import webui_path


def _ms(iso: str) -> int:
    return int(parse_iso(iso).timestamp() * 1000)


def _content(state, content: Content, base: str) -> dict[str, Any]:
    space = state.spaces.get(content.space_key)
    shape = {"id": content.id, "idAsString": content.id, "title": content.title, "contentType": content.type,
             "spaceKey": content.space_key, "spaceId": space.id if space else None,
             "creatorAccountId": content.created_by, "lastModifierAccountId": content.version.by,
             "creationDate": _ms(content.created), "modificationDate": _ms(content.last_modified),
             "version": content.version.number}
    if content.type == "page":
        shape["self"] = base + webui_path(content)
    return shape


def payload(state, event: str, content: Content, user: str | None, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {"event": event, "timestamp": int(time.time() * 1000), "userKey": user,
                            "userAccountId": user, "accountType": "customer"}
    shape = _content(state, content, base)
    if content.type == "comment":
        page = state.contents.get(content.parent_id or "")
        if page is not None:
            shape["parent"] = _content(state, page, base)
            shape["self"] = f"{base}{webui_path(page)}?focusedCommentId={content.id}"
        body["comment"] = shape
    else:
        body["page"] = shape
        if event == "page_updated":
            body["updateTrigger"] = "edit_page"
    return body


def send_changes(site, user: str | None, base: str) -> list[str]:
    """Queue a delivery for each change the request made; returns the delivery identifiers."""
    state = site.confluence
    changes, state.changes = state.changes, []
    identifiers: list[str] = []
    for event, content_id in changes:
        content = state.contents.get(content_id)
        if content is None:
            continue
        identifiers += site.webhooks.emit(event, payload(state, event, content, user, base),
                                          accepts=lambda hook: True, product="confluence")
    return identifiers
