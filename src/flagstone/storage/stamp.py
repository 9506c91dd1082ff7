"""Recognising a build with nothing to do: inputs and output exactly as the last successful build left them.

Only the standard library is imported here, so that an up-to-date check costs no more than a Python start
and a walk over file metadata.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import flagstone
from flagstone.errors import Problem
from flagstone.models import BuildOptions, BuildReport
from flagstone.paths import Project, theme_folders
from flagstone.storage.files import atomic_write

MANIFEST = "last-build.json"


def _tree_entries(folder: Path, skip: Path | None = None) -> Iterable[str]:
    seen: set[str] = set()  # linked folders are followed (the build reads them), each folder once
    for directory, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(directory)
        if (skip is not None and Path(real) == skip) or real in seen:
            dirnames.clear()
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            yield f"{os.path.relpath(path, folder)}\t{info.st_size}\t{info.st_mtime_ns}"


def state_folder(project_root: Path) -> Path:
    """Where flagstone keeps what it knows of a project's builds (its render cache and last build)."""
    configured = os.environ.get("FLAGSTONE_CACHE_DIR")
    base = (
        Path(configured)
        if configured
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flagstone"
    )
    return base / hashlib.sha256(str(project_root.resolve()).encode()).hexdigest()[:16]


def input_stamp(options: BuildOptions) -> str:
    """A digest of everything a build reads: sources, includes, themes, flagstone's own code, the options."""
    project = Project.at(options.project)
    out = options.out.resolve()
    digest = hashlib.sha256(
        f"{flagstone.__version__}\n{options.strict}\n{out}\n{options.site_url}\n".encode()
    )
    if options.split is not None:  # only then: the stamps of builds without --split stay as they were
        digest.update(f"split={options.split}\n".encode())
    package = Path(flagstone.__file__).resolve().parent
    for folder in (
        project.source,
        project.root / "includes",
        *theme_folders(project, options.theme),
        package,
    ):
        digest.update(f"[{folder}]\n".encode())
        for entry in _tree_entries(folder, skip=out):
            digest.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def output_stamp(out: Path) -> str:
    digest = hashlib.sha256()
    for entry in _tree_entries(out):
        digest.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class LastBuild:
    """What the last successful build of a project read and wrote, and the warnings it gave."""

    inputs: str
    output: str
    pages: int
    files: int
    warnings: tuple[Problem, ...]
    outputs: tuple[str, ...]
    extra: tuple[tuple[str, str], ...] = ()  # files read beyond the project's folders, as they were


def _extra_unchanged(extra: tuple[tuple[str, str], ...]) -> bool:
    for path, stamp in extra:
        try:
            info = os.stat(path)
        except OSError:
            return False
        if f"{info.st_size}\t{info.st_mtime_ns}" != stamp:
            return False
    return True


def _load(folder: Path) -> LastBuild | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        warnings = tuple(Problem(**fields) for fields in data["warnings"])
        outputs = tuple(data["outputs"])
        extra = tuple((str(path), str(stamp)) for path, stamp in data.get("extra", []))
        return LastBuild(
            data["inputs"], data["output"], data["pages"], data["files"], warnings, outputs, extra
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_build(options: BuildOptions, inputs: str, report: BuildReport) -> None:
    """Remember a successful build, so the same build next time can be skipped."""
    folder = state_folder(options.project)
    data = {
        "inputs": inputs,
        "output": output_stamp(options.out),
        "pages": report.pages,
        "files": report.files,
        "warnings": [dataclasses.asdict(w) for w in report.warnings],
        "outputs": list(report.outputs),
        "extra": [list(pair) for pair in report.inputs],
    }
    with contextlib.suppress(OSError):  # without a record the next build simply does the work
        atomic_write(folder / MANIFEST, (json.dumps(data, indent=1).encode(),))


def up_to_date(options: BuildOptions) -> BuildReport | None:
    """The last build's report when nothing it read or wrote has changed since; else None."""
    started = time.perf_counter()
    if not options.use_cache or not options.out.is_dir():
        return None
    last = _load(state_folder(options.project))
    if last is None or last.inputs != input_stamp(options) or last.output != output_stamp(options.out):
        return None
    if not _extra_unchanged(last.extra):
        return None
    seconds = time.perf_counter() - started
    return BuildReport(last.pages, last.files, last.warnings, seconds, up_to_date=True, outputs=last.outputs)
