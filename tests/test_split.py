"""Split output: one file per h1 section or include, every link of the single page still landing."""

from __future__ import annotations

import json
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from flagstone.build import build
from flagstone.commands.targets import page_targets
from flagstone.models import BuildOptions
from flagstone.split import moved_ids
from flagstone.storage.store import Store
from tests.conftest import REPO, SHARED, RunCli, tree, write_project

PAGE = """
    ---
    title: Test API
    search: true
    split: h1
    includes:
      - errors
    ---

    # Introduction

    See [the errors](#errors), [kittens](#get-all-kittens) and <a href='#raw-target'>raw</a>.

    ## Auth

    Text.

    # Kittens

    ## Get All Kittens

    Up to [auth](index.html#auth), here to [kittens](index.html#kittens), <span data-id="not-a-target"></span>.

    <div id="raw-target">raw</div>

    ### HTTP Request
    """
ERRORS = """
    # Errors

    Back to [the introduction](#introduction).

    ## HTTP Request
    """
_HREF = re.compile(r"""\bhref=["']([^"']*)["']""")


def _project(root: Path, page: str = PAGE) -> Path:
    return write_project(root, {"source/index.html.md": page, "source/includes/_errors.md": ERRORS})


def _build(project: Path, out: Path, split: str | None = None) -> Path:
    build(BuildOptions(project, out, use_cache=False, split=split))
    return out


def _read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def _assert_every_id_lands(single: Path, split: Path) -> int:
    """Every id of every page of the single build reaches, from `page.html#id` on the split site,
    a file holding it; the number of ids followed."""
    followed = 0
    pages = [p.relative_to(single).as_posix() for p in single.rglob("*.html") if p.name != "404.html"]
    for page in pages:
        moved = moved_ids(_read(split, page))
        split_targets = {page: page_targets(_read(split, page))}
        for target in page_targets(_read(single, page)).all():
            file = posixpath.join(posixpath.dirname(page), moved[target]) if target in moved else page
            if file not in split_targets:
                split_targets[file] = page_targets(_read(split, file))
            assert target in split_targets[file], f"{page}#{target} lands on {file}, which lacks it"
            followed += 1
    return followed


def _assert_links_resolve(site: Path, single: Path | None = None) -> int:
    """Every relative link of every HTML file of the site names a file of it and an id in that file
    (links to an id no page of the `single` build had were broken before the split: not counted)."""
    before = (
        {t for p in single.rglob("*.html") for t in page_targets(p.read_text("utf-8")).all()}
        if single
        else None
    )
    targets: dict[str, object] = {}
    checked = 0
    for path in site.rglob("*.html"):
        name = path.relative_to(site).as_posix()
        for href in _HREF.findall(path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", href) or href in ("#", "") or href.startswith(("?", "/")):
                continue
            file, _, fragment = href.partition("#")
            file = (
                posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(file))) if file else name
            )
            assert (site / file).is_file(), f"{name}: {href} names no file"
            if before is not None and unquote(fragment) not in before:
                continue
            if fragment and file.endswith(".html"):
                if file not in targets:
                    targets[file] = page_targets(_read(site, file))
                assert unquote(fragment) in targets[file], f"{name}: {href}: no such id"  # type: ignore[operator]
            checked += 1
    return checked


def test_h1_split_writes_one_file_per_h1_with_the_whole_toc(tmp_path: Path) -> None:
    site = _build(_project(tmp_path / "p"), tmp_path / "site")
    assert sorted(p.name for p in site.glob("*.html")) == [
        "index-errors.html",
        "index-kittens.html",
        "index.html",
    ]
    first, kittens = _read(site, "index.html"), _read(site, "index-kittens.html")
    # The TOC of every file lists every section, linking to the file holding it.
    assert 'href="#introduction"' in first and 'href="index-kittens.html#get-all-kittens"' in first
    assert 'href="index.html#introduction"' in kittens and 'href="#get-all-kittens"' in kittens
    assert 'href="index-errors.html#errors"' in kittens
    # In-page links to another file lead there, raw HTML's too.
    assert '<a href="index-errors.html#errors">the errors</a>' in first
    assert "<a href='index-kittens.html#raw-target'>raw</a>" in first
    assert '<a href="index.html#introduction">the introduction</a>' in _read(site, "index-errors.html")
    assert '<a href="index.html#auth">auth</a>' in kittens and '<a href="#kittens">kittens</a>' in kittens
    # Prev/next at the bottom of each.
    assert '<a href="index.html" rel="prev" class="prev">\u2190 Introduction</a>' in kittens
    assert '<a href="index-errors.html" rel="next" class="next">Errors \u2192</a>' in kittens
    assert 'rel="prev"' not in first.split("split-pager", 2)[-1]
    # Each file's body names its file for search and keeps the page's class.
    assert '<body class="index"' in kittens and 'data-page="index-kittens.html"' in kittens
    assert _assert_links_resolve(site) > 20


def test_anchor_map_sends_old_links_to_their_file(tmp_path: Path) -> None:
    site = _build(_project(tmp_path / "p"), tmp_path / "site")
    assert moved_ids(_read(site, "index.html")) == {
        "kittens": "index-kittens.html",
        "get-all-kittens": "index-kittens.html",
        "raw-target": "index-kittens.html",
        "http-request": "index-kittens.html",
        "errors": "index-errors.html",
        "http-request-2": "index-errors.html",
    }
    single = _build(_project(tmp_path / "p"), tmp_path / "single", split="")
    assert _assert_every_id_lands(single, site) >= 8
    assert "flagstone-split-map" not in _read(site, "index-kittens.html")


def test_search_index_has_a_page_per_file(tmp_path: Path) -> None:
    site = _build(_project(tmp_path / "p"), tmp_path / "site")
    script = _read(site, "flagstone/search-index.js")
    index = json.loads(
        json.loads(script.removeprefix("window.flagstoneSearchIndex=JSON.parse(").rstrip(");\n"))
    )
    assert [page for page, _ in index["pages"]] == ["index.html", "index-kittens.html", "index-errors.html"]
    files = {section_id: index["pages"][page][0] for page, section_id, _, _ in index["sections"]}
    assert files["auth"] == "index.html"
    assert files["get-all-kittens"] == "index-kittens.html"
    assert files["http-request-2"] == "index-errors.html"


def test_include_split_writes_the_body_and_one_file_per_include(tmp_path: Path) -> None:
    site = _build(_project(tmp_path / "p"), tmp_path / "site", split="include")
    assert sorted(p.name for p in site.glob("*.html")) == ["index-errors.html", "index.html"]
    assert 'id="kittens"' in _read(site, "index.html")
    assert moved_ids(_read(site, "index.html")) == {
        "errors": "index-errors.html",
        "http-request-2": "index-errors.html",
    }


def test_include_split_of_a_page_without_body_starts_with_the_first_include(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "---\nsplit: include\nincludes:\n  - a\n  - b\n---\n",
            "source/includes/_a.md": "# Alpha\n\ntext\n",
            "source/includes/_b.md": "# Beta\n\n## Beta Two\n",
        },
    )
    site = _build(project, tmp_path / "site")
    assert sorted(p.name for p in site.glob("*.html")) == ["index-beta.html", "index.html"]
    assert 'id="alpha"' in _read(site, "index.html")


def test_file_names_do_not_clash_with_other_pages(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    write_project(project, {"source/index-kittens.html.md": "# Other\n"})
    site = _build(project, tmp_path / "site")
    assert "Other" in _read(site, "index-kittens.html")
    assert moved_ids(_read(site, "index.html"))["kittens"] == "index-kittens-2.html"


def test_split_flag_none_gives_the_single_page_byte_for_byte(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    unsplit = _project(tmp_path / "q", PAGE.replace("    split: h1\n", ""))
    assert tree(_build(project, tmp_path / "a", split="")) == tree(_build(unsplit, tmp_path / "b"))


def test_a_page_with_one_section_is_one_file(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {"source/index.html.md": "---\nsplit: h1\n---\n# Only\n\n## Two\n"}
    )
    site = _build(project, tmp_path / "site")
    assert [p.name for p in site.glob("*.html")] == ["index.html"]
    page = _read(site, "index.html")
    assert "flagstone-split-map" not in page and "split-pager" not in page


def test_unknown_split_mode_is_a_located_error(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": "---\nsplit: pages\n---\n# A\n"})
    result = run_cli("build", project, "-o", tmp_path / "site")
    assert result.status == 1
    assert "source/index.html.md:2: split: expected 'h1' or 'include', got a string 'pages'" in result.err


def test_cli_split_overrides_front_matter(tmp_path: Path, run_cli: RunCli) -> None:
    project = _project(tmp_path / "p", PAGE.replace("    split: h1\n", ""))
    assert run_cli("build", project, "-o", tmp_path / "site", "--split", "h1").status == 0
    assert (tmp_path / "site" / "index-kittens.html").is_file()
    assert run_cli("build", project, "-o", tmp_path / "site", "--split", "none").status == 0
    assert not (tmp_path / "site" / "index-kittens.html").exists()


def test_check_follows_links_across_split_files(tmp_path: Path, run_cli: RunCli) -> None:
    project = _project(tmp_path / "p", PAGE + "\n    [gone](#nowhere) [there](#http-request-2)\n")
    result = run_cli("check", project)
    assert result.status == 1
    assert "source/index.html.md:27: link: expected an element with id 'nowhere' on this page, got none" in (
        result.out + result.err
    )
    assert "http-request-2" not in result.out + result.err
    assert run_cli("check", _project(tmp_path / "q")).status == 0


def test_markdown_twin_is_one_per_source_page(tmp_path: Path) -> None:
    site = _build(_project(tmp_path / "p"), tmp_path / "site")
    assert sorted(p.name for p in site.glob("*.md")) == ["index.html.md"]
    assert "index.html.md" in _read(site, "llms.txt")


def _largest_document() -> Path:
    found = sorted((SHARED / "corpus").glob("*/source/**/index.html.md"), key=lambda p: p.stat().st_size)
    if not found:
        pytest.skip(f"{SHARED / 'corpus'} is not available (../shared is absent)")
    return found[-1]


def test_every_id_of_the_largest_corpus_document_reaches_its_section(tmp_path: Path) -> None:
    document = _largest_document()
    project = next(p for p in document.parents if p.name == "source").parent
    single = _build(project, tmp_path / "single", split="")
    split = _build(project, tmp_path / "split", split="h1")
    page = document.relative_to(project / "source").as_posix().removesuffix(".md")
    assert len(moved_ids(_read(split, page))) > 100
    assert _assert_every_id_lands(single, split) > 300
    assert _assert_links_resolve(split, single) > 500


@pytest.mark.parametrize("mode", ["h1", "include"])
def test_every_id_of_a_generated_document_reaches_its_section(tmp_path: Path, mode: str) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate(200, tmp_path / "p")
    single = _build(tmp_path / "p", tmp_path / "single", split="")
    split = _build(tmp_path / "p", tmp_path / "split", split=mode)
    assert len(list(split.glob("*.html"))) > 3
    assert _assert_every_id_lands(single, split) > 500
    assert _assert_links_resolve(split, single) > 1000


def test_sitemap_lists_every_file(tmp_path: Path) -> None:
    page = PAGE.replace("    split: h1\n", "    split: h1\n    site_url: https://example.com/docs\n")
    site = _build(_project(tmp_path / "p", page), tmp_path / "site")
    assert re.findall("<loc>([^<]*)</loc>", _read(site, "sitemap.xml")) == [
        "https://example.com/docs/",
        "https://example.com/docs/index-kittens.html",
        "https://example.com/docs/index-errors.html",
    ]
    assert '<link rel="canonical" href="https://example.com/docs/index-kittens.html">' in _read(
        site, "index-kittens.html"
    )


def test_cached_and_serve_builds_match_fresh_ones(tmp_path: Path) -> None:
    """Switching split on and off between builds that reuse the project's store or serve's (one store
    for all its builds) gives what a fresh build gives."""
    project = _project(tmp_path / "p")
    fresh = {mode: tree(_build(project, tmp_path / f"fresh-{mode}", split=mode)) for mode in ("h1", "")}
    served = Store(tmp_path / "store", "code", lasting=True)
    for number, mode in enumerate(("h1", "", "h1", "")):
        out = tmp_path / f"cached-{number}"
        build(BuildOptions(project, out, split=mode))
        assert tree(out) == fresh[mode]
        out = tmp_path / f"served-{number}"
        build(BuildOptions(project, out, use_cache=False, split=mode), store=served)
        assert tree(out) == fresh[mode]
    (project / "source" / "includes" / "_errors.md").write_text("# Errors\n\n# Limits\n\n[up](#auth)\n")
    build(
        BuildOptions(project, tmp_path / "served-edit", use_cache=False, split="h1"),
        store=served,
    )
    build(BuildOptions(project, tmp_path / "cached-edit", split="h1"))
    cold = tree(_build(project, tmp_path / "cold-edit", split="h1"))
    assert "index-limits.html" in cold
    assert tree(tmp_path / "served-edit") == cold == tree(tmp_path / "cached-edit")


def test_check_split_flag_checks_the_split_build(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flagstone.build

    splits: list[str | None] = []
    real = flagstone.build.build

    def recording(options: BuildOptions, **kwargs: object) -> object:
        splits.append(options.split)
        return real(options, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(flagstone.build, "build", recording)
    unsplit = _project(tmp_path / "p", PAGE.replace("    split: h1\n", ""))
    assert run_cli("check", unsplit, "--split", "include").status == 0
    assert run_cli("check", unsplit).status == 0
    assert splits == ["include", None]
