"""No secret and no internal error text reaches a printer, a log line or a public answer:
REDIS_URL's password is redacted everywhere; /readyz names the part that is down, not why."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.environment import read_environment, redact_text, redact_url
from debrief.logs import JsonFormatter, TextFormatter
from debrief.operations import jobs_command
from sandbox.local_redis import NoRedis, ensure_redis
from tests.test_intake import make_app

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "s3cret-Pa55"


@pytest.mark.parametrize(("url", "shown"), [
    (f"redis://:{PASSWORD}@127.0.0.1:6379/3", "redis://:***@127.0.0.1:6379/3"),
    (f"redis://default:{PASSWORD}@cache.internal:6380/0", "redis://default:***@cache.internal:6380/0"),
    (f"rediss://u:{PASSWORD}@[::1]:6379", "rediss://u:***@[::1]:6379"),
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("redis://user@127.0.0.1:6379/0", "redis://user@127.0.0.1:6379/0"),
    (None, None),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redact_text_finds_urls_inside_messages():
    text = f"Error connecting to redis://:{PASSWORD}@10.0.0.5:6379/0 and rediss://a:{PASSWORD}@h/1."
    assert redact_text(text) == "Error connecting to redis://:***@10.0.0.5:6379/0 and rediss://a:***@h/1."


def test_environment_repr_hides_the_redis_password():
    env = read_environment({"REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:6379/0"})
    assert PASSWORD not in repr(env) and "redis://:***@127.0.0.1:6379/0" in repr(env)


def test_jobs_command_error_hides_the_password(monkeypatch, capsys):
    monkeypatch.setenv("REDIS_URL", f"redis://:{PASSWORD}@127.0.0.1:1/0")
    assert jobs_command(argparse.Namespace(jobs_command="status")) == 1
    err = capsys.readouterr().err
    assert "not answering" in err and "127.0.0.1:1" in err
    assert PASSWORD not in err


def test_worker_start_line_hides_the_password(redis_conn, redis_url):
    host_and_db = redis_url.split("://", 1)[1]
    env = {**os.environ, "REDIS_URL": f"redis://default:{PASSWORD}@{host_and_db}",
           "JIRA_URL": "http://127.0.0.1:9", "CONFLUENCE_URL": "http://127.0.0.1:9/wiki",
           "ATLASSIAN_USER": "u@example.com", "ATLASSIAN_TOKEN": "t", "DEBRIEF_CONFIG": str(ROOT / "app.yaml")}
    done = subprocess.run([sys.executable, "-m", "debrief", "worker", "--burst"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Debrief worker" in done.stdout and f"default:***@{host_and_db}" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()])
def test_log_lines_hide_passwords(formatter):
    try:
        raise ConnectionError(f"cannot reach redis://:{PASSWORD}@h:6379/0")
    except ConnectionError:
        record = logging.LogRecord("debrief.x", logging.ERROR, __file__, 1, "lost %s",
                                   (f"redis://:{PASSWORD}@h:6379/0",), sys.exc_info())
    line = formatter.format(record)
    assert PASSWORD not in line and "redis://:***@h:6379/0" in line


def test_local_redis_messages_hide_the_password():
    with pytest.raises(NoRedis) as caught:
        ensure_redis({"REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:1/0"})
    assert PASSWORD not in str(caught.value) and "127.0.0.1:1/0" in str(caught.value)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_readyz_names_the_part_without_internals():
    app = make_app("redis://127.0.0.1:1/0")
    logger, collect = logging.getLogger("debrief.health"), _Collect()
    logger.addHandler(collect)
    try:
        ready = app.test_client().get("/readyz")
    finally:
        logger.removeHandler(collect)
    assert ready.status_code == 503
    body = ready.get_data(as_text=True)
    assert ready.get_json()["checks"]["redis"] == {"ok": False, "detail": "Redis is not answering"}
    assert "Error" not in body and "111" not in body and "127.0.0.1" not in body and ":1" not in body
    assert any("127.0.0.1:1" in line for line in collect.lines)  # the detail is in the log
