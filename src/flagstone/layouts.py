"""What `flagstone build` keeps of each page for its next run: the heading ids and the theme's HTML around
the content, reused while the page's headings, settings, site and theme are the same."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flagstone.cache import layout_fingerprint
from flagstone.memo import StoredMemo, content_digest
from flagstone.models import PageSource, RenderedPart
from flagstone.theme import SiteInfo

LayoutKey = tuple[str, str]


@dataclass(frozen=True)
class PageLayout:
    """A page as the last build laid it out around its files' HTML."""

    marks: tuple[tuple[str, ...], ...]  # per top-level file: what each heading marker became
    before: str  # the theme's HTML before the content
    after: str  # and after it


def layout_key(
    page: PageSource, parts: tuple[RenderedPart, ...], theme_fingerprint: str, site: SiteInfo
) -> LayoutKey | None:
    """A digest of everything a page's layout is made from; None for a page whose layout is not kept.

    The ids and the TOC come from the files' headings alone (their digests, file by file: Slate numbers
    repeated ids within a file), and the template sees the page's settings, its warnings and the site.
    A page with partials, or with a file whose heading markers are out of order, takes its heading order
    from its HTML: it is laid out afresh every time.
    """
    if any(part.partials or not part.fragment.marks_in_order for part in parts):
        return None
    files = [(part.fragment.headings_digest, part.fragment.warnings) for part in parts]
    fields = (theme_fingerprint, site, page.path, page.display, page.output, page.settings, files)
    return ("layout", content_digest(fields))


class PageLayouts:
    """The layouts the last `flagstone build` made, kept in a file (`path`) for the next one."""

    def __init__(self, path: Path, theme_fingerprint: str, site: SiteInfo) -> None:
        self.store = StoredMemo(path, layout_fingerprint(), (PageLayout,))
        self.theme_fingerprint = theme_fingerprint
        self.site = site

    def look_up(
        self, pages: list[PageSource], files: list[tuple[RenderedPart, ...]]
    ) -> list[tuple[LayoutKey | None, PageLayout | None]]:
        """Each page's key, and its layout where the last build made one with the same key."""
        found: list[tuple[LayoutKey | None, PageLayout | None]] = []
        for page, parts in zip(pages, files, strict=True):
            key = layout_key(page, parts, self.theme_fingerprint, self.site)
            layout = self.store.get(key) if key else None
            found.append((key, layout if isinstance(layout, PageLayout) else None))
        return found

    def keep(self, key: LayoutKey, layout: PageLayout) -> None:
        self.store.put(key, layout)

    def save(self) -> None:
        self.store.save()
