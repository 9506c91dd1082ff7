"""Schemas as rows of a property table: allOf merged, oneOf/anyOf labelled, cycles shown as links."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flagstone.openapi.locate import Pointer
from flagstone.openapi.references import Node, Spec
from flagstone.openapi.tables import Tables

_LIMITS = (
    ("minLength", "length ≥ {}"),
    ("maxLength", "length ≤ {}"),
    ("minimum", "≥ {}"),
    ("maximum", "≤ {}"),
    ("exclusiveMinimum", "> {}"),
    ("exclusiveMaximum", "< {}"),
    ("multipleOf", "multiple of {}"),
    ("pattern", "pattern `{}`"),
    ("minItems", "items ≥ {}"),
    ("maxItems", "items ≤ {}"),
    ("minProperties", "properties ≥ {}"),
    ("maxProperties", "properties ≤ {}"),
)


# In the Schemas section a named schema with more properties (and alternatives) than this, inside
# another, is a link to its own section rather than its table again: GitHub's schemas repeated each
# other's tables into 180,000 rows.
SHARED_ABOVE = 8


@dataclass(frozen=True)
class Row:
    """One line of a property table; `depth` 0 is a property of the schema itself."""

    depth: int
    name: str
    type: str
    required: bool
    restrictions: str
    description: str


def literal(value: Any) -> str:
    """A value as inline code: `"text"`, `3`, `null`."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)
    return "`" + text.replace("`", "'") + "`"


# Inline HTML a description may use in a table cell; any other tag (a <title> in prose) is shown as text.
_INLINE_NAMES = "a|b|i|em|strong|code|kbd|br|sup|sub|span|small|mark|abbr"
_INLINE_TAG = re.compile(rf"<(?!/?(?:{_INLINE_NAMES})\b)(?=/?[A-Za-z])")


def cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table."""
    return _INLINE_TAG.sub("&lt;", " ".join(text.replace("|", "\\|").split())) or " "


class Schemas:
    """Walks the schemas of one spec; named ones (components, definitions) link to their own section."""

    def __init__(
        self, spec: Spec, names: Mapping[tuple[str, Pointer], str], anchors: Mapping[str, str]
    ) -> None:
        self.spec = spec
        self.names = names
        self.anchors = anchors
        self.linked_modes: tuple[str, ...] = ("schema",)
        self.shared_above = SHARED_ABOVE
        # per (uri, pointer): large specs ask for the same schemas thousands of times
        self._followed: dict[tuple[str, Pointer], tuple[Node, str]] = {}
        self._merged: dict[tuple[str, Pointer], dict[str, Any]] = {}
        self._rows: dict[tuple[str, Pointer, str, int], list[Row]] = {}
        Checked = frozenset[tuple[str, Pointer]]
        self._expanded: dict[tuple[str, Pointer, str, int, int], tuple[list[Row], Checked, Checked]] = {}
        self._checked: list[set[tuple[str, Pointer]]] = []  # per open expansion: the schemas it checked

    def follow(self, node: Node) -> tuple[Node, str]:
        """The schema a node stands for, and the name of the first named schema on its `$ref` chain."""
        key = (node.uri, node.pointer)
        known = self._followed.get(key)
        if known is not None:
            return known
        name = self.names.get(key, "")
        while isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            node = self.spec.target(node)
            name = name or self.names.get((node.uri, node.pointer), "")
        self._followed[key] = (node, name)
        return node, name

    def large(self, node: Node) -> bool:
        """Whether a schema has more than SHARED_ABOVE properties and alternatives of its own."""
        value = self.merged(node)
        own = (
            len(value.get("properties") or ()) + len(value.get("oneOf") or ()) + len(value.get("anyOf") or ())
        )
        return own > self.shared_above

    def link(self, name: str) -> str:
        anchor = self.anchors.get(name)
        return f"[{name}](#{anchor})" if anchor else name

    def merged(self, node: Node, seen: frozenset[tuple[str, Pointer]] = frozenset()) -> dict[str, Any]:
        """The schema with its allOf parts folded in: properties and required joined, other keys kept."""
        node, _ = self.follow(node)
        if not isinstance(node.value, dict):
            return {}
        if not seen and (node.uri, node.pointer) in self._merged:
            return self._merged[(node.uri, node.pointer)]
        result: dict[str, Any] = {k: v for k, v in node.value.items() if k != "allOf"}
        result["properties"] = {n: p for n, p in (node.get("properties") or Node({}, "", ())).items()}
        required = node.value.get("required")
        result["required"] = [str(r) for r in required] if isinstance(required, list) else []
        if (node.uri, node.pointer) in seen:
            return result
        own = result["properties"]
        result["properties"] = {}
        for part in node.each("allOf"):  # the parts' properties in their order, then the schema's own
            inner = self.merged(part, seen | {(node.uri, node.pointer)})
            for key, value in inner.items():
                if key == "properties":
                    result["properties"].update(value)
                elif key == "required":
                    result["required"] = [*result["required"], *value]
                else:
                    result.setdefault(key, value)
        result["properties"].update(own)
        if not seen:
            self._merged[(node.uri, node.pointer)] = result
        return result

    def type_of(self, node: Node) -> str:
        """A schema's type as the table shows it: string(date-time), [Pet], integer¦null, Pet."""
        target, name = self.follow(node)
        if name:
            return self.link(name)
        value = target.value if isinstance(target.value, dict) else {}
        kinds = value.get("type")
        names = [str(k) for k in kinds] if isinstance(kinds, list) else [str(kinds)] if kinds else []
        if not names:
            for key in ("oneOf", "anyOf"):
                if key in value:
                    return key
            names = ["object"] if "properties" in value or "allOf" in value else ["any"]
        if value.get("nullable") is True and "null" not in names:
            names.append("null")
        shown = []
        for kind in names:
            if kind == "array" and target.get("items") is not None:
                shown.append(f"[{self.type_of(target.child('items'))}]")
            elif value.get("format") and kind != "null":
                shown.append(f"{kind}({value['format']})")
            else:
                shown.append(kind)
        return "¦".join(shown)

    def restrictions(self, value: dict[str, Any]) -> str:
        found = [
            template.format(value[key])
            for key, template in _LIMITS
            if key in value and not isinstance(value[key], bool)
        ]
        if value.get("exclusiveMinimum") is True and "minimum" in value:
            found.append(f"> {value['minimum']}")
        if value.get("exclusiveMaximum") is True and "maximum" in value:
            found.append(f"< {value['maximum']}")
        if value.get("uniqueItems"):
            found.append("unique items")
        if isinstance(value.get("enum"), list):
            found.append("one of " + ", ".join(literal(v) for v in value["enum"]))
        if "const" in value:
            found.append(f"always {literal(value['const'])}")
        if "default" in value:
            found.append(f"default {literal(value['default'])}")
        for flag in ("readOnly", "writeOnly", "deprecated"):
            if value.get(flag) is True:
                found.append(flag)
        return ", ".join(found)

    def rows(self, node: Node, mode: str, max_depth: int) -> list[Row]:
        """The property table of a schema; `mode` "request" leaves readOnly out, "response" writeOnly."""
        key = (node.uri, node.pointer, mode, max_depth)
        if key not in self._rows:
            self._rows[key] = self._rows_of(node, mode, max_depth)
        return self._rows[key]

    def _rows_of(self, node: Node, mode: str, max_depth: int) -> list[Row]:
        target, _ = self.follow(node)
        value = self.merged(target)
        if value.get("properties") or value.get("additionalProperties") not in (None, False, True):
            return self._members(target, mode, 0, max_depth, frozenset({(target.uri, target.pointer)}))
        row = Row(
            0,
            "*anonymous*",
            self.type_of(node),
            False,
            self.restrictions(value),
            str(value.get("description", "")),
        )
        return [row, *self._nested(node, mode, 1, max_depth, frozenset(), own=True)]

    def _members(
        self, node: Node, mode: str, depth: int, max_depth: int, stack: frozenset[tuple[str, Pointer]]
    ) -> list[Row]:
        value = self.merged(node)
        required = set(map(str, value.get("required") or ()))
        rows: list[Row] = []
        for prop_name, prop in value["properties"].items():
            target, _ = self.follow(prop)
            prop_value = target.value if isinstance(target.value, dict) else {}
            if (mode == "request" and prop_value.get("readOnly") is True) or (
                mode == "response" and prop_value.get("writeOnly") is True
            ):
                continue
            rows.append(
                Row(
                    depth,
                    prop_name,
                    self.type_of(prop),
                    prop_name in required,
                    self.restrictions(prop_value),
                    str(prop_value.get("description", "")),
                )
            )
            rows.extend(self._nested(prop, mode, depth + 1, max_depth, stack))
        extra = node.get("additionalProperties") if isinstance(node.value, dict) else None
        if extra is not None and isinstance(extra.value, dict):
            target, _ = self.follow(extra)
            rows.append(
                Row(
                    depth,
                    "*additionalProperties*",
                    self.type_of(extra),
                    False,
                    "",
                    str((target.value or {}).get("description", "")),
                )
            )
            rows.extend(self._nested(extra, mode, depth + 1, max_depth, stack))
        return rows

    def _nested(
        self,
        node: Node,
        mode: str,
        depth: int,
        max_depth: int,
        stack: frozenset[tuple[str, Pointer]],
        own: bool = False,
    ) -> list[Row]:
        """What a property's own schema holds: its properties, its items', or its alternatives; a large
        named schema inside another in the Schemas section is its link only (its own section has it)."""
        if depth >= max_depth:
            return []
        target, name = self.follow(node)
        if name and not own and mode in self.linked_modes and self.large(target):
            return []
        here = (target.uri, target.pointer)
        if self._checked:
            self._checked[-1].add(here)
        if here in stack or not isinstance(target.value, dict):
            return []  # a circular reference: its type already links to the schema's section
        # The same schema at the same depth expands the same wherever every schema its expansion
        # checked for a cycle is on the stack (or off it) as it was then: reuse those rows.
        key = (target.uri, target.pointer, mode, depth, max_depth)
        known = self._expanded.get(key)
        if known is not None and stack & known[1] == known[2]:
            if self._checked:
                self._checked[-1].update(known[1])
            return known[0]
        self._checked.append(set())
        try:
            rows = self._expand(target, mode, depth, max_depth, stack | {here})
        finally:
            checked = frozenset(self._checked.pop())
        if self._checked:
            self._checked[-1].update(checked)
        self._expanded[key] = (rows, checked, stack & checked)
        return rows

    def _expand(
        self, target: Node, mode: str, depth: int, max_depth: int, stack: frozenset[tuple[str, Pointer]]
    ) -> list[Row]:
        value = self.merged(target)
        rows: list[Row] = []
        discriminator = value.get("discriminator")
        for key in ("oneOf", "anyOf"):
            for index, option in enumerate(target.each(key), 1):
                option_target, _ = self.follow(option)
                title = (
                    (option_target.value or {}).get("title")
                    if isinstance(option_target.value, dict)
                    else None
                )
                label = f"*{key} option {index}*" + (f" ({title})" if title else "")
                rows.append(Row(depth, label, self.type_of(option), False, "", ""))
                rows.extend(self._nested(option, mode, depth + 1, max_depth, stack))
        if isinstance(discriminator, dict) and discriminator.get("propertyName"):
            mapping = discriminator.get("mapping") or {}
            shown = ", ".join(f"{literal(k)} → {v.rpartition('/')[2]}" for k, v in mapping.items())
            rows.append(Row(depth, "*discriminator*", str(discriminator["propertyName"]), False, shown, ""))
        if value.get("properties") or isinstance(value.get("additionalProperties"), dict):
            rows.extend(self._members(target, mode, depth, max_depth, stack))
        elif target.get("items") is not None:
            rows.extend(self._nested(target.child("items"), mode, depth, max_depth, stack))
        return rows


def table(rows: list[Row], tables: Tables) -> str:
    """Rows as a property table; depth shown as » marks."""
    return tables.table(
        ("Name", "Type", "Required", "Restrictions", "Description"),
        (
            (
                cell("»" * row.depth + (" " if row.depth else "") + row.name),
                cell(row.type),
                "true" if row.required else "false",
                cell(row.restrictions) if row.restrictions else "none",
                cell(row.description),
            )
            for row in rows
        ),
    )
