"""Shared test helpers: inline projects built in tmp_path, the CLI run in-process, ../shared lookup."""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from flagstone.cli import main

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own render cache, never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("FLAGSTONE_CACHE_DIR", str(folder))
    return folder


def shared_path(*parts: str) -> Path:
    """A path in ../shared, skipping the test cleanly when that folder is not beside the repository."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is absent)")
    return path


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write an inline project: {"source/index.html.md": "...", ...}; text is dedented."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with a digest of its bytes: equal trees are byte-identical outputs."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass(frozen=True)
class CliResult:
    status: int
    out: str
    err: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*args: str | Path) -> CliResult:
        try:
            status = main([str(a) for a in args])
        except SystemExit as exit_:  # argparse exits on bad usage and --version
            status = int(exit_.code or 0)
        captured = capsys.readouterr()
        return CliResult(status, captured.out, captured.err)

    return run


def renumbered_duplicate(slate_id: str, our_id: str, slate_ids: list[str]) -> bool:
    """True when `our_id` is flagstone's fresh id for a heading Slate gave an id used twice on the page.

    Slate numbers ids per file, so one page can hold an id twice; flagstone keeps the first holder and
    gives later ones `base-N` (spec section 4). Comparisons with Slate accept exactly that difference.
    """
    if our_id == slate_id:
        return True
    if slate_ids.count(slate_id) < 2:
        return False
    base = re.sub(r"-\d+$", "", slate_id)
    return (
        re.fullmatch(rf"{re.escape(base)}-\d+", our_id) is not None
        or re.fullmatch(rf"{re.escape(slate_id)}-\d+", our_id) is not None
    )
