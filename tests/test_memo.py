"""Rebuilds through a memo, as serve runs them, give exactly the bytes of a cold build after any edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flagstone import search_index
from flagstone.assemble import MIN_SECTION_LENGTH
from flagstone.build import build
from flagstone.cache import FragmentCache
from flagstone.memo import Memo, StoredMemo
from flagstone.models import BuildOptions, RenderedPage
from flagstone.search_index import Section
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


def test_every_edit_rebuilds_through_the_memo_to_the_cold_bytes(project: Path, tmp_path: Path) -> None:
    memo, cache = Memo(), FragmentCache(tmp_path / "fragments")
    served = BuildOptions(project, tmp_path / "served", use_cache=False)
    _every_edit_gives_the_cold_bytes(project, served, lambda: build(served, fragment_cache=cache, memo=memo))


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

    class Watched(Memo):
        def get(self, key: object) -> object | None:
            value = super().get(key)  # type: ignore[arg-type]
            asked.append((key[0], value is not None))  # type: ignore[index]
            return value

    def block_postings(sections: tuple[Section, ...], first: int) -> dict[str, str]:
        indexed.append(first)
        return search_index_block_postings(sections, first)

    search_index_block_postings = search_index._block_postings
    monkeypatch.setattr(search_index, "_block_postings", block_postings)
    monkeypatch.setattr(search_index, "_BLOCK", 2)  # blocks of two sections: this project has a dozen
    memo, cache = Watched(), FragmentCache(tmp_path / "fragments")
    options = BuildOptions(project, tmp_path / "served", use_cache=False)
    build(options, fragment_cache=cache, memo=memo)
    assert asked and not any(hit for _, hit in asked)  # the first build makes everything
    assert indexed
    asked.clear()
    indexed.clear()
    _append("source/includes/_c.md", "\nOne more sentence.\n")(project)
    build(options, fragment_cache=cache, memo=memo)
    misses = sorted(kind for kind, hit in asked if not hit)
    # Only the edited include (the last one: nothing after it to shift) and its index block are new.
    assert misses == ["expansion", "headings", "postings"], misses
    assert {kind for kind, _ in asked} == {"expansion", "headings", "placement", "postings", "page"}
    assert len(indexed) == 1 and indexed[0] > 0, indexed  # the block of the section that grew


def test_a_template_that_writes_the_content_twice_still_gets_it_twice(project: Path, tmp_path: Path) -> None:
    page = (tmp_path / "default-page.html").read_text(encoding="utf-8")
    twice = page.replace(
        "{{ content | safe }}", "{{ content | safe }}<template>{{ content | safe }}</template>"
    )
    write_project(project, {"themes/templates/page.html": twice})
    memo = Memo()
    build(BuildOptions(project, tmp_path / "served", use_cache=False), memo=memo)
    html = (tmp_path / "served" / "index.html").read_text(encoding="utf-8")
    assert html.count('<h1 id="intro">Intro</h1>') == 2


def test_the_memo_keeps_what_the_last_good_build_used() -> None:
    memo = Memo()
    memo.put("kept", 1)
    memo.put("dropped", 2)
    memo.rotate()
    assert memo.get("kept") == 1  # taken into the build under way
    memo.put("new", 3)
    # A build that fails never rotates: what it took and made stays for the next attempt.
    assert (memo.get("kept"), memo.get("dropped"), memo.get("new")) == (1, 2, 3)
    memo.rotate()
    memo.rotate()  # a build that used nothing
    assert (memo.get("kept"), memo.get("new")) == (None, None)


def test_every_edit_rebuilds_through_the_stored_index_blocks_to_the_cold_bytes(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "_BLOCK", 2)  # many blocks, so most edits leave some untouched
    cli = BuildOptions(project, tmp_path / "built")  # as `flagstone build` runs: cache on, no memo
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
    monkeypatch.setattr("flagstone.build.renderer_fingerprint", lambda: "another flagstone")
    _append("source/includes/_c.md", "\nAnd another.\n")(project)
    build(cli)
    assert len(made.read_text().split()) == blocks  # blocks of another renderer are never reused


def test_a_stored_memo_gives_the_next_process_what_this_one_used(tmp_path: Path) -> None:
    path = tmp_path / "state" / "memo"
    first = StoredMemo(path, "v1")
    assert first.get(("postings", "old")) is None  # no file yet: nothing known
    first.put(("postings", "a"), {"word": "1"})
    first.save()
    assert StoredMemo(path, "v1").get(("postings", "a")) == {"word": "1"}
    assert StoredMemo(path, "v2").get(("postings", "a")) is None  # made by another renderer
    path.write_bytes(b"damaged")
    assert StoredMemo(path, "v1").get(("postings", "a")) is None


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
    monkeypatch.setattr("flagstone.layouts.layout_fingerprint", lambda: "another flagstone")
    assert rebuilt_pages_after(_append("source/includes/_b.md", "\nMore.\n")) == ["index.html", "other.html"]


def test_a_stored_memo_is_written_again_only_when_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "state" / "memo"
    first = StoredMemo(path, "v1")
    first.put(("postings", "a"), {"word": "1"})
    first.save()
    written = path.stat().st_ino

    unchanged = StoredMemo(path, "v1")
    assert unchanged.get(("postings", "a")) == {"word": "1"}
    unchanged.save()
    assert path.stat().st_ino == written  # the same file: nothing to write

    added = StoredMemo(path, "v1")
    added.get(("postings", "a"))
    added.put(("postings", "b"), {"word": "2"})
    added.save()
    assert path.stat().st_ino != written
    assert StoredMemo(path, "v1").get(("postings", "b")) == {"word": "2"}

    unused = StoredMemo(path, "v1")
    unused.get(("postings", "b"))  # "a" is not used: the next file holds "b" alone
    unused.save()
    assert StoredMemo(path, "v1").get(("postings", "a")) is None
