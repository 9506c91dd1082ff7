"""Rebuilds as `flagstone serve` runs them: one process, one fragment cache and memo across builds.

usage: python3 benchmarks/serve_rebuild.py PROJECT [--repeat 3]
Builds PROJECT once (not timed), then appends a sentence to its middle include and rebuilds, --repeat
times; prints the rebuild seconds as JSON (a list). The project's files are edited in place.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from flagstone.build import build
from flagstone.cache import FragmentCache
from flagstone.memo import Memo
from flagstone.models import BuildOptions


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    includes = sorted((args.project / "source" / "includes").glob("_*.md"))
    include = includes[len(includes) // 2]
    with tempfile.TemporaryDirectory(prefix="flagstone-serve-") as temporary:
        folder = Path(temporary)
        os.environ["FLAGSTONE_CACHE_DIR"] = str(folder / "cache")
        cache, memo = FragmentCache(folder / "fragments"), Memo()
        seconds = []
        for attempt in range(args.repeat + 1):
            # As the server's builder: a fresh folder per version, the project's build record untouched.
            options = BuildOptions(args.project, folder / f"site-{attempt}", use_cache=False)
            started = time.perf_counter()
            build(options, fragment_cache=cache, memo=memo)
            if attempt:
                seconds.append(time.perf_counter() - started)
            text = include.read_text(encoding="utf-8")
            include.write_text(f"{text}\nOne more sentence (serve {attempt}).\n", encoding="utf-8")
    print(json.dumps(seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
