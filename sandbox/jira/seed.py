"""Past incidents the demo site starts with (fixed dates, so runs are repeatable)."""

from __future__ import annotations

from sandbox.jira import catalog
from sandbox.jira.model import JiraState

DEMO = "5b10a2844c20165700ede21g"
MINA = "5b10ac8d82e05b22cc7d4ef5"
JUN = "5b10ac8d82e05b22cc7d4ef6"
ALEX = "5b10ac8d82e05b22cc7d4ef7"


def _opt(field_id: str, value: str) -> str:
    return catalog.FIELDS_BY_ID[field_id].option_by_value(value)


def seed(state: JiraState) -> None:
    """INC-1 resolved with a full history, INC-2 in progress, INC-3 new, ACT-1 follow-up."""
    inc1 = state.create({
        "project": "INC", "issuetype": "10004", "priority": "2", "reporter": MINA,
        "summary": "Checkout API returning 502s for EU customers",
        "description": "From 09:12 UTC the checkout API behind the EU load balancer returned 502 for "
                       "about 40% of requests.\n\nPayments were not taken for affected carts.",
        "labels": ["checkout", "eu"], "components": ["10000", "10001"],
        "customfield_10100": _opt("customfield_10100", "SEV-2"),
        "customfield_10101": "2026-10-14T09:12:00.000+0000",
        "customfield_10102": "2026-10-14T09:19:00.000+0000",
        "customfield_10104": _opt("customfield_10104", "Monitoring alert"),
        "customfield_10105": _opt("customfield_10105", "Degradation"),
    }, MINA, at="2026-10-14T09:21:04.118+0000")
    state.change(inc1, {"assignee": JUN}, MINA, at="2026-10-14T09:22:40.501+0000")
    state.change(inc1, {"status": "3"}, JUN, at="2026-10-14T09:23:02.007+0000")
    state.add_comment(inc1, "Rolled back the ingress config change from 09:05; error rate is falling.",
                      JUN, at="2026-10-14T09:47:15.330+0000")
    state.change(inc1, {"customfield_10100": _opt("customfield_10100", "SEV-1"), "priority": "1"}, MINA,
                 at="2026-10-14T09:50:11.902+0000")
    state.change(inc1, {"customfield_10103": "2026-10-14T10:02:00.000+0000"}, JUN,
                 at="2026-10-14T10:04:30.250+0000")
    state.add_comment(inc1, "Mitigated. 502 rate back to baseline since 10:02 UTC.", MINA,
                      at="2026-10-14T10:05:09.441+0000")
    state.change(inc1, {"status": "10001", "resolution": "10000",
                        "resolutiondate": "2026-10-14T11:30:00.000+0000"}, MINA,
                 at="2026-10-14T11:30:00.000+0000")

    inc2 = state.create({
        "project": "INC", "issuetype": "10004", "priority": "3", "reporter": ALEX, "assignee": ALEX,
        "summary": "Search results stale after nightly index rebuild",
        "description": "Search returned products removed yesterday; the nightly rebuild did not swap aliases.",
        "labels": ["search"], "components": ["10002"],
        "customfield_10100": _opt("customfield_10100", "SEV-3"),
        "customfield_10101": "2026-11-20T02:10:00.000+0000",
        "customfield_10102": "2026-11-20T07:45:00.000+0000",
        "customfield_10104": _opt("customfield_10104", "Customer report"),
        "customfield_10105": _opt("customfield_10105", "Degradation"),
    }, ALEX, at="2026-11-20T07:52:31.774+0000")
    state.change(inc2, {"status": "3"}, ALEX, at="2026-11-20T08:01:12.090+0000")

    state.create({
        "project": "INC", "issuetype": "10004", "priority": "4", "reporter": DEMO,
        "summary": "Login latency p99 above 2s for 15 minutes",
        "description": "Short latency spike on the login service; no errors reported.",
        "labels": ["login"], "components": ["10003"],
        "customfield_10100": _opt("customfield_10100", "SEV-4"),
        "customfield_10101": "2026-11-24T14:30:00.000+0000",
        "customfield_10104": _opt("customfield_10104", "Monitoring alert"),
        "customfield_10105": _opt("customfield_10105", "None"),
    }, DEMO, at="2026-11-24T14:48:09.315+0000")

    act1 = state.create({
        "project": "ACT", "issuetype": "10001", "priority": "2", "reporter": MINA, "assignee": JUN,
        "summary": "Add a canary stage for ingress config changes",
        "labels": ["postmortem-action"],
    }, MINA, at="2026-10-16T10:00:00.000+0000")
    state.add_link("10003", act1, inc1, MINA, at="2026-10-16T10:00:01.000+0000")


def seeded_state() -> JiraState:
    """A fresh JiraState holding the seed; the seed counts as indexed already (no search lag)."""
    state = JiraState()
    seed(state)
    state.search_history.clear()
    return state
