"""One Markdown file to a Fragment: HTML with heading-id markers, its headings and its warnings."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from flagstone.acceleration.gc_pause import collector_paused
from flagstone.errors import DocumentError, Problem
from flagstone.markup.dialect import make_markdown
from flagstone.markup.highlight import code_block_html
from flagstone.markup.references import FileScan
from flagstone.markup.slate.nesting import MAX_NESTING, NestingTooDeep
from flagstone.markup.slate.paragraphs import SWALLOWED_FENCES
from flagstone.markup.slugs import slate_slug
from flagstone.models import Fragment, Heading, SourceText
from flagstone.storage.files import content_digest

# A heading's id is written as MARK<n>MARK and filled in when the whole page is known. NUL cannot
# come from the input: markdown-it replaces it with U+FFFD.
MARK = "\x00"
HEADING_MARK = re.compile("\x00(\\d+)\x00")
PARTIAL_MARK = re.compile("<!--flagstone-partial-(\\d+)-->\n?")
# HTML comments come first in the alternation so that headings commented out are skipped whole.
_RAW_HEADING = re.compile(r"<!--.*?-->|<h([1-6])(\s[^>]*)?>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_ID_ATTR = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
# Where a <section> of the page may start: before an h1 or h2 at the top level of the file, outside any
# element that raw HTML opened. The theme makes each section one block that the browser can skip while it
# is off screen, so a large page costs what the screen shows (see assemble.sectioned).
SECTION_MARK = "\x00-\x00"
# At the start of a file whose raw HTML leaves an element open or closes one it did not open: its page
# gets no sections, since a section boundary could cut such an element in two.
UNBALANCED_MARK = "\x00!\x00"
_RAW_TAG = re.compile(
    r"<!--.*?-->|<(script|style|textarea)\b.*?</\1\s*>|<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*?)?(/?)>",
    re.IGNORECASE | re.DOTALL,
)
_VOID_ELEMENTS = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr")
)
_TEXT_BETWEEN_TAGS = re.compile(r"([^<]+)|(<[^>]*>)")


def partial_placeholder(index: int) -> str:
    """What an ERB `partial` call becomes in the page's Markdown: an HTML comment, which starts a block
    of its own on a line of its own; the line count stays, so later lines keep their numbers."""
    return f"<!--flagstone-partial-{index}-->"


@dataclass
class _FileState:
    """Per-file render state, carried in markdown-it's `env` (never in globals)."""

    source: SourceText
    tab_keys: tuple[str, ...]
    unstyled: tuple[str, ...] = ()  # token classes written without spans (highlight.unstyled_classes)
    headings: list[Heading] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unknown_languages: set[str] = field(default_factory=set)
    open_elements: list[str] = field(default_factory=list)  # raw HTML elements open at this point
    unbalanced: bool = False  # raw HTML closed an element it did not open, or left one open
    code_blocks: list[str] = field(default_factory=list)  # the HTML of each fenced block, in order
    scan: FileScan = field(init=False)  # its links, images and raw ids

    def __post_init__(self) -> None:
        self.scan = FileScan(self.source.display, self.source.first_line)

    def track_raw_html(self, raw: str) -> None:
        """Follow the elements raw HTML opens and closes (void and self-closed ones aside)."""
        if self.unbalanced or "<" not in raw:
            return
        if self.open_elements and PARTIAL_MARK.search(raw):
            self.unbalanced = True  # a partial called inside an element: its sections would cut it
        # findall's tuples, not match objects: a generated API reference has millions of tags
        for _, closing, name, self_closed in _RAW_TAG.findall(raw):
            if not name or self_closed:
                continue  # a comment, a script or style with its contents, or <x/>
            name = name.lower()
            if not closing:
                if name not in _VOID_ELEMENTS:
                    self.open_elements.append(name)
            elif self.open_elements and self.open_elements[-1] == name:
                self.open_elements.pop()
            elif name not in _VOID_ELEMENTS:
                self.unbalanced = True
                return

    def line_of(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + self.source.first_line


def _redcarpet_escape_quotes(raw: str) -> str:
    # Redcarpet escapes quotes in text (&quot; &#39;) and Slate's ids keep them: "don-39-t-panic".
    def escape(match: re.Match[str]) -> str:
        return (
            match.group(0).replace('"', "&quot;").replace("'", "&#39;") if match.group(1) else match.group(0)
        )

    return _TEXT_BETWEEN_TAGS.sub(escape, raw)


def _redcarpet_inline_html(md: MarkdownIt, children: Sequence[Token], env: EnvType) -> str:
    """A heading's inline content as Redcarpet renders it: entities kept as written, `'` escaped."""
    redone: list[Token] = []
    for child in children:
        if child.type == "text_special" and child.info == "entity":
            redone.append(Token("html_inline", "", 0, content=child.markup))
        elif child.type == "text_special":  # an escape, before markdown-it's text_join makes it text
            redone.append(Token("text", "", 0, content=child.content))
        else:
            redone.append(child)
    renderer: RendererHTML = md.renderer  # type: ignore[assignment]
    return _redcarpet_escape_quotes(renderer.renderInline(redone, md.options, env))


def _text_of(inner_html: str) -> str:
    import html as html_module

    return html_module.unescape(_TAG.sub("", inner_html)).strip()


def _collect_headings(md: MarkdownIt, tokens: list[Token], env: EnvType) -> None:
    state: _FileState = env["flagstone"]
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            children = tokens[index + 1].children or []
            raw = _redcarpet_inline_html(md, children, env)
            token.meta["heading_index"] = len(state.headings)
            token.meta["raw"] = raw
            token.meta["section"] = token.level == 0 and token.tag in ("h1", "h2") and not state.open_elements
            state.headings.append(Heading(int(token.tag[1]), slate_slug(raw), "", "", state.line_of(token)))
        elif token.type == "html_block":
            state.track_raw_html(token.content)
            token.content = _mark_raw_headings(token.content, state, state.line_of(token))
        elif token.type == "inline" and token.children and "<" in token.content:
            for child in token.children:
                if child.type == "html_inline":
                    state.track_raw_html(child.content)


def _mark_raw_headings(content: str, state: _FileState, line: int) -> str:
    def mark(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)
        id_match = _ID_ATTR.search(match.group(2) or "")
        heading_id = next((g for g in id_match.groups() if g is not None), "") if id_match else ""
        inner = match.group(3)
        state.headings.append(
            Heading(int(match.group(1)), heading_id, inner, _text_of(inner), line, fixed=True)
        )
        return f"{MARK}{len(state.headings) - 1}{MARK}{match.group(0)}"

    return _RAW_HEADING.sub(mark, content)


def _render_heading_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    state: _FileState = env["flagstone"]
    heading_index = token.meta["heading_index"]
    inner = renderer.renderInline(tokens[idx + 1].children or [], options, env)
    heading = state.headings[heading_index]
    state.headings[heading_index] = Heading(heading.level, heading.slug, inner, _text_of(inner), heading.line)
    section = SECTION_MARK if token.meta["section"] else ""
    return f'{section}<{token.tag} id="{MARK}{heading_index}{MARK}">'


def _render_fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    state: _FileState = env["flagstone"]
    info = token.info.strip()
    block, language = code_block_html(token.content, info, state.tab_keys, state.unstyled)
    if not language.known and info not in state.unknown_languages:
        state.unknown_languages.add(info)
        state.warnings.append(
            Problem(
                state.source.display,
                state.line_of(token),
                f"unknown code language '{info}', shown as plain text",
                key="fence",
            )
        )
    state.code_blocks.append(block)
    return block


def _swallowed_fence(source: SourceText, line: int) -> Problem:
    return Problem(
        source.display,
        line + source.first_line,
        "a code fence right after a text line stays text in the paragraph, as on the Slate site",
        key="fence",
        hint="add a blank line before the fence",
    )


def _render_table_cell(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Slate's tables carry `style="text-align: left"`; users' CSS sometimes matches it.
    token = tokens[idx]
    style = token.attrGet("style")
    if style:
        token.attrSet("style", str(style).replace(":", ": "))
    return renderer.renderToken(tokens, idx, options, env)


class MarkdownRenderer:
    """A markdown-it parser set up for Slate documents; one per worker, reused for every file."""

    def __init__(self) -> None:
        self.md = make_markdown()
        self.md.core.ruler.before(
            "text_join",
            "flagstone_headings",
            lambda state: _collect_headings(self.md, state.tokens, state.env),
        )
        self.md.add_render_rule("heading_open", _render_heading_open)
        self.md.add_render_rule("fence", _render_fence)
        self.md.add_render_rule("th_open", _render_table_cell)
        self.md.add_render_rule("td_open", _render_table_cell)
        # Slate (Redcarpet) writes strikethrough as <del>; users' CSS targets it.
        self.md.add_render_rule("s_open", lambda *_: "<del>")
        self.md.add_render_rule("s_close", lambda *_: "</del>")
        # A file is parsed, inlined and rendered a window at a time (see _in_windows): the block rule
        # first in line notes where each top-level block begins.
        first = self.md.block.ruler.get_active_rules()[0]
        self.md.block.ruler.before(first, "flagstone_starts", _note_block_start)
        names = self.md.core.ruler.get_active_rules()
        rules = self.md.core.ruler.getRules("")
        split = names.index("block")
        self._before_blocks, self._after_blocks = rules[:split], rules[split + 1 :]

    def render(
        self,
        source: SourceText,
        tab_keys: tuple[str, ...],
        search_words: Callable[[str], tuple[str, ...]] | None = None,
        unstyled: tuple[str, ...] = (),
    ) -> Fragment:
        """The file's Fragment, its code without spans for the `unstyled` token classes; with
        `search_words`, also the words that function finds in its prose (the HTML without the fenced
        code blocks, which most of a reference's HTML is)."""
        state = _FileState(source, tab_keys, unstyled)
        env: EnvType = {"flagstone": state}
        try:
            with collector_paused():
                rendered = self._in_runs(source.text, env, search_words is not None)
        except NestingTooDeep as deep:
            raise DocumentError(
                Problem(
                    source.display,
                    deep.line + source.first_line,
                    (f"expected lists and quotes nested at most {MAX_NESTING} levels deep, got deeper"),
                )
            ) from None
        if state.open_elements:
            state.unbalanced = True
        pieces = rendered.pieces
        if state.unbalanced:
            pieces[0:0] = UNBALANCED_MARK.split(MARK)[:-1]  # the mark before the first text
        prose = (UNBALANCED_MARK if state.unbalanced else "") + "".join(rendered.prose)
        words = search_words(prose) if search_words else ()
        del prose
        del rendered
        for line in env.get(SWALLOWED_FENCES, ()):
            state.warnings.append(_swallowed_fence(source, line))
        # Checked here, once per file: assembling a page then need not search its HTML for the order.
        numbers = [int(number) for number in pieces[1::2] if number.isdigit()]
        in_order = numbers == list(range(len(state.headings)))
        headings = tuple(state.headings)
        digest = _headings_digest(headings)
        return Fragment(
            tuple(pieces),
            headings,
            warnings=tuple(state.warnings),
            search_words=words,
            unstyled=unstyled,
            marks_in_order=in_order,
            headings_digest=digest,
            references=tuple(state.scan.references),
            html_ids=tuple(state.scan.ids),
        )

    def _in_runs(self, text: str, env: EnvType, with_prose: bool) -> _Runs:
        """What markdown-it's render gives, split at the NULs of the markers (see Fragment), made a
        window of the file at a time (see _in_windows): a whole file's tokens (hundreds of bytes each,
        several per line) and its table of lines (about ten times its size) were most of the memory a
        large file took. With `with_prose`, also the HTML without its fenced code, for the search words.

        Link reference definitions are the one thing a block takes from a later one: a file that may
        hold one (any `]:`) is block-parsed once before, for its definitions alone."""
        core = StateCore(text, self.md, env)
        for rule in self._before_blocks:
            rule(core)
        if "]:" in core.src:
            definitions: EnvType = {}
            _in_windows(self.md, core.src, definitions, lambda tokens, first_line: None)
            if "references" in definitions:
                env["references"] = definitions["references"]
        runs = _Runs(core, self._after_blocks, with_prose)
        _in_windows(self.md, core.src, env, runs.take)
        return runs


_STARTS = "flagstone_starts"  # in markdown-it's env: where the block rule notes each top-level block
_Start = tuple[int, int, int, int]  # a top-level block's line, character, tokens before it, definitions
_WINDOW = 64 * 1024  # characters block-parsed at once, at least (a window holds three blocks or more)


def _note_block_start(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """At the start of a top-level block (level 0: a quote's or a list's blocks are deeper), note its
    line, where the line starts and how many tokens come before it. Matches nothing itself."""
    note = state.env.get(_STARTS)
    if note is not None and state.level == 0:
        note(start_line, state.bMarks[start_line], len(state.tokens))
    return False


def _in_windows(md: MarkdownIt, src: str, env: EnvType, take: Callable[[list[Token], int], None]) -> None:
    """Block-parse `src` a window of lines at a time, handing each window's blocks to `take` with the
    line they start at: the blocks of the text up to the third-last top-level block that began in the
    window (the next window starts there), all of them in the last window.

    A block never looks back, and what it is depends on its own lines and the few after it that end
    it (blank lines, the next line): a block followed by two more blocks in the window is the block
    a parse of the whole text finds. Definitions noted by the blocks parsed again are forgotten.
    """
    position, first_line, window = 0, 0, _WINDOW
    while position < len(src):
        end = src.find("\n", position + window)
        end = len(src) if end < 0 else end + 1
        had_references = "references" in env
        fences = env.setdefault(SWALLOWED_FENCES, [])
        known_fences = len(fences)
        starts: list[_Start] = []
        blocks: list[Token] = []
        env[_STARTS] = partial(_noted, starts, env)
        try:
            md.block.parse(src[position:end], md, env, blocks)
        except NestingTooDeep as deep:
            raise NestingTooDeep(deep.line + first_line) from None
        finally:
            del env[_STARTS]
        if end == len(src):
            fences[known_fences:] = [line + first_line for line in fences[known_fences:]]
            take(blocks, first_line)
            return
        if len(starts) < 3 or starts[-3][0] == 0:  # too few blocks to know one: a larger window
            _forget_definitions(env, had_references, starts[0][3] if starts else 0)
            del fences[known_fences:]
            window *= 2
            continue
        line, character, tokens, known = starts[-3]
        _forget_definitions(env, had_references, known)
        # Fences noted in the blocks parsed again with the next window are noted again there.
        fences[known_fences:] = [at + first_line for at in fences[known_fences:] if at < line]
        del blocks[tokens:]
        take(blocks, first_line)
        position, first_line, window = position + character, first_line + line, _WINDOW


def _noted(
    starts: list[tuple[int, int, int, int]], env: EnvType, line: int, character: int, tokens: int
) -> None:
    starts.append((line, character, tokens, len(env.get("references", ()))))


def _forget_definitions(env: EnvType, had_references: bool, known: int) -> None:
    """Keep the first `known` link definitions of the env (none, and no entry, if it had none)."""
    references = env.get("references")
    if references is None:
        return
    if not had_references and known == 0:
        del env["references"]
        return
    for label in list(references)[known:]:
        del references[label]


class _Runs:
    """The HTML of a file's windows as they are made (see MarkdownRenderer._in_runs)."""

    def __init__(self, core: StateCore, rules: list[Callable[[StateCore], None]], with_prose: bool) -> None:
        self.core = core
        self.rules = rules  # markdown-it's core rules after the block rule: inline, headings, ...
        self.with_prose = with_prose
        self.pieces = [""]  # the HTML so far split at NULs; the last piece goes on in the next run
        self.prose: list[str] = []

    def take(self, tokens: list[Token], first_line: int) -> None:
        """Render the blocks of `tokens`, parsed from a window starting at line `first_line`."""
        if not tokens:
            return
        if first_line:
            for token in tokens:
                if token.map:
                    token.map = [token.map[0] + first_line, token.map[1] + first_line]
        core = self.core
        core.tokens = tokens
        for rule in self.rules:
            rule(core)
        state: _FileState = core.env["flagstone"]
        state.scan.take_tokens(core.tokens)
        html = core.md.renderer.render(core.tokens, core.md.options, core.env)
        core.tokens = []
        if self.with_prose:
            self.prose.append(_without(html, state.code_blocks))
        state.code_blocks.clear()
        split = html.split(MARK)
        self.pieces[-1] += split[0]
        self.pieces.extend(split[1:])


def _headings_digest(headings: tuple[Heading, ...]) -> str:
    return content_digest([(h.level, h.slug, h.inner_html, h.text, h.fixed) for h in headings])


def _without(html: str, blocks: list[str]) -> str:
    """The HTML with these blocks, written into it in this order, cut out."""
    pieces, position = [], 0
    for block in blocks:
        start = html.find(block, position)
        if start < 0:  # cannot happen; the whole HTML gives the same words, only more slowly
            return html
        pieces.append(html[position:start])
        position = start + len(block)
    pieces.append(html[position:])
    return "".join(pieces)
