"""Chasing open postmortems, and the review agenda page: two sweep duties.

``ReviewReminders``: each open draft's owner is reminded by a Jira comment on the incident
(mentioning them as the deployment names people), and others are told once it is overdue
(``review.reminders``); optionally by e-mail too. Each reminder slot is claimed in Redis
before it is sent (``debrief:review:reminder:<page>:<slot>``), so however many sweeps and
workers run, a slot is sent once; a failed send releases its claim for the next sweep.

``ReviewAgenda``: the agenda page in the drafts space, rewritten only when its content changed.
"""

from __future__ import annotations

import logging
from datetime import datetime

from connector.mail import Mailer, MailNotConfigured
from jobqueue.queue import PREFIX
from jobs.context import JobContext
from jobs.review import open_pages
from jobs.steps import Step
from postmortem.incident import Person
from postmortem.page import plain_text
from postmortem.page_state import PageState
from postmortem.review.agenda import AgendaEntry, agenda_title, render_agenda
from postmortem.review.record import GATES_KEY, ReviewRecord
from postmortem.review.reminders import Schedule, age_days, due_reminders, next_reminder
from postmortem.review.share import Mail
from postmortem.review.texts import lang_of, text

log = logging.getLogger("debrief.jobs.reminders")
AGENDA_LABEL = "debrief-agenda"


def reminder_key(page_id: str, slot: str) -> str:
    return f"{PREFIX}:review:reminder:{page_id}:{slot}"


def _schedule(ctx: JobContext) -> Schedule:
    r = ctx.settings.review.reminders
    return Schedule(r.first_after_days, r.every_days, r.escalate_after_days)


def _created(state: PageState) -> datetime | None:
    try:
        return datetime.fromisoformat(state.created) if state.created else None
    except ValueError:
        return None


def _failing(state: PageState) -> list[str]:
    gates = state.extra.get(GATES_KEY)
    return [g for g, r in gates.items() if hasattr(r, "get") and not r.get("ok")] if hasattr(gates, "items") else []


def _person(ident: str, name: str = "", username: str = "") -> Person:
    return Person(account_id=ident, display_name=name or ident, username=username or ident)


def _addresses(ctx: JobContext, people) -> tuple[str, ...]:
    """E-mail addresses of people given by address, or by Jira account id (Cloud) or username
    (Data Center), looked up in Jira; a person whose address Jira does not show is told by the
    Jira comment only."""
    out = []
    for person in people:
        if "@" in person:
            out.append(person)
            continue
        user = ctx.jira.user(account_id=person) if ctx.jira.cloud else ctx.jira.user(username=person)
        address = str((user or {}).get("emailAddress") or "")
        if address:
            out.append(address)
        else:
            log.info("no e-mail address for %s in Jira: the reminder goes by Jira comment only", person)
    return tuple(dict.fromkeys(out))


class ReviewReminders:
    name = "reminders"

    def plan(self, ctx: JobContext, now: datetime) -> list:

        steps = []
        for page, state in open_pages(ctx):
            created = _created(state)
            if created is None or state.status == "approved":
                continue
            page_id = str(page["id"])
            for due in due_reminders(created, now, ctx.settings.timezone, _schedule(ctx)):
                if due.escalation and not ctx.settings.review.reminders.escalate_to:
                    continue
                if ctx.redis.exists(reminder_key(page_id, due.slot)):
                    continue
                what = "escalate" if due.escalation else "remind the owner of"
                steps.append(Step(self.name, f"{what} page {page_id} ({state.incident}, open {due.days} day(s)): "
                                  f"{due.slot}", (page, state, due)))
        return steps

    def apply(self, ctx: JobContext, now: datetime, step) -> str:
        page, state, due = step.data
        page_id = str(page["id"])
        key = reminder_key(page_id, due.slot)
        if not ctx.redis.set(key, now.isoformat(), nx=True):
            return "already sent"
        try:
            return self.send(ctx, page, state, due)
        except Exception:
            ctx.redis.delete(key)
            raise

    def send(self, ctx: JobContext, page: dict, state: PageState, due) -> str:
        record = ReviewRecord.of(state.extra)
        lang = lang_of(record.language or state.language or ctx.settings.language)
        ids = ctx.confluence.identities
        owner_info = record.owner
        owner = _person(owner_info.get("account_id", ""), owner_info.get("name", ""), owner_info.get("username", ""))
        owner_ref = ids.jira_mention(owner) if owner.account_id or owner.username else text(lang, "agenda.no_owner")
        failing = ", ".join(text(lang, f"gate.{g}") for g in _failing(state)) or "-"
        title, url = str(page.get("title") or ""), ctx.confluence.web_url(page)
        marker = f"(debrief reminder {page['id']} {due.slot})"
        reminders = ctx.settings.review.reminders
        if due.escalation:
            people = " ".join(ids.jira_mention(_person(p)) for p in reminders.escalate_to if "@" not in p)
            body = text(lang, "jira.escalate", people=people, title=title, url=url, key=state.incident,
                        days=due.days, owner=owner_ref, failing=failing)
        else:
            body = text(lang, "jira.remind", owner=owner_ref, title=title, url=url, days=due.days, failing=failing)
        ctx.jira.add_comment(state.incident, f"{body}\n{marker}", marker=marker)
        done = f"commented on {state.incident}"
        if reminders.email and ctx.env.smtp_url:
            if due.escalation:
                wanted = reminders.escalate_to
            else:
                owner_address = owner_info.get("email") or owner_info.get("account_id" if ctx.jira.cloud else "username")
                wanted = (owner_address,) if owner_address else ()
            to = _addresses(ctx, wanted)
            if to:
                try:
                    Mailer(ctx.env.smtp_url, ctx.env.mail_from).send(Mail(
                        to, text(lang, "mail.remind_subject", days=due.days, title=title), f"{body}\n\n{url}\n"))
                    done += f", e-mailed {', '.join(to)}"
                except MailNotConfigured as exc:
                    log.error("reminder e-mail not sent: %s", exc)
        return done


class ReviewAgenda:
    name = "agenda"

    def entries(self, ctx: JobContext, now: datetime) -> list[AgendaEntry]:
        out = []
        for page, state in open_pages(ctx):
            if state.status == "approved":
                continue
            created = _created(state)
            record = ReviewRecord.of(state.extra)
            nxt = next_reminder(created, now, ctx.settings.timezone, _schedule(ctx)).isoformat() if created else ""
            age = age_days(created, now, ctx.settings.timezone) if created else 0
            out.append(AgendaEntry(str(page.get("title") or ""), ctx.settings.confluence.drafts.space,
                                   state.created, state.status, age, record.owner.get("name", ""),
                                   tuple(_failing(state)), nxt))
        return out

    def plan(self, ctx: JobContext, now: datetime) -> list:

        lang = ctx.settings.language
        title = agenda_title(ctx.settings.review.agenda_title, lang)
        body = render_agenda(self.entries(ctx, now), lang)
        space = ctx.settings.confluence.drafts.space
        from jobs import sweep_snapshot  # noqa: PLC0415

        snap = sweep_snapshot.current()
        known = snap.agenda if snap is not None and snap.agenda is not None else None
        if known is not None and (known.get("title") != title or "body" not in known):
            known = None
        # search may not list an agenda page made a moment ago: then a direct lookup by title
        current = known if known is not None else ctx.confluence.page_by_title(space, title)
        if current is not None:
            full = current if known is not None else ctx.confluence.page_with_body(str(current["id"]))
            old = ((full.get("body") or {}).get("storage") or {}).get("value") or ""
            if old == body or plain_text(old) == plain_text(body):
                return []
            return [Step(self.name, f"update the agenda page {title!r}", (full, title, body))]
        return [Step(self.name, f"create the agenda page {title!r} in {space}", (None, title, body))]

    def apply(self, ctx: JobContext, now: datetime, step) -> str:
        page, title, body = step.data
        conf = ctx.confluence
        if page is None:
            drafts = ctx.settings.confluence.drafts
            parent = conf.page_id_by_title(drafts.space, drafts.parent) if drafts.parent else None
            parent = parent or conf.space_home_id(drafts.space)
            made = conf.create_page(space=drafts.space, title=title, body=body, parent_id=parent, labels=[AGENDA_LABEL],
                                    mine=lambda p: AGENDA_LABEL in conf.page_labels_of(p))
            return f"created page {made.get('id')}"
        conf.update_body(str(page["id"]), title=title, body=body, version=int(page["version"]["number"]),
                         message="Debrief: review agenda")
        return "updated"
