"""Authenticating deliveries: pure functions over bytes and header values (no framework)."""

from __future__ import annotations

import hashlib
import hmac


class AuthenticationFailed(Exception):
    """The delivery is not from who it claims to be; answer 401 and queue nothing."""


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature`` value Jira sends for ``body`` with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> None:
    """Check ``X-Hub-Signature: sha256=<hex>`` against the raw body, in constant time."""
    if not header:
        raise AuthenticationFailed("missing X-Hub-Signature header (the webhook has a secret set in Debrief)")
    method, _, digest = header.strip().partition("=")
    if method.lower() != "sha256" or not digest:
        raise AuthenticationFailed("X-Hub-Signature must look like sha256=<hex digest>")
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, digest.strip().lower()):
        raise AuthenticationFailed("X-Hub-Signature does not match the body")


def verify_token(given: str | None, expected: str | None) -> None:
    """Check the ``X-Debrief-Token`` header a Jira Automation rule sends, in constant time."""
    if not expected:
        raise AuthenticationFailed("X-Debrief-Token given but DEBRIEF_AUTOMATION_TOKEN is not set on the service")
    if not given or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise AuthenticationFailed("X-Debrief-Token is wrong")
