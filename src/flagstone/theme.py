"""The theme: Jinja templates and assets, looked up through a chain of folders (the project's first)."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flagstone.errors import DocumentError, Problem
from flagstone.markup.highlight import StyleRules, stylesheet
from flagstone.models import PartSource, RenderedPage, SourceText
from flagstone.paths import Project, refuse_links_out, theme_folders
from flagstone.search_engines import NOT_FOUND_FILE, social_card
from flagstone.site_writer import OutputFile

if TYPE_CHECKING:
    import jinja2

ASSET_DIR = "flagstone"  # where the theme's assets go in the site
# Stands in for the content while the template runs; NUL never reaches content (markdown-it drops it).
_CONTENT = "\x00flagstone-content\x00"
_NO_TEXT = SourceText(Path(), "", "")


def css_classes(paths: Iterable[Path]) -> frozenset[str]:
    """Every class name the stylesheets among `paths` mention; a code token class one of them mentions
    keeps its spans, whatever the highlight style (see highlight.unstyled_classes)."""
    found: set[str] = set()
    for path in paths:
        if path.suffix == ".css" and path.is_file():
            found.update(_CLASS_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(found)


_CLASS_NAME = re.compile(r"\.(-?[_A-Za-z][_A-Za-z0-9-]*)")


@dataclass(frozen=True)
class SiteInfo:
    """What the theme needs to know about the site beyond one page."""

    logo: str | None  # site-relative path of the logo image
    favicon: str | None  # site-relative path of the project's favicon
    pages: tuple[tuple[str, str], ...]  # (output path, title) of every page


def _stand_in(page: RenderedPage) -> RenderedPage:
    """The page as templates get it: a stand-in for its content, and none of its files' Markdown."""
    return replace(
        page,
        content_html=_CONTENT,
        source=replace(page.source, body=PartSource(_NO_TEXT), includes=()),
    )


def _files(folder: Path) -> list[Path]:
    return [Path(d) / name for d, _, names in os.walk(folder) for name in names]


class Theme:
    """Templates and assets of a chain of theme folders; a file in an earlier folder wins.

    The project's own theme folders (`own`) are held to the rule of every folder of a project: no file
    of theirs leads outside it. Templates run in Jinja's sandbox, whoever wrote them."""

    def __init__(
        self, folders: tuple[Path, ...], project: Project | None = None, own: tuple[Path, ...] = ()
    ) -> None:
        self.folders = folders
        self.project = project
        self.own = own

    @classmethod
    def of(cls, project: Project, theme: Path | None) -> Theme:
        """The project's theme chain, once its own folders are found to hold no link leading out."""
        own = [project.root / "themes"]
        if theme is not None and theme.resolve().is_relative_to(project.root):
            own.append(theme)  # a --theme outside the project is the user's own choice, read as it is
        own = [folder for folder in own if folder.is_dir()]
        refuse_links_out(
            project, [p for f in own for part in ("templates", "assets") for p in _files(f / part)]
        )
        return cls(theme_folders(project, theme), project, tuple(f.resolve() for f in own))

    @cached_property
    def env(self) -> jinja2.Environment:
        # Made (and Jinja imported) on first use: a rebuild that reuses every page's layout has none.
        import jinja2
        from jinja2.sandbox import SandboxedEnvironment

        project = self.project

        class InsideLoader(jinja2.FileSystemLoader):
            """Refuses a template reached through a link (a linked folder, say) leading outside."""

            def get_source(self, environment: jinja2.Environment, template: str) -> Any:
                found = posixpath.join(self.searchpath[0], *jinja2.loaders.split_template_path(template))
                if project is not None and os.path.isfile(found):
                    refuse_links_out(project, [Path(found)])
                return super().get_source(environment, template)

        loader = jinja2.ChoiceLoader(
            [
                (InsideLoader if f in self.own else jinja2.FileSystemLoader)(str(f / "templates"))
                for f in self.folders
            ]
        )
        env = SandboxedEnvironment(
            loader=loader, autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
        )
        env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
        return env

    def _template_error(self, error: Exception) -> DocumentError:
        """A template's failure as a located error: the template file and line it happened at."""
        import jinja2
        from jinja2.exceptions import SecurityError

        templates = [str(f / "templates") + os.sep for f in self.folders]
        path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
        if path is None:  # a failure while it ran: its place is the last template frame of the traceback
            frames = traceback.extract_tb(error.__traceback__)
            frame = next((f for f in reversed(frames) if f.filename.startswith(tuple(templates))), None)
            path, line = (frame.filename, frame.lineno) if frame else (None, None)
        shown = self.project.display(Path(path)) if path and self.project else (path or "page.html")
        text = error.message if isinstance(error, jinja2.TemplateError) else str(error)
        if isinstance(error, SecurityError):
            problem = Problem(
                shown,
                line,
                f"refused by the template sandbox: {(text or '').rstrip('.')}",
                hint="templates may only use what flagstone gives them",
            )
        else:
            problem = Problem(shown, line, f"template error: {text}")
        return DocumentError(problem)

    def assets(self) -> list[OutputFile]:
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            assets = folder / "assets"
            for directory, dirnames, filenames in os.walk(assets):
                dirnames.sort()
                for filename in sorted(filenames):
                    path = Path(directory) / filename
                    found[path.relative_to(assets).as_posix()] = path
        return [OutputFile(f"{ASSET_DIR}/{name}", copy_from=path) for name, path in sorted(found.items())]

    def highlight_css(self, styles: Mapping[str, StyleRules]) -> list[OutputFile]:
        return [
            OutputFile(f"{ASSET_DIR}/highlight-{style}.css", stylesheet(rules).encode())
            for style, rules in sorted(styles.items())
        ]

    def render_whole(self, page: RenderedPage, site: SiteInfo) -> str:
        """The page's HTML from the template given the content itself: for a template that writes
        the content twice, escaped, or not at all (`around` gives None)."""
        return self._render(replace(_stand_in(page), content_html=page.content_html), site)

    def around(self, page: RenderedPage, site: SiteInfo) -> tuple[str, str] | None:
        """The template's output before and after the page's content; None when the template does not
        write the content once, as it is. Templates get the page without its files' Markdown
        (`page.source` names the page and its settings): what surrounds the content depends only on
        the page's headings, settings and warnings, the site and the templates (see layout_key)."""
        halves = self._render(_stand_in(page), site).split(_CONTENT)
        return (halves[0], halves[1]) if len(halves) == 2 else None

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every template, so that editing one while serve runs is never missed. Read
        once per Theme: a build makes its own, and asks for this once per page."""
        digest = hashlib.sha256()
        for folder in self.folders:
            for path in sorted((folder / "templates").rglob("*")):
                if path.is_file():
                    digest.update(f"{path}\0".encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()

    def _render(self, page: RenderedPage, site: SiteInfo) -> str:
        depth = page.source.output.count("/")
        root = "../" * depth
        settings = page.source.settings
        context: dict[str, Any] = {
            "page": page,
            "settings": settings,
            "title": settings.title,
            "content": page.content_html,
            "toc": page.toc,
            "root": root,
            "assets": f"{root}{ASSET_DIR}/",
            "logo": f"{root}{site.logo}" if site.logo else None,
            "favicon": f"{root}{site.favicon}" if site.favicon else f"{root}{ASSET_DIR}/favicon.svg",
            "languages": [tab.key for tab in settings.language_tabs],
            "body_class": (page.split_of or page.source.output).removesuffix(".html").replace("/", "_"),
            "highlight_css": f"{root}{ASSET_DIR}/highlight-{settings.highlight_theme}.css",
            "search": settings.search,
            "card": social_card(settings, page.source.output)
            if page.source.output != NOT_FOUND_FILE
            else None,
            # The 404 page is served at any depth: its relative links start from the site's root.
            "base_href": f"{settings.site_url}/" if page.source.output == NOT_FOUND_FILE else None,
        }
        import jinja2

        try:
            return self.env.get_template("page.html").render(context)
        except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as error:
            raise self._template_error(error) from None
