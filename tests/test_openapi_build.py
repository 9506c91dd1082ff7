"""Every OpenAPI document in ../shared/openapi builds through a page's `openapi` front matter, and every
operation, webhook and component schema of the spec (counted from the spec itself) is on the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import SHARED, RunCli, write_project

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# ../shared beside the repository
OPENAPI = SHARED / "openapi"
SPECS = sorted(p for p in OPENAPI.rglob("*") if p.suffix in (".json", ".yaml")) if OPENAPI.is_dir() else []


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _local(document: Any, value: Any) -> Any:
    """A value with its local `$ref`s followed (the documents here have no others)."""
    while isinstance(value, dict) and str(value.get("$ref", "")).startswith("#/"):
        node = document
        for part in value["$ref"][2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        value = node
    return value


def expected_endpoints(document: dict[str, Any]) -> list[str]:
    """`METHOD path` of every operation, and `METHOD name (webhook)` of every webhook, from the spec."""
    found = []
    for section, suffix in (("paths", ""), ("webhooks", " (webhook)")):
        for path, item in (document.get(section) or {}).items():
            item = _local(document, item)
            found += [f"{m.upper()} {path}{suffix}" for m in METHODS if m in (item or {})]
    return found


def expected_schemas(document: dict[str, Any]) -> list[str]:
    if str(document.get("swagger", "")).startswith("2"):
        return list(document.get("definitions") or {})
    return list((document.get("components") or {}).get("schemas") or {})


@pytest.mark.skipif(not SPECS, reason=f"{OPENAPI} is not available (../shared is absent)")
@pytest.mark.parametrize("spec", SPECS, ids=[str(p.relative_to(OPENAPI)) for p in SPECS])
def test_every_shared_document_builds_with_each_operation_once(
    spec: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": f"""
            ---
            title: Reference
            language_tabs: [shell, python, javascript]
            search: true
            openapi: ../{spec.name}
            ---

            # Introduction

            Written by hand.
            """
        },
    )
    shutil.copy(spec, project / spec.name)
    result = run_cli("build", project, "-o", tmp_path / "out")
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    page = BeautifulSoup((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "html.parser")
    shown = [p.get_text() for p in page.select("p.openapi-endpoint")]
    document = _load(spec)
    expected = expected_endpoints(document)
    assert sorted(shown) == sorted(expected)
    assert len(set(shown)) == len(shown)
    for name in expected_schemas(document):
        anchor = page.find(id=f"tocS_{name}")
        assert anchor is not None, name
        assert anchor.find_previous("h2").get_text() == name
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids))
    # the hand-written introduction comes first, then the reference
    headings = [h.get_text() for h in page.select(".content h1")]
    assert headings[0] == "Introduction"
