"""Event routing: handlers register for event names, optionally narrowed by event attributes
or a predicate; every matching handler runs. Each feature module owns a ``Router``; the app
composes them (``Router(incidents.router, pages.router)``), and a composed router sees routes
its parts gain later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Handler = Callable[..., Any]
Predicate = Callable[[Any], bool]


@dataclass(frozen=True)
class Route:
    handler: Handler
    attrs: tuple[tuple[str, Any], ...] = ()
    when: Predicate | None = None

    def matches(self, event: Any) -> bool:
        if any(getattr(event, name, None) != value for name, value in self.attrs):
            return False
        return self.when is None or bool(self.when(event))


class Router:
    def __init__(self, *others: Router):
        self._routes: dict[str, list[Route]] = {}
        self._others = others

    def register(self, *event_names: str, when: Predicate | None = None,
                 **attrs: Any) -> Callable[[Handler], Handler]:
        """``@router.register("jira:issue_updated", project="INC", when=lambda e: ...)``: the
        handler runs for those events when every attribute equals its value and ``when`` holds."""
        if not event_names:
            raise ValueError("register at least one event name")
        route_attrs = tuple(sorted(attrs.items()))

        def decorator(handler: Handler) -> Handler:
            for name in event_names:
                self._routes.setdefault(name, []).append(Route(handler, route_attrs, when))
            return handler
        return decorator

    def routes_for(self, event_name: str) -> list[Route]:
        routes = list(self._routes.get(event_name, ()))
        for other in self._others:
            routes.extend(other.routes_for(event_name))
        return routes

    def handlers_for(self, event: Any) -> list[Handler]:
        """Every handler whose route matches ``event`` (anything with a ``name``), in
        registration order, each once."""
        handlers: list[Handler] = []
        for route in self.routes_for(event.name):
            if route.handler not in handlers and route.matches(event):
                handlers.append(route.handler)
        return handlers
