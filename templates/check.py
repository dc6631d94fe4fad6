"""``debrief check-config``'s template check: render every configured template, in both
languages, with built-in sample incidents (an ordinary one and hostile ones), and report
what would break a page before a real incident does.

Each problem is one line naming the template file and, when known, the line in it, e.g.
``templates/payments.xml.j2: line 12: unexpected '}'``.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

from config.settings import Settings
from postmortem.incident import Change, Comment, HistoryEntry, Incident, Person
from postmortem.messages import LANGUAGES
from postmortem.page_context import (
    action_item_columns,
    build_page_context,
    installed_version,
    postmortem_labels,
)
from postmortem.storage_format import AC, XHTML, StorageFormatError, parse_storage
from postmortem.triggers import decide
from templates.render import SHIPPED_DIR, SUFFIX, PageRenderer, UnknownTemplate

CANARY_CLASS = "debrief-canary"


@dataclass(frozen=True)
class Sample:
    name: str
    incident: Incident
    now: datetime


def sample_incidents() -> list[Sample]:
    """The incidents every template is rendered with: an ordinary one (English and Korean
    text, history, comments), one full of text that breaks careless templates, and one whose
    text is well-formed markup, to catch incident text rendered as markup (``|safe``)."""
    return [_ordinary(), _markup(), _hostile()]


def _ordinary() -> Sample:
    t0 = datetime(2026, 11, 25, 5, 3, tzinfo=UTC)
    mina = Person("5b10ac8d82e05b22cc7d4ef5", "Mina Park", "mina@example.com")
    jae = Person("712020:0f4e1c2a-9d4b-4c7e-8f3a-1b2c3d4e5f60", "김재현")
    bot = Person("557058:alertmanager", "Alertmanager")
    incident = Incident(
        key="INC-7", summary="Checkout outage: 결제 API 5xx 급증", project="INC", issue_type="Incident",
        status="Resolved", url="https://example.atlassian.net/browse/INC-7",
        description=("Checkout requests failed with HTTP 503 after the 14:00 deploy of payments-api.\n"
                     "결제 요청의 약 40%가 실패했습니다.\n\n"
                     "Rolled back to v2.14.3 at 15:40; error rate back to baseline at 15:45."),
        severity="SEV-2", priority="High", service="payments, checkout", impact="downtime",
        detection_method="Customer report", labels=frozenset({"rollback", "payments"}),
        created=t0, started=t0 - timedelta(minutes=12), detected=t0 + timedelta(minutes=4),
        mitigated=t0 + timedelta(minutes=97), resolved=t0 + timedelta(hours=5),
        reporter=mina, assignee=jae,
        comments=(
            Comment(bot, "[FIRING] CheckoutErrorRate > 5% for 5m", t0 + timedelta(minutes=6), "10001"),
            Comment(jae, "payments-api v2.15.0 롤백 시작합니다.\n상세 내용은 채널 참고", t0 + timedelta(minutes=90),
                    "10002"),
            Comment(mina, "/postmortem please, customers noticed before we did.", t0 + timedelta(hours=6),
                    "10003"),
        ),
        history=(
            HistoryEntry(jae, t0 + timedelta(minutes=8), (Change("assignee", None, "김재현"),
                                                          Change("status", "Open", "Investigating"))),
            HistoryEntry(jae, t0 + timedelta(minutes=20), (Change("Severity", "SEV-3", "SEV-2"),
                                                           Change("priority", "Medium", "High"))),
            HistoryEntry(jae, t0 + timedelta(minutes=91), (Change("labels", "payments", "payments rollback"),)),
            HistoryEntry(mina, t0 + timedelta(hours=5), (Change("status", "Investigating", "Resolved"),
                                                         Change("resolution", None, "Fixed"))),
        ),
    )
    return Sample("ordinary", incident, t0 + timedelta(days=1))


HOSTILE_TEXT = ("<script>alert('x')</script> ]]> <![CDATA[ {{ 7*7 }} {% raw %} {# c #} &nbsp; &amp; "
                "\"quoted\" 'single' 🔥 장애 \x00\x07\x1b\x7f\u0085\ufffe \r\n<ac:link><ri:user "
                "ri:account-id=\"x\"/></ac:link>")


def _hostile() -> Sample:
    base = _ordinary().incident
    evil = Person('"><script>alert(1)</script>', f"Eve {HOSTILE_TEXT}", "eve@example.com")
    incident = Incident(
        key=base.key, summary=HOSTILE_TEXT, project=base.project, issue_type=base.issue_type,
        status=HOSTILE_TEXT, description=f"{HOSTILE_TEXT}\n\n{HOSTILE_TEXT}\n]]>\n{{{{ 7*7 }}}}",
        severity="SEV-1 <b>", priority=HOSTILE_TEXT, service=f"{HOSTILE_TEXT}, pay:ments",
        impact="downtime", detection_method=HOSTILE_TEXT, labels=frozenset({"a b", "x:y", "]]>"}),
        created=base.created, started=base.started, detected=base.detected,
        mitigated=None, resolved=None, reporter=evil, assignee=evil,
        comments=(Comment(evil, HOSTILE_TEXT, base.created, "1"),
                  Comment(None, "\x00\x01", base.created, "2")),
        history=(HistoryEntry(evil, base.created, (Change("status", HOSTILE_TEXT, "]]>"),
                                                   Change("labels", "", HOSTILE_TEXT))),),
    )
    return Sample("hostile", incident, base.created + timedelta(hours=2))


def _markup() -> Sample:
    base = _ordinary().incident
    markup = f'<em class="{CANARY_CLASS}">markup</em>'
    person = Person("acc-canary", markup)
    incident = Incident(
        key=base.key, summary=markup, project=base.project, issue_type=base.issue_type,
        status=markup, description=markup, severity=markup, priority=markup, service=markup,
        impact="downtime", detection_method=markup, created=base.created, started=base.started,
        reporter=person, assignee=person, comments=(Comment(person, markup, base.created),),
        history=(HistoryEntry(person, base.created, (Change("status", markup, markup),)),),
    )
    return Sample("markup", incident, base.created + timedelta(hours=1))


def _shown(path: str | Path | None, settings: Settings) -> str:
    if not path:
        return "(template)"
    path = Path(path)
    for root in (settings.base_dir, SHIPPED_DIR.parent):
        try:
            return str(path.resolve().relative_to(Path(root).resolve()))
        except ValueError:
            continue
    return str(path)


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in the exception's traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    return (frames[-1].filename, frames[-1].lineno or 0) if frames else None


def _action_items_ok(root, language: str) -> bool:
    wanted = list(action_item_columns(language))
    for row in root.iter(f"{{{XHTML}}}tr"):
        cells = [c for c in row if c.tag == f"{{{XHTML}}}th"]
        if ["".join(c.itertext()).strip() for c in cells] == wanted:
            return True
    return False


def _markup_leaked(root) -> bool:
    return any(CANARY_CLASS in (el.get("class") or "") for el in root.iter())


def check_one(renderer: PageRenderer, settings: Settings, name: str, language: str,
              sample: Sample) -> str | None:
    """Render ``name`` with one sample in one language; a problem line, or None."""
    incident = sample.incident
    context = build_page_context(
        incident, decide(incident, settings.triggers, sample.now), language=language,
        timezone=settings.timezone, template=name, now=sample.now, debrief_version=installed_version(),
        labels=postmortem_labels(incident, settings.confluence.labels))
    try:
        filename = _shown(renderer.template_file(name), settings)
        page = renderer.render(name, context)
    except UnknownTemplate as exc:
        folders = ", ".join(_shown(f, settings) for f in exc.folders)
        return f"{settings.source}: templates: template {name!r} not found (looked for {name}{SUFFIX} in {folders})"
    except TemplateSyntaxError as exc:
        return f"{_shown(exc.filename, settings)}: line {exc.lineno}: {exc.message}"
    except StorageFormatError as exc:
        near = f"; near: {exc.excerpt.strip()}" if exc.excerpt.strip() else ""
        return (f"{filename}: renders invalid storage format: page line {exc.line}, column {exc.column}: "
                f"{exc.reason}{near}")
    except (TemplateError, TemplateNotFound, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        where = _template_frame(exc)
        if isinstance(exc, TemplateNotFound):
            reason = f"template {exc.name!r} not found"
        else:
            reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, TemplateError) else str(exc)
        if where:
            return f"{_shown(where[0], settings)}: line {where[1]}: {reason}"
        return f"{_shown(renderer.folders[0] / f'{name}{SUFFIX}', settings)}: {reason}"
    root = parse_storage(page)
    if _markup_leaked(root):
        return f"{filename}: incident text is rendered as markup (remove |safe from incident values)"
    if not _action_items_ok(root, language):
        return (f"{filename}: no action-item table with the header "
                f"{' | '.join(action_item_columns(language))} (Debrief reads the action items from it)")
    if not any(el.get(f"{{{AC}}}name") == "details" for el in root.iter(f"{{{AC}}}structured-macro")):
        return f"{filename}: no Page Properties (details) macro"
    return None


def check_templates(settings: Settings) -> list[str]:
    """Problems with the configured templates; an empty list means every template renders
    valid storage format in every language with every sample incident."""
    problems: list[str] = []
    team = settings.team_template_dir
    if team is not None and not team.is_dir():
        problems.append(f"{settings.source}: templates.team_folder: {team}: no such folder")
        team = None
    renderer = PageRenderer(team)
    languages = [settings.language, *(lang for lang in LANGUAGES if lang != settings.language)]
    samples = sample_incidents()
    for name in settings.templates.names():
        problem = next(((p, language, sample) for language in languages for sample in samples
                        if (p := check_one(renderer, settings, name, language, sample))), None)
        if problem:  # the first problem of each template: later ones are often its echoes
            line, language, sample = problem
            where = "" if "not found" in line else f" (language {language}, {sample.name} sample)"
            problems.append(line + where)
    return problems
