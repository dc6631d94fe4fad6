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


def test_a_request_held_by_latency_across_a_reset_touches_nothing_of_the_new_site(sandbox):
    """One test's slow request must not land in the next test's site: the sandbox is reset between
    them and numbers pages the same way again."""
    import threading

    import requests

    auth = ("demo@example.com", "demo-token")
    base = sandbox.url
    r = requests.put(f"{base}/_sandbox/faults", auth=auth,
                     json=[{"kind": "latency", "ms": 1500, "method": "POST", "path": "/rest/api/2/issue"}])
    assert r.ok, r.text
    answers = []
    slow = threading.Thread(target=lambda: answers.append(requests.post(
        f"{base}/rest/api/2/issue", auth=auth, timeout=10, json={"fields": {
            "project": {"key": "INC"}, "issuetype": {"name": "Incident"}, "summary": "from the old site"}})))
    slow.start()
    import time

    time.sleep(0.3)
    sandbox.state.reset()  # what the next test's fixture does
    slow.join()
    assert answers[0].status_code == 503
    found = requests.get(f"{base}/rest/api/2/search", auth=auth, params={"jql": 'summary ~ "old site"'}).json()
    assert found["issues"] == []
    journal = requests.get(f"{base}/_sandbox/journal", auth=auth).json()
    entries = journal.get("entries", journal) if isinstance(journal, dict) else journal
    assert [e for e in entries if e["method"] == "POST"] == []
