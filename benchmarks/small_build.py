"""Fixed cost of a small build: Slate's own example (Kittn) built cold, as a user runs it, N times.

usage: python3 benchmarks/small_build.py [--project DIR] [--repeat 15] [--against SRC] [--no-cache] [--json]
Each run is `python3 -m flagstone build PROJECT -o OUT` in a fresh process with a fresh, empty cache
folder (FLAGSTONE_CACHE_DIR), or with `--no-cache` passed on, with bytecode compiled as an installed
package has it. Prints the medians of the wall time and of its split: the interpreter's start-up
(`python3 -c pass`), flagstone's imports and argument handling (wall minus the build's own time minus
start-up), the build (the time the build reports, two decimals), and the CPU time of the build's
processes (steadier than wall on a loaded machine). `--against SRC` runs another version of flagstone
(its `src` folder beside its `themes`, e.g. /work/main/src) in turns with this one, the one going first
alternating, since a shared machine's speed drifts over seconds; the ratio of each pair is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PROJECT = Path("/work/shared/corpus/slatedocs__slate")
_REPORTED = re.compile(r"\((\d+\.\d+)s, \d+ warning")


@dataclass(frozen=True)
class Figures:
    """Medians, in seconds, of one version's runs."""

    wall: float
    interpreter: float
    imports: float  # flagstone's imports and CLI, outside the build's own clock
    build: float
    cpu: float  # user + system time of the build's processes (the index child's included)
    runs: int


def _installed_env() -> dict[str, str]:
    """The environment as a `pip install` leaves flagstone, its bytecode compiled: without
    PYTHONDONTWRITEBYTECODE, which would compile every module from source in every run."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _run(
    src: Path, project: Path, scratch: Path, pycache: Path, flags: list[str]
) -> tuple[float, float, float]:
    """One cold build in a fresh process: (wall, the build's own time, CPU time of its processes)."""
    cache = Path(tempfile.mkdtemp(dir=scratch))
    out = scratch / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {
        **_installed_env(),
        "PYTHONPATH": str(src),
        "FLAGSTONE_CACHE_DIR": str(cache),
        "PYTHONPYCACHEPREFIX": str(pycache),  # bytecode compiled once, as an installed package has it
    }
    command = [sys.executable, "-m", "flagstone", "build", str(project), "-o", str(out), *flags]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    shutil.rmtree(cache, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"build failed ({done.returncode}):\n{done.stderr}")
    # The reported figure has two decimals; the split is as good as that.
    found = _REPORTED.search(done.stderr)
    return wall, float(found.group(1)) if found else float("nan"), cpu


def _interpreter(repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=_installed_env(), check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _figures(runs: list[tuple[float, float, float]], interpreter: float) -> Figures:
    wall = statistics.median(w for w, _, _ in runs)
    build = statistics.median(b for _, b, _ in runs)
    imports = statistics.median(w - b for w, b, _ in runs) - interpreter
    cpu = statistics.median(c for _, _, c in runs)
    return Figures(wall, interpreter, imports, build, cpu, len(runs))


def _print(label: str, figures: Figures) -> None:
    print(
        f"{label:>8}: wall {figures.wall * 1000:6.0f} ms median of {figures.runs}"
        f"  = interpreter {figures.interpreter * 1000:4.0f} + imports/CLI {figures.imports * 1000:4.0f}"
        f" + build {figures.build * 1000:4.0f} ms; CPU {figures.cpu * 1000:4.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=DEFAULT_PROJECT)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--against", type=Path, help="another version's src folder, run in turns")
    parser.add_argument("--no-cache", action="store_true", help="pass --no-cache to the builds")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    flags = ["--no-cache"] if args.no_cache else []
    if not (args.project / "source").is_dir():
        raise SystemExit(f"{args.project}/source not found (Slate's example lives in /work/shared/corpus)")
    versions = {"this": HERE.parent / "src"}
    if args.against:
        versions["against"] = args.against.resolve()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        pycaches = {label: scratch / f"pycache-{label}" for label in versions}
        for label, src in versions.items():  # warm-up: bytecode written, files in the page cache
            _run(src, args.project, scratch, pycaches[label], flags)
        runs: dict[str, list[tuple[float, float, float]]] = {label: [] for label in versions}
        for turn in range(args.repeat):
            order = list(versions) if turn % 2 == 0 else list(reversed(versions))
            for label in order:
                runs[label].append(_run(versions[label], args.project, scratch, pycaches[label], flags))
        interpreter = _interpreter(args.repeat)
    figures = {label: _figures(found, interpreter) for label, found in runs.items()}
    if args.json:
        print(json.dumps({label: asdict(f) for label, f in figures.items()}, indent=2))
        return
    for label, found in figures.items():
        _print(label, found)
    if args.against:
        ratios = [mine[0] / theirs[0] for mine, theirs in zip(runs["this"], runs["against"], strict=True)]
        print(
            f"   ratio: this/against wall {figures['this'].wall / figures['against'].wall:.2f}"
            f" (median of pairwise ratios {statistics.median(ratios):.2f})"
        )


if __name__ == "__main__":
    main()
