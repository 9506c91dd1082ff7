"""Slate's Markdown (Redcarpet's dialect) on markdown-it-py: CommonMark plus the rules of markup/slate."""

from __future__ import annotations

from markdown_it import MarkdownIt

from flagstone import acceleration
from flagstone.acceleration import markdown_parsing
from flagstone.markup.slate import blockquotes, headings, html_blocks, nesting, paragraphs

# Each rule of Slate's dialect is one module with a plugin, applied in this order.
SLATE_RULES = (headings.plugin, html_blocks.plugin, blockquotes.plugin, nesting.plugin, paragraphs.plugin)


def make_markdown() -> MarkdownIt:
    """CommonMark + tables + strikethrough + raw HTML, without indented code blocks (Slate disables them)."""
    md = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": False, "typographer": False, "maxNesting": nesting.MARKDOWN_IT_MAX_NESTING},
    )
    md.enable(["table", "strikethrough"])
    md.disable("code")
    if acceleration.enabled():
        md.use(markdown_parsing.plugin)
    for plugin in SLATE_RULES:
        md.use(plugin)
    return md
