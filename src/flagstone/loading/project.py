"""Finding a project's pages and static files, and the include and partial files each page is made of."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from flagstone.errors import DocumentError, Problem, expected_got
from flagstone.loading.frontmatter import load_source, parse_settings
from flagstone.models import PageSource, PartSource, SourceText
from flagstone.paths import Project, refuse_links_out

if TYPE_CHECKING:
    # Imported where an .erb file is expanded: a site without ERB never loads it (2 ms of start-up).
    from flagstone.loading.erb import SiteLinks, Value

# Middleman's page templates; where two make the same page, the one listed first is built.
PAGE_SUFFIXES = (".html.md", ".html.md.erb", ".md.erb", ".html.erb", ".md")
_MARKUP_SUFFIXES = (".md", ".markdown", ".erb", ".scss", ".sass")
_NOT_PAGES = ("layouts", "includes")  # folders of source/ whose templates are parts of pages
# Middleman's template extensions, in the order it prefers them.
_INCLUDE_EXTENSIONS = (".md", ".html.md", ".md.erb", ".html.md.erb", ".markdown")
# Every version of Slate's own layout has these: one that lacks them is the author's own design.
_SLATE_LAYOUT_MARKS = ("current_page.data.includes", "current_page.data.language_tabs")


def _is_hidden_or_partial(relative: Path) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.parts)


def _files(project: Project) -> Iterator[Path]:
    """Every file under source/, sorted, linked folders followed; a link that leads out of the project,
    back into a folder it is in, or nowhere is an error."""
    root = project.root.resolve()
    problems: list[Problem] = []

    def walk(folder: Path, real_folders: tuple[Path, ...]) -> Iterator[Path]:
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.name.startswith(("_", ".")) or (folder == project.source and entry.name == "layouts"):
                continue  # never a page nor a static file
            if not entry.is_symlink():
                if entry.is_dir():
                    yield from walk(entry, (*real_folders, entry.resolve()))
                else:
                    yield entry
                continue
            real = entry.resolve()
            shown = project.display(entry)
            if not real.exists():
                got = f"a symbolic link leading to {real}, which does not exist"
                problems.append(Problem(shown, None, expected_got("a file", got)))
            elif not real.is_dir():
                yield entry  # a linked file: refuse_links_out checks where it leads
            elif not real.is_relative_to(root):
                got = f"a symbolic link leading to {real}"
                problems.append(Problem(shown, None, expected_got("a folder inside the project", got)))
            elif real in real_folders:
                got = f"a symbolic link leading to {real}, a folder it is in (a loop)"
                problems.append(Problem(shown, None, expected_got("a folder", got)))
            else:
                yield from walk(entry, (*real_folders, real))

    yield from walk(project.source, (project.source.resolve(),))
    if problems:
        raise DocumentError(*problems)


def discover(project: Project) -> tuple[list[Path], list[Path]]:
    """Every page and every static file of `source/`, each sorted (output must not depend on the disk)."""
    pages: dict[str, Path] = {}
    statics: list[Path] = []
    for path in list(_files(project)):
        relative = path.relative_to(project.source)
        if path.name.endswith(PAGE_SUFFIXES):
            if relative.parts[0] not in _NOT_PAGES and _is_page(project, path):
                output = output_name(project, path)
                if output not in pages or _preference(path) < _preference(pages[output]):
                    pages[output] = path
        elif not path.name.endswith(_MARKUP_SUFFIXES):
            statics.append(path)
    refuse_links_out(project, [*pages.values(), *statics])
    return sorted(pages.values()), statics


def _is_page(project: Project, path: Path) -> bool:
    """A plain `.md` file without front matter is a piece of a page (Shins' `!INCLUDE` target) and
    not built as a page; `source/index.md` always is one, as old Middleman projects keep it."""
    if path.name.endswith(PAGE_SUFFIXES[:-1]) or path == project.source / "index.md":
        return True
    with path.open("rb") as file:
        return file.read(6).removeprefix(b"\xef\xbb\xbf").startswith(b"---")


def _preference(page: Path) -> int:
    return next(rank for rank, suffix in enumerate(PAGE_SUFFIXES) if page.name.endswith(suffix))


def output_name(project: Project, page: Path) -> str:
    relative = page.relative_to(project.source).as_posix()
    for suffix in (".html.md.erb", ".html.md", ".md.erb", ".html.erb", ".md"):
        if relative.endswith(suffix):
            return relative[: -len(suffix)] + ".html"
    return relative


def layout_warnings(project: Project) -> tuple[Problem, ...]:
    """A warning for each layout of the author's own in source/layouts/: the theme makes the pages."""
    folder = project.source / "layouts"
    if not folder.is_dir():
        return ()
    warnings = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_"))):
        text = path.read_text(encoding="utf-8", errors="replace")
        if not all(mark in text for mark in _SLATE_LAYOUT_MARKS):
            message = "flagstone's theme is used instead of this layout; see Theming in flagstone's docs"
            warnings.append(Problem(project.display(path), None, message))
    return tuple(warnings)


def _is_site_file(project: Project, path: str) -> bool:
    """Whether a path in the site is a file that a page or a static file of source/ makes."""
    relative = Path(path)
    if not path or _is_hidden_or_partial(relative) or relative.parts[0] == "layouts":
        return False
    if path.endswith(".html") and relative.parts[0] not in _NOT_PAGES:
        stem = project.source / path.removesuffix(".html")
        if any(Path(f"{stem}{suffix}").is_file() for suffix in PAGE_SUFFIXES):
            return True
    return (project.source / relative).is_file() and not path.endswith(_MARKUP_SUFFIXES)


class _Resolver:
    """Finds include and partial files the way Middleman does, and reads them with their own partials."""

    def __init__(self, project: Project, page_output: str) -> None:
        self.project = project
        self.page_output = page_output
        self.real_root = project.root.resolve()  # resolved once: a page can have hundreds of includes

    @cached_property
    def links(self) -> SiteLinks:
        """ERB helpers' links are made from the page, whichever file holds them."""
        from flagstone.loading.erb import SiteLinks

        project = self.project
        return SiteLinks(self.page_output, lambda site_path: _is_site_file(project, site_path))

    def folders(self, request: str, relative_to: Path) -> list[Path]:
        """Where a request is looked for: beside the page, in source/, and in the project's includes/."""
        folder = request.strip().strip("/").rpartition("/")[0]
        folders = [relative_to / folder, self.project.source / folder]
        if folder == "includes" or folder.startswith("includes/"):
            folders.append(self.project.root / folder)
        return list(dict.fromkeys(folders))

    @staticmethod
    def file_names(request: str) -> tuple[list[str], tuple[str, ...]]:
        """Middleman's partial names for a request: `_name` before `name`, each with every extension."""
        base = request.strip().strip("/").rpartition("/")[2]
        extensions = ("", *_INCLUDE_EXTENSIONS) if "." in base else _INCLUDE_EXTENSIONS
        return list(dict.fromkeys([f"_{base}", base])), extensions

    def resolve(self, request: str, relative_to: Path, where: Problem, shown_name: str) -> Path:
        folders = self.folders(request, relative_to)
        names, extensions = self.file_names(request)
        for folder in folders:
            for name in names:
                for ext in extensions:
                    candidate = folder / f"{name}{ext}"
                    if candidate.is_file():
                        return self._inside_project(candidate, where)
                    if ext and candidate.is_dir():
                        raise DocumentError(
                            Problem(
                                where.path,
                                where.line,
                                expected_got(
                                    f"include '{shown_name}' to be a file",
                                    f"the folder {self.project.display(candidate)}/",
                                ),
                                key=where.key,
                            )
                        )
        tried = ", ".join(f"{name}{extensions[0]}" for name in names)
        others = ", ".join(extensions[1:])
        places = ", ".join(f"{self.project.display(folder)}/" for folder in folders)
        raise DocumentError(
            Problem(
                where.path,
                where.line,
                f"include '{shown_name}' not found; tried {tried} (also ending in {others}) in {places}",
                key=where.key,
            )
        )

    def _inside_project(self, path: Path, where: Problem) -> Path:
        real = path.resolve()
        if not real.is_relative_to(self.real_root):
            raise DocumentError(
                Problem(
                    where.path,
                    where.line,
                    expected_got(
                        "a file inside the project", f"'{self.project.display(path)}' leading to {real}"
                    ),
                    key=where.key,
                )
            )
        return path

    def read_part(
        self, path: Path, chain: tuple[Path, ...], local_values: Mapping[str, Value] | None = None
    ) -> PartSource:
        """An include or partial file, its own front matter dropped, its ERB (and partials) evaluated."""
        display = self.project.display(path)
        real = path.resolve()
        if real in chain:
            cycle = " -> ".join(self.project.display(p) for p in (*chain, real))
            raise DocumentError(Problem(display, None, f"include cycle: {cycle}"))
        _, source = load_source(path, display)
        return self.expand_erb(source, (*chain, real), local_values or {})

    def expand_erb(
        self, source: SourceText, chain: tuple[Path, ...], local_values: Mapping[str, Value]
    ) -> PartSource:
        if not source.path.name.endswith(".erb"):
            return PartSource(source)

        def read_partial(request: str, where: Problem, partial_locals: Mapping[str, Value]) -> PartSource:
            path = self.resolve(request, source.path.parent, where, request)
            return self.read_part(path, chain, partial_locals)

        from flagstone.loading.erb import expand

        return expand(source, self.links, read_partial, local_values)


def load_page(project: Project, path: Path, keep: bool = True) -> tuple[PageSource, tuple[Problem, ...]]:
    """A page with its settings and every include and partial, read and resolved; with `keep`, an
    OpenAPI reference's pieces are kept in the project's state folder for the next build."""
    display = project.display(path)
    split, source = load_source(path, display)
    settings, warnings = parse_settings(split, display)
    output = output_name(project, path)
    resolver = _Resolver(project, output)
    chain = (path.resolve(),)
    body = resolver.expand_erb(source, chain, {})
    includes = []
    problems: list[Problem] = []
    for index, ref in enumerate(settings.includes):
        where = Problem(display, ref.line, "", key=f"includes[{index}]")
        try:
            include_path = resolver.resolve(f"includes/{ref.name}", path.parent, where, ref.name)
            includes.append(resolver.read_part(include_path, chain))
        except DocumentError as error:  # report every broken include at once, not one per build
            problems.extend(error.problems)
    if problems:
        raise DocumentError(*problems)
    inputs: tuple[tuple[str, str], ...] = ()
    if settings.openapi is not None:  # the reference goes between the page's own Markdown and its includes
        from flagstone.openapi.page import reference_parts

        reference, spec_warnings, inputs = reference_parts(project, path, display, settings, keep)
        includes[:0] = reference
        warnings += spec_warnings
    page = PageSource(path, display, output, settings, body, tuple(includes), inputs)
    return page, warnings
