"""Unit tests for the OpenAPI 3.0 -> JSON Schema adapter (no sandbox needed)."""

from __future__ import annotations

import pytest

from tests.contracts.schema import describe_errors, to_json_schema, validator_for
from tests.contracts.support import error_envelope_problem


def is_valid(schema, instance, defs=None, direction="response") -> bool:
    return validator_for(schema, defs or {}, direction).is_valid(instance)


class TestNullable:
    def test_typed_schema_accepts_null_only_when_nullable(self):
        assert not is_valid({"type": "string"}, None)
        assert is_valid({"type": "string", "nullable": True}, None)
        assert is_valid({"type": "string", "nullable": True}, "x")
        assert not is_valid({"type": "string", "nullable": True}, 3)

    def test_nullable_false_changes_nothing(self):
        assert to_json_schema({"type": "integer", "nullable": False}) == {"type": "integer"}

    def test_enum_gets_null(self):
        schema = {"type": "string", "enum": ["a", "b"], "nullable": True}
        assert is_valid(schema, None)
        assert is_valid(schema, "a")
        assert not is_valid(schema, "c")

    def test_untyped_wrapper_becomes_any_of(self):
        defs = {
            "User": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
        }
        schema = {"allOf": [{"$ref": "#/$defs/User"}], "nullable": True}
        assert is_valid(schema, None, defs)
        assert is_valid(schema, {"id": "1"}, defs)
        assert not is_valid(schema, {"name": "x"}, defs)

    def test_nullable_definition_reached_through_ref(self):
        defs = {"Content": {"type": "object", "nullable": True, "required": ["type"]}}
        assert is_valid({"$ref": "#/$defs/Content"}, None, defs)
        assert not is_valid({"$ref": "#/$defs/Content"}, {}, defs)

    def test_nested_properties_are_converted(self):
        schema = {"type": "object", "properties": {"from": {"type": "string", "nullable": True}}}
        assert is_valid(schema, {"from": None})
        assert not is_valid(
            {"type": "object", "properties": {"from": {"type": "string"}}}, {"from": None}
        )


class TestReadWriteOnly:
    schema = {
        "type": "object",
        "required": ["id", "password", "name"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "password": {"type": "string", "writeOnly": True},
            "name": {"type": "string"},
        },
    }

    def test_response_requires_read_only_but_not_write_only(self):
        assert is_valid(self.schema, {"id": "1", "name": "n"}, direction="response")
        assert not is_valid(self.schema, {"password": "p", "name": "n"}, direction="response")

    def test_request_requires_write_only_but_not_read_only(self):
        assert is_valid(self.schema, {"password": "p", "name": "n"}, direction="request")
        assert not is_valid(self.schema, {"id": "1", "name": "n"}, direction="request")

    def test_plain_required_property_is_required_both_ways(self):
        assert not is_valid(self.schema, {"id": "1"}, direction="response")
        assert not is_valid(self.schema, {"password": "p"}, direction="request")

    def test_read_only_through_all_of_wrapper(self):
        schema = {
            "type": "object",
            "required": ["author"],
            "properties": {"author": {"allOf": [{"type": "object"}], "readOnly": True}},
        }
        assert is_valid(schema, {}, direction="request")
        assert not is_valid(schema, {}, direction="response")

    def test_flags_are_dropped(self):
        assert to_json_schema({"type": "string", "readOnly": True, "writeOnly": False}) == {
            "type": "string"
        }

    def test_unknown_direction_is_rejected(self):
        with pytest.raises(ValueError):
            to_json_schema({}, "both")


class TestOtherKeywords:
    def test_ref_siblings_are_ignored_as_in_openapi_30(self):
        defs = {"Id": {"type": "string"}}
        schema = {"$ref": "#/$defs/Id", "type": "integer", "description": "x"}
        assert to_json_schema(schema) == {"$ref": "#/$defs/Id"}
        assert is_valid(schema, "abc", defs)

    def test_boolean_exclusive_minimum(self):
        schema = {"type": "integer", "minimum": 0, "exclusiveMinimum": True}
        assert to_json_schema(schema) == {"type": "integer", "exclusiveMinimum": 0}
        assert not is_valid(schema, 0)
        assert is_valid(schema, 1)

    def test_false_exclusive_maximum_keeps_inclusive_bound(self):
        schema = {"type": "integer", "maximum": 5, "exclusiveMaximum": False}
        assert to_json_schema(schema) == {"type": "integer", "maximum": 5}
        assert is_valid(schema, 5)

    def test_discriminator_dropped_alternatives_kept(self):
        schema = {
            "oneOf": [{"type": "string"}, {"type": "integer"}],
            "discriminator": {"propertyName": "kind"},
        }
        converted = to_json_schema(schema)
        assert "discriminator" not in converted
        assert not is_valid(schema, 1.5)

    def test_additional_properties_false_is_enforced(self):
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": {"a": {"type": "string"}},
        }
        assert is_valid(schema, {"a": "x"})
        assert not is_valid(schema, {"a": "x", "b": 1})

    def test_property_named_like_a_keyword_is_kept(self):
        schema = {
            "type": "object",
            "required": ["description"],
            "properties": {"description": {"type": "string"}},
        }
        assert not is_valid(schema, {"description": 3})

    def test_format_is_not_asserted(self):
        assert is_valid({"type": "string", "format": "date-time"}, "2024-01-02T03:04:05.000+0000")

    def test_recursive_definitions(self):
        defs = {
            "Node": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                },
            }
        }
        tree = {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}
        assert is_valid({"$ref": "#/$defs/Node"}, tree, defs)
        tree["children"][0]["children"][0] = {"children": []}
        assert not is_valid({"$ref": "#/$defs/Node"}, tree, defs)

    def test_not_a_schema(self):
        with pytest.raises(TypeError):
            to_json_schema(["type", "string"])


def test_describe_errors_names_the_path_and_each_alternative():
    defs = {
        "Item": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    }
    schema = {"type": "array", "items": {"oneOf": [{"$ref": "#/$defs/Item"}, {"type": "string"}]}}
    messages = describe_errors(validator_for(schema, defs), ["ok", {"id": 7}])
    assert messages[0].startswith("/1: ")
    assert any("7 is not of type 'string'" in m for m in messages)


@pytest.mark.parametrize(
    ("product", "payload", "status", "ok"),
    [
        ("jira-cloud-v3", {"errorMessages": ["gone"], "errors": {}}, 404, True),
        ("jira-dc-v2", {"errorMessages": [], "errors": {"summary": "required"}}, 400, True),
        ("jira-cloud-v3", {"errorMessages": ["gone"]}, 404, False),
        ("jira-cloud-v3", {"errorMessages": [], "errors": {}}, 400, False),
        (
            "confluence-cloud-v1",
            {"statusCode": 404, "message": "No content", "data": {}},
            404,
            True,
        ),
        ("confluence-cloud-v1", {"statusCode": 400, "message": "No content"}, 404, False),
        ("confluence-cloud-v1", {"statusCode": 404, "message": ""}, 404, False),
    ],
)
def test_error_envelope(product, payload, status, ok):
    assert (error_envelope_problem(product, payload, status) is None) is ok
