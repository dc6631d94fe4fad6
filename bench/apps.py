"""The ceiling for the webhook endpoint: a bare Flask app that answers 202 and does nothing else.

``python -m bench.apps --port N [--workers 2]`` serves it through ``debrief serve``'s own
code (debrief/serving.py) with only the app factory swapped in this process, so both servers
always run with the same gunicorn settings (worker class, threads, timeouts), whatever those
become.
"""

from __future__ import annotations

import argparse
import sys

from flask import Flask, jsonify


def bare() -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/jira")
    def accept():
        return jsonify(accepted=True), 202

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    return app


def serve_bare(host: str, port: int, workers: int) -> int:
    import webhooks  # noqa: PLC0415

    webhooks.create_app = lambda *args, **kwargs: bare()  # serve() imports the factory when it runs
    from debrief.serving import serve  # noqa: PLC0415

    return serve(host, port, workers=workers)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.apps")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.exit(serve_bare(args.host, args.port, args.workers))
