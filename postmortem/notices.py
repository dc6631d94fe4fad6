"""Short messages Debrief posts for people (Jira comments), in English or Korean."""

from __future__ import annotations

_DRAFT_COMMENT = {
    "en": "A postmortem draft has been created: [{title}|{url}]\nWhy: {reasons}\n"
          "Please fill in the root causes, lessons and action items. Postmortems are blameless: "
          "describe what happened and why, not who is to blame.",
    "ko": "포스트모템 초안이 생성되었습니다: [{title}|{url}]\n작성 사유: {reasons}\n"
          "근본 원인, 교훈, 후속 조치를 채워 주세요. 포스트모템은 비난하지 않는 문화를 따릅니다: "
          "누구의 잘못인지가 아니라 무엇이 왜 일어났는지를 적어 주세요.",
}

_NO_REASON = {"en": "requested", "ko": "요청됨"}


def _wiki_text(text: str) -> str:
    """Keep Jira wiki markup characters in titles from turning into markup."""
    return "".join("\\" + ch if ch in "[]|{}*_+^~-!#" else ch for ch in text)


def draft_comment(language: str, *, title: str, url: str, reasons: list[str]) -> str:
    """The comment left on the incident when its postmortem draft is created."""
    lang = language if language in _DRAFT_COMMENT else "en"
    because = "; ".join(reasons) if reasons else _NO_REASON[lang]
    return _DRAFT_COMMENT[lang].format(title=_wiki_text(title), url=url, reasons=because)
