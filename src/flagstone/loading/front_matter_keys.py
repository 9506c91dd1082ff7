"""The front matter keys, declared once: each PageSettings field gives its key, reader, default and doc."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

from flagstone.errors import Problem, did_you_mean, expected_got

SITE_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")  # where a site is published: no query, no fragment
_TAB_KEY = re.compile(r"[A-Za-z0-9_\-+#.]+")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:.\-]*")  # what `<meta>` can carry, and nothing it can't
_ATTRIBUTE_EXPECTED = (
    "an attribute name like 'name', 'property' or 'http-equiv' "
    "(a letter, then letters, digits, '-', '_', ':' or '.')"
)
IGNORED_KEYS = frozenset({"language_clients"})  # written by Widdershins for Shins; accepted, no effect
_T = TypeVar("_T")


@dataclass(frozen=True)
class LanguageTab:
    """One entry of `language_tabs`: the key fences are matched against, and its label (may hold HTML)."""

    key: str
    label: str


@dataclass(frozen=True)
class IncludeRef:
    """One entry of `includes`, with the front-matter line it came from."""

    name: str
    line: int


@dataclass(frozen=True)
class OpenAPIRef:
    """The `openapi` key: the spec (relative to the page), its options (checked when it is read), its line."""

    spec: str
    options: tuple[tuple[str, Any], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Entry:
    """One key's value as YAML gave it, with the lines messages point at."""

    key: str
    value: Any
    line: int  # the key's
    item_lines: tuple[int, ...] = ()  # a list's: each item's line
    item_key_lines: tuple[dict[str, int], ...] = ()  # a list of maps': each key's line, by the key as written


def _type_name(value: object) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        type(None): "nothing",
    }
    shown = repr(value) if isinstance(value, str | bool | int | float) else names.get(type(value), "a value")
    return f"{names.get(type(value), 'a value')} {shown}" if isinstance(value, str | int | float) else shown


class Checker:
    """The problems and warnings of one file's front matter, collected while its keys are read."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def fail(self, line: int, key: str, expected: str, value: object) -> None:
        self.problems.append(Problem(self.display, line, expected_got(expected, _type_name(value)), key=key))

    def text(self, line: int, key: str, value: object) -> str | None:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        self.fail(line, key, "a string", value)
        return None

    def items(self, line: int, key: str, value: object) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.fail(line, key, "a list", value)
        return []

    def flag(self, line: int, key: str, value: object) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        self.fail(line, key, "true or false", value)
        return False


# Reads one key's value: the field's value, or None to keep the default (problems go to the Checker).
Reader: TypeAlias = Callable[[Checker, Entry], "_T | None"]


def _string(check: Checker, entry: Entry) -> str | None:
    return None if entry.value is None else check.text(entry.line, entry.key, entry.value)


def _boolean(check: Checker, entry: Entry) -> bool | None:
    return None if entry.value is None else check.flag(entry.line, entry.key, entry.value)


def _site_url(check: Checker, entry: Entry) -> str | None:
    text = _string(check, entry)
    if text is not None and not SITE_URL.fullmatch(text):
        check.fail(
            entry.line, entry.key, "an http:// or https:// address like https://example.com/docs", text
        )
        return None
    return text


def _language_tabs(check: Checker, entry: Entry) -> tuple[LanguageTab, ...]:
    tabs = []
    for index, item in enumerate(check.items(entry.line, entry.key, entry.value)):
        key = f"{entry.key}[{index}]"
        if isinstance(item, dict) and len(item) == 1:
            name, label = next(iter(item.items()))
            tab = LanguageTab(str(name), str(label) if label is not None else str(name))
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            tab = LanguageTab(str(item), str(item))
        elif item is None:
            continue
        else:
            check.fail(entry.line, key, "a language name or a one-key map like 'shell: cURL'", item)
            continue
        if not _TAB_KEY.fullmatch(tab.key):
            check.fail(
                entry.line,
                key,
                "a name of letters, digits, '-', '_', '+', '#' or '.' (it becomes a CSS class)",
                tab.key,
            )
            continue
        tabs.append(tab)
    return tuple(tabs)


def _footers(check: Checker, entry: Entry) -> tuple[str, ...]:
    footers = (
        check.text(entry.line, f"{entry.key}[{i}]", item)
        for i, item in enumerate(check.items(entry.line, entry.key, entry.value))
    )
    return tuple(footer for footer in footers if footer is not None)


def _includes(check: Checker, entry: Entry) -> tuple[IncludeRef, ...]:
    refs = []
    for index, item in enumerate(check.items(entry.line, entry.key, entry.value)):
        name = None if item is None else check.text(entry.line, f"{entry.key}[{index}]", item)
        if name is not None and name.strip():
            line = entry.item_lines[index] if index < len(entry.item_lines) else entry.line
            refs.append(IncludeRef(name.strip(), line))
    return tuple(refs)


def _meta(check: Checker, entry: Entry) -> tuple[tuple[tuple[str, str], ...], ...]:
    tags = []
    for index, item in enumerate(check.items(entry.line, entry.key, entry.value)):
        if not isinstance(item, dict):
            check.fail(entry.line, f"{entry.key}[{index}]", "a mapping of attribute names to values", item)
            continue
        lines = entry.item_key_lines[index] if index < len(entry.item_key_lines) else {}
        tag = []
        for name, content in item.items():
            where = lines.get(str(name), entry.line)
            if not isinstance(name, str) or not _ATTRIBUTE_NAME.fullmatch(name):
                check.fail(where, f"{entry.key}[{index}]", _ATTRIBUTE_EXPECTED, name)
            elif isinstance(content, list | dict):
                check.fail(where, f"{entry.key}[{index}].{name}", "a string", content)
            else:
                tag.append((name, "" if content is None else str(content)))
        tags.append(tuple(tag))
    return tuple(tags)


def _heading_level(check: Checker, entry: Entry) -> int | None:
    value = entry.value
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
        return value
    check.fail(entry.line, entry.key, "a whole number from 1 to 6", value)
    return None


SPLIT_MODES = ("h1", "include")  # how `split` cuts a page into files (see split.py)


def _split(check: Checker, entry: Entry) -> str | None:
    mode = _string(check, entry)
    if mode is not None and mode not in SPLIT_MODES:
        check.fail(entry.line, entry.key, "'h1' or 'include'", mode)
        return None
    return mode


def _highlight_theme(check: Checker, entry: Entry) -> str | None:
    name = _string(check, entry)
    if name is None:
        return None
    # Imported here: listing the styles loads Pygments' plugin machinery, a tenth of the start-up.
    from pygments.styles import get_all_styles

    styles = sorted(get_all_styles())
    if name in styles:
        return name
    check.warnings.append(
        Problem(
            check.display,
            entry.line,
            f"unknown highlight style '{name}', using 'monokai'",
            key=entry.key,
            hint=did_you_mean(name, styles),
        )
    )
    return None


def _openapi(check: Checker, entry: Entry) -> OpenAPIRef | None:
    value = entry.value
    if value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("spec"), str):
        options = tuple((str(k), v) for k, v in value.items() if k != "spec")
        return OpenAPIRef(value["spec"], options, entry.line)
    if isinstance(value, str) and value.strip():
        return OpenAPIRef(value.strip(), (), entry.line)
    check.fail(
        entry.line, entry.key, "a path to an OpenAPI file, or a mapping with 'spec' and options", value
    )
    return None


@dataclass(frozen=True)
class FrontMatterKey:
    """A row of the key table: the key's name in YAML, its field, default and reader, and its doc line."""

    name: str
    field: str
    default: Any
    read: Reader[Any]
    type_doc: str  # the Type column of the table in Writing
    doc: str  # the Meaning column
    default_doc: str = ""  # the Default column, when the default does not show itself

    def doc_row(self) -> str:
        """The key's row of the table in includes/_writing.md."""
        default = self.default_doc or (
            f"`{str(self.default).lower() if isinstance(self.default, bool) else self.default}`"
            if self.default not in ("", ())
            else "none"
        )
        return f"`{self.name}` | {self.type_doc} | {default} | {self.doc}"


def key(
    default: _T, read: Reader[_T], type_doc: str, doc: str, *, name: str = "", default_doc: str = ""
) -> _T:
    """A PageSettings field read from the front matter key `name` (the field's own name if not given)."""
    spec = FrontMatterKey(name, "", default, read, type_doc, doc, default_doc)
    return field(default=default, metadata={FrontMatterKey: spec})


@dataclass(frozen=True)
class PageSettings:
    """A page's front matter, validated, with Slate's defaults: one field per key, in the docs' order."""

    # A new key is one field here (reading, messages, "did you mean" and the table follow from it) and its
    # row in includes/_writing.md, which test_frontmatter checks against `FrontMatterKey.doc_row`.

    title: str = key(
        "API Documentation",
        _string,
        "string",
        'The page title; while scrolling, the browser title becomes "Section \u2013 Title".',
    )
    language_tabs: tuple[LanguageTab, ...] = key(
        (),
        _language_tabs,
        "list",
        "One tab per entry: `shell`, or a one-key map `shell: cURL` (key matched against code fences, value "
        "shown as the label, may hold HTML). The first tab is the default. No tabs: nothing is hidden.",
    )
    toc_footers: tuple[str, ...] = key(
        (), _footers, "list of HTML", "Links listed under the table of contents. Raw HTML, as in Slate."
    )
    includes: tuple[IncludeRef, ...] = key(
        (), _includes, "list", "Files appended after the page body, in order (see Includes)."
    )
    search: bool = key(False, _boolean, "boolean", "A search box above the table of contents (see Search).")
    code_clipboard: bool = key(False, _boolean, "boolean", "A copy button on every code block.")
    meta: tuple[tuple[tuple[str, str], ...], ...] = key(
        (),
        _meta,
        "list of maps",
        "Each map becomes one `<meta>` tag with the map's pairs as attributes. The names must be attribute "
        "names (`name`, `property`, `http-equiv`); the values are text, escaped.",
    )
    heading_level: int = key(
        2,
        _heading_level,
        "1-6",
        "How deep the table of contents goes (`2`: h1 and h2).",
        name="headingLevel",
    )
    highlight_theme: str = key("monokai", _highlight_theme, "string", "The Pygments style of code blocks.")
    rtl: bool = key(False, _boolean, "boolean", "Right-to-left layout.")
    layout: str = key(
        "page",
        _string,
        "string",
        "Accepted for compatibility; every page uses the theme's `page.html`.",
    )
    # Where the site is published: its pages get a canonical URL, a card and a sitemap.
    site_url: str = key(
        "",
        _site_url,
        "URL",
        "Where the site is published (`https://example.com/docs`): canonical links, link-preview cards, "
        "`sitemap.xml`, `robots.txt` and `404.html` (see Search engines and AI assistants). `--site-url` "
        "overrides it.",
    )
    description: str = key(
        "",
        _string,
        "string",
        "What search engines and link previews show of the page (with `site_url`).",
        default_doc="first paragraph",
    )
    social_image: str = key(
        "",
        _string,
        "path or URL",
        "The link preview's image, a path in the site (`images/card.png`) or a URL.",
    )
    llms: bool = key(
        True,
        _boolean,
        "boolean",
        "A Markdown twin of the page, and the page in `llms.txt` and `llms-full.txt`.",
    )
    openapi: OpenAPIRef | None = key(  # noqa: RUF009 (key() returns a field, as for the others)
        None,
        _openapi,
        "path or map",
        "An OpenAPI or Swagger file (relative to the page) whose reference follows the page's own Markdown, "
        "or a map of `spec` and options (see OpenAPI).",
        default_doc="none",
    )

    split: str = key(
        "",
        _split,
        "`h1` or `include`",
        "One HTML file per h1 section or per include, instead of one page (see Split pages). "
        "`--split` overrides it.",
    )

    @property
    def tab_keys(self) -> tuple[str, ...]:
        return tuple(tab.key for tab in self.language_tabs)


def _table() -> Mapping[str, FrontMatterKey]:
    rows = {}
    for setting in fields(PageSettings):
        spec: FrontMatterKey = setting.metadata[FrontMatterKey]
        name = spec.name or setting.name
        rows[name] = replace(spec, name=name, field=setting.name)
    return MappingProxyType(rows)


KEYS = _table()  # key name -> its row, in the docs' order
KNOWN_KEYS = frozenset(KEYS) | IGNORED_KEYS
