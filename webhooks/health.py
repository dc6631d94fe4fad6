"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, jsonify
from redis.exceptions import RedisError

from webhooks.runtime import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    rt = runtime()
    checks = {"config": {"ok": True, "source": rt.settings.source}}
    try:
        rt.redis.ping()
        checks["redis"] = {"ok": True}
    except RedisError as exc:
        checks["redis"] = {"ok": False, "detail": f"Redis is not answering: {exc}"}
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if not ready:
        failed = ", ".join(name for name, c in checks.items() if not c["ok"])
        body.update(error="not_ready", detail=f"not ready: {failed}")
    return jsonify(body), 200 if ready else 503
