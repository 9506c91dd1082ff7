"""Slate's Markdown (Redcarpet's dialect) on markdown-it-py, and faster stand-ins for four of its parts."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache, partial
from itertools import accumulate
from operator import add

from markdown_it import MarkdownIt
from markdown_it.rules_block.fence import fence
from markdown_it.rules_block.html_block import html_block
from markdown_it.rules_block.list import list_block
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType

from flagstone.markup.paragraphs import SWALLOWED_FENCES, make_slate_paragraph

_OPENING_TAG = re.compile(r"\s*<([A-Za-z][A-Za-z0-9-]*)")
# markdown-it silently drops the rest of a document nested deeper than its `maxNesting` (token levels:
# a list takes two, the list and its item); flagstone stops earlier, at MAX_NESTING lists and quotes,
# with a located error instead.
MAX_NESTING = 80
MARKDOWN_IT_MAX_NESTING = 2 * MAX_NESTING + 20
_DEPTH = "flagstone_block_depth"  # env key: the lists and quotes open around the line being parsed


class NestingTooDeep(Exception):
    """Blocks (lists, quotes) nested deeper than MAX_NESTING levels, at a 0-based line of the file."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def nesting_guard(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.env.get(_DEPTH, 0) > MAX_NESTING:
        raise NestingTooDeep(start_line)
    return False


def counted_list(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's list rule, counted in the depth the nesting guard checks."""
    state.env[_DEPTH] = state.env.get(_DEPTH, 0) + 1
    try:
        return list_block(state, start_line, end_line, silent)
    finally:
        state.env[_DEPTH] -= 1


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
    state.env[_DEPTH] = state.env.get(_DEPTH, 0) + 1
    swallowed: list[int] = state.env.get(SWALLOWED_FENCES, [])
    known = len(swallowed)
    try:
        state.md.block.tokenize(quote, 0, quote.lineMax)
    except NestingTooDeep as deep:  # the quote's lines count from 0: give the file's line
        raise NestingTooDeep(deep.line + start_line) from None
    finally:
        state.env[_DEPTH] -= 1
    swallowed = state.env.get(SWALLOWED_FENCES, [])
    swallowed[known:] = [line + start_line for line in swallowed[known:]]
    for inner_token in state.tokens[first_inner:]:
        if inner_token.map:
            inner_token.map = [inner_token.map[0] + start_line, inner_token.map[1] + start_line]
    state.push("blockquote_close", "blockquote", -1).markup = ">"
    state.line = last
    return True


def slate_html_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """HTML blocks, ended early where Redcarpet ends them: at a line closing the block's first tag
    when a `#` heading follows at once (`<aside>...</aside>` then `### Heading` without a blank line)."""
    if silent or not html_block(state, start_line, end_line, silent):
        return silent and html_block(state, start_line, end_line, silent)
    token = state.tokens[-1]
    opening = _OPENING_TAG.match(token.content)
    if opening is None:
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


def normalize_newlines(state: StateCore) -> None:
    """markdown-it's `normalize` rule, the same text without a regex substitution at every line end:
    CR LF and lone CR become LF, NUL becomes U+FFFD."""
    text = state.src
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    state.src = text


@cache
def _closing_fence(marker: str, length: int) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*{re.escape(marker)}{{{length},}}[ \t]*$", re.MULTILINE)


def fast_fence(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's fence rule, where a fence starts a line of the top level: its closing fence found
    by one regex search and its lines cut as one slice, not a Python step per line (JSON samples run to
    hundreds of lines). Any other fence, or a check, is markdown-it's own."""
    src = state.src
    start, end = state.bMarks[start_line] + state.tShift[start_line], state.eMarks[start_line]
    if start + 3 > end or src[start] not in "`~":
        return False  # markdown-it's first checks, without a call: this rule is tried on every line
    # Lines with code-block indents (off in this dialect) would need markdown-it's per-line test.
    if silent or state.blkIndent or state.sCount[start_line] or state._code_enabled:
        return fence(state, start_line, end_line, silent)
    if not fence(state, start_line, end_line, True):  # the opening line's other checks
        return False
    marker = src[start]
    info = src[start:end].lstrip(marker)
    markup = src[start : end - len(info)]
    first = state.bMarks[start_line + 1]
    closing = _closing_fence(marker, len(markup)).search(src, first, state.bMarks[end_line])
    # Unclosed, the block runs to the end of the document (or of the enclosing block).
    next_line = end_line if closing is None else bisect_right(state.bMarks, closing.start()) - 1
    state.line = next_line if closing is None else next_line + 1
    token = state.push("fence", "code", 0)
    token.info = info
    # The lines are contiguous in the source; the last ends at its line feed (a document's last
    # line of blanks has no line of its own, and stays out).
    token.content = src[first : state.eMarks[next_line - 1] + 1] if next_line > start_line + 1 else ""
    token.markup = markup
    token.map = [start_line, state.line]
    return True


# The inline rules this dialect runs, and every character that can start one of them other than
# `text`: a line break, an escape, code, strikethrough, emphasis, a link or image, an autolink or raw
# HTML, an entity. Text with none of them is one text token whatever the rules do (see plain_inline).
_INLINE_RULES = (
    [
        *("text", "newline", "escape", "backticks", "strikethrough", "emphasis"),
        *("link", "image", "autolink", "html_inline", "entity"),
    ],
    ["balance_pairs", "strikethrough", "emphasis", "fragments_join"],
)
_INLINE_MARKUP = re.compile(r"[\n\\`~*_\[!<&]")


def plain_inline(state: StateCore) -> None:
    """markdown-it's `inline` rule, where text holding no character that can start inline markup (most
    table cells, many headings) becomes its one text token at once: what the inline parser would make
    of it, without the parser's state, its rule loop and its delimiter passes."""
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        if _INLINE_MARKUP.search(token.content) is None:
            if token.content:
                text = Token("text", "", 0)
                text.content = token.content
                token.children.append(text)
        else:
            state.md.inline.parse(token.content, state.md, state.env, token.children)


def _expanded_indent(blanks: str) -> int:
    """The width of a line's leading blanks, tabs to the next multiple of 4 (markdown-it's sCount)."""
    width = 0
    for character in blanks:
        width += 4 - width % 4 if character == "\t" else 1
    return width


class LineTableState(StateBlock):
    """markdown-it's block state, its table of lines made by str methods a whole line at a time:
    markdown-it's own loop steps through every leading blank in Python, and the indented lines of code
    samples made that a tenth of parsing an API reference."""

    def __init__(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> None:
        super().__init__("", md, env, tokens)  # every other field as the installed markdown-it sets it
        self.src = src
        lines = src.split("\n")
        if not lines[-1].strip(" \t"):
            lines.pop()  # after the last line feed, nothing or blanks only: no line
        lengths = [len(line) for line in lines]
        starts = accumulate(map(partial(add, 1), lengths[:-1]), initial=0)  # each line and its line feed
        self.bMarks = list(starts) if lines else []
        self.eMarks = list(map(add, self.bMarks, lengths))
        self.tShift = [length - len(line.lstrip(" \t")) for line, length in zip(lines, lengths, strict=True)]
        self.sCount = (
            [_expanded_indent(line[:shift]) for line, shift in zip(lines, self.tShift, strict=True)]
            if "\t" in src
            else self.tShift.copy()
        )
        self.bsCount = [0] * len(lines)
        for table, last in ((self.bMarks, len(src)), (self.eMarks, len(src)), (self.tShift, 0)):
            table.append(last)  # markdown-it's entry past the last line
        self.sCount.append(0)
        self.bsCount.append(0)
        self.lineMax = len(lines)


def line_table(state: StateBlock) -> tuple[Sequence[int], ...]:
    return (state.bMarks, state.eMarks, state.tShift, state.sCount, state.bsCount, (state.lineMax,))


# Lines of every kind the table tells apart: blanks before text, tabs at any column, blank lines, a
# last line with and without its line feed, a last line of blanks.
_LINE_TABLE_PROBES = ("", "\n", "a", "a\n", " \t a\n\n\t\n  \t\tb  \nc", "x\n \t", "\n\n  ", " ")


def _parse_blocks(md: MarkdownIt) -> None:
    """Block parsing on LineTableState where it makes markdown-it's table (checked on probe texts,
    since it stands in for markdown-it's own code); otherwise markdown-it's own."""
    for text in _LINE_TABLE_PROBES:
        if line_table(LineTableState(text, md, {}, [])) != line_table(StateBlock(text, md, {}, [])):
            return
    tokenize = md.block.tokenize

    def parse(src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token] | None:
        if not src:
            return None
        state = LineTableState(src, md, env, tokens)
        tokenize(state, state.line, state.lineMax)
        return state.tokens

    md.block.parse = parse  # type: ignore[method-assign,assignment]  # this parser's, not the class's


def make_markdown() -> MarkdownIt:
    """CommonMark + tables + strikethrough + raw HTML, without indented code blocks (Slate disables them)."""
    md = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": False, "typographer": False, "maxNesting": MARKDOWN_IT_MAX_NESTING},
    )
    md.enable(["table", "strikethrough"])
    md.disable("code")
    md.core.ruler.at("normalize", normalize_newlines)
    _parse_blocks(md)
    md.block.ruler.at("fence", fast_fence, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    if (md.inline.ruler.get_active_rules(), md.inline.ruler2.get_active_rules()) == _INLINE_RULES:
        md.core.ruler.at("inline", plain_inline)  # else a markdown-it with other rules: its own
    md.block.ruler.at("heading", slate_heading, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.at("html_block", slate_html_block, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.at(
        "blockquote", slate_blockquote, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.block.ruler.at("list", counted_list, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.at("paragraph", make_slate_paragraph(slate_heading, slate_blockquote, nesting_guard))
    md.block.ruler.before(
        "table", "nesting_guard", nesting_guard, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    return md
