"""What each finding says, in English and Korean (the language of the sentence it is in)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "culprit": ("Names a person, team or vendor as the cause of the failure.",
                    "Describe what the system or process allowed, e.g. \"The deploy tool applied the "
                    "change to every region at once and had no review step.\""),
        "judgement": ("Judges a person (careless, should have known) instead of explaining the conditions.",
                      "Say what made the mistake easy and what would catch it, e.g. \"The alert gave no "
                      "sign that the flag was shared across regions.\""),
        "threat": ("Threatens or reports punishment; postmortems are blameless.",
                   "Remove it, and name the process change instead, e.g. \"The checklist step becomes "
                   "an automated gate in the pipeline.\""),
        "human_error": ("\"Human error\" is not a root cause; ask why the system let the error through.",
                        "Name the missing safeguard, e.g. \"The console accepted a production target "
                        "without confirmation.\""),
        "email": ("An end user's e-mail address.", "Mask it, e.g. s***@gmail.com, or refer to the ticket."),
        "phone": ("An end user's phone number.", "Mask it, e.g. 010-****-5678."),
        "ipv4": ("An end user's IP address.", "Mask it (121.134.*.*) or give the network or region."),
        "ipv6": ("An end user's IP address.", "Mask it or give the network or region."),
        "kr_rrn": ("A resident registration number.", "Remove it; never copy one into a postmortem."),
        "card": ("A payment card number.", "Remove it, or keep the last four digits only."),
    },
    "ko": {
        "culprit": ("사람·팀·업체를 장애의 원인으로 지목하고 있습니다.",
                    "시스템이나 절차가 무엇을 허용했는지 쓰세요. 예: \"배포 도구가 검토 단계 없이 "
                    "모든 리전에 변경을 한 번에 적용했다.\""),
        "judgement": ("상황을 설명하는 대신 사람을 평가하고 있습니다(부주의, 알았어야 했다 등).",
                      "무엇이 실수를 쉽게 만들었고 무엇이 잡아낼 수 있는지 쓰세요. 예: \"알림에 플래그가 "
                      "모든 리전에 공유된다는 표시가 없었다.\""),
        "threat": ("징계나 처벌을 언급하고 있습니다. 포스트모템은 비난 없는 문서입니다.",
                   "삭제하고 절차 개선을 쓰세요. 예: \"체크리스트 단계를 파이프라인의 자동 검사로 바꾼다.\""),
        "human_error": ("\"사람의 실수\"는 근본 원인이 아닙니다. 시스템이 왜 그 실수를 막지 못했는지 쓰세요.",
                        "빠진 안전장치를 쓰세요. 예: \"콘솔이 확인 없이 운영 환경 대상을 받아들였다.\""),
        "email": ("최종 사용자의 이메일 주소입니다.", "마스킹하세요(예: s***@gmail.com) 또는 티켓 번호로 대신하세요."),
        "phone": ("최종 사용자의 전화번호입니다.", "마스킹하세요(예: 010-****-5678)."),
        "ipv4": ("최종 사용자의 IP 주소입니다.", "마스킹하거나(121.134.*.*) 네트워크·지역으로 쓰세요."),
        "ipv6": ("최종 사용자의 IP 주소입니다.", "마스킹하거나 네트워크·지역으로 쓰세요."),
        "kr_rrn": ("주민등록번호입니다.", "삭제하세요. 포스트모템에 주민등록번호를 옮기지 마세요."),
        "card": ("카드 번호입니다.", "삭제하거나 마지막 네 자리만 남기세요."),
    },
}


def texts(language: str, kind: str) -> tuple[str, str]:
    return TEXTS.get(language, TEXTS["en"])[kind]
