"""Blame in Korean sentences, on Kiwi's morphological analysis.

Particles and endings decide who does what: a person (role, team, name with 씨/님 or a title)
marked as subject or topic (이/가, 은/는) or owner (의) of a failure marker (실수로, 잘못,
엉뚱한, 무시하다, 건너뛰다, ~지 않다 after checking verbs, 검토 없이, 어기다, 강행하다 ...) is
a culprit. Things as agents (잘못 설정된 타임아웃 값), negated agents (아무도, 누구도) and
collective ownership (회사 전체의 책임) are not findings.

Kiwi loads its model once, lazily, on the first Korean sentence (model inside
kiwipiepy-model; nothing is downloaded).
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache

from postmortem.wording.english import ROLES as _EN_ROLES

_lock = threading.Lock()
_kiwi = None


def kiwi():
    """The shared analyser (built on first use)."""
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi  # noqa: PLC0415 - slow to load, only for Korean text

                # Without the typo and multi-word dictionaries Kiwi loads in ~1 s and ~330 MB instead of
                # ~3 s and ~520 MB; on every Korean dev sentence the rules and the model decide the
                # same either way. No worker threads (num_workers=0): sentences are analysed one at a
                # time, and a thread pool would not survive the fork of an RQ work horse (``warm``).
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)  # 0 meant "all cores" before 0.21
                    _kiwi = Kiwi(num_workers=0, load_typo_dict=False, load_multi_dict=False)
    return _kiwi


def warm() -> None:
    """Load Kiwi and its model now (its first analysis loads more), so that processes forked
    from this one (RQ's work horses) share it instead of loading it for each job."""
    kiwi().tokenize("준비")


@lru_cache(maxsize=1024)
def tokens(sentence: str) -> tuple:
    """Kiwi's tokens of one sentence (the rules and the model both read them)."""
    return tuple(kiwi().tokenize(sentence))


ROLES = {
    "운영자", "담당자", "작업자", "관리자", "개발자", "엔지니어", "직원", "인턴", "업체", "협력업체",
    "협력사", "외주", "외주사", "외주업체", "개발사", "당직자", "리뷰어", "배포자", "상담원", "기술자",
    "책임자", "관련자", "사람", "팀장", "대리", "과장", "주임", "선임", "부장", "차장", "사원", "매니저",
    "리드", "신입", "근무자", "인력", "실무자", "기사", "요원", "관제센터", "분석가", "승인자", "팀원",
    "동료", "벤더", "담당", "운영팀", "개발팀", "본부", "부서", "센터", "그", "그녀", "누군가", "실장",
    "연구원", "컨설턴트", "관리", "온콜", "당번", "담당관", "작업반", "마케팅", "영업", "보안",
    "프로그래머", "인원", "사용자", "상황실", "관제실", "나", "저", "이들", "그들", "누구",
    # people who operate other systems: transport, aviation, care, public offices
    "기관사", "조종사", "기장", "부기장", "승무원", "관제사", "정비사", "정비사들", "여객전무", "역무원",
    "간호사", "간호조무사", "의사", "의료진", "약사", "공무원", "수사관", "피고인", "사무원", "감독관",
}
_NOT_AGENT_ROLES = {"사용자", "관리", "보안", "영업", "마케팅", "담당", "센터", "본부"}
_TITLES = {"씨", "님", "대리", "과장", "주임", "선임", "부장", "차장", "사원", "팀장", "매니저", "책임",
           "수석", "이사", "실장", "군", "양"}
_NEGATED = {"아무", "누구", "아무것"}
_SOMEONE = {"ᆫ가", "ㄴ가", "인가"}
_COLLECTIVE = {"우리", "회사", "조직", "전사", "모두", "모든"}
_SUBJECT = {"JKS", "JX", "JKG", "JKC"}

_CHECK_VERBS = {"확인", "검증", "응답", "지키", "알리", "저장", "보", "읽", "따르", "테스트", "돌리",
                "알아차리", "인지", "파악", "발견", "감지", "대처", "조치", "찾아내", "밝혀내",
                "검토", "공지", "점검", "백업", "갱신", "반영", "보고", "실행", "살피", "대응", "승인",
                "모니터링", "리뷰", "전달", "업데이트", "통보", "참고", "준수"}
_WITHOUT_NOUNS = {"검토", "리뷰", "공지", "계획", "테스트", "승인", "확인", "알림", "통보", "보고",
                  "협의", "검증", "허가", "예고", "상의", "리허설", "점검"}
_MARKER_STEMS = {"무시", "건너뛰", "잊", "잊어버리", "어기", "위반", "강행", "소홀", "방치", "밀어붙이",
                 "날리", "날려버리", "깨뜨리", "깨트리", "지우", "뽑", "하드코딩", "덮어쓰", "누락", "일으키",
                 "초기화", "분리", "빠뜨리", "착각", "실수", "오타", "오입력", "혼동", "깜빡", "망가뜨리",
                 "삭제", "방관", "간과", "놓치", "엉뚱", "무단", "임의", "독단", "빼먹", "은폐"}
_ADJECTIVAL = {"잘못되", "만료", "누락"}
_REMEDIAL = {"고치", "수정", "복구", "복원", "찾아내", "발견", "되돌리", "롤백", "추가", "해결", "잡아내",
             "정상화", "교정", "막"}
_HARM = {"일으키"}
_SURFACE_MARKERS = re.compile(r"하드\s*코딩|초기화|rm\s+-rf|엉뚱한|다른\s+(?:사용자|계정|고객|서버|호스트)의?")

_JUDGEMENT = re.compile(
    r"부주의|안일|안이한|안이하게|무책임|무능|엉성|태만|경솔|소홀|무모|게으르|게을러|게을리|"
    r"프로답지\s*못|초보적|신경\s*(?:을\s*)?(?:전혀\s*)?(?:쓰지|안\s*쓰)|전혀\s*몰랐|유능한|"
    r"기본적인\s*\S+\s*(?:만|도)\s*있(?:어도|었다면)|용납될\s*수\s*없|한심|어처구니|생각\s*없이|"
    r"주의\s*깊지\s*못|성의\s*없|나태|방만|허술하게\s*(?:일|작업|처리)했|집중하지\s*않|귀찮아서|귀찮다는\s*이유|"
    r"무능력|정신을?\s*안\s*차리|뒷짐|주의\s*의무를?\s*(?:위반|게을리|다하지)|변명만|너무\s*쉽게\s*보")
_JUDGEMENT_VERBS = {"알", "확인", "보", "주의", "신중", "검토", "점검", "살피", "물어보", "파악", "인지",
                    "눈치채", "챙기", "따르", "테스트", "검증", "대비", "조심", "생각", "주의하", "확인하",
                    "읽", "깨닫", "예상", "예측", "고려"}
_THINGS = {"시스템", "알림", "도구", "스크립트", "설정", "파이프라인", "서비스", "코드", "검증기",
           "자동화", "프로세스", "절차", "런북", "체크리스트", "모니터링", "대시보드", "값", "게이트", "툴"}

_THREAT = re.compile(
    r"징계|인사\s*조치|시말서|경위서|문책|책임을\s*(?:묻겠|물을|물겠|지게\s*될|지고|지라)|"
    r"정직\s*처분|감봉|보직\s*해임|해고|계약을?\s*해지|처벌|인사\s*평가에\s*반영|"
    r"권한을\s*박탈|순번에서\s*제외|퇴출|좌천|불이익|제재|면직|감봉|견책|짜르|짤리|짤렸|"
    # reported legal and personnel consequences for people or firms
    r"경질|해임|파면|대기\s*발령|직위\s*해제|징역|실형|집행\s*유예|금고\s*\d|벌금|과징금|과태료|"
    r"입건|구속\s*영장|기소|구형|기관\s*경고|중징계|경고\s*처분|퇴사\s*(?:시키|조치|처리)|책임을\s*물어")
_THREAT_NEGATED_AFTER = re.compile(r"^\S{0,6}\s*(?:\S+\s+){0,2}?(?:없|않|아니)")

_HUMAN_ERROR = re.compile(r"사람의\s*실수|인간의\s*(?:실수|오류|과실)|인간\s*오류|휴먼\s*에러|인재\s*\(\s*人災\s*\)|人災|인재(?=였|이다|입니다|로|다|$)|"
                          r"인적\s*(?:오류|실수|과실|에러|요인이\s*원인)|(?:작업자|수작업|직원의\s*수작업)\s*실수")
_HUMAN_ERROR_DENIED_AFTER = re.compile(r"^\s*(?:를|을|는|은)?\s*(?:막|방지|전제|줄이|탓하|최소화|예방|"
                                       r"가정|피하|고려)|^\s*에\s*(?:대한|대해|관한)")
_HUMAN_ERROR_DENIED_BEFORE = re.compile(r"(?:우수한|뛰어난|유능한)\s*$")

_DENIAL = re.compile(r"비난(?:하는|할|을)?\s*(?:\S+\s+){0,2}?(?:것이|게)?\s*아니|책임을\s*묻지\s*않|"
                     r"누구의\s*잘못도\s*아니|비난\s*없는|탓하지\s*않|책임을\s*돌리지\s*않|"
                     r"(?:사람|개인|운영자\S*|작업자\S*|엔지니어\S*)\s*(?:\S+\s+)?(?:이|가)\s*아니라|"
                     r"잘못이\s*아니|비난하지\s*않|탓을\s*묻(?:는|지)\s*(?:대신|않)|"
                     r"같은\s*(?:말|표현|문장)(?:은|을|는)?\s*(?:\S+\s+)?(?:사용하지|쓰지|하지)\s*않")
_RESPONSIBILITY = re.compile(r"(?:책임|잘못|탓)은\s*(?:\S+\s+){0,4}?(\S+?)(?:에게|한테|측에)\s*있")


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


def _person_tokens(toks) -> dict[int, str]:
    """Token index -> "person" or "negated", for the head token of each mention."""
    found: dict[int, str] = {}
    for i, t in enumerate(toks):
        form, tag = t.form, t.tag
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tag.startswith("NP") or tag in {"NNG", "NNP", "NNB", "SL", "XSN"}:
            if form == "누구" and _is_someone(toks, i):
                found[i] = "person"
            elif form in _NEGATED and nxt is not None and (nxt.form in {"도"} or nxt.tag == "JKS"):
                found[i] = "negated"
            elif form in _NEGATED or form in _COLLECTIVE:
                continue
            elif form in ROLES or form.endswith("팀") or (tag == "SL" and form.lower() in _EN_ROLES):
                if form in _NOT_AGENT_ROLES and not (nxt is not None and nxt.form in {"팀", "담당자"}):
                    continue
                found[i] = "person"
            elif tag == "NNP" and nxt is not None and (nxt.form in _TITLES) or form in _TITLES and tag in {"NNB", "NNG", "XSN"} and i > 0 and toks[i - 1].tag in {"NNP", "NNG"}:
                found[i] = "person"
    return found


def _is_someone(toks, i: int) -> bool:
    """누구 + 이 + ㄴ가 (누군가, "someone"), not the negated 누구도."""
    return i + 2 < len(toks) and toks[i + 1].tag == "VCP" and toks[i + 2].form in _SOMEONE


def _agent_end(toks, i: int) -> int | None:
    """If the mention at token i is followed (after titles, 들, other nouns of the mention)
    by a subject, topic or genitive particle, the index of that particle."""
    j = i + 1
    if toks[i].form == "누구" and _is_someone(toks, i):
        j = i + 3
    while j < len(toks) and j - i <= 3 and (toks[j].tag in {"NNG", "NNP"} and toks[j].form not in
                                            {"실수", "과실", "잘못", "오류", "부주의", "탓", "때문", "책임", "바람"}
                                            or toks[j].form in _TITLES or toks[j].form in {"들", "팀"} or toks[j].tag == "XSN"
                             or (toks[j].tag in {"NNG", "NNP", "SL"} and toks[j].form in ROLES)):
        j += 1
    if j < len(toks) and toks[j].tag in _SUBJECT:
        return j
    if j < len(toks) and toks[j].form in {"실수", "과실", "잘못", "오류", "부주의", "탓", "때문", "책임", "바람"}:
        return j
    return None


def _markers(toks, text: str) -> list[tuple[int, int, str]]:
    """(start, end, sort) of each failure marker; sort is "plain", "adjectival" or "harm"."""
    out = []
    n = len(toks)
    for i, t in enumerate(toks):
        form, tag = t.form, t.tag
        nxt = toks[i + 1] if i + 1 < n else None
        end = t.start + t.len
        if form == "잘못" and tag == "MAG" or form == "잘못" and tag == "NNG" and i > 0 and toks[i - 1].tag == "JKG":
            out.append((t.start, end, "plain"))
        elif form == "잘못되" or (form == "잘못" and nxt is not None and nxt.form == "되"):
            out.append((t.start, end, "adjectival"))
        elif form in {"실수", "과실", "오류", "착오"} and nxt is not None and (nxt.form in {"로", "으로"} or nxt.tag.startswith("XSV")):
            out.append((t.start, nxt.start + nxt.len, "plain"))
        elif form in {"누락", "만료"}:
            if nxt is not None and (nxt.form in {"되", "된"} or (nxt.tag == "XSV" and i + 2 < n and toks[i + 2].tag == "ETM")):
                if form == "만료" and any(x.form in {"커밋", "배포", "사용"} for x in toks[i:]):
                    out.append((t.start, end, "adjectival"))
                continue
            out.append((t.start, end, "plain"))
        elif form in _MARKER_STEMS and not tag.startswith("J"):
            if form in {"실수"} and nxt is not None and nxt.tag in {"ETN", "EC"} and nxt.form in {"기"}:
                continue
            sort = "harm" if form in _HARM else "plain"
            out.append((t.start, end, sort))
        elif form in {"없이"} or (form == "없" and nxt is not None and nxt.form == "이"):
            k = i - 1
            while k >= 0 and toks[k].tag in {"NNG", "NNP", "SL", "XSN"} and toks[k].form not in _WITHOUT_NOUNS:
                k -= 1
            if k >= 0 and toks[k].form in _WITHOUT_NOUNS:
                out.append((toks[k].start, end, "plain"))
        elif form == "못" and tag == "MAG" and i >= 2 and toks[i - 1].form == "지" and (
                toks[i - 2].form in _CHECK_VERBS or i >= 3 and toks[i - 2].tag.startswith("XSV")
                and toks[i - 3].form in _CHECK_VERBS):
            k = i - 2 if toks[i - 2].form in _CHECK_VERBS else i - 3
            out.append((toks[k].start, end, "plain"))
        elif form == "못" and tag == "MAG" and nxt is not None and (nxt.form in _CHECK_VERBS or nxt.tag == "NNG"
                                                                     and nxt.form in _CHECK_VERBS):
            out.append((t.start, nxt.start + nxt.len, "plain"))
        elif form == "않" and i >= 2 and toks[i - 1].form in {"지"}:
            k = i - 2
            verb = toks[k].form
            if toks[k].tag.startswith("XSV") and k > 0:
                verb = toks[k - 1].form
            elif toks[k].tag.startswith("XSV"):
                pass
            if verb in _CHECK_VERBS or (toks[k].form == "되" and k > 0 and toks[k - 1].form in {"검증", "테스트", "검토"}):
                sort = "adjectival" if toks[k].form == "되" else "plain"
                out.append((toks[k - 1].start if k > 0 and toks[k].tag.startswith("XSV") else toks[k].start, end, sort))
        elif form in {"달리"} and i > 0 and toks[i - 1].form in {"과", "와"}:
            out.append((toks[i - 1].start, end, "plain"))
        elif form == "대신" and tag in {"NNG", "MAG", "NNB"} or form == "불구" and nxt is not None and nxt.tag.startswith("XS"):
            if form == "불구" and re.match(r"하고\s*(?:\S+\s+){0,2}?(?:사고|장애|문제|오류)[가이]\s*(?:발생|일어|났)",
                                         text[end:]):
                continue  # "despite X, an incident happened": nobody acts against the process
            out.append((t.start, end, "plain"))
        elif form == "문제" and nxt is not None and nxt.tag == "JKO" and i + 2 < n and toks[i + 2].form in {"만들", "일으키"}:
            out.append((t.start, toks[i + 2].start + toks[i + 2].len, "harm"))
        elif form == "원인" and i >= 2 and toks[i - 1].tag in {"JKS", "JX"} and toks[i - 2].form in {"것", "게"} or form == "바람" and i > 0 and toks[i - 1].tag == "ETM" and toks[i - 1].form == "는":
            out.append((t.start, end, "harm"))
    out += [(m.start(), m.end(), "plain") for m in _SURFACE_MARKERS.finditer(text)]
    return out


def culprit_hits(toks, text: str) -> list[Hit]:
    persons = _person_tokens(toks)
    if not persons or _DENIAL.search(text):
        return []
    if any(w == "negated" for w in persons.values()):
        return []
    remedial = any(t.form in _REMEDIAL for t in toks)
    markers = [m for m in _markers(toks, text) if not (m[2] == "adjectival" and remedial)]
    hits: list[Hit] = []
    for i in persons:
        p = toks[i]
        j = _agent_end(toks, i)
        if j is None:
            continue
        # the person's own error, or the person as the reason (때문에, 탓에, 바람에)
        if toks[j].tag == "JKG":
            # "누군가의 크고 작은 실수로": adjectives between the owner and the error
            k = j + 1
            while k < len(toks) and k - j <= 5 and toks[k].tag in {"VA", "EC", "ETM", "MAG", "XSA"}:
                k += 1
            if k < len(toks) and k > j + 1 and toks[k].form in {"실수", "과실", "잘못", "오류", "부주의"}:
                j = k - 1
        if toks[j].form in {"실수", "과실", "잘못", "오류", "부주의", "탓", "때문", "책임"} or (
                toks[j].tag == "JKG" and j + 1 < len(toks)
                and toks[j + 1].form in {"실수", "과실", "잘못", "오류", "부주의", "탓", "책임", "확인", "관리"}):
            k = j if toks[j].tag != "JKG" else j + 1
            if toks[k].form in {"책임"} and not (k + 1 < len(toks) and toks[k + 1].form in {"이", "이다", "다"}) or toks[k].form in {"확인", "관리"}:
                pass
            elif not _HUMAN_ERROR_DENIED_AFTER.search(text[toks[k].start + toks[k].len:]):
                hits.append(Hit("culprit", p.start, toks[k].start + toks[k].len))
                continue
            else:
                continue
        if i >= 2 and toks[i - 1].tag == "ETM" and any(ms < p.start and me >= toks[i - 3 if i >= 3 else 0].start
                                                         and sort == "plain" for ms, me, sort in markers):
            # "날려버린 나는": the person is modified by a failure verb
            hits.append(Hit("culprit", min(ms for ms, _, _ in markers), p.start + p.len))
            continue
        for ms, me, sort in markers:
            if ms >= p.start or sort == "harm":
                hits.append(Hit("culprit", min(p.start, ms), max(me, p.start + p.len)))
                break
    for m in _RESPONSIBILITY.finditer(text):
        who = m.group(1)
        if any(r in who for r in ROLES) or who.endswith("팀"):
            hits.append(Hit("culprit", m.start(), m.end()))
    return hits


_AIMED_AT_THINGS = re.compile(r"(?:이중화|백업|분리|관리\s*체계|점검|테스트|대비)\s*$")


def judgement_hits(toks, text: str) -> list[Hit]:
    hits = [Hit("judgement", m.start(), m.end()) for m in _JUDGEMENT.finditer(text)
            if not (m.group(0) in {"소홀", "허술", "방만"} and _AIMED_AT_THINGS.search(text[: m.start()]))]
    if _DENIAL.search(text):
        return []
    subject_things = any(t.form in _THINGS and i + 1 < len(toks) and toks[i + 1].tag == "JKS"
                         for i, t in enumerate(toks))
    for i, t in enumerate(toks):
        if t.form in {"어야", "아야"} and i + 1 < len(toks) and toks[i + 1].form == "하" or t.form == "더라면":
            pass
        else:
            continue
        k = i - 1
        while k >= 0 and toks[k].tag in {"EP", "XSV", "XSA", "VX"}:
            k -= 1
        if k < 0:
            continue
        verb = toks[k].form
        if verb in _JUDGEMENT_VERBS and not subject_things:
            hits.append(Hit("judgement", toks[k].start, t.start + t.len))
    return hits


def threat_hits(text: str) -> list[Hit]:
    hits = []
    for m in _THREAT.finditer(text):
        if _THREAT_NEGATED_AFTER.search(text[m.end():]) or re.search(r"(?:아무도|누구도)\s*\S*\s*$", text[: m.start()]):
            continue
        hits.append(Hit("threat", m.start(), m.end()))
    return hits


def human_error_hits(text: str) -> list[Hit]:
    hits = []
    for m in _HUMAN_ERROR.finditer(text):
        if _HUMAN_ERROR_DENIED_AFTER.search(text[m.end():]) or _HUMAN_ERROR_DENIED_BEFORE.search(text[: m.start()]):
            continue
        hits.append(Hit("human_error", m.start(), m.end()))
    return hits


_CUES = None


def _could_blame(sentence: str) -> bool:
    """Cheap surface test: without a person word, a title or a judging, threatening or
    human-error phrase no rule can fire, so Kiwi is not run."""
    global _CUES
    if _CUES is None:
        words = sorted((w for w in ROLES | _TITLES if len(w) > 1), key=len, reverse=True)
        _CUES = re.compile("|".join(map(re.escape, words)) + r"|팀|씨|님|그[는가의도]|[나저]는|[내제]가|누군가|[A-Za-z]{2,}")
    if _JUDGEMENT.search(sentence) or _THREAT.search(sentence) or _HUMAN_ERROR.search(sentence) \
            or _RESPONSIBILITY.search(sentence) or re.search(r"어야|아야|더라면", sentence):
        return True
    return bool(_CUES.search(sentence) and _MARKER_CUES.search(sentence))


# Surface forms every failure marker of _markers() starts with (stems and their conjugations).
_MARKER_CUES = re.compile(
    r"잘못|실수|과실|오류|착오|누락|만료|엉뚱|무시|건너뛰|건너뛴|잊|어기|어겨|어긴|위반|강행|소홀|방치|"
    r"밀어붙|날리|날려|날린|깨뜨|깨트|지우|지웠|지운|지워|뽑|하드|덮어|일으|초기화|분리|빠뜨|착각|오타|"
    r"오입력|혼동|깜빡|망가|삭제|방관|간과|놓치|놓쳐|놓친|무단|임의|독단|않|없이|달리|대신|불구|문제|"
    r"원인|바람|탓|때문|책임|rm\s|다른|빼먹|못|은폐|버린|날린")


def blame_hits(sentence: str) -> list[Hit]:
    """Blame in one Korean sentence, offsets relative to it."""
    if not _could_blame(sentence):
        return []
    toks = tokens(sentence)
    hits = human_error_hits(sentence) + threat_hits(sentence) + judgement_hits(toks, sentence)
    taken = [(h.start, h.end) for h in hits if h.kind == "human_error"]
    hits += [h for h in culprit_hits(toks, sentence) if not any(s < h.end and h.start < e for s, e in taken)]
    return hits
