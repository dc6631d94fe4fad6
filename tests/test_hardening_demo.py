"""``debrief demo`` stops everything it started, quietly, on SIGTERM, SIGHUP and a terminal's
Ctrl-C (SIGINT to its whole process group): a real demo run in a subprocess on free ports."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "Ctrl-C"])
def test_demo_stops_every_child_quietly(redis_conn, redis_url, how):
    env = {**os.environ, "REDIS_URL": redis_url, "DEBRIEF_CONFIG": str(ROOT / "app.yaml"),
           "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [sys.executable, "-m", "debrief", "demo", "--port", str(_free_port()),
         "--sandbox-port", str(_free_port())],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)  # its own group, as a shell gives a foreground job
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        for line in demo.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # every child is up once the sample incident exists
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            assert line is not None, "".join(output)
            output.append(line)
            if line.startswith("Created sample incident"):
                break
        else:
            raise AssertionError("the demo did not start:\n" + "".join(output))
        time.sleep(1.0)  # let gunicorn fork its workers and the worker its scheduler
        started = descendants(demo.pid)
        assert len(started) >= 4, started  # sandbox, gunicorn + workers, RQ worker
        while not lines.empty():
            output.append(lines.get() or "")
        signalled_at = len(output)
        if how == "Ctrl-C":
            os.killpg(demo.pid, signal.SIGINT)
        else:
            demo.send_signal(getattr(signal, how))
        assert demo.wait(timeout=60) == 0
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    while (line := lines.get(timeout=10)) is not None:
        output.append(line)
    text = "".join(output)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in started if alive(pid)] == [], text
    after = "".join(output[signalled_at:])  # a failing job logs its traceback; stopping must not
    assert "Stopping the demo" in after
    assert "Traceback" not in after and "Error" not in after, text
