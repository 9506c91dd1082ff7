"""Hardening (issue 19): linear highlighting, workers that die with their build, one build at a time per
output folder, bounded memory for large input, cache entries that are checked and cannot run code."""

from __future__ import annotations

import itertools
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from pygments.lexers import BashLexer

from flagstone.acceleration import fastjson
from flagstone.markup import highlight
from flagstone.models import Heading, SourceText
from flagstone.site_writer import lock_path, output_lock
from flagstone.storage.files import from_json, to_json
from tests.conftest import RunCli, tree, write_project

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


def _children(pid: int) -> set[int]:
    """The live processes whose parent is `pid`."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _gone_within(pids: set[int], seconds: float) -> set[int]:
    """The `pids` still alive after waiting up to `seconds` for them to end (then killed, so a failing
    test leaves nothing running)."""
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {pid for pid in pids if _alive(pid)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def _big_project(root: Path, parts: int = 8, sections: int = 4000) -> Path:
    section = (
        "## Endpoint {i}\n\nText about endpoint {i} with **bold** and `code`.\n\n"
        '| name | type |\n|---|---|\n| id | int |\n\n```json\n{{"id": {i}, "name": "x"}}\n```\n\n'
    )
    chunk = "".join(section.format(i=i) for i in range(sections))
    files = {
        "source/index.html.md": "---\nincludes:\n"
        + "".join(f"  - part{n}\n" for n in range(parts))
        + "---\n# Big\n"
    }
    files.update({f"source/includes/_part{n}.md": f"# Part {n}\n\n" + chunk for n in range(parts)})
    return write_project(root, files)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc")
def test_a_build_killed_mid_render_leaves_no_worker(tmp_path: Path) -> None:
    _big_project(tmp_path)  # about 4.6 MB: some seconds of render on two workers
    build = subprocess.Popen(
        [sys.executable, "-m", "flagstone", "build", str(tmp_path), "-q", "--no-cache", "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while len(workers := _children(build.pid)) < 2 and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(workers) == 2, "the render never started its workers"
    time.sleep(0.3)  # the workers are rendering
    build.kill()  # SIGKILL, as the OOM killer sends: no cleanup runs in the build
    build.wait()
    assert _gone_within(workers, 5) == set()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a forked child")
@pytest.mark.parametrize("kernel", [True, False], ids=["prctl", "watching-the-parent"])
def test_a_forked_child_ends_when_its_parent_is_killed(kernel: bool) -> None:
    script = textwrap.dedent(
        f"""
        import os, time
        from flagstone import forked
        if not {kernel}:
            forked._kernel_kills_orphan = lambda: False
        def work():
            print(os.getpid(), flush=True)
            time.sleep(120)
            return b""
        with forked.in_child(work):
            time.sleep(120)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.kill()
    parent.wait()
    assert _gone_within({child}, 3) == set()


# ---- one build at a time into an output folder -----------------------------------------------------


def _build_process(project: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flagstone", "build", str(project), "-q", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_build_into_the_same_folder_waits_for_the_first(tmp_path: Path) -> None:
    project = _big_project(tmp_path / "p", parts=4)
    out = tmp_path / "site"
    first = _build_process(project, "-o", str(out), "--no-cache")
    lock = tmp_path / ".site.flagstone-lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text()) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert lock.read_text() == f"{first.pid}\n", "the first build never took the lock"
    second = _build_process(project, "-o", str(out), "--no-cache")
    _, first_err = first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)
    assert (first.returncode, first_err) == (0, "")
    assert second.returncode == 0
    assert second_err == f"flagstone: waiting for process {first.pid}, which is building into {out}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "site"]  # no lock, no stray folder
    assert (out / "index.html").stat().st_size > 1_000_000


def test_the_lock_is_waited_for_told_once_and_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    told: list[str] = []
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with output_lock(out, told.append):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    threading.Timer(0.3, release.set).start()
    started = time.monotonic()
    with output_lock(out, told.append):
        assert time.monotonic() - started >= 0.25
        assert lock_path(out).read_text() == f"{os.getpid()}\n"
    holder.join()
    assert told == [f"waiting for process {os.getpid()}, which is building into {out}"]
    assert list(tmp_path.iterdir()) == []


def test_folders_left_by_a_killed_swap_are_cleared_and_the_old_site_kept(
    run_cli: RunCli, tmp_path: Path
) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": "# New\n"})
    dead = 2**22 + 12345  # beyond the default pid_max: no process has it
    (tmp_path / f".site.flagstone-new-{dead}").mkdir()
    (tmp_path / f".site.flagstone-new-{dead}" / "index.html").write_text("half a site")
    retired = tmp_path / f".site.flagstone-old-{dead}"
    retired.mkdir()
    (retired / "index.html").write_text("the previous site")
    (retired / ".flagstone-site").write_text("")
    result = run_cli("build", project, "-o", tmp_path / "site", "-q")
    assert result.status == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p", "site"]
    assert "New" in (tmp_path / "site" / "index.html").read_text()


# ---- the cache: entries checked against their key, stored in a format that cannot run code ---------

_TWO_INCLUDES = {
    "source/index.html.md": "---\nincludes:\n  - a\n  - b\n---\n# Page\n",
    "source/includes/_a.md": "## Alpha\n\nText of alpha.\n",
    "source/includes/_b.md": "## Beta\n\nText of beta.\n",
}


def _fragment_files(cache_root: Path) -> list[Path]:
    return sorted(p for p in cache_root.glob("*/store/fragment/*/*") if not p.name.startswith("."))


def test_a_fragment_copied_over_another_is_rendered_again(
    run_cli: RunCli, tmp_path: Path, private_cache: Path
) -> None:
    project = write_project(tmp_path / "p", _TWO_INCLUDES)
    assert run_cli("build", project, "-o", tmp_path / "first", "-q").status == 0
    entries = _fragment_files(private_cache)
    assert len(entries) == 3  # the page and its two includes
    for entry in entries[1:]:
        entry.write_bytes(entries[0].read_bytes())
    result = run_cli("build", project, "-o", tmp_path / "second", "-q")
    assert (result.status, result.err) == (0, "")
    assert tree(tmp_path / "second") == tree(tmp_path / "first")
    assert len({entry.read_bytes() for entry in entries}) == 3  # rewritten under their own keys


class _Runs:
    """Unpickled, runs a command: what a crafted cache entry would do to a reader that unpickles."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_pickle_in_the_cache_does_not_run(
    run_cli: RunCli, tmp_path: Path, private_cache: Path
) -> None:
    project = write_project(
        tmp_path / "p",
        {
            **_TWO_INCLUDES,
            "source/index.html.md": "---\nsearch: true\nincludes:\n  - a\n  - b\n---\n# Page\n",
        },
    )
    assert run_cli("build", project, "-o", tmp_path / "first", "-q").status == 0
    marker = tmp_path / "ran"
    stored = [p for p in private_cache.glob("*/store/*/*/*")]
    kinds = {path.parent.parent.name for path in stored}
    assert kinds == {"fragment", "style", "index-block", "layout"}
    crafted = pickle.dumps(_Runs(marker))
    for path in stored:
        path.write_bytes(crafted)
    result = run_cli("build", project, "-o", tmp_path / "second", "-q")
    assert (result.status, result.err) == (0, "")
    assert not marker.exists()
    assert tree(tmp_path / "second") == tree(tmp_path / "first")


def test_plain_data_reads_back_as_written_and_only_named_classes_are_made() -> None:
    heading = Heading(2, "a", "<b>A</b>", "A", 3, fixed=True)
    value = {("key", 1): [None, True, 1.5, "\ud800 text", (heading,)], "x": ()}
    assert from_json(to_json(value), (Heading,)) == value
    with pytest.raises(ValueError, match="not a flagstone data file"):
        from_json(to_json(value))  # Heading not among the kinds
    with pytest.raises(ValueError, match="not a flagstone data file"):
        from_json(b'["c","Path","/etc"]', (Heading,))
    with pytest.raises(TypeError, match="set is not plain data"):
        to_json({1, 2})


# ---- memory: a file is rendered a window at a time, with the HTML a whole render gives ---------

_RUN_CASES = {
    "reference-defined-after-use": "# T\n\nSee [the docs][d] and [x].\n\n## Later\n\n[d]: /docs 'Docs'\n[x]: /x\n",
    "quotes-lists-and-fences": '# A\n\n> quoted\n> ```json\n> {"a": 1}\n> ```\n\n- one\n\n- two\n  - deep\n\n'
    "```shell\ncurl x\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSetext\n===\n\n<div>\n\n## Inside raw HTML\n\n"
    "</div>\n\n## After\n\ntext\n",
    "unbalanced-raw-html": '# A\n\n<div class="x">\n\n## B\n\ntext\n\n## C\n\nmore\n',
    "unclosed-fence": "# A\n\ntext\n\n```ruby\nputs 1\n\n## not a heading\n",
}


@pytest.mark.parametrize("window", [1, 7, 30, 100])
@pytest.mark.parametrize("text", list(_RUN_CASES.values()), ids=list(_RUN_CASES))
def test_rendering_in_windows_gives_what_one_whole_render_gives(
    text: str, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flagstone.markup import render as render_module
    from flagstone.search_index import fragment_words

    renderer = render_module.MarkdownRenderer()
    source = SourceText(Path("x.md"), "x.md", text * 3, first_line=4)
    whole_state = render_module._FileState(source, ())
    whole = renderer.md.render(source.text, {"flagstone": whole_state})  # no runs: one token list
    monkeypatch.setattr(render_module, "_WINDOW", window)  # windows of a few lines
    fragment = renderer.render(source, (), fragment_words)
    unbalanced = bool(whole_state.open_elements) or whole_state.unbalanced
    assert fragment.html == (render_module.UNBALANCED_MARK if unbalanced else "") + whole
    assert fragment.headings == tuple(whole_state.headings)
    assert [h.line for h in fragment.headings] == [h.line for h in whole_state.headings]
    expected_words = fragment_words(
        (render_module.UNBALANCED_MARK if unbalanced else "")
        + render_module._without(whole, whole_state.code_blocks)
    )
    assert fragment.search_words == expected_words


# The build's own peak from /proc (VmHWM): getrusage's starts at the size of the process that forked
# it (pytest, here); its forked children's (workers, the index child) from getrusage.
_PEAK = (
    "import resource, sys\n"
    "from flagstone.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "own = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
    "print(status, max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
)


def _peak_kb(*arguments: str) -> int:
    """The peak resident memory (KB) of the largest process of a build run in a child."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *arguments], capture_output=True, text=True, timeout=300
    )
    status, peak = done.stdout.split()[-2:]
    assert status == "0", done.stderr
    return int(peak)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_a_large_file_builds_in_at_most_fifteen_times_its_size(tmp_path: Path) -> None:
    """Issue 19's target: peak memory at most 15x the input over what a one-line build takes (about
    14x measured on a 10 MB file; 128x before it was rendered a window at a time)."""
    # What any such build takes: the interpreter and all a build loads (the JSON lexer too).
    tiny = write_project(tmp_path / "tiny", {"source/index.html.md": '# Tiny\n\n```json\n{"id": 1}\n```\n'})
    section = (
        "## Endpoint {i}\n\nText about endpoint {i} with **bold** and `code`.\n\n"
        '| name | type |\n|---|---|\n| id | int |\n\n```json\n{{"id": {i}}}\n```\n\n'
    )
    big = write_project(
        tmp_path / "big",
        {"source/index.html.md": "# Big\n\n" + "".join(section.format(i=i) for i in range(80_000))},
    )
    size = (big / "source/index.html.md").stat().st_size
    assert size > 11_000_000
    baseline = _peak_kb("build", str(tiny), "-q")
    peak = _peak_kb("build", str(big), "-q")
    assert (big / "build/index.html").stat().st_size > 3 * size
    ratio = (peak - baseline) * 1024 / size
    print(f"peak {peak // 1024} MB, {ratio:.1f}x over {baseline // 1024} MB")
    assert ratio <= 15, f"{ratio:.1f}x"
