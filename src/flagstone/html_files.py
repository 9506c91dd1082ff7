"""One HTML template (an `.html.erb` page) to a Fragment: its HTML as written, its raw headings marked."""

from __future__ import annotations

import re
from collections.abc import Callable

from flagstone.markup.render import UNBALANCED_MARK, _FileState, _headings_digest, _mark_raw_headings
from flagstone.models import Fragment, SourceText

_BLANK_LINES = re.compile(r"\n[ \t]*\n")


def is_html_template(name: str) -> bool:
    """Whether Middleman renders a file of this name as HTML (`.html.erb`, `.erb`) rather than Markdown."""
    return name.endswith(".html") or (
        name.endswith(".erb") and not name.endswith((".md.erb", ".markdown.erb"))
    )


def html_fragment(
    source: SourceText,
    search_words: Callable[[str], tuple[str, ...]] | None = None,
    unstyled: tuple[str, ...] = (),
) -> Fragment:
    """The file's HTML unchanged (no Markdown), with each raw `<hN>` marked as a heading of the page, as
    Slate's TOC takes the headings of any page's HTML."""
    state = _FileState(source, (), unstyled)
    pieces: list[str] = []
    position, line = 0, source.first_line
    # Headings are marked chunk by chunk (between blank lines), so each carries its chunk's line.
    for blank in [*_BLANK_LINES.finditer(source.text), None]:
        end = blank.end() if blank else len(source.text)
        chunk = source.text[position:end]
        state.track_raw_html(chunk)
        pieces.append(_mark_raw_headings(chunk, state, line))
        line += chunk.count("\n")
        position = end
    if state.open_elements:
        state.unbalanced = True
    html = "".join(pieces)
    state.scan.take_html(source.text, source.first_line)
    if state.unbalanced:
        html = UNBALANCED_MARK + html
    headings = tuple(state.headings)
    return Fragment.from_html(
        html,
        headings,
        search_words=search_words(html) if search_words else (),
        unstyled=unstyled,
        marks_in_order=True,
        headings_digest=_headings_digest(headings),
        references=tuple(state.scan.references),
        html_ids=tuple(state.scan.ids),
    )
