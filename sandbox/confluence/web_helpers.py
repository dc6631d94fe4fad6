"""Request plumbing shared by the Confluence routes: the site state and its lock, the caller,
paging and body parsing, and the XSRF rule Atlassian's REST layer applies."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, g, request

from sandbox import people

from . import events
from .errors import ConfluenceApiError, bad_request, error_response
from .shapes import Shapes
from .state import ConfluenceState

blueprint = Blueprint("confluence", __name__)

MAX_LIMIT = 200
F = TypeVar("F", bound=Callable[..., Any])
_SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


@blueprint.errorhandler(ConfluenceApiError)
def _confluence_error(error: ConfluenceApiError):  # noqa: ANN202 - Flask handler
    return error_response(error)


def site():
    return current_app.extensions["sandbox"]


def confluence() -> ConfluenceState:
    return site().confluence


def locked(view: F) -> F:
    """Run a view holding the site lock (every read and every change); the changes it made
    are then sent to the registered Confluence webhooks."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with site().lock:
            try:
                return view(*args, **kwargs)
            finally:
                if confluence().changes:
                    events.send_changes(site(), caller_id(), shapes().base)

    return wrapper  # type: ignore[return-value]


def site_root() -> str:
    return request.host_url.rstrip("/") + request.script_root


def shapes() -> Shapes:
    return Shapes(confluence(), site_root())


def caller() -> people.Person | None:
    return getattr(g, "user", None)


def caller_id() -> str | None:
    person = caller()
    return person.account_id if person else None


def int_arg(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Parameter '{name}' must be a number, got '{raw}'") from None
    if value < 0:
        raise bad_request(f"Parameter '{name}' must not be negative")
    return min(value, maximum) if maximum is not None else value


def paging(default_limit: int = 25) -> tuple[int, int]:
    return int_arg("start", 0), int_arg("limit", default_limit, MAX_LIMIT)


def json_body() -> Any:
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise bad_request("The request body is missing or is not valid JSON")
    return data


def require_xsrf_safe() -> None:
    """Atlassian REST refuses form-like writes without ``X-Atlassian-Token: no-check``."""
    if request.headers.get("X-Atlassian-Token", "").lower() == "no-check":
        return
    content_type = (request.mimetype or "").lower()
    if not content_type or content_type in _SIMPLE_TYPES:
        raise ConfluenceApiError(403, "XSRF check failed")


def find_person(account_id: str | None = None, username: str | None = None,
                key: str | None = None) -> people.Person:
    """The user named by ``accountId``/``username``/``key``, else the caller."""
    if account_id:
        person = people.by_account_id(account_id)
    elif username:
        person = people.by_name(username)
    elif key:
        person = people.by_confluence_key(key) or people.by_name(key)
    else:
        person = caller()
    if person is None:
        who = account_id or username or key or "the current user"
        raise ConfluenceApiError(404, f"No user found with identifier {who}")
    return person
