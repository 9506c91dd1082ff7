"""Reading a Markdown file: decoding, the YAML front matter block, and its validation into PageSettings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flagstone.errors import DocumentError, Problem, did_you_mean, expected_got
from flagstone.models import SITE_URL, IncludeRef, LanguageTab, OpenAPIRef, PageSettings, SourceText

_DELIMITER = re.compile(r"---[ \t]*")
_TAB_KEY = re.compile(r"[A-Za-z0-9_\-+#.]+")
KNOWN_KEYS = frozenset(
    {
        "title",
        "language_tabs",
        "toc_footers",
        "includes",
        "search",
        "code_clipboard",
        "meta",
        "headingLevel",
        "highlight_theme",
        "rtl",
        "layout",
        "language_clients",
        "site_url",
        "description",
        "social_image",
        "llms",
        "openapi",
    }
)
_DEFAULTS = PageSettings()


def read_text(path: Path, display: str) -> str:
    """A file's text: UTF-8 (a BOM is dropped), line endings normalised to LF.

    Invalid UTF-8 is an error naming the line and byte, rather than a guess that would publish mojibake.
    """
    data = path.read_bytes()
    data = data.removeprefix(b"\xef\xbb\xbf")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise DocumentError(
            Problem(
                display,
                line,
                expected_got("a text file", f"a NUL byte at byte offset {nul} (is this a binary file?)"),
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise DocumentError(
            Problem(
                display,
                line,
                expected_got(
                    "UTF-8 text", f"the byte 0x{data[error.start]:02x} at byte offset {error.start}"
                ),
            )
        ) from None
    # Looked for first: replacing scans the whole text even when there is nothing to replace.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


@dataclass(frozen=True)
class SplitFile:
    """A file's front matter (as YAML text) and its body, with the line the body starts on."""

    yaml_text: str | None
    yaml_first_line: int
    body: str
    body_first_line: int


def split_front_matter(text: str) -> SplitFile:
    if not _DELIMITER.fullmatch(text.partition("\n")[0]):  # most includes: no need to split the lines
        return SplitFile(None, 0, text, 1)
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if _DELIMITER.fullmatch(lines[index]) or lines[index].rstrip() == "...":
            return SplitFile("\n".join(lines[1:index]), 2, "\n".join(lines[index + 1 :]), index + 2)
    return SplitFile(None, 0, text, 1)


def load_source(path: Path, display: str) -> tuple[SplitFile, SourceText]:
    split = split_front_matter(read_text(path, display))
    return split, SourceText(path, display, split.body, split.body_first_line)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings refuse duplicate keys (YAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


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


class _Validator:
    """Turns one front-matter mapping into PageSettings, collecting every problem before failing."""

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

    def site_url(self, line: int, value: object) -> str | None:
        text = self.text(line, "site_url", value)
        if text is not None and not SITE_URL.fullmatch(text):
            self.fail(line, "site_url", "an http:// or https:// address like https://example.com/docs", value)
            return None
        return text

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

    def language_tabs(self, line: int, value: object) -> tuple[LanguageTab, ...]:
        tabs = []
        for index, item in enumerate(self.items(line, "language_tabs", value)):
            key = f"language_tabs[{index}]"
            if isinstance(item, dict) and len(item) == 1:
                name, label = next(iter(item.items()))
                tab = LanguageTab(str(name), str(label) if label is not None else str(name))
            elif isinstance(item, str | int | float) and not isinstance(item, bool):
                tab = LanguageTab(str(item), str(item))
            elif item is None:
                continue
            else:
                self.fail(line, key, "a language name or a one-key map like 'shell: cURL'", item)
                continue
            if not _TAB_KEY.fullmatch(tab.key):
                self.fail(
                    line,
                    key,
                    "a name of letters, digits, '-', '_', '+', '#' or '.' (it becomes a CSS class)",
                    tab.key,
                )
                continue
            tabs.append(tab)
        return tuple(tabs)

    def openapi(self, line: int, value: object) -> OpenAPIRef | None:
        """A spec path, or a mapping of `spec` and options (checked when the spec is read)."""
        if isinstance(value, dict) and isinstance(value.get("spec"), str):
            return OpenAPIRef(
                value["spec"], tuple((str(k), v) for k, v in value.items() if k != "spec"), line
            )
        if isinstance(value, str) and value.strip():
            return OpenAPIRef(value.strip(), (), line)
        self.fail(line, "openapi", "a path to an OpenAPI file, or a mapping with 'spec' and options", value)
        return None

    def meta(self, line: int, value: object) -> tuple[tuple[tuple[str, str], ...], ...]:
        tags = []
        for index, item in enumerate(self.items(line, "meta", value)):
            if not isinstance(item, dict):
                self.fail(line, f"meta[{index}]", "a mapping of attribute names to values", item)
                continue
            tags.append(tuple((str(k), "" if v is None else str(v)) for k, v in item.items()))
        return tuple(tags)


def parse_settings(split: SplitFile, display: str) -> tuple[PageSettings, tuple[Problem, ...]]:
    """Front matter -> PageSettings with Slate's defaults, and the warnings it gives."""
    if split.yaml_text is None:
        return _DEFAULTS, ()
    try:
        loader = _Loader(split.yaml_text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = split.yaml_first_line + (mark.line if mark else 0)
        column = mark.column + 1 if mark else None
        raise DocumentError(
            Problem(display, line, f"front matter is not valid YAML: {error.problem}", column=column)
        ) from None
    if node is None:
        return _DEFAULTS, ()
    if not isinstance(node, yaml.MappingNode):
        raise DocumentError(
            Problem(
                display,
                split.yaml_first_line,
                expected_got("front matter to be a mapping of keys to values", f"a YAML {_node_kind(node)}"),
            )
        )
    return _validate(node, split.yaml_first_line, display)


def _node_kind(node: yaml.Node) -> str:
    return type(node).__name__.removesuffix("Node").lower()  # ScalarNode -> "scalar"


def _validate(
    node: yaml.MappingNode, first_line: int, display: str
) -> tuple[PageSettings, tuple[Problem, ...]]:
    check = _Validator(display)
    values: dict[str, Any] = {}
    seen: set[str] = set()
    loader = _Loader("")
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        key = str(key_node.value)
        if key in seen:
            check.problems.append(
                Problem(display, line, f"duplicate key '{key}' (the first one would be ignored)", key=key)
            )
            continue
        seen.add(key)
        try:
            value = loader.construct_object(value_node, deep=True)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            bad_line = first_line + (mark.line if mark else key_node.start_mark.line)
            check.problems.append(Problem(display, bad_line, str(error.problem), key=key))
            continue
        setting = _SETTINGS.get(key)
        if setting is None:
            hint = did_you_mean(key, KNOWN_KEYS)
            check.warnings.append(
                Problem(
                    display,
                    line,
                    "unknown front-matter key, ignored",
                    key=key,
                    hint=hint,
                    strict_only=not hint,
                )
            )
            continue
        values[key] = setting(check, line, value)
        if key == "includes":
            item_lines = (
                [first_line + item.start_mark.line for item in value_node.value]
                if isinstance(value_node, yaml.SequenceNode)
                else []
            )
            values[key] = tuple(
                IncludeRef(name, item_lines[index] if item_lines else line) for index, name in values[key]
            )
    if check.problems:
        raise DocumentError(*check.problems)
    settings = PageSettings(**{_FIELD_NAMES.get(k, k): v for k, v in values.items() if v is not None})
    return settings, tuple(check.warnings)


def _heading_level(check: _Validator, line: int, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
        return value
    check.fail(line, "headingLevel", "a whole number from 1 to 6", value)
    return None


def _highlight_theme(check: _Validator, line: int, value: object) -> str | None:
    name = check.text(line, "highlight_theme", value) if value is not None else None
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
            line,
            f"unknown highlight style '{name}', using 'monokai'",
            key="highlight_theme",
            hint=did_you_mean(name, styles),
        )
    )
    return None


def _include_names(check: _Validator, line: int, value: object) -> tuple[tuple[int, str], ...]:
    names = []
    for index, item in enumerate(check.items(line, "includes", value)):
        if item is None:
            continue
        name = check.text(line, f"includes[{index}]", item)
        if name is not None and name.strip():
            names.append((index, name.strip()))
    return tuple(names)


def _footers(check: _Validator, line: int, value: object) -> tuple[str, ...]:
    footers = (
        check.text(line, f"toc_footers[{i}]", item)
        for i, item in enumerate(check.items(line, "toc_footers", value))
    )
    return tuple(footer for footer in footers if footer is not None)


_SETTINGS: dict[str, Callable[[_Validator, int, Any], Any]] = {
    "title": lambda check, line, value: None if value is None else check.text(line, "title", value),
    "language_tabs": lambda check, line, value: check.language_tabs(line, value),
    "toc_footers": _footers,
    "includes": _include_names,
    "search": lambda check, line, value: check.flag(line, "search", value),
    "code_clipboard": lambda check, line, value: check.flag(line, "code_clipboard", value),
    "rtl": lambda check, line, value: check.flag(line, "rtl", value),
    "meta": lambda check, line, value: check.meta(line, value),
    "headingLevel": _heading_level,
    "highlight_theme": _highlight_theme,
    "layout": lambda check, line, value: None if value is None else check.text(line, "layout", value),
    "language_clients": lambda check, line, value: None,
    "site_url": lambda check, line, value: None if value is None else check.site_url(line, value),
    "description": lambda check, line, value: (
        None if value is None else check.text(line, "description", value)
    ),
    "social_image": lambda check, line, value: (
        None if value is None else check.text(line, "social_image", value)
    ),
    "llms": lambda check, line, value: None if value is None else check.flag(line, "llms", value),
    "openapi": lambda check, line, value: None if value is None else check.openapi(line, value),
}
_FIELD_NAMES = {"headingLevel": "heading_level"}
