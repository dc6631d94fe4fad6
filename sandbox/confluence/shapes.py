"""Confluence REST v1 response shapes (Content, Space, Version, Label, ContentProperty...).

``Expand`` is the parsed ``expand=`` parameter: a tree, so ``children.page.body.storage``
serialises child pages with their storage bodies.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, urlencode

from sandbox import people
from sandbox.auth import datacenter_caller

from . import storage
from .model import Content, Property, Space, Version
from .state import ConfluenceState

Expand = dict[str, "Expand"]


def parse_expand(*raw: str | None) -> Expand:
    tree: Expand = {}
    for value in raw:
        for item in (value or "").split(","):
            node = tree
            for part in (p for p in item.strip().split(".") if p):
                node = node.setdefault(part, {})
    return tree


def tiny_code(content_id: str) -> str:
    """Confluence's tiny link code: the id's little-endian bytes in URL-safe base64."""
    raw = int(content_id).to_bytes(8, "little")
    code = base64.b64encode(raw).decode().rstrip("=").replace("/", "-").replace("+", "_")
    return code.rstrip("A")


def tiny_to_id(code: str) -> str | None:
    padded = code.replace("-", "/").replace("_", "+").ljust(11, "A") + "="
    try:
        return str(int.from_bytes(base64.b64decode(padded)[:8], "little"))
    except (ValueError, TypeError):
        return None


def webui_path(content: Content) -> str:
    if content.type == "comment":
        page = f"/spaces/{quote(content.space_key)}/pages/{content.parent_id}"
        return f"{page}?focusedCommentId={content.id}#comment-{content.id}"
    return f"/spaces/{quote(content.space_key)}/pages/{content.id}/{quote_plus(content.title)}"


@dataclass
class Shapes:
    state: ConfluenceState
    site: str  # http://host:port (Jira's base; Confluence is site + "/wiki")

    @property
    def base(self) -> str:
        return self.site + "/wiki"

    # ------------------------------------------------------------ users
    def user(self, account_id: str | None) -> dict:
        person = people.by_account_id(account_id) if account_id else None
        if person is None and account_id:
            person = people.by_name(account_id) or people.by_confluence_key(account_id)
        if person is not None:
            return person.confluence_user(self.site, datacenter=datacenter_caller())
        if account_id is None:
            return {"type": "anonymous", "displayName": "Anonymous",
                    "profilePicture": self._picture("anonymous"), "_links": {}}
        return {"type": "unknown", "accountId": account_id, "accountType": "",
                "displayName": "Unknown user", "publicName": "Unknown user",
                "profilePicture": self._picture(account_id), "_links": {}}

    def watch_user(self, account_id: str) -> dict:
        user = dict(self.user(account_id))
        user.pop("_links", None)
        user.update({"operations": None, "isExternalCollaborator": False,
                     "externalCollaborator": False, "personalSpace": None})
        return user

    def _picture(self, who: str) -> dict:
        return {"path": f"/wiki/aa-avatar/{who}", "width": 48, "height": 48, "isDefault": True}

    def links(self, self_path: str | None = None, **extra: str) -> dict:
        result = {"base": self.base, "context": "/wiki"}
        if self_path:
            result["self"] = self.base + self_path
        result.update(extra)
        return result

    # ------------------------------------------------------------ spaces
    def space(self, space: Space, expand: Expand | None = None) -> dict:
        expand = expand or {}
        key = quote(space.key)
        data: dict = {"id": space.id, "key": space.key, "name": space.name, "type": space.type,
                      "status": space.status}
        expandable = {
            "settings": f"/rest/api/space/{key}/settings", "metadata": "", "operations": "",
            "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={key}", "identifiers": "",
            "permissions": "", "icon": "", "description": "", "theme": f"/rest/api/space/{key}/theme",
            "history": "", "homepage": f"/rest/api/content/{space.homepage_id}"
            if space.homepage_id else "",
        }
        if "description" in expand:
            data["description"] = {
                "plain": {"value": space.description, "representation": "plain",
                          "embeddedContent": [], "_expandable": {}},
                "_expandable": {"view": ""}}
        if "homepage" in expand and space.homepage_id and space.homepage_id in self.state.contents:
            data["homepage"] = self.content(self.state.contents[space.homepage_id],
                                            expand["homepage"])
        if "history" in expand:
            data["history"] = {"createdDate": space.created, "createdBy": self.user(space.created_by)}
        if "icon" in expand:
            data["icon"] = {"path": "/images/logo/default-space-logo.svg", "width": 48,
                            "height": 48, "isDefault": True}
        data["_expandable"] = {k: v for k, v in expandable.items() if k not in expand}
        data["_links"] = {"webui": f"/spaces/{key}", "self": f"{self.base}/rest/api/space/{key}"}
        return data

    # ------------------------------------------------------------ versions & history
    def version(self, content: Content, version: Version, expand: Expand | None = None) -> dict:
        expand = expand or {}
        data = {
            "by": self.user(version.by),
            "when": version.when,
            "friendlyWhen": version.when,
            "message": version.message,
            "number": version.number,
            "minorEdit": version.minor_edit,
            "contentTypeModified": False,
            "confRev": f"confluence${content.type}${content.id}.{version.number}",
            "_expandable": {"collaborators": "", "content": f"/rest/api/content/{content.id}"},
            "_links": {"self": f"{self.base}/rest/api/content/{content.id}/version/{version.number}"},
        }
        if "collaborators" in expand:
            data["collaborators"] = {"users": [self.user(version.by)],
                                     "userKeys": [version.by] if version.by else []}
            data["_expandable"].pop("collaborators")
        if "content" in expand:
            data["content"] = self.content(content, expand["content"], version=version)
            data["_expandable"].pop("content")
        return data

    def history(self, content: Content, expand: Expand | None = None) -> dict:
        expand = expand or {}
        latest = content.version
        previous = content.versions[-2] if len(content.versions) > 1 else None
        data: dict = {
            "latest": True,
            "createdBy": self.user(content.created_by),
            "ownedBy": self.user(content.created_by),
            "createdDate": content.created,
        }
        if "lastUpdated" in expand or not expand:
            data["lastUpdated"] = self.version(content, latest, expand.get("lastUpdated"))
        if "previousVersion" in expand and previous is not None:
            data["previousVersion"] = self.version(content, previous)
        if "contributors" in expand:
            authors = list(dict.fromkeys(v.by for v in content.versions if v.by))
            data["contributors"] = {"publishers": {
                "users": [self.user(a) for a in authors], "userKeys": authors}}
        data["_expandable"] = {k: "" for k in ("lastUpdated", "previousVersion", "contributors",
                                                "nextVersion", "lastOwnedBy")
                               if k not in data}
        data["_links"] = {"self": f"{self.base}/rest/api/content/{content.id}/history"}
        return data

    # ------------------------------------------------------------ labels & properties
    def label(self, name: str) -> dict:
        return {"prefix": "global", "name": name, "id": self.state.label_id(name), "label": name}

    def labels(self, content: Content, start: int = 0, limit: int = 200) -> dict:
        chosen = content.labels[start:start + limit]
        return {"results": [self.label(n) for n in chosen], "start": start, "limit": limit,
                "size": len(chosen),
                "_links": self.links(f"/rest/api/content/{content.id}/label")}

    def prop(self, content: Content, prop: Property, expand: Expand | None = None) -> dict:
        data = {
            "id": prop.id, "key": prop.key, "value": prop.value,
            "version": {"when": prop.when, "message": prop.message, "number": prop.version,
                        "minorEdit": prop.minor_edit, "contentTypeModified": False},
            "_links": self.links(f"/rest/api/content/{content.id}/property/{quote(prop.key)}"),
            "_expandable": {"content": f"/rest/api/content/{content.id}",
                            "additionalProperties": ""},
        }
        if expand and "content" in expand:
            data["content"] = self.content(content, expand["content"])
            data["_expandable"].pop("content")
        return data

    # ------------------------------------------------------------ content
    def content(self, content: Content, expand: Expand | None = None,
                version: Version | None = None) -> dict:
        expand = expand or {}
        shown = version or content.version
        historical = version is not None and version.number != content.version.number
        cid = content.id
        data: dict = {
            "id": cid,
            "type": content.type,
            "status": "historical" if historical else content.status,
            "title": shown.title if historical else content.title,
        }
        if content.type == "page":
            data["macroRenderedOutput"] = {}
        expandable = {
            "childTypes": "", "container": f"/rest/api/space/{quote(content.space_key)}",
            "metadata": "", "operations": "", "children": f"/rest/api/content/{cid}/child",
            "restrictions": f"/rest/api/content/{cid}/restriction/byOperation",
            "history": f"/rest/api/content/{cid}/history", "ancestors": "", "body": "",
            "version": "", "descendants": f"/rest/api/content/{cid}/descendant",
            "space": f"/rest/api/space/{quote(content.space_key)}",
        }
        space = self.state.spaces.get(content.space_key)
        if "space" in expand and space is not None:
            data["space"] = self.space(space, expand["space"])
        if "history" in expand:
            data["history"] = self.history(content, expand["history"])
        if "version" in expand:
            data["version"] = self.version(content, shown, expand["version"])
        if "ancestors" in expand:
            data["ancestors"] = [self.content(a, expand["ancestors"])
                                 for a in self._ancestors(content)]
        if "container" in expand:
            data["container"] = self._container(content, expand["container"])
        if "body" in expand:
            data["body"] = self._body(content, shown, expand["body"])
        if "metadata" in expand:
            data["metadata"] = self._metadata(content, expand["metadata"])
        if "children" in expand:
            data["children"] = self.children(content, expand["children"], "child")
        if "descendants" in expand:
            data["descendants"] = self.children(content, expand["descendants"], "descendant")
        if "childTypes" in expand:
            data["childTypes"] = {
                kind: {"value": bool(self.state.children(cid, kind)),
                       "_links": {"self": f"{self.base}/rest/api/content/{cid}/child/{kind}"}}
                for kind in ("attachment", "comment", "page")}
        if "operations" in expand:
            data["operations"] = [{"operation": op, "targetType": content.type}
                                  for op in ("read", "update", "delete")]
        data["extensions"] = ({"position": content.position} if content.type == "page"
                              else {"location": "footer"})
        data["_expandable"] = {k: v for k, v in expandable.items() if k not in expand}
        data["_links"] = {
            "webui": webui_path(content),
            "edit": f"/pages/resumedraft.action?draftId={cid}",
            "tinyui": f"/x/{tiny_code(cid)}",
            "self": f"{self.base}/rest/api/content/{cid}",
            "collection": "/rest/api/content",
            "base": self.base,
            "context": "/wiki",
        }
        return data

    def _ancestors(self, content: Content) -> list[Content]:
        if content.type == "comment":
            reply_to = self.state.contents.get(content.reply_to or "")
            return [reply_to] if reply_to else []
        return self.state.ancestors(content)

    def _container(self, content: Content, expand: Expand) -> dict:
        if content.type == "comment" and content.parent_id in self.state.contents:
            return self.content(self.state.contents[content.parent_id], expand)
        space = self.state.spaces.get(content.space_key)
        return self.space(space, expand) if space else {}

    def _body(self, content: Content, shown: Version, expand: Expand) -> dict:
        body: dict = {}
        value = shown.body
        for representation in ("storage", "view", "export_view", "styled_view", "editor"):
            if representation not in expand:
                continue
            rendered = value if representation in ("storage", "editor") else self.render(value)
            body[representation] = {
                "value": rendered, "representation": representation, "embeddedContent": [],
                "_expandable": {"content": f"/rest/api/content/{content.id}"},
            }
        body["_expandable"] = {k: "" for k in ("editor", "atlas_doc_format", "view",
                                                "export_view", "styled_view", "dynamic",
                                                "storage", "editor2", "anonymous_export_view")
                               if k not in body}
        return body

    def render(self, value: str) -> str:
        return storage.render_html(value, self.render_links())

    def render_links(self) -> storage.RenderLinks:
        def page_url(space_key: str | None, title: str) -> str | None:
            found = self.state.find_by_title(space_key, title)
            return f"{self.base}{webui_path(found)}" if found else None

        def user_name(who: str) -> str | None:
            person = people.by_any_id(who)
            return person.display_name if person else None

        return storage.RenderLinks(self.site, page_url, user_name)

    def _metadata(self, content: Content, expand: Expand) -> dict:
        data: dict = {}
        if "labels" in expand:
            data["labels"] = self.labels(content)
        if "properties" in expand:
            data["properties"] = {
                p.key: {"key": p.key, "value": p.value,
                        "version": {"number": p.version, "when": p.when}}
                for p in content.properties.values()
                if not expand["properties"] or p.key in expand["properties"]}
        if "currentuser" in expand:
            data["currentuser"] = {}
        data["_expandable"] = {k: "" for k in ("currentuser", "comments", "sourceTemplateEntityId",
                                                "simple", "properties", "frontend", "labels",
                                                "likes")
                               if k not in data}
        return data

    def children(self, content: Content, expand: Expand, kind: str) -> dict:
        data: dict = {}
        for child_type in ("page", "comment", "attachment"):
            if child_type not in expand:
                continue
            if kind == "child":
                items = self.state.children(content.id, child_type)
            else:
                items = self.state.descendants(content.id, child_type)
            path = f"/rest/api/content/{content.id}/{kind}/{child_type}"
            data[child_type] = self.collection(
                [self.content(c, expand[child_type]) for c in items[:25]], 0, 25, path,
                total=len(items))
        data["_expandable"] = {t: f"/rest/api/content/{content.id}/{kind}/{t}"
                               for t in ("attachment", "comment", "page") if t not in data}
        data["_links"] = {"self": f"{self.base}/rest/api/content/{content.id}/{kind}"}
        return data

    # ------------------------------------------------------------ collections
    def collection(self, results: list, start: int, limit: int, path: str,
                   params: dict | None = None, total: int | None = None) -> dict:
        """A start/limit page with ``_links.next`` (relative to the context) when more remain."""
        total = len(results) if total is None else total
        links = self.links()
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        links["self"] = self.base + path + (f"?{urlencode(query)}" if query else "")
        if start + len(results) < total and limit > 0:
            links["next"] = path + "?" + urlencode({**query, "limit": limit,
                                                    "start": start + limit})
        if start > 0:
            links["prev"] = path + "?" + urlencode({**query, "limit": limit,
                                                    "start": max(start - limit, 0)})
        return {"results": results, "start": start, "limit": limit, "size": len(results),
                "_links": links}
