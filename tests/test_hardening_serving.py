"""Two ``debrief serve`` on one host share nothing but the machine: no control socket at a
per-user path (gunicorn's $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not healthy within {timeout}s")


def test_two_services_on_one_host_open_no_shared_control_socket(tmp_path):
    home, runtime_dir = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    runtime_dir.mkdir()
    procs = []
    try:
        for xdg in (None, str(runtime_dir)):  # both of gunicorn's default places
            env = {**os.environ, "HOME": str(home), "DEBRIEF_CONFIG": str(ROOT / "app.yaml"),
                   "REDIS_URL": "redis://127.0.0.1:6379/0"}
            env.pop("XDG_RUNTIME_DIR", None)
            if xdg:
                env["XDG_RUNTIME_DIR"] = xdg
            for _ in range(2):
                port = _free_port()
                proc = subprocess.Popen([sys.executable, "-m", "debrief", "serve", "--port", str(port),
                                         "--workers", "1"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
                procs.append(proc)
                _wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        sockets = [p for p in tmp_path.rglob("*") if p.is_socket() or p.suffix == ".ctl"]
        assert sockets == []
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
