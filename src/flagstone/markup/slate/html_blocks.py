"""HTML blocks, ended early where Redcarpet ends them."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block.html_block import html_block
from markdown_it.rules_block.state_block import StateBlock

_OPENING_TAG = re.compile(r"\s*<([A-Za-z][A-Za-z0-9-]*)")
_HEADING_LINE = re.compile(r"\n[ \t]*#")


def slate_html_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """HTML blocks, ended early where Redcarpet ends them: at a line closing the block's first tag
    when a `#` heading follows at once (`<aside>...</aside>` then `### Heading` without a blank line)."""
    if silent or not html_block(state, start_line, end_line, silent):
        return silent and html_block(state, start_line, end_line, silent)
    token = state.tokens[-1]
    opening = _OPENING_TAG.match(token.content)
    if opening is None:
        return True
    # Only a line starting with `#` can end the block early: most blocks (tables) have none.
    if _HEADING_LINE.search(state.src, state.bMarks[start_line], state.eMarks[state.line - 1]) is None:
        return True
    closing = f"</{opening.group(1).lower()}>"
    for line in range(start_line, state.line - 1):
        text = state.src[state.bMarks[line] : state.eMarks[line]].rstrip().lower()
        following = state.src[state.bMarks[line + 1] + state.tShift[line + 1] : state.eMarks[line + 1]]
        if text.endswith(closing) and following.startswith("#"):
            token.content = state.getLines(start_line, line + 1, state.blkIndent, True)
            token.map = [start_line, line + 1]
            state.line = line + 1
            break
    return True


def plugin(md: MarkdownIt) -> None:
    md.block.ruler.at("html_block", slate_html_block, {"alt": ["paragraph", "reference", "blockquote"]})
