"""axe-core finds no accessibility violations on the Kittn example and on flagstone's own docs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def violations(page: Any, url: str) -> list[str]:
    if not AXE.is_file():
        if os.environ.get("CI"):
            pytest.fail("axe-core is required in CI (tests/install-browser.sh installs it)")
        pytest.skip("axe-core is not installed (run tests/install-browser.sh)")
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => v.id + ': ' + v.nodes.length + ' ' + v.help))"
    )
    return list(found)


def test_kittn_has_no_axe_violations(page: Any, kittn_url: str) -> None:
    assert violations(page, kittn_url + "index.html") == []


def test_own_docs_have_no_axe_violations(page: Any, own_docs_url: str) -> None:
    assert violations(page, own_docs_url + "index.html") == []
