"""Reading one OpenAPI file (YAML or JSON) and finding the line and column of any node in it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from flagstone.errors import DocumentError, Problem, expected_got
from flagstone.loading.frontmatter import read_text

Pointer = tuple[str | int, ...]
_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SpecFile:
    """A spec file's text and its data; lines and columns are found again from the text on demand."""

    path: Path
    display: str
    text: str
    data: Any


def load_spec_file(path: Path, display: str) -> SpecFile:
    """A file parsed as JSON (by its name, or its first character) or YAML; bad syntax is a located error."""
    text = read_text(path, display)
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise DocumentError(
                Problem(display, error.lineno, f"not valid JSON: {error.msg}", column=error.colno)
            ) from None
    else:
        try:
            data = yaml.load(text, Loader=_Loader)  # a safe loader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise DocumentError(
                Problem(
                    display,
                    mark.line + 1 if mark else None,
                    f"not valid YAML: {error.problem}",
                    column=mark.column + 1 if mark else None,
                )
            ) from None
        except yaml.YAMLError as error:
            raise DocumentError(Problem(display, None, f"not valid YAML: {error}")) from None
    return SpecFile(path, display, text, data)


def expect_document(spec: SpecFile) -> dict[str, Any]:
    """The top of a spec: a mapping."""
    if not isinstance(spec.data, dict):
        raise DocumentError(
            Problem(spec.display, 1, expected_got("an OpenAPI document (a mapping)", type_name(spec.data)))
        )
    return spec.data


def type_name(value: object) -> str:
    """How a value's type is named in messages: 'a list', 'a string', ..."""
    if isinstance(value, bool):
        return "a boolean"
    names = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), "nothing" if value is None else "a value")


def dotted(pointer: Sequence[str | int]) -> str:
    """A JSON pointer as messages show it: paths./pets.get.responses.200."""
    return ".".join(str(part) for part in pointer)


def position(spec: SpecFile, pointer: Sequence[str | int]) -> tuple[int | None, int | None]:
    """The 1-based line and column where the node at `pointer` starts (its nearest ancestor if missing)."""
    try:
        node = yaml.compose(spec.text, Loader=_Loader)
    except yaml.YAMLError:
        return None, None
    if node is None:
        return None, None
    for part in pointer:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if str(k.value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and str(part).isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def problem_at(spec: SpecFile, pointer: Sequence[str | int], message: str, hint: str = "") -> Problem:
    """A problem located at a node: `file:line:column: pointer: message`."""
    line, column = position(spec, pointer)
    return Problem(spec.display, line, message, key=dotted(pointer), hint=hint, column=column)
