"""Blockquotes as far as Redcarpet takes them."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block.state_block import StateBlock

from flagstone.markup.slate.nesting import DEPTH, QUOTE_OFFSET, NestingTooDeep


def _is_quote_line(state: StateBlock, line: int) -> bool:
    pos = state.bMarks[line] + state.tShift[line]
    return pos < state.eMarks[line] and state.src[pos] == ">"


def _is_blank(state: StateBlock, line: int) -> bool:
    return state.bMarks[line] + state.tShift[line] >= state.eMarks[line]


def _quote_inner_line(state: StateBlock, line: int) -> str:
    start, end = state.bMarks[line], state.eMarks[line]
    if not _is_quote_line(state, line):
        return state.src[start + min(state.tShift[line], state.blkIndent) : end]
    pos = start + state.tShift[line] + 1
    if pos < end and state.src[pos] == " ":
        pos += 1
    return state.src[pos:end]


def slate_blockquote(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Blockquotes as far as Redcarpet takes them: to a blank line followed by a line without `>`.

    CommonMark ends a quote at the first line that cannot continue its paragraph (a fence, an HTML
    block); Redcarpet keeps every such line in the quote, and Slate pages rely on that grouping for
    what lands in the right column.
    """
    if state.is_code_block(start_line) or not _is_quote_line(state, start_line):
        return False
    if silent:
        return True
    last = start_line + 1
    while last < end_line:
        if state.sCount[last] < state.blkIndent and not _is_blank(state, last):
            break
        if _is_blank(state, last) and (
            last + 1 >= end_line or (not _is_quote_line(state, last + 1) and not _is_blank(state, last + 1))
        ):
            break
        last += 1
    inner = "\n".join(_quote_inner_line(state, line) for line in range(start_line, last)) + "\n"
    token = state.push("blockquote_open", "blockquote", 1)
    token.markup = ">"
    token.map = [start_line, last]
    first_inner = len(state.tokens)
    quote = type(state)(inner, state.md, state.env, state.tokens)
    quote.level = state.level
    state.env[DEPTH] = state.env.get(DEPTH, 0) + 1
    state.env[QUOTE_OFFSET] = state.env.get(QUOTE_OFFSET, 0) + start_line
    try:
        state.md.block.tokenize(quote, 0, quote.lineMax)
    except NestingTooDeep as deep:  # the quote's lines count from 0: give the file's line
        raise NestingTooDeep(deep.line + start_line) from None
    finally:
        state.env[DEPTH] -= 1
        state.env[QUOTE_OFFSET] -= start_line
    for inner_token in state.tokens[first_inner:]:
        if inner_token.map:
            inner_token.map = [inner_token.map[0] + start_line, inner_token.map[1] + start_line]
    state.push("blockquote_close", "blockquote", -1).markup = ">"
    state.line = last
    return True


def plugin(md: MarkdownIt) -> None:
    md.block.ruler.at(
        "blockquote", slate_blockquote, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
