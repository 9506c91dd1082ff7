"""The build, as a straight line: load -> parse -> render -> TOC/search -> theme -> write."""

from __future__ import annotations

import time
from contextlib import nullcontext
from functools import partial
from pathlib import Path

from flagstone.assemble import assemble, assemble_with_marks, headings_with_marks
from flagstone.cache import FragmentCache, layout_fingerprint, renderer_fingerprint
from flagstone.collector import collector_paused
from flagstone.errors import DocumentError, Problem, UsageError
from flagstone.forked import in_child
from flagstone.incremental import input_stamp, record_build, state_folder
from flagstone.layouts import PageLayout, layout_key
from flagstone.loading.project import discover, load_page
from flagstone.markup.highlight import unstyled_classes
from flagstone.memo import Memo, StoredMemo
from flagstone.models import BuildOptions, BuildReport, PageSource
from flagstone.paths import Project, theme_folders
from flagstone.progress import Progress, no_progress
from flagstone.rendering import (
    PageParts,
    default_workers,
    render_files,
    with_search_words,
)
from flagstone.search_index import INDEX_FILE, index_script
from flagstone.site_writer import OutputFile, SiteWriter, check_output_dir
from flagstone.theme import ASSET_DIR, SiteInfo, Theme, css_classes

BLOCKS_FILE = "search-blocks"  # in the project's state folder: the search index's blocks (StoredMemo)
LAYOUTS_FILE = "page-layouts"  # and there, the pages' layouts (StoredMemo of layouts.PageLayout)
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


def _search_index(
    pages: list[PageSource], files: list[PageParts], layouts: list[object | None], blocks: Memo | None
) -> bytes:
    """The index from the pages' headings and words: the pages' HTML is not needed for it. A page's
    stored layout (`layouts`, page by page) gives its ids without placing them again."""
    placed = [
        headings_with_marks(page, parts, layout.marks)
        if isinstance(layout, PageLayout)
        else assemble(page, parts[0], parts[1:], with_content=False)
        for page, parts, layout in zip(pages, files, layouts, strict=True)
    ]
    return index_script(with_search_words(placed, files), blocks)


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
    with collector_paused():
        return _build(options, progress, fragment_cache, memo, digest_files)


def _build(
    options: BuildOptions,
    progress: Progress,
    fragment_cache: FragmentCache | None,
    memo: Memo | None,
    digest_files: bool,
) -> BuildReport:
    started = time.perf_counter()
    project = Project.at(options.project)
    if not project.source.is_dir():
        raise UsageError(f"{project.source} does not exist: a flagstone project keeps its pages in source/")
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
    pages = [page for page, _ in loaded]
    if fragment_cache is None and options.use_cache:
        fragment_cache = FragmentCache.for_project(project.root)
    theme = Theme(theme_folders(project, options.theme))
    assets = theme.assets()
    styles = {page.settings.highlight_theme for page in pages}
    # Spans no stylesheet of the site can tell from plain code are left out (see unstyled_classes).
    styled = css_classes([*statics, *(asset.copy_from for asset in assets if asset.copy_from)])
    unstyled = {style: tuple(sorted(unstyled_classes(style) - styled)) for style in styles}
    files = render_files(pages, fragment_cache, options.workers or default_workers(), progress, unstyled)
    searchable = any(page.settings.search for page in pages)
    # Without a memo (every build but serve's, whose memo holds the index blocks) the search index is
    # made in a child process from the pages' headings, on another core, while this one assembles,
    # themes and writes the pages.
    in_background = searchable and memo is None
    # There, the index's blocks of the last build come from a file, and this build's go back to it.
    blocks = (
        StoredMemo(state_folder(project.root) / BLOCKS_FILE, renderer_fingerprint())
        if in_background and options.use_cache
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
        StoredMemo(state_folder(project.root) / LAYOUTS_FILE, layout_fingerprint())
        if options.use_cache and memo is None
        else None
    )
    layout_keys = [
        layout_key(page, parts, theme.fingerprint, site) if layouts else None
        for page, parts in zip(pages, files, strict=True)
    ]
    known = [layouts.get(key) if layouts and key else None for key in layout_keys]
    child = in_child(partial(_search_index, pages, files, known, blocks), blocks.save if blocks else None)
    with child if in_background else nullcontext() as index:
        rendered = [
            assemble_with_marks(page, parts, layout.marks)
            if isinstance(layout, PageLayout)
            else assemble(page, parts[0], parts[1:], memo)
            for page, parts, layout in zip(pages, files, known, strict=True)
        ]
        warnings = tuple(
            w for _, page_warnings in loaded for w in page_warnings if options.strict or not w.strict_only
        )
        warnings += tuple(w for page in rendered for w in page.warnings)
        if options.strict and warnings:
            raise DocumentError(*warnings)

        with SiteWriter(options.out, digest_files) as site_files:
            for name, path in relative_statics.items():
                site_files.add(OutputFile(name, copy_from=path))
            for asset in assets + theme.highlight_css(styles):
                site_files.add(asset)
            for done, (page, layout, key) in enumerate(zip(rendered, known, layout_keys, strict=True), 1):
                if not isinstance(layout, PageLayout):
                    around = theme.around(page, site, memo)
                    layout = PageLayout(page.heading_marks, *around) if around else None
                    if layouts and key and layout:
                        layouts.put(key, layout)
                html = (
                    f"{layout.before}{page.content_html}{layout.after}"
                    if layout
                    else theme.render_page(page, site, memo)
                )
                site_files.add(OutputFile(page.source.output, html.encode()))
                progress("theme", done, len(rendered))
            if searchable:
                data = (
                    index() if index is not None else index_script(with_search_words(rendered, files), memo)
                )
                site_files.add(OutputFile(f"{ASSET_DIR}/{INDEX_FILE}", data))
    outputs = tuple(page.output for page in pages)
    seconds = time.perf_counter() - started
    digests = tuple(sorted((site_files.digests or {}).items()))
    report = BuildReport(
        len(pages), site_files.count, warnings, seconds, outputs=outputs, file_digests=digests
    )
    if layouts:
        layouts.save()
    if options.use_cache:
        record_build(options, inputs, report)
    if memo is not None:
        memo.rotate()
    return report
