"""Turn OpenAPI 3.0 schema objects into JSON Schema (Draft 2020-12) and validate with them.

OpenAPI 3.0 schemas are a dialect of JSON Schema Draft 4/5 with a few keywords of their own.
The conversion keeps every constraint the spec states and invents none:

- ``nullable: true`` adds ``"null"`` to ``type`` (and ``None`` to ``enum``); without a ``type``
  (e.g. ``{"allOf": [{"$ref": ...}], "nullable": true}``) the schema becomes ``anyOf [it, null]``.
- ``readOnly`` / ``writeOnly`` properties stay allowed everywhere, but a ``readOnly`` property
  listed in ``required`` is required in responses only and a ``writeOnly`` one in requests only
  (OpenAPI 3.0.3, "Fixed Fields" of the Schema Object).
- Siblings of ``$ref`` are ignored, as OpenAPI 3.0 says (Draft 2020-12 would apply them).
- Boolean ``exclusiveMinimum``/``exclusiveMaximum`` (Draft 4 style) become the numeric form.
- ``discriminator`` and the other annotation keywords carry no constraint and are dropped.
- ``format`` is kept as an annotation and not asserted: Jira's date-times (``+0000`` offsets)
  are not RFC 3339 and ``int32``/``int64`` are range hints.

Schemas reference shared definitions as ``#/$defs/<name>``; the contract files keep those in a
top-level ``$defs`` object that :func:`validator_for` attaches to the converted schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

Direction = Literal["request", "response"]

_DROPPED = frozenset(
    {
        "nullable",
        "readOnly",
        "writeOnly",
        "discriminator",
        "xml",
        "example",
        "examples",
        "externalDocs",
        "deprecated",
    }
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_VALUES = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
)


def to_json_schema(schema: Any, direction: Direction = "response") -> Any:
    """Convert one OpenAPI 3.0 schema object (and everything nested in it) to JSON Schema."""
    if direction not in ("request", "response"):
        raise ValueError(f"direction must be 'request' or 'response', not {direction!r}")
    return _convert(schema, direction)


def _convert(schema: Any, direction: Direction) -> Any:
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, Mapping):
        raise TypeError(f"not a schema object: {schema!r}")
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}

    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED:
            continue
        if key in _SCHEMA_MAPS:
            out[key] = {name: _convert(sub, direction) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [_convert(sub, direction) for sub in value]
        elif key in _SCHEMA_VALUES:
            out[key] = _convert(value, direction) if isinstance(value, Mapping | bool) else value
        else:
            out[key] = value

    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        flag = out.get(exclusive)
        if isinstance(flag, bool):
            del out[exclusive]
            if flag and bound in out:
                out[exclusive] = out.pop(bound)

    if "required" in out:
        skip = "writeOnly" if direction == "response" else "readOnly"
        properties = schema.get("properties", {})
        out["required"] = [
            name
            for name in out["required"]
            if not (
                isinstance(properties.get(name), Mapping) and properties[name].get(skip) is True
            )
        ]
        if not out["required"]:
            del out["required"]

    if schema.get("nullable") is True:
        out = _allow_null(out)
    return out


def _allow_null(out: dict[str, Any]) -> dict[str, Any]:
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
        return out
    if isinstance(kind, list):
        if "null" not in kind:
            out["type"] = [*kind, "null"]
        return out
    if not out:
        return out  # the empty schema already accepts null
    return {"anyOf": [out, {"type": "null"}]}


class SchemaSet:
    """Shared definitions converted once for one direction; hands out validators using them."""

    def __init__(self, defs: Mapping[str, Any], direction: Direction = "response") -> None:
        self.direction = direction
        self.defs = {name: to_json_schema(sub, direction) for name, sub in defs.items()}
        Draft202012Validator.check_schema({"$defs": self.defs})

    def validator(self, schema: Any) -> Draft202012Validator:
        """A validator for ``schema`` whose ``#/$defs/...`` references resolve into the set."""
        converted = to_json_schema(schema, self.direction)
        root: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
        if isinstance(converted, bool):
            root["allOf"] = [converted]
        else:
            Draft202012Validator.check_schema(converted)
            root.update(converted)
        root["$defs"] = self.defs
        return Draft202012Validator(root)


def validator_for(
    schema: Any, defs: Mapping[str, Any], direction: Direction = "response"
) -> Draft202012Validator:
    """A validator for ``schema`` whose ``#/$defs/...`` references resolve into ``defs``."""
    return SchemaSet(defs, direction).validator(schema)


def describe_errors(validator: Draft202012Validator, instance: Any, limit: int = 15) -> list[str]:
    """Readable messages for every violation (deepest first within each alternative)."""
    messages: list[str] = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        messages.extend(_flatten(error))
        if len(messages) >= limit:
            break
    return messages[:limit]


def _flatten(error: ValidationError) -> list[str]:
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    if error.context:
        # oneOf/anyOf: report what each alternative objected to.
        nested = [
            msg
            for sub in sorted(error.context, key=lambda e: e.relative_schema_path)
            for msg in _flatten(sub)
        ]
        return [f"{where}: {error.message}", *("    " + msg for msg in nested[:8])]
    return [f"{where}: {error.message}"]
