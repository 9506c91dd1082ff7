"""The table of contents: h1 entries with their children, nested the way Slate nests them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flagstone.models import PlacedHeading, TocEntry

_LINK_TAG = re.compile(r"</?a\b[^>]*>", re.IGNORECASE)  # a TOC entry is a link; links cannot nest


@dataclass
class _Node:
    heading: PlacedHeading
    children: list[_Node] = field(default_factory=list)

    def freeze(self, depth: int, max_depth: int) -> TocEntry:
        children = tuple(c.freeze(depth + 1, max_depth) for c in self.children) if depth < max_depth else ()
        h = self.heading
        return TocEntry(h.id, h.text, _LINK_TAG.sub("", h.inner_html), h.level, children)


def build_toc(headings: tuple[PlacedHeading, ...], heading_level: int) -> tuple[TocEntry, ...]:
    """Slate's nesting, generalised to `headingLevel` levels.

    Headings down to one level below the shown depth are gathered; from the deepest level up, each is
    put under the nearest earlier heading of a higher level, or dropped when there is none (so headings
    before the first h1 vanish, and an h3 straight under an h1 shows as its child, as in Slate).
    """
    deepest = min(heading_level + 1, 6)
    nodes = [_Node(h) for h in headings if h.id and h.level <= deepest]
    for level in range(deepest, 1, -1):
        kept: list[_Node] = []
        parent: _Node | None = None
        for node in nodes:
            if node.heading.level == level:
                if parent is not None:
                    parent.children.append(node)
            else:
                if node.heading.level < level:
                    parent = node
                kept.append(node)
        nodes = kept
    return tuple(node.freeze(1, heading_level) for node in nodes)
