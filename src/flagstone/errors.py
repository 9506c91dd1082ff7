"""User-facing errors and warnings, and the one formatter that turns them into text."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One located problem in the input: `path:line: key: expected ..., got ...`."""

    path: str
    line: int | None
    message: str
    key: str = ""
    hint: str = ""
    strict_only: bool = False  # reported only under --strict (e.g. an unknown front-matter key)
    column: int | None = None

    def format(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.line is not None and self.column is not None:
            where += f":{self.column}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class DocumentError(Exception):
    """Problems in the user's input that stop the build (exit status 1)."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__("\n".join(problem.format() for problem in problems))
        self.problems = problems

    def __reduce__(self) -> tuple[type[DocumentError], tuple[Problem, ...]]:
        return (DocumentError, self.problems)  # raised in worker processes, so it must pickle whole


class UsageError(Exception):
    """A command line that cannot be carried out (exit status 2)."""


def expected_got(expected: str, got: str) -> str:
    return f"expected {expected}, got {got}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The "did you mean" hint for a near miss, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f"did you mean '{close[0]}'?" if close else ""


def display_path(path: Path, root: Path) -> str:
    """A path as the user thinks of it: relative to the project when inside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Diagnostics:
    """Warnings gathered during one build; each build owns its own collector."""

    warnings: list[Problem] = field(default_factory=list)

    def warn(self, problem: Problem) -> None:
        self.warnings.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.warnings.extend(problems)
