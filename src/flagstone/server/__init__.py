"""`flagstone serve`: a live preview that rebuilds on save, reloads open pages, never serves a broken site."""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from flagstone.models import BuildOptions
from flagstone.paths import Project
from flagstone.server.builder import Builder
from flagstone.server.http import PreviewServer
from flagstone.server.livereload import LiveSite
from flagstone.server.watcher import Watcher

__all__ = ["Preview", "ServeOptions", "run"]

_ALL_INTERFACES = ("", "0.0.0.0", "::", "[::]")


@dataclass(frozen=True)
class ServeOptions:
    """What `flagstone serve` was asked to do."""

    project: Path
    host: str = "127.0.0.1"
    port: int = 4567
    open_browser: bool = False
    theme: Path | None = None
    strict: bool = False


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Preview:
    """The running preview: a private folder of built versions, the builder, the watcher and the server."""

    def __init__(self, options: ServeOptions, log: Callable[[str], None] = _stderr) -> None:
        self.options = options
        self.log = log
        self.site = LiveSite()
        self._root: Path | None = None
        self._builder: Builder | None = None
        self._watcher: Watcher | None = None
        self._server: PreviewServer | None = None
        self._serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the preview is not running")
        host, port = str(self._server.server_address[0]), int(self._server.server_address[1])
        if host in _ALL_INTERFACES:
            host = "127.0.0.1"
        elif ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def start(self) -> str:
        """Bind the port, build the site once, then watch and serve; returns the URL."""
        project = Project.existing(self.options.project)
        host = self.options.host
        if host.strip("[]") in _ALL_INTERFACES:
            self.log(
                f"warning: serving on all interfaces ({host or 'any'}): anyone who can reach this machine "
                "can read the preview; use --host 127.0.0.1 to keep it local"
            )
        self._server = PreviewServer(host.strip("[]"), self.options.port, self.site)
        try:
            self._root = Path(tempfile.mkdtemp(prefix="flagstone-serve-"))
            build_options = BuildOptions(
                project.root, self._root / "site", strict=self.options.strict, theme=self.options.theme
            )
            self._builder = Builder(build_options, self.site, self._root, self.log)
            # Watch before the first build, so that a save made during it is built next.
            self._watcher = Watcher(project, self.options.theme, self._builder.changed)
            self._watcher.start()
            self._builder.on_inputs = self._watcher.watch_files
            self._builder.build(raise_usage=True)
            self._builder.start()
            self._serving = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
            )
            self._serving.start()
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop everything within a second, however far it got, and remove the built versions."""
        self.site.close()
        if self._watcher is not None:
            self._watcher.stop()
        if self._builder is not None:
            self._builder.stop()
        if self._server is not None:
            if self._serving is not None:
                self._server.shutdown()
                self._serving.join(0.5)
            self._server.server_close()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
        self._watcher = self._builder = self._serving = self._server = None

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def run(options: ServeOptions) -> int:
    """Serve until Ctrl-C (or SIGTERM), then stop cleanly and return exit status 0."""
    preview = Preview(options)
    stop = threading.Event()
    try:
        url = preview.start()
        print(f"serving {url} (Ctrl-C to stop)", flush=True)
        if options.open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    _stderr("flagstone: preview stopped")
    return 0
