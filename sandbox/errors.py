"""Error bodies as each product sends them.

Jira answers ``{"errorMessages": [...], "errors": {field: message}}``; Confluence answers
``{"statusCode": N, "data": {...}, "message": "..."}``. Every blueprint and the framework hooks
build their failures here so both halves look like the real site.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from flask import Response

JIRA_JSON = "application/json;charset=UTF-8"


def jira_error(
    status: int,
    messages: Iterable[str] | None = None,
    errors: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A Jira ``ErrorCollection`` response."""
    body = {"errorMessages": list(messages or []), "errors": dict(errors or {})}
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), content_type=JIRA_JSON)


def confluence_error(
    status: int,
    message: str,
    data: Mapping | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A Confluence Cloud error response (``statusCode``/``data``/``message``)."""
    if data is None:
        data = {
            "authorized": status not in (401, 403),
            "valid": status != 400,
            "errors": [],
            "successful": False,
        }
    body = {"statusCode": status, "data": dict(data), "message": message}
    return Response(json.dumps(body), status=status, headers=dict(headers or {}),
                    content_type="application/json")


def is_confluence_path(path: str) -> bool:
    return path == "/wiki" or path.startswith("/wiki/")


def product_error(path: str, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """The error body of whichever product owns ``path``."""
    if is_confluence_path(path):
        return confluence_error(status, message, headers=headers)
    return jira_error(status, [message], headers=headers)
