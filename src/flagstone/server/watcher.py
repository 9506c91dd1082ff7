"""Watching source/, includes/ and the theme folders with watchdog; events are only recorded, never built."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from flagstone.paths import Project, theme_folders

# Reading a file is an event too (inotify's open/close): only these change what a build reads.
_CHANGES = frozenset({"created", "modified", "deleted", "moved"})
# Folders at the top of a project that may appear while serving and must then be watched.
_LATE_FOLDERS = ("includes", "themes")


def is_editor_scratch(path: str) -> bool:
    """Files editors write beside the one being saved (swap, backup, lock and probe files)."""
    name = os.path.basename(path)
    return (
        name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".crswap"))
        or name.startswith((".#", ".goutputstream-"))
        or name == "4913"  # vim checks that it may write a folder with this file
    )


class _Events(FileSystemEventHandler):
    """Passes each path a change touched to `notify`."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES or (event.is_directory and event.event_type == "modified"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for path in (os.fsdecode(p) for p in paths if p):
            if not is_editor_scratch(path):
                self.notify(path)


class _Files(FileSystemEventHandler):
    """Passes on changes to some files of one folder (a spec outside the watched folders)."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        self.notify = notify
        self.names: set[str] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = os.fsdecode(raw) if raw else ""
            if path and os.path.basename(path) in self.names:
                self.notify(path)


class _TopLevel(FileSystemEventHandler):
    """Watches the project folder itself (not its subfolders) for includes/ or themes/ appearing."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES or not event.is_directory:
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(os.fsdecode(raw)) if raw else None
            if path is not None and path.name in _LATE_FOLDERS and path.parent == self.watcher.root:
                if path.is_dir():
                    self.watcher.watch(path)
                self.watcher.notify(str(path))


class Watcher:
    """A watchdog observer over every folder a build reads."""

    def __init__(self, project: Project, theme: Path | None, notify: Callable[[str], None]) -> None:
        self.root = project.root
        self.notify = notify
        self.observer: BaseObserver = Observer()
        self.observer.daemon = True
        self._events = _Events(notify)
        self._watches: dict[Path, ObservedWatch] = {}
        self._files: dict[Path, _Files] = {}
        folders = [project.source, project.root / "includes", *theme_folders(project, theme)]
        self.folders = tuple(dict.fromkeys(f.resolve() for f in folders if f.is_dir()))

    def watch(self, folder: Path) -> None:
        folder = folder.resolve()
        if folder in self._watches:
            # a folder deleted and made again needs a new watch; the old one died with the folder
            self.observer.unschedule(self._watches.pop(folder))
        self._watches[folder] = self.observer.schedule(self._events, str(folder), recursive=True)

    def watch_files(self, paths: tuple[str, ...]) -> None:
        """Also watch these files (a build read them), where no watched folder holds them already."""
        for raw in paths:
            path = Path(raw).resolve()
            if any(path.is_relative_to(folder) for folder in self.folders):
                continue
            handler = self._files.get(path.parent)
            if handler is None:
                handler = self._files[path.parent] = _Files(self.notify)
                self.observer.schedule(handler, str(path.parent), recursive=False)
            handler.names.add(path.name)

    def start(self) -> None:
        for folder in self.folders:
            self.watch(folder)
        self.observer.schedule(_TopLevel(self), str(self.root), recursive=False)
        self.observer.start()

    def stop(self, timeout: float = 0.5) -> None:
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout)
