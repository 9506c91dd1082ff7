"""The fixed cost of a small build: what it skips gives the same site (timings: benchmarks/small_build.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flagstone import rendering
from flagstone.acceleration import fastlex
from flagstone.acceleration.lazy_states import defer_states
from flagstone.markup import highlight
from flagstone.search_index import normalize

from .conftest import REPO, RunCli, shared_path, tree

KITTN = ("corpus", "slatedocs__slate")
_FENCE = re.compile(r"^```[ \t]*(\w+)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _built(run_cli: RunCli, out: Path, *flags: str) -> dict[str, str]:
    result = run_cli("build", shared_path(*KITTN), "-o", out, "-q", "--no-cache", *flags)
    assert result.status == 0, result.err
    return tree(out)


def test_kittn_is_lexed_by_pygments_loop_without_combined_patterns(tmp_path: Path, run_cli: RunCli) -> None:
    # Its 1.7 KB of code would take 55 ms of combined patterns to save 1 ms of lexing.
    highlight.pygments_lexer.cache_clear()
    _built(run_cli, tmp_path / "site")
    lexers = [highlight.pygments_lexer(tag) for tag in ("shell", "ruby", "python", "javascript")]
    assert all(lexer is not None and not hasattr(lexer, "_flagstone_runs") for lexer in lexers)


def test_kittn_same_site_by_pygments_loop_and_by_combined_patterns(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = _built(run_cli, tmp_path / "default")
    monkeypatch.setattr(fastlex, "FAST_AFTER_CHARS", 0)
    combined = _built(run_cli, tmp_path / "combined")
    monkeypatch.setattr(fastlex, "FAST_AFTER_CHARS", 10**12)
    pygments_loop = _built(run_cli, tmp_path / "loop")
    assert default == combined == pygments_loop


def test_combined_patterns_take_over_once_a_lexer_has_lexed_enough() -> None:
    lexer = _fresh_lexer("ruby", deferred=True)
    chunk = "puts 'x'\n" * 1000
    taken = [fastlex.pays_off(lexer, len(chunk)) for _ in range(3)]
    assert taken == [False, False, True]  # 9 KB, 18 KB lexed by Pygments' loop; then the patterns


def test_kittn_same_site_rendered_in_process_and_by_the_pool(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_process = _built(run_cli, tmp_path / "here", "-j", "2")
    monkeypatch.setattr(rendering, "PARALLEL_THRESHOLD_BYTES", 0)  # Kittn's two files go to two workers
    pooled = _built(run_cli, tmp_path / "pool", "-j", "2")
    assert in_process == pooled


def _fresh_lexer(tag: str, deferred: bool) -> object:
    """A lexer of a new subclass of the tag's class, so that its states are processed here, afresh."""
    known = highlight.pygments_lexer(tag)
    assert known is not None
    subclass = type(f"Fresh{type(known).__name__}", (type(known),), {})
    if deferred:
        defer_states(subclass)
    options = {"startinline": True} if tag == "php" else {}
    return subclass(stripnl=False, ensurenl=False, **options)


def _samples() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    files = [*sorted((REPO / "source").rglob("*.md")), *sorted((REPO / "includes").glob("*.md"))]
    corpus = REPO.parent / "shared" / "corpus"
    if corpus.is_dir():
        files += sorted(corpus.glob("*/source/**/*.md"))
    for path in files:
        for name, code in _FENCE.findall(path.read_text(encoding="utf-8", errors="replace")):
            tag = highlight.language_tag(name)
            if tag and tag != "plaintext":
                found.setdefault(tag, []).append(code)
    return found


@pytest.mark.parametrize("tag", ["shell", "ruby", "python", "javascript", "php", "go", "java", "xml", "yaml"])
def test_states_compiled_on_first_use_give_pygments_tokens(tag: str) -> None:
    codes = [*_samples().get(tag, [])[:200], "x = 1 'open\n", "<?php $a ?>", "\t\n"]
    eager, deferred = _fresh_lexer(tag, deferred=False), _fresh_lexer(tag, deferred=True)
    for code in codes:
        assert list(deferred.get_tokens_unprocessed(code)) == list(eager.get_tokens_unprocessed(code))  # type: ignore[attr-defined]


def test_a_small_sample_compiles_few_of_a_lexers_states() -> None:
    lexer = _fresh_lexer("ruby", deferred=True)
    list(lexer.get_tokens_unprocessed("puts 1\n"))  # type: ignore[attr-defined]
    cls = type(lexer)
    assert 0 < len(cls._tokens) < len(cls.get_tokendefs()) / 2  # type: ignore[attr-defined]


_ALL_MARKS = re.compile(
    "[{}]+".format(
        re.escape(
            "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
        )
    )
)


def _normalized_by_all_marks(text: str) -> str:
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", _ALL_MARKS.sub("", unicodedata.normalize("NFKD", text))).lower()


@given(st.text(alphabet=st.characters(max_codepoint=0x2FFFF), max_size=40))
def test_normalize_strips_the_marks_it_always_did(text: str) -> None:
    assert normalize(text) == _normalized_by_all_marks(text)


def test_normalize_examples() -> None:
    for text in ("Größe café", "e\u0301\u20dd]^\\-", "\U0001d165x\u0301", "中文 ÀÉÎ"):
        assert normalize(text) == _normalized_by_all_marks(text)


def test_the_build_imports_nothing_a_small_site_does_not_need() -> None:
    # xml.sax.saxutils (the sitemap's escaping) brought urllib.request, http.client, ssl and socket;
    # the ERB expander is for .erb files only.
    unneeded = ("urllib.request", "http.client", "ssl", "xml.sax", "flagstone.loading.erb")
    script = f"import sys, flagstone.build\nprint([m for m in {unneeded!r} if m in sys.modules])"
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


def test_kittn_same_site_with_the_index_made_here_and_in_a_child(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flagstone import build, forked

    children: list[object] = []
    real_in_child = forked.in_child

    def counted(*args: object, **kwargs: object) -> object:
        children.append(args)
        return real_in_child(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "in_child", counted)
    here = _built(run_cli, tmp_path / "here")
    assert children == []  # 10 KB of Markdown: no child forked for the index
    monkeypatch.setattr(build, "_INDEX_CHILD", 0)
    in_child = _built(run_cli, tmp_path / "child")
    assert len(children) == 1
    assert here == in_child
    # and with the cache: the first build fills it, the second reads it
    for name in ("cold", "warm"):
        result = run_cli("build", shared_path(*KITTN), "-o", tmp_path / name, "-q")
        assert result.status == 0, result.err
        assert tree(tmp_path / name) == here


def test_the_command_leaves_what_is_alive_to_the_exit_without_collecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flagstone import cli

    frozen: list[bool] = []
    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setattr(cli.gc, "freeze", lambda: frozen.append(True))
    assert cli.run() == 3
    assert frozen == [True]


def test_python_m_flagstone_builds_the_same_site(tmp_path: Path, run_cli: RunCli) -> None:
    in_process = _built(run_cli, tmp_path / "here")
    env = {
        "PYTHONPATH": str(REPO / "src"),
        "PATH": "/usr/bin:/bin",
        "FLAGSTONE_CACHE_DIR": str(tmp_path / "c"),
    }
    command = [
        sys.executable,
        "-m",
        "flagstone",
        "build",
        str(shared_path(*KITTN)),
        "-o",
        str(tmp_path / "cli"),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert tree(tmp_path / "cli") == in_process
