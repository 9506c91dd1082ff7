"""A reference generated from an OpenAPI spec works in the browser as a hand-written page does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.browser.conftest import serve
from tests.browser.test_accessibility import violations
from tests.conftest import write_project
from tests.test_openapi_content import PAGE, SPEC


@pytest.fixture(scope="module")
def zoo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("zoo")
    files: dict[str, str | bytes] = {
        "source/index.html.md": PAGE.format(openapi="../zoo.yaml"),
        "zoo.yaml": SPEC,
    }
    project = write_project(root / "p", files)
    build(BuildOptions(project, root / "site", use_cache=False))
    yield from serve(root / "site")


def shown_tabs(page: Any, operation: str) -> list[str]:
    script = """(id) => {
      const blocks = [];
      for (let e = document.getElementById(id).nextElementSibling; e && !/^H[12]$/.test(e.tagName);
           e = e.nextElementSibling) {
        for (const b of [e, ...e.querySelectorAll("div.highlight")]) {
          if (b.matches("div.highlight") && b.offsetParent !== null) blocks.push(b.classList[1]);
        }
      }
      return [...new Set(blocks)];
    }"""
    return list(page.evaluate(script, operation))


def test_tabs_toc_search_and_schema_details_work(page: Any, zoo_url: str) -> None:
    page.goto(zoo_url + "index.html")
    assert "tab-shell" in shown_tabs(page, "listAnimals") and "tab-python" not in shown_tabs(
        page, "listAnimals"
    )
    page.click(".dark-box .lang-selector a[data-language-name='python']")
    assert "tab-python" in shown_tabs(page, "listAnimals") and "tab-shell" not in shown_tabs(
        page, "listAnimals"
    )
    # The TOC leads to an operation and follows the reader there.
    page.click("#toc a[href='#animals']")  # a section's entries unfold when the reader is in it
    page.click("#toc a[href='#post-animals']")
    page.wait_for_function(
        "document.querySelector('#toc a.active')?.getAttribute('href') === '#post-animals'"
    )
    # Search finds an operation by its operationId and lands on it.
    page.fill("#input-search", "listanimals")
    page.wait_for_selector("#search-results li:not([hidden]) a")
    page.click("#search-results li:not([hidden]) a")
    page.wait_for_function("location.hash === '#listAnimals'")
    # A schema table opens and closes without script of ours: <details>.
    details = page.locator("details").first
    assert details.get_attribute("open") is None
    details.locator("summary").click()
    assert details.get_attribute("open") == ""
    assert details.locator("table").first.is_visible()
    assert page.console_errors == []


def test_the_generated_reference_has_no_axe_violations(page: Any, zoo_url: str) -> None:
    assert violations(page, zoo_url + "index.html") == []
