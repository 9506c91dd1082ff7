"""The builder thread: waits until file events stop, then builds a new version of the site beside the old."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flagstone.errors import DocumentError, UsageError
from flagstone.models import BuildOptions
from flagstone.paths import Project
from flagstone.server.livereload import LiveSite, site_digests
from flagstone.storage.store import Store

QUIET_SECONDS = 0.1  # a build starts once no event came for this long ...
MAX_WAIT_SECONDS = 2.0  # ... or this long after the first unbuilt event, if events never stop
RETIRED_SECONDS = 10.0  # a replaced version is deleted this long later (a request may still read it)

Log = Callable[[str], None]


def problem_lines(error: BaseException) -> tuple[str, ...]:
    """A failed build as the lines the console and the overlay show."""
    if isinstance(error, DocumentError):
        return tuple(problem.format() for problem in error.problems)
    if isinstance(error, OSError):
        return (f"{error.filename or ''}: {error.strerror or error}".lstrip(": "),)
    if isinstance(error, UsageError):
        return (str(error),)
    return (f"internal error: {type(error).__name__}: {error} (set FLAGSTONE_DEBUG=1 and report it)",)


class Builder:
    """Builds versions of the site into `root` and publishes each good one to `site`."""

    def __init__(self, options: BuildOptions, site: LiveSite, root: Path, log: Log) -> None:
        self.options = options
        self.site = site
        self.root = root
        self.log = log
        self.project = Project.at(options.project)
        # One store for every build: what the last build made is reused from memory, and what
        # `flagstone build` made from the project's folder.
        self.store = (
            Store.for_project(self.project.root, lasting=True) if options.use_cache else Store(lasting=True)
        )
        self._events = threading.Condition()
        self._changed: set[str] = set()
        self._first_event: float | None = None
        self._last_event = 0.0
        self._stopping = False
        self._count = 0
        self._retired: list[tuple[float, Path]] = []
        # told the files a good build read beyond the watched folders (an OpenAPI spec), to watch them
        self.on_inputs: Callable[[tuple[str, ...]], None] | None = None
        self.thread = threading.Thread(target=self._run, name="flagstone-builder", daemon=True)

    # ---- the watcher's side: record, never build ------------------------------------------------
    def changed(self, path: str) -> None:
        with self._events:
            now = time.monotonic()
            if self._first_event is None:
                self._first_event = now
            self._last_event = now
            self._changed.add(path)
            self._events.notify()

    # ---- building -------------------------------------------------------------------------------
    def build(self, raise_usage: bool = False) -> bool:
        """Build one version and publish it, or publish the failure; True when the build succeeded."""
        from flagstone.build import build

        self._count += 1
        folder = self.root / f"site-{self._count:05d}"
        # use_cache=False keeps the project's last-build record (that of `flagstone build`) untouched;
        # the store is passed in explicitly, so unchanged work still comes from it.
        options = dataclasses.replace(self.options, out=folder, use_cache=False)
        self.site.started()
        try:
            report = build(options, store=self.store, digest_files=True)
            html, css = site_digests(report.file_digests)
        except UsageError as error:
            if raise_usage:
                raise
            return self._failed(folder, error)
        except Exception as error:
            return self._failed(folder, error)
        for warning in report.warnings:
            self.log(f"warning: {warning.format()}")
        if self.on_inputs is not None and report.inputs:
            self.on_inputs(tuple(path for path, _ in report.inputs))
        previous = self.site.publish(folder, html, css)
        self.log(f"built {report.pages} page(s) in {report.seconds:.2f}s")
        if previous is not None:
            self._retired.append((time.monotonic(), previous))
        self._delete_retired()
        return True

    def _failed(self, folder: Path, error: BaseException) -> bool:
        shutil.rmtree(folder, ignore_errors=True)
        lines = problem_lines(error)
        for line in lines:
            self.log(f"error: {line}")
        self.log(f"build failed: {len(lines)} error(s); still serving the last good version")
        self.site.fail(lines)
        return False

    def _delete_retired(self, everything: bool = False) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, folder in self._retired:
            if everything or now - retired_at >= RETIRED_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                keep.append((retired_at, folder))
        self._retired = keep

    # ---- the thread -----------------------------------------------------------------------------
    def _due_in(self) -> float | None:
        """Seconds until the pending events should be built (<= 0: now); None when nothing is pending."""
        if self._first_event is None:
            return None
        due = min(self._last_event + QUIET_SECONDS, self._first_event + MAX_WAIT_SECONDS)
        return due - time.monotonic()

    def _run(self) -> None:
        while True:
            with self._events:
                while not self._stopping and ((wait := self._due_in()) is None or wait > 0):
                    self._events.wait(RETIRED_SECONDS if wait is None else wait)
                    if self._due_in() is None:
                        self._delete_retired()
                if self._stopping:
                    return
                changed = sorted(self._changed)
                self._changed.clear()
                self._first_event = None
            shown = ", ".join(self.project.display(Path(p)) for p in changed[:3])
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            self.log(f"changed: {shown}{more}")
            self.build()

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 0.5) -> None:
        with self._events:
            self._stopping = True
            self._events.notify_all()
        if self.thread.is_alive():
            self.thread.join(timeout)
        self._delete_retired(everything=True)
