"""Walk the OpenAPI document: every operation, with path params filled and a plausible body."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

PARAM = re.compile(r"{([^}]+)}")


@dataclass
class Operation:
    method: str
    path: str
    params: list[str]
    body_schema: dict[str, Any] | None
    streaming: bool
    # "signature" for routes authenticated by a request signature instead of a principal.
    auth: str | None = None

    def url(self, values: dict[str, Any]) -> str:
        return PARAM.sub(lambda m: str(values[m.group(1)]), self.path)


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    """Every (method, path) in *spec*."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = op.get("responses", {})
            streaming = any("text/event-stream" in r.get("content", {}) for r in responses.values()) or bool(
                op.get("x-streaming")
            )
            yield Operation(method.upper(), path, PARAM.findall(path), body, streaming, op.get("x-auth"))


def sample(schema: dict[str, Any] | None, spec: dict[str, Any]) -> Any:
    """A value that satisfies *schema* in the simple cases the API uses."""
    if schema is None:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample(spec["components"]["schemas"][name], spec)
    for combo in ("anyOf", "oneOf", "allOf"):
        if combo in schema:
            options = [s for s in schema[combo] if s.get("type") != "null"]
            return sample(options[0], spec) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample(v, spec) for k, v in props.items() if k in schema.get("required", [])}
    if kind == "array":
        return [sample(schema.get("items", {}), spec)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "email":
        return "sample@c.example"
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date-time":
        return "2030-01-01T00:00:00Z"
    if "pattern" in schema and schema["pattern"] == "^[A-Za-z]{2}$":
        return "GB"
    return "sample value"
