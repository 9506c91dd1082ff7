"""The build-time search index: which words each section gets, and the script that ships them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from flagstone import search_index
from flagstone.build import build
from flagstone.markup.render import MarkdownRenderer
from flagstone.models import BuildOptions, SourceText
from flagstone.search_index import fragment_words, normalize, words
from tests.conftest import REPO, SHARED, write_project

INDEX = "flagstone/search-index.js"


def read_index(site: Path) -> dict[str, object]:
    script = (site / INDEX).read_text(encoding="utf-8")
    match = re.fullmatch(r"window\.flagstoneSearchIndex=JSON\.parse\((\".*\")\);\n", script, re.DOTALL)
    assert match, script[:200]
    data: dict[str, object] = json.loads(json.loads(match[1]))
    return data


def sections_by_word(data: dict[str, object]) -> dict[str, list[tuple[str, bool]]]:
    """word -> [(section id, found in its title)], decoded as search.js decodes it."""
    sections = data["sections"]
    assert isinstance(sections, list)
    vocabulary = str(data["words"]).split(" ")
    postings = str(data["postings"]).split(" ")
    assert len(vocabulary) == len(postings)
    decoded = {}
    for word, encoded in zip(vocabulary, postings, strict=True):
        numbers = [int(n, 36) for n in encoded.split(",")]
        decoded[word] = [(sections[n >> 1][1], bool(n & 1)) for n in numbers]
    return decoded


def build_site(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    write_project(tmp_path / "project", files)
    build(BuildOptions(tmp_path / "project", tmp_path / "site", use_cache=False))
    return tmp_path / "site"


def test_words_are_lower_case_without_accents_and_cjk_runs_become_pairs() -> None:
    assert normalize("Crème BRÛLÉE Ångström") == "creme brulee angstrom"
    assert list(words("Get ALL kittens, api_key=42")) == ["get", "all", "kittens", "api", "key", "42"]
    assert list(words("한국어 API")) == ["한국", "국어", "api"]
    assert list(words("日本")) == ["日本"]
    assert list(words("下")) == ["下"]


def test_chinese_pairs_are_indexed_in_both_scripts_and_their_mixes() -> None:
    # Written first, then the other forms OpenCC knows for each character: a query in Simplified,
    # Traditional or a mix of both (as typed with another input method) is one of them.
    assert list(words("高頻交易 API")) == ["高頻", "高频", "頻交", "频交", "交易", "api"]
    assert list(words("簡介")) == ["簡介", "简介"]
    assert list(words("Überweisung 下单v2")) == ["uberweisung", "下单", "下單", "v2"]
    assert set(words("訂單")) == {"訂單", "订单", "订單", "訂单"}
    assert set(words("签名")) >= {"签名", "簽名"}
    assert set(words("头发")) >= {"頭髮", "頭發"}  # 发 is both 發 and 髮


def test_full_width_and_half_width_forms_are_one_word() -> None:
    assert words("ＡＰＩ　Ｋｅｙ") == words("API Key") == ["api", "key"]
    assert words("ｶﾀｶﾅ") == words("カタカナ")


def test_fragment_words_skip_code_and_titles_and_split_at_markers() -> None:
    fragment = (
        '<h1 id="\x000\x00">Kittens <em>Title</em></h1>\n<p>Prose &amp; more <code>inline</code></p>\n'
        '<div class="highlight tab-shell"><pre class="highlight shell"><code>curl secretcode</code></pre></div>\n'
        '<h4 id="\x001\x00">Deeper</h4>\n<p>after</p>\n<!--flagstone-partial-0-->\n<p>tail</p>\n'
    )
    assert fragment_words(fragment) == ("", "h0", "inline more prose", "h1", "after deeper", "p0", "tail")


def test_sections_are_h1_to_h3_with_text_of_deeper_headings_and_no_code(tmp_path: Path) -> None:
    site = build_site(
        tmp_path,
        {
            "source/index.html.md": """
                ---
                title: Pets
                language_tabs: [shell]
                search: true
                includes: [errors]
                ---
                Before any heading: orphanword.

                # Kittens

                Kittens are small.

                ## Get All Kittens

                ```shell
                curl https://example.com/secretcurl
                ```

                This endpoint retrieves all kittens.

                ### Query Parameters

                #### Deep Heading

                Deepword text.

                ## Café & Crème
                """,
            "source/includes/_errors.md": "# Errors\n\nThe Kittn API uses <b>these</b> codes.\n",
        },
    )
    data = read_index(site)
    assert data["pages"] == [["index.html", "Pets"]]
    assert data["sections"] == [
        [0, "kittens", "Kittens", 1],
        [0, "get-all-kittens", "Get All Kittens", 2],
        [0, "query-parameters", "Query Parameters", 3],
        [0, "cafe-amp-creme", "Café & Crème", 2],
        [0, "errors", "Errors", 1],
    ]
    found = sections_by_word(data)
    assert found["kittens"] == [("kittens", True), ("get-all-kittens", True)]
    assert found["endpoint"] == [("get-all-kittens", False)]
    assert found["deepword"] == [("query-parameters", False)]
    assert found["deep"] == [("query-parameters", False)]
    assert found["cafe"] == [("cafe-amp-creme", True)]
    assert found["these"] == [("errors", False)]  # text from an include, tags stripped
    assert "secretcurl" not in found and "curl" not in found  # code is not indexed
    assert "orphanword" not in found  # text before the first heading has no section to lead to
    assert data["words"] == " ".join(sorted(found))


def test_every_searchable_page_is_indexed_and_others_are_not(tmp_path: Path) -> None:
    site = build_site(
        tmp_path,
        {
            "source/index.html.md": "---\ntitle: Home\nsearch: true\n---\n# Welcome\n\nhomeword\n",
            "source/guide/setup.html.md": "---\ntitle: Setup\nsearch: true\n---\n# Install\n\nsetupword\n",
            "source/private.html.md": "---\ntitle: Private\n---\n# Hidden\n\nprivateword\n",
        },
    )
    data = read_index(site)
    assert data["pages"] == [["guide/setup.html", "Setup"], ["index.html", "Home"]]
    found = sections_by_word(data)
    assert found["setupword"] == [("install", False)]
    assert "privateword" not in found and "hidden" not in found
    page = (site / "guide" / "setup.html").read_text(encoding="utf-8")
    assert 'id="input-search"' in page and 'class="search-results"' in page
    assert 'data-index="../flagstone/search-index.js"' in page and 'src="../flagstone/search.js"' in page
    private = (site / "private.html").read_text(encoding="utf-8")
    assert "input-search" not in private and "search.js" not in private


def test_no_box_and_no_index_without_search(tmp_path: Path) -> None:
    site = build_site(tmp_path, {"source/index.html.md": "---\ntitle: T\nsearch: false\n---\n# A\n"})
    assert not (site / INDEX).exists()
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "input-search" not in page and "search-results" not in page and "search.js" not in page


def test_the_index_script_cannot_close_a_script_element(tmp_path: Path) -> None:
    site = build_site(
        tmp_path,
        {"source/index.html.md": "---\nsearch: true\n---\n# A &lt;/script&gt; title\n\n`</script><b>x`\n"},
    )
    script = (site / INDEX).read_text(encoding="utf-8")
    assert "<" not in script
    assert read_index(site)["sections"] == [[0, "a-lt-script-gt-title", "A </script> title", 1]]


def test_a_cached_build_gives_the_same_index(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "source/index.html.md": "---\nsearch: true\nincludes: [a]\n---\n# Top\n\nword one\n",
        "source/includes/_a.md": "# Included\n\nincludedword\n",
    }
    write_project(tmp_path / "project", files)
    build(BuildOptions(tmp_path / "project", tmp_path / "cold", use_cache=False))
    build(BuildOptions(tmp_path / "project", tmp_path / "warm"))
    build(BuildOptions(tmp_path / "project", tmp_path / "cached"))
    cold = (tmp_path / "cold" / INDEX).read_bytes()
    assert (tmp_path / "cached" / INDEX).read_bytes() == cold
    # switching search off for the page re-renders without the words: no stale index is shipped
    (tmp_path / "project" / "source" / "index.html.md").write_text("---\nincludes: [a]\n---\n# Top\n")
    build(BuildOptions(tmp_path / "project", tmp_path / "cached"))
    assert not (tmp_path / "cached" / INDEX).exists()


def test_words_from_the_prose_alone_are_those_of_the_whole_html() -> None:
    """The renderer hands only the prose (its HTML without the fenced blocks it wrote) to the word
    finder; what it finds must be what the whole HTML gives, code blocks written in raw HTML included."""
    files = [*(REPO / "source").rglob("*.md"), *(REPO / "includes").rglob("*.md")]
    files += sorted((SHARED / "corpus").rglob("*.md"))  # when ../shared is there
    own = '<div class="highlight"><pre class="highlight json"><code>{}</code></pre></div>\n'
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    texts.append(f"# A\n\nword\n\n```json\n{{}}\n```\n\n{own}\n# B\n\n```json\n{{}}\n```\nafter\n")
    renderer = MarkdownRenderer()
    blocks = 0
    for text in texts:
        fragment = renderer.render(SourceText(Path("x.md"), "x.md", text), ("json",), fragment_words)
        assert fragment.search_words == fragment_words(fragment.html)
        blocks += fragment.html.count('<div class="highlight')
    assert blocks > (1000 if (SHARED / "corpus").exists() else 10)


def test_the_script_is_the_index_text_escaped_whole_though_written_block_by_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "_BLOCK", 2)  # rows escaped block by block, kept and joined
    titles = [
        'Quote " and \\\\ back',
        "Angle &lt;b&gt;",
        "Line\u2028separator",
        "Ünïcödé 日本語",
        "Tab\\there",
    ]
    body = "".join(f"## {title}\n\nwords {number}\n\n" for number, title in enumerate(titles))
    site = build_site(tmp_path, {"source/index.html.md": f"---\nsearch: true\n---\n# Top\n\n{body}"})
    script = (site / INDEX).read_text(encoding="utf-8")
    data = read_index(site)
    assert [row[2] for row in data["sections"]][1:] == [  # type: ignore[index]
        'Quote " and \\ back',
        "Angle <b>",
        "Line\u2028separator",
        "Ünïcödé 日本語",
        "Tab\\there",
    ]
    whole = json.dumps(json.dumps(data, ensure_ascii=False, separators=(",", ":")), ensure_ascii=False)
    whole = whole.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    assert script == f"window.flagstoneSearchIndex=JSON.parse({whole});\n"
