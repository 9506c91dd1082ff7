"""The reference's tables written as the HTML markdown-it makes of their Markdown, so rendering skips them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block.table import escapedSplit

from flagstone.markup.dialect import make_markdown

# A character that can start inline markup (as in acceleration.markdown_parsing): text without one is
# one text token, its HTML the text escaped.
_INLINE_MARKUP = re.compile(r"[\n\\`~*_\[!<&]")


class Tables:
    """Markdown tables (cells as `schemas.cell` makes them) as markdown-it's HTML for them, byte for byte:
    a generated reference is mostly tables, and parsing them as Markdown was most of its build. The HTML
    of each distinct cell is worked out once."""

    def __init__(self, html: bool = True) -> None:
        self.html = html  # False: the Markdown itself, for a project people edit (`flagstone openapi`)
        self._md: MarkdownIt | None = None
        self._cells: dict[str, str] = {}

    def _inline(self, text: str) -> str:
        if self._md is None:
            self._md = make_markdown()
            # as flagstone's renderer writes strikethrough (markup.render)
            self._md.add_render_rule("s_open", lambda *_: "<del>")
            self._md.add_render_rule("s_close", lambda *_: "</del>")
        return str(self._md.renderInline(text))

    def cell(self, markdown: str) -> str:
        """A cell's inner HTML: its `\\|` unescaped and its ends stripped as markdown-it's table rule does."""
        found = self._cells.get(markdown)
        if found is None:
            content = "|".join(escapedSplit(markdown)).strip() if "\\" in markdown else markdown.strip()
            found = escapeHtml(content) if _INLINE_MARKUP.search(content) is None else self._inline(content)
            self._cells[markdown] = found
        return found

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
        """A table of plain header names and rows of Markdown cells, as HTML with no blank line (one
        HTML block to the Markdown renderer), or as Markdown."""
        if not self.html:
            lines = ["|" + "|".join(header) + "|", "|" + "---|" * len(header)]
            return "\n".join(lines + ["|" + "|".join(row) + "|" for row in rows])
        lines = ["<table>", "<thead>", "<tr>", *(f"<th>{escapeHtml(name)}</th>" for name in header)]
        lines += ["</tr>", "</thead>"]
        body: list[str] = []
        width = len(header)
        for row in rows:
            body.append("<tr>")
            cells = list(row[:width]) + [""] * (width - len(row))
            body += [f"<td>{self.cell(text)}</td>" for text in cells]
            body.append("</tr>")
        if body:
            lines += ["<tbody>", *body, "</tbody>"]
        lines.append("</table>")
        return "\n".join(lines)
