"""Search in a real browser: Kittn, Kucoin's Chinese page and greenhouse's nine pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from tests.browser.conftest import serve
from tests.conftest import shared_path
from tests.test_search_index import read_index, sections_by_word

# The list keeps ten rows and hides those a query does not fill.
SHOWN = ".search-results li:not([hidden])"
RESULT_LINKS = f"{SHOWN}[role=option] a"


def results(page: Any) -> list[tuple[str, str]]:
    """(title, href) of each listed result."""
    return [
        (title, href.split("/")[-1])
        for title, href in page.eval_on_selector_all(
            RESULT_LINKS,
            "els => els.map(e => [e.querySelector('.search-result-title').textContent, e.getAttribute('href')])",
        )
    ]


def search(page: Any, query: str) -> list[tuple[str, str]]:
    page.fill("#input-search", query)
    page.wait_for_selector(SHOWN, state="attached")
    return results(page)


def marked_in_title(page: Any, position: int) -> list[str]:
    """The words marked in a result's title: ranges of the `search-result` CSS highlight."""
    return page.evaluate(
        """position => [...CSS.highlights.get("search-result")]
            .filter(range => range.startContainer.parentElement.closest("li").id === `search-result-${position}`)
            .map(range => range.toString())""",
        position,
    )


def built(tmp_path_factory: pytest.TempPathFactory, corpus: str) -> Path:
    out = tmp_path_factory.mktemp(corpus) / "site"
    build(BuildOptions(shared_path("corpus", corpus), out, use_cache=False))
    return out


@pytest.fixture(scope="module")
def kucoin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(built(tmp_path_factory, "Kucoin__kucoin-api-docs"))


@pytest.fixture(scope="module")
def greenhouse_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory, "grnhse__greenhouse-api-docs")


def test_partial_word_lists_the_kittens_sections_with_the_match_marked(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    found = search(page, "kitt")
    assert found[:4] == [
        ("Kittens", "#kittens"),
        ("Get All Kittens", "#get-all-kittens"),
        ("Get a Specific Kitten", "#get-a-specific-kitten"),
        ("Delete a Specific Kitten", "#delete-a-specific-kitten"),
    ]
    assert marked_in_title(page, 0) == ["Kitt"]
    assert page.eval_on_selector_all(".search-results mark", "els => els.length") == 0
    assert page.text_content(".search-results li:nth-child(2) .search-result-parent") == "Kittens"
    assert page.get_attribute("#input-search", "aria-expanded") == "true"
    assert page.console_errors == []


def test_one_typo_still_finds_them(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    assert {href for _, href in search(page, "kiten")[:4]} == {
        "#kittens",
        "#get-all-kittens",
        "#get-a-specific-kitten",
        "#delete-a-specific-kitten",
    }
    assert {href for _, href in search(page, "Kittnes")[:4]} >= {
        "#kittens",
        "#get-all-kittens",
    }  # swapped letters
    assert search(page, "kit zzz") == []  # every word must match
    assert page.text_content(".search-results") == "No results for “kit zzz”"


def test_case_and_accents_do_not_matter(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    assert search(page, "KITTÉNS")[0] == ("Kittens", "#kittens")


def test_the_exact_title_of_every_h2_is_in_the_top_three(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    headings = page.eval_on_selector_all(".content h2[id]", "els => els.map(e => [e.textContent, e.id])")
    assert len(headings) == 3
    for text, heading_id in headings:
        hrefs = [href for _, href in search(page, text)[:3]]
        assert f"#{heading_id}" in hrefs, (text, hrefs)


def test_enter_jumps_to_the_result_and_marks_the_matches_until_the_next_search(
    page: Any, kittn_url: str
) -> None:
    page.goto(kittn_url + "index.html")
    page.focus("#input-search")
    page.keyboard.type("delete specific")
    page.wait_for_selector(RESULT_LINKS)
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#input-search", "aria-activedescendant") == "search-result-0"
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#delete-a-specific-kitten'")
    top = page.evaluate("document.getElementById('delete-a-specific-kitten').getBoundingClientRect().top")
    assert 0 <= top < 100
    marked = page.eval_on_selector_all(".content mark.search-highlight", "els => els.map(e => e.textContent)")
    assert "Delete" in marked and "specific" in marked
    assert page.evaluate(
        "[...document.querySelectorAll('.content mark.search-highlight')].every(m => !m.closest('pre'))"
    )
    page.focus("#input-search")
    page.keyboard.type("x")
    assert page.eval_on_selector_all(".content mark.search-highlight", "els => els.length") == 0
    page.keyboard.press("Escape")
    assert page.input_value("#input-search") == ""
    assert page.eval_on_selector_all(SHOWN, "els => els.length") == 0
    assert page.is_hidden(".search-results")
    assert page.console_errors == []


def test_arrow_keys_move_through_results(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    search(page, "kitt")
    page.focus("#input-search")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.get_attribute("#input-search", "aria-activedescendant") == "search-result-1"
    assert page.get_attribute("#search-result-1", "aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#get-all-kittens'")


def test_slash_focuses_the_box(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    page.click(".content p")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "input-search"
    assert page.input_value("#input-search") == ""


def test_the_index_loads_only_when_the_box_is_used(page: Any, kittn_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(kittn_url + "index.html", wait_until="load")
    page.wait_for_timeout(300)
    assert not any(url.endswith("search-index.js") for url in requested)
    assert any(url.endswith("search.js") for url in requested)
    search(page, "errors")
    assert any(url.endswith("search-index.js") for url in requested)


def test_search_works_from_file_url(page: Any, kittn_site: Path) -> None:
    page.goto((kittn_site / "index.html").as_uri())
    assert search(page, "authent")[0] == ("Authentication", "#authentication")
    assert page.console_errors == []


def test_a_result_closes_the_sidebar_on_a_phone(browser: Any, kittn_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(kittn_url + "index.html")
    page.click("#nav-button")
    assert page.evaluate("document.body.classList.contains('nav-open')")
    search(page, "errors")
    page.click(f"{RESULT_LINKS} >> nth=0")
    page.wait_for_function("location.hash === '#errors'")
    assert not page.evaluate("document.body.classList.contains('nav-open')")
    assert page.get_attribute("#nav-button", "aria-expanded") == "false"
    context.close()


def test_a_two_character_chinese_term_finds_its_heading(page: Any, kucoin_url: str) -> None:
    page.goto(kucoin_url + "localizable/index.cn.html")
    headings = page.eval_on_selector_all(
        ".content :is(h1, h2, h3)[id]", "els => els.map(e => [e.textContent.trim(), e.id])"
    )
    pairs: dict[str, set[str]] = {}
    for text, heading_id in headings:
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            for i in range(len(run) - 1):
                pairs.setdefault(run[i : i + 2], set()).add(heading_id)
    # terms that name only a few headings, so each of those headings must make the top ten
    rare = sorted((term, ids) for term, ids in pairs.items() if len(ids) <= 3)
    assert len(rare) >= 20
    for term, ids in rare[:: max(1, len(rare) // 20)]:
        hrefs = {href for _, href in search(page, term)}
        assert {f"#{i}" for i in ids} <= hrefs, term
    assert page.console_errors == []


@pytest.mark.parametrize(("query", "written"), [("签名", "簽名"), ("訂单", "訂單")])
def test_chinese_in_the_other_script_finds_the_sections(
    page: Any, kucoin_url: str, query: str, written: str
) -> None:
    """Kucoin's Chinese page is Traditional: a Simplified (or mixed) query finds its sections."""
    page.goto(kucoin_url + "localizable/index.cn.html")
    titled = page.eval_on_selector_all(
        ".content :is(h1, h2, h3)[id]", "els => els.map(e => [e.textContent.trim(), e.id])"
    )
    expected = {f"#{heading_id}" for text, heading_id in titled if written in text}
    assert expected and query not in page.text_content(".content")
    found = {href for _, href in search(page, query)}
    # Title matches rank first: the list holds all those sections, or is full of them.
    assert expected <= found if len(expected) < len(found) else found <= expected, found
    assert page.console_errors == []


def test_a_term_of_another_page_leads_to_that_page(page: Any, greenhouse_site: Path) -> None:
    data = read_index(greenhouse_site)
    pages = data["pages"]
    assert isinstance(pages, list) and len(pages) >= 8
    sections = data["sections"]
    assert isinstance(sections, list)
    page_of = {section[1]: pages[section[0]][0] for section in sections}
    # a word that names one section in its title, on one page, not the page we search from
    word, (section_id, _) = next(
        (word, found[0])
        for word, found in sorted(sections_by_word(data).items())
        if len(found) == 1 and found[0][1] and len(word) > 6 and page_of[found[0][0]] == "job-board.html"
    )
    for served in serve(greenhouse_site):
        page.goto(served + "harvest.html")
        found = search(page, word)
        assert found[0][1] == f"job-board.html#{section_id}"
        assert page.text_content(".search-results li:first-child .search-result-parent").endswith(
            "Job Board API"
        )
        page.click(f"{RESULT_LINKS} >> nth=0")
        page.wait_for_url(re.compile(r"job-board\.html#"))
        assert page.evaluate("location.hash") == f"#{section_id}"
        assert page.eval_on_selector_all(".content mark.search-highlight", "els => els.length") >= 1
    assert page.console_errors == []


def test_keystrokes_change_text_and_attributes_but_add_no_elements(page: Any, kittn_url: str) -> None:
    # Elements added anywhere make Chrome's autofill re-read the whole document after a keystroke,
    # 40 ms on a 5000-endpoint page: after the first results, typing only rewrites the rows.
    page.goto(kittn_url + "index.html")
    search(page, "k")
    page.evaluate(
        """() => {
            window.addedNodes = 0;
            new MutationObserver((records) => {
                for (const record of records) window.addedNodes += record.addedNodes.length;
            }).observe(document, { childList: true, subtree: true });
        }"""
    )
    page.focus("#input-search")
    for key in "itt zz":
        page.keyboard.press(key)
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    assert results(page)[0] == ("Kittens", "#kittens")
    assert page.evaluate("window.addedNodes") == 0
    assert page.console_errors == []
