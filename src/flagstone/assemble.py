"""A page's rendered files joined in order, with heading ids made unique without breaking Slate's links."""

from __future__ import annotations

import re
from collections.abc import Iterator

from flagstone.errors import Problem
from flagstone.markup.render import HEADING_MARK, PARTIAL_MARK, SECTION_MARK, UNBALANCED_MARK
from flagstone.markup.slugs import SlugCounter
from flagstone.models import Heading, PageSource, PlacedHeading, RenderedPage, RenderedPart
from flagstone.toc import build_toc


def _walk(part: RenderedPart) -> Iterator[RenderedPart]:
    yield part
    for partial in part.partials:
        yield from _walk(partial)


def slate_ids(part: RenderedPart) -> list[str]:
    """The ids Slate gives one file's headings: numbered within that file only (`x`, `x-2`, ...)."""
    counter = SlugCounter()
    return [h.slug if h.fixed else counter.number(h.slug) for h in part.fragment.headings]


class _IdPlacer:
    """Gives each heading its final id, walking the page in order.

    Slate numbers repeated ids per file, so one page can hold the same id twice; a link reaches the first.
    The first holder keeps the id, and a later one gets its base with the next suffix Slate's page never
    used, so every id that worked on the Slate site still leads where it led.
    """

    def __init__(self, parts: tuple[RenderedPart, ...], section_break: str) -> None:
        self.section_break = section_break  # what a SECTION_MARK becomes, once the section is long enough
        self.section_length = 0  # characters written since the last break, up to the current piece
        self.piece_start = 0  # where the current piece's unwritten characters start
        self.slate_ids = {id(part): slate_ids(part) for root in parts for part in _walk(root)}
        self.taken = {slug for ids in self.slate_ids.values() for slug in ids if slug}
        self.placed_ids: set[str] = set()
        self.placed: list[PlacedHeading] = []
        # `taken` only grows, so the first free suffix of a base never moves back: resuming the search
        # where it stopped keeps thousands of "HTTP Request" headings linear, not quadratic.
        self.next_suffix: dict[str, int] = {}

    def place(self, heading: Heading, slate_id: str) -> str:
        heading_id = slate_id
        if not heading.fixed and heading_id in self.placed_ids:
            suffix = self.next_suffix.get(heading.slug, 2)
            while f"{heading.slug}-{suffix}" in self.taken:
                suffix += 1
            heading_id = f"{heading.slug}-{suffix}"
            self.next_suffix[heading.slug] = suffix + 1
            self.taken.add(heading_id)
        if heading_id:
            self.placed_ids.add(heading_id)
        self.placed.append(PlacedHeading(heading.level, heading_id, heading.inner_html, heading.text))
        return "" if heading.fixed else heading_id

    def expand(self, part: RenderedPart) -> Iterator[str]:
        """The part's HTML with final ids, its partials' HTML spliced in where they were called."""
        headings, ids = part.fragment.headings, self.slate_ids[id(part)]

        def mark(match: re.Match[str]) -> str:
            if match[1] is not None:
                index = int(match[1])
                return self.place(headings[index], ids[index])
            self.section_length += match.start() - self.piece_start
            self.piece_start = match.end()
            if self.section_length < MIN_SECTION_LENGTH:
                return ""
            self.section_length = 0
            return self.section_break

        pieces = PARTIAL_MARK.split(part.fragment.html.removeprefix(UNBALANCED_MARK))
        for index, piece in enumerate(pieces):
            if index % 2:
                yield from self.expand(part.partials[int(piece)])
            else:
                self.piece_start = 0
                marked = _MARKS.sub(mark, piece)
                self.section_length += len(piece) - self.piece_start
                yield marked


_SECTION_BREAK = "</section>\n<section>\n"
# Sections join consecutive h1/h2 blocks up to about this many characters of HTML (a few endpoints).
# The browser tracks every section off screen on every frame (content-visibility, the TOC's observer):
# one per h2 made a keystroke in the search box cost 20 ms of that at 5000 endpoints.
MIN_SECTION_LENGTH = 16_000
# Both marks in one pass: a page can be tens of megabytes, and every pass over it costs.
_MARKS = re.compile(f"{re.escape(SECTION_MARK)}|{HEADING_MARK.pattern}")


def _sectioned(parts: tuple[RenderedPart, ...]) -> tuple[str, _IdPlacer]:
    """The page's content as <section> elements, each starting at an h1 or h2 and running to a later one.

    Headings already end the floats of the code column (`clear: both`), so a section is a self-contained
    block: the theme lets the browser skip laying out and painting sections off screen, and a tab switch
    or a scroll then costs a few sections, not every paragraph of a large page. A page whose raw HTML
    could be cut by a boundary is one section.
    """
    balanced = not any(p.fragment.html.startswith(UNBALANCED_MARK) for root in parts for p in _walk(root))
    placer = _IdPlacer(parts, _SECTION_BREAK if balanced else "")
    pieces = [piece for part in parts for piece in placer.expand(part) if piece]
    if not pieces:
        return "", placer
    if pieces[0].startswith(_SECTION_BREAK):  # the page starts with a heading: no empty first section
        pieces[0] = pieces[0][len(_SECTION_BREAK) :]
    return "".join(("<section>\n", *pieces, "</section>\n")), placer


def assemble(page: PageSource, body: RenderedPart, includes: tuple[RenderedPart, ...]) -> RenderedPage:
    parts = (body, *includes)
    content, placer = _sectioned(parts)
    headings = tuple(placer.placed)
    warnings: tuple[Problem, ...] = tuple(
        w for root in parts for part in _walk(root) for w in part.fragment.warnings
    )
    return RenderedPage(page, content, headings, build_toc(headings, page.settings.heading_level), warnings)
