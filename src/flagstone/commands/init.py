"""`flagstone init`: a ready Slate-layout project with a .gitignore and a GitHub Pages workflow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from flagstone.commands.console import Console
from flagstone.errors import UsageError

# Dotfiles are kept in the package as `dot-NAME`: packaging tools and git treat a real `.gitignore` or
# `.github/` inside a package specially, and these must reach the user byte for byte.
_DOT_PREFIX = "dot-"
_TITLE_SLOT = "{{title}}"
_TITLED = "source/index.html.md"
DEFAULT_TITLE = "API Reference"


@dataclass(frozen=True)
class InitOptions:
    """What `flagstone init` was asked to do."""

    folder: Path
    title: str = DEFAULT_TITLE
    force: bool = False


def template_root() -> Traversable:
    return resources.files("flagstone").joinpath("project_template")


def _target_name(parts: tuple[str, ...]) -> str:
    return "/".join(
        "." + part.removeprefix(_DOT_PREFIX) if part.startswith(_DOT_PREFIX) else part for part in parts
    )


def template_files(root: Traversable | None = None) -> dict[str, bytes]:
    """Every file of the project template, keyed by its path in the new project, in a stable order."""
    files: dict[str, bytes] = {}

    def walk(folder: Traversable, parts: tuple[str, ...]) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name == "__pycache__":
                continue
            if entry.is_dir():
                walk(entry, (*parts, entry.name))
            else:
                files[_target_name((*parts, entry.name))] = entry.read_bytes()

    walk(root if root is not None else template_root(), ())
    return files


def project_files(title: str) -> dict[str, bytes]:
    """The template with the title filled in: a JSON string is also a valid YAML scalar, quotes and all."""
    files = template_files()
    page = files[_TITLED].decode("utf-8")
    files[_TITLED] = page.replace(_TITLE_SLOT, json.dumps(title, ensure_ascii=False), 1).encode("utf-8")
    return files


def create_project(options: InitOptions) -> list[str]:
    """Write the project; the names written. Nothing is written when one file exists and --force is off."""
    folder = options.folder
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    files = project_files(options.title)
    for name in files:
        # A folder standing where a file goes cannot be overwritten, even with --force.
        if (folder / name).is_dir():
            raise UsageError(f"{folder / name} is a folder; flagstone init would write a file there")
    existing = [name for name in files if (folder / name).exists()]
    if existing and not options.force:
        listed = ", ".join(existing)
        raise UsageError(
            f"{folder} already holds {listed}; nothing was written (use --force to overwrite these files)"
        )
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return list(files)


def run(folder: Path, title: str, force: bool, console: Console) -> int:
    written = create_project(InitOptions(folder, title, force))
    if not console.quiet:
        for name in written:
            console.result(str(folder / name))
    console.success(f"created a flagstone project in {folder} ({len(written)} files)")
    where = "" if folder.resolve() == Path.cwd().resolve() else f" {folder}"
    console.info(
        "next steps:\n"
        f"  flagstone serve{where}     preview while you write\n"
        f"  flagstone check{where}     find broken links and anchors\n"
        f"  flagstone build{where}     write the site into {folder / 'build'}\n"
        f"  flagstone deploy{where}    publish it to the gh-pages branch\n"
        "  .github/workflows/docs.yml builds and publishes to GitHub Pages from CI"
    )
    top = _enclosing_repository(folder)
    if top is not None:
        console.warn(
            f"{folder} is inside the git repository {top}: GitHub runs workflows only from {top}/.github/, "
            f"so move the workflow there and run its flagstone steps in {folder.resolve().relative_to(top)}"
        )
    return 0


def _enclosing_repository(folder: Path) -> Path | None:
    """The top folder of a git repository holding `folder` below its top, if any."""
    resolved = folder.resolve()
    if (resolved / ".git").exists():
        return None
    for parent in resolved.parents:
        if (parent / ".git").exists():
            return parent
    return None
