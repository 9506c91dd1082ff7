"""Where a project's parts live: source/, includes/, and the chain of theme folders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flagstone.errors import DocumentError, Problem, UsageError, display_path, expected_got


@dataclass(frozen=True)
class Project:
    """Where a project's files are."""

    root: Path
    source: Path

    @classmethod
    def at(cls, root: Path) -> Project:
        resolved = root.resolve()
        return cls(resolved, resolved / "source")

    @classmethod
    def existing(cls, root: Path) -> Project:
        """The project at `root`; a UsageError when it has no source/ folder (every command's check)."""
        project = cls.at(root)
        if not project.source.is_dir():
            missing = f"{project.source} does not exist"
            raise UsageError(f"{missing}: a flagstone project keeps its pages in source/")
        return project

    def display(self, path: Path) -> str:
        return display_path(path, self.root)


def default_theme_dir() -> Path:
    """The default theme: packaged inside flagstone in a wheel, at the repository top in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "themes", package.parent.parent / "themes"):
        if (candidate / "templates" / "page.html").is_file():
            return candidate
    raise FileNotFoundError("flagstone's default theme is missing from this installation")


def theme_folders(project: Project, theme: Path | None) -> tuple[Path, ...]:
    """The theme chain: `--theme DIR`, then the project's `themes/`, then the default theme."""
    candidates = [theme, project.root / "themes", default_theme_dir()]
    return tuple(dict.fromkeys(path.resolve() for path in candidates if path is not None and path.is_dir()))


def refuse_links_out(project: Project, paths: Iterable[Path]) -> None:
    """A file of the project reached through a symbolic link leading outside it would publish (or read)
    a file from elsewhere: every such file is an error."""
    root = project.root.resolve()
    problems = [
        Problem(
            project.display(path),
            None,
            expected_got("a file inside the project", f"a symbolic link leading to {path.resolve()}"),
        )
        for path in sorted(paths)
        if not path.resolve().is_relative_to(root)
    ]
    if problems:
        raise DocumentError(*problems)
