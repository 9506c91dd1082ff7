"""Split output in the browser: old links land on the file now holding their heading, over http and file://."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.browser.conftest import serve
from tests.conftest import write_project

SECTIONS = "".join(
    f"# Part {n}\n\nSee [the last part](#get-thing-29).\n\n## Get thing {n}\n\n```shell\ncurl {n}\n```\n\n"
    f'<p id="raw-{n}">raw {n}</p>\n\n'
    for n in range(30)
)
PAGE = "---\ntitle: Big\nlanguage_tabs:\n  - shell\nsearch: true\nsplit: h1\n---\n" + SECTIONS


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split")
    write_project(root / "p", {"source/index.html.md": PAGE})
    build(BuildOptions(root / "p", root / "site", use_cache=False))
    return root / "site"


@pytest.fixture(scope="module")
def split_url(split_site: Path) -> Iterator[str]:
    yield from serve(split_site)


def _heading_in_view(page: Any, heading_id: str) -> bool:
    return bool(
        page.evaluate(
            """(id) => { const e = document.getElementById(id); if (!e) return false;
                const top = e.getBoundingClientRect().top; return top >= -2 && top < innerHeight; }""",
            heading_id,
        )
    )


@pytest.mark.parametrize("target", ["get-thing-27", "raw-29", "part-28"])
def test_an_old_link_lands_on_the_other_files_heading(page: Any, split_url: str, target: str) -> None:
    page.goto(f"{split_url}index.html#{target}")
    page.wait_for_function("(id) => document.getElementById(id)", arg=target)
    number = target.rsplit("-", 1)[1]
    assert page.url.endswith(f"/index-part-{number}.html#{target}")
    page.wait_for_timeout(300)
    assert _heading_in_view(page, target)
    assert page.console_errors == []


def test_an_old_link_lands_from_file_urls(page: Any, split_site: Path) -> None:
    page.goto(f"{(split_site / 'index.html').as_uri()}?shell#get-thing-29")
    page.wait_for_function("() => document.getElementById('get-thing-29')")
    assert page.url.endswith("/index-part-29.html?shell#get-thing-29")
    assert page.console_errors == []


def test_toc_prev_next_and_content_links_cross_files(page: Any, split_url: str) -> None:
    page.goto(f"{split_url}index-part-5.html")
    page.click('#toc a[href="index-part-7.html#part-7"]')
    page.wait_for_url("**/index-part-7.html#part-7")
    page.wait_for_timeout(300)
    assert _heading_in_view(page, "part-7")
    page.click(".split-pager a[rel=next]")
    page.wait_for_url("**/index-part-8.html")
    page.click(".split-pager a[rel=prev]")
    page.wait_for_url("**/index-part-7.html")
    page.click('.content a[href="index-part-29.html#get-thing-29"]')
    page.wait_for_url("**/index-part-29.html#get-thing-29")
    # The TOC marks the file's own section, its links to other files left as they are.
    page.wait_for_function("() => document.querySelector('#toc .toc-link.active')")
    active = page.evaluate("() => document.querySelector('#toc .toc-link.active').getAttribute('href')")
    assert active in ("#part-29", "#get-thing-29")
    assert page.console_errors == []


def test_search_finds_sections_of_other_files(page: Any, split_url: str) -> None:
    page.goto(f"{split_url}index.html")
    page.fill("#input-search", "thing 23")
    page.wait_for_selector("#search-results li:not([hidden]) a[data-section]")
    link = page.locator("#search-results li:not([hidden]) a[data-section]").first
    assert link.get_attribute("href") == "index-part-23.html#get-thing-23"
    link.click()
    page.wait_for_url("**/index-part-23.html#get-thing-23")
    assert page.console_errors == []
