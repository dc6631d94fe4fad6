"""Serving the Flask app: gunicorn in production, Flask's reloader with --dev."""

from __future__ import annotations

import sys

from config.environment import EnvironmentProblem, read_environment
from config.settings import ConfigError, load_settings
from debrief.buffering_worker import BufferingWorker
from debrief.logs import configure_logging

READ_DEADLINE = 10.0  # seconds for a whole request (head and body) to arrive


def serve(host: str, port: int, *, workers: int = 2, dev: bool = False) -> int:
    try:
        settings, env = load_settings(), read_environment()
    except (ConfigError, EnvironmentProblem) as exc:
        print(f"debrief serve: cannot start:\n{exc}", file=sys.stderr)
        return 1
    configure_logging(env.log_format)
    from webhooks import create_app  # noqa: PLC0415

    app = create_app(settings, env)
    url = f"http://{host}:{port}"
    if dev:
        print(f"Debrief (development server) at {url}", flush=True)
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return 0

    from gunicorn.app.base import BaseApplication  # noqa: PLC0415

    class _Gunicorn(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", 4)
            # gthread, but each request is read whole in the event loop before a thread takes
            # it, within READ_DEADLINE: slow clients cannot hold the threads (buffering_worker).
            self.cfg.set("worker_class", BufferingWorker.configured(
                body_limit=settings.intake.max_body_bytes, read_deadline=READ_DEADLINE))
            self.cfg.set("timeout", 30)
            self.cfg.set("accesslog", None)
            # gunicorn >= 25 opens a control socket at one path per user ($XDG_RUNTIME_DIR or
            # ~/.gunicorn/gunicorn.ctl): two services on one host would share it. Debrief opens none.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("when_ready", lambda server: print(f"Debrief listening at {url}", flush=True))

        def load(self):
            return app

    _Gunicorn().run()
    return 0
