"""`flagstone check`: the build's warnings plus broken links, missing files and duplicate ids, located."""

from __future__ import annotations

import html
import json
import posixpath
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from flagstone.commands.console import Console, paint
from flagstone.commands.targets import PageTargets, page_targets
from flagstone.errors import DocumentError, Problem, did_you_mean, expected_got
from flagstone.loading.frontmatter import read_text
from flagstone.markdown_twins import INDEX_FILE
from flagstone.markup.references import FileScan
from flagstone.models import (
    BuildOptions,
    Declaration,
    Fragment,
    PageSource,
    PartSource,
    Reference,
    RenderedPart,
)
from flagstone.paths import Project
from flagstone.search_engines import SITEMAP_FILE, site_url_of
from flagstone.split import moved_ids

# A scheme (http:, mailto:, tel:, data:, javascript:) or a host (`//cdn.example.com`): not fetched.
_EXTERNAL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|//)")
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    severity: str  # ERROR or WARNING

    def as_json(self) -> dict[str, object]:
        p = self.problem
        return {
            "path": p.path,
            "line": p.line,
            "key": p.key,
            "message": p.message,
            "hint": p.hint,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    pages: int
    links: int

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def summary(self) -> dict[str, object]:
        return {
            "ok": not self.findings,
            "pages": self.pages,
            "links": self.links,
            "errors": self.count(ERROR),
            "warnings": self.count(WARNING),
        }


def _files(sources: Iterable[PartSource], parts: Iterable[RenderedPart]) -> Iterator[tuple[str, Fragment]]:
    """Each file of a page as the build rendered it (partials included), with its name."""
    for source, part in zip(sources, parts, strict=True):
        yield source.source.display, part.fragment
        yield from _files(source.partials, part.partials)


class _SiteIndex:
    """The files of the built site and, read on demand, the ids of each of its HTML pages."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
        self._targets: dict[str, PageTargets] = {}

    def targets(self, name: str) -> PageTargets:
        if name not in self._targets:
            text = (self.site / name).read_text(encoding="utf-8", errors="replace")
            found = page_targets(text)
            # A split page: its anchor map's ids are reached too, where the file they lead to has them.
            for target, file in moved_ids(text).items():
                other = posixpath.join(posixpath.dirname(name), file)
                if other in self.files and target in self.targets(other):
                    found.ids[target] += self.targets(other).ids[target] or 1
            self._targets[name] = found
        return self._targets[name]

    def resolve(self, target: str) -> str | None:
        """The site file a path names: the file itself, or a folder's index.html."""
        if target in self.files:
            return target
        index = posixpath.join(target, "index.html") if target else "index.html"
        return index if index in self.files else None


def _check_reference(reference: Reference, output: str, site: _SiteIndex) -> Problem | None:
    """A problem with a reference made in the site's file `output`, or None when it resolves."""
    url = reference.url.strip()
    if _EXTERNAL.match(url):
        return None
    path, _, fragment = url.partition("#")
    path = path.split("?", 1)[0]  # `?shell` picks a language tab; the page is the same
    where = (reference.display, reference.line)
    if not path:
        target = output
    else:
        decoded = unquote(path)
        joined = (
            decoded.lstrip("/")
            if decoded.startswith("/")
            else posixpath.join(posixpath.dirname(output), decoded)
        )
        normal = posixpath.normpath(joined) if joined else ""
        normal = "" if normal == "." else normal
        if normal == ".." or normal.startswith("../"):
            return Problem(
                *where,
                expected_got("a file inside the site", f"'{reference.url}' leading outside it"),
                key=reference.key,
            )
        found = site.resolve(normal)
        if found is None:
            return Problem(
                *where,
                expected_got(f"a file of the site at '{normal or '/'}'", "no such file"),
                key=reference.key,
                hint=did_you_mean(normal, site.files),
            )
        target = found
    if not fragment or not target.endswith((".html", ".htm")):
        return None
    targets = site.targets(target)
    if unquote(fragment) in targets or fragment in targets:
        return None
    place = "this page" if target == output else target
    return Problem(
        *where,
        expected_got(f"an element with id '{unquote(fragment)}' on {place}", "none"),
        key=reference.key,
        hint=did_you_mean(unquote(fragment), targets.all()),
    )


def _footer_references(page: PageSource) -> list[Reference]:
    """Links in `toc_footers`; YAML hides their lines, so each is placed where its URL is written."""
    if not page.settings.toc_footers:
        return []
    lines = read_text(page.path, page.display).split("\n")
    fallback = next((n for n, text in enumerate(lines, 1) if text.startswith("toc_footers")), 1)
    found = FileScan(page.display)
    for footer in page.settings.toc_footers:
        found.take_html(footer, fallback)
    return [
        Reference(
            ref.url,
            ref.display,
            next((n for n, text in enumerate(lines, 1) if ref.url and ref.url in text), fallback),
            ref.key,
        )
        for ref in found.references
    ]


def _duplicate_ids(
    page: PageSource, files: list[tuple[str, Fragment]], site: _SiteIndex
) -> Iterator[Problem]:
    """Ids on a built page more than once. flagstone numbers repeated headings, so these come from raw
    HTML, or from a raw id or a heading clashing with an id of the theme (`toc`, `nav-button`)."""
    if page.output not in site.files:
        return
    declared: dict[str, list[Declaration]] = {}
    headings: dict[str, Declaration] = {}
    for display, fragment in files:
        for declaration in fragment.html_ids:
            declared.setdefault(declaration.id, []).append(declaration)
        for heading in fragment.headings:
            headings.setdefault(heading.slug, Declaration(heading.slug, display, heading.line))
    for id_, count in site.targets(page.output).ids.items():
        if count < 2:
            continue
        places = declared.get(id_, [])
        # The second raw id is the one no link reaches; a single one clashes with a heading or the
        # theme; with none, a heading clashes with the theme.
        at = places[1] if len(places) > 1 else places[0] if places else headings.get(id_)
        yield Problem(
            at.display if at else page.display,
            at.line if at else None,
            expected_got(f"each id once on {page.output}", f"'{id_}' {count} times"),
            key="id",
            hint=f"a link to #{id_} reaches only the first",
        )


def check_site(
    rendered: Iterable[tuple[PageSource, tuple[RenderedPart, ...]]], site: _SiteIndex
) -> tuple[list[Problem], int]:
    """Link and id problems of every page (with its files as the build rendered them), and how many
    references were looked at."""
    problems: list[Problem] = []
    checked = 0
    for page, parts in rendered:
        files = list(_files((page.body, *page.includes), parts))
        references = [ref for _, fragment in files for ref in fragment.references]
        references += _footer_references(page)
        checked += len(references)
        for reference in references:
            problem = _check_reference(reference, page.output, site)
            if problem is not None:
                problems.append(problem)
        problems.extend(_duplicate_ids(page, files, site))
    return problems, checked


_LLMS_LINK = re.compile(r"\]\(([^)\s]+)\)")
_SITEMAP_LOC = re.compile(r"<loc>([^<]*)</loc>")


def check_published_files(site: _SiteIndex, site_url: str) -> list[Problem]:
    """Links of llms.txt and the sitemap's URLs that name no file or id of the site."""
    base = f"{site_url.rstrip('/')}/" if site_url else ""
    problems = []
    for name, pattern, key in ((INDEX_FILE, _LLMS_LINK, "link"), (SITEMAP_FILE, _SITEMAP_LOC, "url")):
        if name not in site.files:
            continue
        text = (site.site / name).read_text(encoding="utf-8")
        for line_number, line in enumerate(text.split("\n"), 1):
            for match in pattern.finditer(line):
                url = html.unescape(match.group(1))
                if base and url.startswith(base):
                    url = url.removeprefix(base) or "index.html"
                elif _EXTERNAL.match(url):
                    problems.append(
                        Problem(
                            name,
                            line_number,
                            expected_got(f"a URL under {base or 'the site'}", f"'{url}'"),
                            key=key,
                        )
                    )
                    continue
                problem = _check_reference(Reference(url, name, line_number, key), name, site)
                if problem is not None:
                    problems.append(problem)
    return problems


def check_project(
    project_path: Path, theme: Path | None = None, use_cache: bool = True, split: str | None = None
) -> CheckReport:
    """Build into a temporary folder (never PROJECT/build), then look over the site and its sources."""
    from flagstone.build import build
    from flagstone.storage.store import Store

    project = Project.existing(project_path)
    with tempfile.TemporaryDirectory(prefix="flagstone-check-") as folder:
        site_path = Path(folder) / "site"
        # use_cache=False keeps the temporary build out of the record that lets `build` skip work;
        # the project's store is still used, so a check after a build renders nothing again.
        options = BuildOptions(
            project_path, site_path, strict=False, theme=theme, use_cache=False, split=split
        )
        store = Store.for_project(project.root) if use_cache else Store()
        try:
            report = build(options, store=store)
        except DocumentError as error:
            return CheckReport(tuple(Finding(p, ERROR) for p in error.problems), 0, 0)
        pages = [page for page, _ in report.rendered]
        # The build holds back warnings meant for --strict only (unknown front-matter keys); CI runs
        # with --strict, so check reports them too.
        warnings = list(report.warnings)
        warnings += [w for w in report.strict_only if w not in warnings]
        site = _SiteIndex(site_path)
        problems, checked = check_site(report.rendered, site)
        problems += check_published_files(site, site_url_of(pages))
    findings = [Finding(w, WARNING) for w in warnings]
    seen: set[Problem] = set()
    for problem in problems:
        if problem not in seen:  # an include shared by two pages has its broken links once
            seen.add(problem)
            findings.append(Finding(problem, ERROR if problem.key in ("link", "image", "url") else WARNING))
    findings.sort(key=lambda f: (f.problem.path, f.problem.line or 0))
    return CheckReport(tuple(findings), len(pages), checked)


def _human(report: CheckReport, console: Console) -> None:
    colour_of: dict[str, str] = {ERROR: "red", WARNING: "yellow"}
    for finding in report.findings:
        label = paint(f"{finding.severity}:", colour_of[finding.severity], console.out)
        console.result(f"{label} {finding.problem.format()}")
    pages = f"{report.pages} page(s), {report.links} link(s) checked"
    if not report.pages:
        console.info(
            paint(f"check failed: the build failed with {len(report.findings)} error(s)", "red", console.err)
        )
    elif report.findings:
        errors, warnings = report.count(ERROR), report.count(WARNING)
        failed = f"check failed: {errors} error(s), {warnings} warning(s) in {pages}"
        console.info(paint(failed, "red", console.err))
    else:
        console.success(f"check passed: no problems in {pages}")


def run(
    project: Path,
    theme: Path | None,
    output_format: str,
    use_cache: bool,
    console: Console,
    split: str | None = None,
) -> int:
    console.detail(f"checking {project.resolve()}")
    report = check_project(project, theme, use_cache, split)
    render: Callable[[CheckReport, Console], None] = _human
    if output_format == "json":
        render = _json
    render(report, console)
    return 1 if report.findings else 0


def _json(report: CheckReport, console: Console) -> None:
    data = {"problems": [finding.as_json() for finding in report.findings], "summary": report.summary()}
    console.result(json.dumps(data, indent=2, ensure_ascii=False))
