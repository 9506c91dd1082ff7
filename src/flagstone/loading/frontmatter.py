"""Reading a Markdown file: decoding, the YAML front matter block, and its validation into PageSettings."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flagstone.errors import DocumentError, Problem, did_you_mean, expected_got
from flagstone.loading.bounded_yaml import BoundedLoader, LimitError
from flagstone.loading.front_matter_keys import KEYS, KNOWN_KEYS, Checker, Entry, PageSettings
from flagstone.models import SourceText

_DELIMITER = re.compile(r"---[ \t]*")
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
        text = str(memoryview(data)[start:], codec)  # without a copy of the bytes after the BOM
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
    check = Checker(display)
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
        row = KEYS.get(key)
        if row is None:
            if key not in KNOWN_KEYS:
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
        setting = row.read(check, _entry(key, value, line, value_node, first_line))
        if setting is not None:
            values[row.field] = setting
    if check.problems:
        raise DocumentError(*check.problems)
    return PageSettings(**values), tuple(check.warnings)


def _entry(key: str, value: object, line: int, node: yaml.Node, first_line: int) -> Entry:
    """A key's value with the lines of a list's items and of the keys of its mappings."""
    if not isinstance(node, yaml.SequenceNode):
        return Entry(key, value, line)
    items = node.value
    return Entry(
        key,
        value,
        line,
        tuple(first_line + item.start_mark.line for item in items),
        tuple(
            {str(k.value): first_line + k.start_mark.line for k, _ in item.value}
            if isinstance(item, yaml.MappingNode)
            else {}
            for item in items
        ),
    )
