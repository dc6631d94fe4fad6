"""Measure POST /webhooks/jira throughput (signed, real Jira body, real Redis) against a bare
Flask endpoint returning 202, both under gunicorn with the same settings.

Prints the median of several rounds and the ratio. Figures depend on the machine: read the
ratio, not the absolute numbers.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from redis import Redis

from webhooks.signature import sign

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SERVER_WORKERS = int(os.environ.get("BENCH_SERVER_WORKERS", "2"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sample_body() -> bytes:
    issue = {
        "key": "INC-42", "id": "10042", "self": "http://jira/rest/api/2/issue/10042",
        "fields": {"summary": "Checkout returns 500", "project": {"key": "INC"}, "issuetype": {"name": "Incident"},
                   "status": {"name": "In Progress"}, "priority": {"name": "High"}, "labels": ["rollback"],
                   "created": "2026-11-25T01:00:00.000+0000", "customfield_10100": {"value": "SEV-2"},
                   "customfield_10101": "2026-11-25T01:00:00.000+0000",
                   "customfield_10103": "2026-11-25T01:47:00.000+0000",
                   "customfield_10105": {"value": "Downtime"}, "components": [{"name": "checkout"}],
                   "description": "x" * 2000},
    }
    return json.dumps({"timestamp": 1764032400000, "webhookEvent": "jira:issue_updated",
                       "issue_event_type_name": "issue_updated", "user": {"accountId": "u1"},
                       "issue": issue, "changelog": {"id": "1", "items": []}}).encode()


def _serve(factory: str, port: int, env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(SERVER_WORKERS),
           "--worker-class", "gthread", "--threads", "4", "--log-level", "warning", f"bench.apps:{factory}()"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{factory} did not start")


def _load(port: int, body: bytes, total: int) -> float:
    """Send ``total`` signed deliveries from CLIENTS keep-alive connections; requests/second."""
    per_client = total // CLIENTS
    signature = sign(body, SECRET)
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(per_client):
            conn.request("POST", "/webhooks/jira", body=body, headers={
                "Content-Type": "application/json", "X-Hub-Signature": signature,
                "X-Atlassian-Webhook-Identifier": uuid.uuid4().hex})
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 202):
                errors.append(str(response.status))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. HTTP {errors[0]}")
    return per_client * CLIENTS / elapsed


def main() -> int:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/12"
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": SECRET,
           "DEBRIEF_CONFIG": str(ROOT / "app.yaml"), "DEBRIEF_LOG_FORMAT": "json"}
    body = _sample_body()
    results: dict[str, list[float]] = {"bare": [], "debrief": []}
    servers = {name: (_free_port()) for name in results}
    procs = {name: _serve(name, port, env) for name, port in servers.items()}
    try:
        for port in servers.values():
            _load(port, body, 200)  # warm up
        for _ in range(ROUNDS):
            for name, port in servers.items():  # interleaved, so noise hits both alike
                results[name].append(_load(port, body, REQUESTS))
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=10)
        redis.flushdb()
    bare, ours = statistics.median(results["bare"]), statistics.median(results["debrief"])
    print(f"POST /webhooks/jira, {REQUESTS} signed deliveries x {ROUNDS} rounds, {CLIENTS} clients, "
          f"gunicorn gthread {SERVER_WORKERS}x4, body {len(body)} bytes")
    print(f"  bare Flask 202:  median {bare:8.0f} req/s   (rounds: {', '.join(f'{r:.0f}' for r in results['bare'])})")
    print(f"  Debrief intake:  median {ours:8.0f} req/s   (rounds: {', '.join(f'{r:.0f}' for r in results['debrief'])})")
    print(f"  ratio Debrief/bare: {ours / bare:.2f} (target >= 0.70)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
