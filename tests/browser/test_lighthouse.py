"""Lighthouse scores of the built Kittn page: accessibility and best practices >= 0.95, performance >= 0.9."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS

LIGHTHOUSE = Path(__file__).parent / "node_modules" / ".bin" / "lighthouse"


def test_kittn_lighthouse_scores(kittn_url: str, tmp_path: Path) -> None:
    if not LIGHTHOUSE.exists() or not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("lighthouse and chromium are required in CI (tests/install-browser.sh)")
        pytest.skip("lighthouse or chromium is not installed")
    report = tmp_path / "report.json"
    subprocess.run(
        [
            str(LIGHTHOUSE),
            kittn_url + "index.html",
            "--quiet",
            f"--chrome-flags={' '.join(LAUNCH_ARGS)}",
            "--only-categories=performance,accessibility,best-practices",
            "--output=json",
            f"--output-path={report}",
        ],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
        check=True,
        timeout=180,
        capture_output=True,
    )
    scores = {
        name: category["score"] for name, category in json.loads(report.read_text())["categories"].items()
    }
    print(f"Lighthouse on the Kittn page: {scores}")
    assert scores["accessibility"] >= 0.95
    assert scores["best-practices"] >= 0.95
    assert scores["performance"] >= 0.9
