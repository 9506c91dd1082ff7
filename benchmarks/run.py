"""Build-speed benchmark: flagstone (cold, no-change, one include edited, the same edit in a running serve)
and, when npm can install it, Shins.

usage: python3 benchmarks/run.py [--sizes 1000,5000] [--repeat 3] [--no-shins] [--json]
Prints wall time (median of --repeat runs), peak memory of the whole process tree, and output bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from generate import generate

SHINS_VERSION = "2.6"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Wall time and peak resident memory (sampled every 10 ms over the whole process tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {err.decode(errors='replace')[-800:]}")
    return Run(seconds, peak / 1024)


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs))


def tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def installed_python(work: Path) -> dict[str, str]:
    """The environment flagstone runs in as a `pip install` leaves it: with its modules' bytecode.

    pip compiles an installed package's bytecode, and Python writes it on first import; a machine with
    PYTHONDONTWRITEBYTECODE set (like the sandbox this was written in) would instead compile flagstone's
    modules from source in every run, about 40 ms that no user pays. Here the bytecode goes to a folder
    of the benchmark's own (PYTHONPYCACHEPREFIX), filled by a small build and rebuild before measuring.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "bytecode")
    project = work / "warm-up"
    generate(60, project)
    build = [sys.executable, "-m", "flagstone", "build", str(project), "-o", str(work / "warm-up-site"), "-q"]
    warm = {**env, "FLAGSTONE_CACHE_DIR": str(work / "warm-up-cache")}
    subprocess.run(build, env=warm, check=True, capture_output=True)
    include = sorted((project / "source" / "includes").glob("_*.md"))[0]
    include.write_text(include.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    subprocess.run(build, env=warm, check=True, capture_output=True)
    return env


def flagstone_round(
    project: Path, work: Path, attempt: int, python_env: dict[str, str]
) -> tuple[Run, Run, Run]:
    """A cold build with a fresh cache, a no-change rebuild, and a rebuild after editing one include."""
    out = work / "site"
    build = [sys.executable, "-m", "flagstone", "build", str(project), "-o", str(out), "--quiet"]
    includes = sorted((project / "source" / "includes").glob("_*.md"))
    include = includes[len(includes) // 2]
    cache = work / f"cache-{attempt}"
    env = {**python_env, "FLAGSTONE_CACHE_DIR": str(cache)}
    shutil.rmtree(out, ignore_errors=True)
    cold = measure(build, env)
    no_change = measure(build, env)
    include.write_text(
        include.read_text(encoding="utf-8") + f"\nOne more sentence ({attempt}).\n", encoding="utf-8"
    )
    edited = measure(build, env)
    shutil.rmtree(cache, ignore_errors=True)
    return cold, no_change, edited


def serve_rebuilds(project: Path, repeat: int, python_env: dict[str, str]) -> float:
    """The median one-include rebuild inside one process, as `flagstone serve` rebuilds."""
    script = Path(__file__).with_name("serve_rebuild.py")
    served = subprocess.run(
        [sys.executable, str(script), str(project), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        env=python_env,
    )
    return float(statistics.median(json.loads(served.stdout)))


def install_shins(folder: Path) -> Path | None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        print("shins: npm or node is missing; skipped", file=sys.stderr)
        return None
    result = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(folder),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"shins@{SHINS_VERSION}",
        ],
        capture_output=True,
        text=True,
    )
    shins = folder / "node_modules" / "shins"
    if result.returncode != 0 or not (shins / "shins.js").is_file():
        print(f"shins: could not be installed from npm: {result.stderr[-400:]}", file=sys.stderr)
        return None
    return shins


def prepare_shins(shins: Path, project: Path) -> None:
    """Shins reads ./source relative to its own folder: its layouts stay, the generated pages go in."""
    source = shins / "source"
    pristine = shins / "source.pristine"
    if not pristine.exists():
        source.rename(pristine)
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(pristine, source)
    for page in source.glob("*.md"):
        page.unlink()
    shutil.copy(project / "source" / "index.html.md", source / "index.html.md")
    for include in (project / "source" / "includes").glob("*.md"):
        shutil.copy(include, source / "includes" / include.name)


def bench_size(
    project: Path, work: Path, shins: Path | None, repeat: int, python_env: dict[str, str]
) -> dict[str, object]:
    """flagstone and Shins taking turns, the first to go alternating: the machine's speed drifts over
    minutes, and each pair of runs meets the same drift."""
    rounds: list[tuple[Run, Run, Run]] = []
    shins_runs: list[Run] = []
    inline_runs: list[Run] = []
    if shins is not None:
        prepare_shins(shins, project)
    shins_output = work / "shins.html"
    # What a Shins user runs (Shins' README); --inline also base64-inlines every asset into the page,
    # work flagstone's output does not do, so it is only printed beside.
    shins_build = ["node", "shins.js", "--root", ".", "--output", str(shins_output), "source/index.html.md"]
    inline_build = ["node", "shins.js", "--inline", "-o", str(work / "shins-inline.html")]
    for attempt in range(repeat):
        if shins is not None and attempt % 2:
            shins_runs.append(measure(shins_build, cwd=shins))
        rounds.append(flagstone_round(project, work, attempt, python_env))
        if shins is not None and not attempt % 2:
            shins_runs.append(measure(shins_build, cwd=shins))
        if shins is not None:
            inline_runs.append(measure(inline_build, cwd=shins))
    ours: dict[str, object] = {
        "cold": median([r[0] for r in rounds]),
        "no_change": median([r[1] for r in rounds]),
        "one_include_edited": median([r[2] for r in rounds]),
        "serve_one_include_edited": serve_rebuilds(project, repeat, python_env),
        "output_bytes": tree_bytes(work / "site"),
    }
    entry: dict[str, object] = {"flagstone": ours}
    if shins_runs:
        entry["shins"] = {
            "cold": median(shins_runs),
            "cold_inline": median(inline_runs),
            "output_bytes": shins_output.stat().st_size,
        }
        entry["paired_time_ratios"] = [
            round(r[0].seconds / theirs.seconds, 3) for r, theirs in zip(rounds, shins_runs, strict=True)
        ]
    return entry


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-shins", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="flagstone-bench-") as temporary:
        work = Path(temporary)
        shins = None if args.no_shins else install_shins(work / "shins")
        python_env = installed_python(work)
        for size in (int(s) for s in args.sizes.split(",")):
            project = work / f"project-{size}"
            markdown = generate(size, project)
            entry = bench_size(project, work / f"out-{size}", shins, args.repeat, python_env)
            results[str(size)] = {"markdown_bytes": markdown, **entry}
    if args.json:
        print(json.dumps(results, default=asdict, indent=1))
        return 0
    print("flagstone runs with its bytecode compiled, as pip installs it (see installed_python)")
    for size, entry in results.items():
        ours = entry["flagstone"]
        assert isinstance(ours, dict)
        print(f"\n{size} endpoints, {entry['markdown_bytes'] / 1e6:.1f} MB of Markdown")
        print(f"  {'':28}{'seconds':>9}{'peak MB':>10}")
        for name in ("cold", "no_change", "one_include_edited"):
            run = ours[name]
            print(f"  flagstone {name:<18}{run.seconds:9.2f}{run.peak_mb:10.0f}")
        served = ours["serve_one_include_edited"]
        print(f"  flagstone {'serve_edited':<18}{served:9.2f}{'':10}  (same edit, flagstone serve)")
        print(f"  flagstone output      {ours['output_bytes'] / 1e6:.1f} MB")
        theirs = entry.get("shins")
        if isinstance(theirs, dict):
            shins_run = theirs["cold"]
            inline = theirs["cold_inline"]
            print(f"  shins     cold              {shins_run.seconds:9.2f}{shins_run.peak_mb:10.0f}")
            print(
                f"  shins     cold --inline     {inline.seconds:9.2f}{inline.peak_mb:10.0f}"
                "  (also inlines every asset; not compared)"
            )
            print(f"  shins output          {theirs['output_bytes'] / 1e6:.1f} MB")
            print(
                f"  ratio flagstone/shins: time {ours['cold'].seconds / shins_run.seconds:.2f}, "
                f"memory {ours['cold'].peak_mb / shins_run.peak_mb:.2f}"
                f" (time, run by run: {', '.join(f'{r:.2f}' for r in entry['paired_time_ratios'])})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
