"""The words of the review stage, in English and Korean: gate reasons, panel lines, the agenda,
reminders and the share e-mail.

``text(language, key, **values)`` fills the ``{name}`` fields; every key exists in both
languages with the same fields (tests/test_review_texts.py). Plain text: callers escape it
for storage format; ``jira.*`` texts are Jira wiki markup whose fields callers escape.
"""

from __future__ import annotations

REVIEW_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        # gates
        "data_collected.ok": "Timeline entries or graphs/logs were added, and the start, detection and "
                             "mitigation times are known.",
        "data_collected.no_data": "Add what Debrief could not draw from Jira: timeline entries (graphs, logs, "
                                  "chat) or links to graphs or logs under Supporting information.",
        "data_collected.times": "Times not known yet: {missing}. Set them on the incident in Jira or in the "
                                "page's properties.",
        "impact_assessed.ok": "The impact is described and quantified.",
        "impact_assessed.empty": "The Impact section holds only the prefilled duration: describe who and what "
                                 "was affected.",
        "impact_assessed.no_number": "Quantify the impact: how many users, requests or orders, how much "
                                     "revenue, or what percentage.",
        "root_cause.ok": "The root cause is written, blameless, and its checklist task is ticked.",
        "root_cause.empty": "Write the root causes: the conditions and mechanisms that let the incident happen.",
        "root_cause.person": "The root causes name a person ({who}); describe the conditions and mechanisms "
                             "instead.",
        "root_cause.blame": "The root causes blame rather than explain (\"{words}\"); an action of a person is "
                            "never a root cause: ask why it was possible.",
        "root_cause.unticked": "Tick the review task \"{task}\" once the root cause is understood.",
        "root_cause.no_task": "The review checklist has no root-cause task: put the task back and tick it.",
        "action_plan.ok": "{count} action item(s), each with an owner, type, due date, priority and ticket.",
        "action_plan.no_table": "The action-item table cannot be read: {detail}.",
        "action_plan.none": "Add at least one action item to the table.",
        "action_plan.row": "row {row} ({action}): {what}",
        "action_plan.missing": "no {what}",
        "action_plan.unticketed": "no ticket ({why})",
        "action_plan.priority": "priority {typed} is lower than {matrix}, what the matrix gives a {type} item at "
                                "{severity}: raise it or state the reason in a column of the row",
        "action_plan.rows": "Action items to complete: {rows}.",
        "results_shared.sent": "E-mailed to {to} on {when}.",
        "results_shared.ticked": "A person ticked that the results were shared.",
        "results_shared.waiting": "Once approved, Debrief e-mails {to}; or tick the review task when the "
                                  "results were shared.",
        "results_shared.no_list": "Tick the review task \"{task}\" once the results were shared "
                                  "(review.share.email names nobody to e-mail).",
        "findings.ok": "No open findings.",
        "findings.open": "{count} open finding(s): {ids}. Reword them, or a reviewer waives one with a "
                         "page comment: /waive <id> <reason>.",
        "approved.ok": "Approved by {names}.",
        "approved.no_reviewers": "Nobody can approve: app.yaml review.reviewers is empty.",
        "approved.waiting": "{have} of {need} approval(s): a reviewer ({reviewers}) comments /approve on "
                            "this page.",
        "approved.blocked": "Approval counts once the other gates pass.",
        "section.missing": "The section \"{heading}\" is missing or renamed: put the heading back.",
        # panel
        "finding.line": "{id} ({check}: {kind}) in {section}: \"{text}\": {message}",
        "finding.waived": "{id} waived by {name}: {reason}",
        "approval.line": "Approved by {name} on {when}",
        "approval.stale": "Approved by {name} on {when}, for an earlier version: approve again",
        "approval.superseded": "Approved by {name} on {when}, before the page was sent back: approve again",
        "rejection.line": "Sent back by {name} on {when}: {reason}",
        "command.ignored": "Comment by {name} ignored: {why}",
        "command.not_reviewer": "{command} is for the reviewers in app.yaml review.reviewers",
        "command.unknown_finding": "there is no finding {id} on this page",
        "command.needs_reason": "{command} needs a reason",
        "command.needs_id": "/waive needs a finding id and a reason",
        "command.unknown": "unknown command {command} (known: /approve, /reject, /waive)",
        "page.problem": "The page could not be read as expected: {detail}",
        # agenda
        "agenda.title": "Postmortems awaiting review",
        "agenda.intro": "Every open postmortem, oldest first. Debrief updates this page; edits here are "
                        "overwritten.",
        "agenda.postmortem": "Postmortem",
        "agenda.status": "Status",
        "agenda.age": "Age (days)",
        "agenda.owner": "Owner",
        "agenda.failing": "Failing gates",
        "agenda.next": "Next reminder",
        "agenda.none": "No postmortem is waiting for review.",
        "agenda.no_owner": "nobody",
        "agenda.no_reminder": "none",
        # reminders (Jira wiki markup)
        "jira.remind": "{owner}: the postmortem [{title}|{url}] has been open for {days} day(s). Still to do: "
                       "{failing}.",
        "jira.escalate": "{people}: the postmortem [{title}|{url}] of {key} has been open for {days} day(s) "
                         "(owner: {owner}). Still to do: {failing}.",
        "mail.remind_subject": "Postmortem open for {days} day(s): {title}",
        # share e-mail
        "mail.subject": "Postmortem approved: {title}",
        "mail.summary": "Summary",
        "mail.impact": "Impact",
        "mail.actions": "Action items",
        "mail.link": "The full postmortem",
        "mail.approved_by": "Approved by {names}.",
        "gate.data_collected": "Data collected",
        "gate.impact_assessed": "Impact assessed",
        "gate.root_cause": "Root cause",
        "gate.action_plan": "Action plan",
        "gate.results_shared": "Results shared",
        "gate.blameless": "Blameless",
        "gate.no_personal_data": "No personal data",
        "gate.approved": "Approved",
    },
    "ko": {
        "data_collected.ok": "타임라인 항목이나 그래프/로그가 추가되었고, 시작·탐지·완화 시각이 모두 있습니다.",
        "data_collected.no_data": "Debrief가 Jira에서 가져오지 못한 내용을 추가하세요: 타임라인 항목(그래프, 로그, "
                                  "대화) 또는 참고 자료에 그래프나 로그 링크.",
        "data_collected.times": "아직 모르는 시각: {missing}. Jira 장애 티켓이나 페이지 속성에 적어 주세요.",
        "impact_assessed.ok": "영향이 설명되고 수치로 제시되었습니다.",
        "impact_assessed.empty": "영향 섹션에 미리 채운 지속 시간만 있습니다: 누가, 무엇이 영향을 받았는지 적어 주세요.",
        "impact_assessed.no_number": "영향을 수치로 적어 주세요: 사용자, 요청, 주문 수, 매출액 또는 비율.",
        "root_cause.ok": "근본 원인이 비난 없이 작성되었고 체크리스트 항목이 체크되었습니다.",
        "root_cause.empty": "근본 원인을 적어 주세요: 장애가 일어날 수 있었던 조건과 메커니즘.",
        "root_cause.person": "근본 원인에 사람이 지목되어 있습니다({who}). 대신 조건과 메커니즘을 적어 주세요.",
        "root_cause.blame": "근본 원인이 설명 대신 비난하고 있습니다(\"{words}\"). 사람의 행동은 근본 원인이 될 수 "
                            "없습니다: 그 행동이 왜 가능했는지 물어 보세요.",
        "root_cause.unticked": "근본 원인을 이해했다면 리뷰 항목 \"{task}\"을 체크하세요.",
        "root_cause.no_task": "리뷰 체크리스트에 근본 원인 항목이 없습니다: 항목을 되살리고 체크하세요.",
        "action_plan.ok": "액션 아이템 {count}개, 모두 담당자, 유형, 기한, 우선순위, 티켓이 있습니다.",
        "action_plan.no_table": "액션 아이템 표를 읽을 수 없습니다: {detail}.",
        "action_plan.none": "표에 액션 아이템을 하나 이상 추가하세요.",
        "action_plan.row": "{row}행 ({action}): {what}",
        "action_plan.missing": "{what} 없음",
        "action_plan.unticketed": "티켓 없음 ({why})",
        "action_plan.priority": "우선순위 {typed}가 매트릭스 값 {matrix}보다 낮습니다({severity}, {type}): 올리거나 "
                                "행의 열에 이유를 적어 주세요",
        "action_plan.rows": "채워야 할 액션 아이템: {rows}.",
        "results_shared.sent": "{when}에 {to}에게 메일로 보냈습니다.",
        "results_shared.ticked": "결과를 공유했다고 사람이 체크했습니다.",
        "results_shared.waiting": "승인되면 Debrief가 {to}에게 메일을 보냅니다. 직접 공유했다면 리뷰 항목을 체크하세요.",
        "results_shared.no_list": "결과를 공유했다면 리뷰 항목 \"{task}\"을 체크하세요 (review.share.email에 받는 "
                                  "사람이 없습니다).",
        "findings.ok": "남은 지적 사항이 없습니다.",
        "findings.open": "남은 지적 사항 {count}건: {ids}. 표현을 고치거나, 리뷰어가 페이지 댓글 "
                         "/waive <id> <이유> 로 면제할 수 있습니다.",
        "approved.ok": "{names}이(가) 승인했습니다.",
        "approved.no_reviewers": "승인할 수 있는 사람이 없습니다: app.yaml review.reviewers가 비어 있습니다.",
        "approved.waiting": "승인 {need}건 중 {have}건: 리뷰어({reviewers})가 이 페이지에 /approve 또는 /승인 댓글을 "
                            "남기면 됩니다.",
        "approved.blocked": "다른 기준을 모두 통과하면 승인이 반영됩니다.",
        "section.missing": "\"{heading}\" 섹션이 없거나 제목이 바뀌었습니다: 제목을 되돌려 주세요.",
        "finding.line": "{id} ({check}: {kind}) {section}: \"{text}\": {message}",
        "finding.waived": "{id}: {name}이(가) 면제함: {reason}",
        "approval.line": "{name} 승인 ({when})",
        "approval.stale": "{name} 승인 ({when}), 이전 버전에 대한 승인입니다: 다시 승인해 주세요",
        "approval.superseded": "{name} 승인 ({when}), 되돌려 보내기 전의 승인입니다: 다시 승인해 주세요",
        "rejection.line": "{name}이(가) 되돌려 보냄 ({when}): {reason}",
        "command.ignored": "{name}의 댓글은 반영하지 않았습니다: {why}",
        "command.not_reviewer": "{command}는 app.yaml review.reviewers에 있는 리뷰어만 쓸 수 있습니다",
        "command.unknown_finding": "이 페이지에 {id} 지적 사항이 없습니다",
        "command.needs_reason": "{command}에는 이유가 필요합니다",
        "command.needs_id": "/waive에는 지적 사항 id와 이유가 필요합니다",
        "command.unknown": "알 수 없는 명령 {command} (/approve, /reject, /waive 중 하나)",
        "page.problem": "페이지를 예상대로 읽지 못했습니다: {detail}",
        "agenda.title": "리뷰를 기다리는 포스트모템",
        "agenda.intro": "열려 있는 모든 포스트모템, 오래된 순. Debrief가 이 페이지를 고치므로 여기서 고친 내용은 "
                        "덮어씁니다.",
        "agenda.postmortem": "포스트모템",
        "agenda.status": "상태",
        "agenda.age": "경과 일수",
        "agenda.owner": "담당자",
        "agenda.failing": "통과하지 못한 기준",
        "agenda.next": "다음 알림",
        "agenda.none": "리뷰를 기다리는 포스트모템이 없습니다.",
        "agenda.no_owner": "없음",
        "agenda.no_reminder": "없음",
        "jira.remind": "{owner}: 포스트모템 [{title}|{url}]이(가) {days}일째 열려 있습니다. 남은 일: {failing}.",
        "jira.escalate": "{people}: {key}의 포스트모템 [{title}|{url}]이(가) {days}일째 열려 있습니다 "
                         "(담당자: {owner}). 남은 일: {failing}.",
        "mail.remind_subject": "{days}일째 열려 있는 포스트모템: {title}",
        "mail.subject": "포스트모템 승인: {title}",
        "mail.summary": "요약",
        "mail.impact": "영향",
        "mail.actions": "액션 아이템",
        "mail.link": "포스트모템 전체",
        "mail.approved_by": "{names}이(가) 승인했습니다.",
        "gate.data_collected": "데이터 수집",
        "gate.impact_assessed": "영향 평가",
        "gate.root_cause": "근본 원인",
        "gate.action_plan": "액션 계획",
        "gate.results_shared": "결과 공유",
        "gate.blameless": "비난 없는 표현",
        "gate.no_personal_data": "개인 정보 없음",
        "gate.approved": "승인",
    },
}


def text(language: str, key: str, /, **values: object) -> str:
    """The review text ``key`` in ``language`` (``en`` when the language is not known)."""
    catalogue = REVIEW_TEXTS.get(language) or REVIEW_TEXTS["en"]
    return catalogue[key].format(**values)


def lang_of(language: str | None) -> str:
    return language if language in REVIEW_TEXTS else "en"
