"""Blame in English sentences: who is made the agent of a failure, judged, or threatened.

Rules work on one sentence at a time. A person is a role (operator, engineer, vendor, the
payments team ...), a pronoun for one person, or a name. A *failure marker* is an error,
omission or broken rule (the wrong host, forgot, skipped, without review, against policy,
took the API down). A culprit is a person who is the subject of a clause holding a failure
marker, the agent after "by" of such a clause, or the owner of an error ("Ben's mistake").
Things as agents (the tool, the migration, a race condition) are never findings, and neither
are people doing neutral or remedial work, negated subjects (nobody, no one) or "we".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*|[^\sA-Za-z0-9]")

ROLES = {
    "operator", "engineer", "developer", "dev", "admin", "administrator", "sysadmin", "dba",
    "sre", "contractor", "subcontractor", "vendor", "intern", "technician", "tech", "staff",
    "staffer", "employee", "person", "someone", "somebody", "whoever", "lead", "manager",
    "reviewer", "deployer", "analyst", "team", "ops", "marketing", "qa", "helpdesk", "on-call",
    "oncall", "owner", "approver", "member", "colleague", "coworker", "co-worker", "personnel",
    "he", "she", "him", "her", "programmer", "architect", "consultant", "supplier", "provider",
    "outsourcer", "noc", "devops", "tester", "agent", "individual", "user", "author",
    "committer", "assignee", "director", "officer", "worker", "crew", "department", "dept",
    "squad", "guy", "people", "responder", "commander", "coordinator", "specialist", "partner",
    "man", "woman", "installer", "sysadmins",
    # people who operate other systems: transport, aviation, care, public offices, trading
    "pilot", "copilot", "co-pilot", "crewmember", "signaller", "signalman", "dispatcher",
    "nurse", "doctor", "physician", "surgeon", "pharmacist", "builder", "designer",
    "techie", "clerk", "trader", "boss", "subcontractors",
}
_PLURAL = {r + "s" for r in ROLES if not r.endswith("s")} | {"staff", "people", "ops", "folks", "men", "women"}
_NOT_PERSON_AFTER = {"ui", "console", "panel", "page", "tool", "tools", "api", "interface",
                     "portal", "dashboard", "script", "scripts", "account", "accounts", "rights",
                     "access", "credentials", "role", "mode", "password", "endpoint", "process",
                     "pool", "node", "nodes", "queue", "thread", "threads", "service", "host",
                     "training", "shift", "shifts", "rotation", "tooling"}
_THING_ROLE_BEFORE = {"monitoring", "queue", "build", "ssh", "user-agent", "metrics", "sidecar",
                      "proxy", "release", "background", "celery", "rq", "worker", "cron"}
_NEGATED = {"nobody", "noone", "none", "no-one"}
_COLLECTIVE = {"we", "us", "our", "ourselves", "company", "organisation", "organization",
               "everyone", "everybody", "all"}
NAMES = set(["aaron", "adam", "aiden", "alan", "alex", "alexander", "alice", "amanda", "amy", "ana", "andrea", "andrew", "angela", "anna", "anne", "anthony", "arjun", "ben", "benjamin", "beth", "bill", "bob", "brian", "carl", "carlos", "carol", "charles", "charlie", "chen", "chris", "christian", "christina", "claire", "daniel", "dana", "dave", "david", "deepak", "diana", "diego", "dmitri", "emily", "emma", "eric", "erin", "ethan", "eva", "frank", "gary", "george", "grace", "hannah", "harry", "helen", "henry", "hiroshi", "ian", "isabel", "jack", "jacob", "jake", "jamal", "james", "jane", "janet", "jason", "jeff", "jen", "jenna", "jennifer", "jessica", "jim", "joe", "john", "jon", "jonathan", "jose", "joseph", "josh", "juan", "julia", "julie", "justin", "karen", "kate", "katie", "kevin", "kim", "kumar", "laura", "lee", "leo", "li", "lily", "linda", "lisa", "liu", "lucas", "luis", "maria", "mark", "martin", "mary", "matt", "matthew", "max", "mei", "michael", "michelle", "mike", "min", "mohammed", "nancy", "natalie", "nick", "nina", "noah", "oliver", "olivia", "omar", "paul", "peter", "priya", "rachel", "raj", "rajesh", "ravi", "rebecca", "richard", "rob", "robert", "ryan", "sam", "samuel", "sandra", "sara", "sarah", "scott", "sean", "sophia", "steve", "steven", "sue", "susan", "taro", "ted", "thomas", "tim", "tom", "tony", "victor", "wang", "wei", "will", "william", "yuki", "zhang", "zoe", "jamie", "jordan", "taylor", "morgan", "casey", "riley", "ahmed", "fatima", "hana", "jin", "jisoo", "minsu", "yuna", "kenji", "sato", "tanaka", "ivan", "olga", "pierre", "hans", "lars", "sven"])

_DETS = r"(?:the|a|an|our|their|his|her|its|this|that|any|one|two)"
# Failure markers; adjectival ones (a "failed disk") are dropped after a determiner.
_MARKERS = [
    r"\bthe wrong\b", r"\bwrongly\b", r"\bincorrect(?:ly)?\b", r"\bby mistake\b",
    r"\bmistaken(?:ly)?\b", r"\baccidental(?:ly)?\b", r"\binadvertent(?:ly)?\b", r"\berroneous(?:ly)?\b",
    r"\bmis(?:configur|typ|read|label|spell|handl|rout|conf|s?et\b|applied|named)\w*",
    r"\bforg[oe]t(?:ten|ting)?\b", r"\bfail(?:ed|s|ing)? to\b", r"\bneglect\w*",
    r"\b(?:did ?n[o']t|didn’t|never|not) (?:\w+ ){0,1}(?:follow|check|read|validat|run|sav|respond|"
    r"acknowledg|test|tell|notif|updat|review|renew|verif|confirm|look|watch|monitor|escalat|"
    r"announc|warn|inform|wait|ask|back|noti|realis|realiz|consult|use|pay|copy|cop|transmit|"
    r"understand|understood|act|detect|catch|spot|deploy|restart)\w*",
    r"\bwithout (?:\w+ ){0,2}(?:review\w*|approv\w*|notice|notif\w*|warn\w*|tell\w*|informing|"
    r"test\w*|check\w*|running|verif\w*|permission|authori[sz]\w*|sign-?off|consult\w*|ask\w*|"
    r"rollback|a plan|a ticket|confirm\w*|validat\w*)",
    r"\bskip(?:ped|ping|s)?\b", r"\bbypass(?:ed|ing|es)?\b", r"\bignor(?:ed|ing|es|e)\b",
    r"\boverlook(?:ed|ing|s)?\b", r"\bmiss(?:ed|ing)? (?:the|a|an|this|that)\b",
    r"\bviolat\w*", r"\bagainst (?:the )?(?:policy|policies|rules?|procedure|process|guidance|advice)\b",
    r"\bcontrary to\b", r"\bdespite\b", r"\bin breach of\b", r"\bover(?:rode|ridden|riding|ride)\b",
    r"\bdirectly to (?:main|master|prod\w*)\b", r"\bunreviewed\b", r"\buntested\b",
    r"\bt[oa]ok (?:\S+ ){0,3}down\b", r"\bbr(?:ought|ing|ings) (?:\S+ ){0,3}down\b", r"\btaken (?:\S+ ){0,3}down\b",
    r"\bbr(?:oke|eaks?|eaking)\b", r"\bleft (?:it|them) broken\b", r"\bwip(?:ed|es|ing)\b",
    r"\bdelet(?:ed|es|ing)\b", r"\bdropp(?:ed|ing) (?:the|a|an|all|our)\b", r"\bunplugg\w*",
    r"\bpull(?:ed|ing) (?:the )?(?:power|plug|cable)\b", r"\bdisconnect(?:ed|ing|s)\b",
    r"\bremov(?:ed|ing) (?:the|all|our)\b", r"\bcrash(?:ed|ing)\b", r"\bcorrupt(?:ed|ing|s)\b",
    r"\bcaus(?:ed|ing|es)\b", r"\btrigger(?:ed|ing|s)\b", r"\bdouble-charg\w*", r"\bblock(?:ed|ing) all\b",
    r"\bhard-?cod\w*", r"\brm -rf\b", r"\bbreaking change\b", r"\bswap(?:ped|s) the healthy\b",
    r"\block(?:ed|ing) out\b", r"\bwiped\b", r"\bkill(?:ed|ing) (?:the|all)\b", r"\boverwr(?:ote|itten)\b",
    r"\bpushed (?:\w+ ){0,4}without\b", r"\bexpired (?:api )?(?:key|token|secret|credential)s?\b",
    r"\bstraight to production\b", r"\bon a friday\b", r"\bwithout telling\b", r"\bwith no (?:peer )?review\b",
    r"\binstead of\b", r"\bagainst (?:the )?prod\w*\b",
    r"\bunintentional(?:ly)?\b", r"\bfat-?finger\w*", r"\bleft (?:\S+ ){0,4}(?:blank|empty|unset)\b",
    r"\bma(?:de|kes?|king) (?:\S+ ){0,3}?" + r"(?:mistake|error|typo|slip|blunder)s?\b",
    r"\bcut (?:the|a|an|our|their|through) (?:\S+ ){0,2}?(?:cable|fib(?:er|re)|line|wire|link|power)s?\b",
    r"\b(?:severed|ripped up|drilled through|dug up)\b", r"\bt[oa]ok (?:\S+ ){0,3}off the air\b",
]
_MARKER = re.compile("|".join(f"(?:{m})" for m in _MARKERS), re.IGNORECASE)
_ADJECTIVAL = re.compile(r"^(?:broken|corrupted|failed|crashed|deleted|wiped|missing|affected|"
                         r"incorrect|mistaken|triggered|caused)$", re.IGNORECASE)
_ACTION = re.compile(r"\b(?:pushed|ran|deployed|wrote|made|applied|shipped|merged|committed|"
                     r"introduced|changed|sent|rolled out|released|executed|added|configured)\b",
                     re.IGNORECASE)
_ADVERBIAL = re.compile(r"^(?:without|despite|contrary|against|in breach|on a friday)", re.IGNORECASE)

_ERROR_NOUN = (r"(?:mistake|error|fault|failure|oversight|negligence|carelessness|slip|blunder|"
               r"misconfiguration|typo|lapse|omission|misstep|screw-?up|mess-?up)s?")
_NON_HARM_BREAK = re.compile(r"\s+(?:the |a |an |this |that )?(?:dependenc\w*|loop|cycle|deadlock|tie|logjam|"
                             r"glass|news|up\b|it up\b)", re.IGNORECASE)
_HARM_VERB = (r"(?:t[oa]ok \S+(?: \S+){0,2} down|took down|brought \S+(?: \S+){0,2} down|broke|"
              r"caused|corrupted|wiped|deleted|crashed|knocked out|double-charged|sent all|"
              r"triggered|overwrote|blocked all|disabled)")

_BOUNDARY = re.compile(
    r"[,;:()—–]|\b(?:which|because|since|so|but|although|though|while|when|whereas|that|and then|"
    r"after|before|until|once|whereupon|yet|as soon as|however)\b", re.IGNORECASE)
_PREPOSITIONS = {"to", "for", "with", "about", "at", "in", "into", "onto", "from", "of", "on",
                 "by", "over", "under", "between", "among", "towards", "toward", "via",
                 "thanks", "helped", "asked", "told", "paged", "called", "notified", "informed"}

_JUDGEMENT = re.compile(
    r"\bcareless\w*|\bsloppy\b|\bsloppi\w*|\bincompeten\w*|\bnegligen\w*|\birresponsib\w*|"
    r"\blazy\b|\blaziness\b|\breckless\w*|\bclueless\b|\binattenti\w*|\bamateur\w*|"
    r"\bunprofessional\w*|\black of (?:professionalism|attention|care|diligence|competence|"
    r"ownership|discipline|judgement|judgment|common sense)\b|\basleep at the wheel\b|"
    r"\bdropped the ball\b|\b(?:should|ought to|must)(?: not|n't|n’t)? have (?:known|noticed|realised|"
    r"realized|caught|checked|double-checked|seen|verified|tested|read|asked|confirmed|looked|"
    r"thought|been more \w+|been \w+er|spotted|foreseen|anticipated|paid|reviewed|restarted|"
    r"deployed|waited|run|ran|escalated|followed|known better|understood)\b|\bknown better\b|"
    r"\bwould have (?:caught|noticed|spotted|known|seen|prevented)\b|\bmore competent\b|"
    r"\bany(?:one|body) with (?:basic|a little|minimal|half|any)\b|\bdid ?n[o'’]t (?:even )?care\b|"
    r"\bcould ?n[o'’]t be bothered\b|\bnot paying attention\b|\bshocking\b|\bbasic mistake\b|"
    r"\bstupid\w*|\bfoolish\w*|\bidiot\w*|\bdumb\b|\bhalf-hearted\w*|\bcavalier\b|\bsloppiness\b|"
    r"\bnitwit\w*|\bmoron\w*|\bbrain[- ]dead\b|\bpoor judge?ment\b|\bbe more careful\b|"
    r"\b(?:failed|failure) to (?:take|exercise) (?:reasonable|due|proper) (?:care|steps)\b",
    re.IGNORECASE)
_THINGS = {
    "parser", "code", "handling", "input", "tooling", "tool", "tools", "system", "systems",
    "script", "scripts", "software", "library", "api", "config", "configuration", "design",
    "defaults", "default", "implementation", "logic", "query", "queries", "regex", "validation",
    "ui", "interface", "documentation", "docs", "schema", "data", "service", "services",
    "migration", "pipeline", "automation", "firmware", "alerting", "alert", "alerts", "check",
    "checks", "test", "tests", "framework", "template", "templates", "format", "setting",
    "settings", "dashboard", "monitoring", "rule", "rules", "job", "jobs", "cron", "process",
    "procedure", "runbook", "checklist", "platform", "architecture", "vendor's software",
}

_THREAT = re.compile(
    r"\bdisciplin(?:ary|ed|e)\b|\bheads (?:will|would|are going to|should|must) roll\b|"
    r"\b(?:written|formal|final|verbal) warning\b|\blet go\b|\bfired\b|\bsacked\b|"
    r"\bterminat\w* (?:\w+ ){0,3}(?:employment|contract)|\bsuspended\b|\bsuspension\b|"
    r"\bdemot(?:ed|ion)\b|\bas a (?:penalty|punishment)\b|\bpenali[sz]\w*|\bsanction\w*|"
    r"\bface (?:the )?consequences\b|\bthere will be consequences\b|\bheld (?:personally )?accountable\b|"
    r"\bwritten up\b|\bperformance review\b|\bperformance improvement plan\b|(?-i:\bHR\b)|"
    r"\blose (?:\w+ ){0,3}access permanently\b|\bpunish\w*|\breprimand\w*|\bdismiss(?:ed|al)\b|"
    r"\bremoved from (?:\w+ ){0,3}(?:rotation|team|project)\b|\bconsequences for\b|"
    # reported legal and personnel consequences for people or firms
    r"\bfined\b|\b(?:handed|imposed|issued|levied|faces?|facing)\b (?:\S+ ){0,4}fines?\b|\bsentenc(?:ed|ing)\b|"
    r"\bin prison\b|\bjail(?:ed)?\b|\bprosecut\w*|\bresign(?:ed|ation)\b (?:\S+ ){0,6}(?:after|over|following)\b|"
    r"\btaken action (?:with|against) (?:that|the|this) (?:\S+ )?(?:employee|engineer|person|individual|staff)\b|"
    r"\bfinal paycheck\b", re.IGNORECASE)
_THREAT_NEGATION = re.compile(r"\b(?:no|nobody|no one|not|never|none|won['’]t|without)\b|n['’]t\b", re.IGNORECASE)
# Punishment talked about as something people fear or a culture avoids, not done to anyone.
_THREAT_AS_TOPIC = re.compile(r"\b(?:fear|fears|feared|afraid|avoid\w*|instead of|rather than|culture of|"
                              r"severely|harsh(?:ly)?|strong)\W+(?:\w+\W+){0,2}$", re.IGNORECASE)
_SUSPENDABLE = {"account", "accounts", "session", "sessions", "test", "tests", "trading", "job", "jobs",
                "deploys", "deployments", "rollout", "writes", "alerts", "instance", "instances", "sync",
                "replication", "process", "processes", "service", "services", "queue", "queues", "traffic"}

_HUMAN_ERROR = re.compile(r"\b(?:human|operator|pilot|manual|staff|user|personnel)[ -](?:error|mistake|"
                          r"failure|slip)s?\b|\bhuman[ -]caused\b|\bhuman factor as the cause\b",
                          re.IGNORECASE)
_HUMAN_ERROR_DENIAL_BEFORE = re.compile(
    r"\b(?:rather than|instead of|not (?:just|simply|merely|about)?|never|blam\w*|calling|call it|"
    r"assum\w*|prevent\w*|avoid\w*|reduc\w*|catch\w*|guard\w* against|beyond|no|expect\w*|"
    r"tolerat\w*|design\w* for)\W+(?:\w+\W+){0,4}$", re.IGNORECASE)
_HUMAN_ERROR_DENIAL_AFTER = re.compile(r"^\W*(?:will|is|are) (?:always )?(?:happen|inevitable|normal|"
                                       r"expected)|^\W*(?:is|was) not the (?:root )?cause", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    text: str
    low: str
    start: int
    end: int


@lru_cache(maxsize=1024)
def _tokens(sentence: str) -> tuple[_Token, ...]:
    out = []
    for m in _WORD.finditer(sentence):
        word = m.group(0)
        low = word.lower()
        for tail in ("'s", "’s", "s'", "s’"):
            if low.endswith(tail) and len(low) > 3:
                low = low[: -len(tail)] + ("s" if tail.startswith("s") else "")
                break
        out.append(_Token(word, low, m.start(), m.end()))
    return tuple(out)


def _possessive(tok: _Token) -> bool:
    return tok.text.endswith(("'s", "’s", "s'", "s’"))


def _person_at(tokens: list[_Token], i: int) -> str:
    """"person", "negated" or "" for token i."""
    tok = tokens[i]
    low = tok.low
    nxt = tokens[i + 1].low if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].low if i > 0 else ""
    if low in _NEGATED or (low == "one" and prev == "no") or (prev == "no" and low in ROLES | _PLURAL):
        return "negated"
    if low in _COLLECTIVE:
        return ""
    if tok.text == "I":
        return "person"
    if low in ROLES or low in _PLURAL:
        if nxt in _NOT_PERSON_AFTER and not _possessive(tok):
            return ""
        if low in {"agent", "agents"} and prev not in {"support", "service", "customer", "desk"}:
            return ""
        if low in {"worker", "workers", "user", "users", "provider", "providers", "author",
                   "partner", "partners"} and (prev in _THING_ROLE_BEFORE or low in {"user", "users"}):
            return ""
        if low in {"user", "users", "people"}:
            return ""
        if low in {"her"} and nxt not in {".", ",", "", "and"}:
            return ""
        if low == "lead" and prev in {"", "to", "will", "can", "could", "may", "might"}:
            return ""
        if low in {"tech", "member", "members"} and prev in {"", "the"} and nxt not in {"", "from"}:
            return "person" if low != "tech" else ""
        return "person"
    base = tok.text.split("'")[0].split("’")[0]
    if base[:1].isupper() and base[1:].islower() and len(base) > 1:
        if base.lower() in NAMES:
            return "person"
        if _possessive(tok) and i > 0 and tokens[i - 1].low not in {"the", "a", "an"}:
            return "person"
    return ""


def _persons(tokens: list[_Token]) -> dict[int, str]:
    found = {}
    for i in range(len(tokens)):
        what = _person_at(tokens, i)
        if what:
            found[i] = what
        elif tokens[i].low == "they" and _antecedent_is_person(tokens, i, found):
            found[i] = "person"
    return found


def _antecedent_is_person(tokens: list[_Token], i: int, found: dict[int, str]) -> bool:
    """"they" stands for people when the nearest earlier noun it could refer to is a person."""
    for k in range(i - 1, -1, -1):
        if found.get(k) == "person":
            return True
        low = tokens[k].low
        if low.endswith("s") and (low in _THINGS or low[:-1] in _THINGS):
            return False
    return False


# The first word of a clause that continues the previous clause's subject ("..., but failed to",
# "..., and forgot", "..., accidentally deleted"): a finite past verb or an adverb before one.
_CONTINUES_SUBJECT = re.compile(
    r"^\W*(?:and\s+|but\s+|then\s+|yet\s+)*(?:\w+ly\s+)?(?:\w+ed|did|didn['’]t|failed|forgot|never|made|"
    r"ran|left|took|broke|cut|dug|hit|chose|sent|wrote|put|set|drew|threw|brought|shut|gave|went|"
    r"deleted|wiped|skipped|ignored|missed|removed|overwrote|typed|entered|pushed)\b", re.IGNORECASE)
_QUANTIFIERS = {"one", "two", "three", "some", "several", "many", "each", "any", "both", "most"}


def _markers(sentence: str) -> list[tuple[int, int]]:
    spans = []
    for m in _MARKER.finditer(sentence):
        word = m.group(0).split()[0]
        before = sentence[: m.start()].rstrip().lower()
        if _ADJECTIVAL.match(word) and re.search(rf"\b{_DETS}$", before):
            continue
        if re.search(r"\b(?:prevent|avoid|stop|catch|detect|flag|block|refuse|cancel|abort|interrupt|halt|"
                     r"undo|revert)s?\w* (?:\w+ ){0,3}$", before + " ") and not _ADVERBIAL.match(word):
            continue
        if word.lower() in {"broke", "break", "breaks", "breaking"} and _NON_HARM_BREAK.match(sentence[m.end():]):
            continue
        spans.append((m.start(), m.end()))
    return spans


def _clauses(sentence: str) -> list[tuple[int, int]]:
    cuts = [0]
    for m in _BOUNDARY.finditer(sentence):
        cuts.extend([m.start(), m.end()])
    cuts.append(len(sentence))
    return [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2) if cuts[k + 1] > cuts[k]]


def _subject_person(tokens, persons, lo, hi) -> tuple[int, str] | None:
    """The first person in [lo, hi) that is not behind a preposition."""
    inside = [i for i, t in enumerate(tokens) if t.start >= lo and t.end <= hi]
    for pos, i in enumerate(inside):
        if tokens[i].low == "of" and pos > 0 and tokens[inside[pos - 1]].low in _QUANTIFIERS:
            continue
        if tokens[i].low in _PREPOSITIONS and tokens[i].low != "by" and not tokens[i].text.isupper():
            return None
        if i in persons:
            return i, persons[i]
        if tokens[i].low in _THINGS and pos > 0 and not _possessive(tokens[i]):
            return None
    return None


def culprit_hits(sentence: str, tokens: list[_Token] | None = None) -> list[Hit]:
    tokens = tokens if tokens is not None else _tokens(sentence)
    persons = _persons(tokens)
    if not persons:
        return []
    hits: list[Hit] = []
    real = {i for i, w in persons.items() if w == "person"}
    # 1. the owner of an error, or of a change that did harm
    for i in real:
        if not _possessive(tokens[i]):
            continue
        rest = sentence[tokens[i].end:]
        m = re.match(rf"\s+(?:\S+\s+){{0,3}}?{_ERROR_NOUN}\b", rest, re.IGNORECASE)
        m = m or re.match(rf"\s+(?:\S+\s+){{0,3}}?{_HARM_VERB}\b", rest, re.IGNORECASE)
        if m:
            hits.append(Hit("culprit", tokens[i].start, tokens[i].end + m.end()))
        elif re.match(r"\s+fault\b", rest, re.IGNORECASE) or re.search(
                r"\b(?:entirely|all|solely|completely|squarely)?\s*(?:the\s+)?(?:\S+\s+){0,2}$",
                sentence[: tokens[i].start]) and re.match(r"\s*(?:\S+\s+){0,2}fault\b", rest):
            hits.append(Hit("culprit", tokens[i].start, tokens[i].end))
    # 2. "caused by / due to / because of" a person; "responsibility lies with" a person
    for m in re.finditer(r"\b(?:caused|introduced|triggered|made|broken|done|started|deleted|"
                         r"dropped|approved|shipped|pushed|taken \w+|wiped)\s+by\s+|"
                         r"\b(?:due to|because of|thanks to|owing to|the fault of|blame (?:lies )?with|"
                         r"lies with|rests with|responsibility of|result of)\s+", sentence, re.IGNORECASE):
        after = [i for i in real if tokens[i].start >= m.end() and tokens[i].start - m.end() < 30]
        if not after:
            continue
        cue = m.group(0).lower()
        i = min(after)
        if re.search(r"\b(?:not|no|none|never|nobody)\b(?:\W+\w+){0,3}\W*$|n['’]t\W*$", sentence[: m.start()],
                     re.IGNORECASE):
            continue
        has_marker = any(True for _ in _markers(sentence))
        if cue.startswith(("caused", "introduced", "triggered", "the fault", "blame", "lies", "rests",
                           "responsibility", "broken", "wiped", "deleted")) or has_marker or (
                cue.startswith(("due", "because", "owing", "result")) and (
                _possessive(tokens[i]) or re.match(r"\s+\w+ing\b", sentence[tokens[i].end:]))):
            if cue.startswith("thanks"):
                continue
            hits.append(Hit("culprit", m.start(), tokens[i].end))
    # 3. "is responsible for / to blame for / at fault for" the failure
    for m in re.finditer(r"\b(?:is|are|was|were)\s+(?:entirely\s+|solely\s+|fully\s+|directly\s+)?"
                         r"(?:responsible|to blame|at fault|the cause|culpable)\b(?!\s+for\s+(?:the\s+)?"
                         r"(?:fix|recovery|follow-up|action|remediation|rollout|service|pipeline))",
                         sentence, re.IGNORECASE):
        clause = _clause_of(sentence, m.start())
        subj = _subject_person(tokens, persons, clause[0], m.start())
        if subj and subj[1] == "person":
            hits.append(Hit("culprit", tokens[subj[0]].start, m.end()))
    # 3b. "the man responsible for the incident"
    for i in real:
        m = re.match(r"\s+(?:who (?:is|was) |that (?:is|was) )?(?:directly |solely )?responsible for (?:the |this |that )?"
                     r"(?:incident|outage|failure|mistake|error|breach|disruption|accident|mishap)\b",
                     sentence[tokens[i].end:], re.IGNORECASE)
        if m:
            hits.append(Hit("culprit", tokens[i].start, tokens[i].end + m.end()))
    # 4. a person as the subject of a clause with a failure marker, or its agent after "by"
    clauses = _clauses(sentence)
    for ms, me in _markers(sentence):
        for ci, (lo, hi) in enumerate(clauses):
            if not lo <= ms < hi:
                continue
            subj = _subject_person(tokens, persons, lo, ms)
            cont = _CONTINUES_SUBJECT.match(sentence[lo:hi]) if subj is None and ci > 0 else None
            if cont and len(sentence[lo + cont.end():ms].split()) <= 2:
                for plo, phi in reversed(clauses[max(0, ci - 3):ci]):
                    subj = _subject_person(tokens, persons, plo, phi)
                    if subj is not None:
                        break
            if subj is None and ci > 0 and (_ADVERBIAL.match(sentence[ms:me]) or (
                    re.match(r"\s*(?:that|which)\s*$", sentence[clauses[ci - 1][1]:lo])
                    and _ACTION.search(sentence[clauses[ci - 1][0]:clauses[ci - 1][1]]))):
                plo, phi = clauses[ci - 1]
                subj = _subject_person(tokens, persons, plo, phi)
            if subj is None:
                by = [i for i in real if lo <= tokens[i].start < hi and tokens[i].start > ms
                      and re.search(rf"\bby\s+(?:{_DETS}\s+)?(?:\S+\s+){{0,2}}$",
                                    sentence[lo:tokens[i].start], re.IGNORECASE)]
                if by:
                    hits.append(Hit("culprit", ms, tokens[min(by)].end))
                continue
            if subj[1] == "person":
                hits.append(Hit("culprit", tokens[subj[0]].start, me))
    return hits


def _clause_of(sentence: str, pos: int) -> tuple[int, int]:
    for lo, hi in _clauses(sentence):
        if lo <= pos < hi:
            return lo, hi
    return 0, len(sentence)


def judgement_hits(sentence: str, tokens: list[_Token]) -> list[Hit]:
    persons = _persons(tokens)
    hits = []
    for m in _JUDGEMENT.finditer(sentence):
        after = [t.low for t in tokens if t.start >= m.end()][:3]
        clause = _clause_of(sentence, m.start())
        before = [t for t in tokens if clause[0] <= t.start < m.start()]
        word = m.group(0).lower()
        if word.startswith(("should", "ought", "must", "would")):
            subj = [t for t in before if t.low not in {"the", "a", "an"}]
            if any(t.low in _THINGS or t.low in _COLLECTIVE for t in subj[-3:]) and not any(
                    i in persons for i, t in enumerate(tokens) if t in subj):
                continue
            if word.startswith("would") and not any(persons.get(i) == "person" or t.low in {"anyone", "anybody"}
                                                    for i, t in enumerate(tokens)):
                continue
        elif after[:1] and (after[0] in _THINGS or after[1:2] and after[1] in _THINGS
                            or (after[0] == "about" and after[1:2] and after[1] in _THINGS)):
            continue
        elif re.match(r"(?:is|are|was|were|seems?|looks?)\b", " ".join(t.low for t in before[-2:][-1:])) \
                or any(t.low in {"is", "are", "was", "were"} for t in before):
            subject = [t for t in before if t.low not in {"is", "are", "was", "were", "the", "a"}]
            if subject and any(t.low in _THINGS for t in subject) and not any(
                    persons.get(i) == "person" for i, t in enumerate(tokens) if t in subject):
                continue
        if re.search(r"\b(?:no|not|never|nobody|no one)\b[^.]*$", sentence[clause[0]:m.start()], re.IGNORECASE) \
                and not word.startswith(("should", "ought")):
            continue
        if re.search(r"\b(?:rather than|instead of|avoid\w*|without)\W+(?:\w+\W+){0,4}$", sentence[: m.start()],
                     re.IGNORECASE):
            continue
        if not word.startswith(("should", "ought", "must", "would")) and _nearest_is_thing(tokens, persons, m.start()):
            continue
        hits.append(Hit("judgement", m.start(), m.end()))
    return hits


def _nearest_is_thing(tokens: list[_Token], persons: dict[int, str], pos: int) -> bool:
    """The closest noun before ``pos`` that a judging word could be about is a thing."""
    before = [i for i, t in enumerate(tokens) if t.end <= pos][-8:]
    if any(persons.get(i) == "person" for i in before):
        return False
    for i in reversed(before):
        if i in persons:
            return False
        if tokens[i].low in _THINGS:
            return True
    return False


_FIRED_THING = re.compile(r"\b(?:alerts?|alarms?|alerting|triggers?|events?|(?:web)?hooks?|jobs?|crons?|timers?|"
                          r"rules?|pages?|pagers?|checks?|callbacks?|handlers?|signals?|monitors?|probes?|"
                          r"notifications?|it|never|already|finally)\W+(?:\w+\W+){0,2}$",
                          re.IGNORECASE)


def threat_hits(sentence: str) -> list[Hit]:
    hits = []
    for m in _THREAT.finditer(sentence):
        before = sentence[: m.start()]
        if _THREAT_NEGATION.search(before):
            continue
        if m.group(0).lower().startswith("disciplin") and re.match(r"\s+(?:use|approach|way|practice)\b",
                                                                    sentence[m.end():]):
            continue
        if _THREAT_AS_TOPIC.search(before):
            continue
        if m.group(0).lower() == "fired" and (_FIRED_THING.search(before) or re.match(r"\s+(?:off|again|twice)\b",
                                                                                     sentence[m.end():])):
            continue  # an alert, a trigger or a job fired: nobody lost a job
        if re.match(r"suspen|terminat|dismiss", m.group(0), re.IGNORECASE):
            near = re.findall(r"[A-Za-z]+", before)[-4:] + re.findall(r"[A-Za-z]+", sentence[m.end():])[:4]
            if any(w.lower() in _SUSPENDABLE for w in near):
                continue
        hits.append(Hit("threat", m.start(), m.end()))
    return hits


def human_error_hits(sentence: str) -> list[Hit]:
    hits = []
    for m in _HUMAN_ERROR.finditer(sentence):
        if _HUMAN_ERROR_DENIAL_BEFORE.search(sentence[: m.start()]):
            continue
        if _HUMAN_ERROR_DENIAL_AFTER.search(sentence[m.end():]):
            continue
        hits.append(Hit("human_error", m.start(), m.end()))
    return hits


_DENIAL = re.compile(r"^\s*(?:no one|nobody|none of|not)\b|\bblameless\b|\bnot (?:about|looking)\b",
                     re.IGNORECASE)


def blame_hits(sentence: str) -> list[Hit]:
    """Blame in one English sentence, offsets relative to it."""
    tokens = _tokens(sentence)
    hits = human_error_hits(sentence) + threat_hits(sentence) + judgement_hits(sentence, tokens)
    if not _DENIAL.search(sentence):
        taken = [(h.start, h.end) for h in hits if h.kind == "human_error"]
        hits += [h for h in culprit_hits(sentence, tokens)
                 if not any(s < h.end and h.start < e for s, e in taken)]
    return hits
