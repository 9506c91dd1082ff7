"""The theme's TOC: every level that `headingLevel` asks for is in the sidebar, nested."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from tests.conftest import RunCli, write_project

PAGE = """\
---
headingLevel: {level}
---
# One
## Two
### Three
#### Four
##### Five
###### Six
# Other
"""


def toc_levels(html: str) -> list[tuple[int, str, str]]:
    """(depth, link class, text) of every TOC link; the top list (#toc) is depth 1."""
    toc = BeautifulSoup(html, "html.parser").find(id="toc")
    assert isinstance(toc, Tag)
    found: list[tuple[int, str, str]] = []
    for link in toc.find_all("a"):
        found.append((len(link.find_parents("ul")), " ".join(link["class"]), link.get_text()))
    return found


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5, 6])
def test_heading_level_shows_every_level_up_to_it(run_cli: RunCli, tmp_path: Path, level: int) -> None:
    write_project(tmp_path, {"source/index.html.md": PAGE.format(level=level)})
    assert run_cli("build", tmp_path, "-q").status == 0
    names = ["One", "Two", "Three", "Four", "Five", "Six"]
    expected = [(d, f"toc-h{d} toc-link", names[d - 1]) for d in range(1, level + 1)] + [
        (1, "toc-h1 toc-link", "Other")
    ]
    assert toc_levels((tmp_path / "build/index.html").read_text()) == expected


def test_deeper_lists_carry_their_level_class(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(tmp_path, {"source/index.html.md": PAGE.format(level=6)})
    assert run_cli("build", tmp_path, "-q").status == 0
    toc = BeautifulSoup((tmp_path / "build/index.html").read_text(), "html.parser").find(id="toc")
    assert isinstance(toc, Tag)
    assert [ul["class"] for ul in toc.find_all("ul")] == [[f"toc-list-h{n}"] for n in range(2, 7)]
