"""A page's rendered files joined in order, with heading ids made unique without breaking Slate's links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flagstone.errors import Problem
from flagstone.markup.render import HEADING_MARK, PARTIAL_MARK, SECTION_MARK, UNBALANCED_MARK
from flagstone.markup.slugs import SlugCounter
from flagstone.models import (
    Heading,
    PageSource,
    PlacedHeading,
    RenderedPage,
    RenderedPart,
    TocEntry,
)
from flagstone.storage.files import content_digest
from flagstone.storage.store import Store
from flagstone.toc import build_toc


def _walk(part: RenderedPart) -> Iterator[RenderedPart]:
    yield part
    for partial in part.partials:
        yield from _walk(partial)


def slate_ids(part: RenderedPart) -> list[str]:
    """The ids Slate gives one file's headings: numbered within that file only (`x`, `x-2`, ...)."""
    counter = SlugCounter()
    return [h.slug if h.fixed else counter.number(h.slug) for h in part.fragment.headings]


@dataclass(frozen=True)
class _Headings:
    """One top-level file's headings (its partials' included) as the page shows them."""

    in_page_order: tuple[tuple[Heading, str], ...]  # each with its Slate id
    slate_ids: tuple[str, ...]  # every Slate id of the file and its partials, marked or not


def _in_page_order(part: RenderedPart, ids_of: dict[int, list[str]]) -> Iterator[tuple[Heading, str]]:
    """The part's headings with their Slate ids (`ids_of`, by id of part), as the page shows them:
    its partials' headings where the partials are called."""
    headings, ids = part.fragment.headings, ids_of[id(part)]
    if not part.partials and part.fragment.marks_in_order:
        yield from zip(headings, ids, strict=True)
        return
    for index, piece in enumerate(_pieces(part)):
        if index % 2:
            yield from _in_page_order(part.partials[int(piece)], ids_of)
        else:
            for number in HEADING_MARK.findall(piece):
                yield headings[int(number)], ids[int(number)]


def _headings(part: RenderedPart) -> _Headings:
    ids_of = {id(p): slate_ids(p) for p in _walk(part)}
    return _Headings(
        tuple(_in_page_order(part, ids_of)), tuple(slug for ids in ids_of.values() for slug in ids)
    )


@dataclass(frozen=True)
class _Placement:
    """Every heading of a page with its final id, and the page's table of contents."""

    files: tuple[tuple[tuple[Heading, str], ...], ...]  # what it was made from: _Headings, per file
    heading_level: int
    marks: tuple[tuple[str, ...], ...]  # per top-level file: what each heading marker becomes
    headings: tuple[PlacedHeading, ...]
    toc: tuple[TocEntry, ...]


def _placement(page: PageSource, parts: tuple[RenderedPart, ...], with_toc: bool = True) -> _Placement:
    """The page's ids, and its TOC if `with_toc`."""
    files = tuple(_headings(part) for part in parts)
    orders = tuple(f.in_page_order for f in files)
    level = page.settings.heading_level
    placer = _IdPlacer({slug for f in files for slug in f.slate_ids if slug})
    marks = tuple(tuple(placer.place(h, slate_id) for h, slate_id in order) for order in orders)
    headings = tuple(placer.placed)
    return _Placement(orders, level, marks, headings, build_toc(headings, level) if with_toc else ())


class _IdPlacer:
    """Gives each heading its final id, in page order.

    Slate numbers repeated ids per file, so one page can hold the same id twice; a link reaches the first.
    The first holder keeps the id, and a later one gets its base with the next suffix Slate's page never
    used, so every id that worked on the Slate site still leads where it led.
    """

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken  # every Slate id of the page, and every id given so far
        self.placed_ids: set[str] = set()
        self.placed: list[PlacedHeading] = []
        # `taken` only grows, so the first free suffix of a base never moves back: resuming the search
        # where it stopped keeps thousands of "HTTP Request" headings linear, not quadratic.
        self.next_suffix: dict[str, int] = {}

    def place(self, heading: Heading, slate_id: str) -> str:
        """The heading's id, and what its marker becomes (nothing for a raw heading with its own id)."""
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


def _pieces(part: RenderedPart) -> list[str]:
    """The part's HTML split at its partial calls: HTML, partial number, HTML, ..."""
    html = part.fragment.html.removeprefix(UNBALANCED_MARK)
    return PARTIAL_MARK.split(html) if part.partials else [html]


class _Expander:
    """Writes one top-level file's HTML with its final ids and the page's section breaks."""

    def __init__(self, ids: tuple[str, ...], section_break: str, section_length: int) -> None:
        self.ids = iter(ids)  # what each heading marker becomes, in page order
        self.section_break = section_break  # what a SECTION_MARK becomes, once the section is long enough
        self.section_length = section_length  # characters written since the last break, up to the piece
        self.piece_start = 0  # where the current piece's unwritten characters start
        # Split output (see split.py) marks every place a section may start; the file is cut there.
        self.min_length = 0 if section_break == SPLIT_BREAK else MIN_SECTION_LENGTH

    def expand_split(self, pieces: tuple[str, ...]) -> str:
        """What `mark` makes of a file without partials, from its HTML split at the markers' NULs
        (text, marker, text, ...): a page of tens of megabytes is not searched for its markers again.
        A heading marker counts towards the section as its characters did, the unbalanced one not."""
        return "".join(self.split_batches(pieces))

    def split_batches(self, pieces: tuple[str, ...]) -> Iterator[str]:
        """expand_split's text in batches of about _BATCH pieces, each whole (a section break is never
        cut), as it is made."""
        written = [pieces[0]]
        length = self.section_length + len(pieces[0])
        for index in range(1, len(pieces), 2):
            marker, text = pieces[index], pieces[index + 1]
            if marker == "-":  # SECTION_MARK
                if length >= self.min_length:
                    written.append(self.section_break)
                    length = 0
            elif marker != "!":  # a heading's number; "!" is UNBALANCED_MARK
                written.append(next(self.ids))
                length += len(marker) + 2
            written.append(text)
            length += len(text)
            if len(written) >= _BATCH:
                self.section_length = length
                yield "".join(written)
                written = []
        self.section_length = length
        yield "".join(written)

    def mark(self, match: re.Match[str]) -> str:
        if match[1] is not None:
            return next(self.ids)
        self.section_length += match.start() - self.piece_start
        self.piece_start = match.end()
        if self.section_length < self.min_length:
            return ""
        self.section_length = 0
        return self.section_break

    def expand(self, part: RenderedPart) -> Iterator[str]:
        if not part.partials:
            yield from self.split_batches(part.fragment.pieces)
            return
        for index, piece in enumerate(_pieces(part)):
            if index % 2:
                yield from self.expand(part.partials[int(piece)])
            else:
                self.piece_start = 0
                marked = _MARKS.sub(self.mark, piece)
                self.section_length += len(piece) - self.piece_start
                yield marked


_UNBALANCED = ("", "!")  # how a fragment's pieces start after UNBALANCED_MARK
_BATCH = 20_000  # pieces of a file's HTML joined at once as it is written out (see content_pieces)
_SECTION_BREAK = "</section>\n<section>\n"
SPLIT_BREAK = "\x00split\x00"  # where split output may cut: before every top-level h1 and h2
# Sections join consecutive h1/h2 blocks up to about this many characters of HTML (a few endpoints).
# The browser tracks every section off screen on every frame (content-visibility, the TOC's observer):
# one per h2 made a keystroke in the search box cost 20 ms of that at 5000 endpoints.
MIN_SECTION_LENGTH = 16_000
# Both marks in one pass: a page can be tens of megabytes, and every pass over it costs.
_MARKS = re.compile(f"{re.escape(SECTION_MARK)}|{HEADING_MARK.pattern}")


def _expanded(part: RenderedPart, ids: tuple[str, ...], section_break: str) -> str:
    """The part's HTML with final ids, its partials spliced in, and a section break at every mark."""
    return "".join(p for p in _Expander(ids, section_break, 0).expand(part) if p)


def _sectioned(parts: tuple[RenderedPart, ...], marks: tuple[tuple[str, ...], ...]) -> str:
    """The page's content as <section> elements, each starting at an h1 or h2 and running to a later one.

    Headings already end the floats of the code column (`clear: both`), so a section is a self-contained
    block: the theme lets the browser skip laying out and painting sections off screen, and a tab switch
    or a scroll then costs a few sections, not every paragraph of a large page. A page whose raw HTML
    could be cut by a boundary is one section.
    """
    return "".join(content_pieces(parts, marks))


def _balanced(parts: tuple[RenderedPart, ...]) -> bool:
    return not any(p.fragment.pieces[:2] == _UNBALANCED for root in parts for p in _walk(root))


def content_pieces(
    parts: tuple[RenderedPart, ...], marks: tuple[tuple[str, ...], ...], keep: Store | None = None
) -> Iterator[str]:
    """The page's content (see _sectioned), file by file as it is made, its heading markers becoming
    `marks`: written out as it comes, a page of tens of megabytes is never joined. With a store to
    `keep` them in (serve's), each file's share is kept whole, and the next build reuses it while the
    file, its ids and the section state it starts in are the same: all but the file just edited."""
    balanced = _balanced(parts)
    section_break = _SECTION_BREAK if balanced else ""
    section_length = 0
    opened = False
    for part, part_marks in zip(parts, marks, strict=True):
        if keep is None:
            expander = _Expander(part_marks, section_break, section_length)
            batches: Iterable[str] = expander.expand(part)
        else:
            batches, after = _kept_expansion(part, part_marks, section_break, section_length, keep)
        for html in batches:
            if not html:
                continue
            if not opened:
                opened = True
                yield "<section>\n"
                # The page starts with a heading: no empty first section.
                html = html.removeprefix(_SECTION_BREAK)
            yield html
        section_length = expander.section_length if keep is None else after
    if opened:
        yield "</section>\n"


def _tree_key(part: RenderedPart) -> tuple[object, ...]:
    return (part.key, *(_tree_key(partial) for partial in part.partials))


def _kept_expansion(
    part: RenderedPart, marks: tuple[str, ...], section_break: str, section_length: int, keep: Store
) -> tuple[tuple[str], int]:
    """The part's expansion and the section length at its end, from `keep` or made and kept there."""
    key = ("expansion", _tree_key(part), marks, section_break, section_length)
    known = keep.get(key)
    if not isinstance(known, tuple):
        expander = _Expander(marks, section_break, section_length)
        known = ("".join(expander.expand(part)),), expander.section_length
        keep.put(key, known, durable=False)  # memory only: it is most of a page's bytes
    return known


def assemble(
    page: PageSource,
    body: RenderedPart,
    includes: tuple[RenderedPart, ...],
    with_content: bool = True,
    with_toc: bool | None = None,
) -> RenderedPage:
    """The page with final ids (and its HTML and TOC unless `with_content` is false; its TOC all the
    same with `with_toc`)."""
    parts = (body, *includes)
    # Every id first: the placement runs over headings only. The TOC is for the theme, not the index.
    placement = _placement(page, parts, with_toc=with_content if with_toc is None else with_toc)
    content = _sectioned(parts, placement.marks) if with_content else ""
    return RenderedPage(
        page, content, placement.headings, placement.toc, part_warnings(parts), heading_marks=placement.marks
    )


def split_pieces(
    page: PageSource, body: RenderedPart, includes: tuple[RenderedPart, ...]
) -> tuple[RenderedPage, tuple[tuple[str, ...], ...], bool]:
    """The page for split output: its headings and TOC (no content), each top-level file's HTML cut
    before every top-level h1 and h2, and whether sections may break at those cuts (no raw HTML that
    a cut could leave unbalanced)."""
    parts = (body, *includes)
    placement = _placement(page, parts)
    cut = tuple(
        tuple(_expanded(part, part_marks, SPLIT_BREAK).split(SPLIT_BREAK))
        for part, part_marks in zip(parts, placement.marks, strict=True)
    )
    assembled = RenderedPage(
        page, "", placement.headings, placement.toc, part_warnings(parts), heading_marks=placement.marks
    )
    return assembled, cut, _balanced(parts)


def ids_with_marks(
    parts: tuple[RenderedPart, ...], marks: tuple[tuple[str, ...], ...]
) -> Iterator[tuple[Heading, str]]:
    """The page's headings with the ids the last build gave the same headings (its stored layout), in
    page order: for a page without partials, its markers in order."""
    for part, part_marks in zip(parts, marks, strict=True):
        for heading, mark in zip(part.fragment.headings, part_marks, strict=True):
            yield heading, heading.slug if heading.fixed else mark


def part_warnings(parts: tuple[RenderedPart, ...]) -> tuple[Problem, ...]:
    """The warnings of a page's files, partials included."""
    return tuple(w for root in parts for part in _walk(root) for w in part.fragment.warnings)


@dataclass(frozen=True)
class PageLayout:
    """A page as a build laid it out around its files' HTML: kept in the store for the next build."""

    marks: tuple[tuple[str, ...], ...]  # per top-level file: what each heading marker became
    before: str  # the theme's HTML before the content
    after: str  # and after it


def layout_key(page: PageSource, parts: tuple[RenderedPart, ...], *around: object) -> str | None:
    """The store's key of the page's layout, from everything it is made of (`around`: the theme's
    fingerprint and the site); None for a page whose layout is made afresh every time.

    The ids and the TOC come from the files' headings alone (their digests, file by file: Slate numbers
    repeated ids within a file), and the template sees the page's settings, its warnings and the site.
    A page with partials, or with a file whose heading markers are out of order, takes its heading order
    from its HTML.
    """
    if any(part.partials or not part.fragment.marks_in_order for part in parts):
        return None
    files = [(part.fragment.headings_digest, part.fragment.warnings) for part in parts]
    return f"layout/{content_digest((around, page.path, page.display, page.output, page.settings, files))}"
