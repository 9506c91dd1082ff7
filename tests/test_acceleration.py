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


def test_every_render_module_is_in_the_cache_fingerprint() -> None:
    from flagstone import cache

    package = REPO / "src" / "flagstone"
    render_code = [*(package / "markup").rglob("*.py"), *(package / "acceleration").rglob("*.py")]
    names = {path.relative_to(package).as_posix() for path in render_code if path.name != "__init__.py"}
    assert names - {"markup/slate/__init__.py"} <= set(cache._RENDER_MODULES)
