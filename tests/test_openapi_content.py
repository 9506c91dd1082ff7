"""What the reference shows of a spec: operations, tags, webhooks, schema tables, examples, anchors,
search, options, x-codeSamples, Swagger 2.0 bodies, multi-file specs and rebuilds after a spec edit."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import RunCli, write_project

SPEC = """
openapi: 3.1.0
info: {title: Zoo, version: "2", description: "The *zoo* API."}
servers: [{url: "https://zoo.example.com/v2"}]
tags:
  - {name: animals, description: "Everything about **animals**."}
paths:
  /animals:
    get:
      tags: [animals]
      operationId: listAnimals
      summary: List animals
      parameters:
        - {name: limit, in: query, schema: {type: integer, default: 20, maximum: 100}, example: 5}
        - {name: kind, in: query, schema: {type: string, enum: [cat, dog]}}
      responses:
        "200":
          description: the animals
          headers:
            X-Total: {description: how many, schema: {type: integer}}
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Animal"}}
    post:
      tags: [animals]
      summary: Add an animal
      deprecated: true
      security: [{token: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Animal"}
      responses:
        "201":
          description: added
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Animal"}
  /keepers/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      x-codeSamples:
        - {lang: shell, source: "curl https://zoo.example.com/v2/keepers/7 # by hand"}
      responses:
        "200": {description: ok}
webhooks:
  newAnimal:
    post:
      summary: An animal arrived
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Animal"}
      responses:
        "200": {description: ok}
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
  schemas:
    Animal:
      allOf:
        - $ref: "#/components/schemas/Named"
        - type: object
          required: [kind]
          properties:
            id: {type: integer, readOnly: true}
            secret: {type: string, writeOnly: true}
            kind: {type: string, enum: [cat, dog]}
            nickname: {type: [string, "null"]}
            parent: {$ref: "#/components/schemas/Animal"}
            food:
              oneOf:
                - {$ref: "#/components/schemas/Meat"}
                - {type: string, title: Plants}
    Named:
      type: object
      required: [name]
      properties:
        name: {type: string, example: Rex}
    Meat:
      type: object
      properties:
        grams: {type: integer, format: int32, minimum: 1}
        deep: {type: object, properties: {deeper: {type: object, properties: {deepest: {type: string}}}}}
"""
PAGE = """
---
title: Zoo
language_tabs: [shell, python]
search: true
openapi: {openapi}
---

# Introduction

Welcome.
"""


def _build(tmp_path: Path, run_cli: RunCli, openapi: str = "../zoo.yaml", spec: str = SPEC) -> BeautifulSoup:
    project = write_project(
        tmp_path / "p", {"source/index.html.md": PAGE.format(openapi=openapi), "zoo.yaml": spec}
    )
    result = run_cli("build", project, "-o", tmp_path / "out")
    assert result.status == 0, result.err
    return BeautifulSoup((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "html.parser")


def _table_after(page: BeautifulSoup, summary: str) -> list[list[str]]:
    found = next(s for s in page.find_all("summary") if summary in s.get_text())
    return [
        [td.get_text() for td in tr.find_all("td")] for tr in found.find_parent("details").find_all("tr")[1:]
    ]


def test_operations_tags_and_webhooks(tmp_path: Path, run_cli: RunCli) -> None:
    page = _build(tmp_path, run_cli)
    h1 = [h.get_text() for h in page.select(".content h1")]
    assert h1 == ["Introduction", "Zoo v2", "animals", "Default", "Webhooks", "Schemas"]
    h2 = [(h["id"], h.get_text()) for h in page.select(".content h2")]
    assert h2[:4] == [
        ("listAnimals", "List animals"),
        ("post-animals", "Add an animal"),
        ("get-keepers-id", "GET /keepers/{id}"),
        ("webhook-post-newanimal", "An animal arrived"),
    ]
    assert [p.get_text() for p in page.select("p.openapi-operation-id")] == ["operationId listAnimals"]
    endpoints = [p.get_text() for p in page.select("p.openapi-endpoint")]
    assert endpoints == ["GET /animals", "POST /animals", "GET /keepers/{id}", "POST newAnimal (webhook)"]
    assert page.find(id="opIdlistAnimals") is not None  # widdershins' anchor
    assert page.find(id="zoo-animals") is not None  # widdershins' tag anchor
    assert "Everything about" in page.find(id="animals").find_next("p").get_text()
    deprecated = page.find(id="post-animals").find_next("aside")
    assert deprecated["class"] == ["warning"] and "Deprecated" in deprecated.get_text()
    assert (
        "authenticated by token"
        in page.find(id="post-animals").find_next("aside", class_="notice").get_text()
    )


def test_parameters_and_responses_tables(tmp_path: Path, run_cli: RunCli) -> None:
    page = _build(tmp_path, run_cli)
    table = page.find(id="listAnimals-parameters").find_next("table")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
    assert rows == [
        ["limit", "query", "integer", "false", "20", "", "5", ""],
        ["kind", "query", "string", "false", "", '"cat", "dog"', "", ""],
    ]
    responses = page.find(id="listAnimals-responses").find_next("table")
    assert [td.get_text() for td in responses.find_all("tr")[1].find_all("td")] == [
        "200",
        "OK",
        "the animals",
        "[Animal]",
    ]
    assert responses.find("a")["href"] == "#Animal"
    assert (
        "X-Total"
        in page.find(id="listAnimals-responses")
        .find_next(string=re.compile("Response headers"))
        .find_next("table")
        .get_text()
    )


def test_schema_tables(tmp_path: Path, run_cli: RunCli) -> None:
    page = _build(tmp_path, run_cli)
    table = page.find(id="post-animals-body").find_next("table")
    request = [[td.get_text() for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
    names = [row[0] for row in request]
    assert "id" not in names  # readOnly: not in a request
    assert "secret" in names
    assert names[:3] == ["name", "secret", "kind"]  # allOf merged, in order: Named's name first
    row = {r[0]: r for r in request}
    assert row["name"][2] == "true" and row["kind"][2] == "true"
    assert row["nickname"][1] == "string¦null"
    assert row["parent"][1] == "Animal"  # circular: a link, not expanded again
    assert "» name" not in names[names.index("parent") + 1 : names.index("food")]
    assert "» oneOf option 1" in names and "» oneOf option 2 (Plants)" in names
    response = _table_after(page, "Response schema: 201")
    assert "id" in [r[0] for r in response] and "secret" not in [r[0] for r in response]
    schemas = page.find(id="Animal").find_next("table")
    assert page.find(id="tocS_Animal") is not None and page.find(id="tocS_Meat") is not None
    assert "readOnly" in schemas.get_text() and "writeOnly" in schemas.get_text()


def test_max_depth(tmp_path: Path, run_cli: RunCli) -> None:
    deep = _build(tmp_path / "a", run_cli)
    shallow = _build(tmp_path / "b", run_cli, openapi="{spec: ../zoo.yaml, maxDepth: 2}")
    assert "»»»» deepest" in deep.find(id="Animal").find_next("table").get_text()
    text = shallow.find(id="Animal").find_next("table").get_text()
    assert "»» " not in text
    assert "» oneOf option 1" in text


def test_examples_from_the_spec_and_the_schema(tmp_path: Path, run_cli: RunCli) -> None:
    page = _build(tmp_path, run_cli)
    body = page.find(id="post-animals").find_next(string="Body parameter").find_next("code")
    value = json.loads(body.get_text())
    assert value["name"] == "Rex" and value["kind"] == "cat" and "id" not in value
    assert "parent" not in value  # circular: left out, not null
    assert value["food"] == {"grams": 1, "deep": {"deeper": {"deepest": "string"}}}
    response = page.find(id="post-animals").find_next(string="201 Response").find_next("code")
    assert "secret" not in json.loads(response.get_text()) and "id" in json.loads(response.get_text())


def test_code_samples_and_overrides(tmp_path: Path, run_cli: RunCli) -> None:
    page = _build(tmp_path, run_cli)
    shell = page.find(id="listAnimals").find_next("pre", class_="shell").get_text()
    assert (
        shell
        == "curl -X GET 'https://zoo.example.com/v2/animals?limit=5' \\\n  -H 'Accept: application/json'\n"
    )
    assert (
        "requests.request('GET'" in page.find(id="listAnimals").find_next("pre", class_="python").get_text()
    )
    keeper = page.find(id="get-keepers-id").find_next("pre", class_="shell").get_text()
    assert keeper == "curl https://zoo.example.com/v2/keepers/7 # by hand\n"
    none = _build(
        tmp_path / "n", run_cli, openapi="{spec: ../zoo.yaml, codeSamples: false, omitHeader: true}"
    )
    assert none.find("pre", class_="shell") is None
    assert [h.get_text() for h in none.select(".content h1")][:2] == ["Introduction", "animals"]


def test_search_finds_operations(tmp_path: Path, run_cli: RunCli) -> None:
    _build(tmp_path, run_cli)
    index = (tmp_path / "out" / "flagstone" / "search-index.js").read_text(encoding="utf-8")
    for word in ("listanimals", "animals", "keepers", "newanimal", "meat"):
        assert word in index.lower(), word
    assert '"listAnimals"' in index or "listAnimals" in index


def test_swagger_2_body_and_form_parameters(tmp_path: Path, run_cli: RunCli) -> None:
    spec = textwrap.dedent(
        """
        swagger: "2.0"
        info: {title: Old, version: "1"}
        host: old.example.com
        basePath: /api
        schemes: [https]
        paths:
          /things:
            post:
              consumes: [application/json]
              parameters:
                - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Thing"}}
              responses:
                "200": {description: ok, schema: {$ref: "#/definitions/Thing"}}
          /forms:
            post:
              consumes: [application/x-www-form-urlencoded]
              parameters:
                - {name: colour, in: formData, type: string, required: true}
              responses:
                "200": {description: ok}
        definitions:
          Thing: {type: object, properties: {size: {type: integer}}}
        """
    )
    page = _build(tmp_path, run_cli, spec=spec)
    shells = [pre.get_text() for pre in page.find_all("pre", class_="shell")]
    assert shells[0].startswith("curl -X POST 'https://old.example.com/api/things'")
    assert "--data-raw '{\n  \"size\": 0\n}'" in shells[0]
    assert "--data-raw 'colour=string'" in shells[1]
    assert page.find(id="tocS_Thing") is not None


def test_a_spec_split_over_files(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": PAGE.format(openapi="../spec/main.yaml"),
            "spec/main.yaml": """
            openapi: 3.0.3
            info: {title: Split, version: "1"}
            paths:
              /items:
                $ref: "paths/items.yaml"
            components:
              schemas:
                Item: {$ref: "schemas/item.yaml"}
            """,
            "spec/paths/items.yaml": """
            get:
              summary: All items
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {type: array, items: {$ref: "../schemas/item.yaml"}}
            """,
            "spec/schemas/item.yaml": """
            type: object
            properties:
              id: {type: integer}
              child: {$ref: "item.yaml"}
            """,
        },
    )
    out = tmp_path / "out"
    result = run_cli("build", project, "-o", out)
    assert result.status == 0, result.err
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [p.get_text() for p in page.select("p.openapi-endpoint")] == ["GET /items"]
    assert "child" in page.find(id="Item").find_next("table").get_text()
    # an edit of a file the spec refers to is a new build, not "up to date"
    item = project / "spec/schemas/item.yaml"
    item.write_text(item.read_text(encoding="utf-8").replace("id:", "code:"), encoding="utf-8")
    os.utime(item, ns=(1, 1))
    again = run_cli("build", project, "-o", out)
    assert again.status == 0 and "up to date" not in again.err
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "code" in page.find(id="Item").find_next("table").get_text()
    assert "up to date" in run_cli("build", project, "-o", out).err


def test_pages_without_openapi_are_unchanged(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": "# Hello\n\nText.\n"})
    assert run_cli("build", project, "-o", tmp_path / "out").status == 0
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "openapi" not in html


def test_tag_groups_are_h1_sections_over_their_tags(tmp_path: Path, run_cli: RunCli) -> None:
    spec = SPEC.replace("tags:\n", "x-tagGroups:\n  - {name: Park, tags: [animals]}\ntags:\n", 1)
    page = _build(tmp_path, run_cli, spec=spec)
    assert [h.get_text() for h in page.select(".content h1")] == [
        "Introduction",
        "Zoo v2",
        "Park",
        "Other",
        "Webhooks",
        "Schemas",
    ]
    assert [h.get_text() for h in page.select(".content h2")][:2] == ["animals", "Default"]
    assert page.find(id="listAnimals").name == "h3"
    assert page.find(id="listAnimals-parameters").name == "h4"


def test_a_tag_in_a_table_cell_description_is_text(tmp_path: Path, run_cli: RunCli) -> None:
    spec = SPEC.replace(
        "name: {type: string, example: Rex}",
        "name: {type: string, example: Rex, description: 'Sets the page <title>, see <code>x</code>'}",
    )
    page = _build(tmp_path, run_cli, spec=spec)
    row = page.find(id="Named").find_next("table").find_all("tr")[1]
    assert row.find_all("td")[4].get_text() == "Sets the page <title>, see x"
    assert row.find("title") is None and row.find("code") is not None


def test_a_large_schema_inside_another_links_to_its_section(tmp_path: Path, run_cli: RunCli) -> None:
    """In the Schemas section a named schema of more than 8 properties inside another is its link (its
    own section has its table); an operation's tables still expand it in place, as a small one is."""
    many = ", ".join(f"p{i}: {{type: string}}" for i in range(9))
    spec = textwrap.dedent(
        f"""
        openapi: 3.0.3
        info: {{title: Big, version: "1"}}
        paths:
          /holders:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: "#/components/schemas/Holder"}}
        components:
          schemas:
            Holder:
              type: object
              properties:
                big: {{$ref: "#/components/schemas/Big"}}
                small: {{$ref: "#/components/schemas/Small"}}
            Big: {{type: object, properties: {{{many}}}}}
            Small: {{type: object, properties: {{s1: {{type: string}}}}}}
        """
    )
    page = _build(tmp_path, run_cli, spec=spec)
    rows = page.find(id="Holder").find_next("table").find_all("tr")[1:]
    names = [tr.find("td").get_text() for tr in rows]
    assert names == ["big", "small", "» s1"]
    assert rows[0].find("a")["href"] == "#Big"
    response = [r[0] for r in _table_after(page, "Response schema: 200")]
    assert response[:3] == ["big", "» p0", "» p1"] and "» s1" in response
