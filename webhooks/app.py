"""The Flask application factory. Feature modules own their routes; the app composes them,
one router per source of deliveries."""

from __future__ import annotations

import logging

from flask import Flask
from redis import Redis

from config.environment import Environment, read_environment
from config.settings import Settings, load_settings
from jobqueue.queue import WorkQueue
from webhooks import action_items, health, incidents, intake, metrics, pages
from webhooks.errors import register_error_handlers
from webhooks.routing import Router
from webhooks.runtime import Runtime

log = logging.getLogger("debrief.web")


def routers() -> dict[str, Router]:
    """Which feature modules hear which deliveries (``/webhooks/<source>``)."""
    return {"jira": Router(incidents.router, action_items.router), "confluence": Router(pages.router)}


def create_app(settings: Settings | None = None, env: Environment | None = None,
               redis: Redis | None = None) -> Flask:
    """Build the service. Everything is passed in; what is not is read once from the
    environment (``DEBRIEF_CONFIG``, ``REDIS_URL``, secrets)."""
    settings = settings or load_settings()
    env = env or read_environment()
    if redis is None:
        redis = Redis.from_url(env.redis_url or "redis://127.0.0.1:6379/0", socket_timeout=5,
                               socket_connect_timeout=2)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.intake.max_body_bytes
    app.json.ensure_ascii = False
    app.extensions["debrief"] = Runtime(settings, env,
                                        WorkQueue(redis, dedupe_seconds=settings.intake.dedupe_seconds),
                                        routers())
    if env.allow_unsigned:
        log.warning("DEBRIEF_ALLOW_UNSIGNED=1: deliveries without a signature or token are accepted "
                    "from anyone who can reach this service")
    elif not (env.webhook_secret or env.confluence_webhook_secret or env.automation_token):
        log.warning("no JIRA_WEBHOOK_SECRET, CONFLUENCE_WEBHOOK_SECRET or DEBRIEF_AUTOMATION_TOKEN is set: "
                    "every delivery will be refused (401)")
    register_error_handlers(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(intake.bp)
    app.register_blueprint(metrics.bp)
    return app
