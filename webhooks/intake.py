"""``POST /webhooks/jira``: authenticate, parse, decide, enqueue. Nothing else.

Order matters: the raw body is authenticated before it is parsed; the delivery id is
claimed (in the same Redis round trip that reads the incident's state) before work is
queued, and released if Redis cannot take the work (503), so Jira's retry is not mistaken
for a duplicate.
"""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request
from redis.exceptions import RedisError
from werkzeug.exceptions import RequestEntityTooLarge

from postmortem.fieldmap import IncidentDataError
from webhooks.errors import error_response
from webhooks.incidents import IntakeContext, router
from webhooks.payloads import PayloadError, parse_admin_event, parse_automation
from webhooks.runtime import runtime
from webhooks.signature import AuthenticationFailed, verify_signature, verify_token

log = logging.getLogger("debrief.intake")
bp = Blueprint("intake", __name__)

DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
TOKEN_HEADER = "X-Debrief-Token"


def _read_body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the body is {request.content_length} bytes; the limit is {limit}")
    request.max_content_length = limit
    return request.get_data(cache=True)


@bp.post("/webhooks/jira")
def jira_webhook():
    rt = runtime()
    raw = _read_body(rt.settings.intake.max_body_bytes)
    automation = TOKEN_HEADER in request.headers
    try:
        if automation:
            verify_token(request.headers.get(TOKEN_HEADER), rt.env.automation_token)
        elif rt.env.webhook_secret:
            verify_signature(raw, request.headers.get("X-Hub-Signature"), rt.env.webhook_secret)
    except AuthenticationFailed as exc:
        log.warning("rejected delivery: %s", exc, extra={"delivery": request.headers.get(DELIVERY_HEADER)})
        return error_response(401, "unauthorized", str(exc))

    if request.mimetype != "application/json":
        return error_response(415, "unsupported_media_type",
                              f"Content-Type must be application/json, got {request.mimetype or 'none'}")
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return error_response(400, "bad_request", f"the body is not valid JSON: {exc}")
    try:
        event = parse_automation(body) if automation else parse_admin_event(body)
    except PayloadError as exc:
        return error_response(422, "unprocessable", str(exc), fields=exc.fields)

    handlers = router.handlers_for(event.name)
    if not handlers:
        return jsonify(ignored=f"event {event.name} is not one Debrief acts on"), 202

    delivery_id = request.headers.get(DELIVERY_HEADER)
    work = rt.work
    try:
        ctx = IntakeContext(rt.settings, work, datetime.now(UTC), delivery_id)
        try:
            outcome = handlers[0](event, ctx)
        except IncidentDataError as exc:
            return error_response(422, "unprocessable", f"the issue lacks what Debrief needs: {exc}",
                                  fields={k: [v] for k, v in exc.problems.items()})
    except RedisError as exc:
        log.error("Redis cannot take the work: %s", exc, extra={"delivery": delivery_id, "incident": event.issue_key})
        if delivery_id:
            with contextlib.suppress(RedisError):
                work.forget_delivery(delivery_id)
        response = error_response(503, "service_unavailable", "the job queue is unavailable; retry later")
        response.headers["Retry-After"] = "30"
        return response
    return jsonify(outcome.body), outcome.status
