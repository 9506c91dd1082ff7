"""The preview's HTTP side: files of the served version only, the reload script injected into HTML."""

from __future__ import annotations

import errno
import html
import ipaddress
import json
import mimetypes
import os
import posixpath
import socket
import socketserver
import sys
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from flagstone.errors import UsageError
from flagstone.server.livereload import LiveSite, Version
from flagstone.site_writer import MARKER

PREFIX = "/__flagstone/"  # the preview's own URLs; a site's files never start with it
_SCRIPTS = ("reload.js", "reload-worker.js")
_TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_ALL_INTERFACES = ("", "0.0.0.0", "::")
_LOGGED_PATH = 120  # characters of a request path a log line shows; a path may be 64 KB long


def shown_path(path: str) -> str:
    """A request path short enough for one console line."""
    if len(path) <= _LOGGED_PATH:
        return path
    return f"{path[:_LOGGED_PATH]}... ({len(path)} characters)"


def host_name(header: str) -> str:
    """The name part of a Host header, lower-cased, without port or final dot: `[::1]`, `localhost`."""
    value = header.strip().lower()
    if value.startswith("["):
        return value.partition("]")[0] + "]"
    name, colon, port = value.rpartition(":")
    if not colon or not port.isdigit():
        name = value
    return name.removesuffix(".")


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def site_path(root: Path, raw_path: str) -> Path | None:
    """The file or folder of `root` a request path names, or None when it names nothing inside `root`.

    The path is percent-decoded exactly once; `..` segments, NUL, backslashes and absolute forms
    (`//host/...`) are refused outright, and the resolved path (symlinks followed) must lie in `root`.
    """
    try:
        decoded = urllib.parse.unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if not decoded.startswith("/") or decoded.startswith("//") or "\0" in decoded or "\\" in decoded:
        return None
    segments = decoded.split("/")[1:]
    if ".." in segments:
        return None
    relative = posixpath.normpath("/" + "/".join(segments)).lstrip("/")
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, relative))
    if candidate != real_root and not candidate.startswith(real_root + os.sep):
        return None
    if os.path.basename(candidate) == MARKER:
        return None
    return Path(candidate)


def inject(page: bytes, snippet: bytes) -> bytes:
    """The page with `snippet` before its last `</body>` (or at its end)."""
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]


def live_snippet(site: LiveSite, version: Version) -> bytes:
    """The script tags that turn a served page into a live one; never written to disk."""
    # "<" escaped, so no error text can close the script element early
    config = json.dumps(version.message(site.instance)).replace("<", "\\u003c")
    return (
        f"<script>window.__flagstoneLive = {config};</script>\n"
        f'<script src="{PREFIX}reload.js" defer></script>\n'
    ).encode()


def _message_page(title: str, body: str) -> bytes:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem;"
        "color:#222}code{background:#f2f2f2;padding:0 .25em}li{margin:.2em 0}</style>\n"
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body>\n</html>\n"
    ).encode()


def not_found_page(folder: Path | None, path: str) -> bytes:
    """A 404 that helps: what was asked for, and the pages there are."""
    pages = []
    if folder is not None:
        for directory, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            pages += [
                (Path(directory) / name).relative_to(folder).as_posix()
                for name in sorted(filenames)
                if name.endswith(".html")
            ]
    links = "".join(f'<li><a href="/{html.escape(p)}">{html.escape(p)}</a></li>' for p in pages[:200])
    listing = (
        f"<p>The pages of this site:</p>\n<ul>{links}</ul>" if links else "<p>The site has no pages.</p>"
    )
    return _message_page(
        "Not found",
        f"<p>This preview has no file <code>{html.escape(path)}</code>. Files of source/ are served at "
        f"the same path without <code>source/</code>; a page <code>x.html.md</code> becomes "
        f"<code>x.html</code>.</p>\n{listing}",
    )


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server (one daemon thread per connection) serving a LiveSite."""

    daemon_threads = True
    request_queue_size = 128  # many pages may (re)connect at once after a reload

    def __init__(self, host: str, port: int, site: LiveSite) -> None:
        self.site = site
        # The names a browser may send in Host. Any other is refused, so that a page of another site
        # whose name it rebinds to this machine's address (DNS rebinding) cannot read the preview.
        self.host_names = frozenset((*_LOOPBACK_NAMES, _bracketed(host.lower())))
        # Bound to every interface, the preview is reached by whatever address the machine has; an
        # address in Host cannot be rebound, as it names no DNS entry.
        self.any_address = host in _ALL_INTERFACES
        self.scripts = {name: (resources.files("flagstone.server") / name).read_bytes() for name in _SCRIPTS}
        try:
            family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM)[0][0]
        except socket.gaierror as error:
            raise UsageError(f"cannot serve on host {host!r}: {error.strerror}") from None
        self.address_family = family
        try:
            super().__init__((host, port), PreviewHandler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} is already in use on {host}; stop the other server, or choose another "
                    "port with --port (--port 0 picks a free one)"
                ) from None
            if error.errno == errno.EACCES:
                raise UsageError(f"no permission to serve on port {port}; use a port above 1023") from None
            raise UsageError(f"cannot serve on {host} port {port}: {error.strerror or error}") from None

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name, which can take seconds; not needed.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])
        self.host_names |= {_bracketed(self.server_name.lower())}

    def accepts(self, host: str | None) -> bool:
        """True when a request's Host header names this preview."""
        if host is None:
            return False
        name = host_name(host)
        return name in self.host_names or (self.any_address and _is_address(name))

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # a browser that went away mid-response (a reload, a closed tab)
        # Bounded: the error may quote the request's path, which can be 64 KB long.
        text = shown_path(f"{type(error).__name__}: {error}")
        print(f"flagstone: error answering a request: {text}", file=sys.stderr)


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD of the served version's files, and the preview's own URLs under /__flagstone/."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "flagstone"
    timeout = 30  # an idle keep-alive connection gives its thread back after this long

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a preview's console shows builds, not requests

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if not self.server.accepts(self.headers.get("Host")):
            self._send(
                HTTPStatus.FORBIDDEN,
                b"403: this preview answers only to its own host names (localhost, 127.0.0.1, [::1] "
                b"or the --host given)\n",
                "text/plain",
            )
            return False
        if self.command not in ("GET", "HEAD"):
            self.close_connection = True  # a body may follow; it is never read
            self._send(
                HTTPStatus.METHOD_NOT_ALLOWED,
                b"405: the preview only answers GET and HEAD\n",
                "text/plain",
                {"Allow": "GET, HEAD"},
            )
            return False
        return True

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    # ---- answering ------------------------------------------------------------------------------
    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        if content_type.startswith(_TEXT_TYPES) and "charset" not in content_type:
            content_type += "; charset=utf-8"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_html(self, status: int, page: bytes, version: Version) -> None:
        self._send(status, inject(page, live_snippet(self.server.site, version)), "text/html")

    def _answer(self) -> None:
        raw, _, query = self.path.partition("?")
        raw = raw.partition("#")[0]
        if raw.startswith(PREFIX):
            self._answer_own(raw[len(PREFIX) :], urllib.parse.parse_qs(query))
            return
        version = self.server.site.snapshot()
        if version.folder is None:
            body = "<p>The first build failed; this page reloads by itself once the site builds.</p>"
            self._send_html(HTTPStatus.SERVICE_UNAVAILABLE, _message_page("Build failed", body), version)
            return
        target = site_path(version.folder, raw)
        try:
            if target is not None and target.is_dir():
                if not raw.endswith("/"):  # relative links in the folder's index need the slash
                    location = raw + "/" + (f"?{query}" if query else "")
                    self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": location})
                    return
                target = target / "index.html"
            data = target.read_bytes() if target is not None and target.is_file() else None
        except OSError as error:  # e.g. a segment longer than the file system allows: no such file
            if error.errno == errno.ENAMETOOLONG:
                print(f"flagstone: no such file (name too long): {shown_path(raw)}", file=sys.stderr)
            data = None
        if target is None or data is None:
            self._send_html(HTTPStatus.NOT_FOUND, not_found_page(version.folder, raw), version)
            return
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            self._send_html(HTTPStatus.OK, data, version)
        else:
            self._send(HTTPStatus.OK, data, content_type)

    def _answer_own(self, name: str, query: dict[str, list[str]]) -> None:
        site = self.server.site
        if name in self.server.scripts:
            self._send(HTTPStatus.OK, self.server.scripts[name], "application/javascript")
        elif name == "livereload":
            try:
                since = int(query.get("since", ["-1"])[0])
            except ValueError:
                since = -1
            instance = query.get("instance", [site.instance])[0]
            version = site.snapshot() if self.command == "HEAD" else site.wait(since, instance)
            self._send(HTTPStatus.OK, json.dumps(version.message(site.instance)).encode(), "application/json")
        elif name == "status":
            self._send(HTTPStatus.OK, json.dumps(site.status()).encode(), "application/json")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"404: no such preview resource\n", "text/plain")
