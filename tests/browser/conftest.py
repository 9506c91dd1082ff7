"""Browser fixtures: sites built once per session, served on 127.0.0.1, driven by Playwright in Debian's chromium."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.conftest import REPO, SHARED

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is required in CI (tests/install-browser.sh installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def kittn_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = SHARED / "corpus" / "slatedocs__slate"
    if not corpus.is_dir():
        pytest.skip("../shared is absent")
    out = tmp_path_factory.mktemp("kittn") / "site"
    build(BuildOptions(corpus, out, use_cache=False))
    return out


@pytest.fixture(scope="session")
def kittn_url(kittn_site: Path) -> Iterator[str]:
    yield from serve(kittn_site)


@pytest.fixture(scope="session")
def own_docs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (REPO / "source" / "index.html.md").is_file():
        pytest.skip("no documentation in this checkout")
    out = tmp_path_factory.mktemp("own") / "site"
    build(BuildOptions(REPO, out, use_cache=False))
    yield from serve(out)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.console_errors = errors
    yield opened
    context.close()
