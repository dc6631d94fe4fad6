"""Extract the Atlassian REST operations Debrief relies on into committed contract files.

Reads the saved OpenAPI specs (default: ``../shared/atlassian/specs`` relative to the repository
root) and writes one JSON file per product to ``tests/contracts/``.  Each file holds, for every
declared operation, its method, spec path, the path the site serves, its parameters, the request
body (schema plus the fields any valid body must carry) and the response schema per status code.
Every ``$ref`` points into the file's own ``$defs`` section, which holds exactly the component
schemas the operations need (recursive schemas stay recursive through those local references), so
the file validates standalone.  Schemas stay in the OpenAPI 3.0 dialect (``nullable``,
``readOnly``, ``writeOnly``); ``tests/contracts/schema.py`` turns them into JSON Schema.

Documentation-only keywords (``description``, ``example``, ``xml``, ...) are dropped.  Known defects
of the published specs are corrected by the adjustments declared below; each one is listed in the
output under ``adjustments`` with its reason, and the extraction fails if a spec no longer has the
defect an adjustment corrects (so a fixed upstream spec is noticed).

The output is deterministic (sorted keys, fixed indentation): re-running it on the same specs
produces byte-identical files.

Usage: python scripts/extract_contracts.py [SPECS_DIR] [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = REPO_ROOT.parent / "shared" / "atlassian" / "specs"
DEFAULT_OUT = REPO_ROOT / "tests" / "contracts"

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Keywords that only document a schema; they never change what validates.
DOC_KEYWORDS = frozenset(
    {
        "description",
        "example",
        "examples",
        "externalDocs",
        "xml",
        "title",
        "x-atlassian-connect-scope",
    }
)
SCHEMA_REF_PREFIX = "#/components/schemas/"


# --------------------------------------------------------------------------------------------
# Declarations: which operations, from which spec, with which corrections.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One operation: HTTP method and path exactly as the spec spells it.

    ``fixed`` pins path parameters the project always sends with one value (for example
    ``type=page`` in ``/content/{id}/child/{type}``); the served path then carries that value.
    """

    method: str
    path: str
    fixed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Adjustment:
    """A correction to a known spec defect, applied to the extracted document.

    kind:
      ``set``        replace the value at ``pointer`` (which must exist) by ``value``;
      ``add``        add ``value`` at ``pointer`` (whose parent must exist and which must not);
      ``array-of``   the schema at ``pointer`` describes one element of what is really a JSON
                     array: replace it by an array of that schema;
      ``array-or-item`` as ``array-of``, but the operation returns the single element when a
                     query parameter selects one: accept either.
    """

    kind: str
    pointer: str
    reason: str
    value: Any = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.kind, "pointer": self.pointer, "reason": self.reason}
        if self.kind in ("set", "add"):
            out["value"] = self.value
        return out


@dataclass(frozen=True)
class ExtraSchemas:
    """Component schemas borrowed from a sibling spec (the product's own spec lacks them)."""

    spec_file: str
    names: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Product:
    name: str
    spec_file: str
    served_prefix: str  # prepended to the spec's paths to get the path the site serves
    operations: tuple[Op, ...]
    error_schema: str  # component name of the error body shape
    adjustments: tuple[Adjustment, ...] = ()
    extra: ExtraSchemas | None = None


J3 = "/rest/api/3"
JIRA_CLOUD_V3 = Product(
    name="jira-cloud-v3",
    spec_file="jira-cloud-platform-v3.swagger-v3.v3.json",
    served_prefix="",
    error_schema="ErrorCollection",
    operations=(
        Op("get", f"{J3}/issue/{{issueIdOrKey}}"),
        Op("get", f"{J3}/issue/{{issueIdOrKey}}/changelog"),
        Op("get", f"{J3}/search/jql"),
        Op("post", f"{J3}/search/jql"),
        Op("post", f"{J3}/issue"),
        Op("post", f"{J3}/issue/bulk"),
        Op("put", f"{J3}/issue/{{issueIdOrKey}}"),
        Op("get", f"{J3}/issue/{{issueIdOrKey}}/transitions"),
        Op("post", f"{J3}/issue/{{issueIdOrKey}}/transitions"),
        Op("get", f"{J3}/issue/{{issueIdOrKey}}/comment"),
        Op("post", f"{J3}/issue/{{issueIdOrKey}}/comment"),
        Op("post", f"{J3}/issueLink"),
        Op("get", f"{J3}/issue/{{issueIdOrKey}}/remotelink"),
        Op("post", f"{J3}/issue/{{issueIdOrKey}}/remotelink"),
        Op("get", f"{J3}/priority"),
        Op("get", f"{J3}/priority/search"),
        Op("get", f"{J3}/issuetype"),
        Op("get", f"{J3}/issue/createmeta"),
        Op("get", f"{J3}/issue/createmeta/{{projectIdOrKey}}/issuetypes"),
        Op("get", f"{J3}/issue/createmeta/{{projectIdOrKey}}/issuetypes/{{issueTypeId}}"),
        Op("get", f"{J3}/project"),
        Op("get", f"{J3}/project/{{projectIdOrKey}}"),
        Op("get", f"{J3}/user/search"),
        Op("get", f"{J3}/myself"),
        Op("get", f"{J3}/field"),
        Op("get", f"{J3}/serverInfo"),
    ),
    adjustments=(
        Adjustment(
            "array-or-item",
            "/operations/getRemoteIssueLinks/responses/200/schema",
            "The spec declares a single RemoteIssueLink, but without the globalId query parameter "
            "Jira returns the list of the issue's remote links (the operation's own description and "
            "example show an array); with globalId it returns the one link.",
        ),
        *(
            Adjustment(
                "set",
                f"/$defs/ChangeDetails/properties/{name}/nullable",
                "Jira sends null for the side of a change that had (or now has) no value, e.g. "
                "`from`/`fromString` when a field is first set; the spec omits `nullable`.",
                True,
            )
            for name in ("from", "fromString", "to", "toString")
        ),
        *(
            Adjustment(
                "add",
                f"/$defs/ChangeDetails/properties/{name}",
                "Changes of user fields carry the account ids as tmpFromAccountId/tmpToAccountId "
                "(null on the empty side), as in Jira's changelog and webhook payloads; the spec "
                "forbids properties it does not list.",
                {"nullable": True, "type": "string"},
            )
            for name in ("tmpFromAccountId", "tmpToAccountId")
        ),
        Adjustment(
            "add",
            "/$defs/FieldDetails/properties/untranslatedName",
            "Jira returns untranslatedName for custom fields; the spec forbids properties it "
            "does not list.",
            {"type": "string"},
        ),
        Adjustment(
            "add",
            "/$defs/ServerInformation/properties/defaultLocale",
            "Jira's serverInfo carries defaultLocale {locale}; the spec forbids properties it "
            "does not list.",
            {"properties": {"locale": {"type": "string"}}, "type": "object"},
        ),
    ),
)

JIRA_DC_V2 = Product(
    name="jira-dc-v2",
    spec_file="jira-dc-10.3.jira_software_dc_10003_swagger.v3.json",
    served_prefix="/rest",
    error_schema="ErrorCollection",
    operations=(
        Op("get", "/api/2/issue/{issueIdOrKey}"),
        Op("get", "/api/2/search"),
        Op("post", "/api/2/search"),
        Op("post", "/api/2/issue"),
        Op("post", "/api/2/issue/bulk"),
        Op("put", "/api/2/issue/{issueIdOrKey}"),
        Op("get", "/api/2/issue/{issueIdOrKey}/transitions"),
        Op("post", "/api/2/issue/{issueIdOrKey}/transitions"),
        Op("get", "/api/2/issue/{issueIdOrKey}/comment"),
        Op("post", "/api/2/issue/{issueIdOrKey}/comment"),
        Op("post", "/api/2/issueLink"),
        Op("get", "/api/2/issue/{issueIdOrKey}/remotelink"),
        Op("post", "/api/2/issue/{issueIdOrKey}/remotelink"),
        Op("get", "/api/2/priority"),
        Op("get", "/api/2/issuetype"),
        Op("get", "/api/2/project"),
        Op("get", "/api/2/project/{projectIdOrKey}"),
        Op("get", "/api/2/user/search"),
        Op("get", "/api/2/myself"),
        Op("get", "/api/2/field"),
        Op("get", "/api/2/serverInfo"),
    ),
    adjustments=(
        *(
            Adjustment(
                "array-of",
                f"/operations/{op_id}/responses/200/schema",
                "Generator defect in the Data Center spec (array-vs-item): the operation returns a "
                "JSON array, the spec references the element schema.",
            )
            for op_id in (
                "getPriorities",
                "getIssueAllTypes",
                "getAllProjects",
                "findUsers",
                "getFields",
            )
        ),
        Adjustment(
            "array-or-item",
            "/operations/getRemoteIssueLinks/responses/200/schema",
            "Generator defect in the Data Center spec (array-vs-item): without globalId the "
            "operation returns the array of the issue's remote links, with globalId the one link.",
        ),
        Adjustment(
            "set",
            "/$defs/IssueBean/properties/fields/additionalProperties",
            "Generator defect in the Data Center spec: IssueBean.fields values are declared "
            "`object`, but field values are strings, numbers, arrays, objects or null.",
            {},
        ),
        Adjustment(
            "set",
            "/$defs/IssueUpdateBean/properties/fields/additionalProperties",
            "Generator defect in the Data Center spec: IssueUpdateBean.fields values are declared "
            "`object`, but summary/description/labels etc. take strings and arrays.",
            {},
        ),
        Adjustment(
            "set",
            "/$defs/IssueBean/properties/renderedFields/additionalProperties",
            "Generator defect in the Data Center spec: rendered field values are declared "
            "`object`, but they are HTML strings, lists or null.",
            {},
        ),
        *(
            Adjustment(
                "set",
                f"/$defs/ChangeItemBean/properties/{name}/nullable",
                "Jira sends null for the side of a change that had (or now has) no value; the "
                "spec omits `nullable`.",
                True,
            )
            for name in ("from", "fromString", "to", "toString")
        ),
    ),
)

W = "/wiki/rest/api"
CONFLUENCE_CLOUD_V1 = Product(
    name="confluence-cloud-v1",
    spec_file="confluence-cloud-v1.swagger.v3.json",
    served_prefix="",
    error_schema="RestError",
    operations=(
        Op("post", f"{W}/content"),
        Op("get", f"{W}/content"),
        Op("get", f"{W}/content/{{id}}"),
        Op("put", f"{W}/content/{{id}}"),
        Op("delete", f"{W}/content/{{id}}"),
        Op("get", f"{W}/content/{{id}}/child/{{type}}", fixed=(("type", "page"),)),
        Op("get", f"{W}/content/{{id}}/label"),
        Op("post", f"{W}/content/{{id}}/label"),
        Op("delete", f"{W}/content/{{id}}/label"),
        Op("delete", f"{W}/content/{{id}}/label/{{label}}"),
        Op("get", f"{W}/content/{{id}}/property"),
        Op("post", f"{W}/content/{{id}}/property"),
        Op("get", f"{W}/content/{{id}}/property/{{key}}"),
        Op("put", f"{W}/content/{{id}}/property/{{key}}"),
        Op("delete", f"{W}/content/{{id}}/property/{{key}}"),
        Op("get", f"{W}/search"),
        Op("get", f"{W}/content/search"),
        Op("get", f"{W}/space"),
        Op("post", f"{W}/space"),
        Op("get", f"{W}/space/{{spaceKey}}"),
        Op("put", f"{W}/content/{{pageId}}/move/{{position}}/{{targetId}}"),
        Op("get", f"{W}/user/watch/content/{{contentId}}"),
        Op("post", f"{W}/user/watch/content/{{contentId}}"),
        Op("delete", f"{W}/user/watch/content/{{contentId}}"),
        Op("get", f"{W}/content/{{id}}/history"),
    ),
    extra=ExtraSchemas(
        spec_file="confluence-dc-10.0.3.swagger.v3.json",
        names=("RestError", "ValidationResult"),
        reason="The Confluence Cloud v1 spec declares no error response bodies; Confluence answers "
        "errors with the same {statusCode, message, data, reason} body its Data Center spec "
        "defines as RestError, so that schema is taken from there.",
    ),
    adjustments=(
        Adjustment(
            "set",
            "/$defs/ValidationResult/properties/errors",
            "The Data Center spec types ValidationResult.errors as an object; Confluence sends a "
            "list of {message: {translation, args}} entries there (and [] when empty).",
            {"oneOf": [{"items": {"type": "object"}, "type": "array"}, {"type": "object"}]},
        ),
    ),
)

CONFLUENCE_CLOUD_V2 = Product(
    name="confluence-cloud-v2",
    spec_file="confluence-cloud-v2.openapi-v2.v3.json",
    served_prefix="/wiki/api/v2",
    error_schema="V2ErrorResponse",
    operations=(
        Op("get", "/spaces"),
        Op("get", "/spaces/{id}"),
    ),
    adjustments=(
        Adjustment(
            "add",
            "/$defs/V2ErrorResponse",
            "The Confluence Cloud v2 spec declares no error response bodies; v2 answers errors with "
            "{errors: [{status, code, title, detail}]}.",
            {
                "properties": {
                    "errors": {
                        "items": {
                            "properties": {
                                "code": {"type": "string"},
                                "detail": {"nullable": True, "type": "string"},
                                "status": {"type": "integer"},
                                "title": {"type": "string"},
                            },
                            "required": ["status", "code", "title"],
                            "type": "object",
                        },
                        "minItems": 1,
                        "type": "array",
                    }
                },
                "required": ["errors"],
                "type": "object",
            },
        ),
    ),
)

PRODUCTS = (JIRA_CLOUD_V3, JIRA_DC_V2, CONFLUENCE_CLOUD_V1, CONFLUENCE_CLOUD_V2)


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------


class SpecError(Exception):
    """The spec does not have what a declaration expects."""


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve_pointer(doc: Any, ref: str) -> Any:
    if not ref.startswith("#/"):
        raise SpecError(f"only local references are supported, got {ref!r}")
    node = doc
    for token in ref[2:].split("/"):
        token = _unescape(token)
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError) as exc:
            raise SpecError(f"unresolvable reference {ref!r}") from exc
    return node


class SchemaCollector:
    """Copies schemas out of a spec, pointing component references at ``#/$defs/<name>``.

    Each referenced component is copied once into ``defs`` (whatever references it, recursively);
    a component that refers to itself, directly or through others, keeps doing so through its
    local reference.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.defs: dict[str, Any] = {}

    def schema(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith(SCHEMA_REF_PREFIX):
                # A reference to a non-schema component: inline its target.
                return self.schema(resolve_pointer(self.spec, ref))
            name = _unescape(ref[len(SCHEMA_REF_PREFIX) :])
            self._collect(name)
            # OpenAPI 3.0 ignores siblings of $ref; keep only the reference.
            return {"$ref": f"#/$defs/{_escape(name)}"}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DOC_KEYWORDS:
                continue
            if key in ("properties", "patternProperties"):
                # Property names are data, not keywords: never strip them.
                out[key] = {prop: self.schema(sub) for prop, sub in value.items()}
            elif key in ("enum", "default", "required", "const"):
                out[key] = copy.deepcopy(value)
            else:
                out[key] = self.schema(value)
        return out

    def _collect(self, name: str) -> None:
        if name in self.defs:
            return
        self.defs[name] = None  # placeholder: breaks cycles
        target = resolve_pointer(self.spec, SCHEMA_REF_PREFIX + _escape(name))
        self.defs[name] = self.schema(target)


def _deref(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = resolve_pointer(spec, node["$ref"])
    return node


def required_fields(
    schema: Any, defs: dict[str, Any], prefix: str = "", seen: frozenset = frozenset()
) -> list[str]:
    """Dotted paths of the properties every valid body must carry (``a.b``, ``items[].name``).

    Descends only into required properties.  For ``oneOf``/``anyOf`` a field counts when every
    alternative requires it; ``allOf`` members add up.
    """
    if not isinstance(schema, dict):
        return []
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = _unescape(ref.removeprefix("#/$defs/"))
        if name in seen:
            return []
        return required_fields(defs[name], defs, prefix, seen | {name})
    found: set[str] = set()
    for sub in schema.get("allOf", []):
        found.update(required_fields(sub, defs, prefix, seen))
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        common = set(required_fields(alternatives[0], defs, prefix, seen))
        for sub in alternatives[1:]:
            common &= set(required_fields(sub, defs, prefix, seen))
        found |= common
    if schema.get("type") == "array" and "items" in schema:
        found.update(required_fields(schema["items"], defs, f"{prefix}[]", seen))
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        path = f"{prefix}.{name}" if prefix else name
        found.add(path)
        if name in properties:
            found.update(required_fields(properties[name], defs, path, seen))
    return sorted(found)


def _json_content(content: dict[str, Any]) -> tuple[str | None, Any]:
    """Pick the JSON media type of a content map (``None`` when the body is not JSON)."""
    for media_type in ("application/json", "application/json;charset=UTF-8", "*/*"):
        if media_type in content:
            return media_type, content[media_type]
    for media_type in sorted(content):
        if "json" in media_type:
            return media_type, content[media_type]
    return None, None


def extract_operation(
    spec: dict[str, Any], collector: SchemaCollector, product: Product, op: Op
) -> tuple[str, dict[str, Any]]:
    path_item = spec["paths"].get(op.path)
    if path_item is None or op.method not in path_item:
        raise SpecError(f"{product.spec_file}: no {op.method.upper()} {op.path}")
    raw = path_item[op.method]
    op_id = raw.get("operationId") or f"{op.method}{op.path}"

    parameters: list[dict[str, Any]] = []
    for param in [*path_item.get("parameters", []), *raw.get("parameters", [])]:
        param = _deref(spec, param)
        entry: dict[str, Any] = {
            "in": param["in"],
            "name": param["name"],
            "required": bool(param.get("required", False)),
        }
        if "schema" in param:
            entry["schema"] = collector.schema(param["schema"])
        parameters.append(entry)
    # Operation-level parameters override path-level ones with the same name and location.
    by_key = {(p["in"], p["name"]): p for p in parameters}
    parameters = sorted(by_key.values(), key=lambda p: (p["in"], p["name"]))

    served = product.served_prefix + op.path
    fixed = dict(op.fixed)
    for name, value in fixed.items():
        if f"{{{name}}}" not in served:
            raise SpecError(f"{op.path}: no path parameter {name!r} to fix")
        served = served.replace(f"{{{name}}}", value)
    for param in parameters:
        if param["in"] == "path" and param["name"] in fixed:
            param["fixedValue"] = fixed[param["name"]]

    request: dict[str, Any] | None = None
    if "requestBody" in raw:
        body = _deref(spec, raw["requestBody"])
        media_type, media = _json_content(body.get("content", {}))
        if media is None:
            raise SpecError(f"{op_id}: request body has no JSON media type")
        schema = collector.schema(media.get("schema", {}))
        request = {
            "contentType": media_type,
            "required": bool(body.get("required", False)),
            "schema": schema,
        }

    responses: dict[str, Any] = {}
    for status, response in raw.get("responses", {}).items():
        response = _deref(spec, response)
        media_type, media = _json_content(response.get("content", {}))
        entry = {
            "contentType": media_type,
            "description": response.get("description", ""),
            "schema": None,
        }
        if media is not None and "schema" in media:
            entry["schema"] = collector.schema(media["schema"])
        responses[str(status)] = entry

    return op_id, {
        "deprecated": bool(raw.get("deprecated", False)),
        "id": op_id,
        "method": op.method.upper(),
        "parameters": parameters,
        "path": served,
        "requestBody": request,
        "responses": responses,
        "specPath": op.path,
    }


def apply_adjustment(doc: dict[str, Any], adj: Adjustment) -> None:
    tokens = [_unescape(t) for t in adj.pointer.lstrip("/").split("/")]
    parent: Any = doc
    for token in tokens[:-1]:
        if not isinstance(parent, dict) or token not in parent:
            raise SpecError(
                f"adjustment {adj.pointer}: {token!r} is missing; has the spec changed?"
            )
        parent = parent[token]
    last = tokens[-1]
    if adj.kind == "add":
        if last in parent:
            raise SpecError(f"adjustment {adj.pointer}: already present; has the spec been fixed?")
        parent[last] = copy.deepcopy(adj.value)
        return
    if last not in parent:
        if adj.kind == "set" and isinstance(parent, dict):
            parent[last] = copy.deepcopy(adj.value)
            return
        raise SpecError(f"adjustment {adj.pointer}: target missing; has the spec changed?")
    current = parent[last]
    if adj.kind == "set":
        if current == adj.value:
            raise SpecError(
                f"adjustment {adj.pointer}: already {adj.value!r}; has the spec been fixed?"
            )
        parent[last] = copy.deepcopy(adj.value)
    elif adj.kind in ("array-of", "array-or-item"):
        if not isinstance(current, dict) or current.get("type") == "array":
            raise SpecError(f"adjustment {adj.pointer}: already an array; has the spec been fixed?")
        array = {"items": current, "type": "array"}
        parent[last] = (
            array if adj.kind == "array-of" else {"oneOf": [array, copy.deepcopy(current)]}
        )
    else:
        raise SpecError(f"unknown adjustment kind {adj.kind!r}")


def _source(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    data = path.read_bytes()
    spec = json.loads(data)
    return spec, {
        "file": path.name,
        "infoVersion": spec["info"]["version"],
        "openapi": spec.get("openapi") or spec.get("swagger"),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def extract_product(specs_dir: Path, product: Product) -> dict[str, Any]:
    spec, source = _source(specs_dir / product.spec_file)
    collector = SchemaCollector(spec)
    operations: dict[str, Any] = {}
    for op in product.operations:
        op_id, entry = extract_operation(spec, collector, product, op)
        if op_id in operations:
            raise SpecError(f"{product.name}: duplicate operation id {op_id}")
        operations[op_id] = entry
    source["servedPrefix"] = product.served_prefix

    extra_sources: list[dict[str, Any]] = []
    if product.extra is not None:
        extra_spec, extra_source = _source(specs_dir / product.extra.spec_file)
        extra_collector = SchemaCollector(extra_spec)
        for name in product.extra.names:
            extra_collector.schema({"$ref": SCHEMA_REF_PREFIX + _escape(name)})
        for name, schema in extra_collector.defs.items():
            if name in collector.defs:
                raise SpecError(
                    f"{product.name}: schema {name} from {product.extra.spec_file} clashes"
                )
            collector.defs[name] = schema
        extra_source["schemas"] = sorted(extra_collector.defs)
        extra_source["reason"] = product.extra.reason
        extra_sources.append(extra_source)

    added = {adj.pointer for adj in product.adjustments if adj.kind == "add"}
    if product.error_schema not in collector.defs and f"/$defs/{product.error_schema}" not in added:
        collector.schema({"$ref": SCHEMA_REF_PREFIX + product.error_schema})

    doc: dict[str, Any] = {
        "$defs": collector.defs,
        "adjustments": [adj.describe() for adj in product.adjustments],
        "dialect": "OpenAPI 3.0 schema objects (nullable, readOnly, writeOnly); "
        "convert with tests/contracts/schema.py before validating",
        "errorSchema": {"$ref": f"#/$defs/{_escape(product.error_schema)}"},
        "extraSources": extra_sources,
        "generator": "scripts/extract_contracts.py",
        "product": product.name,
        "source": source,
        "strippedKeywords": sorted(DOC_KEYWORDS),
        "operations": operations,
    }
    for adj in product.adjustments:
        apply_adjustment(doc, adj)
    for entry in operations.values():
        body = entry["requestBody"]
        if body is None:
            continue
        body["requiredFields"] = required_fields(body["schema"], doc["$defs"])
        alternatives = _top_alternatives(body["schema"], doc["$defs"])
        if alternatives:
            body["requiredFieldsPerAlternative"] = [
                required_fields(alt, doc["$defs"]) for alt in alternatives
            ]
    return doc


def _top_alternatives(schema: dict[str, Any], defs: dict[str, Any]) -> list[Any]:
    """The oneOf/anyOf alternatives of a body schema (following references), if it has any."""
    seen: set[str] = set()
    while isinstance(schema.get("$ref"), str):
        name = _unescape(schema["$ref"].removeprefix("#/$defs/"))
        if name in seen:
            return []
        seen.add(name)
        schema = defs[name]
    return list(schema.get("oneOf") or schema.get("anyOf") or [])


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "specs",
        nargs="?",
        type=Path,
        default=DEFAULT_SPECS,
        help=f"specs folder (default {DEFAULT_SPECS})",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any output file would change"
    )
    args = parser.parse_args(argv)

    if not args.specs.is_dir():
        parser.error(f"specs folder not found: {args.specs}")
    stale: list[str] = []
    for product in PRODUCTS:
        try:
            text = render(extract_product(args.specs, product))
        except SpecError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        target = args.out / f"{product.name}.json"
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        doc = json.loads(text)
        print(
            f"{target}: {len(doc['operations'])} operations, {len(doc['$defs'])} schemas, {len(doc['adjustments'])} adjustments"
        )
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
