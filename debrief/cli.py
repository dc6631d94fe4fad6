"""The ``debrief`` command: serve, worker, check-config, sandbox, demo, jobs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.settings import ConfigError, config_path, load_settings


def _cmd_check_config(args: argparse.Namespace) -> int:
    path = args.config or config_path()
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        print(f"\n{len(exc.problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    from templates.check import check_templates  # noqa: PLC0415 - only this command renders

    problems = check_templates(settings)
    problems += _check_people(settings)
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: OK (language {settings.language}, timezone {settings.timezone}, "
          f"incidents in {', '.join(sorted(settings.incidents.projects))}, "
          f"templates rendered: {', '.join(settings.templates.names())})")
    return 0


def _check_people(settings) -> list[str]:
    """Reviewers Jira does not know (only when the environment names a site)."""
    from config.environment import EnvironmentProblem, read_environment  # noqa: PLC0415

    try:
        env = read_environment()
    except EnvironmentProblem:
        return []
    from jobs.review import unknown_reviewers  # noqa: PLC0415

    return unknown_reviewers(settings, env)


def _cmd_serve(args: argparse.Namespace) -> int:
    from debrief.serving import serve  # noqa: PLC0415

    return serve(args.host, args.port, workers=args.workers, dev=args.dev)


def _cmd_worker(args: argparse.Namespace) -> int:
    from jobs.worker import run_worker  # noqa: PLC0415

    return run_worker(burst=args.burst, name=args.name)


SANDBOX_MISSING = ("debrief {command}: the local Atlassian sandbox is not installed (it is a test and demo "
                   "tool, kept out of the service's install): pip install -e ./sandbox, or run `make demo`")


def _sandbox_module(command: str, name: str):
    """The sandbox's module ``name``; the sandbox ships separately (``debrief[sandbox]``)."""
    import importlib  # noqa: PLC0415

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "sandbox":
            print(SANDBOX_MISSING.format(command=command), file=sys.stderr)
            return None
        raise


def _cmd_sandbox(args: argparse.Namespace) -> int:
    server = _sandbox_module("sandbox", "sandbox.server")
    if server is None:
        return 2
    server.run(host=args.host, port=args.port, state_file=args.state)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    demo = _sandbox_module("demo", "sandbox.demo")
    if demo is None:
        return 2
    return demo.run_demo(host=args.host, port=args.port, sandbox_port=args.sandbox_port, keep_running=not args.once)


def _cmd_jobs(args: argparse.Namespace) -> int:
    from debrief.operations import jobs_command  # noqa: PLC0415

    return jobs_command(args)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from debrief.operations import sweep_command  # noqa: PLC0415

    return sweep_command(args)


def _cmd_archive(args: argparse.Namespace) -> int:
    from debrief.archive_command import archive_command  # noqa: PLC0415

    return archive_command(args)


def _cmd_lint(args: argparse.Namespace) -> int:
    from debrief.lint_command import lint_command  # noqa: PLC0415

    return lint_command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="debrief",
        description="Postmortem automation for Jira and Confluence. Configuration: app.yaml "
                    "(DEBRIEF_CONFIG) for policy, environment variables for secrets and endpoints.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="serve the webhook receiver (gunicorn)",
                       description="Serve POST /webhooks/jira, /healthz and /readyz with gunicorn.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("--dev", action="store_true", help="Flask's development server with the reloader")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("worker", help="run an RQ worker (with the scheduler) on Debrief's queue",
                       description="Run a real RQ worker on Debrief's queue, with RQ's scheduler for retries.")
    p.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    p.add_argument("--name", help="worker name (default: RQ's)")
    p.set_defaults(func=_cmd_worker)

    p = sub.add_parser("check-config", help="validate app.yaml and render every configured template",
                       description="Validate app.yaml and render each configured template with a sample "
                                   "incident, checking the result is well-formed storage format.")
    p.add_argument("--config", help="path of app.yaml (default: DEBRIEF_CONFIG or ./app.yaml)")
    p.set_defaults(func=_cmd_check_config)

    p = sub.add_parser("sandbox", help="serve the local Jira + Confluence sandbox site",
                       description="Serve a local Atlassian Cloud-like site: Jira at /, Confluence at /wiki.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8090, help="port (default 8090)")
    p.add_argument("--state", help="JSON file to load state from and save it to on exit")
    p.set_defaults(func=_cmd_sandbox)

    p = sub.add_parser("demo", help="sandbox + Redis + SMTP + service + worker; sample incidents through every stage",
                       description="Start the sandbox, Redis, the service and a worker; register the webhook; "
                                   "create two sample incidents: one stays a draft to play with, the other is taken "
                                   "through action items, review, the share e-mail and the archive, "
                                   "and the URL of each stage is printed.")
    p.add_argument("--host", default="127.0.0.1", help="address for the service and sandbox")
    p.add_argument("--port", type=int, default=8000, help="service port (default 8000)")
    p.add_argument("--sandbox-port", type=int, default=8090, help="sandbox port (default 8090)")
    p.add_argument("--once", action="store_true", help="exit once every stage has been shown instead of running on")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("jobs", help="see failed jobs and replay them",
                       description="Operations on Debrief's queue: list failed jobs, replay one or all.")
    jobs_sub = p.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    jobs_sub.add_parser("status", help="queue length, workers, failed count")
    jobs_sub.add_parser("failed", help="list failed jobs with their error")
    replay = jobs_sub.add_parser("replay", help="requeue failed jobs")
    replay.add_argument("job_ids", nargs="*", help="job ids (default: all failed jobs)")
    p.set_defaults(func=_cmd_jobs)

    p = sub.add_parser("sweep", help="run the periodic sweep once and print what it did",
                       description="Run every sweep duty once and print each step: refresh drafts whose incident "
                                   "changed, re-draft parked work, sync action items, review, remind, "
                                   "refresh the review agenda, archive approved postmortems.")
    p.add_argument("--dry-run", action="store_true", help="only say what would be done: no Atlassian writes")
    p.add_argument("--at", help="the time to sweep as of (ISO 8601, e.g. 2026-11-25T09:00:00+09:00)")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser("archive", help="archive an approved postmortem now, or list what would be archived",
                       description="Move an approved postmortem whose review gates all pass to the archive "
                                   "space (labels, status, restriction, incident link and comment), or say "
                                   "which gates fail. --dry-run: only say what would be done, no writes.")
    p.add_argument("incident", nargs="?", help="the incident key, e.g. INC-4 (default with --dry-run: all)")
    p.add_argument("--dry-run", action="store_true", help="only say what would be done: no Atlassian writes")
    p.set_defaults(func=_cmd_archive)

    p = sub.add_parser("lint", help="find blame and end users' personal data in a text or a page",
                       description="Check plain text or a storage-format body (FILE or stdin, or "
                                   "--page PAGE_ID) for blaming wording and personal data. Exit 0: "
                                   "nothing found, 1: findings, 2: bad usage.")
    from debrief.lint_command import add_arguments  # noqa: PLC0415

    add_arguments(p)
    p.set_defaults(func=_cmd_lint)

    return parser


def load_dotenv_file(path: Path | None = None) -> bool:
    """Read ``./.env`` (as ``.env.example`` describes) into the environment for this command;
    a variable already set in the real environment always wins."""
    from dotenv import load_dotenv  # noqa: PLC0415 - only the command line reads .env

    path = path or Path.cwd() / ".env"
    return path.is_file() and load_dotenv(path, override=False)


def main(argv: list[str] | None = None) -> int:
    load_dotenv_file()
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
