"""The YAML loader of front matter: nesting and aliases bounded, keys given twice recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

MAX_DEPTH = (
    50  # far deeper than any front matter; the composer recurses, so this keeps it off the stack limit
)
# Values that aliases stand for, counted as if written out: real front matter repeats a label or two, a
# "billion laughs" block nine aliases deep stands for a billion.
MAX_ALIASED_VALUES = 100_000
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class RepeatedKey:
    """A mapping key given twice: like Ruby's Psych, the later value wins (lines count from 0)."""

    label: str  # where the key is: `language_tabs`, `meta[0].name`
    line: int
    first_line: int


class LimitError(Exception):
    """Front matter beyond a bound: where (0-based line and column), under which key, what was expected."""

    def __init__(self, mark: Any, key: str, message: str) -> None:
        super().__init__(message)
        self.line: int = mark.line
        self.column: int = mark.column
        self.key = key
        self.message = message


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses deep nesting and runaway aliases, and records keys given twice.

    Composition tracks the path of each node (`meta[0].name`) for the messages, and how many values each
    anchor stands for, so an alias adds its anchor's size without anything being expanded.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[RepeatedKey] = []
        self._labels: list[str] = []  # the path of each node being composed, root first
        self._values = 0  # values composed so far, each alias counted as what it stands for
        self._aliased = 0  # the part of `_values` that aliases stand for
        self._sizes: dict[str, int] = {}  # anchor -> values it stands for, once its node is complete
        self._open: set[str] = set()  # anchors whose node is still being composed

    # The stubs say `index: int`: PyYAML also passes a mapping's key node (for its value) or None (for a key).
    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        label = self._label(index)
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if len(self._labels) > MAX_DEPTH:
            raise LimitError(
                event.start_mark,
                self._top_key(),
                f"expected values nested at most {MAX_DEPTH} levels deep, got deeper",
            )
        if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors:
            self._count_alias(event, label)
            return super().compose_node(parent, index)
        anchor = event.anchor if isinstance(event, yaml.NodeEvent) else None
        before = self._values
        self._values += 1
        self._labels.append(label)
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._labels.pop()
        if anchor is not None:
            self._open.discard(anchor)
            self._sizes[anchor] = self._values - before
        return node

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        seen: dict[tuple[str, str], int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                continue
            identity = (key_node.tag, key_node.value)
            line = key_node.start_mark.line
            if identity in seen:
                label = _joined(self._labels[-1], key_node.value)
                self.repeated.append(RepeatedKey(label, line, seen[identity]))
            seen[identity] = line
        return node

    def _count_alias(self, event: yaml.AliasEvent, label: str) -> None:
        anchor = str(event.anchor)
        if anchor in self._open:
            raise LimitError(
                event.start_mark,
                label,
                f"expected an alias to a value given before it, got *{anchor} inside the value it names",
            )
        size = self._sizes[anchor]
        self._values += size
        self._aliased += size
        if self._aliased > MAX_ALIASED_VALUES:
            raise LimitError(
                event.start_mark,
                label,
                f"expected aliases standing for at most {MAX_ALIASED_VALUES} values in all, "
                f"got more with *{anchor}",
            )

    def _label(self, index: object) -> str:
        if not self._labels:
            return ""
        if isinstance(index, int):
            return f"{self._labels[-1]}[{index}]"
        if isinstance(index, yaml.ScalarNode):
            return _joined(self._labels[-1], index.value)
        return self._labels[-1]  # a key: it belongs to its mapping

    def _top_key(self) -> str:
        return self._labels[1] if len(self._labels) > 1 else ""


def _joined(label: str, key: str) -> str:
    return f"{label}.{key}" if label else key
