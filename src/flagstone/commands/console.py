"""How the workflow commands talk: messages on stderr, colour only on a terminal and never with NO_COLOR."""

from __future__ import annotations

import os
import sys
from typing import TextIO

_STYLES = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "dim": "2"}


def colour_enabled(stream: TextIO) -> bool:
    """True when `stream` is a terminal and the user has not asked for plain text (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def paint(text: str, style: str, stream: TextIO) -> str:
    """`text` in `style` (bold, red, green, yellow, dim) when `stream` gets colours; else unchanged."""
    if not colour_enabled(stream):
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


class Console:
    """Where a command talks to the user: -q keeps only warnings and errors, -v adds details.

    The streams are looked up on each call rather than bound once, so output captured by tests (which
    swap sys.stdout and sys.stderr) still arrives.
    """

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose and not quiet

    @property
    def err(self) -> TextIO:
        return sys.stderr

    @property
    def out(self) -> TextIO:
        return sys.stdout

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.err)

    def detail(self, message: str) -> None:
        if self.verbose:
            print(paint(message, "dim", self.err), file=self.err)

    def success(self, message: str) -> None:
        if not self.quiet:
            print(paint(message, "green", self.err), file=self.err)

    def warn(self, message: str) -> None:
        print(f"{paint('warning:', 'yellow', self.err)} {message}", file=self.err)

    def error(self, message: str) -> None:
        print(f"{paint('flagstone: error:', 'red', self.err)} {message}", file=self.err)

    def result(self, line: str) -> None:
        """A line of the command's result, on stdout: what a script would read."""
        print(line, file=self.out)
