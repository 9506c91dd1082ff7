"""`flagstone openapi SPEC -o PROJECT` writes an editable Slate project that builds into the same reference."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import RunCli, write_project
from tests.test_openapi_content import SPEC


def _page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_command_writes_a_project_with_an_include_per_tag(tmp_path: Path, run_cli: RunCli) -> None:
    spec = tmp_path / "zoo.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = run_cli("openapi", spec, "-o", tmp_path / "docs", "--language-tabs", "shell,python")
    assert result.status == 0, result.err
    names = sorted(p.relative_to(tmp_path / "docs").as_posix() for p in (tmp_path / "docs").rglob("*.md"))
    assert names == [
        "source/includes/_animals.md",
        "source/includes/_default.md",
        "source/includes/_schemas.md",
        "source/includes/_webhooks.md",
        "source/index.html.md",
    ]
    index = (tmp_path / "docs/source/index.html.md").read_text(encoding="utf-8")
    assert index.startswith("---\ntitle: Zoo\nlanguage_tabs:\n- shell: Shell\n- python: Python\n")
    assert "includes:\n- animals\n- default\n- webhooks\n- schemas\nsearch: true\n---\n" in index
    assert run_cli("build", tmp_path / "docs", "-o", tmp_path / "out").status == 0

    # the same spec through front matter gives the same content
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "---\ntitle: Zoo\nlanguage_tabs: [shell, python]\nsearch: true\n"
            "openapi: ../zoo.yaml\n---\n",
            "zoo.yaml": SPEC,
        },
    )
    assert run_cli("build", project, "-o", tmp_path / "out2").status == 0
    ours = _page(tmp_path / "out/index.html").select_one(".content")
    theirs = _page(tmp_path / "out2/index.html").select_one(".content")
    assert str(ours) == str(theirs)


def test_the_command_refuses_to_overwrite(tmp_path: Path, run_cli: RunCli) -> None:
    spec = tmp_path / "zoo.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    assert run_cli("openapi", spec, "-o", tmp_path / "docs").status == 0
    again = run_cli("openapi", spec, "-o", tmp_path / "docs")
    assert again.status == 2
    assert "already holds source/includes/_animals.md" in again.err
    assert run_cli("openapi", spec, "-o", tmp_path / "docs", "--force").status == 0


def test_a_broken_spec_is_a_located_error(tmp_path: Path, run_cli: RunCli) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text('openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /x: [1]\n', encoding="utf-8")
    result = run_cli("openapi", spec, "-o", tmp_path / "docs")
    assert result.status == 1
    assert f"{spec}:4:7: paths./x: expected a Path Item object, got a list" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "docs").exists()
