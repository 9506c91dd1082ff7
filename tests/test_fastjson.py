"""JSON highlighted by one pattern gives exactly what Pygments' JsonLexer tokens give."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flagstone.acceleration import fastjson
from flagstone.markup import highlight

from .conftest import REPO, shared_path

_JSON_FENCE = re.compile(r"^```[ \t]*json[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# JsonLexer's corners: keys found over blanks, comments and other strings; short \u escapes that
# swallow the next character (a quote included); numbers and constants it does not validate;
# comments of both kinds; and what it reports as errors (then Pygments decides, not the pattern).
_CORNERS = [
    '{"a": 1, "b": [true, false, null], "c": {"d": -1.5e+3}}',
    '{"key"  \n\t: "value"}',
    '{"k" /* note */ : 1, "j" // line\n : 2}',
    '"first" "second": 3',
    '["\\u12" still in the string", "\\u00e9", "\\"", "\\\\"]',
    '{"x": 1..2ee, "y": --1, "z": trustful, "w": nulll}',
    "[1,2]::,:",
    "/* only a comment */",
    "// to the end",
    '{\r\n  "crlf": 1\r\n}',
    '"',
    '{"open": "never closed}',
    "/* never closed",
    "{ / }",
    "HTTP/1.1 200 OK\n\n{}",
    "",
]


def _pygments_html(code: str) -> str | None:
    lexer = highlight.pygments_lexer("json")
    assert lexer is not None
    runs = highlight._runs(lexer.get_tokens_unprocessed(lexer._preprocess_lexer_input(code)))
    return None if runs is None else highlight._spans(*runs, frozenset())


def _pattern_html(code: str) -> str | None:
    lexer = highlight.pygments_lexer("json")
    assert lexer is not None
    runs = fastjson.json_runs(lexer._preprocess_lexer_input(code), highlight._json_classes())
    return None if runs is None else highlight._spans(*runs, frozenset())


def _check(code: str) -> bool:
    """The two agree wherever the pattern answers; True when it did."""
    fast = _pattern_html(code)
    if fast is not None:
        assert fast == _pygments_html(code), code[:300]
    else:
        assert _pygments_html(code) is None, code[:300]  # declined only where Pygments errs too
    return fast is not None


@pytest.mark.parametrize("code", _CORNERS)
def test_corners_highlight_as_pygments_does(code: str) -> None:
    _check(code)


def test_keys_are_told_from_values() -> None:
    html = highlight.highlight_code('{"name": "value", "list": ["item"]}', "json")
    assert html.count('class="nt"') == 2 and html.count('class="s2"') == 2


def test_code_with_errors_stays_plain_text() -> None:
    assert highlight.highlight_code("HTTP/1.1 200 OK\n{}", "json") == "HTTP/1.1 200 OK\n{}"


def test_own_and_corpus_json_highlights_as_pygments_does() -> None:
    files = [*(REPO / "source").rglob("*.md"), *(REPO / "includes").rglob("*.md")]
    files += sorted(shared_path("corpus").rglob("*.md"))
    blocks = [code for path in files for code in _JSON_FENCE.findall(path.read_text(errors="replace"))]
    assert len(blocks) > 1000
    answered = sum(_check(code) for code in blocks)
    assert answered > 0.95 * len(blocks)


_JSON_PIECES = st.sampled_from(
    [*'{}[],:"\\/*\n \t\rtrefalsn-0189.eE+uaFx', '"key"', '"v"', "//c\n", "/*c*/", "true", "\\u12", '\\"']
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_JSON_PIECES, max_size=30))
def test_any_text_highlights_as_pygments_does(pieces: list[str]) -> None:
    _check("".join(pieces))
