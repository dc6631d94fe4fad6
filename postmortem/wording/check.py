"""Run the blame and privacy checks over a text, or over a page's sections."""

from __future__ import annotations

from collections.abc import Mapping

from postmortem.wording import english, model
from postmortem.wording.findings import Finding, without_overlaps
from postmortem.wording.privacy import PrivacyPolicy, mask_value, privacy_hits
from postmortem.wording.sentences import hangul_share, has_hangul, sentence_spans
from postmortem.wording.texts import texts

LANGS = ("auto", "en", "ko")


def _sentence_language(sentence: str, lang: str) -> str:
    if lang in ("en", "ko"):
        return lang
    return "ko" if has_hangul(sentence) and hangul_share(sentence) >= 0.3 else "en"


def blame_findings(text: str, lang: str = "auto") -> list[Finding]:
    """Blame findings, sentence by sentence. Kiwi is loaded only for Korean sentences."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    found: list[Finding] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        language = _sentence_language(sentence, lang)
        if language == "ko":
            from postmortem.wording import korean  # noqa: PLC0415 - loads Kiwi on first use

            rules = korean
        else:
            rules = english
        hits = _judged(rules, sentence, language)
        for hit in sorted(hits, key=lambda h: (h.start, h.end)):
            message, suggestion = texts(language, hit.kind)
            found.append(Finding("blame", hit.kind, start + hit.start, start + hit.end,
                                 text[start + hit.start:start + hit.end], message, suggestion))
    return without_overlaps(found)


def _judged(rules, sentence: str, language: str) -> list:
    """The rules' hits, weighed by the model: kept unless the model is confident the sentence
    blames nobody (below its veto); when the model flags a sentence no rule fired on, one hit
    over the whole sentence, its kind taken from the cue words present (culprit by default)."""
    hits = rules.blame_hits(sentence)
    p = model.probability(sentence, language)
    if hits:
        return hits if p >= model.veto(language) else []
    if p < model.threshold(language):
        return []
    kind = "culprit"
    for name, pattern in (("threat", rules._THREAT), ("human_error", rules._HUMAN_ERROR),
                          ("judgement", rules._JUDGEMENT)):
        if pattern.search(sentence):
            kind = name
            break
    return [rules.Hit(kind, 0, len(sentence))]


def privacy_findings(text: str, policy: PrivacyPolicy | None = None) -> list[Finding]:
    policy = policy or PrivacyPolicy()
    language = "ko" if has_hangul(text) and hangul_share(text) >= 0.3 else "en"
    out = []
    for hit in privacy_hits(text, policy):
        message, suggestion = texts(language, hit.kind)
        out.append(Finding("pii", hit.kind, hit.start, hit.end, text[hit.start:hit.end], message, suggestion))
    return out


def check_text(text: str, policy: PrivacyPolicy | None = None, lang: str = "auto") -> list[Finding]:
    """Every finding in ``text``, in order of position."""
    found = blame_findings(text, lang) + privacy_findings(text, policy)
    return sorted(found, key=lambda f: (f.start, f.end, f.check))


def check_page_text(sections: Mapping[str, str], policy: PrivacyPolicy | None = None,
                    lang: str = "auto") -> list[Finding]:
    """Findings in each section's text; offsets are into that section's text and
    ``Finding.section`` names the section."""
    out: list[Finding] = []
    for name, text in sections.items():
        out.extend(f.shifted(0, section=name) for f in check_text(text or "", policy, lang))
    return out


def mask_text(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding masked: personal data keeps its shape without the person
    (``s***@gmail.com``), blame is replaced by ``[blame: kind]``."""
    out, pos = [], 0
    for f in without_overlaps(findings):
        if f.start < pos:
            continue
        out.append(text[pos:f.start])
        out.append(mask_value(f.kind, f.text) if f.check == "pii" else f"[blame: {f.kind}]")
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
