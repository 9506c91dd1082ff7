"""`flagstone serve` against a real server on 127.0.0.1: safety, live reload over HTTP, debouncing, the CLI."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flagstone.build import build
from flagstone.models import BuildOptions
from flagstone.server import Preview, ServeOptions
from flagstone.server.http import PreviewServer, host_name, inject, shown_path, site_path
from flagstone.server.livereload import LiveSite
from flagstone.site_writer import MARKER
from tests.conftest import REPO, write_project

PAGE = """
---
title: Live
language_tabs:
  - shell
  - ruby
---

# First Heading

Some text.

```shell
curl example
```

```ruby
puts "example"
```

# Second Heading

More text.
"""


def wait_until(check: Callable[[], Any], timeout: float = 5.0, step: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(step)


class Client:
    """Raw HTTP against the preview: request paths go out exactly as written."""

    def __init__(self, url: str) -> None:
        match = re.match(r"http://([^:/]+):(\d+)/", url)
        assert match, url
        self.host, self.port = match.group(1), int(match.group(2))

    def request(
        self, path: str, method: str = "GET", timeout: float = 10.0
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def get(self, path: str) -> bytes:
        status, _, body = self.request(path)
        assert status == 200, (path, status, body[:300])
        return body

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("/__flagstone/status"))  # type: ignore[no-any-return]

    def poll(self, since: int, instance: str, timeout: float = 10.0) -> dict[str, Any]:
        status, _, body = self.request(
            f"/__flagstone/livereload?since={since}&instance={instance}", timeout=timeout
        )
        assert status == 200
        return json.loads(body)  # type: ignore[no-any-return]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "project",
        {
            "source/index.html.md": PAGE,
            "source/includes/_extra.md": "## Extra\n",
            "source/images/pixel.txt": "not really an image\n",
            "source/guide/index.html.md": "---\ntitle: Guide\n---\n# Guide\n",
        },
    )


@pytest.fixture
def preview(project: Path) -> Iterator[tuple[Preview, Client, list[str]]]:
    log: list[str] = []
    running = Preview(ServeOptions(project, port=0), log=log.append)
    running.start()
    try:
        yield running, Client(running.url), log
    finally:
        running.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---- path safety, as a function -----------------------------------------------------------------


def test_site_path_refuses_everything_outside_the_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_text("x")
    (tmp_path / "secret.txt").write_text("secret")
    (site / "out.txt").symlink_to(tmp_path / "secret.txt")
    (site / "outdir").symlink_to(tmp_path)
    (site / "sub" / "in.txt").symlink_to(site / "index.html")
    real = site.resolve()
    assert site_path(site, "/") == real
    assert site_path(site, "/index.html") == real / "index.html"
    assert site_path(site, "/sub/./in.txt") == real / "index.html"
    assert site_path(site, "/a%20b.html") == real / "a b.html"
    for refused in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "//etc/passwd",
        "/%2fetc/passwd",
        "etc/passwd",
        "http://example.com/etc/passwd",
        "/index.html%00.png",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/out.txt",
        "/outdir/secret.txt",
        "/%ff%fe",
        "/.flagstone-site",
    ):
        assert site_path(site, refused) is None, refused
    # decoded once only: a doubly encoded dot-dot is a (missing) file of that odd name, inside
    assert site_path(site, "/%252e%252e/secret.txt") == real / "%2e%2e" / "secret.txt"


def test_inject_goes_before_the_last_body_end_tag() -> None:
    assert inject(b"<p>a</body>b</BODY>\n", b"<s>") == b"<p>a</body>b<s></BODY>\n"
    assert inject(b"<p>no body", b"<s>") == b"<p>no body<s>"


# ---- serving ------------------------------------------------------------------------------------


def test_pages_carry_the_reload_script_but_the_built_site_never_does(
    preview: tuple[Preview, Client, list[str]], project: Path
) -> None:
    running, client, _ = preview
    page = client.get("/")
    assert b"First Heading" in page
    assert b"/__flagstone/reload.js" in page and b"window.__flagstoneLive" in page
    assert client.get("/index.html") == page
    assert b"/__flagstone/reload.js" in client.get("/guide/")
    assert b"__flagstone" not in client.get("/flagstone/theme.css")
    assert client.get("/images/pixel.txt") == b"not really an image\n"
    assert b"addEventListener" in client.get("/__flagstone/reload.js")
    assert b"onconnect" in client.get("/__flagstone/reload-worker.js")
    # the served version on disk is the plain site; nothing went into PROJECT/build
    folder = running.site.snapshot().folder
    assert folder is not None
    for path in folder.rglob("*"):
        if path.is_file():
            assert b"__flagstone" not in path.read_bytes(), path
    assert not (project / "build").exists()


def test_http_details(preview: tuple[Preview, Client, list[str]]) -> None:
    _, client, _ = preview
    status, headers, body = client.request("/guide")
    assert status == 301 and headers["location"] == "/guide/"
    status, headers, body = client.request("/index.html", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        status, headers, _ = client.request("/index.html", method=method)
        assert status == 405 and headers["allow"] == "GET, HEAD", method
    status, _, body = client.request("/no/such/page.html")
    assert status == 404
    assert (
        b"/no/such/page.html" in body
        and b'href="/index.html"' in body
        and b'href="/guide/index.html"' in body
    )
    assert b"/__flagstone/reload.js" in body  # so the page appears by itself once it is written
    assert client.request("/__flagstone/nothing")[0] == 404


def test_traversal_never_returns_a_file_outside_the_site(tmp_path: Path, project: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "inner.txt").write_text("TOP-SECRET\n")
    # A folder linked out of the project fails the build (test_pages_erb); beside the site it is harmless.
    (project / "leakdir").symlink_to(outside)
    (project / "source" / "fine.txt").symlink_to(project / "source" / "images" / "pixel.txt")
    log: list[str] = []
    with Preview(ServeOptions(project, port=0), log=log.append) as running:
        client = Client(running.url)
        depth = "/".join([".."] * 12)
        attempts = [
            f"/{depth}/etc/passwd",
            "/../secret.txt",
            "/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/images/..%2f..%2f..%2fsecret.txt",
            "//etc/passwd",
            "///etc/passwd",
            f"/{tmp_path}/secret.txt",
            f"//{secret}",
            "/leak.txt",
            "/leakdir/inner.txt",
            "/%00/etc/passwd",
            "/..%5c..%5csecret.txt",
        ]
        for attempt in attempts:
            status, _, body = client.request(attempt)
            assert b"TOP-SECRET" not in body and b"root:" not in body, attempt
            assert status in (400, 404), (attempt, status)
        assert client.get("/fine.txt") == b"not really an image\n"  # a symlink within the project is fine


def test_a_file_symlinked_out_of_the_project_fails_the_build_and_is_never_served(
    tmp_path: Path, project: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET\n")
    (project / "source" / "leak.txt").symlink_to(secret)
    log: list[str] = []
    with Preview(ServeOptions(project, port=0), log=log.append) as running:
        client = Client(running.url)
        for attempt in ("/leak.txt", "/index.html", "/"):
            status, _, body = client.request(attempt)
            assert b"TOP-SECRET" not in body and status != 200, (attempt, status)
        assert (
            f"source/leak.txt: expected a file inside the project, got a symbolic link leading to {secret}"
        ) in "\n".join(log)


def request_with_host(client: Client, host: str | None, path: str = "/") -> tuple[int, bytes]:
    """A GET with the Host header a browser would send for `host` (or none at all)."""
    connection = http.client.HTTPConnection(client.host, client.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


REFUSED_HOST = b"403: this preview answers only to its own host names (localhost, 127.0.0.1, [::1] " + (
    b"or the --host given)\n"
)


def test_only_the_previews_own_host_names_are_answered(preview: tuple[Preview, Client, list[str]]) -> None:
    _, client, _ = preview
    port = client.port
    for host in (
        f"127.0.0.1:{port}",
        "127.0.0.1",
        f"localhost:{port}",
        "LocalHost",
        "localhost.",
        f"[::1]:{port}",
    ):
        status, body = request_with_host(client, host)
        assert status == 200 and b"First Heading" in body, host
    # DNS rebinding: a page of another site whose name now resolves to 127.0.0.1
    for host in (
        f"attacker.example:{port}",
        "attacker.example",
        "127.0.0.1.attacker.example",
        "localhost.evil",
        None,
    ):
        for path in ("/", "/index.html", "/__flagstone/status", "/__flagstone/livereload?since=0"):
            status, body = request_with_host(client, host, path)
            assert (status, body) == (403, REFUSED_HOST), (host, path)


def test_host_names_a_server_bound_elsewhere_accepts() -> None:
    assert host_name("LocalHost:4567") == "localhost" and host_name("[::1]:80") == "[::1]"
    assert host_name("example.com.") == "example.com" and host_name("[::1]") == "[::1]"
    named = PreviewServer("localhost", 0, LiveSite())
    everywhere = PreviewServer("0.0.0.0", 0, LiveSite())
    try:
        assert named.accepts("localhost:1") and named.accepts("127.0.0.1")
        assert not named.accepts("192.168.1.20:4567") and not named.accepts("evil.example")
        # on every interface, the machine is reached by its addresses; a name must still be its own
        assert everywhere.accepts("192.168.1.20:4567") and everywhere.accepts("[fe80::1]:4567")
        assert everywhere.accepts("0.0.0.0") and not everywhere.accepts("evil.example:4567")
        assert not everywhere.accepts(None)
    finally:
        named.server_close()
        everywhere.server_close()


def test_a_path_segment_too_long_for_the_disk_is_a_404_with_a_short_log_line(
    preview: tuple[Preview, Client, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, client, _ = preview
    capsys.readouterr()
    long_path = "/" + "a" * 300 + "/" + "b" * 60_000
    for path in (long_path, "/" + "c" * 256 + ".html", "/images/" + "d" * 4000):
        status, _, body = client.request(path)
        assert status == 404 and b"The pages of this site" in body, path[:20]
    assert client.get("/images/pixel.txt") == b"not really an image\n"  # the server goes on
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"flagstone: no such file (name too long): /{'a' * 119}... (60302 characters)"
    assert len(lines) == 3 and all(len(line) < 200 for line in lines)
    assert shown_path("/short") == "/short"


# ---- live reload --------------------------------------------------------------------------------


def test_a_save_wakes_the_long_poll_and_serves_the_new_page(
    preview: tuple[Preview, Client, list[str]], project: Path
) -> None:
    _, client, _ = preview
    before = client.status()
    result: dict[str, Any] = {}

    def poll() -> None:
        result.update(client.poll(before["generation"], before["instance"]))
        result["at"] = time.monotonic()

    waiting = threading.Thread(target=poll)
    waiting.start()
    time.sleep(0.2)
    saved = time.monotonic()
    edit(project / "source/index.html.md", "# Second Heading", "# Renamed Heading")
    waiting.join(5)
    assert result["generation"] == before["generation"] + 1 and result["error"] is None
    assert result["at"] - saved < 1.0
    page = client.get("/index.html")
    assert b'id="renamed-heading"' in page and b"Second Heading" not in page


def test_a_stylesheet_change_moves_only_the_css_digest(tmp_path: Path, project: Path) -> None:
    theme = write_project(tmp_path / "theme", {"assets/extra.css": "body { color: red }\n"})
    with Preview(ServeOptions(project, port=0, theme=theme), log=lambda _: None) as running:
        client = Client(running.url)
        before = client.status()
        first = client.poll(-1, before["instance"])
        (theme / "assets/extra.css").write_text("body { color: blue }\n")
        after = client.poll(first["generation"], first["instance"])
        assert after["css"] != first["css"] and after["html"] == first["html"]
        assert client.get("/flagstone/extra.css") == b"body { color: blue }\n"


def test_a_failed_build_keeps_the_last_good_site_and_reports_file_and_line(
    preview: tuple[Preview, Client, list[str]], project: Path
) -> None:
    _, client, log = preview
    good = client.get("/index.html")
    state = client.poll(-1, client.status()["instance"])
    edit(project / "source/index.html.md", "title: Live", "title: [broken")
    failed = client.poll(state["generation"], state["instance"])
    assert failed["error"], failed
    assert re.match(r"source/index\.html\.md:\d+(:\d+)?: ", failed["error"][0]), failed["error"]
    assert failed["html"] == state["html"]  # the last good site is what pages keep showing
    served = client.get("/index.html")
    assert (
        served.split(b"<script>window.__flagstoneLive")[0] == good.split(b"<script>window.__flagstoneLive")[0]
    )
    assert b"source/index.html.md:3" in served  # a page opened now shows the overlay at once
    assert any(line.startswith("error: source/index.html.md:3") for line in log)
    edit(project / "source/index.html.md", "title: [broken", "title: Fixed")
    fixed = client.poll(failed["generation"], failed["instance"])
    assert fixed["error"] is None
    assert b"<title>Fixed</title>" in client.get("/index.html")


def test_an_internal_error_in_a_build_is_shown_and_serving_goes_on(
    preview: tuple[Preview, Client, list[str]], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client, _ = preview
    state = client.status()

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("flagstone.build.build", explode)
    edit(project / "source/index.html.md", "Some text.", "Other text.")
    failed = client.poll(state["generation"], state["instance"])
    assert failed["error"] == ["internal error: RuntimeError: boom (set FLAGSTONE_DEBUG=1 and report it)"]
    assert b"Some text." in client.get("/index.html")


def test_a_hundred_saves_in_two_seconds_end_in_the_last_content_with_few_builds(
    preview: tuple[Preview, Client, list[str]], project: Path
) -> None:
    _, client, _ = preview
    page = project / "source/index.html.md"
    text = page.read_text(encoding="utf-8")
    builds = client.status()["builds"]
    for n in range(100):
        page.write_text(text.replace("Some text.", f"Save number {n}."), encoding="utf-8")
        time.sleep(0.02)
    wait_until(lambda: b"Save number 99." in client.get("/index.html"), timeout=5)
    time.sleep(0.4)  # any build still to come would start within this
    rebuilds = client.status()["builds"] - builds
    print(f"rebuilds for 100 saves: {rebuilds}")
    assert 1 <= rebuilds <= 3, rebuilds


def test_reading_files_is_not_a_change(preview: tuple[Preview, Client, list[str]], project: Path) -> None:
    _, client, _ = preview
    builds = client.status()["builds"]
    for path in (project / "source").rglob("*.md"):
        path.read_bytes()
    time.sleep(0.5)
    assert client.status()["builds"] == builds


def test_an_includes_folder_made_while_serving_is_watched(
    preview: tuple[Preview, Client, list[str]], project: Path
) -> None:
    _, client, _ = preview
    edit(project / "source/index.html.md", "language_tabs:", "includes:\n  - late\nlanguage_tabs:")
    wait_until(lambda: client.status()["error"])
    (project / "includes").mkdir()
    time.sleep(0.2)
    (project / "includes/_late.md").write_text("# Late Arrival\n")
    wait_until(lambda: b"Late Arrival" in client.get("/index.html"))
    (project / "includes/_late.md").write_text("# Later Arrival\n")
    wait_until(lambda: b"Later Arrival" in client.get("/index.html"))


def test_fifty_waiting_pages_and_two_thousand_requests(
    preview: tuple[Preview, Client, list[str]], project: Path
) -> None:
    _, client, _ = preview
    state = client.status()
    answers: list[dict[str, Any]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def wait_for_reload() -> None:
        try:
            answer = client.poll(state["generation"], state["instance"], timeout=30)
            with lock:
                answers.append(answer)
        except Exception as error:
            with lock:
                failures.append(f"poll: {error!r}")

    def ordinary(count: int) -> None:
        paths = ["/", "/index.html", "/flagstone/theme.css", "/images/pixel.txt", "/guide/", "/missing"]
        for n in range(count):
            path = paths[n % len(paths)]
            try:
                status, _, _ = client.request(path)
                if status != (404 if path == "/missing" else 200):
                    with lock:
                        failures.append(f"{path}: {status}")
            except Exception as error:
                with lock:
                    failures.append(f"{path}: {error!r}")

    pollers = [threading.Thread(target=wait_for_reload) for _ in range(50)]
    for thread in pollers:
        thread.start()
    workers = [threading.Thread(target=ordinary, args=(250,)) for _ in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert failures == []
    assert answers == []  # nothing changed yet: every page is still waiting
    edit(project / "source/index.html.md", "More text.", "Changed text.")
    for thread in pollers:
        thread.join(10)
    assert failures == []
    assert len(answers) == 50
    assert all(a["generation"] == state["generation"] + 1 and a["error"] is None for a in answers)


def test_a_first_build_that_fails_serves_the_error_until_fixed(project: Path) -> None:
    edit(project / "source/index.html.md", "title: Live", "title: [broken")
    with Preview(ServeOptions(project, port=0), log=lambda _: None) as running:
        client = Client(running.url)
        status, _, body = client.request("/index.html")
        assert status == 503 and b"source/index.html.md:3" in body and b"/__flagstone/reload.js" in body
        state = client.status()
        edit(project / "source/index.html.md", "title: [broken", "title: Live")
        assert client.poll(state["generation"], state["instance"])["error"] is None
        assert b"First Heading" in client.get("/index.html")


# ---- the command line ---------------------------------------------------------------------------


def start_cli(*args: str | Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "flagstone", "serve", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://\S+/", line)
    if not match:
        process.kill()
        raise AssertionError(f"no URL printed: {line!r} {process.communicate()}")
    return process, match.group(0)


def test_cli_port_zero_prints_the_url_and_ctrl_c_stops_within_a_second(project: Path) -> None:
    process, url = start_cli(project, "--port", "0")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url) and not url.endswith(":0/")
    assert b"First Heading" in Client(url).get("/")
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=5)
    assert time.monotonic() - started < 1.0
    assert process.returncode == 0
    assert "Traceback" not in err and "preview stopped" in err
    with pytest.raises(OSError):
        Client(url).request("/", timeout=1)
    assert not (project / "build").exists()


def test_cli_port_in_use_names_the_port(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "flagstone", "serve", str(project), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
    assert result.returncode == 2
    assert (
        "flagstone: error: "
        + f"port {port} is already in use on 127.0.0.1; stop the other server, or choose "
        "another port with --port (--port 0 picks a free one)"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_warns_when_binding_all_interfaces(project: Path) -> None:
    process, _ = start_cli(project, "--host", "0.0.0.0", "--port", "0")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=5)
    assert (
        "warning: serving on all interfaces (0.0.0.0): anyone who can reach this machine can read the "
        "preview; use --host 127.0.0.1 to keep it local"
    ) in err
    assert process.returncode == 0


def test_cli_refuses_a_folder_without_source(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flagstone", "serve", str(tmp_path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert result.returncode == 2 and "source/" in result.stderr


def test_cli_open_shows_the_preview_in_a_browser(project: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = f"{sys.executable} -c 'import sys; open(sys.argv[1], \"w\").write(sys.argv[2])' {opened} %s"
    process, url = start_cli(project, "--port", "0", "--open", env={"BROWSER": browser})
    try:
        wait_until(lambda: opened.is_file() and opened.read_text() == url)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=5)
    assert process.returncode == 0


def test_cli_refuses_a_port_out_of_range(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flagstone", "serve", str(project), "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=20,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert (result.returncode, result.stderr) == (
        2,
        "flagstone: error: --port must be between 0 and 65535, got 70000\n",
    )


def test_a_build_asked_for_digests_reports_those_of_the_files_it_wrote(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "---\ntitle: T\n---\n# Hello\n\n![](images/logo.png)\n",
            "source/images/logo.png": b"\x89PNG not really",
        },
    )
    out = tmp_path / "site"
    report = build(BuildOptions(root, out, use_cache=False), digest_files=True)
    on_disk = {
        path: hashlib.sha256(path_bytes).digest()
        for path, path_bytes in (
            (p.relative_to(out).as_posix(), p.read_bytes()) for p in out.rglob("*") if p.is_file()
        )
        if path != MARKER
    }
    assert dict(report.file_digests) == on_disk
    assert {"index.html", "images/logo.png"} <= set(on_disk)
    assert build(BuildOptions(root, tmp_path / "again", use_cache=False)).file_digests == ()
