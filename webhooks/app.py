"""The Flask application factory."""

from __future__ import annotations

from flask import Flask
from redis import Redis

from config.environment import Environment, read_environment
from config.settings import Settings, load_settings
from jobqueue.queue import WorkQueue
from webhooks import health, intake
from webhooks.errors import register_error_handlers
from webhooks.runtime import Runtime


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
                                        WorkQueue(redis, dedupe_seconds=settings.intake.dedupe_seconds))
    register_error_handlers(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(intake.bp)
    return app
