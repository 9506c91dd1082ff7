"""Small frozen records passed from one build stage to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flagstone.errors import Problem

# Front matter's records are declared with its key table; they are passed on from here like the others.
from flagstone.loading.front_matter_keys import SITE_URL as SITE_URL
from flagstone.loading.front_matter_keys import IncludeRef as IncludeRef
from flagstone.loading.front_matter_keys import LanguageTab as LanguageTab
from flagstone.loading.front_matter_keys import PageSettings as PageSettings

_NUL = "\x00"  # what delimits the markers in a rendered file's HTML (markup.render.MARK)


@dataclass(frozen=True)
class BuildOptions:
    """What `flagstone build` was asked to do."""

    project: Path
    out: Path
    strict: bool = False
    theme: Path | None = None
    use_cache: bool = True
    workers: int = 0  # 0: one per core
    site_url: str | None = None  # overrides the pages' `site_url`
    split: str | None = None  # overrides the pages' `split` ("" for none)


@dataclass(frozen=True)
class BuildReport:
    pages: int
    files: int
    warnings: tuple[Problem, ...]
    seconds: float
    up_to_date: bool = False
    outputs: tuple[str, ...] = ()  # the pages' paths in the site
    # (path in the site, SHA-256 of its bytes) for every file written, when the build was asked for them
    file_digests: tuple[tuple[str, bytes], ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()  # files read beyond source/ and includes/ (PageSource.inputs)
    # For `flagstone check`: each page with its rendered files, and the warnings only --strict reports.
    rendered: tuple[tuple[PageSource, tuple[RenderedPart, ...]], ...] = field(
        default=(), compare=False, repr=False
    )
    strict_only: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class SourceText:
    """The text of one Markdown file, decoded and with line endings normalised.

    `first_line` is the file line number of the first line of `text` (after a front matter block).
    """

    path: Path
    display: str
    text: str
    first_line: int = 1


@dataclass(frozen=True, slots=True)  # slots: a large file has tens of thousands
class Heading:
    """A heading as one file's render found it.

    `slug` is Slate's id before numbering repeats (`http-request`); numbering depends on the whole file,
    so it happens when the page is assembled. `fixed` marks a raw HTML heading, whose `slug` is the
    author's id (possibly empty) and is never changed.
    """

    level: int
    slug: str
    inner_html: str
    text: str
    line: int
    fixed: bool = False


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


@dataclass(frozen=True)
class Fragment:
    """One file rendered to HTML.

    The HTML carries a marker where each heading's id goes (see markup.render), so that the page
    can number ids across all its files afterwards, and a marker for each ERB `partial` call. It is
    kept split at the NULs that delimit the markers (`pieces`: text, marker, text, ...; NUL is never
    in the text), the way the page is put together from it.
    """

    pieces: tuple[str, ...]
    headings: tuple[Heading, ...]
    warnings: tuple[Problem, ...] = ()
    search_words: tuple[str, ...] = ()  # for pages with search: see search_index.fragment_words
    unstyled: tuple[str, ...] = ()  # the token classes its code has without spans
    marks_in_order: bool = False  # every heading's marker in the HTML once, in the order of `headings`
    # A digest of what a page takes from the headings (all but their lines): files with equal digests
    # give their page the same ids and TOC (see layouts).
    headings_digest: str = ""
    references: tuple[Reference, ...] = ()  # its links and images, for `flagstone check`
    html_ids: tuple[Declaration, ...] = ()  # the ids its raw HTML declares

    @classmethod
    def from_html(cls, html: str, headings: tuple[Heading, ...], **fields: Any) -> Fragment:
        return cls(tuple(html.split(_NUL)), headings, **fields)

    @property
    def html(self) -> str:
        return _NUL.join(self.pieces)


@dataclass(frozen=True)
class RenderedPart:
    """A rendered file with the rendered files of its ERB partials, in call order."""

    fragment: Fragment
    partials: tuple[RenderedPart, ...] = ()
    key: str = ""  # the store's key of its fragment


@dataclass(frozen=True)
class PartSource:
    """A file that contributes to a page (the page itself, an include or a partial)."""

    source: SourceText
    partials: tuple[PartSource, ...] = ()


@dataclass(frozen=True)
class PageSource:
    """A page found in `source/`, with its settings and every file it is made of, in order."""

    path: Path
    display: str
    output: str  # relative POSIX path of the HTML file in the site
    settings: PageSettings
    body: PartSource
    includes: tuple[PartSource, ...] = ()
    # Files read beyond source/ and includes/ (an OpenAPI spec): (absolute path, "size\tmtime_ns")
    inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PlacedHeading:
    """A heading with its final, page-unique id."""

    level: int
    id: str
    inner_html: str
    text: str


@dataclass(frozen=True, slots=True)
class TocEntry:
    id: str
    text: str
    inner_html: str
    level: int
    children: tuple[TocEntry, ...] = ()
    file: str = ""  # split output: the file holding the heading, when not the page showing the TOC


@dataclass(frozen=True)
class RenderedPage:
    """A page's content with final ids, ready for the theme."""

    source: PageSource
    content_html: str
    headings: tuple[PlacedHeading, ...]
    toc: tuple[TocEntry, ...]
    warnings: tuple[Problem, ...] = field(default=())
    # Per top-level file, what each heading marker became: with the template's output around the
    # content, what `flagstone build` keeps of the page for the next run (see layouts).
    heading_marks: tuple[tuple[str, ...], ...] = ()
    split_of: str = ""  # split output: the page this file is a part of
