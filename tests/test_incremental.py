"""Cached and incremental builds give exactly the bytes of a cold build, and notice every change."""

from __future__ import annotations

from pathlib import Path

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions, SourceText
from flagstone.rendering import FRAGMENT, FRAGMENT_KINDS, RenderJob
from flagstone.storage.stamp import up_to_date
from flagstone.storage.store import CODE, Store
from tests.conftest import tree, write_project

PROJECT = {
    "source/index.html.md": "---\nlanguage_tabs:\n  - shell\n  - python\nincludes:\n  - a\n  - b\n---\n# Top\n",
    "source/includes/_a.md": "# A\n## HTTP Request\n```py\nprint(1)\n```\n",
    "source/includes/_b.md": "# B\n## HTTP Request\n```sh\necho 1\n```\n",
}


def cold(project: Path, out: Path) -> dict[str, str]:
    build(BuildOptions(project, out, use_cache=False))
    return tree(out)


def test_cached_build_is_byte_identical_to_cold(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    include = project / "source/includes/_a.md"
    include.write_text(include.read_text() + "\nMore text.\n")
    report = build(options)  # _b from the cache, _a rendered afresh
    assert not report.up_to_date
    assert tree(project / "build") == cold(project, tmp_path / "cold")
    assert "More text." in (project / "build/index.html").read_text()


def test_no_change_build_is_skipped_and_reports_the_same(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {**PROJECT, "source/index.html.md": PROJECT["source/index.html.md"] + "```klingon\nx\n```\n"},
    )
    options = BuildOptions(project, project / "build")
    first = build(options)
    again = up_to_date(options)
    assert again is not None and again.up_to_date
    assert (again.pages, again.files, again.warnings) == (first.pages, first.files, first.warnings)


def test_a_changed_setting_invalidates(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    page = project / "source/index.html.md"
    page.write_text(page.read_text().replace("  - shell\n", "  - shell--curl\n"))
    assert up_to_date(options) is None
    build(options)
    assert tree(project / "build") == cold(project, tmp_path / "cold")


def test_a_changed_theme_invalidates(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    write_project(project, {"themes/assets/theme.css": "body { color: rebeccapurple }\n"})
    assert up_to_date(options) is None
    build(options)
    assert "rebeccapurple" in (project / "build/flagstone/theme.css").read_text()


def test_a_touched_output_is_rebuilt(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    (project / "build/index.html").write_text("vandalised")
    assert up_to_date(options) is None


def test_cache_keys_follow_content_and_settings() -> None:
    job = RenderJob(SourceText(Path("a.md"), "a.md", "# A\n"), ("shell",))
    keys = {
        job.key(),
        RenderJob(job.source, ("python",)).key(),
        RenderJob(job.source, ("shell",), search=True).key(),
        RenderJob(SourceText(Path("a.md"), "a.md", "# B\n"), ("shell",)).key(),
        RenderJob(SourceText(Path("a.md"), "a.md", "# A\n", first_line=2), ("shell",)).key(),
    }
    assert len(keys) == 5 and all(key.startswith("fragment/") for key in keys)


def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    store = Store(tmp_path / "c", "v1")
    store.put("fragment/abcdef", "entry")
    store.finish()
    (tmp_path / "c" / "fragment" / "ab" / "abcdef").write_bytes(b"not a pickle")
    assert Store(tmp_path / "c", "v1").get("fragment/abcdef") is None


CODE_PROJECT = {
    "source/index.html.md": "---\nlanguage_tabs:\n  - shell\n  - python\nincludes:\n  - a\n---\n# Top\n",
    "source/includes/_a.md": "# A\n```py\nprint('<a & b>')\n```\n```shell\necho 1 && echo 2\n```\n"
    '<pre class="highlight python"><code><b>x</b></code></pre>\n\n```json\n{"k": [1, 2]}\n```\n',
}


def test_an_edited_file_reuses_its_highlighted_code_and_stays_byte_identical(tmp_path: Path) -> None:
    from flagstone.markup import highlight

    project = write_project(tmp_path / "p", CODE_PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    include = project / "source/includes/_a.md"
    include.write_text(include.read_text() + "\n```py\nprint(2)\n```\n\n```python\n<b>x</b>\n```\n")
    lexed: list[str] = []
    original = highlight.pygments_lexer.__wrapped__

    def counting(tag: str) -> object:
        lexed.append(tag)
        return original(tag)

    highlight.pygments_lexer.cache_clear()
    try:
        highlight.pygments_lexer = counting  # type: ignore[assignment]
        build(options)
    finally:
        highlight.pygments_lexer = highlight.cache(original)  # type: ignore[attr-defined]
    # Only the new blocks went to Pygments (the raw <pre> look-alike was not taken as known code).
    assert sorted(set(lexed)) == ["python"]
    assert tree(project / "build") == cold(project, tmp_path / "cold")


def test_code_is_not_reused_from_another_renderer(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", CODE_PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    store = Store.for_project(project)
    assert store.unused(FRAGMENT, FRAGMENT_KINDS) != []  # what this flagstone reuses from the last build
    assert store.folder is not None
    (store.folder / CODE).write_text("another flagstone")
    assert Store.for_project(project).unused(FRAGMENT, FRAGMENT_KINDS) == []
    include = project / "source/includes/_a.md"
    include.write_text(include.read_text() + "\nMore.\n")
    build(options)  # the stamp does not match this flagstone: nothing is reused, and it is rewritten
    assert (store.folder / CODE).read_text() == store.fingerprint
    assert tree(project / "build") == cold(project, tmp_path / "cold")


def _spans(page: Path, css_class: str) -> int:
    return page.read_text(encoding="utf-8").count(f'<span class="{css_class}">')


def test_spans_a_stylesheet_of_the_site_mentions_stay_and_the_cache_follows(tmp_path: Path) -> None:
    from flagstone.markup import highlight

    project = write_project(tmp_path / "p", PROJECT)
    options = BuildOptions(project, project / "build")
    build(options)
    page, styles = project / "build/index.html", project / "build/flagstone/highlight-monokai.css"
    rules = highlight.style_rules("monokai")  # derived, so any Pygments version's monokai will do
    unstyled = highlight.unstyled_classes(rules)
    # the classes of `print(1)` and `echo 1`: a class the style leaves in the code's colour has no span
    lexed = {"p": 2, "nb": 2, "mi": 1, "m": 1}  # p: ( and ); nb: print, echo; mi/m: the numbers
    assert "p" in unstyled  # punctuation has the code's colour in every monokai, so the test can work
    for css_class, count in lexed.items():
        assert _spans(page, css_class) == (0 if css_class in unstyled else count), css_class
    assert f".highlight code {{ color: {rules.code_color} }}" in styles.read_text()
    write_project(project, {"themes/assets/extra.css": ".highlight .p { color: orange }\n"})
    build(options)  # the same files, so only a cache key that follows the stylesheets re-renders them
    assert _spans(page, "p") == 2 and _spans(page, "nb") == (0 if "nb" in unstyled else 2)
    assert tree(project / "build") == cold(project, tmp_path / "cold")
    write_project(
        project, {"source/stylesheets/own.css": ".highlight .mi, .highlight .nb { font-weight: bold }\n"}
    )
    build(options)
    assert _spans(page, "p") == 2 and _spans(page, "nb") == 2 and _spans(page, "mi") == 1  # print, echo
    assert tree(project / "build") == cold(project, tmp_path / "cold2")


def _append_to(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_rebuild_takes_the_highlight_styles_from_the_last_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    out = tmp_path / "built"
    build(BuildOptions(project, out))

    def unread(style: str) -> None:
        raise AssertionError(f"{style} read from Pygments again")

    with monkeypatch.context() as patched:
        patched.setattr("flagstone.build.style_rules", unread)
        _append_to(project / "source/includes/_a.md", "\nMore.\n")
        build(BuildOptions(project, out))
    assert tree(out) == cold(project, tmp_path / "cold")

    monkeypatch.setattr("flagstone.build.style_rules", unread)
    monkeypatch.setattr("flagstone.storage.store.code_fingerprint", lambda: "another flagstone")
    _append_to(project / "source/includes/_a.md", "\nAgain.\n")
    with pytest.raises(AssertionError, match="monokai read from Pygments again"):
        build(BuildOptions(project, out))
