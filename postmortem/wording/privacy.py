"""End users' personal data in text: e-mail addresses, phone numbers, IP addresses, Korean
resident registration numbers and payment card numbers. Offsets are into the text given."""

from __future__ import annotations

import calendar
import functools
import ipaddress
import re
from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class PrivacyPolicy:
    """What counts as the company's own: e-mail domains (and their subdomains), phone numbers
    (E.164, e.g. ``+8215881234``) and networks (CIDR): ``app.yaml: privacy``. Empty here
    (nothing is the company's) when no settings are given."""

    internal_domains: tuple[str, ...] = ()
    allowed_numbers: tuple[str, ...] = ()
    internal_networks: tuple[str, ...] = ()
    region: str = "KR"  # how numbers written without a country code are read

    def is_internal_domain(self, domain: str) -> bool:
        domain = domain.lower().rstrip(".")
        return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in self.internal_domains)

    def networks(self) -> list:
        return [ipaddress.ip_network(n, strict=False) for n in self.internal_networks]

    def allowed_e164(self) -> set[str]:
        out = set()
        for number in self.allowed_numbers:
            try:
                out.add(phonenumbers.format_number(phonenumbers.parse(number, self.region),
                                                   phonenumbers.PhoneNumberFormat.E164))
            except phonenumbers.NumberParseException:
                out.add(number)
        return out


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


_EMAIL = re.compile(r"(?<![\w.%+\-*])[A-Za-z0-9][A-Za-z0-9._+\-]*(?:@|%40)"
                    r"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})(?![\w\-]|\.[A-Za-z0-9])",
                    re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.:/])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})"
                   r"(?!\.?\d|/\d|[\w-])")
_IPV6 = re.compile(r"(?<![\w:.])((?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{0,4}|\d{1,3}(?:\.\d{1,3}){3}))(?![\w:]|/\d)")
_VERSION_CONTEXT = re.compile(r"(?:\b(?:v|ver|version|versions|release|build|firmware|fw|sdk|agent|nginx|kernel|"
                              r"upgraded?|patch|rev|tag|go|python|java|node|kubernetes|k8s|chrome|"
                              r"ios|android|app|버전|펌웨어|릴리스)\b\W{0,3}(?:\w+\W{1,3}){0,2}|v)$", re.IGNORECASE)
_RRN = re.compile(r"(?<![\d\-*])(\d{2})(\d{2})(\d{2})[-\s]?([1-8])(\d{6})(?![\d*])")
_CARD = re.compile(r"(?<![\d\-*])(?:\d[ \-]?){12,18}\d(?![\d*]|-\d)")
# Issuer prefixes: Visa, Mastercard (51-55, 2221-2720), Amex, Discover, JCB, Diners, UnionPay, Maestro.
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6011|65|64[4-9]|35(?:2[89]|[3-8]\d)|"
                          r"30[0-5]|3[68]|62|5[0678]|6[37])")
_CARD_GROUPS = re.compile(r"^(?:\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ \-])\d{6}\2\d{4,5})$")


def email_hits(text: str, policy: PrivacyPolicy) -> list[Hit]:
    return [Hit("email", m.start(), m.end()) for m in _EMAIL.finditer(text)
            if not policy.is_internal_domain(m.group(1))]


def _public(address, policy: PrivacyPolicy) -> bool:
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False
    return not any(address.version == n.version and address in n for n in policy.networks())


def ip_hits(text: str, policy: PrivacyPolicy) -> list[Hit]:
    hits = []
    for m in _IPV4.finditer(text):
        if _VERSION_CONTEXT.search(text[max(0, m.start() - 40): m.start()]):
            continue
        if _public(ipaddress.IPv4Address(m.group(1)), policy):
            hits.append(Hit("ipv4", m.start(1), m.end(1)))
    for m in _IPV6.finditer(text):
        candidate = m.group(1)
        if candidate.count(":") < 2 or "::" not in candidate and candidate.count(":") < 7:
            continue
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        if _public(address, policy):
            hits.append(Hit("ipv6", m.start(1), m.end(1)))
    return hits


def _rrn_date_ok(yy: str, mm: str, dd: str, gender: str) -> bool:
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}[gender]
    year, month, day = century + int(yy), int(mm), int(dd)
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def rrn_hits(text: str) -> list[Hit]:
    return [Hit("kr_rrn", m.start(), m.end()) for m in _RRN.finditer(text)
            if _rrn_date_ok(m.group(1), m.group(2), m.group(3), m.group(4))]


def luhn(digits: str) -> bool:
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = int(ch)
        if k % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_hits(text: str) -> list[Hit]:
    hits = []
    for m in _CARD.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or not _CARD_GROUPS.match(raw) or not _CARD_PREFIX.match(digits):
            continue
        if luhn(digits):
            hits.append(Hit("card", m.start(), m.end()))
    return hits


# Where a phone number could be: digits with spacing or punctuation, 7 digits or more.
_PHONE_CANDIDATE = re.compile(r"\+?\(?\d[\d \t().\-/]{5,24}\d")


_PLAIN_NUMBER = re.compile(r"^(?:\+\d{1,3}[ \-]?)?\d{2,4}([ .\-]?)\d{3,4}\1\d{4}$")


@dataclass(frozen=True)
class _Parsed:
    raw_string: str
    number: phonenumbers.PhoneNumber


@functools.lru_cache(maxsize=4096)
def _valid_number(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _phone_matches(text: str, region: str):
    """PhoneNumberMatcher over each candidate stretch (with a little context) rather than
    the whole text, which is much faster on long pages."""
    for cand in _PHONE_CANDIDATE.finditer(text):
        raw = cand.group(0)
        if _PLAIN_NUMBER.match(raw):  # the common spellings: parse directly (fast)
            number = _valid_number(raw, region)
            if number is not None:
                yield cand.start(), cand.end(), _Parsed(raw, number)
                continue
        lo, hi = max(0, cand.start() - 2), min(len(text), cand.end() + 2)
        for match in phonenumbers.PhoneNumberMatcher(text[lo:hi], region, leniency=phonenumbers.Leniency.VALID):
            yield lo + match.start, lo + match.end, match


def phone_hits(text: str, policy: PrivacyPolicy, taken: list[tuple[int, int]]) -> list[Hit]:
    allowed = policy.allowed_e164()
    hits = []
    for start, end, match in _phone_matches(text, policy.region):
        if match.raw_string.startswith("(") and ")" not in match.raw_string:
            start += 1
        if any(s < end and start < e for s, e in taken):
            continue
        if phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164) in allowed:
            continue
        if re.search(r"[\d*]", text[end:end + 1]) or re.search(r"[\d*]$", text[:start]):
            continue
        hits.append(Hit("phone", start, end))
    return hits


def privacy_hits(text: str, policy: PrivacyPolicy) -> list[Hit]:
    """Every personal-data hit in ``text``; where two overlap the more specific one wins."""
    hits = rrn_hits(text)
    hits += [h for h in card_hits(text) if not _overlaps(h, hits)]
    hits += [h for h in email_hits(text, policy) if not _overlaps(h, hits)]
    hits += [h for h in ip_hits(text, policy) if not _overlaps(h, hits)]
    hits += phone_hits(text, policy, [(h.start, h.end) for h in hits])
    return sorted(hits, key=lambda h: h.start)


def _overlaps(hit: Hit, others: list[Hit]) -> bool:
    return any(o.start < hit.end and hit.start < o.end for o in others)


def mask_value(kind: str, value: str) -> str:
    """A masked form that keeps the shape but not the person: ``s***@gmail.com``,
    ``010-****-5678``, ``121.134.*.*``, ``900101-*******``, ``**** **** **** 1111``."""
    if kind == "email":
        at = value.find("@") if "@" in value else value.lower().find("%40")
        return value[:1] + "***" + value[at:]
    if kind == "ipv4":
        parts = value.split(".")
        return ".".join(parts[:2] + ["*", "*"])
    if kind == "ipv6":
        return value.split(":")[0] + ":****"
    if kind == "kr_rrn":
        return value[:6] + re.sub(r"\d", "*", value[6:])
    digits_seen = 0
    total = sum(ch.isdigit() for ch in value)
    out = []
    for ch in value:
        if ch.isdigit():
            digits_seen += 1
            keep = digits_seen > total - 4 or (kind == "phone" and digits_seen <= 3 and not value.startswith("+"))
            out.append(ch if keep else "*")
        else:
            out.append(ch)
    return "".join(out)
