"""Browsable HTML for the Jira half: the site index, project lists and issue pages.

Open without authentication (a local demo tool). Every value is escaped by Jinja's autoescape.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app
from jinja2 import DictLoader, Environment, select_autoescape

from sandbox import people
from sandbox.jira import adf, catalog, jql
from sandbox.jira.model import Issue

blueprint = Blueprint("web", __name__)

LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} - Sandbox</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#172b4d}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dfe1e6;padding:.3rem .5rem;
text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f4f5f7;padding:.6rem}
.lozenge{background:#dfe1e6;border-radius:3px;padding:0 .3rem;font-size:12px;text-transform:uppercase}
nav a{margin-right:1rem}</style></head><body><nav><a href="/">Sandbox home</a></nav>
<h1>{{ title }}</h1>{% block body %}{% endblock %}</body></html>"""

INDEX = """{% extends "layout" %}{% block body %}
<h2>Jira projects</h2><ul>{% for p in projects %}
<li><a href="/projects/{{ p.key }}">{{ p.key }}</a> {{ p.name }} ({{ counts[p.key] }} issues)</li>{% endfor %}</ul>
<h2>Confluence spaces</h2><ul>{% for s in spaces %}
<li><a href="/wiki/spaces/{{ s.key }}">{{ s.key }}</a> {{ s.name }}</li>{% endfor %}</ul>
<h2>Recent issues</h2>{% include "issue_table" %}{% endblock %}"""

ISSUE_TABLE = """<table><tr><th>Key</th><th>Summary</th><th>Status</th><th>Priority</th><th>Assignee</th>
<th>Updated</th></tr>{% for i in issues %}<tr><td><a href="/browse/{{ i.key }}">{{ i.key }}</a></td>
<td>{{ i.fields.summary }}</td><td><span class="lozenge">{{ status(i) }}</span></td>
<td>{{ priority(i) }}</td><td>{{ person(i.fields.assignee) }}</td><td>{{ i.fields.updated }}</td></tr>
{% endfor %}</table>"""

PROJECT = """{% extends "layout" %}{% block body %}<p>{{ project.description }}</p>
{% include "issue_table" %}{% endblock %}"""

ISSUE = """{% extends "layout" %}{% block body %}
<table>{% for name, value in rows %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}</table>
<h2>Description</h2><pre>{{ description }}</pre>
<h2>Links</h2><ul>{% for verb, other in links %}<li>{{ verb }}
<a href="/browse/{{ other.key }}">{{ other.key }}</a> {{ other.fields.summary }}</li>{% endfor %}
{% for r in issue.remote_links %}<li>{% if safe_url(r.object.url) %}<a href="{{ r.object.url }}"
rel="noopener">{{ r.object.title }}</a>{% else %}{{ r.object.title }} ({{ r.object.url }}){% endif %}
{% if r.relationship %}({{ r.relationship }}){% endif %}</li>{% endfor %}</ul>
<h2>Comments</h2>{% for c in issue.comments %}<p><b>{{ person(c.author) }}</b> {{ c.created }}</p>
<pre>{{ text(c.body) }}</pre>{% endfor %}
<h2>History</h2><table>{% for h in issue.histories %}{% for item in h["items"] %}<tr><td>{{ h.created }}</td>
<td>{{ person(h.author) }}</td><td>{{ item.field }}</td><td>{{ item.fromString or "" }}</td>
<td>{{ item.toString or "" }}</td></tr>{% endfor %}{% endfor %}</table>{% endblock %}"""

env = Environment(loader=DictLoader({"layout": LAYOUT, "index": INDEX, "issue_table": ISSUE_TABLE,
                                     "project": PROJECT, "issue": ISSUE}),
                  autoescape=select_autoescape(default=True, default_for_string=True))


def _person(account_id: str | None) -> str:
    person = people.by_account_id(account_id) if account_id else None
    return person.display_name if person else (account_id or "Unassigned")


def _status(issue: Issue) -> str:
    return catalog.status(issue.fields["status"]).name


def _priority(issue: Issue) -> str:
    item = catalog.find(catalog.PRIORITIES, issue.fields.get("priority") or "")
    return item["name"] if item else ""


def _safe_url(url: object) -> bool:
    return isinstance(url, str) and url.lower().startswith(("http://", "https://", "/"))


env.globals.update(person=_person, status=_status, priority=_priority, text=adf.as_text, safe_url=_safe_url)


def _site():
    return current_app.extensions["sandbox"]


def _render(name: str, **context) -> str:
    return env.get_template(name).render(**context)


@blueprint.get("/")
def index():
    site = _site()
    with site.lock:
        issues = jql.order_issues(site.jira.all_issues(), [("updated", True)])[:20]
        counts = {p.key: sum(1 for i in site.jira.all_issues() if i.fields["project"] == p.key)
                  for p in catalog.PROJECTS}
        spaces = sorted(site.confluence.spaces.values(), key=lambda s: s.key)
        return _render("index", title="Sandbox site", projects=catalog.PROJECTS, counts=counts,
                       spaces=spaces, issues=issues)


@blueprint.get("/projects/<key>")
@blueprint.get("/jira/<key>", endpoint="project_alias")
def project(key: str):
    found = catalog.project(key)
    if found is None:
        abort(404)
    site = _site()
    with site.lock:
        issues = jql.order_issues([i for i in site.jira.all_issues() if i.fields["project"] == found.key],
                                  [("key", True)])
        return _render("project", title=f"{found.key}: {found.name}", project=found, issues=issues)


@blueprint.get("/browse/<key>")
def browse(key: str):
    site = _site()
    with site.lock:
        issue = site.jira.get(key)
        if issue is None:
            abort(404)
        f = issue.fields
        rows = [("Project", f["project"]), ("Type", catalog.find(catalog.ISSUE_TYPES, f["issuetype"])["name"]),
                ("Status", _status(issue)), ("Priority", _priority(issue)),
                ("Assignee", _person(f.get("assignee"))), ("Reporter", _person(f.get("reporter"))),
                ("Labels", " ".join(f.get("labels") or [])),
                ("Components", ", ".join(dict(issue.project.components).get(c, c) for c in f.get("components") or [])),
                ("Created", f["created"]), ("Updated", f["updated"])]
        if f.get("resolution"):
            rows.append(("Resolution", catalog.find(catalog.RESOLUTIONS, f["resolution"])["name"]))
        for cf in catalog.CUSTOM_FIELDS:
            value = f.get(cf.id)
            if value:
                rows.append((cf.name, cf.option_value(value) if cf.kind == "select" else value))
        links = []
        for lk in site.jira.links_of(issue):
            ltype = catalog.find(catalog.LINK_TYPES, lk.type_id)
            outward = lk.source == issue.id
            other = site.jira.issues[lk.destination if outward else lk.source]
            links.append((ltype["outward" if outward else "inward"], other))
        return _render("issue", title=f"{issue.key}: {f['summary']}", issue=issue, rows=rows,
                       description=adf.as_text(f.get("description")) or "", links=links)
