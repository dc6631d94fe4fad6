"""Outgoing admin webhooks, Jira's and Confluence's: registrations, JQL filtering (Jira), signed
delivery with retries.

Jira hooks are registered at ``/rest/webhooks/1.0/webhook``; Confluence hooks as Data Center
registers them, ``POST /wiki/rest/api/webhooks`` ``{name, url, events, active,
configuration: {secret}}``. Both share one delivery queue, retry policy and attempt log.

Deliveries run on a background thread, never inside the request that caused them. Each event
gets one ``X-Atlassian-Webhook-Identifier`` kept across retries; retries carry
``X-Atlassian-Webhook-Retry: N``. Receivers answering 408, 409, 425, 429 or 5xx, or failing to
connect or answer in time, are retried after the policy's delays; other answers are final.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

RETRYABLE = frozenset({408, 409, 425, 429})
DEFAULT_DELAYS = (10.0, 30.0, 60.0, 120.0, 300.0)
EVENTS = frozenset({
    "jira:issue_created", "jira:issue_updated", "jira:issue_deleted",
    "comment_created", "comment_updated", "comment_deleted",
    "issuelink_created", "issuelink_deleted",
})
CONFLUENCE_EVENTS = frozenset({
    "page_created", "page_updated", "page_moved", "page_trashed", "page_restored", "page_removed",
    "comment_created", "comment_updated", "comment_removed",
})
FILTER_KEY = "issue-related-events-section"
JIRA, CONFLUENCE = "jira", "confluence"


class WebhookSpecError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Policy:
    """Retry and timeout settings (``PUT /_sandbox/webhook-policy``)."""

    retry_delays: tuple[float, ...] = DEFAULT_DELAYS
    connect_timeout: float = 5.0
    timeout: float = 20.0

    def to_json(self) -> dict[str, Any]:
        return {"retry_delays": list(self.retry_delays), "max_retries": len(self.retry_delays),
                "connect_timeout": self.connect_timeout, "timeout": self.timeout}

    def updated(self, data: dict[str, Any]) -> Policy:
        unknown = set(data) - {"retry_delays", "connect_timeout", "timeout", "max_retries"}
        if unknown:
            raise ValueError(f"unknown policy keys: {', '.join(sorted(unknown))}")
        delays = tuple(float(d) for d in data.get("retry_delays", self.retry_delays))
        if "max_retries" in data:
            count = int(data["max_retries"])
            delays = (delays + (delays[-1:] or (1.0,)) * count)[:count]
        if any(d < 0 for d in delays):
            raise ValueError("retry delays must not be negative")
        return Policy(delays, float(data.get("connect_timeout", self.connect_timeout)),
                      float(data.get("timeout", self.timeout)))


@dataclass
class Webhook:
    id: int
    name: str
    url: str
    events: list[str]
    jql: str = ""
    exclude_body: bool = False
    secret: str | None = None
    enabled: bool = True
    updated_by: str | None = None
    updated_by_name: str | None = None
    last_updated: int = 0
    product: str = JIRA
    created: int = 0

    def to_confluence_api(self, base: str) -> dict[str, Any]:
        """The Data Center shape (``RestWebhook`` plus id and dates); the secret is never shown."""
        def iso(ms: int) -> str:
            return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

        return {"id": self.id, "name": self.name, "url": self.url, "active": self.enabled,
                "events": self.events, "scopeType": "global", "sslVerificationRequired": True,
                "configuration": {"secret": "********"} if self.secret else {},
                "createdDate": iso(self.created), "updatedDate": iso(self.last_updated),
                "self": f"{base}/rest/api/webhooks/{self.id}"}

    def to_api(self, base: str) -> dict[str, Any]:
        return {"self": f"{base}/rest/webhooks/1.0/webhook/{self.id}", "name": self.name, "url": self.url,
                "excludeBody": self.exclude_body, "filters": {FILTER_KEY: self.jql}, "events": self.events,
                "enabled": self.enabled, "lastUpdatedUser": self.updated_by,
                "lastUpdatedDisplayName": self.updated_by_name, "lastUpdated": self.last_updated}


def parse_spec(data: Any, current: Webhook | None = None) -> dict[str, Any]:
    """Validate a registration body; returns constructor keyword arguments."""
    if not isinstance(data, dict):
        raise WebhookSpecError({"body": "The request body must be a JSON object."})
    base = asdict(current) if current else {}
    errors: dict[str, str] = {}
    name = data.get("name", base.get("name"))
    url = data.get("url", base.get("url"))
    events = data.get("events", base.get("events", []))
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "The webhook name must not be empty."
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url or ""):
        errors["url"] = "The webhook URL must be an absolute http(s) URL."
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        errors["events"] = "Events must be a list of event names."
    else:
        unknown = [e for e in events if e not in EVENTS]
        if unknown:
            errors["events"] = f"Unknown webhook events: {', '.join(unknown)}"
    filters = data.get("filters", {FILTER_KEY: base.get("jql", "")}) or {}
    if not isinstance(filters, dict):
        errors["filters"] = "Filters must be an object."
        filters = {}
    if errors:
        raise WebhookSpecError(errors)
    return {"name": name, "url": url, "events": list(events), "jql": filters.get(FILTER_KEY) or "",
            "exclude_body": bool(data.get("excludeBody", base.get("exclude_body", False))),
            "secret": data.get("secret", base.get("secret")) or None,
            "enabled": bool(data.get("enabled", base.get("enabled", True)))}


def parse_confluence_spec(data: Any, current: Webhook | None = None) -> dict[str, Any]:
    """Validate a Confluence Data Center registration body; returns constructor keyword arguments."""
    if not isinstance(data, dict):
        raise WebhookSpecError({"body": "The request body must be a JSON object."})
    base = asdict(current) if current else {}
    errors: dict[str, str] = {}
    name = data.get("name", base.get("name"))
    url = data.get("url", base.get("url"))
    events = data.get("events", base.get("events", []))
    configuration = data.get("configuration", {"secret": base.get("secret")} if current else {}) or {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Webhook name must not be empty"
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url or ""):
        errors["url"] = "Webhook URL must be an absolute http(s) URL"
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        errors["events"] = "At least one event must be given, as a list of event ids"
    elif unknown := [e for e in events if e not in CONFLUENCE_EVENTS]:
        errors["events"] = f"Unknown webhook events: {', '.join(unknown)}"
    if not isinstance(configuration, dict):
        errors["configuration"] = "configuration must be an object"
        configuration = {}
    secret = configuration.get("secret")
    if secret is not None and (not isinstance(secret, str) or len(secret) > 255):
        errors["configuration.secret"] = "The secret must be text of at most 255 characters"
    if errors:
        raise WebhookSpecError(errors)
    return {"name": name, "url": url, "events": list(dict.fromkeys(events)), "secret": secret or None,
            "enabled": bool(data.get("active", base.get("enabled", True))), "product": CONFLUENCE}


def signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    identifier: str = field(compare=False)
    webhook_id: int = field(compare=False)
    event: str = field(compare=False)
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    secret: str | None = field(compare=False)
    generation: int = field(compare=False)
    retry: int = field(default=0, compare=False)
    product: str = field(default=JIRA, compare=False)


def _iso_now() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _substitute(url: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{([a-z.]+)\}", lambda m: variables.get(m.group(1), m.group(0)), url)


class Webhooks:
    """Registered webhooks plus the delivery queue and its attempt log."""

    def __init__(self, policy: Policy | None = None, log_size: int = 10_000) -> None:
        self.registrations: dict[int, Webhook] = {}
        self.policy = policy or Policy()
        self._ids = itertools.count(1)
        self._seq = itertools.count()
        self._attempts: deque[dict[str, Any]] = deque(maxlen=log_size)
        self._heap: list[_Job] = []
        self._busy = 0
        self._generation = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- registrations --------------------------------------------------------------------
    def register(self, data: Any, user_id: str | None = None, user_name: str | None = None,
                 product: str = JIRA) -> Webhook:
        now = int(time.time() * 1000)
        spec = parse_confluence_spec(data) if product == CONFLUENCE else parse_spec(data)
        hook = Webhook(id=next(self._ids), **spec, updated_by=user_id, updated_by_name=user_name,
                       last_updated=now, created=now)
        self.registrations[hook.id] = hook
        return hook

    def update(self, hook_id: int, data: Any, user_id: str | None = None,
               user_name: str | None = None, product: str = JIRA) -> Webhook | None:
        current = self.registrations.get(hook_id)
        if current is None or current.product != product:
            return None
        spec = parse_confluence_spec(data, current) if product == CONFLUENCE else parse_spec(data, current)
        hook = Webhook(id=hook_id, **spec, updated_by=user_id, updated_by_name=user_name,
                       last_updated=int(time.time() * 1000), created=current.created)
        self.registrations[hook_id] = hook
        return hook

    def delete(self, hook_id: int, product: str = JIRA) -> bool:
        hook = self.registrations.get(hook_id)
        if hook is None or hook.product != product:
            return False
        del self.registrations[hook_id]
        return True

    def of(self, product: str) -> list[Webhook]:
        return [h for h in self.registrations.values() if h.product == product]

    # -- events ---------------------------------------------------------------------------
    def emit(self, event: str, payload: dict[str, Any], accepts: Callable[[Webhook], bool],
             variables: dict[str, str] | None = None, product: str = JIRA) -> list[str]:
        """Queue ``payload`` for every enabled ``product`` webhook subscribed to ``event`` that
        ``accepts`` it."""
        identifiers = []
        for hook in list(self.registrations.values()):
            if hook.product != product or not hook.enabled or event not in hook.events or not accepts(hook):
                continue
            body = b"" if hook.exclude_body else json.dumps(payload).encode("utf-8")
            job = _Job(time.monotonic(), next(self._seq), str(uuid.uuid4()), hook.id, event,
                       _substitute(hook.url, variables or {}), body, hook.secret, self._generation,
                       product=product)
            identifiers.append(job.identifier)
            self._push(job)
        return identifiers

    def _push(self, job: _Job) -> None:
        with self._cond:
            heapq.heappush(self._heap, job)
            self._ensure_thread()
            self._cond.notify_all()

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    # -- delivery loop --------------------------------------------------------------------
    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._stopping:
                if self._heap:
                    wait = self._heap[0].due - time.monotonic()
                    if wait <= 0:
                        self._busy += 1
                        return heapq.heappop(self._heap)
                    self._cond.wait(min(wait, 0.5))
                else:
                    self._cond.wait(0.5)
            return None

    def _run(self) -> None:
        while (job := self._next_job()) is not None:
            try:
                self._attempt(job)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _attempt(self, job: _Job) -> None:
        headers = {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": job.identifier,
                   "X-Atlassian-Webhook-Flow": "Primary", "User-Agent": "Atlassian Webhook HTTP Client"}
        if job.product == CONFLUENCE:
            headers["X-Event-Key"] = job.event
        if job.retry:
            headers["X-Atlassian-Webhook-Retry"] = str(job.retry)
        if job.secret:
            headers["X-Hub-Signature"] = signature(job.secret, job.body)
        policy = self.policy
        started = time.monotonic()
        status, error = None, None
        try:
            response = requests.post(job.url, data=job.body, headers=headers,
                                     timeout=(policy.connect_timeout, policy.timeout), allow_redirects=False)
            status = response.status_code
            response.close()
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        retryable = status is None or status in RETRYABLE or status >= 500
        will_retry = retryable and job.retry < len(policy.retry_delays)
        outcome = "delivered" if status is not None and status < 300 else ("retrying" if will_retry else "failed")
        with self._cond:
            if job.generation != self._generation:
                return
            self._attempts.append({
                "identifier": job.identifier, "webhook_id": job.webhook_id, "event": job.event,
                "url": job.url, "retry": job.retry, "status": status, "error": error, "outcome": outcome,
                "time": _iso_now(), "duration_ms": round((time.monotonic() - started) * 1000, 2),
            })
            if will_retry:
                job.due = time.monotonic() + policy.retry_delays[job.retry]
                job.retry += 1
                heapq.heappush(self._heap, job)
                self._cond.notify_all()

    # -- inspection and control -----------------------------------------------------------
    def attempts(self, identifier: str | None = None, webhook_id: int | None = None) -> list[dict[str, Any]]:
        with self._cond:
            items = list(self._attempts)
        if identifier:
            items = [a for a in items if a["identifier"] == identifier]
        if webhook_id is not None:
            items = [a for a in items if a["webhook_id"] == webhook_id]
        return items

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._busy

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no delivery is queued or in flight (or ``timeout`` passes)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def clear_queue(self) -> None:
        """Drop queued deliveries and the attempt log (in-flight results are discarded)."""
        with self._cond:
            self._generation += 1
            self._heap.clear()
            self._attempts.clear()
            self._cond.notify_all()

    def reset(self) -> None:
        self.clear_queue()
        self.registrations.clear()
        self._ids = itertools.count(1)

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- persistence ----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"registrations": [asdict(h) for h in self.registrations.values()]}

    def load_json(self, data: dict[str, Any]) -> None:
        self.registrations = {h["id"]: Webhook(**h) for h in data.get("registrations", [])}
        self._ids = itertools.count(max(self.registrations, default=0) + 1)
