"""Combined-pattern lexing gives exactly Pygments' tokens, for every regex lexer flagstone names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flagstone.acceleration import fastlex
from flagstone.acceleration.regex_starts import match_starts
from flagstone.markup import highlight

from .conftest import REPO, shared_path

_FENCE = re.compile(r"^```[ \t]*([\w#+-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Code that walks the lexers' rarer paths: heredocs and %-literals (rules with back references, left
# out of the joined patterns), callbacks, regex literals, unterminated strings, stray characters.
_TRICKY = {
    "ruby": "x = <<~EOS\n  hi #{name}\nEOS\n%w[a b] %r{a/b}i %Q(x) :sym def self.f(a) = a\n'open",
    "shell": "cat <<'EOF'\n$HOME\nEOF\necho ${x:-y} $((1 + 2)) `date` 'open",
    "javascript": "const r = /a[/]b/g; x = a / b / c; `t${1}`; <div>{x}</div>\n'open",
    "python": "f'{x!r:>{w}}' r'\\d' b\"\\x00\"\n@dec\nclass A(B, metaclass=M): pass\n'''open",
    "php": "<?php echo $x->y ?> <<<EOT\nhi\nEOT;\n",
    "go": "func (r *R) F() error { return fmt.Errorf(`raw\n%w`, err) }",
    "csharp": '@"verbatim ""q""" $"{x}" #region r\n',
}


def _regex_lexer_tags() -> list[str]:
    tags = []
    for tag in sorted({*highlight._LANGUAGES, "java", "kotlin", "swift", "rust"}):
        lexer = highlight.pygments_lexer(tag)
        if lexer is not None and fastlex.unprocessed_tokens(lexer, "") is not None:
            tags.append(tag)
    return tags


REGEX_TAGS = _regex_lexer_tags()


def _same_tokens(tag: str, code: str) -> None:
    lexer = highlight.pygments_lexer(tag)
    assert lexer is not None
    fast = fastlex.unprocessed_tokens(lexer, code)
    assert fast is not None
    assert list(fast) == list(lexer.get_tokens_unprocessed(code)), code[:200]


def _fenced_code(files: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in files:
        for name, code in _FENCE.findall(path.read_text(encoding="utf-8", errors="replace")):
            tag = highlight.language_tag(name) if name else None
            if tag in REGEX_TAGS:
                found.setdefault(tag, []).append(code)
    return found


def test_the_common_tab_languages_are_regex_lexers() -> None:
    assert {"shell", "ruby", "python", "javascript", "java", "go"} <= set(REGEX_TAGS)


@pytest.mark.parametrize("tag", sorted(_TRICKY))
def test_tricky_code_lexes_the_same(tag: str) -> None:
    if tag in REGEX_TAGS:
        _same_tokens(tag, _TRICKY[tag])


def test_states_with_back_references_keep_their_rules_apart() -> None:
    lexer = highlight.pygments_lexer("ruby")
    assert lexer is not None
    runs = fastlex._states(lexer)["root"].all
    assert any(run.single for run in runs) and any(not run.single for run in runs)


def test_own_documentation_lexes_the_same() -> None:
    files = [*(REPO / "source").rglob("*.md"), *(REPO / "includes").rglob("*.md")]
    for tag, blocks in _fenced_code(files).items():
        for code in blocks:
            _same_tokens(tag, code)


def test_corpus_code_lexes_the_same() -> None:
    blocks = _fenced_code(sorted(shared_path("corpus").rglob("*.md")))
    assert sum(len(codes) for codes in blocks.values()) > 1000
    for tag, codes in blocks.items():
        for code in codes:
            _same_tokens(tag, code)


# Beyond ASCII too: case folding pairs `k` with the Kelvin sign and `s` with the long s.
_CODE_CHARACTERS = st.text(
    alphabet=st.sampled_from(list("abcfrxyzRBFK019 \t\n\"'`\\/#$%@<>{}[]()=+-*.,;:!?|&^~_éſKİ日\u00a0")),
    max_size=120,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag=st.sampled_from(REGEX_TAGS), code=_CODE_CHARACTERS)
def test_any_text_lexes_the_same(tag: str, code: str) -> None:
    _same_tokens(tag, code)


# Every character a rule's first-character test turns away must be one the rule cannot start a match
# with: tried on every rule of every lexer above, before texts that continue in several ways.
_PROBES = [chr(c) for c in range(32, 127)] + list("\t\n\r\u00a0éſKİ日\u2028")
_CONTINUATIONS = ("", "a", "1", " ", "\n", "x = 1", '"s"', "'", "(", "__init__", "Zz")


def test_first_character_tests_never_turn_away_a_rule_that_matches() -> None:
    checked = 0
    for tag in REGEX_TAGS:
        lexer = highlight.pygments_lexer(tag)
        for rules in lexer._tokens.values():  # type: ignore[union-attr]
            for rule in rules:
                pattern = getattr(rule[0], "__self__", None)
                starts = match_starts(pattern) if isinstance(pattern, re.Pattern) else None
                if starts is None:
                    continue
                for character in _PROBES:
                    if starts(character):
                        continue
                    for rest in _CONTINUATIONS:
                        assert pattern.match(character + rest) is None, (tag, pattern.pattern, character)
                    checked += 1
    assert checked > 10_000
