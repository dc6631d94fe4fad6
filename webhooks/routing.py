"""A small event router: handlers register for a Jira event name, routers compose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[..., Any]


class Router:
    def __init__(self, *others: Router):
        self._routes: dict[str, list[Handler]] = {}
        for other in others:
            for name, handlers in other._routes.items():
                self._routes.setdefault(name, []).extend(handlers)

    def register(self, *event_names: str) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            for name in event_names:
                self._routes.setdefault(name, []).append(handler)
            return handler
        return decorator

    def handlers_for(self, event_name: str) -> list[Handler]:
        return list(self._routes.get(event_name, ()))

    @property
    def events(self) -> list[str]:
        return sorted(self._routes)
