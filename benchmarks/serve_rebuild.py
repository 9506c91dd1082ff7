"""Rebuilds as `flagstone serve` runs them: its builder, with one store across builds.

usage: python3 benchmarks/serve_rebuild.py PROJECT [--repeat 3]
Builds PROJECT once (not timed), then appends a sentence to its middle include and rebuilds, --repeat
times; prints the rebuild seconds as JSON (a list): from the start of the build to the new version
published to the browsers (built, digested, swapped in). The project's files are edited in place.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from flagstone.models import BuildOptions
from flagstone.server.builder import Builder
from flagstone.server.livereload import LiveSite


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
        site = LiveSite()
        builder = Builder(BuildOptions(args.project, folder / "site"), site, folder, log=lambda line: None)
        seconds = []
        for attempt in range(args.repeat + 1):
            started = time.perf_counter()
            if not builder.build():
                raise SystemExit(f"the build of {args.project} failed")
            if attempt:
                seconds.append(time.perf_counter() - started)
            text = include.read_text(encoding="utf-8")
            include.write_text(f"{text}\nOne more sentence (serve {attempt}).\n", encoding="utf-8")
        builder.stop()
    print(json.dumps(seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
