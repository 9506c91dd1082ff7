"""The theme: Jinja templates and assets, looked up through a chain of folders (the project's first)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flagstone.markup.highlight import StyleRules, stylesheet
from flagstone.memo import Memo
from flagstone.models import PartSource, RenderedPage, SourceText
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


@dataclass(frozen=True)
class _Around:
    """The template's output before and after the content, for the page it was made for."""

    stand_in: RenderedPage
    before: str
    after: str


def _stand_in(page: RenderedPage) -> RenderedPage:
    """The page as templates get it: a stand-in for its content, and none of its files' Markdown."""
    return replace(
        page,
        content_html=_CONTENT,
        source=replace(page.source, body=PartSource(_NO_TEXT), includes=()),
    )


class Theme:
    """Templates and assets of a chain of theme folders; a file in an earlier folder wins."""

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders

    @cached_property
    def env(self) -> jinja2.Environment:
        # Made (and Jinja imported) on first use: a rebuild that reuses every page's layout has none.
        import jinja2

        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f / "templates")) for f in self.folders])
        env = jinja2.Environment(
            loader=loader, autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
        )
        env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
        return env

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

    def around(self, page: RenderedPage, site: SiteInfo, memo: Memo | None = None) -> tuple[str, str] | None:
        """The template's output before and after the page's content; None when the template does not
        write the content once, as it is.

        Templates get the page without its files' Markdown (`page.source` names the page and its
        settings), so what surrounds the content depends only on what the memo key holds, and a
        rebuild whose headings and settings are unchanged reuses it.
        """
        stand_in = _stand_in(page)
        # The key names the page; the stand-in is compared on a hit, not hashed: comparing thousands
        # of headings to the last build's costs less than hashing them.
        key = ("page", self.fingerprint, site, page.source.output) if memo else None
        known = memo.get(key) if memo else None
        if isinstance(known, _Around) and known.stand_in == stand_in:
            return known.before, known.after
        halves = self._render(stand_in, site).split(_CONTENT)
        if len(halves) != 2:
            return None
        if memo:
            memo.put(key, _Around(stand_in, halves[0], halves[1]))
        return halves[0], halves[1]

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
            "body_class": page.source.output.removesuffix(".html").replace("/", "_"),
            "highlight_css": f"{root}{ASSET_DIR}/highlight-{settings.highlight_theme}.css",
            "search": settings.search,
            "card": social_card(settings, page.source.output)
            if page.source.output != NOT_FOUND_FILE
            else None,
            # The 404 page is served at any depth: its relative links start from the site's root.
            "base_href": f"{settings.site_url}/" if page.source.output == NOT_FOUND_FILE else None,
        }
        return self.env.get_template("page.html").render(context)
