"""The version menu in a real browser: versions deployed with real git, served over http and opened from
file://; a switch keeps the page and the section when the other version has them."""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flagstone.cli import main
from tests.browser.conftest import serve
from tests.test_deploy import commit, git, git_identity, make_repository

__all__ = ["git_identity"]  # the autouse fixture: a known author, none of the user's git configuration

INDEX = (
    "---\ntitle: Kittn\n---\n# Kittens\n\n{body}\n\n## Get all kittens\n\n{filler}\n\n"
    "## Get a kitten\n\nOne.\n"
)
FILLER = "\n\n".join(
    f"Paragraph {n} about kittens." for n in range(60)
)  # so that a section can be scrolled to


@pytest.fixture
def branch_site(tmp_path: Path) -> Path:
    """1.0 (with an errors page and an old section), then 2.0 as latest and the default; the branch's
    files written out as GitHub Pages would serve them."""
    project, remote = make_repository(tmp_path)
    one = INDEX.format(body="Version one.\n\n## Old kittens\n\nGone since.", filler=FILLER)
    commit(project, "source/index.html.md", one)
    commit(project, "source/errors.html.md", "---\ntitle: Errors\n---\n# Errors\n\n## Not found\n\nNo.\n")
    (project / "source/guide").mkdir()
    commit(project, "source/guide/start.html.md", "---\ntitle: Start\n---\n# Start\n\n## First step\n\nGo.\n")
    assert main(["deploy", str(project), "--version", "1.0", "-q"]) == 0
    git(project, "rm", "--quiet", "source/errors.html.md")
    commit(project, "source/index.html.md", INDEX.format(body="Version two.", filler=FILLER))
    assert main(["deploy", str(project), "--version", "2.0", "--alias", "latest", "--set-default", "-q"]) == 0
    archive = subprocess.run(
        ["git", "archive", "gh-pages"], cwd=remote, check=True, capture_output=True
    ).stdout
    site = tmp_path / "site"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(site, filter="data")
    return site


@pytest.fixture
def branch_url(branch_site: Path) -> Iterator[str]:
    yield from serve(branch_site)


def choose(page: Any, version: str) -> None:
    with page.expect_navigation():
        page.select_option("#version-select", version)


def test_switching_versions_keeps_the_section(page: Any, branch_url: str) -> None:
    page.goto(branch_url + "1.0/index.html#get-a-kitten")
    assert page.eval_on_selector_all("#version-select option", "os => os.map(o => o.textContent)") == [
        "2.0 (latest)",
        "1.0",
    ]
    assert page.input_value("#version-select") == "1.0"
    choose(page, "2.0")
    assert page.url == branch_url + "2.0/index.html#get-a-kitten"
    assert "Version two." in page.inner_text(".content")
    # The section is on screen: the page scrolled down to it.
    page.wait_for_function(
        "scrollY > 0 && document.getElementById('get-a-kitten').getBoundingClientRect().top < innerHeight"
    )
    assert page.input_value("#version-select") == "2.0"
    assert page.console_errors == []


def test_a_section_or_page_the_other_version_lacks(page: Any, branch_url: str) -> None:
    page.goto(branch_url + "1.0/index.html#old-kittens")
    choose(page, "2.0")
    assert page.url == branch_url + "2.0/index.html"  # the page, without the section it does not have
    page.goto(branch_url + "1.0/errors.html#not-found")
    choose(page, "2.0")
    assert page.url == branch_url + "2.0/index.html"  # 2.0 has no errors page: its first page
    page.goto(branch_url + "1.0/guide/start.html#first-step")  # a page in a folder
    choose(page, "2.0")
    assert page.url == branch_url + "2.0/guide/start.html#first-step"
    page.goto(branch_url + "2.0/index.html#get-all-kittens")
    choose(page, "1.0")
    assert page.url == branch_url + "1.0/index.html#get-all-kittens"
    assert page.console_errors == []


def test_an_old_version_links_to_the_default(page: Any, branch_url: str) -> None:
    page.goto(branch_url + "1.0/index.html#get-a-kitten")
    note = page.inner_text(".version-note")
    assert note == "You are reading the documentation of version 1.0. The current one is version 2.0."
    with page.expect_navigation():
        page.click(".version-note a")
    assert page.url == branch_url + "2.0/index.html#get-a-kitten"
    assert page.query_selector(".version-note") is None  # none on the default version


def test_aliases_and_the_root_redirect_keeping_the_section(page: Any, branch_url: str) -> None:
    page.goto(branch_url + "latest/index.html?shell#get-a-kitten")
    page.wait_for_url(branch_url + "2.0/index.html?shell#get-a-kitten")
    page.goto(branch_url + "latest/guide/start.html#first-step")
    page.wait_for_url(branch_url + "2.0/guide/start.html#first-step")
    page.goto(branch_url + "#get-all-kittens")
    page.wait_for_url(branch_url + "2.0/index.html#get-all-kittens")
    assert page.console_errors == []


def test_the_menu_works_from_file(page: Any, branch_site: Path) -> None:
    page.goto((branch_site / "1.0/index.html").as_uri() + "#get-a-kitten")
    choose(page, "2.0")
    assert page.url == (branch_site / "2.0/index.html").as_uri() + "#get-a-kitten"
    assert "Version two." in page.inner_text(".content")
    assert page.console_errors == []


def test_the_menu_and_the_note_have_no_axe_violations(page: Any, branch_url: str) -> None:
    from tests.browser.test_accessibility import violations

    assert violations(page, branch_url + "1.0/index.html") == []
    assert page.is_visible("#version-select") and page.is_visible(".version-note")
