"""Running the handlers a delivery's event matches, and turning their outcomes into one answer.

A handler gets the event and an ``IntakeContext`` and returns an ``Outcome``; it validates,
decides and enqueues, nothing else. When several handlers match, the first claims the
delivery id and each other one an id of its own (``<delivery>:<module>.<handler>``), so one
handler's claim does not make the others see a repeated delivery, and when Redis fails part
way (503), Jira's retry is a repeat for the handlers that queued their work and fresh for
the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from redis.exceptions import RedisError

from config.settings import Settings
from jobqueue.queue import WorkQueue
from webhooks.routing import Handler, Router

log = logging.getLogger("debrief.intake")


@dataclass(frozen=True)
class IntakeContext:
    settings: Settings
    work: WorkQueue
    now: datetime
    delivery_id: str | None


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    acted: bool = True  # False: the handler found nothing to do for this delivery


def ignored(why: str) -> Outcome:
    return Outcome(202, {"ignored": why}, acted=False)


def unprocessable(detail: str, fields: dict[str, list[str]]) -> Outcome:
    return Outcome(422, {"error": "unprocessable", "detail": detail, "fields": fields})


def repeated(ctx: IntakeContext, **ids: str | None) -> Outcome:
    log.info("duplicate delivery ignored", extra={"delivery": ctx.delivery_id, **ids})
    return Outcome(200, {"duplicate": True, "delivery": ctx.delivery_id, **ids})


def _handler_name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def dispatch(router: Router, event, ctx: IntakeContext) -> Outcome:
    """Run every handler ``event`` matches. The answer is the outcome of the one handler that
    acted (or of the first, when none did); when several acted, ``{"handled": [...]}`` with
    the highest status among them."""
    handlers = router.handlers_for(event)
    if not handlers:
        return ignored(f"event {event.name} is not one Debrief acts on")
    contexts = [ctx] + [replace(ctx, delivery_id=f"{ctx.delivery_id}:{_handler_name(h)}") if ctx.delivery_id
                        else ctx for h in handlers[1:]]
    outcomes: list[Outcome] = []
    try:
        for handler, handler_ctx in zip(handlers, contexts, strict=True):
            outcomes.append(handler(event, handler_ctx))
    except RedisError as exc:
        log.error("Redis cannot take the work: %s", exc, extra={"delivery": ctx.delivery_id})
        return Outcome(503, {"error": "service_unavailable", "detail": "the job queue is unavailable; retry later"},
                       {"Retry-After": "30"})
    acted = [(h, o) for h, o in zip(handlers, outcomes, strict=True) if o.acted]
    if not acted:
        return outcomes[0]
    if len(acted) == 1:
        return acted[0][1]
    return Outcome(max(o.status for _, o in acted),
                   {"handled": [{"handler": _handler_name(h), "status": o.status, **o.body} for h, o in acted]})
