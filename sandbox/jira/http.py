"""Request plumbing for the Jira routes: the blueprint, site state and lock, API version,
JSON bodies, paging arguments and Jira-shaped errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, request

from sandbox import people
from sandbox.errors import JIRA_JSON, jira_error
from sandbox.jira.model import Issue, JiraState

blueprint = Blueprint("jira", __name__)
API = "/rest/api/<any('2','3','latest'):api>"
F = TypeVar("F", bound=Callable[..., Any])
ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."


class JiraError(Exception):
    """Raised by views; rendered as Jira's ErrorCollection."""

    def __init__(self, status: int, messages: list[str] | None = None,
                 errors: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(messages or []) or str(errors))
        self.status, self.messages, self.errors = status, messages or [], errors or {}


@blueprint.errorhandler(JiraError)
def _jira_error(err: JiraError) -> Response:
    return jira_error(err.status, err.messages, err.errors)


@blueprint.url_value_preprocessor
def _pull_api(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.api = 3 if values and values.pop("api", "2") == "3" else 2


def route(rule: str, **options: Any) -> Callable[[F], F]:
    """Register a view under ``/rest/api/{2,3,latest}`` holding the site lock."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with site().lock:
                return view(*args, **kwargs)

        blueprint.add_url_rule(API + rule, view_func=wrapper, **options)
        return wrapper  # type: ignore[return-value]

    return decorate


def plain_route(rule: str, **options: Any) -> Callable[[F], F]:
    """Register a view at an absolute path (non-``/rest/api`` Jira paths), holding the lock."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with site().lock:
                return view(*args, **kwargs)

        blueprint.add_url_rule(rule, view_func=wrapper, **options)
        return wrapper  # type: ignore[return-value]

    return decorate


def site():  # -> SandboxState (import cycle kept out of type hints)
    return current_app.extensions["sandbox"]


def jira() -> JiraState:
    return site().jira


def api() -> int:
    return g.get("api", 2)


def base() -> str:
    return request.host_url.rstrip("/") + request.script_root


def actor() -> people.Person:
    return g.user


def body() -> Any:
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise JiraError(400, ["No content to map to Object due to end of input"])
    return data


def issue_or_404(ref: str) -> Issue:
    issue = jira().get(ref)
    if issue is None:
        raise JiraError(404, [ISSUE_NOT_FOUND])
    return issue


def int_arg(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise JiraError(400, [f"The value '{raw}' is invalid for the parameter '{name}'."]) from None
    if value < 0:
        raise JiraError(400, [f"The '{name}' parameter must not be negative."])
    return min(value, maximum) if maximum is not None else value


def list_arg(name: str) -> list[str]:
    return [v for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()]


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type=JIRA_JSON)


def no_content() -> Response:
    return Response(status=204)
