"""Page-level ids (Slate's per-file numbering made unique without breaking links) and the TOC."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from flagstone.assemble import MIN_SECTION_LENGTH, assemble
from flagstone.markup.render import MARK, SECTION_MARK, UNBALANCED_MARK, MarkdownRenderer
from flagstone.models import (
    Fragment,
    Heading,
    PageSettings,
    PageSource,
    PartSource,
    PlacedHeading,
    RenderedPage,
    RenderedPart,
    SourceText,
    TocEntry,
)
from flagstone.rendering import plan_render, render_files
from flagstone.storage.store import Store
from flagstone.toc import build_toc


def page_of(body: str, *includes: str, heading_level: int = 2) -> RenderedPage:
    def part(name: str, text: str) -> PartSource:
        return PartSource(SourceText(Path(name), name, text))

    page = PageSource(
        Path("index.html.md"),
        "index.html.md",
        "index.html",
        PageSettings(heading_level=heading_level),
        part("index.html.md", body),
        tuple(part(f"_inc{i}.md", text) for i, text in enumerate(includes)),
    )
    parts = render_files(plan_render([page]), Store(), 1)[0]
    return assemble(page, parts[0], parts[1:])


def test_spec_example_of_duplicates_across_files() -> None:
    page = page_of(
        "# A\n## HTTP Request\n## HTTP Request\n", "# B\n## HTTP Request\n## HTTP Request\n## HTTP Request\n"
    )
    assert [h.id for h in page.headings] == [
        "a",
        "http-request",
        "http-request-2",
        "b",
        "http-request-4",
        "http-request-5",
        "http-request-3",
    ]


def test_raw_html_headings_keep_their_ids_and_join_the_toc() -> None:
    page = page_of('# A\n\n<h2 id="raw-id">Raw <em>HTML</em></h2>\n\n## After\n')
    assert [(h.level, h.id) for h in page.headings] == [(1, "a"), (2, "raw-id"), (2, "after")]
    assert page.toc[0].children[0] == TocEntry("raw-id", "Raw HTML", "Raw <em>HTML</em>", 2)
    assert '<h2 id="raw-id">Raw <em>HTML</em></h2>' in page.content_html


def heading(level: int, name: str) -> PlacedHeading:
    return PlacedHeading(level, name, name, name)


def shape(entries: tuple[TocEntry, ...]) -> list[object]:
    return [(e.id, shape(e.children)) if e.children else e.id for e in entries]


def test_toc_nesting_as_slate() -> None:
    headings = tuple(
        heading(level, name)
        for level, name in [
            (2, "orphan-h2"),
            (3, "orphan-h3"),
            (1, "a"),
            (3, "b-under-a"),
            (2, "c"),
            (3, "d"),
            (1, "e"),
        ]
    )
    assert shape(build_toc(headings, 2)) == [("a", ["b-under-a", "c"]), "e"]
    assert shape(build_toc(headings, 3)) == [("a", ["b-under-a", ("c", ["d"])]), "e"]
    assert shape(build_toc(headings, 1)) == ["a", "e"]


def test_toc_entries_drop_nested_links() -> None:
    page = page_of("# Header with [link](http://example.com)\n")
    assert page.toc[0].inner_html == "Header with link"


# A paragraph long enough that the next h1 or h2 starts a new section.
LONG = "x" * MIN_SECTION_LENGTH


def test_sections_start_at_h1_or_h2_once_long_enough_across_files() -> None:
    page = page_of(
        f"Intro {LONG}\n\n# A\n\ntext\n\n## B\n\n{LONG}\n\n### C\n\n> quote\n", "# D\n\n```shell\necho\n```\n"
    )
    sections = page.content_html.split("</section>\n")
    assert sections[-1] == ""
    assert all(s.startswith("<section>\n") for s in sections[:-1])
    starts = [s.removeprefix("<section>\n")[:12] for s in sections[:-1]]
    assert starts == ["<p>Intro xxx", '<h1 id="a">A', '<h1 id="d">D']
    assert '<h2 id="b">B</h2>' in sections[1] and '<h3 id="c">C</h3>' in sections[1]
    assert "\x00" not in page.content_html


def test_short_blocks_share_a_section() -> None:
    page = page_of("# A\n\n" + "".join(f"## B{i}\n\ntext\n\n" for i in range(200)), "# C\n\ntext\n")
    assert page.content_html.count("<section>") == 1
    assert page.content_html.count("<h2") == 200


def test_no_section_boundary_inside_raw_html_or_nested_blocks() -> None:
    page = page_of(
        f'# A\n\n<div class="lang-specific ruby">\n\n## Inside\n\n</div>\n\n> ## Quoted\n\n{LONG}\n\n## After\n'
    )
    assert page.content_html.count("<section>") == 2
    assert page.content_html.index('<div class="lang-specific ruby">') < page.content_html.index("</section>")
    assert page.content_html.split("</section>\n")[1].startswith('<section>\n<h2 id="after">')


def test_raw_html_left_open_makes_the_page_one_section() -> None:
    for body in (f"# A\n\n<div>\n\n{LONG}\n\n## B\n", f"# A\n\n</div>\n\n{LONG}\n\n## B\n"):
        page = page_of(body, "# C\n")
        assert page.content_html.count("<section>") == 1, body
        assert page.content_html.startswith("<section>\n") and page.content_html.endswith("</section>\n")
        assert "\x00" not in page.content_html


def test_balanced_inline_and_void_html_keeps_sections() -> None:
    page = page_of(
        f'# A\n\nx <span class="y">z</span><br> <img src="i.png"/>\n\n<svg><path d="M0"/></svg>\n\n{LONG}\n\n# B\n'
    )
    assert page.content_html.count("<section>") == 2


def test_a_file_records_that_its_heading_markers_are_in_order() -> None:
    text = (
        "# A\n\n<h2 id='raw'>Raw</h2>\n\n> ## Quoted\n\n- item\n\n  ## In a list\n\n"
        "<div><h3>Raw inside</h3></div>\n\nInline <h4>not a heading</h4>.\n\n## Last\n"
    )
    fragment = MarkdownRenderer().render(SourceText(Path("_a.md"), "_a.md", text), ())
    assert len(fragment.headings) == 6
    assert fragment.marks_in_order  # so assembling the page takes its order from `headings`


def test_markers_out_of_order_are_placed_in_the_order_of_the_html() -> None:
    first, second = Heading(2, "first", "First", "First", 1), Heading(2, "second", "Second", "Second", 2)
    html = f'<h2 id="{MARK}1{MARK}">Second</h2>\n<h2 id="{MARK}0{MARK}">First</h2>\n'
    fragment = Fragment.from_html(html, (first, second), marks_in_order=False)
    page = page_of("")
    placed = assemble(page.source, RenderedPart(fragment), ())
    assert [h.id for h in placed.headings] == ["second", "first"]
    assert placed.content_html.index('id="second"') < placed.content_html.index('id="first"')


@pytest.mark.parametrize("seed", range(20))
def test_html_split_at_its_markers_expands_as_the_marker_search_did(seed: int) -> None:
    """A file without partials is expanded from its pieces; a file with partials, piece by piece with
    a search for its markers. Both must give the same HTML and leave the same section length."""
    from flagstone.assemble import _MARKS, _SECTION_BREAK, _Expander

    chance = random.Random(seed)
    html, ids, number = "", [], 0
    if chance.random() < 0.2:
        html += UNBALANCED_MARK
    for _ in range(chance.randrange(1, 40)):
        html += "x" * chance.choice([0, 1, 50, 3000, MIN_SECTION_LENGTH // 2, MIN_SECTION_LENGTH])
        if chance.random() < 0.5:
            html += f'{SECTION_MARK}<h2 id="{MARK}{number}{MARK}">'
            ids.append(f"id-{number}")
            number += 1
        else:
            html += SECTION_MARK if chance.random() < 0.5 else f'<h3 id="{MARK}{number}{MARK}">'
            if not html.endswith(SECTION_MARK):
                ids.append(f"id-{number}")
                number += 1
    start = chance.choice([0, 10, MIN_SECTION_LENGTH - 1, MIN_SECTION_LENGTH])
    split = _Expander(tuple(ids), _SECTION_BREAK, start)
    searched = _Expander(tuple(ids), _SECTION_BREAK, start)
    piece = html.removeprefix(UNBALANCED_MARK)
    expected = _MARKS.sub(searched.mark, piece)
    searched.section_length += len(piece) - searched.piece_start
    assert split.expand_split(Fragment.from_html(html, ()).pieces) == expected
    assert split.section_length == searched.section_length
