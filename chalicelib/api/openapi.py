"""OpenAPI 3.1 document built from the declared operations and their pydantic models."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.routing import OPERATIONS, Operation, resolve

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "the domain error's name, e.g. ValidationFailed"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"], "description": "the request field at fault"},
            },
        }
    },
}


def _ref(ref: str | None, refs: dict) -> dict[str, Any] | None:
    if ref is None:
        return None
    model = resolve(ref)
    return refs.get((model, "validation")) or refs.get((model, "serialization"))


def _operation(op: Operation, refs: dict) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{op.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', op.path).strip('_')}",
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", op.path)
        ],
        "responses": {
            str(op.status): {"description": "success", "content": {"application/json": {"schema": _ref(op.reply, refs) or {}}}},
            "4XX": {"description": "refused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }
    if op.query is not None:
        for name, field in resolve(op.query).model_fields.items():
            spec["parameters"].append(
                {"name": field.alias or name, "in": "query", "required": field.is_required(), "schema": {"type": "string"}}
            )
    if op.idempotent:
        spec["parameters"].append(
            {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 128}}
        )
    if op.body is not None:
        spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body, refs)}}}
    if op.roles is not None:
        spec["security"] = [{"bearer": []}]
        spec["x-roles"] = sorted(role.value for role in op.roles)
    return spec


def document() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = []
    for op in OPERATIONS:
        if op.body is not None:
            models.append((resolve(op.body), "validation"))
        if op.reply is not None:
            models.append((resolve(op.reply), "serialization"))
    refs, schema = models_json_schema(models, by_alias=True, ref_template="#/components/schemas/{model}")
    components = dict(schema.get("$defs", {}))
    components["Error"] = _ERROR
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "云车通 Yunchetong API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
