"""The demo's second sample: one incident walked through every stage of its postmortem, its
people acting over the sandbox's REST API (sandbox/demo_people.py) and Debrief reacting to the
Jira and Confluence webhooks. Each stage prints its URL once reached; each waits with a timeout
and says what did not happen. Where no event made a stage happen in a while, the demo runs
``debrief sweep`` (what the worker does every few minutes anyway) and says so.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import requests

from postmortem.page import parse_page
from sandbox.demo_people import (
    AUTH,
    MINA,
    SARA,
    action_rows,
    comment_as,
    fill_in,
    get_page,
    save_as,
)

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


class StageError(RuntimeError):
    """A stage did not happen in time (the message names it)."""


@dataclass
class Site:
    """What a sample needs of the running demo."""

    sandbox_url: str
    service_url: str
    env: dict[str, str]
    folder: Path  # .demo
    mail_folder: Path
    nudge_after: float = 15.0  # seconds without the event's effect before running the sweep
    stage_timeout: float = 60.0

    @property
    def wiki_url(self) -> str:
        return f"{self.sandbox_url}/wiki"

    def page_url(self, page: dict) -> str:
        links = page.get("_links") or {}
        return (links.get("base") or self.wiki_url) + links.get("webui", f"/pages/viewpage.action?pageId={page['id']}")

    def sweep(self) -> str:
        """``debrief sweep`` with the demo's environment; its summary line."""
        done = subprocess.run([sys.executable, "-m", "debrief", "sweep"], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=180)
        lines = [x for x in done.stdout.splitlines() if x.strip()]
        if done.returncode != 0:
            said = [x for x in (done.stdout + done.stderr).splitlines() if "fail" in x.lower() or "error" in x.lower()]
            return f"exit {done.returncode}: " + (" | ".join(said[-3:]) or (lines or ["(no output)"])[-1])
        return lines[-1] if lines else "(no output)"

    def wait(self, what: str, check: Callable[[], T | None], *, nudge: bool = True,
             timeout: float | None = None, detail: Callable[[], str] | None = None) -> T:
        """Poll ``check`` until it returns something; after ``nudge_after`` seconds run the sweep
        once; after ``timeout`` raise StageError naming ``what``."""
        start = time.monotonic()
        timeout = timeout or self.stage_timeout
        nudged = not nudge
        while True:
            try:
                found = check()
            except requests.RequestException:
                found = None
            if found is not None:
                return found
            waited = time.monotonic() - start
            if waited > timeout:
                raise StageError(f"{what} did not happen within {timeout:.0f}s"
                                 f"{' (even after running debrief sweep)' if nudge else ''}"
                                 f"{_detail(detail)}; see the worker's log above and {self.folder / 'sandbox.log'}")
            if not nudged and waited > self.nudge_after:
                nudged = True
                print(f"    ... no webhook made {what} happen within {self.nudge_after:.0f}s; running "
                      f"`debrief sweep`: {self.sweep()}", flush=True)
            time.sleep(0.5)


def _detail(detail: Callable[[], str] | None) -> str:
    if detail is None:
        return ""
    try:
        return f": {detail()}"
    except requests.RequestException as exc:
        return f": (could not read why: {exc})"


def failing_gates(site: Site, page_id: str) -> str:
    st = state_of(site, page_id)
    failing = {g: r.get("reason", "") for g, r in (st.get("gates") or {}).items() if not r.get("ok")}
    return f"status {st.get('status')!r}, failing gates: " + ("; ".join(f"{g}: {r}" for g, r in failing.items())
                                                              or "none")


def state_of(site: Site, page_id: str) -> dict:
    r = requests.get(f"{site.wiki_url}/rest/api/content/{page_id}/property/debrief", auth=AUTH, timeout=10)
    return r.json().get("value") or {} if r.ok else {}


def settled(site: Site, page_id: str, quiet: float = 2.0) -> Callable[[], bool | None]:
    """A person reads the draft before editing it: true once its version held for ``quiet`` s."""
    seen: dict[str, Any] = {}

    def check() -> bool | None:
        version = get_page(site.wiki_url, page_id, "version")["version"]["number"]
        if seen.get("version") != version:
            seen.update(version=version, since=time.monotonic())
            return None
        return True if time.monotonic() - seen["since"] >= quiet else None
    return check


def _tickets(site: Site, page_id: str, wanted: int) -> list[str] | None:
    """The ticket keys in the page's action-item table, once every typed row has one."""
    table = parse_page(get_page(site.wiki_url, page_id)["body"]["storage"]["value"]).action_items
    if table is None:
        return None
    keys = [k for row in table.rows if row.has_action and not row.is_placeholder for k in row.cells["ticket"].jira_keys]
    return keys if len(keys) >= wanted else None


def _agenda(site: Site, key: str) -> dict | None:
    r = requests.get(f"{site.wiki_url}/rest/api/content/search", auth=AUTH, timeout=10,
                     params={"cql": 'type = page and label = "debrief-agenda"', "expand": "body.storage"})
    for page in r.json().get("results", []) if r.ok else []:
        if key in page["body"]["storage"]["value"]:
            return page
    return None


def _mail(site: Site) -> Path | None:
    found = sorted(site.mail_folder.glob("*.eml"))
    return next((p for p in found if "approved" in p.name.lower()), found[-1] if found else None)


def _archived(site: Site, page_id: str, space: str) -> dict | None:
    page = get_page(site.wiki_url, page_id, "space")
    st = state_of(site, page_id)
    done = page["space"]["key"] == space and st.get("status") == "archived" and (st.get("archive") or {}).get("complete")
    return page if done else None


def walk_through(site: Site, key: str, page: dict, *, today: date, archive_space: str = "PMARCHIVE") -> dict[str, Any]:
    """Every stage of ``key``'s postmortem (its draft is ``page``); returns the URLs printed."""
    page_id = page["id"]
    urls: dict[str, Any] = {"draft": site.page_url(page)}
    print(f"  1. Draft:                {urls['draft']}", flush=True)
    site.wait("the draft settling (no new version for 2 s)", settled(site, page_id), nudge=False, timeout=30)

    print(f"  ... {MINA.name} fills in the root causes, impact and supporting data, types "
          f"{len(action_rows(today))} action items into the table and ticks her checklist items", flush=True)
    save_as(site.wiki_url, MINA, page_id, lambda body: fill_in(body, today))
    tickets = site.wait("the action-item tickets", lambda: _tickets(site, page_id, len(action_rows(today))))
    urls["tickets"] = [f"{site.sandbox_url}/browse/{t}" for t in tickets]
    print("  2. Action-item tickets:  " + "\n                           ".join(urls["tickets"]), flush=True)

    site.wait("the review stage moving the page to in-review",
              lambda: True if state_of(site, page_id).get("status") == "in-review" else None,
              detail=lambda: failing_gates(site, page_id))
    print("  ... the agenda is a sweep duty (every few minutes in the worker): running `debrief sweep` now: "
          f"{site.sweep()}", flush=True)
    agenda = site.wait(f"the review agenda listing {key}", lambda: _agenda(site, key))
    urls["agenda"] = site.page_url(agenda)
    print(f"  3. Review agenda:        {urls['agenda']}", flush=True)

    print(f"  ... {SARA.name}, a configured reviewer, comments \"/approve\"", flush=True)
    comment_as(site.wiki_url, SARA, page_id, "/approve Clear causes and owned actions. Thanks!")
    mail = site.wait("the share e-mail", lambda: _mail(site), detail=lambda: failing_gates(site, page_id))
    urls["mail"] = str(mail)
    print(f"  4. Share e-mail:         {mail}", flush=True)

    archived = site.wait(f"the archive of {key}'s postmortem into {archive_space}",
                         lambda: _archived(site, page_id, archive_space), detail=lambda: failing_gates(site, page_id))
    urls["archived"] = site.page_url(get_page(site.wiki_url, page_id, "space"))
    del archived
    r = requests.get(f"{site.wiki_url}/rest/api/space/{archive_space}", auth=AUTH, params={"expand": "homepage"},
                     timeout=10)
    home = (r.json().get("homepage") or {}) if r.ok else {}
    if not home.get("id"):
        raise StageError(f"the archive space {archive_space} has no home page (the archive index)")
    urls["index"] = site.page_url(get_page(site.wiki_url, home["id"], "space"))
    print(f"  5. Archived page:        {urls['archived']}\n"
          f"  6. Archive index:        {urls['index']}", flush=True)
    return urls
