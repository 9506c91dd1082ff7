"""Hardening (issue 19): linear highlighting, workers that die with their build, one build at a time per
output folder, bounded memory for large input, cache entries that are checked and cannot run code."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap

from pygments.lexers import BashLexer

from flagstone.markup import fastjson, highlight

_LONG_SHELL = "some words here and there\n"  # one run of plain text, token after token


def test_runs_merge_a_long_run_of_one_class_into_one_text() -> None:
    code = _LONG_SHELL * 1000 + "echo done\n"
    tokens = list(BashLexer(stripnl=False, ensurenl=False).get_tokens_unprocessed(code))
    runs = highlight._runs(tokens)
    assert runs is not None
    classes, texts = runs
    assert "".join(texts) == code and len(classes) == len(texts)
    assert all(a != b for a, b in itertools.pairwise(classes))  # adjacent runs differ
    assert texts[0] == _LONG_SHELL * 1000  # thousands of tokens, one text
    json_classes, json_texts = fastjson.json_runs('"a""b""c":' * 3, highlight._json_classes()) or ([], [])
    assert "".join(json_texts) == '"a""b""c":' * 3 and len(json_classes) == len(json_texts)


def test_a_200_000_line_code_block_highlights_in_linear_time() -> None:
    """A timing bound, kept generous on purpose: about 1 s here (2 cores), 380 s when each token was
    added to a growing string. Run in a child so that a quadratic highlighter fails in seconds."""
    script = textwrap.dedent(
        f"""
        from flagstone.markup.highlight import highlight_code
        body = highlight_code({_LONG_SHELL!r} * 200_000, "shell")
        assert body.count("some words") == 200_000
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=10)
