"""A Debrief draft as people leave it after editing in the Confluence Cloud editor.

``edited_in_cloud(body, language)`` rewrites a rendered draft the way the Cloud editor
stores it (see ../shared/atlassian/storage/SOURCES.md): ``local-id`` on blocks, ``ac:local-id``
on tables, rows, cells and macros, ``data-layout`` and a ``<colgroup>``, every cell's content
in a ``<p>`` (``<p />`` when empty), ``<br />``, task ids renumbered with uuids, and an
action-item table a person filled in: two typed rows with a mention and a ``<time datetime>``,
an added column, an inline comment on each action, the example row deleted. Regex rewrites: this plays the editor, it is not
code under test.
"""

from __future__ import annotations

import itertools
import re
import uuid

from postmortem.messages import message
from postmortem.page_context import ACTION_ITEM_COLUMN_KEYS

EXTRA_COLUMN = {"en": "Notes", "ko": "비고"}
OWNER_ACCOUNT = "712020:0f4e1c2a-9d4b-4c7e-8f3a-1b2c3d4e5f60"
TYPED_ROWS = {
    "en": [("Add a canary stage to payments-api deploys", "prevent", "2026-12-15", "High", "TODO",
            "see the deploy log"),
           ("Alert on checkout error rate > 2% for 2 min", "detect", "2026-12-20", "Medium", "TODO", "")],
    "ko": [("payments-api 배포에 카나리 단계 추가", "prevent", "2026-12-15", "High", "TODO", "배포 기록 참고"),
           ("결제 오류율 2% 초과 2분 지속 시 알림", "detect", "2026-12-20", "Medium", "TODO", "")],
}


class _Ids:
    def __init__(self) -> None:
        self.count = itertools.count(1)

    def hex(self) -> str:
        return f"{next(self.count):012x}"

    def uuid(self) -> str:
        return str(uuid.UUID(int=next(self.count)))


def _typed_action_table(language: str, ids: _Ids) -> str:
    headers = [message(language, f"column.{key}") for key in ACTION_ITEM_COLUMN_KEYS] + [EXTRA_COLUMN[language]]
    cols = "".join('<col style="width: 97.0px;" />' for _ in headers)
    head = "".join(f'<th ac:local-id="{ids.hex()}"><p local-id="{ids.hex()}"><strong>{h}</strong></p></th>'
                   for h in headers)
    rows = []
    for action, kind, due, priority, status, note in TYPED_ROWS[language]:
        first, _, rest = action.partition(" ")
        marked = f'<ac:inline-comment-marker ac:ref="{ids.uuid()}">{first}</ac:inline-comment-marker> {rest}'
        cells = [
            f"<p local-id=\"{ids.hex()}\">{marked}</p>",
            f"<p local-id=\"{ids.hex()}\">{kind}</p>",
            f'<p local-id="{ids.hex()}"><ac:link><ri:user ri:account-id="{OWNER_ACCOUNT}" /></ac:link> </p>',
            f'<p local-id="{ids.hex()}"><time datetime="{due}" /> </p>',
            f"<p local-id=\"{ids.hex()}\">{priority}</p>",
            "<p />",
            f"<p local-id=\"{ids.hex()}\">{status}</p>",
            f"<p local-id=\"{ids.hex()}\">{note}</p>" if note else "<p />",
        ]
        rows.append(f'<tr ac:local-id="{ids.hex()}">'
                    + "".join(f'<td ac:local-id="{ids.hex()}">{c}</td>' for c in cells) + "</tr>")
    return (f'<table data-table-width="1800" data-layout="default" ac:local-id="{ids.hex()}"><colgroup>{cols}'
            f'</colgroup><tbody><tr ac:local-id="{ids.hex()}">{head}</tr>{"".join(rows)}</tbody></table>')


def edited_in_cloud(body: str, language: str) -> str:
    ids = _Ids()
    heading = re.escape(message(language, "heading.action_items"))
    body = re.sub(rf"(<h2>{heading}</h2>.*?)<table>.*?</table>",
                  lambda m: m.group(1) + _typed_action_table(language, ids), body, count=1, flags=re.S)

    def cell(m: re.Match) -> str:
        tag, content = m.group(1), m.group(2)
        inner = f'<p local-id="{ids.hex()}">{content}</p>' if content.strip() else "<p />"
        return f'<{tag} ac:local-id="{ids.hex()}">{inner}</{tag}>'

    body = re.sub(r"<(td|th)>(.*?)</\1>", cell, body, flags=re.S)
    body = re.sub(r"<tr>", lambda m: f'<tr ac:local-id="{ids.hex()}">', body)
    body = re.sub(r"<table>", lambda m: f'<table data-table-width="760" data-layout="default" '
                                        f'ac:local-id="{ids.hex()}">', body)
    body = re.sub(r"<(p|h2|h3|ul|li)>", lambda m: f'<{m.group(1)} local-id="{ids.hex()}">', body)
    body = re.sub(r'ac:schema-version="1">',
                  lambda m: f'ac:schema-version="1" data-layout="default" ac:local-id="{ids.uuid()}" '
                            f'ac:macro-id="{ids.uuid()}">', body)
    body = body.replace("<br/>", "<br />").replace("/></ac:link>", " /></ac:link>")
    task_ids = itertools.count(201)
    body = re.sub(r"<ac:task><ac:task-id>\d+</ac:task-id>",
                  lambda m: f"<ac:task>\n<ac:task-id>{next(task_ids)}</ac:task-id>\n"
                            f"<ac:task-uuid>{ids.uuid()}</ac:task-uuid>\n", body)
    return body.replace("</ac:task-status><ac:task-body>", "</ac:task-status>\n<ac:task-body>")
