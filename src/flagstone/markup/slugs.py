"""Heading ids exactly as Slate makes them (ActiveSupport `parameterize` of the stripped heading HTML)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from functools import cache
from importlib import resources

_TAG = re.compile(r"<[^>]*>")
_NON_SLUG = re.compile(r"[^a-z0-9\-_]+", re.IGNORECASE)
_DASHES = re.compile(r"-{2,}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@cache
def _approximations() -> dict[str, str]:
    table = resources.files("flagstone.markup").joinpath("i18n_approximations.json").read_text("utf-8")
    loaded: dict[str, str] = json.loads(table)
    return loaded


def transliterate(text: str) -> str:
    """Latin approximations of non-ASCII characters as Ruby's I18n does it; `?` where it has none."""
    table = _approximations()
    return _NON_ASCII.sub(lambda m: table.get(m.group(0), "?"), unicodedata.normalize("NFC", text))


def parameterize(text: str) -> str:
    slug = _NON_SLUG.sub("-", transliterate(text))
    slug = _DASHES.sub("-", slug)
    slug = slug.removeprefix("-").removesuffix("-")
    return slug.lower()


def slate_slug(raw_html: str) -> str:
    """The id Slate gives a heading whose inline content renders to `raw_html`, before numbering."""
    slug = parameterize(_TAG.sub("", raw_html))
    return slug or hashlib.sha1(raw_html.encode("utf-8")).hexdigest()[:10]


class SlugCounter:
    """Slate's numbering of repeated ids within one file: `x`, `x-2`, `x-3` (never `x-1`)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def number(self, slug: str) -> str:
        count = self._seen.get(slug, 0) + 1
        self._seen[slug] = count
        return slug if count == 1 else f"{slug}-{count}"
