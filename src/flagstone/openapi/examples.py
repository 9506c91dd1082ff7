"""Example values made from a schema when the spec gives none: deterministic, readOnly/writeOnly respected."""

from __future__ import annotations

from typing import Any

from flagstone.openapi.locate import Pointer
from flagstone.openapi.references import Node
from flagstone.openapi.schemas import Schemas

_FORMATS = {
    "date-time": "2019-08-24T14:15:22Z",
    "date": "2019-08-24",
    "time": "14:15:22Z",
    "email": "user@example.com",
    "uuid": "095be615-a8ad-4c33-8e9c-c7612fbf6c9f",
    "uri": "http://example.com",
    "url": "http://example.com",
    "hostname": "example.com",
    "ipv4": "192.168.0.1",
    "ipv6": "2001:db8::1",
    "byte": "U3dhZ2dlciByb2Nrcw==",
    "binary": "string",
    "password": "pa$$word",
}
_MAX_DEPTH = 8  # deeper examples say little and can grow without end
_CYCLE = object()  # what a circular schema gives: its property is left out


def example(schemas: Schemas, node: Node, mode: str) -> Any:
    """A value for the schema: its example, default, first enum value, else one made from its type."""
    found = _value(schemas, node, mode, frozenset(), 0)
    return None if found is _CYCLE else found


def _value(schemas: Schemas, node: Node, mode: str, stack: frozenset[tuple[str, Pointer]], depth: int) -> Any:
    target, _ = schemas.follow(node)
    if not isinstance(target.value, dict) or depth > _MAX_DEPTH:
        return None
    if (target.uri, target.pointer) in stack:
        return _CYCLE
    stack = stack | {(target.uri, target.pointer)}
    value = schemas.merged(target)
    for key in ("example", "default", "const"):
        if key in value:
            return value[key]
    if isinstance(value.get("examples"), list) and value["examples"]:
        return value["examples"][0]
    if isinstance(value.get("enum"), list) and value["enum"]:
        return value["enum"][0]
    for key in ("oneOf", "anyOf"):
        options = target.get(key)
        if options is not None and isinstance(options.value, list) and options.value:
            first = _value(schemas, options.child(0), mode, stack, depth + 1)
            return None if first is _CYCLE else first
    kinds = value.get("type")
    kind = next((k for k in kinds if k != "null"), "null") if isinstance(kinds, list) else kinds
    if kind is None:
        kind = "object" if value.get("properties") else "array" if "items" in value else ""
    if kind == "object":
        result: dict[str, Any] = {}
        for name, prop in value.get("properties", {}).items():
            prop_target, _ = schemas.follow(prop)
            flags = prop_target.value if isinstance(prop_target.value, dict) else {}
            if (mode == "request" and flags.get("readOnly") is True) or (
                mode == "response" and flags.get("writeOnly") is True
            ):
                continue
            found = _value(schemas, prop, mode, stack, depth + 1)
            if found is not _CYCLE:
                result[name] = found
        extra = target.get("additionalProperties")
        if not result and extra is not None and isinstance(extra.value, dict):
            found = _value(schemas, extra, mode, stack, depth + 1)
            result["property1"] = None if found is _CYCLE else found
        return result
    if kind == "array":
        items = target.get("items")
        if items is None:
            return []
        item = _value(schemas, items, mode, stack, depth + 1)
        return [] if item is None or item is _CYCLE else [item]
    if kind == "string":
        return _FORMATS.get(str(value.get("format", "")), "string")
    if kind == "integer":
        return int(value.get("minimum", 0)) if isinstance(value.get("minimum"), int | float) else 0
    if kind == "number":
        return value.get("minimum", 0) if isinstance(value.get("minimum"), int | float) else 0
    if kind == "boolean":
        return True
    return None
