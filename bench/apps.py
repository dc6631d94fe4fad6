"""WSGI apps the benchmark serves with gunicorn: Debrief's service, and a bare Flask app
that answers 202 and does nothing else (the ceiling for the same server)."""

from __future__ import annotations

from flask import Flask, jsonify


def bare() -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/jira")
    def accept():
        return jsonify(accepted=True), 202

    return app


def debrief() -> Flask:
    from webhooks import create_app  # noqa: PLC0415

    return create_app()
