"""Writing the site: assembled beside the output folder, then swapped in, so a failed build loses nothing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flagstone.errors import DocumentError, Problem, UsageError

MARKER = ".flagstone-site"  # marks a folder flagstone made, so it may replace it


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: its path in the site and either its bytes or a file to copy."""

    path: str
    data: bytes | None = None
    copy_from: Path | None = None


def check_output_dir(out: Path, project_root: Path, source: Path) -> None:
    """Refuse an output folder whose replacement would destroy the project or someone else's files."""
    out, root, source = out.resolve(), project_root.resolve(), source.resolve()
    for protected, name in ((root, "the project folder"), (source, "the source folder")):
        if out == protected or protected.is_relative_to(out):
            raise UsageError(f"output folder {out} is or contains {name}; choose another with -o")
    if out.is_relative_to(source):
        raise UsageError(f"output folder {out} is inside the source folder {source}; choose another with -o")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(
            f"output folder {out} holds files flagstone did not write; empty it or choose another with -o"
        )


def write_site(out: Path, files: Iterable[OutputFile]) -> None:
    """Write every file into a fresh folder beside `out`, then put it in place of `out`."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.flagstone-new-{os.getpid()}"
    retired = out.parent / f".{out.name}.flagstone-old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        for file in files:
            target = staging / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.copy_from is not None:
                shutil.copyfile(file.copy_from, target)
            else:
                target.write_bytes(file.data or b"")
        (staging / MARKER).write_text("This folder was written by flagstone and is replaced by each build.\n")
        if out.exists():
            out.rename(retired)
        staging.rename(out)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            retired.rename(out)
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise DocumentError(Problem(str(out), None, f"cannot write the site here: {reason}")) from None
        raise
    shutil.rmtree(retired, ignore_errors=True)
