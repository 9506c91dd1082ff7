"""The Nu Html Checker (vnu-jar, on the machine's Java) finds no errors in built pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.conftest import REPO, shared_path

VNU = Path(__file__).parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def checker() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        if os.environ.get("CI"):
            pytest.fail(
                "java and tests/validate/node_modules/vnu-jar are required in CI (tests/install-browser.sh)"
            )
        pytest.skip("java or vnu-jar is not installed (run tests/install-browser.sh)")
    return [java, "-jar", str(VNU), "--errors-only", "--format", "json"]


def errors_in(pages: list[Path]) -> list[str]:
    result = subprocess.run([*checker(), *map(str, pages)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]


def test_kittn_page_is_valid_html(tmp_path: Path) -> None:
    build(BuildOptions(shared_path("corpus", "slatedocs__slate"), tmp_path / "site"))
    assert errors_in([tmp_path / "site" / "index.html"]) == []


def test_own_documentation_is_valid_html(tmp_path: Path) -> None:
    if not (REPO / "source").is_dir():
        pytest.skip("flagstone's own documentation is not in this checkout")
    build(BuildOptions(REPO, tmp_path / "site"))
    assert errors_in(sorted((tmp_path / "site").rglob("*.html"))) == []


def test_pages_with_canonical_links_and_cards_and_the_404_page_are_valid_html(tmp_path: Path) -> None:
    project = tmp_path / "kittn"
    shutil.copytree(shared_path("corpus", "slatedocs__slate"), project)
    page = project / "source" / "index.html.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "---\n", "---\nsite_url: https://kittn.example/docs\nsocial_image: images/logo.png\n", 1
        ),
        encoding="utf-8",
    )
    build(BuildOptions(project, tmp_path / "site"))
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://kittn.example/docs/">' in html and "og:image" in html
    assert errors_in([tmp_path / "site" / "index.html", tmp_path / "site" / "404.html"]) == []
