"""Reading a Markdown file: decoding, the YAML front matter block, and its validation into PageSettings."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flagstone.errors import DocumentError, Problem, did_you_mean, expected_got
from flagstone.loading.bounded_yaml import BoundedLoader, LimitError
from flagstone.models import SITE_URL, IncludeRef, LanguageTab, PageSettings, SourceText

_DELIMITER = re.compile(r"---[ \t]*")
_TAB_KEY = re.compile(r"[A-Za-z0-9_\-+#.]+")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:.\-]*")  # what `<meta>` can carry, and nothing it can't
_ATTRIBUTE_EXPECTED = (
    "an attribute name like 'name', 'property' or 'http-equiv' "
    "(a letter, then letters, digits, '-', '_', ':' or '.')"
)
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
    }
)
_DEFAULTS = PageSettings()
# Longest first: UTF-32's little-endian mark begins with UTF-16's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "UTF-32", "utf-32-be"),
    (codecs.BOM_UTF8, "UTF-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "UTF-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "UTF-16", "utf-16-be"),
)


def read_text(path: Path, display: str) -> str:
    """A file's text: UTF-8, or UTF-16 or UTF-32 after their byte order mark; any BOM dropped, line ends LF.

    Invalid text is an error naming the line and byte, rather than a guess that would publish mojibake.
    """
    data = path.read_bytes()
    start, name, codec = next(
        ((len(bom), name, codec) for bom, name, codec in _BYTE_ORDER_MARKS if data.startswith(bom)),
        (0, "UTF-8", "utf-8"),
    )
    nul = data.find(b"\x00", start) if codec == "utf-8" else -1  # in UTF-16 and -32, half the bytes are NULs
    if nul >= 0:
        raise DocumentError(
            Problem(display, _line_at(data, nul, codec), _binary(f"a NUL byte at byte offset {nul}"))
        )
    try:
        text = data[start:].decode(codec)
    except UnicodeDecodeError as error:
        at = start + error.start
        raise DocumentError(
            Problem(
                display,
                _line_at(data[start:], error.start, codec),
                expected_got(f"{name} text", f"the byte 0x{data[at]:02x} at byte offset {at}"),
            )
        ) from None
    if codec != "utf-8" and "\x00" in text:
        nul = text.index("\x00")
        raise DocumentError(Problem(display, text.count("\n", 0, nul) + 1, _binary("a NUL character")))
    # Looked for first: replacing scans the whole text even when there is nothing to replace.
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _binary(got: str) -> str:
    return expected_got("a text file", f"{got} (is this a binary file?)")


def _line_at(data: bytes, offset: int, codec: str) -> int:
    """The line holding byte `offset` of text in `codec` (text before it decoded leniently)."""
    if codec == "utf-8":
        return data.count(b"\n", 0, offset) + 1
    return data[:offset].decode(codec, errors="replace").count("\n") + 1


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

    def meta(
        self, line: int, value: object, key_lines: list[dict[str, int]]
    ) -> tuple[tuple[tuple[str, str], ...], ...]:
        tags = []
        for index, item in enumerate(self.items(line, "meta", value)):
            if not isinstance(item, dict):
                self.fail(line, f"meta[{index}]", "a mapping of attribute names to values", item)
                continue
            lines = key_lines[index] if index < len(key_lines) else {}
            tag = []
            for name, content in item.items():
                where = lines.get(str(name), line)
                if not isinstance(name, str) or not _ATTRIBUTE_NAME.fullmatch(name):
                    self.fail(where, f"meta[{index}]", _ATTRIBUTE_EXPECTED, name)
                elif isinstance(content, list | dict):
                    self.fail(where, f"meta[{index}].{name}", "a string", content)
                else:
                    tag.append((name, "" if content is None else str(content)))
            tags.append(tuple(tag))
        return tuple(tags)


def parse_settings(split: SplitFile, display: str) -> tuple[PageSettings, tuple[Problem, ...]]:
    """Front matter -> PageSettings with Slate's defaults, and the warnings it gives."""
    if split.yaml_text is None:
        return _DEFAULTS, ()
    loader = BoundedLoader(split.yaml_text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = split.yaml_first_line + (mark.line if mark else 0)
        column = mark.column + 1 if mark else None
        raise DocumentError(
            Problem(display, line, f"front matter is not valid YAML: {error.problem}", column=column)
        ) from None
    except LimitError as error:
        line = split.yaml_first_line + error.line
        raise DocumentError(
            Problem(display, line, error.message, key=error.key, column=error.column + 1)
        ) from None
    finally:
        loader.dispose()
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
    settings, warnings = _validate(node, loader, split.yaml_first_line, display)
    return settings, tuple(sorted((*_repeats(loader, split.yaml_first_line, display), *warnings), key=_line))


def _line(problem: Problem) -> int:
    return problem.line or 0


def _repeats(loader: BoundedLoader, first_line: int, display: str) -> list[Problem]:
    """A warning for each key given twice: the later value is used, as Slate's YAML reader uses it."""
    return [
        Problem(
            display,
            first_line + repeat.line,
            f"repeated key, the value from line {first_line + repeat.line} replaces the one from line "
            f"{first_line + repeat.first_line}",
            key=repeat.label,
        )
        for repeat in loader.repeated
    ]


def _node_kind(node: yaml.Node) -> str:
    return type(node).__name__.removesuffix("Node").lower()  # ScalarNode -> "scalar"


def _validate(
    node: yaml.MappingNode, loader: BoundedLoader, first_line: int, display: str
) -> tuple[PageSettings, tuple[Problem, ...]]:
    check = _Validator(display)
    values: dict[str, Any] = {}
    last = {str(key_node.value): index for index, (key_node, _) in enumerate(node.value)}
    for index, (key_node, value_node) in enumerate(node.value):
        line = first_line + key_node.start_mark.line
        key = str(key_node.value)
        if last[key] != index:  # given again below: that value is the one used
            continue
        try:
            value = loader.construct_object(value_node, deep=True)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            bad_line = first_line + (mark.line if mark else key_node.start_mark.line)
            check.problems.append(Problem(display, bad_line, str(error.problem), key=key))
            continue
        if key == "meta":  # checked with the line of each attribute
            values[key] = check.meta(line, value, _item_key_lines(value_node, first_line))
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


def _item_key_lines(node: yaml.Node, first_line: int) -> list[dict[str, int]]:
    """For a list of mappings, the line of each item's keys (by the key as written; the last one given)."""
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [
        {str(k.value): first_line + k.start_mark.line for k, _ in item.value}
        if isinstance(item, yaml.MappingNode)
        else {}
        for item in node.value
    ]


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
}
_FIELD_NAMES = {"headingLevel": "heading_level"}
