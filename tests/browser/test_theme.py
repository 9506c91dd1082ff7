"""The default theme in a real browser, on Slate's Kittn example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import ARTIFACTS


def visible_tabs(page: Any) -> list[str]:
    """The tab classes of the code blocks a reader can see."""
    return sorted(
        set(
            page.eval_on_selector_all(
                ".content pre.highlight",
                "els => els.filter(e => e.offsetParent !== null).map(e => [...e.classList].find(c => c.startsWith('tab-')) || '-')",
            )
        )
    )


def test_tabs_switch_blocks_and_url_and_survive_reload_and_back(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    assert visible_tabs(page) == ["tab-json", "tab-shell"]
    page.click(".dark-box .lang-selector a[data-language-name='python']")
    assert visible_tabs(page) == ["tab-json", "tab-python"]
    # The URL follows once the switch is on screen (a URL update costs tens of ms on a big page).
    page.wait_for_function("location.search === '?python'")
    assert page.url.split("/")[-1].startswith("index.html?python")
    page.reload()
    assert visible_tabs(page) == ["tab-json", "tab-python"]
    page.click(".dark-box .lang-selector a[data-language-name='ruby']")
    assert visible_tabs(page) == ["tab-json", "tab-ruby"]
    page.wait_for_function("location.search === '?ruby'")
    page.go_back()
    page.wait_for_function(
        "document.querySelector(\".lang-selector a[data-language-name='python']\").getAttribute('aria-selected') === 'true'"
    )
    assert visible_tabs(page) == ["tab-json", "tab-python"]
    assert page.console_errors == []


def test_arrow_keys_move_between_tabs(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    page.focus(".dark-box .lang-selector a[data-language-name='shell']")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.languageName") == "ruby"
    assert visible_tabs(page) == ["tab-json", "tab-ruby"]


def test_scrolling_activates_toc_entry_hash_and_title(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    page.evaluate("document.getElementById('delete-a-specific-kitten').scrollIntoView()")
    page.wait_for_function("location.hash === '#delete-a-specific-kitten'")
    assert page.get_attribute("#toc a.active", "href") == "#delete-a-specific-kitten"
    assert page.title() == "Delete a Specific Kitten – API Reference"
    assert page.is_visible("a.toc-h2[href='#get-all-kittens']")  # the current h1 is open
    assert not page.is_visible("a.toc-h1[href='#errors'] + ul")


def test_nav_button_opens_the_sidebar_on_a_phone(browser: Any, kittn_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 700})
    phone = context.new_page()
    phone.goto(kittn_url + "index.html")
    assert phone.evaluate("document.querySelector('.toc-wrapper').getBoundingClientRect().right") <= 0
    phone.click("#nav-button")
    phone.wait_for_function("document.querySelector('.toc-wrapper').getBoundingClientRect().left >= 0")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "kittn-phone-nav.png"))
    context.close()


def test_copy_button_puts_code_on_the_clipboard(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    block = page.locator(".content div.highlight:has(pre.tab-shell)").first
    button = block.locator(".copy-clipboard")
    code = block.locator("code").text_content()
    button.click()
    page.wait_for_function(
        "[...document.querySelectorAll('.copy-clipboard')].some(b => b.textContent === 'Copied')"
    )
    assert page.evaluate("navigator.clipboard.readText()") == code


def test_dark_mode_toggle_persists(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    page.click(".theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kittn-dark.png"))
    page.click(".theme-toggle")
    assert page.evaluate("localStorage.getItem('flagstone-theme')") == "light"


def test_desktop_screenshot_and_no_console_errors(page: Any, kittn_url: str) -> None:
    page.goto(kittn_url + "index.html")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kittn-desktop.png"))
    assert page.console_errors == []


def test_works_from_file_url(page: Any, kittn_site: Path) -> None:
    page.goto((kittn_site / "index.html").as_uri() + "?javascript")
    assert visible_tabs(page) == ["tab-javascript", "tab-json"]
    assert page.console_errors == []


def test_page_weight(kittn_site: Path) -> None:
    # The search index is the page's text in another form (loaded when the box is used), not code.
    code = [
        p
        for p in (kittn_site / "flagstone").iterdir()
        if p.suffix in (".js", ".css") and p.name != "search-index.js"
    ]
    assert {"search.js", "search.css", "theme.js", "theme.css"} <= {p.name for p in code}
    js_css = sum(p.stat().st_size for p in code)
    without_images = sum(
        p.stat().st_size
        for p in kittn_site.rglob("*")
        if p.is_file() and p.suffix not in (".png", ".jpg", ".svg", ".ico")
    )
    print(f"Kittn page weight: JS+CSS {js_css} bytes, everything but images {without_images} bytes")
    assert js_css <= 40 * 1024
    assert without_images <= 80 * 1024


def test_rtl_mirrors_the_panes(browser: Any, tmp_path: Path) -> None:
    from flagstone.build import build
    from flagstone.models import BuildOptions
    from tests.conftest import write_project

    write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "---\nrtl: true\nlanguage_tabs:\n  - shell\n---\n"
            "# مرحبا\n\nنص\n\n```shell\necho hi\n```\n"
        },
    )
    build(BuildOptions(tmp_path / "p", tmp_path / "site"))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto((tmp_path / "site" / "index.html").as_uri())
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.querySelector('.toc-wrapper').getBoundingClientRect().right") == 1280
    code = page.evaluate("document.querySelector('.content div.highlight').getBoundingClientRect().left")
    assert code < 640
    context.close()


def test_lang_specific_elements_follow_the_tab(page: Any, kittn_site: Path, tmp_path: Path) -> None:
    from flagstone.build import build
    from flagstone.models import BuildOptions
    from tests.conftest import write_project

    write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "---\nlanguage_tabs:\n  - shell\n  - ruby\n---\n# A\n\n"
            '<p class="lang-specific ruby">only ruby</p>\n\n<p class="lang-specific java">any</p>\n'
        },
    )
    build(BuildOptions(tmp_path / "p", tmp_path / "site"))
    page.goto((tmp_path / "site" / "index.html").as_uri())
    assert not page.is_visible("text=only ruby") and page.is_visible("text=any")
    page.click(".dark-box .lang-selector a[data-language-name='ruby']")
    assert page.is_visible("text=only ruby")
