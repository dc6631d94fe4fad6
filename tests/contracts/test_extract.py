"""The committed contract files: provenance, self-consistency, and reproducibility from the specs."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.contracts.schema import SchemaSet
from tests.contracts.support import CONTRACTS_DIR, PRODUCTS, load_contract

REPO_ROOT = Path(__file__).resolve().parents[2]


def _load_extractor():
    spec = importlib.util.spec_from_file_location(
        "extract_contracts", REPO_ROOT / "scripts" / "extract_contracts.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("extract_contracts", module)
    spec.loader.exec_module(module)
    return module


extractor = _load_extractor()
SPECS_DIR = extractor.DEFAULT_SPECS
needs_specs = pytest.mark.skipif(
    not SPECS_DIR.is_dir(),
    reason=f"the saved Atlassian specs are not on this machine ({SPECS_DIR}); "
    "the committed contract files are used as they are",
)


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            elif key not in ("enum", "default", "required"):
                found |= _refs(value)
    elif isinstance(node, list):
        for item in node:
            found |= _refs(item)
    return found


@pytest.mark.parametrize("product", PRODUCTS)
class TestCommittedFiles:
    def test_declared_operations_are_all_there(self, product):
        declared = next(p for p in extractor.PRODUCTS if p.name == product)
        doc = load_contract(product).doc
        assert len(doc["operations"]) == len(declared.operations)
        spec_keys = {(op["method"], op["specPath"]) for op in doc["operations"].values()}
        assert spec_keys == {(op.method.upper(), op.path) for op in declared.operations}

    def test_file_is_canonical_json(self, product):
        text = (CONTRACTS_DIR / f"{product}.json").read_text(encoding="utf-8")
        assert extractor.render(json.loads(text)) == text, (
            "not in the extractor's sorted, indented form"
        )

    def test_every_reference_resolves_locally(self, product):
        doc = load_contract(product).doc
        refs = _refs(doc["operations"]) | _refs(doc["$defs"]) | _refs(doc["errorSchema"])
        assert refs, "expected component references"
        for ref in refs:
            assert ref.startswith("#/$defs/"), ref
            assert ref.removeprefix("#/$defs/") in doc["$defs"], f"dangling {ref}"
        unused = set(doc["$defs"]) - {r.removeprefix("#/$defs/") for r in refs}
        assert not unused, f"definitions nothing refers to: {sorted(unused)}"

    def test_every_schema_compiles(self, product):
        contract = load_contract(product)
        for direction in ("request", "response"):
            schemas = SchemaSet(contract.doc["$defs"], direction)  # checks every definition
            for op in contract.operations.values():
                bodies = [r["schema"] for r in op["responses"].values() if r["schema"] is not None]
                if op["requestBody"]:
                    bodies.append(op["requestBody"]["schema"])
                for schema in bodies:
                    schemas.validator(schema)  # check_schema raises on a bad schema
            schemas.validator(contract.error_schema)

    def test_provenance_header(self, product):
        doc = load_contract(product).doc
        source = doc["source"]
        assert source["file"].endswith(".json")
        assert len(source["sha256"]) == 64
        assert source["infoVersion"]
        assert doc["generator"] == "scripts/extract_contracts.py"
        for adjustment in doc["adjustments"]:
            assert adjustment["reason"] and adjustment["pointer"].startswith("/")


@needs_specs
@pytest.mark.parametrize("product", extractor.PRODUCTS, ids=lambda p: p.name)
def test_extractor_reproduces_committed_file(product):
    committed = (CONTRACTS_DIR / f"{product.name}.json").read_text(encoding="utf-8")
    regenerated = extractor.render(extractor.extract_product(SPECS_DIR, product))
    assert regenerated == committed, (
        f"tests/contracts/{product.name}.json is stale: run `python scripts/extract_contracts.py`"
    )


@needs_specs
@pytest.mark.parametrize("product", PRODUCTS)
def test_recorded_hash_matches_spec_file(product):
    source = load_contract(product).doc["source"]
    data = (SPECS_DIR / source["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == source["sha256"]
    assert json.loads(data)["info"]["version"] == source["infoVersion"]


@needs_specs
def test_check_mode_reports_up_to_date(tmp_path):
    assert extractor.main([str(SPECS_DIR), "--check"]) == 0
    # And a missing output is reported as stale without writing anything.
    assert extractor.main([str(SPECS_DIR), "--check", "--out", str(tmp_path)]) == 1
    assert list(tmp_path.iterdir()) == []


# --- extractor behaviour on a small synthetic spec --------------------------------------------


def _spec(tmp_path: Path, paths: dict, schemas: dict, **components) -> Path:
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "9.9"},
        "paths": paths,
        "components": {"schemas": schemas, **components},
    }
    (tmp_path / "spec.json").write_text(json.dumps(doc), encoding="utf-8")
    return tmp_path


def _product(*ops, adjustments=(), error="Err", prefix=""):
    return extractor.Product(
        name="p",
        spec_file="spec.json",
        served_prefix=prefix,
        operations=ops,
        error_schema=error,
        adjustments=adjustments,
    )


TREE = {
    "Node": {
        "type": "object",
        "description": "a node",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "example": "x"},
            "description": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
    "Err": {
        "type": "object",
        "properties": {"errorMessages": {"type": "array", "items": {"type": "string"}}},
    },
    "Unused": {"type": "string"},
}


def test_recursive_refs_stay_local_and_doc_keywords_go(tmp_path):
    paths = {
        "/tree/{id}": {
            "parameters": [{"$ref": "#/components/parameters/Id"}],
            "get": {
                "operationId": "getTree",
                "responses": {
                    "200": {"$ref": "#/components/responses/Tree"},
                    "404": {"description": "gone"},
                },
            },
        }
    }
    specs = _spec(
        tmp_path,
        paths,
        TREE,
        parameters={
            "Id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        },
        responses={
            "Tree": {
                "description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}},
            }
        },
    )
    doc = extractor.extract_product(
        specs, _product(extractor.Op("get", "/tree/{id}"), prefix="/base")
    )
    op = doc["operations"]["getTree"]
    assert op["path"] == "/base/tree/{id}"
    assert op["parameters"] == [
        {"in": "path", "name": "id", "required": True, "schema": {"type": "string"}}
    ]
    assert op["responses"]["200"]["schema"] == {"$ref": "#/$defs/Node"}
    assert op["responses"]["404"]["schema"] is None
    node = doc["$defs"]["Node"]
    assert node["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert "description" not in node and "example" not in node["properties"]["name"]
    assert "description" in node["properties"], "a property named like a keyword must survive"
    assert set(doc["$defs"]) == {"Node", "Err"}
    assert doc["source"]["sha256"] == hashlib.sha256((specs / "spec.json").read_bytes()).hexdigest()
    assert extractor.render(doc) == extractor.render(
        extractor.extract_product(
            specs, _product(extractor.Op("get", "/tree/{id}"), prefix="/base")
        )
    )


def test_required_fields_follow_refs_arrays_and_alternatives(tmp_path):
    schemas = {
        **TREE,
        "Create": {
            "type": "object",
            "required": ["title", "space"],
            "properties": {
                "title": {"type": "string"},
                "space": {
                    "type": "object",
                    "required": ["key"],
                    "properties": {"key": {"type": "string"}},
                },
                "optional": {"type": "object", "required": ["never"], "properties": {"never": {}}},
                "tree": {"$ref": "#/components/schemas/Node"},
            },
        },
        "Label": {"type": "object", "required": ["name", "prefix"], "properties": {}},
    }
    paths = {
        "/c": {
            "post": {
                "operationId": "create",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Create"}}
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/l": {
            "post": {
                "operationId": "label",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Label"},
                                    },
                                    {"$ref": "#/components/schemas/Label"},
                                ]
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
    }
    specs = _spec(tmp_path, paths, schemas)
    doc = extractor.extract_product(
        specs, _product(extractor.Op("post", "/c"), extractor.Op("post", "/l"))
    )
    assert doc["operations"]["create"]["requestBody"]["requiredFields"] == [
        "space",
        "space.key",
        "title",
    ]
    label = doc["operations"]["label"]["requestBody"]
    assert label["required"] is True
    assert label["requiredFields"] == []
    assert label["requiredFieldsPerAlternative"] == [["[].name", "[].prefix"], ["name", "prefix"]]


def test_adjustments_apply_and_fail_once_the_spec_is_fixed(tmp_path):
    schemas = {**TREE, "Item": {"type": "object", "properties": {"from": {"type": "string"}}}}
    paths = {
        "/items": {
            "get": {
                "operationId": "list",
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        }
                    }
                },
            }
        }
    }
    specs = _spec(tmp_path, paths, schemas)
    adjustments = (
        extractor.Adjustment("array-of", "/operations/list/responses/200/schema", "returns a list"),
        extractor.Adjustment(
            "set", "/$defs/Item/properties/from/nullable", "null when unset", True
        ),
    )
    doc = extractor.extract_product(
        specs, _product(extractor.Op("get", "/items"), adjustments=adjustments)
    )
    assert doc["operations"]["list"]["responses"]["200"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/Item"},
    }
    assert doc["$defs"]["Item"]["properties"]["from"]["nullable"] is True
    assert [a["reason"] for a in doc["adjustments"]] == ["returns a list", "null when unset"]

    # Upstream fixes the array bug: the adjustment must fail loudly instead of double-wrapping.
    paths["/items"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }
    specs = _spec(tmp_path, paths, schemas)
    with pytest.raises(extractor.SpecError, match="already an array"):
        extractor.extract_product(
            specs, _product(extractor.Op("get", "/items"), adjustments=adjustments[:1])
        )

    with pytest.raises(extractor.SpecError, match="missing"):
        extractor.extract_product(
            specs,
            _product(
                extractor.Op("get", "/items"),
                adjustments=(extractor.Adjustment("set", "/$defs/Nope/x", "r", 1),),
            ),
        )


def test_missing_operation_is_an_error(tmp_path):
    specs = _spec(tmp_path, {}, TREE)
    with pytest.raises(extractor.SpecError, match="no GET /missing"):
        extractor.extract_product(specs, _product(extractor.Op("get", "/missing")))
