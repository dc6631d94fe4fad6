"""What the demo's people do to a postmortem draft, over the sandbox's REST API as themselves.

Mina (the incident commander) fills in the sections and types action items into the table as
the Confluence Cloud editor stores them (``<p>`` in every cell, a mention with the space typed
after it, a date from the date picker), ticks her checklist items and saves. Sara (a reviewer
the demo configures) comments ``/approve``. Every edit is a splice: only the spans a person
changed differ, every other byte of the page stays as Debrief wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

import requests

from postmortem.page import Edit, apply_edits, parse_page
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL, by_name

AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)


@dataclass(frozen=True)
class Login:
    name: str
    account_id: str
    auth: tuple[str, str]


def login(username: str) -> Login:
    person = by_name(username)
    if person is None or not person.api_token:
        raise PersonError(f"no sandbox person {username!r} who can sign in")
    return Login(person.display_name, person.account_id, (person.email, person.api_token))


MINA = login("mina.park")  # incident commander: writes the postmortem
JUN = login("jun.seo")  # engineer: owns an action item
SARA = login("sara.lee")  # the reviewer the demo configures
SHARE_TO = "postmortems@example.com"
# The checklist items the author ticks herself; "shared" and "approved" are Debrief's to settle.
AUTHOR_CHECKS = ("data_collected", "impact_assessed", "root_cause", "action_plan", "blameless", "no_personal_data")


class PersonError(RuntimeError):
    """A person's edit was refused, or the page is not the shape a draft has."""


def action_rows(today: date) -> list[tuple[str, str, str, str]]:
    """(action, type, owner account id, due date) as the author types them."""
    return [
        ("Add a canary stage to search-api deploys", "prevent", MINA.account_id, (today + timedelta(days=30)).isoformat()),
        ("Alert on search p99 latency above 2 s for 5 min", "detect", JUN.account_id, ""),
    ]


def typed_row(action: str, kind: str, owner: str, due: str) -> str:
    def cell(inner: str) -> str:
        return f"<td><p>{inner}</p></td>" if inner else "<td><p /></td>"

    mention = f'<ac:link><ri:user ri:account-id="{owner}" /></ac:link> ' if owner else ""
    when = f'<time datetime="{due}" /> ' if due else ""
    return "<tr>" + cell(escape(action)) + cell(kind) + cell(mention) + cell(when) + cell("") * 3 + "</tr>"


def _edit(body: str, span: tuple[int, int], xml: str) -> Edit:
    return Edit(span[0], span[1], xml, body[span[0]:span[1]])


def fill_in(body: str, today: date) -> str:
    """The draft as its author leaves it: root causes, impact, supporting links, two action
    items in place of the example row, her checklist items ticked."""
    page = parse_page(body)
    missing = [k for k in ("root_causes", "impact", "supporting") if k not in page.sections]
    if missing or page.action_items is None or not page.action_items.rows:
        raise PersonError(f"the draft lacks what a person fills in: {missing or 'the action-item table'}; "
                          f"problems: {[p.code for p in page.problems]}")
    s = page.sections
    edits = [
        _edit(body, s["root_causes"].content_span,
              "<p>The new search index mapping doubled the size of every query, and the deploy pipeline "
              "had no canary stage to catch the slower queries before every region took them.</p>"),
    ]
    impact = s["impact"]
    impact_xml = body[impact.content_span[0]:impact.content_span[1]]
    addition = "<p>About 3,100 users saw search time out; 22% of search requests failed for 41 minutes.</p>"
    edits.append(_edit(body, impact.content_span, impact_xml.replace("</ul>", "</ul>" + addition, 1)
                       if "</ul>" in impact_xml else impact_xml + addition))
    start = s["supporting"].content_span[0]
    edits.append(_edit(body, (start, start),
                       '<p><a href="https://grafana.example.com/d/search">Search latency graph</a></p>'))
    rows = page.action_items.rows
    example = next((r for r in rows if r.is_placeholder), rows[0])
    edits.append(_edit(body, example.span, "".join(typed_row(*r) for r in action_rows(today))))
    edits += [page.set_task(task, True) for task in page.checklist
              if task.gate in AUTHOR_CHECKS and not task.complete]
    return apply_edits(body, edits)


def get_page(wiki_url: str, page_id: str, expand: str = "body.storage,version,space") -> dict:
    r = requests.get(f"{wiki_url}/rest/api/content/{page_id}", auth=AUTH, params={"expand": expand}, timeout=10)
    if not r.ok:
        raise PersonError(f"reading page {page_id} failed: {r.status_code} {r.text[:300]}")
    return r.json()


def save_as(wiki_url: str, who: Login, page_id: str, change: Callable[[str], str]) -> None:
    """Read the page, change its body, save it as ``who`` (a new version, as the editor does);
    a save that meets someone else's newer version reads again and redoes the change."""
    for _ in range(3):
        page = get_page(wiki_url, page_id)
        body = change(page["body"]["storage"]["value"])
        r = requests.put(f"{wiki_url}/rest/api/content/{page_id}", auth=who.auth, timeout=10, json={
            "id": page_id, "type": "page", "title": page["title"],
            "version": {"number": page["version"]["number"] + 1},
            "body": {"storage": {"value": body, "representation": "storage"}}})
        if r.ok:
            return
        if r.status_code != 409:
            raise PersonError(f"{who.name}'s edit of page {page_id} was refused: {r.status_code} {r.text[:300]}")
    raise PersonError(f"{who.name}'s edit of page {page_id} kept meeting newer versions (409)")


def comment_as(wiki_url: str, who: Login, page_id: str, text: str) -> None:
    r = requests.post(f"{wiki_url}/rest/api/content", auth=who.auth, timeout=10, json={
        "type": "comment", "container": {"id": page_id, "type": "page"},
        "body": {"storage": {"value": f"<p>{escape(text)}</p>", "representation": "storage"}}})
    if r.status_code not in (200, 201):
        raise PersonError(f"{who.name}'s comment on page {page_id} was refused: {r.status_code} {r.text[:300]}")


def add_row(body: str, action: str, kind: str, owner: str, due: str) -> str:
    """One more typed row at the end of the action-item table (what "add a row" means)."""
    table = parse_page(body).action_items
    if table is None or not table.rows:
        raise PersonError("the page has no action-item table with rows")
    end = table.rows[-1].span[1]
    return apply_edits(body, [_edit(body, (end, end), typed_row(action, kind, owner, due))])


def main(argv: list[str] | None = None) -> int:
    """``python -m sandbox.demo_people add-row PAGE "action" [--type T] [--owner USER] [--due DATE]``
    or ``... comment PAGE "/approve" [--as USER]``: act as a sandbox person on the demo's site
    (CONFLUENCE_URL from the environment, e.g. after ``set -a; . .demo/env; set +a``)."""
    import argparse  # noqa: PLC0415
    import os  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m sandbox.demo_people", description=main.__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    row = sub.add_parser("add-row", help="type one more action item into a page's table")
    row.add_argument("page")
    row.add_argument("action")
    row.add_argument("--type", default="prevent")
    row.add_argument("--owner", default="jun.seo", help="a sandbox username (default jun.seo)")
    row.add_argument("--due", default="", help="YYYY-MM-DD (default: none, Debrief picks one)")
    row.add_argument("--as", dest="who", default="mina.park")
    note = sub.add_parser("comment", help="comment on a page, e.g. /approve")
    note.add_argument("page")
    note.add_argument("text")
    note.add_argument("--as", dest="who", default="sara.lee")
    args = parser.parse_args(argv)
    wiki_url = os.environ.get("CONFLUENCE_URL", "http://127.0.0.1:8090/wiki").rstrip("/")
    if by_name(args.who) is None:
        parser.error(f"no sandbox person {args.who!r}")
    who = login(args.who)
    try:
        if args.what == "add-row":
            owner = by_name(args.owner)
            if owner is None:
                parser.error(f"no sandbox person {args.owner!r}")
            save_as(wiki_url, who, args.page, lambda b: add_row(b, args.action, args.type, owner.account_id, args.due))
            print(f"{who.name} added the row {args.action!r} to page {args.page}")
        else:
            comment_as(wiki_url, who, args.page, args.text)
            print(f"{who.name} commented {args.text!r} on page {args.page}")
    except (PersonError, requests.RequestException) as exc:
        print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
