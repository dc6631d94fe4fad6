"""Injected faults: rate limits, server errors, latency and edit conflicts on chosen routes.

A rule (JSON, as ``PUT /_sandbox/faults`` takes it)::

    {"kind": "status", "status": 429, "method": "POST", "path": "/rest/api/*/issue",
     "retry_after": 2, "times": 3, "probability": 1.0}
    {"kind": "status", "status": 503, "path": "/wiki/*", "retry_after": 1}
    {"kind": "latency", "ms": 250, "path": "/rest/api/2/search*"}
    {"kind": "rate_limit", "rate": 5, "burst": 10, "path": "*"}
    {"kind": "conflict", "method": "PUT", "path": "re:^/wiki/rest/api/content/\\d+$"}
    {"kind": "search_lag", "seconds": 5}
    {"kind": "search_lag", "seconds": 5, "path": "/rest/api/*/search*"}

``path`` is a shell-style glob over the request path (``*`` also crosses ``/``) unless it starts
with ``re:``, in which case the rest is a regular expression that must match the whole path.
``method`` is an HTTP method or ``*``. ``times`` makes a rule expire after it fired N times;
``probability`` (0..1) fires it at random (seeded by ``seed`` for repeatable runs). Latency
rules add their delay and let the request go on; the first other matching rule answers, at
once (without the delay). A firing is one request a rule acted on: a latency rule fires on a
request that goes on to be served, so ``times: N`` delays N served requests, however many
requests the client retries after other rules refused them.
Paths under ``/_sandbox`` are never faulted.

``search_lag`` makes search eventually consistent, as it is on Cloud: CQL search
(``/wiki/rest/api/search``, ``/wiki/rest/api/content/search``) and JQL search
(``/rest/api/{2,3}/search``, ``/rest/api/3/search/jql``) match pages and issues as they were
``seconds`` ago (time-stamped snapshots, see ``sandbox.search_history``): content created
since is not found, labels, titles and fields changed since match their old values. ``path``
(default every search) narrows it to one product's search, e.g. ``"/wiki/*"``. It never answers
a request itself and never delays one; lookups that are not search (content by space and title,
an issue by key) are never lagged. When several lag rules match, the longest lag applies.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import random
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response

from sandbox.errors import is_confluence_path, product_error

KINDS = ("status", "latency", "rate_limit", "conflict", "search_lag")


class FaultSpecError(ValueError):
    """A rule that cannot be understood."""


@dataclass
class FaultRule:
    kind: str
    method: str = "*"
    path: str = "*"
    status: int | None = None
    retry_after: int | None = None
    ms: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    burst: int = 1
    times: int | None = None
    probability: float = 1.0
    seed: int | None = None
    message: str | None = None
    id: str = ""
    fired: int = 0
    _tokens: float = field(default=0.0, repr=False)
    _last: float = field(default=0.0, repr=False)
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_json(cls, data: Any, rule_id: str) -> FaultRule:
        if not isinstance(data, dict):
            raise FaultSpecError("each fault rule must be a JSON object")
        kind = data.get("kind")
        if kind not in KINDS:
            raise FaultSpecError(f"kind must be one of {', '.join(KINDS)}")
        known = {"kind", "method", "path", "status", "retry_after", "ms", "seconds", "rate", "burst",
                 "times", "probability", "seed", "message", "id"}
        unknown = set(data) - known
        if unknown:
            raise FaultSpecError(f"unknown rule keys: {', '.join(sorted(unknown))}")
        rule = cls(
            kind=kind,
            method=str(data.get("method", "*")).upper(),
            path=str(data.get("path", "*")),
            status=data.get("status"),
            retry_after=data.get("retry_after"),
            ms=int(data.get("ms", 0)),
            seconds=_number(data.get("seconds", 0), "seconds"),
            rate=float(data.get("rate", 0)),
            burst=int(data.get("burst", 1)),
            times=data.get("times"),
            probability=float(data.get("probability", 1.0)),
            seed=data.get("seed"),
            message=data.get("message"),
            id=str(data.get("id") or rule_id),
        )
        rule._validate()
        rule._random = random.Random(rule.seed)
        rule._tokens = float(rule.burst)
        rule._last = time.monotonic()
        return rule

    def _validate(self) -> None:
        if self.kind == "status" and self.status not in (429, 500, 502, 503, 504):
            raise FaultSpecError("status faults take status 429, 500, 502, 503 or 504")
        if self.kind == "latency" and self.ms <= 0:
            raise FaultSpecError("latency faults need ms > 0")
        if self.kind == "search_lag" and self.seconds <= 0:
            raise FaultSpecError("search_lag faults need seconds > 0")
        if self.kind == "rate_limit" and (self.rate <= 0 or self.burst < 1):
            raise FaultSpecError("rate_limit faults need rate > 0 and burst >= 1")
        if self.times is not None and (not isinstance(self.times, int) or self.times < 1):
            raise FaultSpecError("times must be a positive integer")
        if not 0.0 <= self.probability <= 1.0:
            raise FaultSpecError("probability must be between 0 and 1")
        if self.path.startswith("re:"):
            try:
                re.compile(self.path[3:])
            except re.error as exc:
                raise FaultSpecError(f"bad path regex: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        return {k: v for k, v in data.items() if v is not None}

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        if self.path.startswith("re:"):
            return re.fullmatch(self.path[3:], path) is not None
        return fnmatch.fnmatchcase(path, self.path)

    @property
    def expired(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def take_token(self) -> float:
        """Token bucket: 0 when a token was taken, else seconds until one is available."""
        now = time.monotonic()
        self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate


class Faults:
    """The active rule list, consulted before every non-``/_sandbox`` request."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_json() for r in self._rules]

    def replace(self, specs: list[Any]) -> list[dict[str, Any]]:
        rules = [FaultRule.from_json(s, f"f{next(self._ids)}") for s in specs]
        with self._lock:
            self._rules = rules
        return self.rules()

    def add(self, spec: Any) -> dict[str, Any]:
        rule = FaultRule.from_json(spec, f"f{next(self._ids)}")
        with self._lock:
            self._rules.append(rule)
        return rule.to_json()

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def decide(self, method: str, path: str) -> tuple[int, FaultRule | None, float]:
        """Latency to add (ms), the rule that answers (or None) and its wait in seconds."""
        chosen, wait, slow = None, 0.0, []
        with self._lock:
            for rule in self._rules:
                if rule.kind == "search_lag" or rule.expired or not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and rule._random.random() >= rule.probability:
                    continue
                if rule.kind == "latency":
                    slow.append(rule)
                    continue
                if rule.kind == "rate_limit":
                    wait = rule.take_token()
                    if wait <= 0:
                        continue
                rule.fired += 1
                chosen = rule
                break
            if chosen is not None:  # answered at once: latency fires only on requests that go on
                slow = []
            for rule in slow:  # one firing per request and rule, so retries of refused requests
                rule.fired += 1  # do not use up a latency rule's ``times``
            self._rules = [r for r in self._rules if not r.expired]
        return sum(r.ms for r in slow), chosen, wait

    def search_lag(self, method: str, path: str) -> float:
        """Seconds a search on ``path`` lags behind the data (0: it sees everything now)."""
        lag = 0.0
        with self._lock:
            for rule in self._rules:
                if rule.kind != "search_lag" or rule.expired or not rule.matches(method, path):
                    continue
                if rule.probability < 1.0 and rule._random.random() >= rule.probability:
                    continue
                rule.fired += 1
                lag = max(lag, rule.seconds)
            self._rules = [r for r in self._rules if not r.expired]
        return lag


def _number(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise FaultSpecError(f"{name} must be a number") from None


def fault_response(rule: FaultRule, path: str, wait: float = 0.0) -> Response:
    """The response a fault rule produces, shaped like the product that owns ``path``."""
    if rule.kind == "conflict":
        message = rule.message or (
            "Version must be incremented on update. The content was changed by someone else."
            if is_confluence_path(path)
            else "The issue was modified by another user while you were editing. Reload and try again."
        )
        return product_error(path, 409, message)
    status = 429 if rule.kind == "rate_limit" else int(rule.status or 500)
    headers: dict[str, str] = {}
    retry_after = rule.retry_after
    if rule.kind == "rate_limit":
        retry_after = max(1, math.ceil(wait)) if rule.retry_after is None else rule.retry_after
    if status == 429:
        retry_after = 1 if retry_after is None else retry_after
        reset = datetime.now(UTC) + timedelta(seconds=retry_after)
        limit = int(rule.burst if rule.kind == "rate_limit" else 100)
        headers.update({
            "Retry-After": str(int(retry_after)),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
            "X-RateLimit-NearLimit": "true",
            "RateLimit-Reason": "confluence-burst-based" if is_confluence_path(path) else "jira-burst-based",
        })
        message = rule.message or "Rate limit exceeded."
    else:
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        message = rule.message or {
            500: "Internal server error",
            502: "Bad gateway",
            503: "Service unavailable. Try again later.",
            504: "Gateway timeout",
        }.get(status, "Server error")
    return product_error(path, status, message, headers=headers)
