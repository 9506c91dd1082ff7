"""ATX headings as Redcarpet reads them."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock


def slate_heading(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """ATX headings as Redcarpet reads them: `#NoSpace` is a heading and every trailing `#` goes.

    CommonMark needs a space after the hashes and keeps `C#` in `# C#`; Slate documents depend on both
    differences, and their heading ids (deep links) follow from them.
    """
    pos = state.bMarks[start_line] + state.tShift[start_line]
    maximum = state.eMarks[start_line]
    if state.is_code_block(start_line) or pos >= maximum or state.src[pos] != "#":
        return False
    level = 0
    while pos < maximum and state.src[pos] == "#" and level < 6:
        level += 1
        pos += 1
    if silent:
        return True
    content = state.src[pos:maximum].strip().rstrip("#").rstrip()
    state.line = start_line + 1
    if not content:
        return True  # Redcarpet drops a heading line with nothing in it (no empty <h2>, no id)
    token = state.push("heading_open", f"h{level}", 1)
    token.markup = "#" * level
    token.map = [start_line, state.line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [start_line, state.line]
    token.children = []
    token = state.push("heading_close", f"h{level}", -1)
    token.markup = "#" * level
    return True


def plugin(md: MarkdownIt) -> None:
    md.block.ruler.at("heading", slate_heading, {"alt": ["paragraph", "reference", "blockquote"]})
