"""The build, as a straight line: load -> parse -> render -> TOC -> theme -> write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from flagstone.cache import FragmentCache
from flagstone.errors import DocumentError, Problem, UsageError
from flagstone.loading.project import Project, discover, load_page
from flagstone.models import PageSource
from flagstone.rendering import default_workers, render_pages
from flagstone.site_writer import OutputFile, check_output_dir, write_site
from flagstone.theme import SiteInfo, Theme, default_theme_dir

_LOGOS = ("images/logo.png", "images/logo.svg", "images/logo.jpg")
_FAVICONS = ("favicon.ico", "favicon.png", "favicon.svg", "images/favicon.ico", "images/favicon.png",
             "images/favicon.svg")


@dataclass(frozen=True)
class BuildOptions:
    project: Path
    out: Path
    strict: bool = False
    theme: Path | None = None
    use_cache: bool = True
    workers: int = 0  # 0: one per core


@dataclass(frozen=True)
class BuildReport:
    pages: int
    files: int
    warnings: tuple[Problem, ...]
    seconds: float


def theme_folders(project: Project, theme: Path | None) -> tuple[Path, ...]:
    """The theme chain: `--theme DIR`, then the project's `themes/`, then the default theme."""
    candidates = [theme, project.root / "themes", default_theme_dir()]
    return tuple(dict.fromkeys(path.resolve() for path in candidates if path is not None and path.is_dir()))


def _load_all(project: Project, paths: list[Path]) -> list[tuple[PageSource, tuple[Problem, ...]]]:
    """Every page loaded; the problems of all pages are reported together."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_page(project, path))
        except DocumentError as error:
            problems.extend(error.problems)
    if problems:
        raise DocumentError(*problems)
    return loaded


def build(options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    root = options.project.resolve()
    project = Project(root, root / "source")
    if not project.source.is_dir():
        raise UsageError(f"{project.source} does not exist: a flagstone project keeps its pages in source/")
    check_output_dir(options.out, project.root, project.source)

    page_paths, statics = discover(project)
    if not page_paths:
        raise DocumentError(Problem(project.display(project.source), None,
                                    "no pages found (expected source/index.html.md or other *.html.md files)"))
    loaded = _load_all(project, page_paths)
    pages = [page for page, _ in loaded]
    fragment_cache = FragmentCache.for_project(project.root) if options.use_cache else None
    rendered = render_pages(pages, fragment_cache, options.workers or default_workers())

    warnings = tuple(w for _, page_warnings in loaded for w in page_warnings if options.strict or not w.strict_only)
    warnings += tuple(w for page in rendered for w in page.warnings)
    if options.strict and warnings:
        raise DocumentError(*warnings)

    theme = Theme(theme_folders(project, options.theme))
    relative_statics = {path.relative_to(project.source).as_posix(): path for path in statics}
    site = SiteInfo(
        logo=next((name for name in _LOGOS if name in relative_statics), None),
        favicon=next((name for name in _FAVICONS if name in relative_statics), None),
        pages=tuple((page.output, page.settings.title) for page in pages),
    )
    files = [OutputFile(name, copy_from=path) for name, path in relative_statics.items()]
    files += theme.assets()
    files += theme.highlight_css({page.settings.highlight_theme for page in pages})
    files += [OutputFile(page.source.output, theme.render_page(page, site).encode()) for page in rendered]
    write_site(options.out, files)
    return BuildReport(len(pages), len(files), warnings, time.perf_counter() - started)
