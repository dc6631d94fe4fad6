"""``POST /webhooks/jira`` and ``POST /webhooks/confluence``: read, authenticate, parse, route,
enqueue. Nothing else.

Order matters: the raw body is read within its limit and authenticated before it is parsed;
each handler's submit claims the delivery id in the same Redis transaction that queues its
work. Bad input of any kind is a 4xx (Jira retries 5xx for half an hour).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Request, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from webhooks.confluence_events import parse_confluence_event
from webhooks.dispatch import IntakeContext, dispatch
from webhooks.errors import error_response
from webhooks.payloads import PayloadError, parse_admin_event, parse_automation
from webhooks.runtime import runtime
from webhooks.signature import (
    AuthenticationFailed,
    require_unsigned_allowed,
    verify_signature,
    verify_token,
)

log = logging.getLogger("debrief.intake")
bp = Blueprint("intake", __name__)

DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
TOKEN_HEADER = "X-Debrief-Token"
SIGNATURE_HEADER = "X-Hub-Signature"
# An over-limit body is read and dropped up to this much (within DRAIN_SECONDS) so the client,
# still sending, reads the 413 instead of a reset connection; beyond it the connection closes.
DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 5.0
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Source:
    """What differs between the Jira and the Confluence endpoint."""

    name: str  # "jira" or "confluence": also the router's name in the runtime
    secret_variable: str
    secret: Callable[[Any], str | None]  # Environment -> the webhook secret
    parse_signed: Callable[[Any, Request], Any]  # admin webhook body -> event
    parse_token: Callable[[Any, Request], Any]  # Automation "Send web request" body -> event


JIRA = Source("jira", "JIRA_WEBHOOK_SECRET", lambda env: env.webhook_secret,
              lambda body, req: parse_admin_event(body), lambda body, req: parse_automation(body))
CONFLUENCE = Source("confluence", "CONFLUENCE_WEBHOOK_SECRET", lambda env: env.confluence_webhook_secret,
                    lambda body, req: parse_confluence_event(body, _event_hint(req)),
                    lambda body, req: parse_confluence_event(body, _event_hint(req)))


def _event_hint(req: Request) -> str | None:
    """Cloud bodies name no event: the registered URL can (``?event=page_updated``)."""
    return req.args.get("event") or req.headers.get("X-Event-Key") or None


# Reading ---------------------------------------------------------------------------------
def _drain(stream, budget: int) -> None:
    """Read and drop up to ``budget`` bytes within DRAIN_SECONDS; errors end the drain."""
    deadline = time.monotonic() + DRAIN_SECONDS
    sock = request.environ.get("gunicorn.socket")  # bound each read by the time left
    before = sock.gettimeout() if sock is not None else None
    try:
        while budget > 0 and (left := deadline - time.monotonic()) > 0:
            if sock is not None:
                sock.settimeout(left)
            chunk = stream.read(min(_CHUNK, budget))
            if not chunk:
                return
            budget -= len(chunk)
    except (OSError, ValueError):
        return
    finally:
        if sock is not None:
            sock.settimeout(before)


def read_body(limit: int) -> bytes:
    """The raw body, at most ``limit`` bytes; over it (declared or sent, chunked or not) 413."""
    length = request.content_length
    stream = get_input_stream(request.environ, max_content_length=None)
    if length is not None and length > limit:
        if length <= DRAIN_BYTES:
            _drain(stream, length)
        raise RequestEntityTooLarge(f"the body is {length} bytes; the limit is {limit}")
    parts, size = [], 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        _drain(stream, DRAIN_BYTES)
        raise RequestEntityTooLarge(f"the body is over the limit of {limit} bytes")
    return b"".join(parts)


# Checking --------------------------------------------------------------------------------
def authenticate(source: Source, raw: bytes) -> bool:
    """Whether the delivery came with the Automation token (else: signed, or unsigned allowed)."""
    env = runtime().env
    if TOKEN_HEADER in request.headers:
        verify_token(request.headers.get(TOKEN_HEADER), env.automation_token)
        return True
    secret = source.secret(env)
    if secret:
        verify_signature(raw, request.headers.get(SIGNATURE_HEADER), secret, variable=source.secret_variable)
    else:
        require_unsigned_allowed(env.allow_unsigned, source.secret_variable)
    return False


def media_type_problem() -> str | None:
    if request.mimetype != "application/json":
        return f"Content-Type must be application/json, got {request.mimetype or 'none'}"
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        return f"the body must be UTF-8 JSON, got charset={charset}"
    return None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class BadJson(ValueError):
    pass


def _no_constants(name: str):
    raise BadJson(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON from UTF-8 bytes: no NaN/Infinity, no lone surrogates, bounded nesting."""
    if b"\x00" in raw:  # never in JSON text; UTF-16/32 without a BOM decodes as "UTF-8" otherwise
        raise UnicodeDecodeError("utf-8", raw, raw.index(b"\x00"), raw.index(b"\x00") + 1, "NUL byte")
    text = raw.decode("utf-8")  # UnicodeDecodeError: not UTF-8 (415)
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise BadJson("the body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise BadJson(str(exc)) from None
    if _SURROGATE_ESCAPE.search(text):  # only \u escapes can make a lone surrogate
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadJson("the body holds a lone UTF-16 surrogate (\\ud800-\\udfff)") from None
    return value


# The endpoints ---------------------------------------------------------------------------
def receive(source: Source):
    rt = runtime()
    raw = read_body(rt.settings.intake.max_body_bytes)
    try:
        by_token = authenticate(source, raw)
    except AuthenticationFailed as exc:
        log.warning("rejected %s delivery: %s", source.name, exc, extra={"delivery": request.headers.get(DELIVERY_HEADER)})
        return error_response(401, "unauthorized", str(exc))
    problem = media_type_problem()
    if problem:
        return error_response(415, "unsupported_media_type", problem)
    try:
        body = parse_json(raw)
    except UnicodeDecodeError:
        return error_response(415, "unsupported_media_type", "the body must be UTF-8 JSON")
    except BadJson as exc:
        return error_response(400, "bad_request", f"the body is not valid JSON: {exc}")
    try:
        event = (source.parse_token if by_token else source.parse_signed)(body, request)
    except PayloadError as exc:
        return error_response(422, "unprocessable", str(exc), fields=exc.fields)
    ctx = IntakeContext(rt.settings, rt.work, datetime.now(UTC), request.headers.get(DELIVERY_HEADER))
    try:
        outcome = dispatch(rt.routers[source.name], event, ctx)
    except RecursionError:
        return error_response(400, "bad_request", "the body is nested too deeply")
    response = jsonify(outcome.body)
    response.status_code = outcome.status
    response.headers.update(outcome.headers)
    return response


@bp.post("/webhooks/jira")
def jira_webhook():
    return receive(JIRA)


@bp.post("/webhooks/confluence")
def confluence_webhook():
    return receive(CONFLUENCE)
