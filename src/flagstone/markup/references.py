"""The links, images and raw HTML ids a file's tokens hold, with their lines: collected as it renders."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from flagstone.models import Declaration, Reference

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A start tag, its attributes allowed to hold `>` inside quotes.
_START_TAG = re.compile(r"""<([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(r"""(?:^|\s)(href|src|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_IMAGE_TAGS = frozenset({"img", "source", "video", "audio", "picture", "input"})


@dataclass
class FileScan:
    """What a file holds for `flagstone check`, gathered window by window as the file renders."""

    display: str
    first_line: int = 1
    references: list[Reference] = field(default_factory=list)
    ids: list[Declaration] = field(default_factory=list)  # written in raw HTML
    line: int = 0  # the last line a token named: table cells and list items carry none of their own

    def take_tokens(self, tokens: Sequence[Token]) -> None:
        """The references and raw ids of block tokens whose inline children are parsed."""
        line = self.line or self.first_line
        for token in tokens:
            if token.map:
                line = token.map[0] + self.first_line
            if token.type == "inline":
                self._take_inline(token.children or [], line)
            elif token.type == "html_block":
                self.take_html(token.content, line)
        self.line = line

    def take_html(self, content: str, line: int) -> None:
        """The URLs and ids of raw HTML starting at `line` (commented-out HTML is never published)."""
        if "<" not in content:
            return
        content = _COMMENT.sub(_blank_comment, content)
        for tag in _START_TAG.finditer(content):
            name = tag.group(1).lower()
            for attribute in _ATTRIBUTE.finditer(tag.group(2)):
                at = line + content.count("\n", 0, tag.start(2) + attribute.start(1))
                value = html.unescape(next(g for g in attribute.groups()[1:] if g is not None))
                kind = attribute.group(1).lower()
                if kind == "id":
                    self.ids.append(Declaration(value, self.display, at))
                else:
                    key = "image" if kind == "src" and name in _IMAGE_TAGS else "link"
                    self.references.append(Reference(value, self.display, at, key))

    def _take_inline(self, children: Sequence[Token], line: int) -> None:
        offset = 0
        for child in children:
            if child.type in ("softbreak", "hardbreak"):
                offset += 1
            elif child.type in ("link_open", "image"):
                key, attribute = ("link", "href") if child.type == "link_open" else ("image", "src")
                url = str(child.attrGet(attribute) or "")
                self.references.append(Reference(url, self.display, line + offset, key))
            elif child.type == "html_inline":
                self.take_html(child.content, line + offset)
                offset += child.content.count("\n")


def _blank_comment(match: re.Match[str]) -> str:
    # Comments are dropped, but their newlines stay so that later lines keep their numbers.
    return "\n" * match.group(0).count("\n")
