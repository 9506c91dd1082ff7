"""Files for AI assistants (Markdown twins, llms.txt) and search engines (sitemap, cards, robots, 404)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import RunCli, shared_path, write_project

PROJECT = {
    "source/index.html.md.erb": """\
        ---
        title: Pets API
        language_tabs:
          - shell: cURL
          - python
        includes:
          - pets
        ---
        # Introduction

        The **Pets API** lets you [adopt](https://example.com) a pet.

        <%= partial "includes/shared" %>
        """,
    "source/includes/_pets.md": "# Pets\n\n## List pets\n\n```shell\ncurl /pets\n```\n\n```python\nget('/pets')\n```\n",
    "source/includes/_shared.md": "Shared paragraph from a partial.\n",
    "source/guide/start.html.md": "---\ntitle: Start\n---\n# Getting started\n\nFirst steps.\n",
}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def _headings(page: Path) -> list[tuple[str, str, str]]:
    content = _soup(page).select_one("main.content")
    assert content is not None
    return [(h.name, h.get("id", ""), h.get_text()) for h in content.find_all(re.compile("^h[1-6]$"))]


def _code(page: Path) -> list[tuple[str, str]]:
    content = _soup(page).select_one("main.content")
    assert content is not None
    return [(" ".join(pre.get("class", [])), pre.get_text()) for pre in content.find_all("pre")]


def test_every_page_gets_a_markdown_twin_that_merges_its_partials_and_includes(
    tmp_path: Path, run_cli: RunCli
) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    assert run_cli("build", project, "-q").status == 0
    twin = (project / "build/index.html.md").read_text(encoding="utf-8")
    assert twin == (
        "---\ntitle: Pets API\nlanguage_tabs:\n- shell: cURL\n- python\n---\n\n"
        "# Introduction\n\nThe **Pets API** lets you [adopt](https://example.com) a pet.\n\n"
        "Shared paragraph from a partial.\n\n"
        "# Pets\n\n## List pets\n\n```shell\ncurl /pets\n```\n\n```python\nget('/pets')\n```\n"
    )
    assert (
        (project / "build/guide/start.html.md")
        .read_text(encoding="utf-8")
        .endswith("# Getting started\n\nFirst steps.\n")
    )


def test_llms_txt_names_the_site_and_links_every_page_and_h1_section(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    assert run_cli("build", project, "-q").status == 0
    assert (project / "build/llms.txt").read_text(encoding="utf-8") == (
        "# Pets API\n\n> The Pets API lets you adopt a pet.\n\n"
        "## Pets API\n\n- [Pets API (Markdown)](index.html.md)\n"
        "- [Introduction](index.html#introduction)\n- [Pets](index.html#pets)\n\n"
        "## Start\n\n- [Start (Markdown)](guide/start.html.md)\n"
        "- [Getting started](guide/start.html#getting-started)\n"
    )
    # every link resolves: the file exists, and its anchor is an id of the page
    for target in re.findall(r"\]\(([^)]+)\)", (project / "build/llms.txt").read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        assert (project / "build" / path).is_file(), target
        if anchor:
            assert _soup(project / "build" / path).find(id=anchor) is not None, target


def test_llms_full_txt_holds_every_page_with_its_url(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    assert run_cli("build", project, "-q", "--site-url", "https://pets.example/docs/").status == 0
    full = (project / "build/llms-full.txt").read_text(encoding="utf-8")
    assert full.startswith("<!-- https://pets.example/docs/index.html -->\n\n# Introduction\n")
    assert (
        "<!-- https://pets.example/docs/guide/start.html -->\n\n# Getting started\n\nFirst steps.\n" in full
    )
    assert "```python\nget('/pets')\n```" in full and "Shared paragraph from a partial." in full
    assert (
        "](https://pets.example/docs/guide/start.html#getting-started)"
        in (project / "build/llms.txt").read_text()
    )


def test_llms_false_leaves_a_page_out_of_the_assistants_files(tmp_path: Path, run_cli: RunCli) -> None:
    files = dict(PROJECT)
    files["source/guide/start.html.md"] = "---\ntitle: Start\nllms: false\n---\n# Getting started\n"
    project = write_project(tmp_path / "p", files)
    assert run_cli("build", project, "-q").status == 0
    assert not (project / "build/guide/start.html.md").exists()
    assert (
        "guide/start"
        not in (project / "build/llms.txt").read_text() + (project / "build/llms-full.txt").read_text()
    )
    only = write_project(tmp_path / "q", {"source/index.html.md": "---\nllms: false\n---\n# A\n"})
    assert run_cli("build", only, "-q").status == 0
    assert sorted(
        p.name for p in (only / "build").iterdir() if p.is_file() and not p.name.startswith(".")
    ) == ["index.html"]


def test_llms_must_be_true_or_false(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": "---\nllms: sometimes\n---\n# A\n"})
    result = run_cli("build", project)
    assert result.status == 1
    assert "source/index.html.md:2: llms: expected true or false, got a string" in result.err


def test_kittn_full_text_holds_every_heading_and_every_code_sample(tmp_path: Path, run_cli: RunCli) -> None:
    assert (
        run_cli("build", shared_path("corpus", "slatedocs__slate"), "-o", tmp_path / "site", "-q").status == 0
    )
    full = (tmp_path / "site/llms-full.txt").read_text(encoding="utf-8")
    headings = _headings(tmp_path / "site/index.html")
    samples = _code(tmp_path / "site/index.html")
    assert len(headings) > 10 and len(samples) > 15
    for level, _, text in headings:
        assert f"{'#' * int(level[1])} {text}\n" in full, text
    for classes, code in samples:
        language = classes.split()[1]  # "highlight shell tab-shell"
        assert f"```{language}\n{code}" in full, code


def test_kittn_twin_builds_into_the_same_headings_and_code(tmp_path: Path, run_cli: RunCli) -> None:
    assert (
        run_cli("build", shared_path("corpus", "slatedocs__slate"), "-o", tmp_path / "site", "-q").status == 0
    )
    twin_project = tmp_path / "twin"
    (twin_project / "source").mkdir(parents=True)
    shutil.copy(tmp_path / "site/index.html.md", twin_project / "source/index.html.md")
    assert run_cli("build", twin_project, "-q").status == 0
    original, rebuilt = tmp_path / "site/index.html", twin_project / "build/index.html"
    assert _headings(rebuilt) == _headings(original)
    assert _code(rebuilt) == _code(original)
    tabs = [a.get_text() for a in _soup(rebuilt).select(".lang-selector a")]
    assert tabs == [a.get_text() for a in _soup(original).select(".lang-selector a")]


SITE = {
    "source/index.html.md.erb": """\
        ---
        title: Pets API
        site_url: https://pets.example/docs
        social_image: images/card.png
        includes:
          - pets
        ---
        # Introduction

        ```shell
        curl /
        ```

        The **Pets API** lets you adopt a pet & more.
        """,
    "source/includes/_pets.md": "# Pets\n",
    "source/images/card.png": "png",
    "source/guide/index.html.md": "---\ntitle: Guide\nsite_url: https://pets.example/docs/\ndescription: How to.\n---\n# G\n",
}


def _head(page: Path) -> dict[str, str]:
    head = _soup(page).head
    assert head is not None
    found = {f"link:{t['rel'][0]}": t["href"] for t in head.find_all("link", rel="canonical")}
    for tag in head.find_all("meta"):
        name = tag.get("property") or tag.get("name")
        if name:
            found[name] = tag.get("content", "")
    return found


def test_site_url_gives_each_page_a_canonical_url_and_a_card(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", SITE)
    assert run_cli("build", project, "-q").status == 0
    head = _head(project / "build/index.html")
    assert head == {
        "viewport": "width=device-width, initial-scale=1",
        "link:canonical": "https://pets.example/docs/",
        "description": "The Pets API lets you adopt a pet & more.",
        "og:type": "website",
        "og:url": "https://pets.example/docs/",
        "og:title": "Pets API",
        "og:description": "The Pets API lets you adopt a pet & more.",
        "og:image": "https://pets.example/docs/images/card.png",
        "twitter:card": "summary_large_image",
        "twitter:title": "Pets API",
        "twitter:description": "The Pets API lets you adopt a pet & more.",
        "twitter:image": "https://pets.example/docs/images/card.png",
    }
    guide = _head(project / "build/guide/index.html")
    assert guide["link:canonical"] == "https://pets.example/docs/guide/"
    assert guide["description"] == "How to." and guide["twitter:card"] == "summary"


def test_a_description_given_in_meta_is_the_cards_and_not_written_twice(
    tmp_path: Path, run_cli: RunCli
) -> None:
    page = "---\nsite_url: https://a.example\nmeta:\n  - name: description\n    content: Ours.\n---\n# A\n\nText.\n"
    project = write_project(tmp_path / "p", {"source/index.html.md": page})
    assert run_cli("build", project, "-q").status == 0
    html = (project / "build/index.html").read_text()
    assert (
        html.count('name="description"') == 1 and '<meta property="og:description" content="Ours.">' in html
    )


def test_site_url_writes_sitemap_robots_and_a_404_page_that_works_at_any_depth(
    tmp_path: Path, run_cli: RunCli
) -> None:
    project = write_project(tmp_path / "p", SITE)
    assert run_cli("build", project, "-q").status == 0
    assert (project / "build/sitemap.xml").read_text() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "  <url><loc>https://pets.example/docs/</loc></url>\n"
        "  <url><loc>https://pets.example/docs/guide/</loc></url>\n"
        "</urlset>\n"
    )
    assert (project / "build/robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://pets.example/docs/sitemap.xml\n"
    )
    not_found = _soup(project / "build/404.html")
    assert not_found.head is not None and not_found.head.base is not None
    assert not_found.head.base["href"] == "https://pets.example/docs/"
    assert _head(project / "build/404.html")["robots"] == "noindex"
    assert not_found.find("h1").get_text() == "Page not found"
    assert not_found.select_one('link[rel="stylesheet"]')["href"] == "flagstone/theme.css"  # from the base
    assert "link:canonical" not in _head(project / "build/404.html")


def test_without_site_url_no_search_engine_files_or_tags(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    assert run_cli("build", project, "-q").status == 0
    assert not {"sitemap.xml", "robots.txt", "404.html"} & {p.name for p in (project / "build").iterdir()}
    assert (
        "og:" not in (project / "build/index.html").read_text()
        and "canonical" not in (project / "build/index.html").read_text()
    )


def test_the_site_url_flag_wins_over_the_front_matter(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", SITE)
    assert run_cli("build", project, "-q", "--site-url", "https://mirror.example").status == 0
    assert _head(project / "build/index.html")["link:canonical"] == "https://mirror.example/"
    assert "<loc>https://mirror.example/guide/</loc>" in (project / "build/sitemap.xml").read_text()
    assert run_cli("build", project, "-q").status == 0  # and without it, the page's own again
    assert _head(project / "build/index.html")["link:canonical"] == "https://pets.example/docs/"


@pytest.mark.parametrize("value", ["pets.example", "ftp://pets.example", "https://pets.example/?q=1"])
def test_site_url_must_be_a_web_address(tmp_path: Path, run_cli: RunCli, value: str) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": f"---\nsite_url: {value}\n---\n# A\n"})
    result = run_cli("build", project)
    assert result.status == 1 and "Traceback" not in result.err
    assert (
        "source/index.html.md:2: site_url: expected an http:// or https:// address like https://example.com/docs"
        in result.err
    )
    flagged = run_cli(
        "build", write_project(tmp_path / "q", {"source/index.html.md": "# A\n"}), "--site-url", value
    )
    assert flagged.status == 2 and "expected an http:// or https:// address" in flagged.err


SITEMAP_SCHEMA = """<?xml version="1.0" encoding="UTF-8"?>
<!-- The sitemaps.org 0.9 protocol's urlset, as its page describes it: loc required, the rest optional. -->
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9"
  xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xsd:element name="urlset">
    <xsd:complexType><xsd:sequence>
      <xsd:element name="url" type="tUrl" maxOccurs="50000"/>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
  <xsd:complexType name="tUrl"><xsd:sequence>
    <xsd:element name="loc"><xsd:simpleType><xsd:restriction base="xsd:anyURI">
      <xsd:minLength value="12"/><xsd:maxLength value="2048"/>
    </xsd:restriction></xsd:simpleType></xsd:element>
    <xsd:element name="lastmod" type="xsd:string" minOccurs="0"/>
    <xsd:element name="changefreq" type="xsd:string" minOccurs="0"/>
    <xsd:element name="priority" type="xsd:decimal" minOccurs="0"/>
  </xsd:sequence></xsd:complexType>
</xsd:schema>
"""


def test_the_sitemap_validates_against_the_sitemap_schema(tmp_path: Path, run_cli: RunCli) -> None:
    from lxml import etree

    project = write_project(tmp_path / "p", SITE)
    assert run_cli("build", project, "-q").status == 0
    schema = etree.XMLSchema(etree.fromstring(SITEMAP_SCHEMA.encode()))
    document = etree.parse(str(project / "build/sitemap.xml"))
    assert schema.validate(document), schema.error_log
    assert len(document.getroot()) == 2


def test_check_finds_the_published_files_sound_and_names_a_broken_link_or_url(
    tmp_path: Path, run_cli: RunCli
) -> None:
    from flagstone.commands.check import _SiteIndex, check_published_files

    files = dict(SITE)
    files["source/guide/start.html.md"] = "---\ntitle: Start\n---\n# Getting started\n"
    project = write_project(tmp_path / "p", files)
    result = run_cli("check", project)
    assert result.status == 0, result.out + result.err
    assert run_cli("build", project, "-q").status == 0
    site = project / "build"
    assert check_published_files(_SiteIndex(site), "https://pets.example/docs") == []
    (site / "guide/start.html.md").unlink()
    (site / "guide/start.html").write_text("<h1 id='other'>Moved</h1>")
    (site / "sitemap.xml").write_text(
        (site / "sitemap.xml")
        .read_text()
        .replace("</urlset>", "  <url><loc>https://elsewhere.example/x</loc></url>\n</urlset>")
    )
    found = [p.format() for p in check_published_files(_SiteIndex(site), "https://pets.example/docs")]
    assert found == [
        "llms.txt:18: link: expected a file of the site at 'guide/start.html.md', got no such file"
        " (did you mean 'guide/start.html'?)",
        "llms.txt:19: link: expected an element with id 'getting-started' on guide/start.html, got none",
        "sitemap.xml:6: url: expected a URL under https://pets.example/docs/, got 'https://elsewhere.example/x'",
    ]
