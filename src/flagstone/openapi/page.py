"""A page's `openapi` front matter: its options checked, its spec made into Markdown after the page's own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flagstone.errors import DocumentError, Problem, did_you_mean, expected_got
from flagstone.loading.front_matter_keys import OpenAPIRef
from flagstone.models import PageSettings, PartSource, SourceText
from flagstone.openapi.markdown import Options
from flagstone.openapi.pieces import store_for
from flagstone.openapi.reference import reference
from flagstone.paths import Project
from flagstone.storage.stamp import state_folder

# widdershins' option names, and what each must be
OPTIONS: dict[str, tuple[str, str]] = {
    "codeSamples": ("code_samples", "true or false"),
    "expandBody": ("expand_body", "true or false"),
    "maxDepth": ("max_depth", "a whole number from 1 to 50"),
    "omitHeader": ("omit_header", "true or false"),
}


def _valid(kind: str, value: Any) -> bool:
    if kind == "true or false":
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 50


def options_of(ref: OpenAPIRef, settings: PageSettings, display: str) -> Options:
    """The reference's options from the `openapi` mapping and the page's own `language_tabs`."""
    values: dict[str, Any] = {}
    problems = []
    for name, value in ref.options:
        if name not in OPTIONS:
            hint = did_you_mean(name, [*OPTIONS, "spec"])
            problems.append(Problem(display, ref.line, "unknown option", key=f"openapi.{name}", hint=hint))
            continue
        field, kind = OPTIONS[name]
        if not _valid(kind, value):
            problems.append(
                Problem(display, ref.line, expected_got(kind, repr(value)), key=f"openapi.{name}")
            )
            continue
        values[field] = value
    if problems:
        raise DocumentError(*problems)
    tabs = settings.tab_keys or ("shell",)
    return Options(language_tabs=tabs, html_tables=True, **values)


def reference_parts(
    project: Project, page: Path, display: str, settings: PageSettings, keep: bool = True
) -> tuple[tuple[PartSource, ...], tuple[Problem, ...], tuple[tuple[str, str], ...]]:
    """The generated reference as parts of the page (one per tag: each is rendered and cached on its own),
    its warnings, and the spec files it was read from."""
    ref = settings.openapi
    assert ref is not None
    options = options_of(ref, settings, display)
    path = Path(os.path.normpath(page.parent / ref.spec))
    if not path.resolve().is_relative_to(project.root.resolve()):
        raise DocumentError(
            Problem(
                display, ref.line, expected_got("a spec file inside the project", ref.spec), key="openapi"
            )
        )
    if not path.is_file():
        raise DocumentError(
            Problem(display, ref.line, f"OpenAPI file not found: {project.display(path)}", key="openapi")
        )
    store = store_for(state_folder(project.root), path, options) if keep else None
    found = reference(path, project.display, options, inside=project.root, store=store)
    shown = project.display(path)
    parts = tuple(PartSource(SourceText(path, shown, text)) for text in found.parts)
    return parts, found.warnings, found.files
