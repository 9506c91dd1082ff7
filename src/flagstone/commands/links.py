"""Every link, image and HTML id written in a Markdown file, with its line; and the ids of built pages."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

from flagstone.markup.dialect import make_markdown
from flagstone.markup.slugs import slate_slug
from flagstone.models import SourceText

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# A start tag, its attributes allowed to hold `>` inside quotes.
_START_TAG = re.compile(r"""<([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(r"""(?:^|\s)(href|src|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_IMAGE_TAGS = frozenset({"img", "source", "video", "audio", "picture", "input"})


@dataclass(frozen=True)
class Reference:
    """A URL written in a file: a Markdown link or image, or an `href`/`src` of raw HTML."""

    url: str
    display: str
    line: int
    key: str  # "link" or "image": the key of any problem reported for it


@dataclass(frozen=True)
class Declaration:
    """An `id` written in raw HTML, or the id a Markdown heading gets before numbering."""

    id: str
    display: str
    line: int


@dataclass
class FileScan:
    references: list[Reference] = field(default_factory=list)
    ids: list[Declaration] = field(default_factory=list)  # raw HTML
    headings: list[Declaration] = field(default_factory=list)  # only to locate a clash, so approximate


def _blank_comment(match: re.Match[str]) -> str:
    # Comments are dropped, but their newlines stay so that later lines keep their numbers.
    return "\n" * match.group(0).count("\n")


def scan_html(content: str, display: str, line: int, scan: FileScan) -> None:
    """The URLs and ids of raw HTML starting at `line`; commented-out HTML is not published, so skipped."""
    content = _COMMENT.sub(_blank_comment, content)
    for tag in _START_TAG.finditer(content):
        name = tag.group(1).lower()
        attributes = tag.group(2)
        for attribute in _ATTRIBUTE.finditer(attributes):
            at = line + content.count("\n", 0, tag.start(2) + attribute.start(1))
            value = html.unescape(next(g for g in attribute.groups()[1:] if g is not None))
            kind = attribute.group(1).lower()
            if kind == "id":
                scan.ids.append(Declaration(value, display, at))
            else:
                key = "image" if kind == "src" and name in _IMAGE_TAGS else "link"
                scan.references.append(Reference(value, display, at, key))


def _scan_inline(children: Sequence[Token], display: str, line: int, scan: FileScan) -> None:
    offset = 0
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            offset += 1
        elif child.type in ("link_open", "image"):
            key, attribute = ("link", "href") if child.type == "link_open" else ("image", "src")
            url = str(child.attrGet(attribute) or "")
            scan.references.append(Reference(url, display, line + offset, key))
        elif child.type == "html_inline":
            scan_html(child.content, display, line + offset, scan)
            offset += child.content.count("\n")


class SourceScanner:
    """Reads files with flagstone's Markdown dialect; one parser reused for every file."""

    def __init__(self) -> None:
        self.md: MarkdownIt = make_markdown()
        self.scans: dict[str, FileScan] = {}

    def scan(self, source: SourceText) -> FileScan:
        """The references and ids of one file; a file shared by several pages is read once."""
        cached = self.scans.get(source.display)
        if cached is not None:
            return cached
        scan = FileScan()
        # Table cells and list items carry no line of their own: they take the last line seen.
        line = source.first_line
        tokens = self.md.parse(source.text, {})
        for index, token in enumerate(tokens):
            if token.map:
                line = token.map[0] + source.first_line
            if token.type == "heading_open" and index + 1 < len(tokens):
                slug = slate_slug(html.escape(tokens[index + 1].content))
                scan.headings.append(Declaration(slug, source.display, line))
            elif token.type == "inline":
                _scan_inline(token.children or [], source.display, line, scan)
            elif token.type == "html_block":
                scan_html(token.content, source.display, line, scan)
        self.scans[source.display] = scan
        return scan


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
