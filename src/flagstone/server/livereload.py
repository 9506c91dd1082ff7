"""The live site: which built version is served, the last build's errors, and long polls waiting for news."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# How long a browser's long poll is held open when nothing happens; it then simply asks again.
POLL_SECONDS = 25.0


@dataclass(frozen=True)
class Version:
    """What is being served: the folder of the last good build and the outcome of the last build.

    `generation` moves on with every finished build, good or failed; `html` and `css` digest the files of
    `folder` (CSS apart, so that a stylesheet-only change can be applied without a reload); `error`
    holds the last build's problems (`path:line: message`), empty after a good build.
    """

    folder: Path | None
    generation: int
    html: str
    css: str
    error: tuple[str, ...] = ()

    def message(self, instance: str) -> dict[str, Any]:
        """What a page is told: enough to decide between nothing, an overlay, new CSS and a reload."""
        return {
            "instance": instance,
            "generation": self.generation,
            "html": self.html,
            "css": self.css,
            "error": list(self.error) or None,
        }


def site_digests(file_digests: Iterable[tuple[str, bytes]]) -> tuple[str, str]:
    """Digests of a built site from its files' (path, digest): of every file but stylesheets, and of
    the stylesheets."""
    html, css = hashlib.sha256(), hashlib.sha256()
    for path, file_digest in sorted(file_digests):
        digest = css if path.endswith(".css") else html
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + file_digest)
    return html.hexdigest()[:20], css.hexdigest()[:20]


class LiveSite:
    """The served version, swapped whole under a lock, and a condition long polls wait on."""

    def __init__(self) -> None:
        # A new token per server: a page left open across a restart of `serve` sees a new instance.
        self.instance = secrets.token_hex(8)
        self._changed = threading.Condition()
        self._version = Version(None, 0, "", "")
        self._closed = False
        self.builds = 0
        self.failures = 0
        self.building = False

    def snapshot(self) -> Version:
        with self._changed:
            return self._version

    def started(self) -> None:
        with self._changed:
            self.building = True

    def publish(self, folder: Path, html: str, css: str) -> Path | None:
        """Serve a freshly built folder from now on; returns the folder it replaces."""
        with self._changed:
            previous = self._version.folder
            self._version = Version(folder, self._version.generation + 1, html, css)
            self.builds += 1
            self.building = False
            self._changed.notify_all()
        return previous

    def fail(self, error: tuple[str, ...]) -> None:
        """Keep serving the last good folder, and tell every page what went wrong."""
        with self._changed:
            self._version = replace(self._version, generation=self._version.generation + 1, error=error)
            self.builds += 1
            self.failures += 1
            self.building = False
            self._changed.notify_all()

    def wait(self, since: int, instance: str, timeout: float = POLL_SECONDS) -> Version:
        """The version once it differs from what the asking page has (or after `timeout`, or on close)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (
                not self._closed
                and instance == self.instance
                and self._version.generation == since
                and (left := deadline - time.monotonic()) > 0
            ):
                self._changed.wait(left)
            return self._version

    def close(self) -> None:
        """Answer every waiting long poll now: the server is stopping."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def status(self) -> dict[str, Any]:
        with self._changed:
            version = self._version
            return {
                "instance": self.instance,
                "generation": version.generation,
                "builds": self.builds,
                "failures": self.failures,
                "building": self.building,
                "error": list(version.error) or None,
                "version": version.folder.name if version.folder else None,
            }
