"""A big page is usable while it is still arriving: tabs, TOC and search work before its content is in."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.conftest import write_project

SECTIONS = "".join(
    f"# Part {n}\n\n## Get thing {n}\n\n```shell\ncurl {n}\n```\n\n```python\nget({n})\n```\n\n"
    for n in range(30)
)
PAGE = "---\ntitle: Big\nlanguage_tabs:\n  - shell\n  - python\nsearch: true\n---\n" + SECTIONS


class _HeldPage:
    """Serves a built site; index.html stops at `cut` (before its content) until `release` is set."""

    def __init__(self, site: Path, cut: bytes = b'<main class="content">') -> None:
        self.release = threading.Event()
        held = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(site), **kwargs)

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if not self.path.startswith("/index.html"):
                    return super().do_GET()
                body = (site / "index.html").read_bytes()
                end = body.index(cut)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:end])
                self.wfile.flush()
                held.release.wait(30)
                self.wfile.write(body[end:])

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/index.html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    write_project(tmp_path / "p", {"source/index.html.md": PAGE})
    build(BuildOptions(tmp_path / "p", tmp_path / "site", use_cache=False))
    return tmp_path / "site"


@pytest.fixture
def held(site: Path) -> Iterator[_HeldPage]:
    serving = _HeldPage(site)
    yield serving
    serving.release.set()
    serving.server.shutdown()
    serving.server.server_close()


def test_tabs_toc_and_search_work_before_the_content_has_arrived(page: Any, held: _HeldPage) -> None:
    page.goto(held.url, wait_until="commit")
    page.wait_for_selector('.dark-box .lang-selector a[aria-selected="true"]', timeout=10_000)
    assert page.evaluate("document.readyState") == "loading"
    assert page.evaluate("document.querySelector('.content') === null")
    assert page.get_attribute("#toc a.active", "href") == "#part-0"
    page.click(".dark-box .lang-selector a[data-language-name='python']")
    assert page.evaluate("document.body.dataset.language") == "python"
    page.fill("#input-search", "thing")
    page.wait_for_selector("#search-results li:not([hidden]) a", timeout=10_000)
    held.release.set()
    page.wait_for_load_state("load")
    # Once the content is in, its code follows the tab chosen meanwhile and the TOC follows the reader.
    assert page.is_visible(".content div.highlight.tab-python") and not page.is_visible(
        ".content div.highlight.tab-shell"
    )
    page.evaluate("document.getElementById('part-20').scrollIntoView()")
    page.wait_for_function("document.querySelector('#toc a.active').getAttribute('href') === '#part-20'")
    assert page.console_errors == []


def test_a_deep_link_lands_on_its_heading_when_the_page_arrives_late(page: Any, held: _HeldPage) -> None:
    page.goto(held.url + "#get-thing-15", wait_until="commit")
    page.wait_for_selector('.dark-box .lang-selector a[aria-selected="true"]', timeout=10_000)
    assert page.get_attribute("#toc a.active", "href") == "#get-thing-15"
    held.release.set()
    page.wait_for_load_state("load")
    page.wait_for_function(
        "Math.abs(document.getElementById('get-thing-15').getBoundingClientRect().top"
        " - parseFloat(getComputedStyle(document.getElementById('get-thing-15')).scrollMarginTop || 0)) <= 2"
    )


AT_TOP = (
    "((h) => !!h && Math.abs(h.getBoundingClientRect().top"
    " - parseFloat(getComputedStyle(h).scrollMarginTop || 0)) <= 2)(document.getElementById('get-thing-10'))"
)


def test_a_deep_link_lands_as_soon_as_its_heading_has_arrived(page: Any, site: Path) -> None:
    # A big page takes seconds to parse: the reader sees the heading before the rest is in.
    serving = _HeldPage(site, cut=b'<h1 id="part-25"')
    try:
        page.goto(serving.url + "#get-thing-10", wait_until="commit")
        page.wait_for_function(AT_TOP, timeout=10_000)
        assert page.evaluate("document.readyState") == "loading"
        assert page.get_attribute("#toc a.active", "href") == "#get-thing-10"
        serving.release.set()
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate(AT_TOP)
        assert page.console_errors == []
    finally:
        serving.release.set()
        serving.server.shutdown()
        serving.server.server_close()


def test_the_toc_follows_headings_inside_one_section_up_and_down(page: Any, site: Path) -> None:
    # Short h1/h2 blocks share a <section>: its inner headings are observed, not measured on scroll.
    serving = _HeldPage(site)
    serving.release.set()
    try:
        page.goto(serving.url)
        ids = ["part-3", "get-thing-3", "part-4", "get-thing-4"]
        same = "new Set(ids.map((id) => document.getElementById(id).closest('section'))).size"
        assert page.evaluate(f"(ids) => {same}", ids) == 1
        for heading in ids + ids[-2::-1]:
            page.evaluate(f"document.getElementById('{heading}').scrollIntoView()")
            page.wait_for_function(
                f"document.querySelector('#toc a.active').getAttribute('href') === '#{heading}'",
                timeout=5_000,
            )
        page.wait_for_function("location.hash === '#part-3'", timeout=5_000)
        assert page.console_errors == []
    finally:
        serving.server.shutdown()
        serving.server.server_close()
