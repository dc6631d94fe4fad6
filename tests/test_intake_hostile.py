"""Hostile deliveries get a 4xx, never a 5xx (Jira retries 5xx for half an hour): wrong types
in signed bodies, absurd dates, lone surrogates, deep nesting, odd headers and charsets."""

from __future__ import annotations

import copy
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from debrief.logs import JsonFormatter, TextFormatter
from tests.test_intake import SECRET, make_app, payload
from webhooks.signature import sign

BASE = payload("issue_updated.status_resolved.cloud.mattermost.json")
COMMENT = payload("comment_created.cloud.mattermost.json")


@pytest.fixture(scope="module")
def client(redis_url):
    return make_app(redis_url).test_client()


def send(client, raw: bytes, content_type="application/json", **headers):
    h = {"Content-Type": content_type, "X-Hub-Signature": sign(raw, SECRET), **headers}
    return client.post("/webhooks/jira", data=raw, headers=h)


def mutated(path, value, body=BASE):
    body = copy.deepcopy(body)
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(("path", "value", "status"), [
    (["issue", "fields", "status"], "Open", 422),
    (["issue", "fields", "labels"], 5, 422),
    (["issue", "fields", "comment"], {"comments": 5}, 422),
    (["issue", "fields", "created"], 1e300, 422),
    (["issue", "fields", "created"], 10**30, 422),
    (["issue", "fields", "resolutiondate"], -(10**30), 422),
    (["issue", "key"], "TES-41\nFAKE 12:00:00 INFO forged", 422),
    (["issue", "key"], "TES-41\n", 422),
])
def test_wrong_types_are_422(client, redis_conn, path, value, status):
    response = send(client, json.dumps(mutated(path, value)).encode())
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == "unprocessable"


@pytest.mark.parametrize("raw", [
    json.dumps(BASE).replace('"TES-41"', '"TES-\\ud800"', 1).encode(),  # a key with a lone surrogate
    json.dumps(BASE).replace('"resolutiondate": ', '"resolutiondate": Infinity, "x": ', 1).encode(),
    json.dumps(BASE).replace('"resolutiondate": ', '"resolutiondate": NaN, "x": ', 1).encode(),
    b"[" * 1000 + b"]" * 1000,
    b'{"webhookEvent": "jira:issue_updated", "issue": ' + b'{"a": ' * 1000 + b"1" + b"}" * 1001,
], ids=["lone-surrogate", "infinity", "nan", "nested-1000", "nested-object-1000"])
def test_unparseable_json_is_400(client, redis_conn, raw):
    response = send(client, raw)
    assert response.status_code == 400, response.get_json()


def test_paired_surrogate_escapes_are_fine(client, redis_conn):
    raw = json.dumps(mutated(["issue", "fields", "summary"], "db down \U0001f525")).encode()
    assert b"\\ud83d\\udd25" in raw
    assert send(client, raw).status_code == 202


def test_non_ascii_signature_is_401_not_500(client):
    raw = json.dumps(BASE).encode()
    for value in ("sha256=é", "sha256=\u00ff\u00fe", "é=é"):
        response = client.post("/webhooks/jira", data=raw, headers={"Content-Type": "application/json",
                                                                     "X-Hub-Signature": value})
        assert response.status_code == 401
    response = client.post("/webhooks/jira", data=raw, headers={"Content-Type": "application/json",
                                                                 "X-Debrief-Token": "é"})
    assert response.status_code == 401


@pytest.mark.parametrize(("raw", "content_type"), [
    (json.dumps(BASE).encode(), "application/json; charset=latin-1"),
    (json.dumps(BASE).encode(), "application/json; charset=utf-16"),
    (json.dumps(BASE).encode("utf-16"), "application/json"),
    (json.dumps(BASE).encode("utf-16-le"), "application/json"),  # no BOM: NUL bytes give it away
    (json.dumps(BASE).encode("utf-32"), "application/json"),
    (json.dumps(BASE, ensure_ascii=False).replace("Test", "Tést").encode("latin-1"), "application/json"),
    (b"a=b", "application/x-www-form-urlencoded"),
])
def test_not_utf8_json_is_415(client, redis_conn, raw, content_type):
    assert send(client, raw, content_type=content_type).status_code == 415


def test_utf8_charset_is_accepted(client, redis_conn):
    assert send(client, json.dumps(BASE).encode(), content_type="application/json; charset=UTF-8").status_code == 202


# Fuzzing signed bodies: any value anywhere the code reads must give a 4xx or 2xx ------------
_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(10**40), max_value=10**40)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
            | st.sampled_from(["", "TES-1", "2026-01-01T00:00:00.000+0000", "\n", "\ud800", "SEV-1", "High"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.sampled_from(["name", "key", "id", "value", "comments", "body",
                                                          "type", "content", "text", "self", "items"]),
                                         inner, max_size=3), max_leaves=8)
_PATHS = ([["issue", "fields", name] for name in BASE["issue"]["fields"]]
          + [["issue", name] for name in ("key", "id", "fields", "self")]
          + [["webhookEvent"], ["issue_event_type_name"], ["changelog"], ["issue"], ["user"]])
_COMMENT_PATHS = [["comment", name] for name in COMMENT["comment"]] + [["comment"], ["issue"],
                                                                        ["issue", "fields"]]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_signed_bodies_never_5xx(client, redis_conn, data):
    comment = data.draw(st.booleans())
    body, paths = (COMMENT, _COMMENT_PATHS) if comment else (BASE, _PATHS)
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
        try:
            body = mutated(path, data.draw(_VALUES), body)
        except (KeyError, TypeError):  # an earlier mutation removed the parent
            continue
    raw = json.dumps(body).encode()
    delivery = data.draw(st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
                                 max_size=8))
    response = send(client, raw, **{"X-Atlassian-Webhook-Identifier": delivery})
    assert response.status_code < 500, (body, response.get_json())


# Log lines ---------------------------------------------------------------------------------
def _record(msg, *args, **extra):
    record = logging.LogRecord("debrief.intake", logging.INFO, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_text_log_lines_escape_newlines_in_values():
    line = TextFormatter().format(_record("decided %s", "TES-1\n12:00:00 INFO forged",
                                          incident="TES-1\rX", delivery="d\n1"))
    assert "\n" not in line and "\r" not in line
    assert "TES-1\\n12:00:00 INFO forged" in line and "incident=TES-1\\rX" in line and "delivery=d\\n1" in line


def test_text_log_keeps_korean_and_json_stays_one_line():
    assert "한국어" in TextFormatter().format(_record("제목 %s", "한국어"))
    line = JsonFormatter().format(_record("decided %s", "a\nb", incident="x\ny"))
    assert "\n" not in line and json.loads(line)["incident"] == "x\ny"
