"""The processes a benchmark run drives: ``debrief serve``, the bare app, ``debrief worker``
and the sandbox site (in this process, so its journal and state can be read directly)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL, PEOPLE

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-webhook-secret"
AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)
REVIEWER = PEOPLE[4].account_id  # Sara Lee, the sandbox's reviewer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_config(out_dir: Path) -> Path:
    """The shipped app.yaml with two changes: the periodic sweep pushed out of the run (once a
    day), so it never mixes into another measurement's calls (the bench runs ``debrief sweep``
    itself), and a reviewer named, so a postmortem can be approved."""
    config = yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))
    if config.get("team_folder") or (config.get("templates") or {}).get("team_folder"):
        return ROOT / "app.yaml"  # relative paths inside: use it as it is
    config.setdefault("sweep", {})["every_minutes"] = 24 * 60
    config.setdefault("review", {})["reviewers"] = [REVIEWER]  # so a postmortem can be approved
    path = out_dir / "app.yaml"
    out_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def product_env(redis_url: str, sandbox_url: str | None = None, config: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": SECRET,
           "DEBRIEF_CONFIG": str(config or ROOT / "app.yaml"), "DEBRIEF_LOG_FORMAT": "json"}
    if sandbox_url:
        env.update({"JIRA_URL": sandbox_url, "CONFLUENCE_URL": f"{sandbox_url}/wiki", "ATLASSIAN_DEPLOYMENT": "cloud",
                    "ATLASSIAN_USER": DEMO_EMAIL, "ATLASSIAN_TOKEN": DEMO_API_TOKEN})
    env.pop("ATLASSIAN_PAT", None)
    return env


@dataclass
class Process:
    name: str
    proc: subprocess.Popen
    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def _wait_http(port: int, path: str, proc: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} (see .bench/*.log)")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{what} did not answer {path} within {timeout:.0f}s")


def _log(out_dir: Path, name: str):
    out_dir.mkdir(parents=True, exist_ok=True)
    return (out_dir / f"{name}.log").open("ab")  # several processes may share one; emptied per run


def start_service(env: dict, out_dir: Path, workers: int = 2) -> Process:
    """``debrief serve``: Debrief's service, exactly as production starts it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "debrief", "serve", "--port", str(port), "--workers", str(workers)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=_log(out_dir, "service"))
    _wait_http(port, "/healthz", proc, "debrief serve")
    return Process("debrief serve", proc, port)


def start_bare(env: dict, out_dir: Path, workers: int = 2) -> Process:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.apps", "--port", str(port), "--workers", str(workers)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=_log(out_dir, "bare"))
    _wait_http(port, "/healthz", proc, "the bare app")
    return Process("bare Flask", proc, port)


def start_worker(env: dict, out_dir: Path, name: str) -> Process:
    proc = subprocess.Popen([sys.executable, "-m", "debrief", "worker", "--name", name], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=_log(out_dir, "worker"))
    return Process(f"debrief worker {name}", proc)


def wait_idle(redis, timeout: float = 60) -> bool:
    """Until Debrief's queue is empty and no job runs (e.g. the sweep a worker queues at start)."""
    from rq import Queue  # noqa: PLC0415

    from jobqueue.queue import QUEUE_NAME  # noqa: PLC0415

    queue = Queue(QUEUE_NAME, connection=redis)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if queue.count == 0 and queue.started_job_registry.count == 0:
            return True
        time.sleep(0.1)
    return False
