"""The sandbox site as a Flask app: Jira at the root, Confluence under ``/wiki``, HTML views and
the ``/_sandbox`` test hooks (demo credentials only, never faulted, not journaled):

- ``POST /_sandbox/reset``: back to the seed (data, webhooks, deliveries, faults, journal);
- ``GET|DELETE /_sandbox/journal`` (``?since=``, ``?path_prefix=``, ``?method=``);
- ``GET|PUT|POST|DELETE /_sandbox/faults`` (rule format in ``sandbox.faults``);
- ``GET /_sandbox/deliveries`` (``?wait=<s>`` waits for the queue to drain, ``?identifier=``,
  ``?webhook_id=``), ``DELETE`` drops queued deliveries and the attempt log;
- ``GET|PUT /_sandbox/webhook-policy`` ``{"retry_delays": [...], "timeout": s, "connect_timeout": s}``.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from sandbox import auth, journal, web
from sandbox.errors import product_error
from sandbox.faults import FaultSpecError, fault_response
from sandbox.jira import blueprint as jira_blueprint
from sandbox.state import SandboxState

log = logging.getLogger(__name__)
hooks = Blueprint("sandbox_hooks", __name__, url_prefix="/_sandbox")


def site() -> SandboxState:
    return current_app.extensions["sandbox"]


def create_app(state: SandboxState | None = None) -> Flask:
    """Build the site around ``state`` (a freshly seeded one by default)."""
    from sandbox.confluence import blueprint as confluence_blueprint

    app = Flask(__name__)
    state = state or SandboxState.seeded()
    app.extensions["sandbox"] = state
    journal.install(app, lambda: state.journal)
    auth.install(app)
    _install_faults(app)
    app.register_blueprint(jira_blueprint)
    app.register_blueprint(confluence_blueprint, url_prefix="/wiki")
    app.register_blueprint(web.blueprint)
    app.register_blueprint(hooks)
    _install_error_handlers(app)
    return app


def _install_faults(app: Flask) -> None:
    @app.before_request
    def _inject() -> Response | None:
        if request.path.startswith("/_sandbox"):
            return None
        generation = site().generation
        delay_ms, rule, wait = site().faults.decide(request.method, request.path)
        if delay_ms:
            g.fault_kind = "latency"
            time.sleep(delay_ms / 1000)
            if site().generation != generation:  # the site was reset while this request waited
                g.stale = True
                return product_error(request.path, 503, "The site was reset while this request waited.")
        if rule is None:
            return None
        g.fault_kind = rule.kind
        return fault_response(rule, request.path, wait)


def _is_api(path: str) -> bool:
    return path.startswith(auth.API_PREFIXES)


def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if _is_api(request.path):
            return product_error(request.path, err.code or 500, err.description or err.name)
        return err

    @app.errorhandler(Exception)
    def _crash(err: Exception):
        log.exception("sandbox request failed: %s %s", request.method, request.path)
        return product_error(request.path, 500, f"Internal server error: {type(err).__name__}")


# -- /_sandbox hooks ----------------------------------------------------------------------------
@hooks.before_request
def _demo_only() -> Response | None:
    user = g.get("user")
    if user is None or user.role != "admin":
        return _hook_error(403, "The /_sandbox hooks need the demo credentials.")
    return None


def _hook_error(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def _json() -> object:
    data = request.get_json(silent=True, force=True)
    if data is None:
        raise FaultSpecError("the body must be JSON")
    return data


@hooks.post("/reset")
def reset():
    site().reset()
    return Response(status=204)


@hooks.get("/journal")
def get_journal():
    return jsonify(site().journal.entries(request.args.get("since"), request.args.get("path_prefix"),
                                          request.args.get("method")))


@hooks.delete("/journal")
def clear_journal():
    site().journal.clear()
    return Response(status=204)


@hooks.get("/faults")
def get_faults():
    return jsonify(site().faults.rules())


@hooks.put("/faults")
def put_faults():
    try:
        data = _json()
        specs = data.get("rules", data.get("faults")) if isinstance(data, dict) else data
        if not isinstance(specs, list):
            raise FaultSpecError('send a list of rules (or {"rules": [...]})')
        return jsonify(site().faults.replace(specs))
    except FaultSpecError as err:
        return _hook_error(400, str(err))


@hooks.post("/faults")
def add_fault():
    try:
        return jsonify(site().faults.add(_json())), 201
    except FaultSpecError as err:
        return _hook_error(400, str(err))


@hooks.delete("/faults")
def clear_faults():
    site().faults.clear()
    return Response(status=204)


@hooks.get("/deliveries")
def get_deliveries():
    webhooks = site().webhooks
    wait = request.args.get("wait")
    if wait:
        webhooks.wait_idle(min(float(wait), 60.0))
    webhook_id = request.args.get("webhook_id")
    return jsonify({"pending": webhooks.pending(),
                    "attempts": webhooks.attempts(request.args.get("identifier"),
                                                  int(webhook_id) if webhook_id else None)})


@hooks.delete("/deliveries")
def clear_deliveries():
    site().webhooks.clear_queue()
    return Response(status=204)


@hooks.get("/webhook-policy")
def get_policy():
    return jsonify(site().webhooks.policy.to_json())


@hooks.put("/webhook-policy")
def put_policy():
    webhooks = site().webhooks
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        return _hook_error(400, "send a JSON object")
    try:
        webhooks.policy = webhooks.policy.updated(data)
    except (TypeError, ValueError) as err:
        return _hook_error(400, str(err))
    return jsonify(webhooks.policy.to_json())
