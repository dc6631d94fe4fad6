"""A latency rule's ``times`` counts the requests it delayed, one firing per request: the
retries a client makes after other rules refused it do not use it up."""

from __future__ import annotations

import time

import requests

DEMO = ("demo@example.com", "demo-token")
PATH = "/rest/api/2/serverInfo"


def timed_get(sandbox) -> tuple[int, float]:
    started = time.monotonic()
    status = requests.get(f"{sandbox.url}{PATH}", auth=DEMO, timeout=10).status_code
    return status, time.monotonic() - started


def test_latency_times_counts_served_requests_not_refused_retries(sandbox):
    rules = [{"kind": "latency", "ms": 300, "path": PATH, "times": 2},
             {"kind": "status", "status": 503, "path": PATH, "times": 2, "retry_after": 0}]
    assert requests.put(f"{sandbox.url}/_sandbox/faults", json=rules, auth=DEMO).status_code == 200
    answers = [timed_get(sandbox) for _ in range(5)]  # a first request and its retries
    assert [status for status, _ in answers] == [503, 503, 200, 200, 200]
    slow = [elapsed >= 0.3 for _, elapsed in answers]
    assert slow == [False, False, True, True, False]
    assert requests.get(f"{sandbox.url}/_sandbox/faults", auth=DEMO).json() == []


def test_one_firing_per_request_for_each_latency_rule(sandbox):
    rules = [{"kind": "latency", "ms": 150, "path": PATH, "times": 1},
             {"kind": "latency", "ms": 150, "path": "/rest/*", "times": 2}]
    requests.put(f"{sandbox.url}/_sandbox/faults", json=rules, auth=DEMO)
    first, second, third = (timed_get(sandbox)[1] for _ in range(3))
    assert first >= 0.3 and 0.15 <= second < 0.3 and third < 0.15
