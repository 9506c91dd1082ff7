"""The site for search engines and link previews (with `site_url`): sitemap, robots.txt, cards, 404 page."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

from flagstone.markdown_twins import page_markdown
from flagstone.models import PageSettings, PageSource, PartSource, RenderedPage, SourceText
from flagstone.site_writer import OutputFile

SITEMAP_FILE = "sitemap.xml"
ROBOTS_FILE = "robots.txt"
NOT_FOUND_FILE = "404.html"
_DESCRIPTION_LENGTH = 200  # what search engines show of a description, about


@dataclass(frozen=True)
class SocialCard:
    """What a page's head tells search engines and link previews: its canonical URL and the `<meta>`
    tags of its card, as (attribute, its value, content)."""

    url: str
    tags: tuple[tuple[str, str, str], ...]


def _xml_text(text: str) -> str:
    """`&`, `<` and `>` escaped, as xml.sax.saxutils.escape does: that module imports urllib.request (with
    http.client, email, ssl and socket), about 15 ms of every build's start-up."""
    return html.escape(text, quote=False)


def page_url(site_url: str, output: str) -> str:
    """The public URL of a page of the site; a folder's index.html is the folder's URL."""
    path = output.removesuffix("index.html") if posixpath.basename(output) == "index.html" else output
    return f"{site_url}/{quote(path)}"


def _plain(markdown: str) -> str:
    """Markdown inline text made plain: links to their text, code, emphasis and tags to their words."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"(\*\*|__|\*|_|`)", "", text)
    return " ".join(text.split())


_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})")
_NOT_PROSE = re.compile(r"^(#|<|>|\||[-*+] |\d+[.)] |    |\t|!\[|<%|---|===|\s*$)")


_BLANK_LINES = re.compile(r"\n\s*\n")


def _blocks(markdown: str) -> Iterator[str]:
    """re.split at blank lines, one block at a time: the first paragraph is near the top of a text
    that can be tens of megabytes."""
    start = 0
    for blank in _BLANK_LINES.finditer(markdown):
        yield markdown[start : blank.start()]
        start = blank.end()
    yield markdown[start:]


def first_paragraph(markdown: str) -> str:
    """The text of the first paragraph of prose in `markdown` (not a heading, list, table, quote, code
    or HTML), plain and cut at a word near 200 characters; empty when there is none."""
    fence = ""
    for block in _blocks(markdown):
        lines = block.split("\n")
        for line in lines:
            marker = _FENCE.match(line)
            if marker and (not fence or marker.group(1).startswith(fence)):
                fence = "" if fence else marker.group(1)[:3]
        if fence or _FENCE.match(lines[0]) or _NOT_PROSE.match(lines[0]):
            continue
        text = _plain(" ".join(lines))
        if len(text) > _DESCRIPTION_LENGTH:
            text = text[:_DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"
        if text:
            return text
    return ""


def site_url_of(pages: Sequence[PageSource], given: str | None = None) -> str:
    """Where the site is published: `given` (the flag), else the front page's `site_url`, else the
    first page's that has one; empty when none does."""
    if given:
        return given.rstrip("/")
    front_first = sorted(pages, key=lambda page: page.output != "index.html")
    return next((page.settings.site_url.rstrip("/") for page in front_first if page.settings.site_url), "")


def with_site_url(page: PageSource, url: str) -> PageSource:
    """The page with the site's `url` and, when there is one, a description (its own, else its first
    paragraph): what its card and the sitemap are made from."""
    if not url:
        return page
    description = (
        page.settings.description or _meta_description(page.settings) or first_paragraph(page_markdown(page))
    )
    return replace(page, settings=replace(page.settings, site_url=url, description=description))


def _meta_description(settings: PageSettings) -> str | None:
    """The content of the page's own `<meta name="description">`, given in `meta`; None without one."""
    for tag in settings.meta:
        if ("name", "description") in tag:
            return dict(tag).get("content", "")
    return None


def social_card(settings: PageSettings, output: str) -> SocialCard | None:
    """The page's card, or None without a `site_url`."""
    if not settings.site_url:
        return None
    url, title, description = page_url(settings.site_url, output), settings.title, settings.description
    image = settings.social_image
    if image and not re.match(r"[a-z][a-z0-9+.-]*://", image):
        image = f"{settings.site_url}/{quote(image.lstrip('/'))}"
    # The page's own `meta` description tag is written by the template already.
    own = [("name", "description", description)] if _meta_description(settings) is None else []
    tags = [
        *own,
        ("property", "og:type", "website"),
        ("property", "og:url", url),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:image", image),
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", image),
    ]
    return SocialCard(url, tuple((attribute, name, text) for attribute, name, text in tags if text))


def sitemap(pages: Sequence[PageSource]) -> OutputFile | None:
    """`sitemap.xml` (sitemaps.org 0.9) listing every page that has a `site_url`; None when none has."""
    urls = [page_url(p.settings.site_url, p.output) for p in pages if p.settings.site_url]
    if not urls:
        return None
    entries = "".join(f"  <url><loc>{_xml_text(url)}</loc></url>\n" for url in urls)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
    )
    return OutputFile(SITEMAP_FILE, xml.encode())


def robots(site_url: str) -> OutputFile:
    """`robots.txt`: every crawler welcome, and where the sitemap is."""
    return OutputFile(
        ROBOTS_FILE, f"User-agent: *\nAllow: /\n\nSitemap: {site_url}/{SITEMAP_FILE}\n".encode()
    )


def not_found_page(first: PageSource) -> RenderedPage:
    """The 404 page the host serves for a missing URL, in the theme of the site's first page; its
    links are made from `site_url`, since it is served at any depth."""
    settings = replace(
        first.settings,
        title=f"Page not found - {first.settings.title}",
        language_tabs=(),
        search=False,
        includes=(),
        description="",
    )
    home = f"{first.settings.site_url}/"
    content = (
        '<h1 id="page-not-found">Page not found</h1>\n'
        "<p>There is no page at this address. Go to "
        f'<a href="{_xml_text(home)}">the documentation\'s first page</a>.</p>\n'
    )
    source = PageSource(
        Path(NOT_FOUND_FILE), NOT_FOUND_FILE, NOT_FOUND_FILE, settings, PartSource(SourceText(Path(), "", ""))
    )
    return RenderedPage(source, content, (), ())
