"""The build as a straight line: load -> render -> lay out -> theme -> write, the search index beside."""

from __future__ import annotations

import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from flagstone.acceleration.gc_pause import collector_paused
from flagstone.assemble import (
    PageLayout,
    assemble,
    content_pieces,
    ids_with_marks,
    layout_key,
    part_warnings,
    split_pieces,
)
from flagstone.errors import DocumentError, Problem
from flagstone.forked import in_child
from flagstone.loading.project import discover, layout_warnings, load_page
from flagstone.markdown_twins import llms_full, llms_index, twin_file, twin_page
from flagstone.markup.highlight import StyleRules, style_rules, unstyled_classes
from flagstone.models import BuildOptions, BuildReport, PageSource, RenderedPage
from flagstone.paths import Project
from flagstone.progress import Progress, no_progress
from flagstone.rendering import PageParts, default_workers, plan_render, render_files
from flagstone.search_engines import (
    NOT_FOUND_FILE,
    first_paragraph,
    not_found_page,
    robots,
    site_url_of,
    sitemap,
    with_site_url,
)
from flagstone.search_index import INDEX_FILE, Section, page_sections, script, section_words
from flagstone.site_writer import OutputFile, SiteWriter, check_output_dir, output_lock
from flagstone.split import SplitPage, split_mode, split_page
from flagstone.storage.stamp import input_stamp, record_build
from flagstone.storage.store import Store, content_key
from flagstone.theme import ASSET_DIR, SiteInfo, Theme, css_classes

_ENCODED_SLICE = 1 << 20  # characters of a page's content encoded and handed to the writer at once
# From this much Markdown the search index is made in a forked child, on the other core, while this
# process lays out, themes and writes the pages. Measured (2 shared cores, alternating cold builds):
# Kittn (10 KB) 9 ms and 217 KB 11 ms slower with the child, 874 KB 84 ms faster.
_INDEX_CHILD = 512 * 1024  # bytes
_LOGOS = ("images/logo.png", "images/logo.svg", "images/logo.jpg")
_FAVICONS = (
    "favicon.ico",
    "favicon.png",
    "favicon.svg",
    "images/favicon.ico",
    "images/favicon.png",
    "images/favicon.svg",
)


@dataclass(frozen=True)
class Loaded:
    """The project as read: its pages, its static files (by their path in the site), its warnings."""

    pages: tuple[PageSource, ...]
    statics: dict[str, Path]
    warnings: tuple[Problem, ...]
    strict_only: tuple[Problem, ...] = ()  # held back unless the build is --strict


@dataclass(frozen=True)
class LaidOut:
    """A page with its ids placed: reused from the store (`layout`), placed now (`placed`, without
    content), or cut into split files (`split`)."""

    page: PageSource
    parts: PageParts
    key: str | None = None  # of its layout in the store
    layout: PageLayout | None = None
    placed: RenderedPage | None = None
    split: SplitPage | None = None


def build(
    options: BuildOptions,
    progress: Progress = no_progress,
    store: Store | None = None,
    digest_files: bool = False,
) -> BuildReport:
    """Build the site. A long-running caller (serve) passes one `store` to every build, which then
    reuses what earlier builds made from the same inputs; with `digest_files` the report carries each
    written file's digest."""
    # One build at a time into an output folder: another build into it is waited for (see output_lock).
    with collector_paused(), output_lock(options.out, _say_waiting):
        return _build(options, progress, store, digest_files)


def _build(options: BuildOptions, progress: Progress, kept: Store | None, digest_files: bool) -> BuildReport:
    started = time.perf_counter()
    project = Project.existing(options.project)
    check_output_dir(options.out, project.root, project.source)
    stamp = input_stamp(options)  # taken first: an edit made during the build is seen by the next one
    store = kept or (Store.for_project(project.root) if options.use_cache else Store())

    loaded = load(project, options, keep=store.folder is not None)
    theme = Theme.of(project, options.theme)
    site = site_info(loaded)
    assets = theme.assets()
    styles = highlight_styles(loaded, store)
    plan = plan_render(list(loaded.pages), unstyled(styles, loaded, assets))
    files = render_files(plan, store, options.workers or default_workers(), progress)
    with index_beside(loaded.pages, files, store, theme, site, options, alone=kept is None) as index:
        laid_out = lay_out(loaded, files, theme, site, store, options)
        warnings = loaded.warnings + tuple(w for page in laid_out for w in page_warnings(page))
        if options.strict and warnings:
            raise DocumentError(*warnings)
        with SiteWriter(options.out, digest_files) as site_files:
            for name, path in loaded.statics.items():
                site_files.add(OutputFile(name, copy_from=path))
            for asset in assets + theme.highlight_css(styles):
                site_files.add(asset)
            for done, page in enumerate(laid_out, 1):
                write_page(site_files, page, theme, site, store)
                progress("theme", done, len(laid_out))
            more = [file.source for page in laid_out if page.split for file in page.split.files[1:]]
            headings = [index_headings(page) for page in laid_out]
            for extra in _published_files(list(loaded.pages), headings, theme, site, more):
                site_files.add(extra)
            if any(page.settings.search for page in loaded.pages):
                data = index() if index else search_index(laid_out, store)
                site_files.add(OutputFile(f"{ASSET_DIR}/{INDEX_FILE}", data))
    store.finish()
    report = BuildReport(
        len(loaded.pages),
        site_files.count,
        warnings,
        time.perf_counter() - started,
        outputs=tuple(page.output for page in loaded.pages),
        file_digests=tuple(sorted((site_files.digests or {}).items())),
        inputs=tuple(sorted({entry for page in loaded.pages for entry in page.inputs})),
        rendered=tuple(zip(loaded.pages, files, strict=True)),
        strict_only=loaded.strict_only,
    )
    if options.use_cache:
        record_build(options, stamp, report)
    return report


def _say_waiting(message: str) -> None:
    print(f"flagstone: {message}", file=sys.stderr, flush=True)


def load(project: Project, options: BuildOptions, keep: bool = True) -> Loaded:
    """Every page read with its includes and settings; the problems of all pages reported together.
    With `keep`, what loading makes (an OpenAPI reference's pieces) is kept for the next build."""
    page_paths, statics = discover(project)
    if not page_paths:
        raise DocumentError(
            Problem(
                project.display(project.source),
                None,
                "no pages found (expected source/index.html.md or other *.html.md files)",
            )
        )
    loaded: list[tuple[PageSource, tuple[Problem, ...]]] = []
    problems: list[Problem] = []
    for path in page_paths:
        try:
            loaded.append(load_page(project, path, keep))
        except DocumentError as error:
            problems.extend(error.problems)
    if problems:
        raise DocumentError(*problems)
    site_url = site_url_of([page for page, _ in loaded], options.site_url)
    warnings = layout_warnings(project) + tuple(
        w for _, found in loaded for w in found if options.strict or not w.strict_only
    )
    return Loaded(
        tuple(with_site_url(page, site_url) for page, _ in loaded),
        {path.relative_to(project.source).as_posix(): path for path in statics},
        warnings,
        tuple(w for _, found in loaded for w in found if w.strict_only and not options.strict),
    )


def site_info(loaded: Loaded) -> SiteInfo:
    """What every page's template sees of the site: its logo, favicon and pages."""
    return SiteInfo(
        logo=next((name for name in _LOGOS if name in loaded.statics), None),
        favicon=next((name for name in _FAVICONS if name in loaded.statics), None),
        pages=tuple((page.output, page.settings.title) for page in loaded.pages),
    )


def highlight_styles(loaded: Loaded, store: Store) -> dict[str, StyleRules]:
    """Each highlight style's rules, from the store where it has them (see style_rules)."""
    found: dict[str, StyleRules] = {}
    for style in sorted({page.settings.highlight_theme for page in loaded.pages}):
        key = content_key("style", style)
        known = store.get(key, (StyleRules,))
        found[style] = known if isinstance(known, StyleRules) else style_rules(style)
        if found[style] is not known:
            store.put(key, found[style])
    return found


def unstyled(
    styles: dict[str, StyleRules], loaded: Loaded, assets: list[OutputFile]
) -> dict[str, tuple[str, ...]]:
    """For each style, the token classes no stylesheet of the site can tell from plain code: their
    code is written without spans (see unstyled_classes)."""
    sheets = [*loaded.statics.values(), *(asset.copy_from for asset in assets if asset.copy_from)]
    styled = css_classes(sheets)
    return {style: tuple(sorted(unstyled_classes(rules) - styled)) for style, rules in styles.items()}


def lay_out(
    loaded: Loaded,
    files: list[PageParts],
    theme: Theme,
    site: SiteInfo,
    store: Store,
    options: BuildOptions,
    with_toc: bool = True,
) -> list[LaidOut]:
    """Every page's ids and TOC: the last layout of the same headings, settings, site and theme where
    the store has it; split pages cut into their files (see split.py)."""
    taken = {*loaded.statics, *(page.output for page in loaded.pages)}
    laid_out = []
    for page, parts in zip(loaded.pages, files, strict=True):
        mode = split_mode(page, options.split)
        if mode:
            laid_out.append(
                LaidOut(page, parts, split=split_page(*split_pieces(page, parts[0], parts[1:]), mode, taken))
            )
            continue
        key = layout_key(page, parts, theme.fingerprint, site)
        layout = store.get(key, (PageLayout,)) if key else None
        if isinstance(layout, PageLayout):
            laid_out.append(LaidOut(page, parts, key, layout))
        else:
            laid_out.append(
                LaidOut(
                    page,
                    parts,
                    key,
                    placed=assemble(page, parts[0], parts[1:], with_content=False, with_toc=with_toc),
                )
            )
    return laid_out


def page_warnings(page: LaidOut) -> tuple[Problem, ...]:
    return page.placed.warnings if page.placed else part_warnings(page.parts)


def write_page(site_files: SiteWriter, page: LaidOut, theme: Theme, site: SiteInfo, store: Store) -> None:
    """The page themed and written; a layout made now is kept in the store for the next build."""
    if page.split:
        for file in page.split.files:
            _write_whole(site_files, file, theme, site, (file.content_html,))
        return
    layout = page.layout
    if layout is None:
        assert page.placed is not None
        around = theme.around(page.placed, site)
        if around is None:  # a template that does not write the content once, as it is
            whole = assemble(page.page, page.parts[0], page.parts[1:])
            site_files.add(OutputFile(page.page.output, theme.render_whole(whole, site).encode()))
            return
        layout = PageLayout(page.placed.heading_marks, *around)
        if page.key:
            store.put(page.key, layout)
    content = content_pieces(page.parts, layout.marks, store if store.lasting else None)
    _stream(site_files, page.page.output, layout.before, content, layout.after)


def _write_whole(
    site_files: SiteWriter, page: RenderedPage, theme: Theme, site: SiteInfo, content: Iterable[str]
) -> None:
    around = theme.around(page, site)
    if around is None:
        site_files.add(OutputFile(page.source.output, theme.render_whole(page, site).encode()))
    else:
        _stream(site_files, page.source.output, around[0], content, around[1])


def _stream(site_files: SiteWriter, output: str, before: str, content: Iterable[str], after: str) -> None:
    # Encoded a slice at a time as the writer takes them: a page of tens of megabytes is never held
    # joined, nor encoded whole beside its text.
    with site_files.streamed(output) as write:
        write(before.encode())
        for text in content:
            for start in range(0, len(text), _ENCODED_SLICE):
                write(text[start : start + _ENCODED_SLICE].encode())
        write(after.encode())


def index_headings(page: LaidOut) -> Iterator[tuple[int, str, str]]:
    """The page's headings as the index and the Markdown twins take them (level, id, title): their
    ids from its layout when it was reused (no PlacedHeading made for the thousands of a large page)."""
    if page.layout:
        return (
            (h.level, heading_id, h.text) for h, heading_id in ids_with_marks(page.parts, page.layout.marks)
        )
    placed = page.placed or (page.split.files[0] if page.split else None)
    assert placed is not None
    return ((h.level, h.id, h.text) for h in placed.headings)


def search_index(laid_out: Sequence[LaidOut], store: Store) -> bytes:
    """The search index of the pages with search on, from their headings and the words after each
    (not their HTML). A split page is one page of the index per file, each section on the file
    holding its heading."""
    sections: list[Section] = []
    entries: list[tuple[str, str]] = []
    for page in laid_out:
        if not page.page.settings.search:
            continue
        found = page_sections(len(entries), index_headings(page), section_words(page.parts))
        if page.split is None:
            entries.append((page.page.output, page.page.settings.title))
            sections.extend(found)
            continue
        first = len(entries)
        entries.extend((file.source.output, page.page.settings.title) for file in page.split.files)
        sections.extend(replace(s, page=first + page.split.where.get(s.id, 0)) for s in found)
    return script(entries, sections, store)


@contextmanager
def index_beside(
    pages: Sequence[PageSource],
    files: list[PageParts],
    store: Store,
    theme: Theme,
    site: SiteInfo,
    options: BuildOptions,
    alone: bool,
) -> Iterator[Callable[[], bytes] | None]:
    """The search index made in a forked child, when it is worth it (see _INDEX_CHILD): a build in a
    process of its own (`alone`; serve's store keeps the index in memory) with enough Markdown and no
    split page (whose index needs its files). None otherwise: the index is made once the pages are."""
    markdown = sum(len(part.source.text) for page in pages for part in (page.body, *page.includes))
    searchable = any(page.settings.search for page in pages)
    if not (alone and searchable and markdown >= _INDEX_CHILD) or any(
        split_mode(p, options.split) for p in pages
    ):
        with nullcontext(None) as nothing:
            yield nothing
        return

    def in_the_child() -> bytes:
        laid_out = lay_out(Loaded(tuple(pages), {}, ()), files, theme, site, store, options, with_toc=False)
        data = search_index(laid_out, store)
        return pickle.dumps((data, store.used("index-block")))

    with in_child(in_the_child) as result:

        def index() -> bytes:
            data, used = pickle.loads(result())
            store.keep(used)  # the child's entries: this build's too
            return data  # type: ignore[no-any-return]

        yield index


def _published_files(
    pages: list[PageSource],
    headings: Sequence[Iterable[tuple[int, str, str]]],
    theme: Theme,
    site: SiteInfo,
    split_files: Sequence[PageSource] = (),
) -> Iterator[OutputFile]:
    """The files for readers beyond the pages: Markdown twins and llms.txt for AI assistants, and with
    a `site_url`, the sitemap (split pages' other files too), robots.txt and the 404 page for search
    engines and hosts."""
    # The site's front page first: it names the site and gives the summary.
    ordered = sorted(zip(pages, headings, strict=True), key=lambda pair: pair[0].output != "index.html")
    pages = [page for page, _ in ordered]
    twins = [twin_page(page, found) for page, found in ordered if page.settings.llms]
    base_url = f"{pages[0].settings.site_url}/" if pages[0].settings.site_url else ""
    if twins:
        yield from (twin_file(twin) for twin in twins)
        yield llms_index(twins, pages[0].settings.description or first_paragraph(twins[0].markdown), base_url)
        yield llms_full(twins, base_url)
    map_file = sitemap([*pages, *split_files])
    if map_file and base_url:
        yield map_file
        yield robots(pages[0].settings.site_url)
        yield OutputFile(NOT_FOUND_FILE, theme.render_whole(not_found_page(pages[0]), site).encode())
