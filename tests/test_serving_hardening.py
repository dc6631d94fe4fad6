"""The served app (``debrief serve``: gunicorn in a subprocess, real sockets) against slow
clients and over-limit bodies."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from debrief.buffering_worker import request_complete
from webhooks.signature import sign

ROOT = Path(__file__).resolve().parents[1]
SECRET = "served-secret"
LIMIT = 1024 * 1024  # app.yaml: intake.max_body_kib 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def connect(self, timeout: float = 10) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=timeout)


@pytest.fixture(scope="module")
def served(redis_url) -> Iterator[Served]:
    port = _free_port()
    env = {**os.environ, "REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": SECRET,
           "DEBRIEF_CONFIG": str(ROOT / "app.yaml")}
    proc = subprocess.Popen([sys.executable, "-m", "debrief", "serve", "--port", str(port), "--workers", "1"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    served = Served("127.0.0.1", port)
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            if requests.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "debrief serve did not come up"
        time.sleep(0.2)
    yield served
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def head(path: str, **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def chunked(body: bytes, size: int = 65536) -> bytes:
    out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size))
    return out + b"0\r\n\r\n"


def test_slow_clients_do_not_take_healthz_down(served):
    slow = []
    try:
        for _ in range(12):  # more than the worker's threads
            sock = served.connect()
            sock.sendall(head("/webhooks/jira", **{"Content-Type": "application/json", "Content-Length": "100"}) + b"{")
            slow.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        assert requests.get(f"{served.url}/healthz", timeout=2).status_code == 200
        assert time.monotonic() - started < 2
        # A client that trickles its head byte by byte holds no thread either.
        trickle = served.connect()
        slow.append(trickle)
        trickle.sendall(b"POST /webhooks/jira HTTP/1.1\r\nHost: x\r\n")
        assert requests.get(f"{served.url}/healthz", timeout=2).status_code == 200
    finally:
        for sock in slow:
            sock.close()


def test_a_complete_signed_delivery_still_works_on_the_served_app(served, redis_conn):
    body = json.dumps({"webhookEvent": "jira:version_released", "version": {}}).encode()
    response = requests.post(f"{served.url}/webhooks/jira", data=body, timeout=5,
                             headers={"Content-Type": "application/json", "X-Hub-Signature": sign(body, SECRET)})
    assert response.status_code == 202, response.text


def test_over_limit_body_sent_in_full_gets_the_413(served):
    body = b'{"pad": "' + b"x" * (2 * LIMIT) + b'"}'
    with served.connect() as sock:
        sock.sendall(head("/webhooks/jira", **{"Content-Type": "application/json",
                                               "Content-Length": str(len(body))}) + body)
        status, data = read_response(sock)
    assert status == 413, data[:300]


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed-over-first-MiB"])
def test_chunked_over_limit_is_413_not_cut(served, redis_conn, signed):
    body = b'{"webhookEvent": "jira:version_released", "pad": "' + b"x" * (LIMIT + 10) + b'"}'
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    if signed:  # a signature over the first MiB only must not get the delivery in
        headers["X-Hub-Signature"] = sign(body[:LIMIT], SECRET)
    with served.connect() as sock:
        sock.sendall(head("/webhooks/jira", **headers) + chunked(body))
        status, data = read_response(sock)
    assert status == 413, data[:300]


def test_chunked_within_limit_is_read_whole(served, redis_conn):
    body = json.dumps({"webhookEvent": "jira:version_released", "pad": "y" * 300_000}).encode()
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked",
               "X-Hub-Signature": sign(body, SECRET)}
    with served.connect() as sock:
        sock.sendall(head("/webhooks/jira", **headers) + chunked(body, 1000))
        status, data = read_response(sock)
    assert status == 202, data[:300]


@pytest.mark.parametrize(("raw", "done"), [
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n", False),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", False),
    (b"POST / HTTP/1.1\r\ncontent-length:5\r\n\r\nabcde", True),
    (b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", True),  # over the limit: the app says 413
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", False),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", True),  # malformed: the parser answers
])
def test_request_complete(raw, done):
    assert request_complete(raw, 1000) is done
