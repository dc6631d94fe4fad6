"""Who is calling: Basic (e-mail + API token, as on Cloud) or Bearer PAT (as on Data Center).

API paths (``/rest/...``, ``/wiki/rest/...``, ``/wiki/api/...``, the ``/wiki/pages/*.action``
endpoints and ``/_sandbox/...``) need valid
credentials; the answer to missing or wrong ones is the product's own 401 body. Readiness
(``GET /rest/api/2|3/serverInfo``) and the HTML browsing pages are open, as a local demo tool;
``flask.g.user`` is still set there when credentials are sent.
"""

from __future__ import annotations

import base64
import binascii

from flask import Flask, Response, g, has_request_context, request

from sandbox import people
from sandbox.errors import confluence_error, is_confluence_path, jira_error

OPEN_PATHS = frozenset({"/rest/api/2/serverInfo", "/rest/api/3/serverInfo", "/rest/api/latest/serverInfo"})
API_PREFIXES = ("/rest/", "/wiki/rest/", "/wiki/api/", "/wiki/pages/", "/_sandbox")

JIRA_401 = "You are not authenticated. Authentication required to perform this operation."
CONFLUENCE_401 = "This request is not authorized. Please check your credentials."


def person_from_header(header: str | None) -> people.Person | None:
    """Resolve an ``Authorization`` header value to a seeded person."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return people.by_pat(value)
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, secret = decoded.partition(":")
        return people.by_basic(user, secret)
    return None


def datacenter_caller() -> bool:
    """A caller with a personal access token (Bearer) is served Data Center's shapes of people:
    usernames and user keys, no Cloud account ids (Jira's v3 API exists on Cloud only: it keeps them)."""
    return (has_request_context() and request.headers.get("Authorization", "").lower().startswith("bearer ")
            and not request.path.startswith("/rest/api/3/"))


def needs_auth(path: str) -> bool:
    return path not in OPEN_PATHS and path.startswith(API_PREFIXES)


def unauthorized(path: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="protected-area"'}
    if is_confluence_path(path):
        data = {"authorized": False, "valid": True, "errors": [], "successful": False}
        return confluence_error(401, CONFLUENCE_401, data, headers=headers)
    return jira_error(401, [JIRA_401], headers=headers)


def install(app: Flask) -> None:
    """Authenticate every request before the views (and before faults) run."""

    @app.before_request
    def _authenticate() -> Response | None:
        g.user = person_from_header(request.headers.get("Authorization"))
        if g.user is None and needs_auth(request.path):
            return unauthorized(request.path)
        return None
