"""Every real Slate document of ../shared/corpus builds and scores like Slate (slate_compat.py)."""

from __future__ import annotations

import difflib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from bs4 import BeautifulSoup

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.conftest import SHARED, renumbered_duplicate, shared_path

pytestmark = pytest.mark.corpus
DOCS = (
    sorted(p.name for p in (SHARED / "corpus").iterdir() if p.is_dir())
    if (SHARED / "corpus").is_dir()
    else []
)
THRESHOLDS = {"pages": 100.0, "anchors": 100.0, "toc": 99.0, "tabs": 99.0, "text": 98.0}


def scorer() -> ModuleType:
    path = shared_path("tools", "slate_compat.py")
    spec = importlib.util.spec_from_file_location("slate_compat", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["slate_compat"] = module
    spec.loader.exec_module(module)
    return module


def toc_without_renumbering(doc: Path, site: Path, page: str) -> float:
    """The TOC score once flagstone's fresh ids for Slate's repeated ids (spec section 4) count as Slate's."""
    expected = doc / "expected-slate" / page
    slate_ids = [h["id"] for h in json.loads((expected / "ids.json").read_text(encoding="utf-8"))]
    slate_toc = [
        e["id"]
        for h1 in json.loads((expected / "toc.json").read_text(encoding="utf-8"))
        for e in (h1, *h1.get("children", []))
    ]
    soup = BeautifulSoup((site / f"{page}.html").read_text(encoding="utf-8"), "lxml")
    ours = [a["href"].split("#", 1)[-1] for a in soup.select("a.toc-h1, a.toc-h2")]
    matcher = difflib.SequenceMatcher(None, slate_toc, ours, autojunk=False)
    mapped = list(ours)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            for slate_id, index in zip(slate_toc[i1:i2], range(j1, j2), strict=True):
                if renumbered_duplicate(slate_id, ours[index], slate_ids):
                    mapped[index] = slate_id
    return float(scorer().seq_ratio(slate_toc, mapped))


@pytest.mark.parametrize("doc_name", DOCS)
def test_corpus_document_scores_like_slate(doc_name: str, tmp_path: Path) -> None:
    doc = shared_path("corpus", doc_name)
    site = tmp_path / "site"
    report = build(BuildOptions(doc, site))
    assert report.pages >= 1
    result = scorer().score_doc(doc, site)
    summary = result["summary"]
    assert not result["missing"]
    for key in ("pages", "anchors", "tabs", "text"):
        assert summary[key] >= THRESHOLDS[key], (key, summary)
    # The raw TOC score counts the fresh ids flagstone must give Slate's duplicate ids as misses;
    # with those counted as Slate's, every page's TOC must agree.
    for page, scores in result["pages"].items():
        toc = (
            scores["toc"] if scores["toc"] >= THRESHOLDS["toc"] else toc_without_renumbering(doc, site, page)
        )
        assert toc >= THRESHOLDS["toc"], (page, scores["toc"], toc)
