"""Authenticating deliveries: pure functions over bytes and header values (no framework)."""

from __future__ import annotations

import hashlib
import hmac


class AuthenticationFailed(Exception):
    """The delivery is not from who it claims to be; answer 401 and queue nothing."""


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature`` value Jira sends for ``body`` with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str, *, variable: str = "JIRA_WEBHOOK_SECRET") -> None:
    """Check ``X-Hub-Signature: sha256=<hex>`` against the raw body, in constant time."""
    if not header:
        raise AuthenticationFailed(f"missing X-Hub-Signature header ({variable} is set in Debrief)")
    method, _, digest = header.strip().partition("=")
    if method.lower() != "sha256" or not digest:
        raise AuthenticationFailed("X-Hub-Signature must look like sha256=<hex digest>")
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest().encode("ascii")
    # Header values are any bytes (WSGI gives them as latin-1 text): compare bytes, never text.
    given = digest.strip().lower().encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected, given):
        raise AuthenticationFailed("X-Hub-Signature does not match the body")


def require_unsigned_allowed(allowed: bool, variable: str) -> None:
    """No secret covers this delivery: refuse it unless the operator opted in."""
    if not allowed:
        raise AuthenticationFailed(f"unsigned delivery refused: set {variable} on the webhook and in Debrief "
                                   "(or DEBRIEF_ALLOW_UNSIGNED=1 to accept unsigned deliveries)")


def verify_token(given: str | None, expected: str | None) -> None:
    """Check the ``X-Debrief-Token`` header a Jira Automation rule sends, in constant time."""
    if not expected:
        raise AuthenticationFailed("X-Debrief-Token given but DEBRIEF_AUTOMATION_TOKEN is not set on the service")
    if not given or not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
        raise AuthenticationFailed("X-Debrief-Token is wrong")
