"""The generated shell (curl), python (requests) and javascript (fetch) samples run, and send what the
operation describes: method, path, query, headers and body, to a local server started by the test."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from flagstone.openapi.markdown import Options
from flagstone.openapi.reference import reference

SPEC = """
openapi: 3.0.3
info: {{title: Pets, version: "1"}}
servers:
  - url: http://127.0.0.1:{port}/v1
paths:
  /pets/{{petId}}/toys:
    post:
      operationId: addToy
      summary: Add a toy
      security:
        - apiKey: []
      parameters:
        - {{name: petId, in: path, required: true, schema: {{type: integer}}, example: 42}}
        - {{name: colour, in: query, required: true, schema: {{type: string, enum: [red, blue]}}}}
        - {{name: X-Request-Id, in: header, required: true, schema: {{type: string, format: uuid}}}}
        - {{name: verbose, in: query, schema: {{type: boolean}}}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                id: {{type: integer, readOnly: true}}
                name: {{type: string, example: "Squeaky 'duck'"}}
                tags: {{type: array, items: {{type: string}}}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {{type: object, properties: {{ok: {{type: boolean}}}}}}
components:
  securitySchemes:
    apiKey: {{type: apiKey, in: header, name: X-API-Key}}
"""


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self.seen.append({"method": "POST", "url": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def server() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], seen
    httpd.shutdown()
    httpd.server_close()


def _samples(tmp_path: Path, port: int) -> dict[str, str]:
    spec = tmp_path / "api.yaml"
    spec.write_text(SPEC.format(port=port), encoding="utf-8")
    tabs = ("shell", "python", "javascript")
    markdown = reference(spec, lambda p: p.name, Options(language_tabs=tabs)).markdown
    return {tab: re.search(rf"```{tab}\n(.*?)\n```", markdown, re.DOTALL).group(1) for tab in tabs}  # type: ignore[union-attr]


def _check(seen: list[dict[str, Any]]) -> None:
    assert len(seen) == 1
    request = seen[0]
    url = urlsplit(request["url"])
    assert request["method"] == "POST"
    assert url.path == "/v1/pets/42/toys"
    assert parse_qs(url.query) == {"colour": ["red"]}
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-api-key"] == "API_KEY"
    assert headers["x-request-id"] == "095be615-a8ad-4c33-8e9c-c7612fbf6c9f"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert json.loads(request["body"]) == {"name": "Squeaky 'duck'", "tags": ["string"]}  # no readOnly id


@pytest.mark.parametrize(
    ("language", "command"),
    [("shell", ["bash", "-c"]), ("python", ["python3", "-c"]), ("javascript", ["node", "-e"])],
)
def test_generated_samples_send_what_the_operation_describes(
    tmp_path: Path, server: tuple[int, list[dict[str, Any]]], language: str, command: list[str]
) -> None:
    tool = {"shell": "curl", "python": "python3", "javascript": "node"}[language]
    if shutil.which(tool) is None or shutil.which(command[0]) is None:
        pytest.skip(f"{tool} is not installed")
    if language == "python":
        pytest.importorskip("requests")
    port, seen = server
    code = _samples(tmp_path, port)[language]
    done = subprocess.run([*command, code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"ok": true' in done.stdout or '"ok":true' in done.stdout
    _check(seen)
