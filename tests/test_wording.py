"""The wording checks: blame and personal data, offsets, ids, masking, the lint command."""

from __future__ import annotations

import json
import time

import pytest

from debrief.cli import main
from postmortem.wording import PrivacyPolicy, check_page_text, check_text, mask_text
from tests.helpers import ROOT


def kinds(text, policy=None):
    return [(f.kind, f.text) for f in check_text(text, policy)]


@pytest.mark.parametrize("text", [
    "Dana's config push took the API down.",
    "Vendor staff unplugged the wrong cable.",
    "The operator skipped the runbook.",
    "운영자의 실수로 설정 파일이 삭제되었다.",
    "김 대리가 확인했어야 했다.",
    "관련자에게 징계 조치가 내려질 예정이다.",
    "Heads will roll.",
    "The root cause was human error.",
])
def test_blame_is_found(text):
    assert any(f.check == "blame" for f in check_text(text))


@pytest.mark.parametrize("text", [
    "The incident commander paged the database team at 14:05.",
    "담당 엔지니어가 트래픽을 우회시켰다.",
    "잘못 설정된 타임아웃 값 때문에 연결이 끊겼다.",
    "The job was started twice by accident.",
    "This review is blameless.",
    "아무도 책임을 묻지 않는다.",
    "We own this outage as a company.",
    "회사 전체의 책임입니다.",
])
def test_not_blame(text):
    assert [f for f in check_text(text) if f.check == "blame"] == []


@pytest.mark.parametrize(("text", "kind"), [
    ("The regulator fined the head of IT £81,620 after the failed migration.", "threat"),
    ("He was sentenced to two years in prison for the outage.", "threat"),
    ("Imagine a nitwit that did not account for the door handles.", "judgement"),
    ("That showed extremely poor judgment.", "judgement"),
    ("법원은 담당 직원에게 징역 6월을 선고했다.", "threat"),
    ("대법원은 사태의 책임을 물어 담당 국장을 경질했다.", "threat"),
    ("금감원은 해당 증권사에 과징금을 부과했다.", "threat"),
])
def test_reported_consequences_and_judgements(text, kind):
    assert kind in [f.kind for f in check_text(text) if f.check == "blame"]


@pytest.mark.parametrize("text", [
    "We fine-tuned the retry budget after the incident.",
    "The final check of the config passed before the deploy.",
    "The process terminated after five minutes and was restarted by the supervisor.",
    "The battery discharged during the power cut.",
    "Customers reported errors before any alert fired.",
    "The cron job fired twice.",
    "금고에 보관된 백업 테이프를 복원했다.",
])
def test_look_alikes_of_consequences(text):
    assert "threat" not in [f.kind for f in check_text(text) if f.check == "blame"]


def test_offsets_and_stable_ids():
    text = "Intro.\nSarah forgot to renew the certificate. Mail kim@gmail.com now."
    found = check_text(text)
    assert {f.kind for f in found} == {"culprit", "email"}
    for f in found:
        assert text[f.start:f.end] == f.text
    again = check_text("Sarah forgot to renew the certificate.")
    assert again[0].id == [f for f in found if f.kind == "culprit"][0].id


def test_privacy_policy_and_masked_values():
    policy = PrivacyPolicy(internal_domains=("example.com",), allowed_numbers=("+82 2 1588 1234",),
                           internal_networks=("121.134.0.0/16",))
    assert kinds("a@ops.example.com b@notexample.com c@example.com.evil.net", policy) == [
        ("email", "b@notexample.com"), ("email", "c@example.com.evil.net")]
    assert kinds("Call 02-1588-1234 or 010-1234-5678.", policy) == [("phone", "010-1234-5678")]
    assert kinds("From 121.134.55.12 and 8.8.8.8, not 10.0.0.1 or 52.14.0.0/16.", policy) == [
        ("ipv4", "8.8.8.8")]
    assert kinds("s***@gmail.com 900101-1****** 4111 **** **** 1111", policy) == []
    assert kinds("RRN 900101-1234568, card 4111 1111 1111 1111") == [
        ("kr_rrn", "900101-1234568"), ("card", "4111 1111 1111 1111")]


def test_mask_text():
    text = "Mail kim@gmail.com or call 010-1234-5678."
    assert mask_text(text, check_text(text)) == "Mail k***@gmail.com or call 010-****-5678."


def test_check_page_text_names_sections():
    found = check_page_text({"summary": "Fine.", "root_causes": "The DBA dropped the orders table by mistake."})
    assert [(f.section, f.kind) for f in found] == [("root_causes", "culprit")]


def test_lint_json_on_storage_offsets(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = "<h2>Cause</h2><p>Requests from <code>8.8.8.8</code> &amp; <strong>Dana</strong>&rsquo;s push broke login.</p>"
    path = tmp_path / "body.xml"
    path.write_text(body, encoding="utf-8")
    assert main(["lint", "--json", str(path)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["kind"] for f in findings} == {"ipv4", "culprit"}
    for f in findings:
        assert body[f["start"]:f["end"]] == f["text"]
    path.write_text("Nothing to see.", encoding="utf-8")
    assert main(["lint", str(path)]) == 0
    path.write_text("<p>unclosed", encoding="utf-8")
    assert main(["lint", str(path)]) == 2


def test_long_text_is_fast():
    paragraph = ("The cache tier ran out of memory because eviction was off, and the on-call "
                 "engineer failed over to the secondary at 14:05 (INC-2041, build 20240611.3). "
                 "캐시 계층의 메모리가 부족해 요청이 실패했고 담당 엔지니어가 트래픽을 우회시켰다. ")
    text = paragraph * (100_000 // len(paragraph))
    text += " ".join(f"010-{1000 + k}-{5000 + k} user{k}@gmail.com 8.8.{k}.8" for k in range(30))
    check_text("워밍업 문장입니다.")  # the Korean model loads once
    began = time.perf_counter()
    check_text(text)
    assert time.perf_counter() - began < 1.0


def test_model_flags_a_sentence_no_rule_fires_on_with_an_exact_span():
    from postmortem.wording import english, model

    text = "Intro. Through a series of errors in a tired state, they deleted the production database directory instead."
    sentence = text[len("Intro. "):]
    assert english.blame_hits(sentence) == []  # the rules miss it
    assert model.probability(sentence, "en") >= model.threshold("en")
    found = [f for f in check_text(text) if f.check == "blame"]
    assert [(f.kind, f.start, f.end) for f in found] == [("culprit", 7, len(text))]
    assert text[found[0].start:found[0].end] == found[0].text == sentence


def test_model_probabilities_and_shipped_weights():
    from postmortem.wording import model

    for lang in ("en", "ko"):
        table = model.weights()[lang]
        assert set(table) == {"bias", "families", "threshold", "veto", "weights", "prefilter"}
        assert 0 < table["veto"] < table["threshold"] < 1 and table["weights"]
    assert model.probability("The cache tier ran out of memory.", "en") < model.threshold("en")
    assert model.probability("An engineer mistakenly wiped the primary database.", "en") > 0.9
    assert model.probability("We added a check to the deploy pipeline.", "en") < model.threshold("en")
    assert model.probability("작업자의 실수로 설정 파일이 삭제되었다.", "ko") >= model.threshold("ko")
    assert model.probability("캐시 계층의 메모리가 부족해 요청이 실패했다.", "ko") < model.threshold("ko")


def test_kiwi_warmed_before_a_fork_serves_the_forked_process_at_once():
    """RQ forks a work horse per job: Kiwi loaded in the worker must work there, with no
    thread pool for the fork to leave behind."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    script = (
        "import os\n"
        "from postmortem.wording import korean\n"
        "korean.warm()\n"
        "assert len(os.listdir('/proc/self/task')) == 1, 'Kiwi started threads'\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if len(korean.tokens('운영자의 실수로 서버가 멈췄다.')) > 5 else 3)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "raise SystemExit(os.waitstatus_to_exitcode(status))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
