"""Heading ids exactly as Slate makes them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from flagstone.assemble import slate_ids
from flagstone.markup.render import MarkdownRenderer
from flagstone.markup.slugs import SlugCounter, parameterize, slate_slug
from flagstone.models import RenderedPart, SourceText
from tests.conftest import shared_path


def ids_of(markdown: str) -> list[str]:
    fragment = MarkdownRenderer().render(SourceText(Path("t.md"), "t.md", markdown), ())
    return slate_ids(RenderedPart(fragment))


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Foo & Bar", "foo-amp-bar"),
        ("Don't Panic", "don-39-t-panic"),
        ("`GET /kittens/<ID>`", "get-kittens-lt-id-gt"),
        ("GET /kittens/<ID>", "get-kittens"),
        ("Zürich 2 Straße", "zurich-2-strasse"),
        ("日本語", "c12140a0ff"),
        ("Émoji 🚀 rocket", "emoji-rocket"),
        ("_private_field", "_private_field"),
        ("Header with [link](http://example.com)", "header-with-link"),
        ("**Bold** header", "bold-header"),
        ("a &amp; b", "a-amp-b"),
        ("a&nbsp;b", "a-nbsp-b"),
        # Backslashes: kept before letters (a namespace), an escape before punctuation (Redcarpet's too)
        (r"\Vendor\Core\Controller\CommonController", "vendor-core-controller-commoncontroller"),
        (r"Mautic-like \Name\Space\Trait", "mautic-like-name-space-trait"),
        (r"#####Vendor\Core\Model", "vendor-core-model"),
        (r"C:\path\to\file", "c-path-to-file"),
        (r"A \*literal\* star", "a-literal-star"),
        (r"Escaped \#hash and \_under", "escaped-hash-and-_under"),
        (r"Back\\slash", "back-slash"),
        (r"a \<b\> \& c", "a-lt-b-gt-amp-c"),
    ],
)
def test_slug_of_spec_examples(heading: str, expected: str) -> None:
    assert ids_of(f"# {heading}\n") == [expected]


def test_duplicates_are_numbered_from_two_across_levels() -> None:
    assert ids_of("# Errors\n## errors\n### ERRORS\n# Other\n") == ["errors", "errors-2", "errors-3", "other"]


def test_counter_and_parameterize_primitives() -> None:
    counter = SlugCounter()
    assert [counter.number("x") for _ in range(3)] == ["x", "x-2", "x-3"]
    assert parameterize("--leading and trailing--") == "leading-and-trailing"
    assert slate_slug("!!!") == "9a7b006d20"


def header_id_rows() -> list[tuple[str, str]]:
    path = shared_path("spec", "header-ids.tsv")
    with path.open(encoding="utf-8") as handle:
        rows = [
            row
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if row and not row[0].startswith("#")
        ]
    return [(row[0], row[1]) for row in rows]


def test_every_row_of_header_ids_tsv() -> None:
    rows = header_id_rows()
    markdown = "".join(f"## {source}\n" for source, _ in rows)
    assert ids_of(markdown) == [expected for _, expected in rows]
