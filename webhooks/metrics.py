"""``GET /metrics`` (Prometheus text) and the count of every webhook delivery by outcome.

The delivery count is taken after each response of the intake endpoints, from its status and
body: 4xx/5xx is ``refused``; a 200 saying ``duplicate`` (a delivery seen before) is
``duplicate``; a body saying ``ignored`` is ``ignored``; the rest is ``accepted``. See telemetry/metrics.py for where the numbers live (Redis, shared by every
gunicorn and RQ worker) and what each metric means.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from telemetry import metrics
from telemetry.exposition import CONTENT_TYPE_LATEST, render
from webhooks.runtime import runtime

bp = Blueprint("metrics", __name__)
INTAKE_BLUEPRINT = "intake"


@bp.get("/metrics")
def metrics_text():
    return Response(render(runtime().redis), mimetype=None, content_type=CONTENT_TYPE_LATEST)


def delivery_outcome(status: int, body: object) -> str:
    if status >= 400:
        return "refused"
    entries = body.get("handled") if isinstance(body, dict) else None
    parts = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else [body]
    if status == 200 and any(isinstance(p, dict) and p.get("duplicate") for p in parts):
        return "duplicate"  # a delivery seen before (a 202 whose job was already queued is accepted)
    if all(isinstance(p, dict) and "ignored" in p for p in parts):
        return "ignored"
    return "accepted"


@bp.after_app_request
def _count_delivery(response: Response) -> Response:
    if request.blueprint == INTAKE_BLUEPRINT and request.method == "POST":
        body = response.get_json(silent=True) if response.is_json else None
        source = request.path.rstrip("/").rsplit("/", 1)[-1]
        metrics.delivery(source, delivery_outcome(response.status_code, body), response.status_code,
                         into=runtime().redis)
    return response
