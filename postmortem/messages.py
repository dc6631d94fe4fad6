"""The words Debrief writes, on postmortem pages and in Jira comments, in each language.

``MESSAGES[language][key]`` is a plain-text string (never markup: templates escape it; the
``jira.*`` texts are Jira wiki markup whose fields callers escape).
Keys are dotted, grouped by their first part (``heading.*``, ``guide.*``, ``label.*`` ...);
``{name}`` fields are filled in by ``message(language, key, name=...)``. Every key exists in
every language, with the same fields.
"""

from __future__ import annotations

import string

LANGUAGES = ("en", "ko")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Postmortem: {key} {summary}",
        # Jira comments
        "jira.draft_comment": "A postmortem draft has been created: [{title}|{url}]\nWhy: {reasons}\n"
                              "Please fill in the root causes, lessons and action items. Postmortems are "
                              "blameless: describe what happened and why, not who is to blame.",
        "jira.requested": "requested",
        "jira.draft_failed": "Debrief could not draft the postmortem of {key}: {reason}\n{next_step}\n"
                             "(Debrief reference: {reference})",
        "jira.draft_recovered": "Debrief has now drafted the postmortem of {key}: [{title}|{url}]\n"
                                "The earlier problem is solved. (Debrief reference: {reference})",
        "failure.retry": "Debrief will try again by itself; nobody needs to do anything yet.",
        "failure.parked": "Debrief will not try again by itself. An admin must {fix}, then run: "
                          "debrief jobs replay {job}",
        "failure.reason.denied": "Atlassian refused Debrief's account access ({what}).",
        "failure.fix.denied": "give Debrief's Atlassian account the permission it lacks",
        "failure.reason.not_found": "something Debrief needs does not exist in Atlassian ({what}).",
        "failure.fix.not_found": "check the space, parent page and people named in the configuration",
        "failure.reason.title_clash": "another page in Confluence already has the title this postmortem needs "
                                      "({what}).",
        "failure.fix.title_clash": "rename or move that other page",
        "failure.reason.rejected": "Atlassian refused a request ({what}).",
        "failure.fix.rejected": "correct the setting or data named in Debrief's log for this job",
        "failure.reason.incident_data": "the incident lacks information the field mapping needs ({what}).",
        "failure.fix.incident_data": "fill in the incident's fields or correct the field mapping in app.yaml",
        "failure.reason.template": "the postmortem page template could not be filled in ({what}).",
        "failure.fix.template": "correct the page template",
        "failure.reason.unreachable": "Atlassian did not answer or kept failing ({what}).",
        "failure.fix.unreachable": "check that Jira and Confluence are reachable from Debrief",
        # Durations
        "duration.days": "{n} d",
        "duration.hours": "{n} h",
        "duration.minutes": "{n} min",
        "duration.separator": " ",
        # Values
        "value.unknown": "not recorded",
        "value.unassigned": "unassigned",
        "value.none": "none",
        "value.ongoing": "ongoing",
        "value.not_triggered": "no rule fired (written on request)",
        # Section headings
        "heading.details": "Incident details",
        "heading.summary": "Summary",
        "heading.impact": "Impact",
        "heading.root_causes": "Root causes",
        "heading.trigger": "Trigger",
        "heading.resolution": "Resolution",
        "heading.detection": "Detection",
        "heading.action_items": "Action items",
        "heading.lessons": "Lessons learned",
        "heading.went_well": "What went well",
        "heading.went_wrong": "What went wrong",
        "heading.got_lucky": "Where we got lucky",
        "heading.timeline": "Timeline",
        "heading.supporting": "Supporting information",
        "heading.review_checklist": "Review checklist",
        "heading.postmortem_trigger": "Why this postmortem was written",
        # Guidance shown to the people writing the page
        "guide.summary": "One or two sentences: what happened, for how long, and who was affected.",
        "guide.impact": "Describe the impact on users and the business: what users saw, how many "
                        "requests or customers were affected, revenue or data affected. Use aggregate "
                        "numbers only.",
        "guide.root_causes": "Explain why the incident happened. Keep asking why until you reach causes "
                             "in systems and processes, not in people. There is usually more than one.",
        "guide.trigger": "What set the incident off (a deploy, a configuration change, a traffic spike, a "
                         "dependency failing)?",
        "guide.resolution": "What was done to mitigate and then resolve the incident?",
        "guide.detection": "How was the incident detected, and how could it have been detected sooner?",
        "guide.action_items": "One row per action. Types: {types}. Each item needs an owner; a ticket is "
                              "created for every filled row. Keep the header row as it is.",
        "guide.went_well": "What worked: alerts, runbooks, tools, people who helped.",
        "guide.went_wrong": "What did not work or slowed the response down.",
        "guide.got_lucky": "Where did luck, not design, limit the damage?",
        "guide.timeline": "Collected from the Jira issue. Add events from chat, dashboards and deploy logs.",
        "guide.supporting": "Links to dashboards, graphs, logs, chat transcripts and related incidents.",
        "guide.action_item_row": "Describe one concrete, verifiable action",
        "guide.owner": "@mention the owner",
        "guide.due": "YYYY-MM-DD",
        "guide.priority": "from the type and severity",
        "guide.ticket": "created by Debrief",
        "guide.status": "TODO",
        "guide.type": "prevent",
        # Labels (table headers, field names)
        "label.when": "When",
        "label.who": "Who",
        "label.what": "What",
        "label.participants": "Participants",
        "label.reporter": "Reporter",
        "label.jira_status": "Jira status",
        "label.impact_duration": "Duration of impact",
        "label.time_to_detect": "Time to detect",
        "label.time_to_mitigate": "Time to mitigate",
        "label.time_to_resolve": "Time to resolve",
        "label.description": "Description from the incident",
        "label.generated": "Draft generated by Debrief {version} at {when}.",
        "label.rule_fired": "fired",
        "label.rule_not_fired": "did not fire",
        # Action-item table header, one per column key (Debrief reads the table by these)
        "column.action": "Action item",
        "column.type": "Type",
        "column.owner": "Owner",
        "column.due": "Due",
        "column.priority": "Priority",
        "column.ticket": "Ticket",
        "column.status": "Status",
        # Debrief's review panel at the top of the page
        "review.title": "Debrief review",
        "review.not_run": "The review has not run yet. Debrief checks this page when it goes to review; "
                          "its findings will appear in this panel.",
        # Review panel parts (postmortem.review_panel); {row} is the row's number in the table
        "panel.gates": "Review gates",
        "panel.findings": "Findings",
        "panel.approvals": "Approvals",
        "panel.unticketed": "Action items Debrief could not make a ticket for",
        "panel.unticketed_line": "Row {row} ({action}): {reason}",
        "panel.unlisted": "Tickets the page no longer lists",
        "panel.unlisted_line": "{key} ({action}): its row is no longer in the table; the ticket is left as it is.",
        "panel.left": "Cells left as people wrote them",
        "panel.left_line": "Row {row} ({action}), {column}: changed by a person since Debrief wrote it; "
                           "Jira says {value}.",
        "panel.waiting": "Action items waiting for approval",
        "panel.waiting_line": "Row {row} ({action}): its ticket is created once the postmortem is approved.",
        # The archive
        "panel.archive": "Archive",
        "archive.held.gates": "Not archived yet: these review gates do not pass: {gates}.",
        "archive.held.tickets": "Not archived yet: the tickets of {count} action item(s) are made on approval "
                                "first.",
        "archive.held.reopened": "Not archived: a person set the status back to {status}; Debrief leaves the "
                                 "page where it is until it is approved again.",
        "archive.held.elsewhere": "Not archived: a person moved the page to space {space}; Debrief leaves it there.",
        "archive.held.forbidden": "Not archived: Confluence refused Debrief ({what}): {reason} An admin must give "
                                  "Debrief's account that permission; the next sweep tries again.",
        "archive.held.no_parent": "Not archived: the period page \"{title}\" could not be created in space "
                                  "{space}: {reason}",
        "archive.incident_missing": "Archived; the incident {key} no longer exists in Jira, so its link and "
                                    "comment were not updated.",
        "archive.index.title": "Postmortem archive",
        "archive.index.all": "All postmortems, newest first",
        "archive.index.by_service": "By service",
        "archive.index.by_quarter": "By quarter",
        "jira.archived_comment": "The postmortem of {key} is approved and archived. It now lives at: [{title}|{url}]",
        # Action items: status categories as the status cell shows them
        "items.status.new": "to do",
        "items.status.indeterminate": "in progress",
        "items.status.done": "done",
        # Why a row of the action-item table did not become a ticket
        "items.problem.no_type": "no type: write one of {types}",
        "items.problem.unknown_type": "unknown type \"{value}\": write one of {types}",
        "items.problem.no_owner": "no owner: @mention the person who owns it",
        "items.problem.owner_not_mention": "the owner \"{value}\" is not a mention: type @ and pick the person",
        "items.problem.several_owners": "{value} people are mentioned as the owner; a ticket has one assignee",
        "items.problem.owner_not_user": "the owner mentioned ({value}) is not a Jira user",
        "items.problem.bad_date": "the due date \"{value}\" is not a date: pick one or write YYYY-MM-DD",
        "items.problem.past_date": "the due date {value} is in the past",
        "items.problem.unknown_priority": "the priority \"{value}\" is not one of Jira's priorities",
        "items.problem.required_field": "new tickets need the field \"{value}\", which Debrief cannot fill",
        "items.problem.duplicate_ticket": "{value} is already listed in another row",
        "items.problem.unknown_ticket": "the ticket cell names {value}, which Jira does not have",
        "items.problem.jira_rejected": "Jira refused the ticket: {value}",
        "items.problem.no_ticket_column": "the table has no Ticket column for its key: add one, and the ticket "
                                          "is made",
        "items.flag.lower_priority": "priority {value} is lower than {matrix}, which a {type} item of a "
                                     "{severity} incident gets",
        # The ticket Debrief creates for a row (Jira wiki markup; fields are escaped by the caller)
        "items.description": "Action item from the postmortem of {incident}: [{title}|{url}]\n\n"
                             "Type: {type}. Priority {priority} ({why}).",
        "items.why_matrix": "from the type and the incident's severity {severity}",
        "items.why_typed": "as written on the page",
        # Blameless reminder
        "blameless.title": "Blameless postmortem",
        "blameless.body": "This postmortem is about systems and processes, not about people. We assume "
                          "everyone involved acted in good faith with the information they had at the "
                          "time. Describe what happened and why, without naming anyone as the cause, "
                          "so that people can raise problems without fear and we can make the system "
                          "more resilient. Never include data that identifies end users.",
        # Review checklist, in the order of the review gates
        "check.data_collected": "Incident data has been collected (timeline, graphs, logs).",
        "check.impact_assessed": "The impact has been assessed.",
        "check.root_cause": "The root cause is understood deeply enough.",
        "check.action_plan": "Action items are appropriate and prioritised, each with an owner.",
        "check.results_shared": "The results have been shared with the people involved.",
        "check.blameless": "The wording is blameless: it looks for causes, not culprits.",
        "check.no_personal_data": "The page contains no information identifying end users.",
        "check.approved": "The reviewers have approved the postmortem.",
        # Trigger rules
        "rule.user_impact": "User-visible downtime or degradation",
        "rule.data_loss": "Data loss",
        "rule.intervention": "On-call intervention",
        "rule.resolution_time": "Long resolution time",
        "rule.monitoring_failure": "Monitoring failure",
        "rule.explicit_request": "Requested by a stakeholder",
        # Timeline events
        "timeline.created": "Issue created: {what}",
        "timeline.started": "Incident started",
        "timeline.detected": "Incident detected",
        "timeline.mitigated": "Impact mitigated",
        "timeline.resolved": "Incident resolved",
        "timeline.status": "Status: {what}",
        "timeline.priority": "Priority: {what}",
        "timeline.assignee": "Assignee: {what}",
        "timeline.labels": "Labels: {what}",
        "timeline.field": "{what}",
        "timeline.comment": "Comment: {what}",
    },
    "ko": {
        "title": "포스트모템: {key} {summary}",
        # Jira comments
        "jira.draft_comment": "포스트모템 초안이 생성되었습니다: [{title}|{url}]\n작성 사유: {reasons}\n"
                              "근본 원인, 교훈, 후속 조치를 채워 주세요. 포스트모템은 비난하지 않는 문화를 따릅니다: "
                              "누구의 잘못인지가 아니라 무엇이 왜 일어났는지를 적어 주세요.",
        "jira.requested": "요청됨",
        "jira.draft_failed": "Debrief가 {key}의 포스트모템 초안을 만들지 못했습니다: {reason}\n{next_step}\n"
                             "(Debrief 참조: {reference})",
        "jira.draft_recovered": "Debrief가 {key}의 포스트모템 초안을 만들었습니다: [{title}|{url}]\n"
                                "앞서 있던 문제는 해결되었습니다. (Debrief 참조: {reference})",
        "failure.retry": "Debrief가 자동으로 다시 시도합니다. 지금은 아무것도 하지 않아도 됩니다.",
        "failure.parked": "Debrief는 자동으로 다시 시도하지 않습니다. 관리자가 {fix} 다음 명령을 실행해야 합니다: "
                          "debrief jobs replay {job}",
        "failure.reason.denied": "Atlassian이 Debrief 계정의 접근을 거부했습니다({what}).",
        "failure.fix.denied": "Debrief의 Atlassian 계정에 필요한 권한을 준 뒤",
        "failure.reason.not_found": "Debrief에 필요한 항목이 Atlassian에 없습니다({what}).",
        "failure.fix.not_found": "설정에 적힌 스페이스, 상위 페이지, 사용자를 확인한 뒤",
        "failure.reason.title_clash": "이 포스트모템에 필요한 제목을 Confluence의 다른 페이지가 이미 쓰고 있습니다"
                                      "({what}).",
        "failure.fix.title_clash": "그 페이지의 제목을 바꾸거나 옮긴 뒤",
        "failure.reason.rejected": "Atlassian이 요청을 거부했습니다({what}).",
        "failure.fix.rejected": "이 작업의 Debrief 로그에 나온 설정이나 데이터를 고친 뒤",
        "failure.reason.incident_data": "필드 매핑에 필요한 정보가 인시던트에 없습니다({what}).",
        "failure.fix.incident_data": "인시던트 필드를 채우거나 app.yaml의 필드 매핑을 고친 뒤",
        "failure.reason.template": "포스트모템 페이지 템플릿을 채우지 못했습니다({what}).",
        "failure.fix.template": "페이지 템플릿을 고친 뒤",
        "failure.reason.unreachable": "Atlassian이 응답하지 않거나 계속 실패했습니다({what}).",
        "failure.fix.unreachable": "Debrief에서 Jira와 Confluence에 접속할 수 있는지 확인한 뒤",
        "duration.days": "{n}일",
        "duration.hours": "{n}시간",
        "duration.minutes": "{n}분",
        "duration.separator": " ",
        "value.unknown": "기록 없음",
        "value.unassigned": "담당자 없음",
        "value.none": "없음",
        "value.ongoing": "진행 중",
        "value.not_triggered": "해당 기준 없음 (요청에 따라 작성)",
        "heading.details": "장애 정보",
        "heading.summary": "요약",
        "heading.impact": "영향",
        "heading.root_causes": "근본 원인",
        "heading.trigger": "발생 계기",
        "heading.resolution": "해결",
        "heading.detection": "탐지",
        "heading.action_items": "액션 아이템",
        "heading.lessons": "교훈",
        "heading.went_well": "잘된 점",
        "heading.went_wrong": "잘못된 점",
        "heading.got_lucky": "운이 좋았던 점",
        "heading.timeline": "타임라인",
        "heading.supporting": "참고 자료",
        "heading.review_checklist": "리뷰 체크리스트",
        "heading.postmortem_trigger": "포스트모템 작성 기준",
        "guide.summary": "한두 문장으로: 무슨 일이, 얼마 동안, 누구에게 영향을 주었는지 적으세요.",
        "guide.impact": "사용자와 비즈니스에 미친 영향을 적으세요: 사용자가 겪은 현상, 영향받은 요청 "
                        "또는 고객 수, 매출이나 데이터에 대한 영향. 집계된 수치만 사용하세요.",
        "guide.root_causes": "장애가 왜 일어났는지 설명하세요. 사람이 아니라 시스템과 절차의 원인에 "
                             "이를 때까지 '왜'를 반복해서 물으세요. 원인은 보통 하나가 아닙니다.",
        "guide.trigger": "무엇이 장애를 촉발했나요 (배포, 설정 변경, 트래픽 급증, 의존 서비스 장애)?",
        "guide.resolution": "장애를 완화하고 해결하기 위해 무엇을 했나요?",
        "guide.detection": "장애를 어떻게 탐지했고, 어떻게 하면 더 빨리 탐지할 수 있었을까요?",
        "guide.action_items": "액션 하나에 한 행씩 적으세요. 유형: {types}. 모든 항목에는 담당자가 "
                              "필요하며, 채워진 행마다 티켓이 만들어집니다. 표의 머리글 행은 그대로 두세요.",
        "guide.went_well": "잘 작동한 것: 알림, 런북, 도구, 도움을 준 사람들.",
        "guide.went_wrong": "작동하지 않았거나 대응을 늦춘 것.",
        "guide.got_lucky": "설계가 아니라 운 덕분에 피해가 줄어든 곳은 어디인가요?",
        "guide.timeline": "Jira 이슈에서 모은 기록입니다. 채팅, 대시보드, 배포 기록의 이벤트를 추가하세요.",
        "guide.supporting": "대시보드, 그래프, 로그, 채팅 기록, 관련 장애에 대한 링크.",
        "guide.action_item_row": "구체적이고 확인 가능한 액션 하나를 적으세요",
        "guide.owner": "@담당자 멘션",
        "guide.due": "YYYY-MM-DD",
        "guide.priority": "유형과 심각도에 따라 정해짐",
        "guide.ticket": "Debrief가 생성",
        "guide.status": "TODO",
        "guide.type": "prevent",
        "label.when": "시각",
        "label.who": "누가",
        "label.what": "내용",
        "label.participants": "참여자",
        "label.reporter": "보고자",
        "label.jira_status": "Jira 상태",
        "label.impact_duration": "영향 지속 시간",
        "label.time_to_detect": "탐지까지 걸린 시간",
        "label.time_to_mitigate": "완화까지 걸린 시간",
        "label.time_to_resolve": "해결까지 걸린 시간",
        "label.description": "장애 이슈의 설명",
        "label.generated": "Debrief {version}이(가) {when}에 만든 초안입니다.",
        "label.rule_fired": "충족",
        "label.rule_not_fired": "충족하지 않음",
        "column.action": "액션 아이템",
        "column.type": "유형",
        "column.owner": "담당자",
        "column.due": "기한",
        "column.priority": "우선순위",
        "column.ticket": "티켓",
        "column.status": "상태",
        "review.title": "Debrief 리뷰",
        "review.not_run": "아직 리뷰를 실행하지 않았습니다. 페이지가 리뷰 단계로 넘어가면 Debrief가 내용을 "
                          "확인하고, 그 결과를 이 패널에 적습니다.",
        "panel.gates": "리뷰 기준",
        "panel.findings": "확인된 내용",
        "panel.approvals": "승인",
        "panel.unticketed": "티켓을 만들지 못한 액션 아이템",
        "panel.unticketed_line": "{row}행 ({action}): {reason}",
        "panel.unlisted": "페이지에서 빠진 티켓",
        "panel.unlisted_line": "{key} ({action}): 표에서 이 행이 없어졌습니다. 티켓은 그대로 둡니다.",
        "panel.left": "사람이 고친 그대로 둔 칸",
        "panel.left_line": "{row}행 ({action}), {column}: Debrief가 쓴 뒤 사람이 고쳤습니다. Jira 값은 {value}입니다.",
        "panel.waiting": "승인을 기다리는 액션 아이템",
        "panel.waiting_line": "{row}행 ({action}): 포스트모템이 승인되면 티켓이 만들어집니다.",
        "panel.archive": "보관",
        "archive.held.gates": "아직 보관하지 않았습니다. 통과하지 못한 리뷰 기준: {gates}.",
        "archive.held.tickets": "아직 보관하지 않았습니다. 승인에 따라 실행 항목 {count}개의 티켓을 먼저 만듭니다.",
        "archive.held.reopened": "보관하지 않았습니다. 누군가 상태를 {status}(으)로 되돌렸습니다. 다시 승인될 "
                                 "때까지 Debrief는 페이지를 그대로 둡니다.",
        "archive.held.elsewhere": "보관하지 않았습니다. 누군가 페이지를 {space} 스페이스로 옮겼습니다. Debrief는 "
                                  "그대로 둡니다.",
        "archive.held.forbidden": "보관하지 않았습니다. Confluence가 Debrief의 요청을 거부했습니다({what}): "
                                  "{reason} 관리자가 Debrief 계정에 권한을 주면 다음 점검 때 다시 시도합니다.",
        "archive.held.no_parent": "보관하지 않았습니다. {space} 스페이스에 기간 페이지 \"{title}\"을(를) 만들지 "
                                  "못했습니다: {reason}",
        "archive.incident_missing": "보관했습니다. Jira에 인시던트 {key}이(가) 더 이상 없어서 링크와 댓글은 "
                                    "고치지 않았습니다.",
        "archive.index.title": "포스트모템 보관소",
        "archive.index.all": "모든 포스트모템 (최신순)",
        "archive.index.by_service": "서비스별",
        "archive.index.by_quarter": "분기별",
        "jira.archived_comment": "{key}의 포스트모템이 승인되어 보관되었습니다. 이제 여기에 있습니다: [{title}|{url}]",
        "items.status.new": "할 일",
        "items.status.indeterminate": "진행 중",
        "items.status.done": "완료",
        "items.problem.no_type": "유형이 없습니다: {types} 중 하나를 적으세요",
        "items.problem.unknown_type": "알 수 없는 유형 \"{value}\": {types} 중 하나를 적으세요",
        "items.problem.no_owner": "담당자가 없습니다: 담당자를 @멘션하세요",
        "items.problem.owner_not_mention": "담당자 \"{value}\"은(는) 멘션이 아닙니다: @를 입력하고 사람을 고르세요",
        "items.problem.several_owners": "담당자로 {value}명이 멘션되었습니다. 티켓의 담당자는 한 명입니다",
        "items.problem.owner_not_user": "멘션된 담당자({value})는 Jira 사용자가 아닙니다",
        "items.problem.bad_date": "기한 \"{value}\"은(는) 날짜가 아닙니다: 날짜를 고르거나 YYYY-MM-DD로 적으세요",
        "items.problem.past_date": "기한 {value}이(가) 이미 지났습니다",
        "items.problem.unknown_priority": "우선순위 \"{value}\"은(는) Jira의 우선순위가 아닙니다",
        "items.problem.required_field": "새 티켓에는 \"{value}\" 필드가 필요하지만 Debrief가 채울 수 없습니다",
        "items.problem.duplicate_ticket": "{value}은(는) 이미 다른 행에 있습니다",
        "items.problem.unknown_ticket": "티켓 칸의 {value}은(는) Jira에 없습니다",
        "items.problem.jira_rejected": "Jira가 티켓 생성을 거부했습니다: {value}",
        "items.problem.no_ticket_column": "표에 티켓 키를 적을 티켓 열이 없습니다: 열을 추가하면 티켓이 만들어집니다",
        "items.flag.lower_priority": "우선순위 {value}은(는) {severity} 장애의 {type} 항목이 받는 {matrix}보다 낮습니다",
        "items.description": "{incident} 포스트모템의 액션 아이템: [{title}|{url}]\n\n"
                             "유형: {type}. 우선순위 {priority} ({why}).",
        "items.why_matrix": "유형과 장애 심각도 {severity}에 따라 정해짐",
        "items.why_typed": "페이지에 적힌 대로",
        "blameless.title": "비난 없는(blameless) 포스트모템",
        "blameless.body": "이 포스트모템은 사람이 아니라 시스템과 절차에 관한 문서입니다. 장애와 관련된 "
                          "모든 사람이 당시 가진 정보로 좋은 의도를 가지고 일했다고 가정합니다. 누군가를 "
                          "원인으로 지목하지 말고 무슨 일이 왜 일어났는지 적어 주세요. 그래야 누구나 "
                          "두려움 없이 문제를 드러낼 수 있고, 시스템을 더 견고하게 만들 수 있습니다. "
                          "최종 사용자를 식별할 수 있는 정보는 절대 적지 마세요.",
        "check.data_collected": "장애 데이터를 수집했다 (타임라인, 그래프, 로그).",
        "check.impact_assessed": "영향 평가를 마쳤다.",
        "check.root_cause": "근본 원인을 충분히 깊이 확인했다.",
        "check.action_plan": "액션 아이템이 적절하고 우선순위와 담당자가 정해졌다.",
        "check.results_shared": "관련자들에게 결과를 공유했다.",
        "check.blameless": "비난 없는 표현을 썼다: 잘못한 사람이 아니라 원인을 찾는다.",
        "check.no_personal_data": "최종 사용자를 식별할 수 있는 정보가 없다.",
        "check.approved": "리뷰어가 포스트모템을 승인했다.",
        "rule.user_impact": "사용자가 겪은 다운타임 또는 성능 저하",
        "rule.data_loss": "데이터 유실",
        "rule.intervention": "온콜 엔지니어의 개입",
        "rule.resolution_time": "긴 해결 시간",
        "rule.monitoring_failure": "모니터링 실패",
        "rule.explicit_request": "이해관계자의 요청",
        "timeline.created": "이슈 생성: {what}",
        "timeline.started": "장애 시작",
        "timeline.detected": "장애 탐지",
        "timeline.mitigated": "영향 완화",
        "timeline.resolved": "장애 해결",
        "timeline.status": "상태: {what}",
        "timeline.priority": "우선순위: {what}",
        "timeline.assignee": "담당자: {what}",
        "timeline.labels": "레이블: {what}",
        "timeline.field": "{what}",
        "timeline.comment": "댓글: {what}",
    },
}


def fields_of(text: str) -> set[str]:
    """The ``{name}`` fields a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message(language: str, key: str, /, **values: object) -> str:
    """The message ``key`` in ``language``, with its ``{name}`` fields filled in.

    Values are inserted as they are: they are never read as format strings themselves.
    Raises KeyError for an unknown language or key.
    """
    try:
        catalogue = MESSAGES[language]
    except KeyError:
        raise KeyError(f"unknown language {language!r} (known: {', '.join(LANGUAGES)})") from None
    try:
        text = catalogue[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in language {language!r}") from None
    return text.format(**values)

