"""The build, as a straight line: load -> parse -> render -> TOC/search -> theme -> write."""

from __future__ import annotations

import time
from contextlib import nullcontext
from functools import partial
from pathlib import Path

from flagstone.cache import FragmentCache, renderer_fingerprint
from flagstone.collector import collector_paused
from flagstone.errors import DocumentError, Problem, UsageError
from flagstone.forked import in_child
from flagstone.incremental import input_stamp, record_build, state_folder
from flagstone.loading.project import discover, load_page
from flagstone.markup.highlight import unstyled_classes
from flagstone.memo import Memo, StoredMemo
from flagstone.models import BuildOptions, BuildReport, PageSource
from flagstone.paths import Project, theme_folders
from flagstone.progress import Progress, no_progress
from flagstone.rendering import (
    PageParts,
    assemble_pages,
    default_workers,
    render_files,
    with_search_words,
)
from flagstone.search_index import INDEX_FILE, index_script
from flagstone.site_writer import OutputFile, SiteWriter, check_output_dir
from flagstone.theme import ASSET_DIR, SiteInfo, Theme, css_classes

BLOCKS_FILE = "search-blocks"  # in the project's state folder: the search index's blocks (StoredMemo)
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


def _search_index(pages: list[PageSource], files: list[PageParts], blocks: Memo | None) -> bytes:
    """The index from the pages' headings and words: the pages' HTML is not needed for it."""
    return index_script(with_search_words(assemble_pages(pages, files, with_content=False), files), blocks)


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
    child = in_child(partial(_search_index, pages, files, blocks), blocks.save if blocks else None)
    with child if in_background else nullcontext() as index:
        rendered = assemble_pages(pages, files, memo)
        warnings = tuple(
            w for _, page_warnings in loaded for w in page_warnings if options.strict or not w.strict_only
        )
        warnings += tuple(w for page in rendered for w in page.warnings)
        if options.strict and warnings:
            raise DocumentError(*warnings)

        relative_statics = {path.relative_to(project.source).as_posix(): path for path in statics}
        site = SiteInfo(
            logo=next((name for name in _LOGOS if name in relative_statics), None),
            favicon=next((name for name in _FAVICONS if name in relative_statics), None),
            pages=tuple((page.output, page.settings.title) for page in pages),
        )
        with SiteWriter(options.out, digest_files) as site_files:
            for name, path in relative_statics.items():
                site_files.add(OutputFile(name, copy_from=path))
            for asset in assets + theme.highlight_css(styles):
                site_files.add(asset)
            for done, page in enumerate(rendered, 1):
                site_files.add(OutputFile(page.source.output, theme.render_page(page, site, memo).encode()))
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
    if options.use_cache:
        record_build(options, inputs, report)
    if memo is not None:
        memo.rotate()
    return report
