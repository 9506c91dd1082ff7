"""Fenced code blocks: language names as Slate (Rouge) knows them, tab membership, Pygments highlighting."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from pygments.token import STANDARD_TYPES, Error, Whitespace, _TokenType

from flagstone import acceleration
from flagstone.acceleration import fastjson
from flagstone.acceleration.fastlex import pays_off, unprocessed_tokens
from flagstone.acceleration.lazy_states import defer_states

if TYPE_CHECKING:
    from pygments.lexer import Lexer

# Rouge's tag for a language (what Slate writes in the class) -> the Pygments lexer and the other
# names authors use for it. Rouge tags matter: `tab-` classes and users' CSS are built from them.
_LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "shell": ("bash", ("sh", "bash", "zsh", "ksh")),
    "console": ("console", ("terminal", "shell_session", "shell-session")),
    "javascript": ("javascript", ("js", "node", "nodejs")),
    "json": ("json", ()),
    "python": ("python", ("py",)),
    "ruby": ("ruby", ("rb",)),
    "php": ("php", ()),
    "java": ("java", ()),
    "go": ("go", ("golang",)),
    "csharp": ("csharp", ("c#", "cs")),
    "objective_c": ("objective-c", ("objc", "obj-c", "obj_c", "objectivec")),
    "cpp": ("cpp", ("c++",)),
    "c": ("c", ()),
    "http": ("http", ()),
    "xml": ("xml", ()),
    "html": ("html", ()),
    "yaml": ("yaml", ("yml",)),
    "graphql": ("graphql", ()),
    "markdown": ("markdown", ("md",)),
    "typescript": ("typescript", ("ts",)),
    "sql": ("sql", ()),
    "diff": ("diff", ("patch",)),
    "kotlin": ("kotlin", ()),
    "swift": ("swift", ()),
    "rust": ("rust", ("rs",)),
    "powershell": ("powershell", ("posh",)),
    "erb": ("erb", ()),
    "jsx": ("jsx", ()),
    "plaintext": ("text", ("text", "plain")),
}
_ALIASES = {alias: tag for tag, (_, aliases) in _LANGUAGES.items() for alias in (tag, *aliases)}
_SHEBANG = re.compile(r"#!\s*(?:\S*/)?(?:env\s+)?(\w+)")


@dataclass(frozen=True)
class CodeLanguage:
    """What a fence's info string names: the highlighter's language and the tab the block belongs to."""

    lexer_class: str  # e.g. "shell"; "plaintext" when unknown
    tab: str | None  # the `tab-` class suffix, or None for a block in no tab
    known: bool  # the highlighter knows the language (or it is a listed tab)


@cache
def pygments_lexer(tag: str) -> Lexer | None:
    # Imported here: a lexer's module and its compiled rules cost tens of milliseconds, and a rebuild
    # whose code blocks are all known (see `remember`) needs none.
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound

    name = _LANGUAGES[tag][0] if tag in _LANGUAGES else tag
    options = {"startinline": True} if tag == "php" else {}
    try:
        lexer_class = find_lexer_class_by_name(name)
    except ClassNotFound:
        return None
    if acceleration.enabled():
        defer_states(lexer_class)
    lexer: Lexer = lexer_class(stripnl=False, ensurenl=False, **options)
    return lexer


@cache
def language_tag(name: str) -> str | None:
    """The Rouge-style tag for a language name, or None when no highlighter knows it."""
    lowered = name.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    return lowered if pygments_lexer(lowered) is not None else None


def classify(info: str, tab_keys: tuple[str, ...]) -> CodeLanguage:
    """Tab membership per Slate: the info string itself, or the language it names (`py` -> `python`)."""
    info = info.strip()
    if not info:
        return CodeLanguage("plaintext", None, True)
    name, _, variant = info.partition("--")
    tag = language_tag(name.split("?", 1)[0])
    if info in tab_keys:
        return CodeLanguage(tag or "plaintext", info, True)
    if tag is None:
        return CodeLanguage("plaintext", None, False)
    full = f"{tag}--{variant}" if variant else tag
    return CodeLanguage(tag, full, True)


def guess_untagged(code: str) -> str:
    """Rouge guesses a language for an untagged fence from a shebang line; so do we, and nothing more."""
    match = _SHEBANG.match(code)
    if match:
        interpreter = match.group(1)
        for tag in ("python", "ruby", "php"):
            if interpreter.startswith(tag):
                return tag
        if interpreter in {"sh", "bash", "zsh", "ksh"}:
            return "shell"
    return "plaintext"


@cache
def _css_class(token_type: _TokenType) -> str:
    """The short class Pygments and Rouge themes use (`k`, `s1`, `nt`); subtypes fall back to a parent.

    Whitespace gets no span: no theme colours blanks, and on large references the spans around them were
    a fifth of the output.
    """
    if token_type in Whitespace:  # type: ignore[comparison-overlap]  # subtype test
        return ""
    while token_type not in STANDARD_TYPES and token_type.parent is not None:
        token_type = token_type.parent
    return STANDARD_TYPES.get(token_type, "")


_ERROR = "\x00"  # the class of a token the lexer could not read


@cache
def _token_class(token_type: _TokenType) -> str:
    return _ERROR if token_type in Error else _css_class(token_type)  # type: ignore[comparison-overlap]


def _runs(tokens: Iterable[tuple[int, _TokenType, str]]) -> tuple[list[str], list[str]] | None:
    """The tokens' classes and texts, adjacent tokens of one class merged; None when the lexer met code
    it cannot read."""
    classes: list[str] = []
    texts: list[str] = []  # the texts of the runs before the current one, then the current run's tokens
    current = None
    start = 0  # where the current run's tokens begin in `texts`
    for _, token_type, value in tokens:
        css = _token_class(token_type)
        if css != current:
            if css == _ERROR:
                return None
            # A run's tokens are joined once it ends: adding each to a growing string copied the run
            # so far, quadratic in a long run (a shell block of plain words is one).
            if len(texts) - start > 1:
                texts[start:] = ["".join(texts[start:])]
            start = len(texts)
            classes.append(css)
            current = css
        texts.append(value)
    if len(texts) - start > 1:
        texts[start:] = ["".join(texts[start:])]
    return classes, texts


def _spans(classes: list[str], texts: list[str], unstyled: frozenset[str]) -> str:
    """The runs as spans (but runs of `unstyled` classes as plain text): a lean stand-in for Pygments'
    HtmlFormatter(nowrap=True), which spends most of its time on line bookkeeping that a plain <pre>
    does not need. The runs are escaped in one call (joined by NUL, which markdown-it never lets into
    code), not one call per run."""
    if not texts:  # empty code: splitting "" would still give one run
        return ""
    escaped = html.escape("\x00".join(texts), quote=False).split("\x00")
    spans = [
        f'<span class="{css}">{text}</span>' if css and css not in unstyled else text
        for css, text in zip(classes, escaped, strict=True)
    ]
    return "".join(spans)


# (classes without spans, language tag, code) -> highlighted code, taken from this renderer's earlier
# output of the same files.
_known: dict[tuple[tuple[str, ...], str, str], str] = {}
_CODE_BLOCK = re.compile(r'<pre class="highlight ([^" ]+)[^"]*"><code>(.*?)</code></pre>', re.DOTALL)
_SPAN = re.compile(r'<span class="[a-z0-9]+">|</span>')


def remember(fragments: Iterable[tuple[str, tuple[str, ...]]]) -> None:
    """Know the code blocks of HTML this same renderer made (`code_block_html` output, each with the
    classes it left without spans), so that highlighting them again is a lookup. Tag and code are read
    back from the block: its text is all of the code, escaped, so removing the spans and unescaping
    gives it back exactly. A block whose text is not exactly escaped code (raw HTML written to look
    like one) is left out."""
    for fragment_html, unstyled in fragments:
        for match in _CODE_BLOCK.finditer(fragment_html):
            body = match.group(2)
            text = _SPAN.sub("", body)
            code = html.unescape(text)
            if html.escape(code, quote=False) == text:
                _known[(unstyled, match.group(1), code)] = body


def forget() -> None:
    _known.clear()


@cache
def _json_classes() -> tuple[str, ...]:
    return tuple(_token_class(token_type) for token_type in fastjson.TOKEN_TYPES)


@cache
def _lexes_as_json(lexer_type: type) -> bool:
    """A lexer class that tokenizes as Pygments' JsonLexer does (fastjson's stand-in applies)."""
    from pygments.lexers.data import JsonLexer  # loaded with the lexer; not at start-up (see above)

    return getattr(lexer_type, "get_tokens_unprocessed", None) is JsonLexer.get_tokens_unprocessed


def _lexed_runs(lexer: Lexer, code: str) -> tuple[list[str], list[str]] | None:
    """The lexer's runs for `code`, as `get_tokens` would give them: the same input preparation, then
    the raw token stream (without its per-token generator when it has no filters, a tenth of the lexing
    time), by combined patterns for a regex lexer once they pay off (see fastlex.pays_off), by one
    pattern for JSON (see fastjson).
    """
    prepare = getattr(lexer, "_preprocess_lexer_input", None)
    if lexer.filters or prepare is None or not acceleration.enabled():
        return _runs((0, token_type, value) for token_type, value in lexer.get_tokens(code))
    text = prepare(code)
    if _lexes_as_json(type(lexer)):
        runs = fastjson.json_runs(text, _json_classes())
        if runs is not None:
            return runs
    fast = unprocessed_tokens(lexer, text) if pays_off(lexer, len(text)) else None
    return _runs(fast or lexer.get_tokens_unprocessed(text))


def highlight_code(code: str, tag: str, unstyled: tuple[str, ...] = ()) -> str:
    """The token spans for `code` (short Pygments classes, as Rouge themes expect); runs of the
    `unstyled` classes (see unstyled_classes) as plain text."""
    known = _known.get((unstyled, tag, code))
    if known is not None:
        return known
    lexer = None if tag == "plaintext" else pygments_lexer(tag)
    if lexer is None:
        return html.escape(code, quote=False)
    runs = _lexed_runs(lexer, code)
    # Code the lexer cannot read (a JSON sample with HTTP headers on top) would come out as red
    # error boxes splitting words apart; plain text reads better.
    return html.escape(code, quote=False) if runs is None else _spans(*runs, _class_set(unstyled))


@cache
def _class_set(classes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(classes)


def code_block_html(
    code: str, info: str, tab_keys: tuple[str, ...], unstyled: tuple[str, ...] = ()
) -> tuple[str, CodeLanguage]:
    language = classify(info, tab_keys)
    if not info.strip():
        language = CodeLanguage(guess_untagged(code), None, True)
    tab = f" tab-{language.tab}" if language.tab else ""
    body = highlight_code(code, language.lexer_class, unstyled)
    # The wrapper carries the tab class too, so the theme hides a whole block with one class selector.
    return (
        f'<div class="highlight{tab}"><pre class="highlight {language.lexer_class}{tab}"><code>{body}</code>'
        "</pre></div>\n",
        language,
    )


@dataclass(frozen=True)
class StyleRules:
    """A Pygments style's stylesheet, read into the rules flagstone writes."""

    others: tuple[str, ...]  # every rule but the token classes' (`.highlight { ... }`, `pre { ... }`)
    token_rules: tuple[tuple[str, tuple[str, ...]], ...]  # declarations, the token classes with them
    code_color: str | None  # the colour of the style's code, where it gives one


@cache
def style_rules(style: str) -> StyleRules:
    """What flagstone takes from a Pygments style. Plain data: a build keeps it for the next one,
    which then never loads Pygments' formatters (and its plugin machinery, about 15 ms)."""
    from pygments.formatters import HtmlFormatter

    css: str = HtmlFormatter(style=style).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    others: list[str] = []
    token_rules: dict[str, list[str]] = {}  # declarations -> the token selectors that have them
    code_color = None
    for line in css.splitlines():
        rule = _TRAILING_COMMENT.sub("", line).strip()
        selector, _, declarations = rule.partition("{")
        selector = selector.strip()
        if not rule or "linenos" in selector:
            continue
        if _TOKEN_SELECTOR.fullmatch(selector) and selector != ".highlight .hll":
            token_rules.setdefault(declarations.strip(" }"), []).append(selector.removeprefix(".highlight ."))
        else:
            others.append(rule)
            color = _COLOR.search(declarations) if selector == ".highlight" else None
            code_color = color.group(1).strip() if color else code_color
    rules = tuple((declarations, tuple(classes)) for declarations, classes in token_rules.items())
    return StyleRules(tuple(others), rules, code_color)


def stylesheet(rules: StyleRules) -> str:
    """The Pygments stylesheet of a style (its `rules`), scoped to `.highlight` as Slate's is, compacted
    for the page-weight budget: token classes of one colour share a rule (each span has one class, so their
    order never mattered), and the rules for line numbers, which flagstone never writes, are left out.
    The code itself gets the style's colour, as in Pygments' own pages, which is what lets the spans
    of classes of that colour alone go (see unstyled_classes).
    """
    code = [f".highlight code {{ color: {rules.code_color} }}"] if rules.code_color else []
    grouped = [
        f"{','.join(f'.highlight .{name}' for name in classes)} {{ {declarations} }}"
        for declarations, classes in rules.token_rules
    ]
    return "\n".join([*rules.others, *code, *grouped]) + "\n"


def unstyled_classes(rules: StyleRules) -> frozenset[str]:
    """The token classes a style (its `rules`) gives the code's own colour and nothing else: a span of
    one changes nothing on the page (its text has that colour anyway), and such spans, punctuation and
    names mostly, are half of a reference's elements, which the browser builds one by one as it loads
    the page."""
    if rules.code_color is None:
        return frozenset()
    only_color = f"color: {rules.code_color}"
    return frozenset(
        name for declarations, classes in rules.token_rules if declarations == only_color for name in classes
    )


_TRAILING_COMMENT = re.compile(r"\s*/\*.*?\*/\s*$")
_TOKEN_SELECTOR = re.compile(r"\.highlight \.[A-Za-z0-9_-]+")
_COLOR = re.compile(r"(?:^|;)\s*color:\s*([^;}]+)")
