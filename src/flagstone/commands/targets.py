"""The ids a built page offers to `#fragment` links (the links themselves come from the render)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids[value] += 1
            elif name == "name" and tag == "a":
                self.names.add(value)  # `<a name="x">` is an old-style link target, still honoured

    handle_startendtag = handle_starttag


@dataclass(frozen=True)
class PageTargets:
    """What a built page offers to `#fragment` links, and how often each id occurs in it."""

    ids: Counter[str]
    names: frozenset[str]

    def __contains__(self, fragment: object) -> bool:
        return fragment in self.ids or fragment in self.names

    def all(self) -> Iterable[str]:
        return [*self.ids, *self.names]


def page_targets(page_html: str) -> PageTargets:
    collector = _IdCollector()
    collector.feed(page_html)
    collector.close()
    return PageTargets(collector.ids, frozenset(collector.names))
