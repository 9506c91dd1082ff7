"""The speed stand-ins change nothing: a build with FLAGSTONE_ACCELERATION=0 is byte-identical."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flagstone import acceleration
from tests.conftest import REPO, SHARED, tree

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate


def build_site(project: Path, out: Path, accelerated: bool) -> dict[str, str]:
    env = {**os.environ, acceleration.SWITCH: "1" if accelerated else "0"}
    env["FLAGSTONE_CACHE_DIR"] = str(out.parent / f"cache-{out.name}")
    command = [sys.executable, "-m", "flagstone", "build", str(project), "-o", str(out), "-q", "--no-cache"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return tree(out)


def projects(tmp_path: Path) -> list[Path]:
    generated = tmp_path / "generated"
    generate(60, generated)
    found = [REPO, generated]
    if (SHARED / "corpus").is_dir():
        found += sorted(path for path in (SHARED / "corpus").iterdir() if (path / "source").is_dir())
    return found


def test_the_switch_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(acceleration.SWITCH, "0")
    assert not acceleration.enabled()
    monkeypatch.delenv(acceleration.SWITCH)
    assert acceleration.enabled()


def test_output_is_byte_identical_with_acceleration_off(tmp_path: Path) -> None:
    for index, project in enumerate(projects(tmp_path)):
        fast = build_site(project, tmp_path / f"fast-{index}", accelerated=True)
        plain = build_site(project, tmp_path / f"plain-{index}", accelerated=False)
        assert fast == plain, project


def test_an_edit_to_any_module_changes_the_store_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's entries are this code's only: editing any module (a stage, a Slate rule, an
    accelerator) makes every entry of the last build unreadable."""
    import shutil

    import flagstone
    from flagstone.storage.store import code_fingerprint

    copy = tmp_path / "flagstone"
    shutil.copytree(REPO / "src" / "flagstone", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(flagstone, "__file__", str(copy / "__init__.py"))
    before = code_fingerprint.__wrapped__()
    for module in ("markup/slate/headings.py", "acceleration/fastlex.py", "assemble.py", "theme.py"):
        path = copy / module
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        assert code_fingerprint.__wrapped__() != before, module
        path.write_bytes(original)
    assert code_fingerprint.__wrapped__() == before
