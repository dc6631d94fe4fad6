"""Sections 2, 4 and 6: how long a draft takes, how it copes with a rate limit, and whether a
burst of other deliveries delays it.

A draft's latency runs from the moment the signed delivery is sent to the moment the sandbox
answered Debrief's page create (the page exists), and to the last call of the job (done).
The floor is what the sandbox itself spent serving Debrief's calls (journal ``duration_ms``).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench import deliveries, loadgen
from bench.servers import SECRET
from bench.site import Site, entry_end, entry_start

DRAFT_TIMEOUT = 30.0


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def one_draft(site: Site, key: str) -> dict:
    raw, headers = site.delivery(key, "jira:issue_created")
    mark = site.mark()
    sent, status, answer = site.deliver(raw, headers)
    created = site.wait_for_call(mark, "create page", DRAFT_TIMEOUT)
    job = site.wait_for_job(answer.get("job"), sent, DRAFT_TIMEOUT)
    calls = site.debrief_calls(mark)
    if created is None:
        return {"key": key, "delivery_status": status, "job": job, "error": "no page was created"}
    upto = [e for e in calls.entries if e["id"] <= created["id"]]
    first = calls.entries[0]
    return {"key": key, "delivery_status": status, "job": job,
            # queue hand-off, worker fork, clients: from the delivery to Debrief's first call
            "first_call_s": entry_start(first) - sent,
            # Debrief's own work between its calls, up to the page (fetch -> decide -> render -> create)
            "between_calls_s": entry_end(created) - entry_start(first) - sum(e["duration_ms"] for e in upto) / 1000,
            "page_s": entry_end(created) - sent,
            "page_floor_s": sum(e["duration_ms"] for e in upto) / 1000,
            "done_s": (max(entry_end(e) for e in calls.entries) - sent) if calls.entries else None,
            "done_floor_s": calls.service_ms / 1000, "calls": len(calls.entries)}


def draft_latency(site: Site, n: int) -> dict:
    one_draft(site, site.create_incident())  # not counted: the workers' first job pays for warming up
    runs = [one_draft(site, site.create_incident()) for _ in range(n)]
    good = [r for r in runs if "page_s" in r]
    out: dict = {"incidents": n, "failed": [r for r in runs if "page_s" not in r],
                 "jobs_not_finished": [r for r in runs if r["job"] != "finished"]}
    if not good:
        return out
    for field in ("page_s", "page_floor_s", "done_s", "done_floor_s", "first_call_s", "between_calls_s"):
        values = [r[field] for r in good if r.get(field) is not None]
        out[field.replace("_s", "_p50_ms")] = statistics.median(values) * 1000
        out[field.replace("_s", "_p95_ms")] = _quantile(values, 0.95) * 1000
    out["calls_per_draft"] = statistics.median(r["calls"] for r in good)
    return out


def under_rate_limit(site: Site, rate: float, burst: int, incidents: int) -> dict:
    """The sandbox's token bucket on every Atlassian path; ``incidents`` drafted at once."""
    keys = [site.create_incident() for _ in range(incidents)]
    bodies = [site.delivery(k, "jira:issue_created") for k in keys]
    site.state.faults.replace([{"kind": "rate_limit", "rate": rate, "burst": burst, "path": "*", "id": "bench-bucket"}])
    mark = site.mark()
    try:
        answers = [site.deliver(raw, headers) for raw, headers in bodies]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum(bool(site.pages_for(k)) for k in keys) < incidents:
            time.sleep(0.05)
        for (sent, _, answer) in answers:
            site.wait_for_job(answer.get("job"), sent, max(1.0, deadline - time.monotonic()))
    finally:
        site.state.faults.clear()
    calls = site.debrief_calls(mark).entries
    if not calls:
        return {"rate": rate, "burst": burst, "incidents": incidents, "error": "Debrief made no calls"}
    start, end = entry_start(calls[0]), max(entry_end(e) for e in calls)
    served = [e for e in calls if e["status"] != 429]
    limited = [e for e in calls if e["status"] == 429]
    span = max(end - start, 1e-6)
    # The bucket starts full: in steady state at most `rate` calls a second get through, plus the burst.
    achieved = max(len(served) - burst, 0) / span
    return {"rate": rate, "burst": burst, "incidents": incidents,
            "pages": sum(bool(site.pages_for(k)) for k in keys),
            "calls": len(calls), "served": len(served), "throttled_429": len(limited),
            "seconds": span, "achieved_rate": achieved, "ratio": achieved / rate,
            "last_429_after_s": (max(entry_start(e) for e in limited) - start) if limited else None,
            "429_after_first_2s": sum(entry_start(e) - start > 2.0 for e in limited)}


def burst(site: Site, binary: Path, service_port: int, out_dir: Path, total: int, clients: int,
          normal_p50_ms: float | None) -> dict:
    """``total`` deliveries for issues that are not incidents, one real incident in the middle."""
    key = site.create_incident()
    raw_incident, headers_incident = site.delivery(key, "jira:issue_created")
    fixture = deliveries.fixture_body()
    middle = total // 2
    reqs = []
    for i in range(total):
        if i == middle:
            reqs.append(loadgen.http_request(deliveries.PATH, raw_incident, headers_incident, service_port))
            continue
        raw, headers = deliveries.signed(deliveries.not_an_incident(fixture, 500000 + i), SECRET)
        reqs.append(loadgen.http_request(deliveries.PATH, raw, headers, service_port))
    path = loadgen.write_requests(out_dir / "burst.req", reqs)
    mark = site.mark()
    try:
        result = loadgen.run(binary, service_port, path, clients, mark=middle)
    finally:
        path.unlink()
    created = site.wait_for_call(mark, "create page", DRAFT_TIMEOUT)
    page_s = (entry_end(created) - result.mark_sent_unix) if created else None
    return {"deliveries": total, "clients": clients, "rps": result.rps, "p99_ms": result.p99_ms,
            "statuses": result.statuses, "errors": result.errors,
            "server_errors": result.count(lambda s: s >= 500),
            "incident_page_ms": page_s * 1000 if page_s is not None else None,
            "normal_page_p50_ms": normal_p50_ms,
            "ratio_to_normal": (page_s * 1000 / normal_p50_ms) if page_s is not None and normal_p50_ms else None}
