"""Finding a project's pages and static files, and the include and partial files each page is made of."""

from __future__ import annotations

import os
import re
from pathlib import Path

from flagstone.errors import DocumentError, Problem, expected_got
from flagstone.loading.frontmatter import load_source, parse_settings
from flagstone.markup.render import partial_placeholder
from flagstone.models import PageSource, PartSource, SourceText
from flagstone.paths import Project, refuse_links_out

PAGE_SUFFIXES = (".html.md", ".html.md.erb")
_MARKUP_SUFFIXES = (".md", ".markdown", ".erb", ".scss", ".sass")
# Middleman's template extensions, in the order it prefers them.
_INCLUDE_EXTENSIONS = (".md", ".html.md", ".md.erb", ".html.md.erb", ".markdown")
_ERB_TAG = re.compile(r"<%(.*?)%>", re.DOTALL)
_PARTIAL_CALL = re.compile(r"""=\s*partial\s*\(?\s*(["'])([^"']+)\1\s*\)?\s*-?""")


def _is_hidden_or_partial(relative: Path) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.parts)


def discover(project: Project) -> tuple[list[Path], list[Path]]:
    """Every page and every static file of `source/`, each sorted (output must not depend on the disk)."""
    pages: list[Path] = []
    statics: list[Path] = []
    for directory, dirnames, filenames in os.walk(project.source):
        dirnames.sort()
        base = Path(directory)
        for filename in sorted(filenames):
            path = base / filename
            relative = path.relative_to(project.source)
            if _is_hidden_or_partial(relative) or relative.parts[0] == "layouts":
                continue
            if filename.endswith(PAGE_SUFFIXES):
                pages.append(path)
            elif not filename.endswith(_MARKUP_SUFFIXES):
                statics.append(path)
    lone_index = project.source / "index.md"
    if lone_index.is_file() and not any(
        p.parent == project.source and p.name.startswith("index.") for p in pages
    ):
        pages.append(lone_index)  # old Middleman projects keep their page here
    refuse_links_out(project, [*pages, *statics])
    return sorted(pages), statics


def output_name(project: Project, page: Path) -> str:
    relative = page.relative_to(project.source).as_posix()
    for suffix in (".html.md.erb", ".html.md", ".md"):
        if relative.endswith(suffix):
            return relative[: -len(suffix)] + ".html"
    return relative


class _Resolver:
    """Finds include and partial files the way Middleman does, and reads them with their own partials."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.real_root = project.root.resolve()  # resolved once: a page can have hundreds of includes

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

    def read_part(self, path: Path, chain: tuple[Path, ...]) -> PartSource:
        """An include or partial file, its own front matter dropped, its ERB partials read in turn."""
        display = self.project.display(path)
        real = path.resolve()
        if real in chain:
            cycle = " -> ".join(self.project.display(p) for p in (*chain, real))
            raise DocumentError(Problem(display, None, f"include cycle: {cycle}"))
        _, source = load_source(path, display)
        return self.expand_erb(source, (*chain, real))

    def expand_erb(self, source: SourceText, chain: tuple[Path, ...]) -> PartSource:
        if not source.path.name.endswith(".erb"):
            return PartSource(source)
        partials: list[PartSource] = []

        def replace(match: re.Match[str]) -> str:
            line = source.first_line + source.text.count("\n", 0, match.start())
            call = _PARTIAL_CALL.fullmatch(match.group(1).strip())
            if call is None:
                raise DocumentError(
                    Problem(
                        source.display,
                        line,
                        expected_got(
                            '<%= partial "includes/name" %> (the only ERB flagstone can evaluate)',
                            match.group(0).strip(),
                        ),
                    )
                )
            where = Problem(source.display, line, "", key="partial")
            path = self.resolve(call.group(2), source.path.parent, where, call.group(2))
            partials.append(self.read_part(path, chain))
            return partial_placeholder(len(partials) - 1)

        text = _ERB_TAG.sub(replace, source.text)
        return PartSource(SourceText(source.path, source.display, text, source.first_line), tuple(partials))


def load_page(project: Project, path: Path) -> tuple[PageSource, tuple[Problem, ...]]:
    """A page with its settings and every include and partial, read and resolved."""
    display = project.display(path)
    split, source = load_source(path, display)
    settings, warnings = parse_settings(split, display)
    resolver = _Resolver(project)
    chain = (path.resolve(),)
    body = resolver.expand_erb(source, chain)
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

        reference, spec_warnings, inputs = reference_parts(project, path, display, settings)
        includes[:0] = reference
        warnings += spec_warnings
    page = PageSource(path, display, output_name(project, path), settings, body, tuple(includes), inputs)
    return page, warnings
