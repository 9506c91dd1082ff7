"""Broken specs fail the build with a located message (file:line:column and JSON pointer), no traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import RunCli, write_project

PAGE = """
---
title: API
openapi: ../api.yaml
---

# Introduction
"""
HEAD = """openapi: 3.0.3
info:
  title: Pets
  version: "1"
"""


def _build(tmp_path: Path, run_cli: RunCli, files: dict[str, str]) -> tuple[int, str]:
    project = write_project(tmp_path / "p", {"source/index.html.md": PAGE, **files})
    result = run_cli("build", project, "-o", tmp_path / "out")
    assert "Traceback" not in result.err
    return result.status, result.err


def test_a_wrong_type_is_located_at_its_line_column_and_pointer(tmp_path: Path, run_cli: RunCli) -> None:
    spec = HEAD + textwrap.dedent("""
    paths:
      /pets:
        get:
          responses:
            "200":
              - a list
    """)
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 1
    assert "api.yaml:11:11: paths./pets.get.responses.200: expected a Response object, got a list" in err


def test_malformed_yaml(tmp_path: Path, run_cli: RunCli) -> None:
    status, err = _build(tmp_path, run_cli, {"api.yaml": HEAD + "paths: {/pets: [\n"})
    assert status == 1
    assert "api.yaml:6:1: not valid YAML: did not find expected node content" in err


def test_malformed_json(tmp_path: Path, run_cli: RunCli) -> None:
    files = {
        "api.json": '{"openapi": "3.0.3",\n "info": }',
        "source/index.html.md": PAGE.replace("yaml", "json"),
    }
    status, err = _build(tmp_path, run_cli, files)
    assert status == 1
    assert "api.json:2:10: not valid JSON: Expecting value" in err


def test_a_missing_ref_target(tmp_path: Path, run_cli: RunCli) -> None:
    spec = HEAD + textwrap.dedent("""
    paths:
      /pets:
        get:
          responses:
            "200":
              $ref: "#/components/responses/Missing"
    """)
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 1
    assert (
        "api.yaml:11:17: paths./pets.get.responses.200.$ref: $ref target not found: #/components/responses/Missing"
        in err
    )


def test_a_missing_ref_file(tmp_path: Path, run_cli: RunCli) -> None:
    spec = HEAD + textwrap.dedent("""
    paths:
      /pets:
        $ref: "paths/pets.yaml"
    """)
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 1
    assert "api.yaml:8:11: paths./pets.$ref: $ref target file not found: paths/pets.yaml" in err


def test_a_ref_cycle_through_parameters(tmp_path: Path, run_cli: RunCli) -> None:
    spec = HEAD + textwrap.dedent("""
    paths:
      /pets:
        get:
          parameters:
            - $ref: "#/components/parameters/A"
          responses:
            "200": {description: ok}
    components:
      parameters:
        A: {$ref: "#/components/parameters/B"}
        B: {$ref: "#/components/parameters/A"}
    """)
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 1
    assert (
        "api.yaml:15:8: components.parameters.A: $ref cycle: "
        "#/components/parameters/A -> #/components/parameters/B -> #/components/parameters/A"
    ) in err
    assert err.count("$ref cycle") == 1


def test_a_ref_out_of_the_project_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "outside.yaml").write_text("Pet: {type: object}\n", encoding="utf-8")
    spec = HEAD + textwrap.dedent("""
    paths: {}
    components:
      schemas:
        Pet: {$ref: "../outside.yaml#/Pet"}
    """)
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 1
    assert (
        f"api.yaml:9:17: components.schemas.Pet.$ref: expected a spec file inside the project, got {tmp_path / 'outside.yaml'}"
        in err
    )


def test_not_an_openapi_document(tmp_path: Path, run_cli: RunCli) -> None:
    status, err = _build(tmp_path, run_cli, {"api.yaml": "title: hello\n"})
    assert status == 1
    assert "api.yaml:1:1: expected 'openapi: 3.x' or 'swagger: \"2.0\"', got neither" in err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../missing.yaml", "source/index.html.md:3: openapi: OpenAPI file not found: missing.yaml"),
        (
            "../../x.yaml",
            "source/index.html.md:3: openapi: expected a spec file inside the project, got ../../x.yaml",
        ),
        (
            "[1]",
            "source/index.html.md:3: openapi: expected a path to an OpenAPI file, or a mapping with 'spec' and options, got a list",
        ),
        (
            "{spec: ../api.yaml, maxDepth: 0}",
            "source/index.html.md:3: openapi.maxDepth: expected a whole number from 1 to 50, got 0",
        ),
        (
            "{spec: ../api.yaml, maxDeep: 2}",
            "source/index.html.md:3: openapi.maxDeep: unknown option (did you mean 'maxDepth'?)",
        ),
    ],
)
def test_front_matter_problems(tmp_path: Path, run_cli: RunCli, value: str, message: str) -> None:
    page = PAGE.replace("../api.yaml", value)
    status, err = _build(tmp_path, run_cli, {"source/index.html.md": page, "api.yaml": HEAD + "paths: {}\n"})
    assert status == 1
    assert message in err


def test_a_large_spec_is_validated_beside_and_its_errors_still_located(
    tmp_path: Path, run_cli: RunCli
) -> None:
    paths = "".join(
        f"  /items{n}:\n    get:\n      summary: Item {n} {'x' * 400}\n"
        f"      responses:\n        '200': {{description: ok}}\n"
        for n in range(2500)
    )
    spec = HEAD + "paths:\n" + paths + "  /broken:\n    get:\n      responses:\n        '200': [1]\n"
    assert len(spec) > 1_000_000  # above the size validated in a child process
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 1
    line = spec.count("\n")
    assert (
        f"api.yaml:{line}:16: paths./broken.get.responses.200: expected a Response object, got a list" in err
    )


def test_openapi_3_2_builds(tmp_path: Path, run_cli: RunCli) -> None:
    spec = HEAD.replace("3.0.3", "3.2.0") + textwrap.dedent("""
    paths:
      /pets:
        query:
          summary: Search pets
          responses:
            "200": {description: ok}
        get:
          summary: List pets
          responses:
            "200": {description: ok}
    """)
    status, err = _build(tmp_path, run_cli, {"api.yaml": spec})
    assert status == 0, err
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<p class="openapi-endpoint"><code>GET /pets</code></p>' in html
    assert '<p class="openapi-endpoint"><code>QUERY /pets</code></p>' in html
