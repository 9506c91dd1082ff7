"""Lists and quotes nested at most MAX_NESTING deep: deeper is a located error, never dropped text."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block.list import list_block
from markdown_it.rules_block.state_block import StateBlock

# markdown-it silently drops the rest of a document nested deeper than its `maxNesting` (token levels:
# a list takes two, the list and its item); flagstone stops earlier, at MAX_NESTING lists and quotes,
# with a located error instead.
MAX_NESTING = 80
MARKDOWN_IT_MAX_NESTING = 2 * MAX_NESTING + 20
DEPTH = "flagstone_block_depth"  # env key: the lists and quotes open around the line being parsed
# env key: the file line a quote's first line is at (a quote is parsed as a text of its own, from 0)
QUOTE_OFFSET = "flagstone_quote_offset"


class NestingTooDeep(Exception):
    """Blocks (lists, quotes) nested deeper than MAX_NESTING levels, at a 0-based line of the file."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def nesting_guard(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.env.get(DEPTH, 0) > MAX_NESTING:
        raise NestingTooDeep(start_line)
    return False


def counted_list(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's list rule, counted in the depth the nesting guard checks."""
    state.env[DEPTH] = state.env.get(DEPTH, 0) + 1
    try:
        return list_block(state, start_line, end_line, silent)
    finally:
        state.env[DEPTH] -= 1


def plugin(md: MarkdownIt) -> None:
    """Count lists in the depth, and check it before any other block rule of a line."""
    md.block.ruler.at("list", counted_list, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.before(
        "table", "nesting_guard", nesting_guard, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
