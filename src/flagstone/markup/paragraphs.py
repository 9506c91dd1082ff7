"""Paragraphs as Redcarpet ends them: a code fence right after a text line does not interrupt one."""

from __future__ import annotations

from collections.abc import Callable

from markdown_it.common import utils
from markdown_it.rules_block.fence import fence
from markdown_it.rules_block.hr import hr
from markdown_it.rules_block.state_block import StateBlock

# env key: the 0-based lines of fences that stayed inside a paragraph, for the render's warnings.
SWALLOWED_FENCES = "flagstone_swallowed_fences"

BlockRule = Callable[[StateBlock, int, int, bool], bool]


# How the installed markdown-it trims a paragraph (CommonMark's blanks since 4.0, str.strip before).
_trimmed: Callable[[str], str] = getattr(utils, "mdTrim", str.strip)


def make_slate_paragraph(heading: BlockRule, blockquote: BlockRule, guard: BlockRule) -> BlockRule:
    """markdown-it's paragraph rule, except that a fence line continues the paragraph (Redcarpet).

    Slate's Redcarpet runs without `lax_spacing`, so the backticks stay in the paragraph: an inline code
    span when later backticks close them, else text, to the next blank line. Once a fence stayed in, the
    rest of the paragraph ends only where Redcarpet ends one (a blank line, a `#` heading, a rule, a
    quote), so the would-be code's lines (`<?php`, `- x`) stay text as on the Slate site. Pairing the
    fences CommonMark's way would move every later fence pairing and could swallow headings.
    """
    redcarpet_terminators = (guard, heading, hr, blockquote)

    def slate_paragraph(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        next_line = start_line + 1
        terminators = state.md.block.ruler.getRules("paragraph")
        end_line = state.lineMax
        old_parent = state.parentType
        state.parentType = "paragraph"
        swallowed = False
        while next_line < end_line and not state.isEmpty(next_line):
            # An indented line or one a quote already checked: a lazy continuation whatever it holds.
            if state.sCount[next_line] - state.blkIndent > 3 or state.sCount[next_line] < 0:
                next_line += 1
                continue
            if fence(state, next_line, end_line, True):
                if not swallowed:
                    state.env.setdefault(SWALLOWED_FENCES, []).append(next_line)
                swallowed = True
                next_line += 1
                continue
            rules = redcarpet_terminators if swallowed else terminators
            if any(rule(state, next_line, end_line, True) for rule in rules):
                break
            next_line += 1
        content = _trimmed(state.getLines(start_line, next_line, state.blkIndent, False))
        state.line = next_line
        state.push("paragraph_open", "p", 1).map = [start_line, state.line]
        token = state.push("inline", "", 0)
        token.content = content
        token.map = [start_line, state.line]
        token.children = []
        state.push("paragraph_close", "p", -1)
        state.parentType = old_parent
        return True

    return slate_paragraph
