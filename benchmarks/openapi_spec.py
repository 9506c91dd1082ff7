"""An OpenAPI spec to a finished site: cold build, no-change rebuild, rebuild after one description edit.

usage: python3 benchmarks/openapi_spec.py SPEC [--tabs shell,python,javascript]
SPEC is copied into a temporary project whose page names it in its front matter (`openapi:`); each build
is a `python3 -m flagstone build` process, timed wall to wall, with the peak resident memory of its process
tree (sampled from /proc every 10 ms). The edit changes the first operation summary of the spec. Prints
JSON, beside widdershins' figures (measured with --widdershins, else quoted from issue 20) and whether
each target of the issue is met. GitHub's REST description: `npm pack @octokit/openapi`, then
`package/generated/api.github.com.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# widdershins 4.0.1 on GitHub's REST description, measured on a 2-core machine like ours (issue 20):
# its conversion alone, before Shins builds the Markdown it writes.
WIDDERSHINS_QUOTED = {"seconds": 6.1, "peak_mb": 813.0, "markdown_mb": 21.7}


def _tree_rss(pid: int) -> tuple[int, int]:
    """Resident kB of a process and its children together, and of the largest of them (forked children
    share their parent's pages, which the sum counts again for each)."""
    total, largest, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    largest = max(largest, int(line.split()[1]))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pending.extend(int(c) for c in children)
        except OSError:
            continue
    return total, largest


def _build(project: Path, env: dict[str, str]) -> dict[str, float]:
    command = [sys.executable, "-m", "flagstone", "build", str(project), "-o", str(project / "build")]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = largest = 0
    while process.poll() is None:
        tree, one = _tree_rss(process.pid)
        peak, largest = max(peak, tree), max(largest, one)
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(process.stderr.read().decode() if process.stderr else "build failed")
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(peak / 1024, 1),
        "largest_process_mb": round(largest / 1024, 1),
    }


def _widdershins(spec: Path) -> dict[str, float]:
    """widdershins' conversion of the spec to Markdown, timed as a build is (npx installs it first)."""
    with tempfile.TemporaryDirectory(prefix="widdershins-") as temporary:
        folder = Path(temporary)
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", temporary, "widdershins@4.0.1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command = [str(folder / "node_modules/.bin/widdershins"), str(spec), "-o", str(folder / "out.md")]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid)[0])
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(process.stderr.read().decode() if process.stderr else "widdershins failed")
        size = (folder / "out.md").stat().st_size
    return {
        "seconds": round(seconds, 2),
        "peak_mb": round(peak / 1024, 1),
        "markdown_mb": round(size / 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", type=Path)
    parser.add_argument("--tabs", default="shell,python,javascript")
    parser.add_argument(
        "--widdershins", action="store_true", help="also time `npx widdershins` (npm must reach it)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="flagstone-openapi-") as temporary:
        project = Path(temporary) / "project"
        (project / "source").mkdir(parents=True)
        spec = project / args.spec.name
        shutil.copy(args.spec, spec)
        tabs = ", ".join(t.strip() for t in args.tabs.split(","))
        (project / "source" / "index.html.md").write_text(
            f"---\ntitle: Reference\nlanguage_tabs: [{tabs}]\nsearch: true\nopenapi: ../{spec.name}\n---\n",
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "FLAGSTONE_CACHE_DIR": f"{temporary}/cache"}
        results = {"cold": _build(project, env), "unchanged": _build(project, env)}
        text = spec.read_text(encoding="utf-8")
        marker = '"summary": "' if spec.suffix == ".json" else "summary: "
        spec.write_text(text.replace(marker, marker + "Edited ", 1), encoding="utf-8")
        results["one_summary_edited"] = _build(project, env)
        results["html_mb"] = round((project / "build" / "index.html").stat().st_size / 1e6, 1)
    results["widdershins"] = _widdershins(args.spec) if args.widdershins else WIDDERSHINS_QUOTED
    if not args.widdershins:
        results["widdershins_note"] = "quoted from issue 20 (run with --widdershins to measure)"
    cold, theirs = results["cold"], results["widdershins"]
    results["targets"] = {
        "cold_seconds_below_widdershins": cold["seconds"] < theirs["seconds"],
        "cold_peak_at_most_half": cold["peak_mb"] <= 0.5 * theirs["peak_mb"],
        "edit_rebuild_at_most_1s": results["one_summary_edited"]["seconds"] <= 1.0,
    }
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
