"""Liveness and readiness."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from redis.exceptions import RedisError

from webhooks.runtime import runtime

bp = Blueprint("health", __name__)
log = logging.getLogger("debrief.health")


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def intake_check(env) -> dict:
    """How each endpoint authenticates deliveries. With nothing set every delivery is refused,
    so the service is not ready; DEBRIEF_ALLOW_UNSIGNED=1 is ready, with a warning."""
    def mode(secret: str | None) -> str:
        return "signed" if secret else ("unsigned accepted" if env.allow_unsigned else "refused")

    check = {"jira": mode(env.webhook_secret), "confluence": mode(env.confluence_webhook_secret),
             "automation": "token" if env.automation_token else "refused"}
    check["ok"] = any(value != "refused" for value in check.values())
    if env.allow_unsigned:
        check["warning"] = "DEBRIEF_ALLOW_UNSIGNED=1: unsigned deliveries are accepted from anyone"
    if not check["ok"]:
        check["detail"] = ("no JIRA_WEBHOOK_SECRET, CONFLUENCE_WEBHOOK_SECRET or DEBRIEF_AUTOMATION_TOKEN is set: "
                           "every delivery is refused")
    return check


@bp.get("/readyz")
def readyz():
    rt = runtime()
    checks = {"config": {"ok": True, "source": rt.settings.source}, "intake": intake_check(rt.env)}
    try:
        rt.redis.ping()
        checks["redis"] = {"ok": True}
    except RedisError as exc:  # the cause goes to the log; the public answer names the part only
        log.warning("readiness: Redis is not answering: %s", exc)
        checks["redis"] = {"ok": False, "detail": "Redis is not answering"}
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if not ready:
        failed = ", ".join(name for name, c in checks.items() if not c["ok"])
        body.update(error="not_ready", detail=f"not ready: {failed}")
    return jsonify(body), 200 if ready else 503
