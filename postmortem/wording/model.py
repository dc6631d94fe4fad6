"""A small statistical blame classifier per language, beside the rules.

Logistic regression over sparse features of one sentence: word unigrams and bigrams,
character n-grams, Kiwi morphemes with their part of speech (Korean), cue features taken from
the rules' own lexicons (a person word, a failure marker, a judging, threatening or
human-error phrase and whether the rules found it denied, a negation, a collective
"we"/"우리") and, for English, word-class shapes (family ``x``: the sentence as classes such as
PERSON, FAIL, THING, WE, and what follows a person). Weights live in ``blame_model.json``
beside this file, written by ``python -m bench.wording_model`` from the dev sentences only
(tests/data/wording/README.md). ``probability(sentence, lang)`` is the model's P(blame); the
weights are read once, on first use.
"""

from __future__ import annotations

import json
import math
import re
import threading
from functools import lru_cache
from importlib import resources

WEIGHTS_FILE = "blame_model.json"
_lock = threading.Lock()
_weights: dict | None = None

_EN_WORD = re.compile(r"[a-z0-9][a-z0-9'’\-]*")
_NEGATION_EN = re.compile(r"\b(?:no|not|never|nobody|no one|none|without|n['’]t)\b", re.IGNORECASE)
_COLLECTIVE_EN = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)
_FIRST_PERSON_EN = re.compile(r"\b(?:I|my|me)\b")
_NEGATION_KO = re.compile(r"않|없|아니|못|아무도|누구도")
_COLLECTIVE_KO = re.compile(r"우리|회사|조직|모두")


def _grams(prefix: str, items: list[str], n: int) -> list[str]:
    return [prefix + " ".join(items[k:k + n]) for k in range(len(items) - n + 1)]


def _chars(prefix: str, text: str, sizes: tuple[int, ...]) -> list[str]:
    out = []
    for word in text.split():
        padded = f" {word} "
        for n in sizes:
            out.extend(prefix + padded[k:k + n] for k in range(len(padded) - n + 1))
    return out


def english_candidate(sentence: str) -> bool:
    """Cheap test: a person word, an error noun or a judging, threatening or human-error
    phrase. Without one the model gives 0 (in training as in use) and is not run."""
    from postmortem.wording import english  # noqa: PLC0415

    return bool(_EN_CUES.search(sentence) or english._JUDGEMENT.search(sentence)
                or english._THREAT.search(sentence) or english._HUMAN_ERROR.search(sentence)
                or any(english._person_at(toks, i) for toks in (english._tokens(sentence),)
                       for i in range(len(toks))))


def korean_candidate(sentence: str) -> bool:
    from postmortem.wording import korean  # noqa: PLC0415

    return korean._could_blame(sentence)


_EN_CUES = re.compile(r"\b(?:(?:mistake|error|fault|slip|lapse|oversight|typo)s?|blam\w*|"
                      r"negligen\w*|responsib\w*|accident\w*|inadvertent\w*|human\w*|they|I)\b", re.IGNORECASE)
CANDIDATE = {"en": english_candidate, "ko": korean_candidate}


def english_features(sentence: str, families: tuple[str, ...] = ("w", "b", "c", "f")) -> list[str]:
    from postmortem.wording import english  # noqa: PLC0415 - english imports nothing from here

    low = sentence.lower()
    words = _EN_WORD.findall(low)
    feats = _grams("w:", words, 1) if "w" in families else []
    feats += _grams("b:", words, 2) if "b" in families else []
    feats += _chars("c:", " ".join(words), (4,)) if "c" in families else []
    tokens = english._tokens(sentence)
    persons = english._persons(tokens)
    real = [i for i, w in persons.items() if w == "person"]
    markers = english._markers(sentence)
    if real:
        feats.append("f:person")
    if any(w == "negated" for w in persons.values()):
        feats.append("f:negated_person")
    if markers:
        feats.append("f:marker")
    if real and markers:
        feats.append("f:person+marker")
        if tokens[min(real)].start < markers[0][0]:
            feats.append("f:person_before_marker")
    if english._JUDGEMENT.search(sentence):
        feats.append("f:judgement_word")
    if english._THREAT.search(sentence):
        feats.append("f:threat_word" if english.threat_hits(sentence) else "f:threat_word_denied")
    if english._HUMAN_ERROR.search(sentence):
        feats.append("f:human_error_word" if english.human_error_hits(sentence) else "f:human_error_word_denied")
    if english._DENIAL.search(sentence):
        feats.append("f:denial")
    if re.search(english._ERROR_NOUN, low):
        feats.append("f:error_noun")
    if _NEGATION_EN.search(sentence):
        feats.append("f:negation")
    if _COLLECTIVE_EN.search(sentence):
        feats.append("f:we")
    if _FIRST_PERSON_EN.search(sentence):
        feats.append("f:i")
    if re.search(r"\bby (?:an? |the )?\w+", low) and real:
        feats.append("f:by_person")
    if "x" in families:
        feats += _english_shapes(sentence, tokens, persons, markers)
    return feats


def _english_shapes(sentence: str, tokens, persons: dict[int, str], markers) -> list[str]:
    """Family ``x``: the sentence as a sequence of word classes (a person, a negated person,
    "we", a thing, a failure marker, an error noun, "by"), its class bigrams and trigrams, the
    words right after each person (what the person did) and, per clause, which class comes
    before a failure marker. Classes generalise where the words of one report do not."""
    from postmortem.wording import english  # noqa: PLC0415

    in_marker = [any(a <= t.start < b for a, b in markers) for t in tokens]
    classes: list[tuple[int, str]] = []
    for i, t in enumerate(tokens):
        who = persons.get(i)
        if who == "person":
            cls = "I" if t.text in {"I", "my", "me"} else "PERSON"
        elif who == "negated":
            cls = "NOBODY"
        elif t.low in {"we", "us", "our"}:
            cls = "WE"
        elif in_marker[i]:
            cls = "FAIL"
        elif re.fullmatch(english._ERROR_NOUN, t.low):
            cls = "ERR"
        elif t.low in english._THINGS:
            cls = "THING"
        elif t.low in {"by", "due", "because", "caused"}:
            cls = t.low.upper()
        elif t.low in {"not", "never", "no", "without"} or t.low.endswith("n't"):
            cls = "NOT"
        else:
            continue
        if not classes or classes[-1][1] != cls:
            classes.append((i, cls))
    seq = [c for _, c in classes]
    out = _grams("x:", seq, 2) + _grams("x:", seq, 3)
    for i, who in persons.items():
        if who == "person":
            after = [tokens[k].low for k in range(i + 1, min(len(tokens), i + 3)) if tokens[k].low.isalpha()]
            out += [f"x:a:{w}" for w in after]
            if i > 0:
                out.append(f"x:p:{tokens[i - 1].low}")
    for lo, hi in english._clauses(sentence):
        inside = [c for i, c in classes if lo <= tokens[i].start < hi]
        if "FAIL" in inside or "ERR" in inside:
            first = next((c for c in inside if c not in {"FAIL", "ERR", "NOT"}), "NONE")
            out.append(f"x:c:{first}>FAIL")
    return out


_KO_CUE_WORDS = ("실수", "잘못", "부주의", "책임", "징계", "탓", "과실", "누락", "착오", "인재", "제재",
                 "처벌", "해고", "문책", "오류", "때문")


def korean_features(sentence: str, families: tuple[str, ...] = ("c", "w", "m", "mb", "f")) -> list[str]:
    from postmortem.wording import korean  # noqa: PLC0415 - loads Kiwi on first Korean use

    feats = _chars("c:", sentence, (2, 3)) if "c" in families else []
    feats += _grams("w:", sentence.split(), 1) if "w" in families else []
    feats += [f"f:cue:{w}" for w in _KO_CUE_WORDS if w in sentence]
    for name, pattern in (("judgement_word", korean._JUDGEMENT), ("denial", korean._DENIAL),
                          ("negation", _NEGATION_KO), ("we", _COLLECTIVE_KO)):
        if pattern.search(sentence):
            feats.append(f"f:{name}")
    for name, pattern, hits in (("threat_word", korean._THREAT, korean.threat_hits),
                                ("human_error_word", korean._HUMAN_ERROR, korean.human_error_hits)):
        if pattern.search(sentence):
            feats.append(f"f:{name}" if hits(sentence) else f"f:{name}_denied")
    if not korean._could_blame(sentence):
        return feats  # no rule could fire: Kiwi is not run (the same in training and in use)
    toks = korean.tokens(sentence)
    morphs = [f"{t.form}/{t.tag[:2]}" for t in toks]
    feats += _grams("m:", morphs, 1) if "m" in families else []
    feats += _grams("mb:", morphs, 2) if "mb" in families else []
    persons = korean._person_tokens(toks)
    markers = korean._markers(toks, sentence)
    real = [i for i, w in persons.items() if w == "person"]
    if real:
        feats.append("f:person")
        if any(korean._agent_end(toks, i) is not None for i in real):
            feats.append("f:person_agent")
        if any(i + 1 < len(toks) and toks[i + 1].tag == "JKG" for i in real):
            feats.append("f:person_genitive")
    if any(t.tag == "NNP" for t in toks):
        feats.append("f:nnp")
    if any(w == "negated" for w in persons.values()):
        feats.append("f:negated_person")
    if markers:
        feats.append("f:marker")
    if real and markers:
        feats.append("f:person+marker")
    return feats



FEATURES = {"en": english_features, "ko": korean_features}


def features(sentence: str, lang: str, families: list[str]) -> list[str]:
    """The features of ``sentence`` whose family (the prefix before ":") is in ``families``."""
    keep = tuple(f"{f}:" for f in families)
    return [f for f in FEATURES[lang](sentence, tuple(families)) if f.startswith(keep)]


def weights() -> dict:
    """{"en": {"families", "bias", "threshold", "weights": {feature: weight}}, "ko": {...}}."""
    global _weights
    if _weights is None:
        with _lock:
            if _weights is None:
                text = resources.files("postmortem.wording").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
                _weights = json.loads(text)
    return _weights


def score(features: list[str], model: dict) -> float:
    table = model["weights"]
    z = model["bias"] + sum(table.get(f, 0.0) for f in set(features))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


@lru_cache(maxsize=4096)
def _probability(sentence: str, lang: str) -> float:
    table = weights()[lang]
    if table.get("prefilter", True) and not CANDIDATE[lang](sentence):
        return 0.0
    return score(features(sentence, lang, table["families"]), table)


def probability(sentence: str, lang: str) -> float:
    """P(the sentence blames someone), by the shipped model for ``lang`` ("en" or "ko")."""
    return _probability(sentence, lang)


def threshold(lang: str) -> float:
    """At or above it the sentence is flagged, with or without a rule hit."""
    return weights()[lang]["threshold"]


def veto(lang: str) -> float:
    """Below it a rule hit is dropped: the model is confident the sentence blames nobody."""
    return weights()[lang]["veto"]
