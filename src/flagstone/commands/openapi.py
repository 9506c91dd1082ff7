"""`flagstone openapi SPEC`: an editable Slate project made from a spec (an index and one include per tag)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from flagstone.commands.console import Console
from flagstone.errors import UsageError, display_path
from flagstone.openapi.markdown import Options, Writer
from flagstone.openapi.reference import load

ALL_TABS = ("shell", "http", "javascript", "python", "ruby", "go", "java", "php", "csharp")
_LABELS = {
    "shell": "Shell",
    "http": "HTTP",
    "javascript": "JavaScript",
    "python": "Python",
    "ruby": "Ruby",
    "go": "Go",
    "java": "Java",
    "php": "PHP",
    "csharp": "C#",
}


@dataclass(frozen=True)
class OpenAPIOptions:
    """What `flagstone openapi` was asked to do."""

    spec: Path
    project: Path
    reference: Options
    search: bool = True
    force: bool = False


def project_files(options: OpenAPIOptions) -> dict[str, str]:
    """The project's files by path: source/index.html.md with the header, an include per part."""
    root = Path.cwd()
    spec, api, _ = load(options.spec, lambda path: display_path(path, root))
    parts = Writer(spec, api, options.reference).parts()
    includes: list[str] = []
    files: dict[str, str] = {}
    for name, text in parts:
        if not name:
            continue
        include = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "part"
        while include in includes:
            include += "-2"
        includes.append(include)
        files[f"source/includes/_{include}.md"] = text
    front = {
        "title": api.title,
        "language_tabs": [{tab: _LABELS.get(tab, tab)} for tab in options.reference.language_tabs],
        "toc_footers": [
            "<a href='https://github.com/slatedocs/slate'>Documentation made with Slate-format Markdown</a>"
        ],
        "includes": includes,
        "search": options.search,
    }
    header = next((text for name, text in parts if not name), "")
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    files["source/index.html.md"] = f"---\n{dumped}---\n\n{header}"
    return dict(sorted(files.items()))


def run(options: OpenAPIOptions, console: Console) -> int:
    files = project_files(options)
    folder = options.project
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    existing = [name for name in files if (folder / name).exists()]
    if existing and not options.force:
        raise UsageError(
            f"{folder} already holds {', '.join(existing)}; nothing was written "
            "(use --force to overwrite these files)"
        )
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if not console.quiet:
            console.result(str(target))
    console.success(f"wrote a flagstone project in {folder} ({len(files)} files) from {options.spec}")
    console.info(f"next: flagstone serve {folder}")
    return 0
