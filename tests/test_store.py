"""Rebuilds through the store, as `build` and `serve` run them, give exactly the bytes of a cold build after
any edit; the store reuses only what was made of the same inputs by the same code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flagstone import search_index
from flagstone.assemble import MIN_SECTION_LENGTH
from flagstone.build import build
from flagstone.models import BuildOptions, RenderedPage
from flagstone.search_index import Section
from flagstone.storage.store import CODE, Store
from flagstone.theme import SiteInfo, Theme
from tests.conftest import tree, write_project

# Long enough that every include holds several sections, so edits move section breaks too.
FILLER = " ".join(f"word{i}" for i in range(MIN_SECTION_LENGTH // 6))


def _include(name: str) -> str:
    return (
        f"# {name.upper()}\n\n{FILLER}\n\n## HTTP Request\n\n`GET /{name}`\n\n```shell\ncurl /{name}\n```\n\n"
        f"## Query Parameters\n\n{FILLER}\n\n### Details {name}\n\nSearchable{name} text.\n\n"
        "## Errors\n\nShort.\n"  # a short last section: the next file's first heading joins it
    )


PROJECT = {
    "source/index.html.md.erb": (
        "---\ntitle: Memo\nlanguage_tabs:\n  - shell\nsearch: true\nincludes:\n  - a\n  - b\n  - c\n---\n"
        '# Intro\n\nIntro text.\n\n<%= partial "includes/_shared" %>\n'
    ),
    "source/includes/_shared.md": "## HTTP Request\n\nShared partial.\n",
    "source/includes/_a.md": _include("a"),
    "source/includes/_b.md": _include("b")
    + '\n<h2 id="raw-b">Raw B</h2>\n\nRawsearchable text.\n',  # fixed id
    "source/includes/_c.md": _include("c"),
    "source/other.html.md": "---\ntitle: Other\nsearch: true\n---\n# Other\n\nAnother page.\n",
}


def _append(name: str, text: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        path = project / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        path = project / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


INDEX = "source/index.html.md.erb"
EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("text appended to a middle include", _append("source/includes/_b.md", "\nOne more sentence.\n")),
    # _a's last section grows past the length that lets _b's first heading start a section of its own.
    ("a long paragraph moves section breaks", _append("source/includes/_a.md", f"\n{FILLER}\n")),
    ("a new word to search", _append("source/includes/_c.md", "\nZanzibar appears.\n")),
    (
        "a repeated heading renumbers later ids",
        _replace(
            "source/includes/_a.md", "## Query Parameters", "## HTTP Request\n\nx\n\n## Query Parameters"
        ),
    ),
    ("a heading removed", _replace("source/includes/_b.md", "## Query Parameters\n", "")),
    ("a heading's text changed", _replace("source/includes/_c.md", "# C\n", "# C renamed\n")),
    ("a heading's markup changed, not its id", _replace("source/includes/_a.md", "## Errors", "## *Errors*")),
    ("a heading's level changed", _replace("source/includes/_b.md", "## Errors", "### Errors")),
    ("the partial edited", _append("source/includes/_shared.md", "\n## Extra\n\nMore.\n")),
    ("includes reordered", _replace(INDEX, "  - a\n  - b\n", "  - b\n  - a\n")),
    ("an include dropped", _replace(INDEX, "  - c\n", "")),
    ("heading level changed", _replace(INDEX, "search: true\n", "search: true\nheadingLevel: 3\n")),
    ("search turned off", _replace(INDEX, "search: true\n", "search: false\n")),
    (
        "a template edited",
        lambda project: write_project(
            project,
            {
                "themes/templates/page.html": (project.parent / "default-page.html")
                .read_text(encoding="utf-8")
                .replace("<main", "<!-- edited -->\n<main")
            },
        ),
    ),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from flagstone.paths import default_theme_dir

    (tmp_path / "default-page.html").write_text(
        (default_theme_dir() / "templates" / "page.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return write_project(tmp_path / "p", PROJECT)


def test_every_edit_rebuilds_through_serves_store_to_the_cold_bytes(project: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store", "code", lasting=True)  # serve's: one for all its builds
    served = BuildOptions(project, tmp_path / "served", use_cache=False)
    _every_edit_gives_the_cold_bytes(project, served, lambda: build(served, store=store))


def _every_edit_gives_the_cold_bytes(
    project: Path, options: BuildOptions, rebuild: Callable[[], object]
) -> None:
    """Builds with `rebuild` once, then after each of EDITS, each time to the bytes of a cold build."""
    rebuild()
    for number, (what, edit) in enumerate(EDITS):
        edit(project)
        rebuild()
        cold = options.out.with_name(f"cold-{number}")
        build(BuildOptions(project, cold, use_cache=False))
        assert tree(options.out) == tree(cold), what


def test_an_edit_remakes_only_the_pieces_it_touched(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, bool]] = []
    indexed: list[int] = []

    class Watched(Store):
        def get(self, key: object, kinds: object = ()) -> object | None:
            value = super().get(key, kinds)  # type: ignore[arg-type]
            asked.append((key[0] if isinstance(key, tuple) else str(key).split("/")[0], value is not None))
            return value

    def block_postings(sections: tuple[Section, ...], first: int) -> dict[str, str]:
        indexed.append(first)
        return search_index_block_postings(sections, first)

    search_index_block_postings = search_index._block_postings
    monkeypatch.setattr(search_index, "_block_postings", block_postings)
    monkeypatch.setattr(search_index, "_BLOCK", 2)  # blocks of two sections: this project has a dozen
    store = Watched(tmp_path / "store", "code", lasting=True)
    options = BuildOptions(project, tmp_path / "served", use_cache=False)
    build(options, store=store)
    assert asked and not any(hit for _, hit in asked)  # the first build makes everything
    assert indexed
    asked.clear()
    indexed.clear()
    _append("source/includes/_c.md", "\nOne more sentence.\n")(project)
    build(options, store=store)
    misses = sorted(kind for kind, hit in asked if not hit)
    # Only the edited include (the last one: nothing after it to shift), its share of the page's HTML
    # and the index block of its section are new. (The page with a partial is laid out afresh; the
    # other page's layout is reused.)
    assert misses == ["expansion", "fragment", "index-block"], misses
    assert {kind for kind, _ in asked} == {"expansion", "fragment", "index-block", "layout", "style"}
    assert len(indexed) == 1 and indexed[0] > 0, indexed  # the block of the section that grew


def test_a_template_that_writes_the_content_twice_still_gets_it_twice(project: Path, tmp_path: Path) -> None:
    page = (tmp_path / "default-page.html").read_text(encoding="utf-8")
    twice = page.replace(
        "{{ content | safe }}", "{{ content | safe }}<template>{{ content | safe }}</template>"
    )
    write_project(project, {"themes/templates/page.html": twice})
    build(BuildOptions(project, tmp_path / "served", use_cache=False), store=Store())
    html = (tmp_path / "served" / "index.html").read_text(encoding="utf-8")
    assert html.count('<h1 id="intro">Intro</h1>') == 2


def test_the_store_keeps_what_the_last_good_build_used() -> None:
    store = Store()
    store.put("kept", 1)
    store.put("dropped", 2)
    store.finish()
    assert store.get("kept") == 1  # taken into the build under way
    store.put("new", 3)
    # A build that fails never finishes: what it took and made stays for the next attempt.
    assert (store.get("kept"), store.get("dropped"), store.get("new")) == (1, 2, 3)
    store.finish()
    store.finish()  # a build that used nothing
    assert (store.get("kept"), store.get("new")) == (None, None)


def test_every_edit_rebuilds_through_the_stored_index_blocks_to_the_cold_bytes(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "_BLOCK", 2)  # many blocks, so most edits leave some untouched
    cli = BuildOptions(project, tmp_path / "built")  # as `flagstone build` runs: a store of its own
    _every_edit_gives_the_cold_bytes(project, cli, lambda: build(cli))


def test_a_build_after_an_edit_makes_only_the_index_blocks_it_touched(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = tmp_path / "made"  # the index is made in a child process: what it makes is told through a file

    def block_postings(sections: tuple[Section, ...], first: int) -> dict[str, str]:
        with made.open("a") as log:
            log.write(f"{first}\n")
        return search_index_block_postings(sections, first)

    search_index_block_postings = search_index._block_postings
    monkeypatch.setattr(search_index, "_block_postings", block_postings)
    monkeypatch.setattr(search_index, "_BLOCK", 2)
    cli = BuildOptions(project, tmp_path / "built")
    build(cli)
    blocks = len(made.read_text().split())
    assert blocks > 3
    made.unlink()
    _append("source/includes/_c.md", "\nOne more sentence.\n")(project)
    build(cli)
    assert len(made.read_text().split()) == 1  # the block of the section that grew
    made.unlink()
    monkeypatch.setattr("flagstone.storage.store.code_fingerprint", lambda: "another flagstone")
    _append("source/includes/_c.md", "\nAnd another.\n")(project)
    build(cli)
    assert len(made.read_text().split()) == blocks  # blocks of another renderer are never reused


def test_the_stored_entries_give_the_next_process_what_this_one_used(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    first = Store(folder, "v1")
    assert first.get("index-block/old") is None  # nothing stored yet
    first.put("index-block/a", {"word": "1"})
    first.put(("in memory", 1), "not plain data: kept in memory only")
    first.finish()
    assert Store(folder, "v1").get("index-block/a") == {"word": "1"}
    assert Store(folder, "v2").get("index-block/a") is None  # made by another flagstone
    entry = folder / "index-block" / "a" / "a"
    entry.write_bytes(b"damaged")
    assert Store(folder, "v1").get("index-block/a") is None


def test_entries_of_another_flagstone_are_never_read_even_after_an_interrupted_build(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    old = Store(folder, "v1")
    old.put("fragment/x", "made by v1")
    old.finish()
    interrupted = Store(folder, "v2")
    interrupted.put("fragment/y", "made by v2")  # then killed: no finish
    assert not (folder / CODE).exists()
    assert Store(folder, "v1").get("fragment/x") is None
    assert Store(folder, "v2").get("fragment/y") is None
    done = Store(folder, "v2")
    done.put("fragment/y", "made by v2")
    done.finish()
    assert (folder / CODE).read_text() == "v2"
    assert not (folder / "fragment" / "x" / "x").exists()  # dropped: not used by the build that finished
    assert Store(folder, "v2").get("fragment/y") == "made by v2"


def _without_partial(project: Path) -> Path:
    """The project with its partial call dropped: a page with partials is laid out afresh every time."""
    _replace(INDEX, '<%= partial "includes/_shared" %>\n', "")(project)
    return project


def test_every_edit_rebuilds_through_the_stored_layouts_to_the_cold_bytes(
    project: Path, tmp_path: Path
) -> None:
    cli = BuildOptions(_without_partial(project), tmp_path / "built")
    _every_edit_gives_the_cold_bytes(project, cli, lambda: build(cli))


def test_a_text_edit_reuses_the_page_layout_and_a_heading_edit_makes_it_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    render = Theme._render

    def counting_render(theme: Theme, page: RenderedPage, site: SiteInfo) -> str:
        rendered.append(page.source.output)
        return render(theme, page, site)

    monkeypatch.setattr(Theme, "_render", counting_render)
    cli = BuildOptions(_without_partial(project), tmp_path / "built")

    def rebuilt_pages_after(edit: Callable[[Path], None]) -> list[str]:
        edit(project)
        rendered.clear()
        build(cli)
        laid_out_again = sorted(rendered)
        cold = tmp_path / "cold"
        build(BuildOptions(project, cold, use_cache=False))
        assert tree(cli.out) == tree(cold)
        return laid_out_again

    build(cli)
    assert rebuilt_pages_after(_append("source/includes/_b.md", "\nOne more sentence.\n")) == []
    assert rebuilt_pages_after(_replace("source/includes/_c.md", "# C\n", "# C renamed\n")) == ["index.html"]
    assert rebuilt_pages_after(_append("source/other.html.md", "\n## New\n")) == ["other.html"]
    # Every page lists every page's title: a new title is a new site for all of them.
    retitled = _replace("source/other.html.md", "title: Other", "title: Another")
    assert rebuilt_pages_after(retitled) == ["index.html", "other.html"]
    monkeypatch.setattr("flagstone.storage.store.code_fingerprint", lambda: "another flagstone")
    assert rebuilt_pages_after(_append("source/includes/_b.md", "\nMore.\n")) == ["index.html", "other.html"]


def test_an_entry_is_written_once_and_dropped_when_a_build_no_longer_uses_it(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    first = Store(folder, "v1")
    first.put("index-block/a", {"word": "1"})
    first.finish()
    entry = folder / "index-block" / "a" / "a"
    written = entry.stat().st_ino

    unchanged = Store(folder, "v1")
    assert unchanged.get("index-block/a") == {"word": "1"}
    unchanged.put("index-block/b", {"word": "2"})
    unchanged.finish()
    assert entry.stat().st_ino == written  # used, not written again

    later = Store(folder, "v1")
    assert later.get("index-block/b") == {"word": "2"}
    later.finish()  # "a" not used: gone
    assert not entry.exists()
    assert Store(folder, "v1").get("index-block/a") is None
