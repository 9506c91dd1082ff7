"""One spec to its reference Markdown: load, check references, validate, read, write."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flagstone.errors import DocumentError, Problem
from flagstone.openapi.markdown import Options, Writer
from flagstone.openapi.model import Api, read_api
from flagstone.openapi.references import Spec
from flagstone.openapi.validate import validate


@dataclass(frozen=True)
class Reference:
    """A spec's reference as Slate Markdown, its warnings, and every file it was read from."""

    parts: tuple[str, ...]  # the header, each tag (or tag group), webhooks, schemas
    warnings: tuple[Problem, ...]
    files: tuple[tuple[str, str], ...]  # (absolute path, "size<TAB>mtime_ns" when it was read)
    api: Api
    spec: Spec

    @property
    def markdown(self) -> str:
        return "\n".join(self.parts)


def file_stamp(path: Path) -> str:
    info = os.stat(path)
    return f"{info.st_size}\t{info.st_mtime_ns}"


def load(
    path: Path, display: Callable[[Path], str], inside: Path | None = None
) -> tuple[Spec, Api, tuple[Problem, ...]]:
    """A spec read and validated; any problem in it is a located DocumentError."""
    if not path.is_file():
        raise DocumentError(Problem(display(path), None, "OpenAPI file not found"))
    spec = Spec(path, display, inside)
    warnings = validate(spec.files[spec.root_uri], spec.document)
    try:
        api = read_api(spec)
    except DocumentError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as error:
        if os.environ.get("FLAGSTONE_DEBUG"):
            raise
        raise DocumentError(
            Problem(display(path), None, f"could not read the spec: {type(error).__name__}: {error}")
        ) from None
    return spec, api, warnings


def reference(
    path: Path, display: Callable[[Path], str], options: Options, inside: Path | None = None
) -> Reference:
    """The reference Markdown of the spec at `path` (its `$ref`ed files only from inside `inside`)."""
    stamps = {}
    spec, api, warnings = load(path, display, inside)
    for file in spec.paths_read():
        stamps[str(file.resolve())] = file_stamp(file)
    try:
        parts = tuple(text for _, text in Writer(spec, api, options).parts())
    except DocumentError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError) as error:
        if os.environ.get("FLAGSTONE_DEBUG"):
            raise
        raise DocumentError(
            Problem(display(path), None, f"could not write the reference: {type(error).__name__}: {error}")
        ) from None
    return Reference(parts, warnings, tuple(sorted(stamps.items())), api, spec)
