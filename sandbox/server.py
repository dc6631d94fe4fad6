"""Serving the sandbox site: ``run`` (blocking, for ``debrief sandbox``) and ``start`` (a
background thread, for tests and the demo)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox import people
from sandbox.app import create_app
from sandbox.state import SandboxState
from sandbox.webhooks_out import Policy


def _policy(webhook_retry_delays: Sequence[float] | None, webhook_timeout: float | None) -> Policy:
    policy = Policy()
    if webhook_retry_delays is not None:
        policy.retry_delays = tuple(float(d) for d in webhook_retry_delays)
    if webhook_timeout is not None:
        policy.timeout = policy.connect_timeout = float(webhook_timeout)
    return policy


def _state(state: SandboxState | None, state_file: str | Path | None, policy: Policy) -> SandboxState:
    if state is not None:
        state.webhooks.policy = policy
        return state
    if state_file and Path(state_file).exists():
        return SandboxState.load(state_file, policy)
    return SandboxState.seeded(policy)


class QuietHandler(WSGIRequestHandler):
    """Request handler that does not print a line per request (tests and demos)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class RunningSandbox:
    """A site serving on a background thread."""

    url: str
    state: SandboxState
    server: BaseWSGIServer = field(repr=False)
    thread: threading.Thread = field(repr=False)
    state_file: Path | None = None

    def stop(self) -> None:
        """Stop serving, stop webhook delivery, and save to ``state_file`` when one was given."""
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        self.state.webhooks.close()
        if self.state_file:
            self.state.save(self.state_file)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(host: str = "127.0.0.1", port: int = 0, state: SandboxState | None = None, *,
          state_file: str | Path | None = None, webhook_retry_delays: Sequence[float] | None = None,
          webhook_timeout: float | None = None, quiet: bool = True) -> RunningSandbox:
    """Serve a site in a daemon thread; ``port=0`` picks a free port."""
    site_state = _state(state, state_file, _policy(webhook_retry_delays, webhook_timeout))
    server = make_server(host, port, create_app(site_state), threaded=True,
                         request_handler=QuietHandler if quiet else None)
    thread = threading.Thread(target=server.serve_forever, name="sandbox-http", daemon=True)
    thread.start()
    return RunningSandbox(f"http://{host}:{server.server_port}", site_state, server, thread,
                          Path(state_file) if state_file else None)


def banner(url: str) -> str:
    lines = [f"Sandbox Atlassian site at {url}  (Jira: {url}/  Confluence: {url}/wiki)",
             f"  Basic auth: {people.DEMO_EMAIL} / {people.DEMO_API_TOKEN}",
             f"  Bearer PAT: {people.DEMO_PAT}",
             "  Other users (e-mail / API token):"]
    lines += [f"    {p.email} / {p.api_token}  ({p.role})" for p in people.PEOPLE[1:]]
    return "\n".join(lines)


def run(host: str = "127.0.0.1", port: int = 8090, state_file: str | Path | None = None,
        out: TextIO = sys.stdout, webhook_retry_delays: Sequence[float] | None = None) -> None:
    """Serve until Ctrl-C (or SIGTERM); load ``state_file`` at start and save it on the way out."""
    site_state = _state(None, state_file, _policy(webhook_retry_delays, None))
    server = make_server(host, port, create_app(site_state), threaded=True)
    url = f"http://{host}:{server.server_port}"
    main = threading.current_thread() is threading.main_thread()
    if main:
        previous = signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(banner(url), file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        server.server_close()
        site_state.webhooks.close()
        if state_file:
            site_state.save(state_file)
            print(f"Saved sandbox state to {state_file}", file=out, flush=True)
