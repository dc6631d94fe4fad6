"""Browsable Confluence pages: the space list, a space's page tree, and a page.

URL shapes follow Cloud (``/wiki/spaces/PM``, ``/wiki/spaces/PM/pages/98001/Title``) so links
Debrief writes resolve here. Templates autoescape; storage bodies are rendered by ``storage``
into sanitised HTML before they are marked safe.
"""

from __future__ import annotations

import json

from flask import Response, redirect, render_template_string, request
from markupsafe import Markup

from .model import Content
from .shapes import tiny_to_id, webui_path
from .web_helpers import blueprint, confluence, locked, shapes

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ heading }} - Confluence (sandbox)</title>
<style>
body{font:14px/1.5 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#172b4d}
header{background:#0747a6;color:#fff;padding:8px 24px}header a{color:#fff;text-decoration:none}
main{max-width:980px;margin:0 auto;padding:16px 24px}a{color:#0052cc}
table{border-collapse:collapse}th,td{border:1px solid #c1c7d0;padding:4px 8px;text-align:left}
th{background:#f4f5f7}.meta{color:#5e6c84;font-size:12px}.crumbs{font-size:12px}
.macro{border:1px solid #c1c7d0;border-radius:3px;padding:6px 10px;margin:8px 0}
.macro-label{font-size:11px;font-weight:600;text-transform:uppercase;color:#5e6c84}
.macro-info{background:#deebff}.macro-note{background:#eae6ff}.macro-warning{background:#ffebe6}
.macro-tip{background:#e3fcef}.status-lozenge{display:inline-block;border-radius:3px;
padding:0 4px;font-size:11px;font-weight:700;text-transform:uppercase;border:0;margin:0}
.lozenge-green{background:#e3fcef;color:#006644}.lozenge-red{background:#ffebe6;color:#bf2600}
.lozenge-yellow{background:#fffae6;color:#974f0c}.lozenge-blue{background:#deebff;color:#0747a6}
.lozenge-grey{background:#dfe1e6;color:#42526e}.lozenge-purple{background:#eae6ff;color:#403294}
.jira-issue{border:0;padding:0}.label{background:#dfe1e6;border-radius:3px;padding:0 6px;
margin-right:4px}section{margin-top:24px}ul.tree{list-style:none;padding-left:18px}
</style></head><body>
<header><a href="{{ base }}/">Confluence</a> &middot; sandbox</header>
<main>{{ content }}</main></body></html>"""

SPACES = """<h1>Spaces</h1>
<table><tr><th>Key</th><th>Name</th><th>Home page</th></tr>
{% for space in spaces %}<tr><td><a href="{{ base }}/spaces/{{ space.key|urlencode }}">{{ space.key }}</a></td>
<td>{{ space.name }}</td><td>{% if space.home %}<a href="{{ base }}{{ space.home_url }}">{{ space.home }}</a>{% endif %}</td></tr>
{% endfor %}</table>"""

SPACE = """<p class="crumbs"><a href="{{ base }}/">Spaces</a></p>
<h1>{{ space.name }} <span class="meta">({{ space.key }})</span></h1>
{% if space.description %}<p>{{ space.description }}</p>{% endif %}
<h2>Pages</h2>
{% macro tree(nodes) %}<ul class="tree">{% for node in nodes %}
<li><a href="{{ base }}{{ node.url }}">{{ node.title }}</a>
{% if node.labels %}<span class="meta">{% for l in node.labels %}<span class="label">{{ l }}</span>{% endfor %}</span>{% endif %}
{% if node.children %}{{ tree(node.children) }}{% endif %}</li>{% endfor %}</ul>{% endmacro %}
{% if roots %}{{ tree(roots) }}{% else %}<p>No pages.</p>{% endif %}"""

PAGE = """<p class="crumbs"><a href="{{ base }}/">Spaces</a> /
<a href="{{ base }}/spaces/{{ space.key|urlencode }}">{{ space.name }}</a>
{% for a in ancestors %} / <a href="{{ base }}{{ a.url }}">{{ a.title }}</a>{% endfor %}</p>
<h1>{{ page.title }}</h1>
<p class="meta">Version {{ version.number }} by {{ version.by }} at {{ version.when }}
{% if version.message %}: &ldquo;{{ version.message }}&rdquo;{% endif %} &middot; created by {{ created_by }}
at {{ page.created }} &middot; id {{ page.id }} &middot; status {{ page.status }}</p>
{{ body }}
<section><h3>Labels</h3>{% for l in page.labels %}<span class="label">{{ l }}</span>{% else %}<span class="meta">None</span>{% endfor %}</section>
<section><h3>Child pages</h3><ul>{% for c in children %}<li><a href="{{ base }}{{ c.url }}">{{ c.title }}</a></li>{% else %}<li class="meta">None</li>{% endfor %}</ul></section>
<section><h3>Page properties</h3>{% if properties %}<table><tr><th>Key</th><th>Value</th><th>Version</th></tr>
{% for p in properties %}<tr><td>{{ p.key }}</td><td><code>{{ p.value }}</code></td><td>{{ p.version }}</td></tr>{% endfor %}</table>
{% else %}<span class="meta">None</span>{% endif %}</section>
<section><h3>Watchers</h3><ul>{% for w in watchers %}<li>{{ w }}</li>{% else %}<li class="meta">None</li>{% endfor %}</ul></section>
<section><h3>Comments</h3>{% for c in comments %}<div class="macro"><div class="macro-label">{{ c.by }} &middot; {{ c.when }}</div>{{ c.body }}</div>
{% else %}<span class="meta">None</span>{% endfor %}</section>
<section><h3>History</h3><table><tr><th>Version</th><th>By</th><th>When</th><th>Message</th></tr>
{% for v in history %}<tr><td>{{ v.number }}</td><td>{{ v.by }}</td><td>{{ v.when }}</td><td>{{ v.message }}</td></tr>{% endfor %}</table></section>"""


def _page_html(heading: str, template: str, **values: object) -> Response:
    base = shapes().base
    inner = render_template_string(template, base=base, **values)
    html = render_template_string(LAYOUT, heading=heading, base=base, content=Markup(inner))
    return Response(html, mimetype="text/html")


def _not_found(what: str) -> Response:
    response = _page_html("Not found", "<h1>Not found</h1><p>{{ what }}</p>", what=what)
    response.status_code = 404
    return response


def _name(account_id: str | None) -> str:
    return str(shapes().user(account_id).get("displayName", "Unknown user"))


@blueprint.get("/")
@blueprint.get("/spaces")
@locked
def spaces_page() -> Response:
    state = confluence()
    rows = []
    for space in sorted(state.spaces.values(), key=lambda s: s.key):
        home = state.contents.get(space.homepage_id or "")
        rows.append({"key": space.key, "name": space.name,
                     "home": home.title if home else None,
                     "home_url": webui_path(home) if home else None})
    return _page_html("Spaces", SPACES, spaces=rows)


@blueprint.get("/spaces/<space_key>")
@blueprint.get("/spaces/<space_key>/overview")
@blueprint.get("/spaces/<space_key>/pages")
@locked
def space_page(space_key: str) -> Response:
    state = confluence()
    space = state.spaces.get(space_key)
    if space is None:
        return _not_found(f"There is no space with key {space_key}.")

    def node(page: Content) -> dict:
        return {"title": page.title, "url": webui_path(page), "labels": page.labels,
                "children": [node(c) for c in state.children(page.id)]}

    roots = [node(p) for p in state.top_level(space.key)]
    return _page_html(space.name, SPACE, space=space, roots=roots)


@blueprint.get("/spaces/<space_key>/pages/<page_id>")
@blueprint.get("/spaces/<space_key>/pages/<page_id>/<path:title>")
@locked
def page_view(space_key: str, page_id: str, title: str | None = None) -> Response:
    state = confluence()
    page = state.contents.get(page_id)
    if page is None or page.type != "page" or page.status != "current":
        return _not_found(f"Page {page_id} does not exist or has been deleted.")
    if page.space_key != space_key:  # moved to another space: Confluence redirects
        return redirect(shapes().base + webui_path(page), code=302)
    view = shapes()
    space = state.spaces[page.space_key]
    comments = [{"by": _name(c.created_by), "when": c.created, "body": Markup(view.render(c.body))}
                for c in state.children(page.id, "comment")]
    history = [{"number": v.number, "by": _name(v.by), "when": v.when, "message": v.message}
               for v in reversed(page.versions)]
    properties = [{"key": p.key, "value": json.dumps(p.value, ensure_ascii=False),
                   "version": p.version} for p in page.properties.values()]
    return _page_html(
        page.title, PAGE, page=page, space=space,
        ancestors=[{"title": a.title, "url": webui_path(a)} for a in state.ancestors(page)],
        version={"number": page.version.number, "by": _name(page.version.by),
                 "when": page.version.when, "message": page.version.message},
        created_by=_name(page.created_by), body=Markup(view.render(page.body)),
        children=[{"title": c.title, "url": webui_path(c)} for c in state.children(page.id)],
        properties=properties, watchers=[_name(w) for w in page.watchers],
        comments=comments, history=history)


@blueprint.get("/x/<code>")
@blueprint.get("/pages/viewpage.action")
@locked
def short_link(code: str | None = None) -> Response:
    page_id = tiny_to_id(code) if code else request.args.get("pageId")
    page = confluence().contents.get(page_id or "")
    if page is None or page.status != "current":
        return _not_found("This link does not lead to a page.")
    return redirect(shapes().base + webui_path(page), code=302)
