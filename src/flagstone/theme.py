"""The theme: Jinja templates and assets, looked up through a chain of folders (the project's first)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from flagstone.markup.highlight import stylesheet
from flagstone.models import RenderedPage
from flagstone.site_writer import OutputFile

ASSET_DIR = "flagstone"  # where the theme's assets go in the site


@dataclass(frozen=True)
class SiteInfo:
    """What the theme needs to know about the site beyond one page."""

    logo: str | None  # site-relative path of the logo image
    favicon: str | None  # site-relative path of the project's favicon
    pages: tuple[tuple[str, str], ...]  # (output path, title) of every page


class Theme:
    """Templates and assets of a chain of theme folders; a file in an earlier folder wins."""

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = folders
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(f / "templates")) for f in folders])
        self.env = jinja2.Environment(
            loader=loader, autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
        )
        self.env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)

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

    def highlight_css(self, styles: set[str]) -> list[OutputFile]:
        return [
            OutputFile(f"{ASSET_DIR}/highlight-{style}.css", stylesheet(style).encode())
            for style in sorted(styles)
        ]

    def render_page(self, page: RenderedPage, site: SiteInfo) -> str:
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
        }
        return self.env.get_template("page.html").render(context)
