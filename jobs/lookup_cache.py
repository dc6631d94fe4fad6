"""Confluence facts that hardly ever change, kept in Redis for a while so each draft does not
read them again: the drafts space's home page id and Data Center user keys (each worker job
runs in a fresh process, so a per-process memo would be forgotten at once)."""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis

from connector.confluence import ConfluenceGateway
from jobqueue.queue import PREFIX
from postmortem.incident import Person

HOME_SECONDS = 6 * 3600  # a space's home page is moved or replaced rarely; a stale id fails loudly (404)
USER_KEY_SECONDS = 24 * 3600  # a Confluence user key never changes for a username
NOT_A_USER_SECONDS = 3600  # someone not in Confluence may be added: ask again within the hour
_NOT_A_USER = "-"


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def space_home_id(redis: Redis, conf: ConfluenceGateway, space: str) -> str:
    key = f"{PREFIX}:cache:space-home:{conf.base_url}:{space}"
    cached = _text(redis.get(key))
    if cached:
        return cached
    home = conf.space_home_id(space)
    redis.set(key, home, ex=HOME_SECONDS)
    return home


def forget_space_home(redis: Redis, conf: ConfluenceGateway, space: str) -> None:
    redis.delete(f"{PREFIX}:cache:space-home:{conf.base_url}:{space}")


def user_keys(redis: Redis, conf: ConfluenceGateway, people: Iterable[Person]) -> dict[str, str]:
    """``conf.user_keys(people)``, each answer (a key, or "not a Confluence user") remembered."""
    people = list(people)
    if conf.cloud:
        return {}
    handles = list(dict.fromkeys(h for h in (conf.identities.handle(p) for p in people) if h))
    if not handles:
        return {}
    names = [f"{PREFIX}:cache:confluence-user:{conf.base_url}:{h}" for h in handles]
    known = dict(zip(handles, (_text(v) for v in redis.mget(names)), strict=True))
    missing = {h for h, v in known.items() if v is None}
    if missing:
        found = conf.user_keys([p for p in people if conf.identities.handle(p) in missing])
        with redis.pipeline(transaction=False) as pipe:
            for handle, name in zip(handles, names, strict=True):
                if handle in missing:
                    value = found.get(handle)
                    known[handle] = value or _NOT_A_USER
                    pipe.set(name, known[handle], ex=USER_KEY_SECONDS if value else NOT_A_USER_SECONDS)
            pipe.execute()
    return {h: v for h, v in known.items() if v and v != _NOT_A_USER}
