"""Figures for the hardening work (issue 19): highlighting time against a code block's length."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from flagstone.markup.highlight import highlight_code  # noqa: E402

_LINE = "some words here and there\n"  # a shell block of plain words: one run of one class


def highlight_seconds(lines: int, tag: str = "shell") -> float:
    code = _LINE * lines
    started = time.perf_counter()
    highlight_code(code, tag)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", default="25000,50000,100000,200000")
    args = parser.parse_args()
    highlight_seconds(100)  # the lexer loaded
    for lines in (int(n) for n in args.lines.split(",")):
        print(f"highlight shell block of {lines:>7} lines: {highlight_seconds(lines):6.2f} s")


if __name__ == "__main__":
    main()
