"""Debrief's own service over real HTTP, and real RQ workers in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis import Redis
from werkzeug.serving import make_server

from config.environment import read_environment
from config.settings import load_settings
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL, DEMO_PAT
from webhooks import create_app

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-webhook-secret"


@dataclass
class Service:
    url: str
    env: dict[str, str]

    def run_worker(self, timeout: float = 90) -> subprocess.CompletedProcess:
        """A real ``debrief worker --burst``: takes every queued job, then exits."""
        return subprocess.run([sys.executable, "-m", "debrief", "worker", "--burst"], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def service(request, sandbox, redis_conn, redis_url) -> Iterator[Service]:
    """``@pytest.mark.parametrize("service", ["cloud", "datacenter"], indirect=True)`` runs a
    test against both deployments: Data Center signs in with a PAT (no user and API token)."""
    deployment = getattr(request, "param", "cloud")
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_URL": sandbox.url, "CONFLUENCE_URL": f"{sandbox.url}/wiki",
           "ATLASSIAN_DEPLOYMENT": deployment, "JIRA_WEBHOOK_SECRET": SECRET, "DEBRIEF_CONFIG": str(ROOT / "app.yaml")}
    for name in ("ATLASSIAN_PAT", "ATLASSIAN_USER", "ATLASSIAN_TOKEN", "DEBRIEF_ATLASSIAN_TIMEOUT"):
        env.pop(name, None)
    if deployment == "datacenter":
        env["ATLASSIAN_PAT"] = DEMO_PAT
    else:
        env.update({"ATLASSIAN_USER": DEMO_EMAIL, "ATLASSIAN_TOKEN": DEMO_API_TOKEN})
    app = create_app(load_settings(ROOT / "app.yaml"), read_environment(env), Redis.from_url(redis_url))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Service(f"http://127.0.0.1:{server.server_port}", env)
    server.shutdown()
    server.server_close()
