"""The build, as a straight line: load -> parse -> render -> TOC/search -> theme -> write."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path

from flagstone.acceleration.gc_pause import collector_paused
from flagstone.assemble import assemble, content_pieces, ids_with_marks, part_warnings, split_pieces
from flagstone.cache import FragmentCache, renderer_fingerprint
from flagstone.errors import DocumentError, Problem
from flagstone.forked import Signal, in_child
from flagstone.incremental import input_stamp, record_build, state_folder
from flagstone.layouts import LayoutKey, PageLayout, PageLayouts
from flagstone.loading.project import discover, layout_warnings, load_page
from flagstone.markdown_twins import llms_full, llms_index, twin_file, twin_page
from flagstone.markup.highlight import StyleRules, style_rules, unstyled_classes
from flagstone.memo import Memo, StoredMemo
from flagstone.models import BuildOptions, BuildReport, PageSource, RenderedPage
from flagstone.paths import Project
from flagstone.progress import Progress, no_progress
from flagstone.rendering import (
    PageParts,
    default_workers,
    plan_render,
    render_beside,
    render_files,
)
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
from flagstone.theme import ASSET_DIR, SiteInfo, Theme, css_classes

BLOCKS_FILE = "search-blocks"  # in the project's state folder: the search index's blocks (StoredMemo)
STYLES_FILE = "highlight-styles"  # and the highlight styles' rules (StoredMemo of StyleRules)
LAYOUTS_FILE = "page-layouts"  # and there, the pages' layouts (StoredMemo of layouts.PageLayout)
_ENCODED_SLICE = 1 << 20  # characters of a page's content encoded and handed to the writer at once
# Below this much Markdown to render, the index child starts before the render (see _build).
_EARLY = 512 * 1024  # bytes
# Below this much Markdown in all, the index is made in this process: forking costs more than it
# saves. Measured (2 shared cores, alternating builds): Kittn (10 KB) 9 ms and 217 KB 11 ms slower
# with the child; 874 KB 84 ms faster.
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


def _load_all(project: Project, paths: list[Path]) -> list[tuple[PageSource, tuple[Problem, ...]]]:
    """Every page loaded; the problems of all pages are reported together."""
    loaded: list[tuple[PageSource, tuple[Problem, ...]]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            loaded.append(load_page(project, path))
        except DocumentError as error:
            problems.extend(error.problems)
    if problems:
        raise DocumentError(*problems)
    return loaded


def _style_rules(styles: set[str], stored: StoredMemo | None) -> dict[str, StyleRules]:
    """Each highlight style's rules, from the last build's file where it has them (see style_rules)."""
    found: dict[str, StyleRules] = {}
    for style in sorted(styles):
        known = stored.get(("style", style)) if stored else None
        found[style] = known if isinstance(known, StyleRules) else style_rules(style)
        if stored and found[style] is not known:
            stored.put(("style", style), found[style])
    if stored:
        stored.save()
    return found


def _write_page(
    site_files: SiteWriter,
    page: RenderedPage,
    parts: PageParts | None,
    key: LayoutKey | None,
    theme: Theme,
    site: SiteInfo,
    memo: Memo | None,
    layouts: PageLayouts | None,
) -> None:
    """An assembled page, themed and written; its layout kept for the next build. Without a memo the
    page comes without its HTML (see _build), which is made from its `parts` as it is written; a split
    file (no `parts`) comes with its HTML."""
    around = theme.around(page, site, memo)
    if around is None:  # a template that does not write the content once, as it is
        whole = page if memo is not None or parts is None else assemble(page.source, parts[0], parts[1:])
        site_files.add(OutputFile(page.source.output, theme.render_whole(whole, site).encode()))
        return
    if layouts and key:
        layouts.keep(key, PageLayout(page.heading_marks, *around))
    content = (
        (page.content_html,)
        if memo is not None or parts is None
        else content_pieces(parts, page.heading_marks)
    )
    # Encoded a slice at a time as the writer takes them: a page of tens of megabytes is never held
    # joined, nor encoded whole beside its text.
    with site_files.streamed(page.source.output) as write:
        write(around[0].encode())
        for text in content:
            for start in range(0, len(text), _ENCODED_SLICE):
                write(text[start : start + _ENCODED_SLICE].encode())
        write(around[1].encode())


def _index_headings(
    page: PageSource, parts: PageParts, layout: PageLayout | None, assembled: RenderedPage | None = None
) -> Iterator[tuple[int, str, str]]:
    """The page's headings as the index takes them (level, id, title): their ids from its stored
    layout when it has one (no PlacedHeading made for the thousands of a large page), else from the
    page `assembled` here, else placed now."""
    if layout:
        return ((h.level, heading_id, h.text) for h, heading_id in ids_with_marks(parts, layout.marks))
    placed = assembled or assemble(page, parts[0], parts[1:], with_content=False)
    return ((h.level, h.id, h.text) for h in placed.headings)


def _index(
    pages: list[PageSource],
    files: list[PageParts],
    headings: Callable[[int], Iterable[tuple[int, str, str]]],
    blocks: Memo | None,
    splits: Mapping[int, SplitPage] | None = None,
) -> bytes:
    """The search index of the pages with search on, from their headings (`headings(n)` for page n)
    and the words after each: the pages' HTML is not needed for it. A split page (`splits`) is one
    page of the index per file, each section on the file holding its heading."""
    searchable = [number for number, page in enumerate(pages) if page.settings.search]
    sections: list[Section] = []
    entries: list[tuple[str, str]] = []
    for number in searchable:
        split = splits.get(number) if splits else None
        found = page_sections(len(entries), headings(number), section_words(files[number]))
        if split is None:
            entries.append((pages[number].output, pages[number].settings.title))
            sections.extend(found)
            continue
        first = len(entries)
        entries.extend((file.source.output, pages[number].settings.title) for file in split.files)
        sections.extend(replace(s, page=first + split.where.get(s.id, 0)) for s in found)
    return script(entries, sections, blocks)


def _search_index(
    pages: list[PageSource],
    files: Callable[[], list[PageParts]],
    layouts: PageLayouts | None,
    blocks: Memo | None,
) -> bytes:
    """The index as the child process makes it, from the files `files` gives it; a page's stored
    layout gives its ids without placing them again."""
    rendered = files()
    known = layouts.look_up(pages, rendered) if layouts else [(None, None)] * len(pages)
    return _index(pages, rendered, lambda n: _index_headings(pages[n], rendered[n], known[n][1]), blocks)


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


def _split_pages(
    pages: list[PageSource], files: list[PageParts], modes: list[str], taken: set[str], memo: Memo | None
) -> dict[int, SplitPage]:
    """The pages with split output (by page number), cut into their files (see split.py)."""
    splits = {}
    for number, (page, parts, mode) in enumerate(zip(pages, files, modes, strict=True)):
        if mode:
            splits[number] = split_page(*split_pieces(page, parts[0], parts[1:], memo), mode, taken)
    return splits


def build(
    options: BuildOptions,
    progress: Progress = no_progress,
    fragment_cache: FragmentCache | None = None,
    memo: Memo | None = None,
    digest_files: bool = False,
) -> BuildReport:
    """Build the site. A long-running caller (serve) passes one `fragment_cache` and one `memo` to
    every build: files, pages and index pieces unchanged since the last build are then reused; and
    with `digest_files` gets each written file's digest in the report, without reading it back."""
    # One build at a time into an output folder: another build into it is waited for (see output_lock).
    with collector_paused(), output_lock(options.out, _say_waiting):
        return _build(options, progress, fragment_cache, memo, digest_files)


def _say_waiting(message: str) -> None:
    print(f"flagstone: {message}", file=sys.stderr, flush=True)


def _build(
    options: BuildOptions,
    progress: Progress,
    fragment_cache: FragmentCache | None,
    memo: Memo | None,
    digest_files: bool,
) -> BuildReport:
    started = time.perf_counter()
    project = Project.existing(options.project)
    check_output_dir(options.out, project.root, project.source)
    inputs = input_stamp(options)  # taken first: an edit made during the build is seen by the next one

    page_paths, statics = discover(project)
    if not page_paths:
        raise DocumentError(
            Problem(
                project.display(project.source),
                None,
                "no pages found (expected source/index.html.md or other *.html.md files)",
            )
        )
    loaded = _load_all(project, page_paths)
    site_url = site_url_of([page for page, _ in loaded], options.site_url)
    pages = [with_site_url(page, site_url) for page, _ in loaded]
    if fragment_cache is None and options.use_cache:
        fragment_cache = FragmentCache.for_project(project.root)
    theme = Theme.of(project, options.theme)
    assets = theme.assets()
    styles = _style_rules(
        {page.settings.highlight_theme for page in pages},
        StoredMemo(state_folder(project.root) / STYLES_FILE, renderer_fingerprint(), (StyleRules,))
        if options.use_cache
        else None,
    )
    # Spans no stylesheet of the site can tell from plain code are left out (see unstyled_classes).
    styled = css_classes([*statics, *(asset.copy_from for asset in assets if asset.copy_from)])
    unstyled = {style: tuple(sorted(unstyled_classes(rules) - styled)) for style, rules in styles.items()}
    plan = plan_render(pages, unstyled)
    searchable = any(page.settings.search for page in pages)
    # Without a memo (every build but serve's, whose memo holds the index blocks) and with enough
    # Markdown (see _INDEX_CHILD) the search index is made in a child process from the pages'
    # headings, on another core, while this one assembles, themes and writes the pages.
    modes = [split_mode(page, options.split) for page in pages]
    markdown = sum(len(job.source.text) for job in plan.jobs.values())
    # A split page's index needs its files, known once it is assembled: then the index is made here.
    in_background = searchable and memo is None and markdown >= _INDEX_CHILD and not any(modes)
    # Without a memo, the index's blocks of the last build come from a file, and this build's go back to it.
    blocks = (
        StoredMemo(state_folder(project.root) / BLOCKS_FILE, renderer_fingerprint())
        if searchable and memo is None and options.use_cache
        else None
    )
    relative_statics = {path.relative_to(project.source).as_posix(): path for path in statics}
    site = SiteInfo(
        logo=next((name for name in _LOGOS if name in relative_statics), None),
        favicon=next((name for name in _FAVICONS if name in relative_statics), None),
        pages=tuple((page.output, page.settings.title) for page in pages),
    )
    # Without a memo, each page's ids and the theme's HTML around its content come from the last build
    # while its headings and everything else the template sees are unchanged.
    layouts = (
        PageLayouts(state_folder(project.root) / LAYOUTS_FILE, theme.fingerprint, site)
        if options.use_cache and memo is None
        else None
    )
    with ExitStack() as stack:

        def index_child(files: Callable[[], list[PageParts]]) -> Callable[[], bytes]:
            work = partial(_search_index, pages, files, layouts, blocks)
            return stack.enter_context(in_child(work, blocks.save if blocks else None))

        # With little to render (a rebuild after an edit) the child starts first: it reads the files
        # the cache holds while this process renders the others, then reads those from the cache too.
        # With more (a cold build, whose render takes every core) it starts once they are rendered.
        uncached = plan.uncached(fragment_cache)
        index = None
        rendered_here: Signal | None = None
        if in_background and fragment_cache and sum(len(plan.jobs[k].source.text) for k in uncached) < _EARLY:
            rendered_here = Signal()
            stack.callback(rendered_here.give)  # the child goes on even if this render fails
            work = partial(render_beside, plan, fragment_cache.reader(), uncached, rendered_here.wait)
            index = index_child(work)
        workers = options.workers or default_workers()
        files = render_files(
            plan, fragment_cache, workers, progress, rendered_here.give if rendered_here else None
        )
        if in_background and index is None:
            index = index_child(lambda: files)
        known = layouts.look_up(pages, files) if layouts else [(None, None)] * len(pages)
        known = [(None, None) if mode else found for found, mode in zip(known, modes, strict=True)]
        # A page with a stored layout is assembled as it is written; the others, here, their HTML
        # (but with a memo, which keeps it) as they are written; split pages by _split_pages.
        assembled = [
            None
            if layout or mode
            else assemble(page, parts[0], parts[1:], memo, memo is not None, with_toc=True)
            for page, parts, (_, layout), mode in zip(pages, files, known, modes, strict=True)
        ]
        splits = _split_pages(pages, files, modes, {*relative_statics, *(p.output for p in pages)}, memo)
        for number, split in splits.items():
            assembled[number] = replace(split.files[0], content_html="")
        warnings = layout_warnings(project) + tuple(
            w for _, page_warnings in loaded for w in page_warnings if options.strict or not w.strict_only
        )
        warnings += tuple(
            w
            for parts, page in zip(files, assembled, strict=True)
            for w in (page.warnings if page else part_warnings(parts))
        )
        if options.strict and warnings:
            raise DocumentError(*warnings)

        with SiteWriter(options.out, digest_files) as site_files:
            for name, path in relative_statics.items():
                site_files.add(OutputFile(name, copy_from=path))
            for asset in assets + theme.highlight_css(styles):
                site_files.add(asset)
            for done, (parts, (key, layout), page) in enumerate(zip(files, known, assembled, strict=True), 1):
                if page is None and layout is not None:
                    with site_files.streamed(pages[done - 1].output) as write:
                        write(layout.before.encode())
                        for piece in content_pieces(parts, layout.marks):
                            write(piece.encode())
                        write(layout.after.encode())
                elif done - 1 in splits:
                    for file in splits[done - 1].files:
                        _write_page(site_files, file, None, None, theme, site, memo, None)
                elif page is not None:
                    _write_page(site_files, page, parts, key, theme, site, memo, layouts)
                    # Its HTML is written: what follows takes the headings only.
                    assembled[done - 1] = page = replace(page, content_html="")
                progress("theme", done, len(pages))
            headings = [
                _index_headings(p, parts, layout, a)
                for p, parts, (_, layout), a in zip(pages, files, known, assembled, strict=True)
            ]
            more = [file.source for split in splits.values() for file in split.files[1:]]
            for extra in _published_files(pages, headings, theme, site, more):
                site_files.add(extra)
            if searchable:
                data = (
                    index()
                    if index is not None
                    else _index(
                        pages,
                        files,
                        lambda n: _index_headings(pages[n], files[n], known[n][1], assembled[n]),
                        memo if memo is not None else blocks,
                        splits,
                    )
                )
                if index is None and blocks is not None:
                    blocks.save()
                site_files.add(OutputFile(f"{ASSET_DIR}/{INDEX_FILE}", data))
    outputs = tuple(page.output for page in pages)
    seconds = time.perf_counter() - started
    digests = tuple(sorted((site_files.digests or {}).items()))
    read = tuple(sorted({entry for page in pages for entry in page.inputs}))
    report = BuildReport(
        len(pages), site_files.count, warnings, seconds, outputs=outputs, file_digests=digests, inputs=read
    )
    if layouts:
        layouts.save()
    if options.use_cache:
        record_build(options, inputs, report)
    if memo is not None:
        memo.rotate()
    return report
