"""Load the committed contract files and check live sandbox responses against them."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from tests.contracts.schema import Direction, SchemaSet, describe_errors

CONTRACTS_DIR = Path(__file__).resolve().parent
PRODUCTS = ("jira-cloud-v3", "jira-dc-v2", "confluence-cloud-v1", "confluence-cloud-v2")

DEMO_EMAIL = "demo@example.com"
DEMO_TOKEN = "demo-token"
DEMO_PAT = "demo-pat"
TIMEOUT = 10

# product -> operation id -> names of the tests that exercise it (filled in at import time by
# @covers, so the coverage check does not depend on test execution order).
COVERAGE: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))


def covers(product: str, *operation_ids: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare which contract operations a test exercises."""
    contract = load_contract(product)
    for op_id in operation_ids:
        contract.operation(op_id)  # fails early on a typo

    def mark(test: Callable[..., Any]) -> Callable[..., Any]:
        for op_id in operation_ids:
            COVERAGE[product][op_id].append(f"{test.__module__}.{test.__qualname__}")
        return test

    return mark


class Contract:
    """One extracted contract file (``tests/contracts/<product>.json``)."""

    def __init__(self, product: str) -> None:
        self.product = product
        self.doc: dict[str, Any] = json.loads(
            (CONTRACTS_DIR / f"{product}.json").read_text(encoding="utf-8")
        )
        self.operations: Mapping[str, Any] = self.doc["operations"]
        self._schema_sets: dict[Direction, SchemaSet] = {}

    def operation(self, op_id: str) -> Mapping[str, Any]:
        try:
            return self.operations[op_id]
        except KeyError:
            raise KeyError(f"{self.product} has no operation {op_id!r}") from None

    def url_path(self, op_id: str, **path_params: Any) -> str:
        op = self.operation(op_id)
        path = op["path"]
        wanted = {
            p["name"] for p in op["parameters"] if p["in"] == "path" and "fixedValue" not in p
        }
        if set(path_params) != wanted:
            raise TypeError(
                f"{op_id} needs path parameters {sorted(wanted)}, got {sorted(path_params)}"
            )
        for name, value in path_params.items():
            path = path.replace(f"{{{name}}}", quote(str(value), safe=""))
        return path

    def schema_set(self, direction: Direction = "response") -> SchemaSet:
        if direction not in self._schema_sets:
            self._schema_sets[direction] = SchemaSet(self.doc["$defs"], direction)
        return self._schema_sets[direction]

    def response_schema(self, op_id: str, status: int) -> tuple[bool, Any]:
        """(declared, schema) for a status of an operation; schema is None for "no body"."""
        responses = self.operation(op_id)["responses"]
        entry = (
            responses.get(str(status))
            or responses.get(f"{str(status)[0]}XX")
            or responses.get("default")
        )
        if entry is None:
            return False, None
        return True, entry["schema"]

    def violations(
        self, schema: Any, instance: Any, direction: Direction = "response"
    ) -> list[str]:
        return describe_errors(self.schema_set(direction).validator(schema), instance)

    def request_violations(self, op_id: str, body: Any) -> list[str]:
        request = self.operation(op_id)["requestBody"]
        if request is None:
            return ["the operation takes no request body"]
        return self.violations(request["schema"], body, "request")

    @property
    def error_schema(self) -> Any:
        return self.doc["errorSchema"]


@cache
def load_contract(product: str) -> Contract:
    return Contract(product)


class ContractViolation(AssertionError):
    pass


def _body_text(resp: requests.Response) -> str:
    text = resp.text
    return text if len(text) < 1500 else text[:1500] + "..."


def error_envelope_problem(product: str, payload: dict[str, Any], status: int) -> str | None:
    """What is wrong with an error body beyond its schema, whose properties are all optional.

    Jira always sends both halves of an ErrorCollection and says what failed in at least one;
    Confluence repeats the HTTP status as ``statusCode`` and explains it in ``message`` (v2:
    ``errors``, each with the status).
    """
    if product.startswith("jira"):
        if not {"errorMessages", "errors"} <= payload.keys():
            return "a Jira error body carries both errorMessages and errors"
        if not (payload["errorMessages"] or payload["errors"]):
            return "the Jira error body names no error"
        return None
    if product == "confluence-cloud-v2":
        errors = payload.get("errors")
        if not errors or any(e.get("status") != status for e in errors):
            return f"a Confluence v2 error body lists the failure with its status ({status}) in errors"
        return None
    if payload.get("statusCode") != status:
        return f"a Confluence error body repeats the HTTP status as statusCode ({status})"
    if not isinstance(payload.get("message"), str) or not payload["message"]:
        return "a Confluence error body explains the failure in message"
    return None


class Api:
    """Calls one product's operations on the sandbox and checks the answers against the contract."""

    def __init__(self, base_url: str, product: str, session: requests.Session) -> None:
        self.base_url = base_url.rstrip("/")
        self.contract = load_contract(product)
        self.session = session

    def send(
        self,
        op_id: str,
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
    ) -> requests.Response:
        op = self.contract.operation(op_id)
        url = self.base_url + self.contract.url_path(op_id, **(path or {}))
        kwargs: dict[str, Any] = {
            "params": params,
            "headers": dict(headers or {}),
            "timeout": TIMEOUT,
        }
        if json_body is not None:
            kwargs["json"] = json_body
        if auth is not None:
            kwargs["auth"] = auth
        return self.session.request(op["method"], url, **kwargs)

    def ok(self, op_id: str, status: int, **kwargs: Any) -> Any:
        """Send a valid request; expect ``status`` and a body matching the spec's schema for it.

        The request body is first checked against the spec's request schema, so the test itself
        cannot drift from the contract.  Returns the decoded body (None when there is none).
        """
        body = kwargs.get("json_body")
        if body is not None:
            problems = self.contract.request_violations(op_id, body)
            if problems:
                raise AssertionError(
                    f"test bug: {op_id} request body violates the spec:\n  " + "\n  ".join(problems)
                )
        resp = self.send(op_id, **kwargs)
        return self.check(resp, op_id, status)

    def fails(self, op_id: str, status: int, **kwargs: Any) -> dict[str, Any]:
        """Send a request the real API rejects; expect ``status`` and Atlassian's error body."""
        resp = self.send(op_id, **kwargs)
        return self.check_error(resp, op_id, status)

    def check(self, resp: requests.Response, op_id: str, status: int) -> Any:
        where = f"{self.contract.product} {op_id} ({resp.request.method} {resp.request.path_url})"
        if resp.status_code != status:
            raise ContractViolation(
                f"{where}: expected HTTP {status}, got {resp.status_code}: {_body_text(resp)}"
            )
        declared, schema = self.contract.response_schema(op_id, status)
        if not declared:
            raise ContractViolation(f"{where}: the spec declares no HTTP {status} response")
        if status == 204 and resp.content:
            raise ContractViolation(f"{where}: 204 must have no body, got {_body_text(resp)}")
        if not resp.content.strip():
            if schema is None or schema == {}:
                return None
            raise ContractViolation(
                f"{where}: the spec declares a JSON body for {status}, got none"
            )
        if schema is None:
            raise ContractViolation(
                f"{where}: the spec declares no body for {status}, got {_body_text(resp)}"
            )
        payload = self._json(resp, where)
        problems = self.contract.violations(schema, payload)
        if problems:
            raise ContractViolation(
                f"{where}: response violates the spec schema:\n  " + "\n  ".join(problems)
            )
        return payload

    def check_error(self, resp: requests.Response, op_id: str, status: int) -> dict[str, Any]:
        where = f"{self.contract.product} {op_id} ({resp.request.method} {resp.request.path_url})"
        if resp.status_code != status:
            raise ContractViolation(
                f"{where}: expected HTTP {status}, got {resp.status_code}: {_body_text(resp)}"
            )
        payload = self._json(resp, where)
        declared, schema = self.contract.response_schema(op_id, status)
        # The operation's own schema for this status when the spec gives one, else the
        # product's error body.
        own_schema = declared and schema not in (None, {})
        problems = self.contract.violations(
            schema if own_schema else self.contract.error_schema, payload
        )
        if problems:
            raise ContractViolation(
                f"{where}: error body violates the spec schema:\n  " + "\n  ".join(problems)
            )
        if not isinstance(payload, dict):
            raise ContractViolation(f"{where}: error body is not a JSON object: {_body_text(resp)}")
        if not own_schema or schema == self.contract.error_schema:
            problem = error_envelope_problem(self.contract.product, payload, status)
            if problem:
                raise ContractViolation(f"{where}: {problem}: {_body_text(resp)}")
        return payload

    @staticmethod
    def _json(resp: requests.Response, where: str) -> Any:
        content_type = resp.headers.get("Content-Type", "")
        if "json" not in content_type:
            raise ContractViolation(
                f"{where}: Content-Type {content_type!r} is not JSON: {_body_text(resp)}"
            )
        try:
            return resp.json()
        except ValueError as exc:
            raise ContractViolation(f"{where}: body is not JSON: {_body_text(resp)}") from exc


def demo_session() -> requests.Session:
    session = requests.Session()
    session.auth = (DEMO_EMAIL, DEMO_TOKEN)
    session.headers["Accept"] = "application/json"
    return session
