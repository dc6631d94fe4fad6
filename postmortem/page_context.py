"""What a postmortem page template sees: plain values only, already in the page's language.

``build_page_context`` turns an Incident and the trigger Decision into a dict of str, int,
bool, list and dict (no None, no datetimes, no domain objects), so a template cannot reach
into Python objects and a team template only ever deals with text. All incident text is
cleaned of characters XML cannot carry; it stays plain text, for the template to escape.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from postmortem.identity import Identities
from postmortem.incident import Incident, Person
from postmortem.messages import MESSAGES, fields_of, message
from postmortem.page.markers import REVIEW_REGION, gate_anchor, region_anchor
from postmortem.priorities import ITEM_TYPES
from postmortem.timeline import DEFAULT_EXTRA_FIELDS, build_timeline
from postmortem.triggers import Decision

# The action-item table's columns, in order; the header cells are ``column.<key>`` in the
# page's language, and the page model (postmortem.page) reads the table by them.
ACTION_ITEM_COLUMN_KEYS = ("action", "type", "owner", "due", "priority", "ticket", "status")


def action_item_columns(language: str) -> tuple[str, ...]:
    """The action-item table's header texts in ``language``."""
    return tuple(message(language, f"column.{key}") for key in ACTION_ITEM_COLUMN_KEYS)


ACTION_ITEM_COLUMNS = action_item_columns("en")
ACTION_ITEM_TYPES = ITEM_TYPES
# The review checklist, one task per review gate (``app.yaml: review.gates``), in this order.
REVIEW_GATES = ("data_collected", "impact_assessed", "root_cause", "action_plan", "results_shared",
                "blameless", "no_personal_data", "approved")
STATUS_COLOURS = {"DRAFT": "Grey", "IN REVIEW": "Blue", "APPROVED": "Green", "ARCHIVED": "Green"}
TITLE_MAX_CHARS = 255
LABEL_MAX_CHARS = 255

# Characters XML 1.0 cannot carry (C0 controls but tab and newline, surrogates, U+FFFE/U+FFFF)
# and the DEL and C1 controls, which no one means to write on a page.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LABEL_JUNK = re.compile(r"[^\w-]+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def clean_text(value: str | None) -> str:
    """Text with unwanted control characters removed and line ends made ``\\n``."""
    if not value:
        return ""
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_line(value: str | None) -> str:
    """Cleaned text on one line: whitespace runs become one space, ends are trimmed."""
    return " ".join(clean_text(value).split())


def paragraphs(text: str) -> list[list[str]]:
    """Cleaned multi-line text as paragraphs (split at blank lines) of non-blank lines."""
    out = []
    for block in _BLANK_LINE.split(clean_text(text).strip("\n")):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if lines:
            out.append(lines)
    return out


def _zone(timezone: str | tzinfo) -> tzinfo:
    return ZoneInfo(timezone) if isinstance(timezone, str) else timezone


def format_time(when: datetime | None, timezone: str | tzinfo) -> str:
    """``2026-11-25 14:03 KST`` in the given timezone; empty for an unknown time."""
    if when is None:
        return ""
    return when.astimezone(_zone(timezone)).strftime("%Y-%m-%d %H:%M %Z").strip()


def format_duration(delta: timedelta | None, language: str) -> str:
    """``1 h 47 min`` / ``1시간 47분`` (whole minutes, rounded down); empty when unknown."""
    if delta is None:
        return ""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [message(language, f"duration.{unit}", n=n)
             for unit, n in (("days", days), ("hours", hours), ("minutes", mins)) if n]
    return message(language, "duration.separator").join(parts) or message(language, "duration.minutes", n=0)


def label_slug(text: str) -> str:
    """A Confluence label: lower case, letters, digits, ``_`` and ``-`` only, no spaces."""
    slug = _LABEL_JUNK.sub("-", clean_line(text).lower())
    return re.sub(r"-{2,}", "-", slug).strip("-_")[:LABEL_MAX_CHARS].strip("-_")


def _severity_label(severity: str | None) -> str:
    slug = label_slug(severity or "")
    if not slug:
        return ""
    found = re.fullmatch(r"sev-?(.+)", slug)
    return f"sev-{found.group(1)}" if found else f"sev-{slug}"


def postmortem_title(incident: Incident, language: str) -> str:
    """``Postmortem: INC-7 Checkout outage`` / ``포스트모템: INC-7 ...``, one line, at most
    255 characters (Confluence's limit)."""
    title = clean_line(message(language, "title", key=incident.key, summary=incident.summary))
    return title if len(title) <= TITLE_MAX_CHARS else title[: TITLE_MAX_CHARS - 1].rstrip() + "…"


# Every postmortem page carries this label and its incident's label, whatever app.yaml adds:
# together they are how a page is found again.
POSTMORTEM_LABEL = "postmortem"


def incident_label(key: str) -> str:
    """The label naming the incident a page is about (``INC-7`` -> ``inc-7``)."""
    return label_slug(key)


def postmortem_labels(incident: Incident, base_labels: Iterable[str], status: str = "draft") -> list[str]:
    """The page's labels: ``postmortem``, the configured ones, ``postmortem-<status>``, the
    severity (``sev-2``), each service and the incident key (``inc-7``); Confluence-safe, each once."""
    services = [s for s in (incident.service or "").split(",") if s.strip()]
    candidates = [POSTMORTEM_LABEL, *base_labels, f"postmortem-{status}", _severity_label(incident.severity),
                  *services, incident.key]
    slugs = (label_slug(c) if c else "" for c in candidates)
    return list(dict.fromkeys(s for s in slugs if s))


@cache
def installed_version() -> str:
    try:
        return importlib.metadata.version("debrief")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0+local"


CLOUD_IDENTITIES = Identities()


def _person(person: Person | None, identities: Identities = CLOUD_IDENTITIES) -> dict[str, str]:
    """``mention_id``: what the page's user link names them by in this deployment (templates:
    ``sm.user(p.mention_id, deployment)``), empty when Confluence does not know them."""
    if person is None:
        return {"account_id": "", "name": "", "mention_id": ""}
    account_id = clean_line(person.account_id)
    mention = identities.mention(person)
    return {"account_id": account_id, "name": clean_line(person.display_name) or account_id,
            "mention_id": clean_line(mention.value) if mention else ""}


def _texts(language: str, values: dict[str, str]) -> dict[str, dict[str, str]]:
    """The catalogue grouped by key prefix (``text.heading.summary``), with the fields the
    page knows filled in; messages needing other fields are left to the code that uses them."""
    tree: dict[str, dict[str, str]] = {}
    for key, raw in MESSAGES[language].items():
        group, dot, name = key.partition(".")
        needed = fields_of(raw)
        if dot and needed <= values.keys():
            tree.setdefault(group, {})[name] = raw.format(**{k: values[k] for k in needed})
    return tree


def _rule_name(language: str, rule: str) -> str:
    return MESSAGES[language].get(f"rule.{rule}", rule)


def build_page_context(incident: Incident, decision: Decision, *, language: str,
                       timezone: str | tzinfo, template: str, labels: Iterable[str], now: datetime,
                       jira_base_url: str = "", status: str = "DRAFT",
                       debrief_version: str | None = None,
                       gates: Sequence[str] = REVIEW_GATES,
                       timeline_fields: Iterable[str] = DEFAULT_EXTRA_FIELDS,
                       identities: Identities = CLOUD_IDENTITIES) -> dict:
    """Everything a page template may use. ``labels`` are the configured base labels (or
    the full list: the result is the same); ``now`` bounds the impact of an ongoing incident;
    ``identities`` says how the deployment names people (``deployment`` in the context)."""
    if language not in MESSAGES:
        raise ValueError(f"unknown language {language!r}")
    zone = _zone(timezone)
    version = debrief_version or installed_version()
    generated_at = format_time(now, zone)
    url = incident.url or (f"{jira_base_url.rstrip('/')}/browse/{incident.key}" if jira_base_url else "")
    status = status.upper()
    ongoing = incident.end_of_impact is None
    impact = format_duration(incident.impact_duration(now), language)
    time_to_mitigate = (incident.mitigated - incident.start
                        if incident.mitigated and incident.start else None)
    types = ", ".join(ACTION_ITEM_TYPES)

    return {
        "language": language,
        "deployment": identities.deployment,
        "template": template,
        "title": postmortem_title(incident, language),
        "status": status,
        "status_colour": STATUS_COLOURS.get(status, "Grey"),
        "generated_at": generated_at,
        "debrief_version": version,
        "timezone": getattr(zone, "key", None) or now.astimezone(zone).tzname() or "",
        "incident": {
            "key": clean_line(incident.key),
            "summary": clean_line(incident.summary),
            "url": clean_line(url),
            "project": clean_line(incident.project),
            "issue_type": clean_line(incident.issue_type),
            "severity": clean_line(incident.severity),
            "priority": clean_line(incident.priority),
            "service": clean_line(incident.service),
            "status": clean_line(incident.status),
            "impact": clean_line(incident.impact),
            "detection_method": clean_line(incident.detection_method),
            "labels": sorted(clean_line(label) for label in incident.labels),
            "description": clean_text(incident.description).strip(),
            "description_paragraphs": paragraphs(incident.description),
        },
        "times": {
            "started": format_time(incident.start, zone),
            "detected": format_time(incident.detected, zone),
            "mitigated": format_time(incident.mitigated, zone),
            "resolved": format_time(incident.resolved, zone),
            "time_to_detect": format_duration(incident.time_to_detect(), language),
            "time_to_mitigate": format_duration(
                max(time_to_mitigate, timedelta(0)) if time_to_mitigate is not None else None, language),
            "time_to_resolve": format_duration(incident.time_to_resolve(), language),
            "impact_duration": impact,
            "ongoing": ongoing,
        },
        "trigger": {
            "needed": decision.needed,
            "fired": [clean_line(r.reason) for r in decision.fired],
            "fired_rules": [{"rule": r.rule, "name": _rule_name(language, r.rule),
                             "reason": clean_line(r.reason)} for r in decision.fired],
            "rules": [{"rule": r.rule, "name": _rule_name(language, r.rule), "fired": r.fired,
                       "reason": clean_line(r.reason)} for r in decision.results],
        },
        "people": {
            "assignee": _person(incident.assignee, identities),
            "reporter": _person(incident.reporter, identities),
            "participants": [_person(p, identities) for p in incident.participants],
        },
        "timeline": [
            {"when": format_time(entry.when, zone),
             "who": _person(entry.who)["name"],
             "who_account_id": _person(entry.who)["account_id"],
             "what": clean_line(message(language, f"timeline.{entry.kind}", what=entry.what)),
             "kind": entry.kind}
            for entry in build_timeline(incident, extra_fields=tuple(timeline_fields))
        ],
        "labels": postmortem_labels(incident, labels, status.lower().replace(" ", "-")),
        "action_items": {
            "columns": list(action_item_columns(language)),
            "keys": list(ACTION_ITEM_COLUMN_KEYS),
            "types": list(ACTION_ITEM_TYPES),
        },
        "review_checklist": [{"gate": gate, "text": MESSAGES[language].get(f"check.{gate}", gate),
                              "anchor": gate_anchor(gate)} for gate in gates],
        "review": {"anchor": region_anchor(REVIEW_REGION)},
        "text": _texts(language, {"types": types, "version": version, "when": generated_at}),
    }
