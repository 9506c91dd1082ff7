"""The Slate Markdown dialect: golden fragments and the rules real documents rely on."""

from __future__ import annotations

import dataclasses
import html
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_block.fence import fence
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_core.inline import inline as markdown_it_inline
from markdown_it.rules_core.normalize import normalize as markdown_it_normalize
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

from flagstone.assemble import assemble
from flagstone.markup import dialect, highlight
from flagstone.markup.dialect import (
    LineTableState,
    fast_fence,
    line_table,
    make_markdown,
    normalize_newlines,
    plain_inline,
)
from flagstone.markup.render import MarkdownRenderer
from flagstone.models import PageSettings, PageSource, PartSource, RenderedPart, SourceText
from tests.conftest import REPO, SHARED

GOLDEN = Path(__file__).parent / "golden"


def render(markdown: str, tabs: tuple[str, ...] = ()) -> str:
    """Markdown rendered as the content of a one-file page, ids final, without the page's <section>
    wrappers (tests/test_assemble.py covers those)."""
    source = SourceText(Path("page.html.md"), "page.html.md", markdown)
    page = PageSource(source.path, source.display, "page.html", PageSettings(), PartSource(source))
    fragment = MarkdownRenderer().render(source, tabs)
    return re.sub(r"</?section>\n", "", assemble(page, RenderedPart(fragment), ()).content_html)


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.md")))
def test_golden_fragment(name: str) -> None:
    expected = (GOLDEN / f"{name}.html").read_text(encoding="utf-8")
    assert render((GOLDEN / f"{name}.md").read_text(encoding="utf-8"), ("shell",)) == expected


def test_indented_code_blocks_are_disabled() -> None:
    assert render("    not code\n") == "<p>not code</p>\n"


def test_indented_pipe_table_is_a_table() -> None:
    assert "<table>" in render("    | a | b |\n    |---|---|\n    | 1 | 2 |\n")


def test_heading_without_space_and_trailing_hashes() -> None:
    assert render("#NoSpace\n## C#\n") == '<h1 id="nospace">NoSpace</h1>\n<h2 id="c">C</h2>\n'


def test_table_alignment_style_as_slate_writes_it() -> None:
    assert '<th style="text-align: right">' in render("| a |\n|--:|\n| 1 |\n")


def fence_warnings(markdown: str) -> list[str]:
    fragment = MarkdownRenderer().render(SourceText(Path("p.md"), "p.md", markdown, first_line=3), ())
    return [warning.format() for warning in fragment.warnings]


SWALLOWED = (
    "p.md:{}: fence: a code fence right after a text line stays text in the paragraph, as on the Slate "
    "site (add a blank line before the fence)"
)


def test_a_fence_right_after_a_text_line_stays_in_the_paragraph_as_redcarpet_reads_it() -> None:
    # Closed later in the paragraph: an inline code span; `<?php` does not start an HTML block there.
    assert render("Para line\n```php\n<?php\n$a = 1;\n```\n") == (
        "<p>Para line\n<code>php &lt;?php $a = 1; </code></p>\n"
    )
    assert fence_warnings("Para line\n```php\n<?php\n```\n") == [SWALLOWED.format(4)]


def test_a_swallowed_fence_does_not_pair_with_later_fences_or_hide_a_heading() -> None:
    # The pattern of a real project: unclosed, the backticks stay text to the blank line, and the
    # heading and the fence after it are what the Slate site shows.
    markdown = "**Field**\n```php\n<?php\n- x\n\n$data = 1;\n\n## Edit Field\n\n```php\n$id = 1;\n```\n"
    html = render(markdown, ("php",))
    assert html.startswith("<p><strong>Field</strong>\n```php\n&lt;?php\n- x</p>\n<p>$data = 1;</p>\n")
    assert '<h2 id="edit-field">Edit Field</h2>' in html
    assert html.count('<pre class="highlight php tab-php">') == 1 and "$id" in html
    assert fence_warnings(markdown) == [SWALLOWED.format(4)]


def test_a_fence_after_a_blank_line_or_a_heading_is_code_without_a_warning() -> None:
    markdown = "Para\n\n```json\n{}\n```\n# H\n```json\n{}\n```\n- item\n\n  ```json\n  {}\n  ```\n"
    assert render(markdown).count('<pre class="highlight json tab-json">') == 3
    assert fence_warnings(markdown) == []


def test_a_swallowed_fence_in_a_quote_is_located_on_its_file_line() -> None:
    markdown = "text\n\n> quote\n```shell\necho\n```\n\nafter\n"
    html = render(markdown, ("shell",))
    assert "<blockquote>\n<p>quote\n<code>shell echo </code></p>\n</blockquote>\n<p>after</p>" in html
    assert fence_warnings(markdown) == [SWALLOWED.format(6)]


def test_blockquote_runs_to_blank_line_before_unquoted_text() -> None:
    html = render("> quote\n<div>x</div>\n\nafter\n")
    assert html == "<blockquote>\n<p>quote</p>\n<div>x</div>\n</blockquote>\n<p>after</p>\n"


def test_html_block_ends_before_heading_that_follows_its_closing_tag() -> None:
    html = render('<aside class="notice">x</aside>\n### Next\n')
    assert html == '<aside class="notice">x</aside>\n<h3 id="next">Next</h3>\n'


def test_markdown_after_blank_line_inside_html_block_is_rendered() -> None:
    assert "<strong>bold</strong>" in render("<aside>\n\n**bold**\n\n</aside>\n")


def test_no_smart_quotes_no_autolink() -> None:
    assert render('it\'s "x" http://example.com\n') == "<p>it's &quot;x&quot; http://example.com</p>\n"


def test_strikethrough_is_del() -> None:
    assert render("~~x~~\n") == "<p><del>x</del></p>\n"


@pytest.mark.parametrize("fence", ["```json\n", "```json\n```\n", "```shell\n```\n"])
def test_empty_highlighted_fence_is_an_empty_code_block(fence: str) -> None:
    assert render(fence, ("shell",)).count("<code></code>") == 1


def _rules(css: str) -> dict[str, str]:
    """selector -> declarations, comments and spacing aside."""
    found = {}
    for selectors, declarations in re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css)):
        for selector in selectors.split(","):
            found[selector.strip()] = declarations.strip().rstrip(";")
    return found


@pytest.mark.parametrize("style", ["monokai", "default", "github-dark", "solarized-light"])
def test_compact_highlight_stylesheet_keeps_every_token_rule(style: str) -> None:
    from pygments.formatters import HtmlFormatter

    from flagstone.markup.highlight import style_rules, stylesheet

    pygments_rules = _rules(HtmlFormatter(style=style).get_style_defs(".highlight"))
    expected = {selector: rule for selector, rule in pygments_rules.items() if "linenos" not in selector}
    # ... and the code takes the style's colour, as in Pygments' own pages (see unstyled_classes)
    code_color = re.search(r"(?:^|;)\s*color:\s*([^;]+)", expected[".highlight"])
    if code_color:
        expected[".highlight code"] = f"color: {code_color.group(1).strip()}"
    compact = stylesheet(style_rules(style))
    assert _rules(compact) == expected
    assert len(compact) < 0.6 * len(HtmlFormatter(style=style).get_style_defs(".highlight"))


def _classes_in_the_codes_colour_only(style_name: str, code_color: str | None) -> set[str]:
    """The token classes whose style (inherited rules included) is the code's colour and nothing else."""
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES

    style = get_style_by_name(style_name)
    found = set()
    for token, css_class in STANDARD_TYPES.items():
        rule = style.style_for_token(token)
        decorated = rule["bold"] or rule["italic"] or rule["underline"] or rule["bgcolor"] or rule["border"]
        if (
            css_class
            and rule["color"]
            and f"#{rule['color']}".lower() == (code_color or "").lower()
            and not decorated
        ):
            found.add(css_class)
    return found


def test_spans_of_token_classes_the_style_gives_the_codes_own_colour_only_are_left_out() -> None:
    rules = highlight.style_rules("monokai")
    unstyled = highlight.unstyled_classes(rules)
    # from the style itself, so any Pygments version's monokai will do
    assert (
        unstyled == _classes_in_the_codes_colour_only("monokai", rules.code_color) and {"p", "n"} <= unstyled
    )
    assert (
        highlight.unstyled_classes(highlight.style_rules("default")) == frozenset()
    )  # no colour for the code: every span stays
    code = 'import json\nprint(json.dumps({"a": [1, 2]}), file=None)  # <done> & "quoted"\n'
    every, _ = highlight.code_block_html(code, "python", ())
    lean, _ = highlight.code_block_html(code, "python", (), tuple(sorted(unstyled)))
    assert '<span class="p">' in every and '<span class="n">' in every
    assert '<span class="p">' not in lean and '<span class="n">' not in lean
    assert lean.count('<span class="s2">') == every.count('<span class="s2">') > 0
    assert lean.count('<span class="c1">') == every.count('<span class="c1">') == 1

    def text_of(block: str) -> str:
        return html.unescape(re.sub(r"<[^>]*>", "", block))

    assert text_of(lean) == text_of(every) == code + "\n"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \r\n\x00\t#>|`")), max_size=40))
def test_line_ends_and_nuls_are_normalized_as_markdown_it_does(text: str) -> None:
    md = make_markdown()
    ours, theirs = StateCore(text, md, {}), StateCore(text, md, {})
    normalize_newlines(ours)
    markdown_it_normalize(theirs)
    assert ours.src == theirs.src
    assert md.core.ruler.get_active_rules()[0] == "normalize"  # ours, in markdown-it's place
    assert md.core.ruler.getRules("")[0] is normalize_newlines


def _markdown_it_fences() -> MarkdownIt:
    md = make_markdown()
    md.block.ruler.at("fence", fence, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    return md


def _tokens(md: MarkdownIt, text: str) -> list[tuple[object, ...]]:
    return [(t.type, t.tag, t.content, t.info, t.markup, t.map, t.level, t.nesting) for t in md.parse(text)]


def test_fast_fences_parse_every_document_as_markdown_it_does() -> None:
    ours, theirs = make_markdown(), _markdown_it_fences()
    assert fast_fence in ours.block.ruler.getRules("") and fence not in ours.block.ruler.getRules("")
    files = [*(REPO / "source").rglob("*.md"), *(REPO / "includes").rglob("*.md")]
    files += sorted((SHARED / "corpus").rglob("*.md"))  # when ../shared is there
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _tokens(ours, text) == _tokens(theirs, text), path


_FENCE_PIECES = st.sampled_from(
    [
        *("```", "~~~", "````", "```json", "``` a`b", "  ```", "    ```", "\t```", "- ", "> ", "1. ", "x"),
        *(" ", "\n", "\n\n", "`", "~", "# h", "<div>", "| a | b |\n|---|---|\n"),
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_FENCE_PIECES, max_size=20))
@example(["```", "\n", "x", "\n", " "])  # unclosed, up to a last line of blanks (which is no line)
@example(["- ", "```", "\n", "  x", "\n", "```"])  # in a list: markdown-it's own rule
@example(["```", "\n", "x", "\n", "  ````  ", "\n", "y"])
def test_fast_fences_parse_any_text_as_markdown_it_does(pieces: list[str]) -> None:
    ours, theirs = _fence_parsers()
    text = "".join(pieces)
    assert _tokens(ours, text) == _tokens(theirs, text)


@cache
def _fence_parsers() -> tuple[MarkdownIt, MarkdownIt]:
    return make_markdown(), _markdown_it_fences()


def _markdown_it_inline() -> MarkdownIt:
    md = make_markdown()
    md.core.ruler.at("inline", markdown_it_inline)
    return md


_TOKEN_FIELDS = tuple(field.name for field in dataclasses.fields(Token) if field.name != "children")


def _token_tree(tokens: list[Token] | None) -> object:
    """Every field of every token, children included."""
    if tokens is None:
        return None
    return [(*(getattr(t, name) for name in _TOKEN_FIELDS), _token_tree(t.children)) for t in tokens]


def test_plain_inline_text_parses_every_document_as_markdown_it_does() -> None:
    ours, theirs = make_markdown(), _markdown_it_inline()
    assert plain_inline in ours.core.ruler.getRules("")
    files = [*(REPO / "source").rglob("*.md"), *(REPO / "includes").rglob("*.md")]
    files += sorted((SHARED / "corpus").rglob("*.md"))  # when ../shared is there
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _token_tree(ours.parse(text)) == _token_tree(theirs.parse(text)), path


_INLINE_PIECES = st.sampled_from(
    [
        *"ab :-+=#$%@^{}|()'\"\t\n\\`~*_[]!<>&;/.,é",
        *("&amp;", "&#35;", "# ", "\n\n", "  \n", "| a | b |\n|---|---|\n| "),
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_INLINE_PIECES, max_size=24))
@example(["| a | b |\n|---|---|\n| ", "a", " ", "|", " "])  # an empty cell: no text token at all
def test_plain_inline_text_parses_any_text_as_markdown_it_does(pieces: list[str]) -> None:
    ours, theirs = _inline_parsers()
    text = "".join(pieces)
    assert _token_tree(ours.parse(text)) == _token_tree(theirs.parse(text))


@cache
def _inline_parsers() -> tuple[MarkdownIt, MarkdownIt]:
    return make_markdown(), _markdown_it_inline()


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n#>`")), max_size=40))
@example(" ")  # no line at all, as markdown-it has it
@example("a\n\t \t")
def test_line_table_is_markdown_its(text: str) -> None:
    md = make_markdown()
    assert line_table(LineTableState(text, md, {}, [])) == line_table(StateBlock(text, md, {}, []))


def _markdown_it_blocks() -> MarkdownIt:
    md = make_markdown()
    vars(md.block).pop("parse", None)  # the class's: markdown-it's StateBlock
    return md


def test_line_table_parses_every_document_as_markdown_it_does() -> None:
    ours, theirs = make_markdown(), _markdown_it_blocks()
    assert "parse" in vars(ours.block) and "parse" not in vars(theirs.block)
    files = [*(REPO / "source").rglob("*.md"), *(REPO / "includes").rglob("*.md")]
    files += sorted((SHARED / "corpus").rglob("*.md"))  # when ../shared is there
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _token_tree(ours.parse(text)) == _token_tree(theirs.parse(text)), path


class _MisreadIndents(LineTableState):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.sCount = self.tShift.copy()  # tabs counted as one column


def test_markdown_its_own_line_table_when_ours_would_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialect, "LineTableState", _MisreadIndents)
    md = make_markdown()
    assert "parse" not in vars(md.block)
    assert _token_tree(md.parse("- a\n\n\tb\n")) == _token_tree(_markdown_it_blocks().parse("- a\n\n\tb\n"))
