"""The writer's workflow end to end: init -> build -> check -> break a link -> check -> deploy; CLI conventions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flagstone import __version__
from tests.conftest import REPO, RunCli
from tests.test_deploy import branch_files, git, git_identity, snapshot

__all__ = ["git_identity"]  # the fixture, imported so that it applies here too

COMMANDS = ("build", "serve", "init", "check", "deploy")


@pytest.mark.usefixtures("git_identity")
def test_init_build_check_break_check_deploy(run_cli: RunCli, tmp_path: Path) -> None:
    project = tmp_path / "docs"
    assert run_cli("init", project, "--title", "Kittn API").status == 0
    git(project, "init", "--quiet", "-b", "main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Start the docs")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))

    build = run_cli("build", project, "--strict")
    assert build.status == 0, build.err
    assert (project / "build/index.html").is_file()
    assert git(project, "status", "--porcelain") == ""  # build/ is ignored by the new .gitignore

    clean = run_cli("check", project)
    assert (clean.status, clean.out) == (0, ""), clean.out + clean.err

    index = project / "source/index.html.md"
    lines = index.read_text(encoding="utf-8").splitlines()
    at = lines.index("# Authentication") + 2  # the line after it, 1-based
    lines.insert(at - 1, "Before you start, read [the errors](#error-codes).")
    index.write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(project, "commit", "--quiet", "-am", "Mention the errors")

    broken = run_cli("check", project)
    assert broken.status == 1
    assert broken.out == (
        f"error: source/index.html.md:{at}: link: expected an element with id 'error-codes' on this page, "
        "got none\n"
    )
    assert "check failed: 1 error(s)" in broken.err

    before = snapshot(project)
    deployed = run_cli("deploy", project, "--no-push")
    assert deployed.status == 0, deployed.err
    assert {".nojekyll", "index.html", "images/logo.svg", "flagstone/theme.css"} <= branch_files(project)
    assert "Before you start" in git(project, "show", "gh-pages:index.html")
    source = git(project, "rev-parse", "--short", "HEAD")
    assert git(project, "log", "-1", "--format=%s", "gh-pages") == f"Deploy docs from {source}"
    assert git(remote, "branch", "--list") == ""  # --no-push leaves the remote alone
    assert snapshot(project) == before  # the source tree, index and HEAD are untouched

    pushed = run_cli("deploy", project)
    assert pushed.status == 0, pushed.err
    assert git(remote, "rev-parse", "gh-pages") == git(project, "rev-parse", "gh-pages")
    assert snapshot(project) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.status == 0
    assert f"usage: flagstone {command}" in result.out and "examples:\n  flagstone " + command in result.out


def test_top_level_help_lists_the_workflow(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.status == 0
    for command in COMMANDS:
        assert f"    {command} " in result.out and f"flagstone {command}" in result.out


@pytest.mark.parametrize("command", ["init", "check", "deploy"])
def test_quiet_and_verbose_on_the_workflow_commands(run_cli: RunCli, command: str) -> None:
    text = run_cli(command, "--help").out
    assert "-q, --quiet" in text and "-v, --verbose" in text


def test_version_through_the_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flagstone", "--version"], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, f"flagstone {__version__}")


def test_verbose_adds_details_on_stderr(run_cli: RunCli, tmp_path: Path) -> None:
    assert run_cli("init", tmp_path, "-q").status == 0
    quiet, verbose = run_cli("check", tmp_path), run_cli("check", tmp_path, "-v")
    assert quiet.out == verbose.out == ""
    assert "checking " in verbose.err and "checking " not in quiet.err


def test_flagstone_own_documentation_passes_check(run_cli: RunCli) -> None:
    if not (REPO / "source" / "index.html.md").is_file():
        pytest.skip("no documentation in this checkout")
    result = run_cli("check", REPO)
    assert (result.status, result.out) == (0, ""), result.out
