"""Figures for the hardening work (issue 19): highlighting time against a code block's length, and the
peak memory of a build of one large Markdown file against its size."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import measure  # noqa: E402

from flagstone.markup.highlight import highlight_code  # noqa: E402

# One endpoint's worth of the large file: prose, a table, a JSON sample (as in tests/test_hostile.py).
SECTION = (
    "## Endpoint {i}\n\nText about endpoint {i} with **bold** and `code`.\n\n"
    '| name | type |\n|---|---|\n| id | int |\n\n```json\n{{"id": {i}}}\n```\n\n'
)

_LINE = "some words here and there\n"  # a shell block of plain words: one run of one class


def highlight_seconds(lines: int, tag: str = "shell") -> float:
    code = _LINE * lines
    started = time.perf_counter()
    highlight_code(code, tag)
    return time.perf_counter() - started


def large_file(folder: Path, megabytes: float) -> int:
    """A project of one Markdown file of about `megabytes` MB; its size in bytes."""
    count = int(megabytes * 1_000_000 / len(SECTION.format(i=5000)))
    page = folder / "source" / "index.html.md"
    page.parent.mkdir(parents=True)
    page.write_text("# Big\n\n" + "".join(SECTION.format(i=i) for i in range(count)), encoding="utf-8")
    return page.stat().st_size


# Run in a child of its own: the build in-process, then its peak and its children's (forked workers,
# the index child), as getrusage gives them.
_PEAK = (
    "import resource, sys\n"
    "from flagstone.cli import main\n"
    "status = main(sys.argv[1:]) if sys.argv[1:] else 0\n"
    # This process's own peak from /proc (VmHWM): getrusage's would start at its parent's size when it
    # was forked, which for a benchmark holding a large text is more than a small build takes.
    "own = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
    "print(status, own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_kb(arguments: list[str], env: dict[str, str]) -> int:
    """The peak resident memory of the largest process of a flagstone run (KB)."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *arguments], env=env, capture_output=True, text=True)
    status, own, children = (int(n) for n in done.stdout.split()[-3:])
    if status:
        raise RuntimeError(done.stderr)
    return max(own, children)


def build_memory(megabytes: float, cached: bool = False) -> None:
    """Build a file of `megabytes` MB (cold; without or with the cache) and print its peak memory: the
    largest process, and the whole tree (sampled)."""
    with tempfile.TemporaryDirectory() as folder:
        size = large_file(Path(folder), megabytes)
        env = {**os.environ, "PYTHONPATH": str(SRC), "FLAGSTONE_CACHE_DIR": str(Path(folder) / "cache")}
        flags = [] if cached else ["--no-cache"]
        # What any build takes: the interpreter with all a build loads, on a page of a line and a code block.
        tiny = Path(folder) / "tiny"
        (tiny / "source").mkdir(parents=True)
        (tiny / "source" / "index.html.md").write_text(
            '# Tiny\n\n```json\n{"id": 1}\n```\n', encoding="utf-8"
        )
        baseline = peak_kb(["build", str(tiny), "-q", *flags], env)
        largest = peak_kb(["build", folder, "-q", "-o", str(Path(folder) / "a"), *flags], env)
        shutil.rmtree(Path(folder) / "cache", ignore_errors=True)
        command = [
            sys.executable,
            "-m",
            "flagstone",
            "build",
            folder,
            "-q",
            "-o",
            str(Path(folder) / "b"),
            *flags,
        ]
        tree = measure(command, env)
        ratio = (largest - baseline) * 1024 / size
        print(
            f"{size / 1e6:.1f} MB file{' (cache on)' if cached else ''}: {tree.seconds:.1f} s;"
            f" largest process {largest / 1024:.0f} MB, {ratio:.1f}x the file over a one-line build's"
            f" {baseline / 1024:.0f} MB; process tree {tree.peak_mb:.0f} MB (sampled)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", default="25000,50000,100000,200000", help="code block lengths")
    parser.add_argument("--megabytes", default="10,50", help="sizes of the one-file builds")
    args = parser.parse_args()
    highlight_seconds(100)  # the lexer loaded
    for lines in (int(n) for n in args.lines.split(",") if n):
        print(f"highlight shell block of {lines:>7} lines: {highlight_seconds(lines):6.2f} s")
    for megabytes in (float(n) for n in args.megabytes.split(",") if n):
        build_memory(megabytes)
        build_memory(megabytes, cached=True)


if __name__ == "__main__":
    main()
