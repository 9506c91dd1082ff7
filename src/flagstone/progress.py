"""A one-line progress display for long builds on a terminal; silent elsewhere."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


def no_progress(stage: str, done: int, total: int) -> None:
    """The progress callback for quiet runs, tests and non-terminals."""


class TerminalProgress:
    """Draws `stage done/total` in place, only once a build has run for `delay` seconds.

    Short builds print nothing extra, and output that is not a terminal (CI logs) never gets
    carriage-return noise.
    """

    def __init__(self, stream: TextIO = sys.stderr, delay: float = 1.0) -> None:
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        width = 24
        filled = width * done // total if total else width
        self.stream.write(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}\x1b[K")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def for_terminal(quiet: bool, stream: TextIO = sys.stderr) -> TerminalProgress | None:
    return None if quiet or not stream.isatty() else TerminalProgress(stream)
