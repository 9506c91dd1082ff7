"""flagstone's own documentation builds cleanly, and its table of errors matches what the tests assert."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, RunCli

ERRORS_PAGE = REPO / "includes" / "_errors.md"


def documented_messages() -> list[str]:
    rows = re.findall(r"^[^|\n]+\| (`+)(.+)\1$", ERRORS_PAGE.read_text(encoding="utf-8"), re.MULTILINE)
    return [row.split(" leading to ")[0] for _, row in rows]


def asserted_strings() -> set[str]:
    """Every string constant in the test modules (adjacent literals joined, as Python joins them)."""
    found: set[str] = set()
    for module in (REPO / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif isinstance(node, ast.JoinedStr):  # keep the literal parts of f-strings with {…} as "…"
                found.add("".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values))
    return found


def test_every_documented_error_is_asserted_by_a_test() -> None:
    messages = documented_messages()
    assert len(messages) >= 15
    strings = asserted_strings()
    missing = [m for m in messages if not any(m in s or _matches_template(m, s) for s in strings)]
    assert missing == []


def _matches_template(message: str, template: str) -> bool:
    if "\x00" not in template:
        return False
    pattern = ".*".join(re.escape(part) for part in template.split("\x00"))
    return re.search(pattern, message) is not None and len(template) > 20


def test_own_documentation_builds_strict(run_cli: RunCli, tmp_path: Path) -> None:
    if not (REPO / "source" / "index.html.md").is_file():
        pytest.skip("no documentation in this checkout")
    result = run_cli("build", REPO, "-o", tmp_path / "site", "--strict")
    assert result.status == 0, result.err
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for section in (
        "install",
        "quick-start",
        "writing",
        "front-matter-keys",
        "search",
        "preview",
        "build",
        "check",
        "publish",
        "deploy-to-a-git-branch",
        "github-pages-from-ci",
        "theming",
        "migrating-from-slate",
        "openapi",
        "coming-from-widdershins",
        "errors",
    ):
        assert f'id="{section}"' in html, section


def test_own_documentation_passes_check(run_cli: RunCli) -> None:
    if not (REPO / "source" / "index.html.md").is_file():
        pytest.skip("no documentation in this checkout")
    result = run_cli("check", REPO)
    assert (result.status, result.out) == (0, ""), result.err
