"""`flagstone init`: the Slate-layout project, its CI workflow, and never overwriting without --force."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flagstone.commands.init import project_files, template_files
from tests.conftest import RunCli, tree, write_project

FILES = {
    ".github/workflows/docs.yml",
    ".gitignore",
    "source/images/logo.svg",
    "source/includes/_errors.md",
    "source/index.html.md",
}


def test_creates_the_slate_layout_with_gitignore_and_workflow(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "docs")
    assert result.status == 0, result.err
    assert set(tree(tmp_path / "docs")) == FILES
    # Results (the files written) on stdout, the talk on stderr.
    assert sorted(result.out.splitlines()) == sorted(str(tmp_path / "docs" / name) for name in FILES)
    assert "created a flagstone project" in result.err and "flagstone serve" in result.err
    assert "build/" in (tmp_path / "docs/.gitignore").read_text().splitlines()


def test_the_workflow_builds_strictly_and_publishes_to_pages(tmp_path: Path) -> None:
    workflow = yaml.safe_load(project_files("Docs")[".github/workflows/docs.yml"])
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build_steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run") for step in build_steps]
    assert "pip install flagstone" in runs and "flagstone build --strict" in runs
    uses = [step.get("uses", "") for step in build_steps]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    upload = next(step for step in build_steps if step.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "build"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")


def test_the_workflow_shows_a_versioned_deploy(tmp_path: Path) -> None:
    text = project_files("Docs")[".github/workflows/docs.yml"].decode()
    # YAML 1.1 reads the key `on` as true.
    assert yaml.safe_load(text)[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    # The commented alternative, uncommented, is a whole workflow of its own.
    commented = text[text.index("\n# name: docs\n") + 1 :]
    workflow = yaml.safe_load(
        "\n".join(line.removeprefix("#").removeprefix(" ") for line in commented.splitlines())
    )
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "write"}  # deploy pushes the gh-pages branch
    runs = [step.get("run", "") for step in workflow["jobs"]["versions"]["steps"]]
    assert 'git config user.name "github-actions[bot]"\n' in runs[-2]  # deploy commits: it needs an author
    assert (
        runs[-1] == 'flagstone deploy --strict --version "${GITHUB_REF_NAME#v}" --alias latest --set-default'
    )


def test_the_new_project_builds_strictly_without_a_warning(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("init", tmp_path, "--title", 'Kittn: the "API"').status == 0
    result = run_cli("build", tmp_path, "--strict")
    assert result.status == 0, result.err
    assert "0 warning(s)" in result.err
    index = (tmp_path / "build/index.html").read_text(encoding="utf-8")
    assert "<title>Kittn: the &#34;API&#34;</title>" in index
    assert 'src="images/logo.svg"' in index  # the logo slot is filled
    assert 'id="errors"' in index  # the include is there


def test_defaults_to_the_current_folder(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("init").status == 0
    assert set(tree(tmp_path)) == FILES


def test_refuses_to_overwrite_and_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(tmp_path, {"source/index.html.md": "# Mine\n", "README.md": "mine\n"})
    before = tree(tmp_path)
    result = run_cli("init", tmp_path)
    assert result.status == 2
    assert result.err.splitlines() == [
        "flagstone: error: " + f"{tmp_path} already holds source/index.html.md; nothing was written "
        "(use --force to overwrite these files)"
    ]
    assert tree(tmp_path) == before


def test_force_overwrites_the_template_files_only(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(tmp_path, {"source/index.html.md": "# Mine\n", "source/includes/_mine.md": "# Keep\n"})
    result = run_cli("init", tmp_path, "--force")
    assert result.status == 0, result.err
    assert "# Introduction" in (tmp_path / "source/index.html.md").read_text()
    assert (tmp_path / "source/includes/_mine.md").read_text() == "# Keep\n"


def test_refuses_a_file_in_place_of_the_folder(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "docs").write_text("a file")
    result = run_cli("init", tmp_path / "docs", "--force")
    assert result.status == 2 and "not a folder" in result.err


def test_a_folder_where_a_file_goes_is_refused_even_with_force(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / ".gitignore").mkdir()
    result = run_cli("init", tmp_path, "--force")
    assert result.status == 2 and ".gitignore is a folder" in result.err
    assert not (tmp_path / "source").exists()


def test_quiet_prints_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("init", tmp_path, "-q")
    assert (result.status, result.out, result.err) == (0, "", "")


def test_verbose_and_quiet_exclude_each_other(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("init", tmp_path, "-q", "-v").status == 2


def test_warns_when_the_workflow_would_not_be_at_the_repository_top(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = run_cli("init", tmp_path / "docs")
    assert result.status == 0
    assert "warning:" in result.err and "move the workflow" in result.err


def test_the_packaged_template_keeps_dotfiles_under_safe_names() -> None:
    # Packaging tools and git treat `.gitignore` and `.github/` inside a package specially, so the
    # package holds `dot-` names and init restores the dots.
    names = set(template_files())
    assert names == FILES
    assert not [name for name in names if "dot-" in name]
