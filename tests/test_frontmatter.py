"""Front matter: Slate's defaults, odd but valid YAML, and exact messages for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from flagstone.errors import DocumentError
from flagstone.loading.front_matter_keys import KEYS, KNOWN_KEYS
from flagstone.loading.frontmatter import load_source, parse_settings, split_front_matter
from flagstone.models import IncludeRef, LanguageTab, PageSettings
from tests.conftest import REPO, RunCli, shared_path, write_project


def settings_of(text: str, tmp_path: Path) -> PageSettings:
    path = tmp_path / "index.html.md"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    split, _ = load_source(path, "source/index.html.md")
    return parse_settings(split, "source/index.html.md")[0]


def errors_of(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(DocumentError) as caught:
        settings_of(text, tmp_path)
    return [problem.format() for problem in caught.value.problems]


def test_defaults_without_front_matter(tmp_path: Path) -> None:
    assert settings_of("# Hi\n", tmp_path) == PageSettings(title="API Documentation")


def test_slate_keys(tmp_path: Path) -> None:
    settings = settings_of(
        "--- \n"
        "title: Kittn\n"
        "language_tabs: # a comment\n"
        "   - shell: cURL\n"
        "   - javascript--nodejs\n"
        "   -\n"
        "toc_footers:\n  - <a href='#'>Sign up</a>\n"
        "includes:\n  - errors \n  # - commented\n  -\n"
        "search: true\ncode_clipboard: true\nheadingLevel: 3\n"
        "meta:\n  - name: description\n    content: Docs\n"
        "--- \n# Hi\n",
        tmp_path,
    )
    assert settings.title == "Kittn"
    assert settings.language_tabs == (
        LanguageTab("shell", "cURL"),
        LanguageTab("javascript--nodejs", "javascript--nodejs"),
    )
    assert settings.toc_footers == ("<a href='#'>Sign up</a>",)
    assert settings.includes == (IncludeRef("errors", 10),)
    assert (settings.search, settings.code_clipboard, settings.heading_level) == (True, True, 3)
    assert settings.meta == ((("name", "description"), ("content", "Docs")),)


def test_null_values_take_defaults(tmp_path: Path) -> None:
    settings = settings_of("---\ntitle:\nlanguage_tabs:\nincludes:\nsearch:\n---\n", tmp_path)
    assert settings == PageSettings()


def test_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "index.html.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\n# Hi\r\n")
    split, source = load_source(path, "index.html.md")
    assert parse_settings(split, "index.html.md")[0].title == "T"
    assert source.text == "# Hi\n"
    assert source.first_line == 4


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_text_with_a_byte_order_mark(run_cli: RunCli, tmp_path: Path, encoding: str) -> None:
    text = "---\r\ntitle: Café\r\n---\r\n# Naïve résumé\r\n"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # these codecs write no mark of their own
        data = "\ufeff".encode(encoding) + data
    write_project(tmp_path, {"source/index.html.md": data})
    split, source = load_source(tmp_path / "source" / "index.html.md", "source/index.html.md")
    assert parse_settings(split, "index.html.md")[0].title == "Café"
    assert (source.text, source.first_line) == ("# Naïve résumé\n", 4)
    assert run_cli("build", tmp_path, "-q").status == 0
    assert ">Naïve résumé</h1>" in (tmp_path / "build" / "index.html").read_text(encoding="utf-8")


def test_invalid_utf16_names_line_and_byte(tmp_path: Path) -> None:
    text = "\ufeff---\ntitle: x\n---\n# Caf".encode("utf-16-le") + b"\x00\xdc" + "\n".encode("utf-16-le")
    assert errors_of(text, tmp_path) == [
        "source/index.html.md:4: expected UTF-16 text, got the byte 0x00 at byte offset 46"
    ]


def test_wrong_types_are_all_reported_with_lines(tmp_path: Path) -> None:
    assert errors_of('---\nlanguage_tabs: shell\nincludes: errors\nsearch: "yes"\n---\n', tmp_path) == [
        "source/index.html.md:2: language_tabs: expected a list, got a string 'shell'",
        "source/index.html.md:3: includes: expected a list, got a string 'errors'",
        "source/index.html.md:4: search: expected true or false, got a string 'yes'",
    ]


def test_broken_yaml_points_at_file_and_line(tmp_path: Path) -> None:
    assert errors_of("---\ntitle: x\nlanguage_tabs: [shell\n---\n# Hi\n", tmp_path) == [
        "source/index.html.md:3:22: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_non_mapping_front_matter(tmp_path: Path) -> None:
    assert errors_of("---\n- a\n- b\n---\n", tmp_path) == [
        "source/index.html.md:2: expected front matter to be a mapping of keys to values, got a YAML sequence"
    ]


def warnings_of(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "index.html.md"
    path.write_text(text, encoding="utf-8")
    split, _ = load_source(path, "source/index.html.md")
    return [warning.format() for warning in parse_settings(split, "source/index.html.md")[1]]


def test_repeated_key_keeps_the_last_value_and_warns(tmp_path: Path) -> None:
    text = "---\ntitle: a\nsearch: maybe\nmeta:\n  - name: x\n    name: y\ntitle: b\nsearch: true\n---\n"
    settings = settings_of(text, tmp_path)  # the first `search` is not even checked: Slate never sees it
    assert (settings.title, settings.search, settings.meta) == ("b", True, ((("name", "y"),),))
    assert warnings_of(text, tmp_path) == [
        "source/index.html.md:6: meta[0].name: repeated key, the value from line 6 replaces the one from line 5",
        "source/index.html.md:7: title: repeated key, the value from line 7 replaces the one from line 2",
        "source/index.html.md:8: search: repeated key, the value from line 8 replaces the one from line 3",
    ]


def test_slate_edge_page_with_language_tabs_twice(run_cli: RunCli, tmp_path: Path) -> None:
    page = shared_path("spec", "slate-edge", "edge4", "source", "index.html.md").read_text(encoding="utf-8")
    front_matter = page.split("\n---\n")[0].replace("includes:\n  - classes\n  - erb_helpers\n", "")
    write_project(tmp_path, {"source/index.html.md": f"{front_matter}\n---\n# Hi\n"})
    warning = "source/index.html.md:5: language_tabs: repeated key, the value from line 5 replaces the one from line 3"
    built = run_cli("build", tmp_path, "-q")
    assert (built.status, built.err.splitlines()) == (0, [f"warning: {warning}"])
    html = (tmp_path / "build" / "index.html").read_text(encoding="utf-8")
    assert 'data-language-name="python"' in html and 'data-language-name="shell"' not in html
    strict = run_cli("build", tmp_path, "-o", tmp_path / "strict", "--strict")
    assert (strict.status, strict.err.splitlines()) == (1, [f"error: {warning}", "build failed: 1 error(s)"])


def test_tab_key_that_cannot_be_a_css_class(tmp_path: Path) -> None:
    assert errors_of('---\nlanguage_tabs:\n  - "my lang"\n---\n', tmp_path) == [
        "source/index.html.md:2: language_tabs[0]: expected a name of letters, digits, '-', '_', '+', '#' or '.' "
        "(it becomes a CSS class), got a string 'my lang'"
    ]


def test_meta_attributes_must_be_attribute_names(tmp_path: Path) -> None:
    text = (
        "---\nmeta:\n  - name: description\n    onload=alert(1) x: y\n"
        "  - 1: one\n    content: [a, b]\n  - property: og:title\n    content: Kittn\n    http-equiv: x\n---\n"
    )
    assert errors_of(text, tmp_path) == [
        "source/index.html.md:4: meta[0]: expected an attribute name like 'name', 'property' or 'http-equiv' "
        "(a letter, then letters, digits, '-', '_', ':' or '.'), got a string 'onload=alert(1) x'",
        "source/index.html.md:5: meta[1]: expected an attribute name like 'name', 'property' or 'http-equiv' "
        "(a letter, then letters, digits, '-', '_', ':' or '.'), got a number 1",
        "source/index.html.md:6: meta[1].content: expected a string, got a list",
    ]
    fine = "---\nmeta:\n  - property: og:title\n    content: Kittn\n  - http-equiv: refresh\n    data-x_y:z.w: 1\n---\n"
    assert settings_of(fine, tmp_path).meta == (
        (("property", "og:title"), ("content", "Kittn")),
        (("http-equiv", "refresh"), ("data-x_y:z.w", "1")),
    )


def test_heading_level_range(tmp_path: Path) -> None:
    assert errors_of("---\nheadingLevel: 9\n---\n", tmp_path) == [
        "source/index.html.md:2: headingLevel: expected a whole number from 1 to 6, got a number 9"
    ]


def test_unknown_keys_warn_with_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "index.html.md"
    path.write_text("---\nsaerch: true\ngoogle_analytics_id: x\n---\n")
    split, _ = load_source(path, "index.html.md")
    _, warnings = parse_settings(split, "index.html.md")
    assert [(w.format(), w.strict_only) for w in warnings] == [
        ("index.html.md:2: saerch: unknown front-matter key, ignored (did you mean 'search'?)", False),
        ("index.html.md:3: google_analytics_id: unknown front-matter key, ignored", True),
    ]


def test_invalid_utf8_names_line_and_byte(tmp_path: Path) -> None:
    assert errors_of(b"---\ntitle: x\n---\n# Caf\xe9\n", tmp_path) == [
        "source/index.html.md:4: expected UTF-8 text, got the byte 0xe9 at byte offset 22"
    ]


def test_unclosed_front_matter_is_body() -> None:
    split = split_front_matter("---\nnot closed\n")
    assert split.yaml_text is None


def test_the_key_table_is_the_documented_table() -> None:
    writing = (REPO / "includes" / "_writing.md").read_text(encoding="utf-8")
    table = writing.split("Key | Type | Default | Meaning\n--- | --- | --- | ---\n")[1].split("\n\n")[0]
    assert table.splitlines() == [row.doc_row() for row in KEYS.values()]


def test_every_key_comes_from_the_table(tmp_path: Path) -> None:
    assert {*KEYS, "language_clients"} == KNOWN_KEYS
    assert [(row.name, row.field) for row in KEYS.values() if row.name != row.field] == [
        ("headingLevel", "heading_level")
    ]
    assert settings_of("---\nheadingLevel: 4\nlanguage_clients: [x]\n---\n", tmp_path) == PageSettings(
        heading_level=4
    )
    assert warnings_of("---\nheadingLvel: 4\n---\n", tmp_path) == [
        "source/index.html.md:2: headingLvel: unknown front-matter key, ignored (did you mean 'headingLevel'?)"
    ]
