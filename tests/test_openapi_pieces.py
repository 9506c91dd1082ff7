"""The reference's operations and schemas kept between builds (openapi/pieces.py): reused while all they
depend on is unchanged, written again otherwise, the output as a build without them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flagstone.errors import DocumentError
from flagstone.openapi.markdown import Options, Writer
from flagstone.openapi.pieces import PieceStore
from flagstone.openapi.reference import reference
from flagstone.storage.files import from_json, to_json
from tests.conftest import RunCli, write_project

SPEC = """
openapi: 3.0.3
info: {title: Zoo, version: "1"}
paths:
  /animals:
    get:
      operationId: listAnimals
      summary: List animals
      description: Every animal in the zoo.
      responses:
        "200":
          description: The animals
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Animal"}}
    post:
      operationId: addAnimal
      summary: Add an animal
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Animal"}
      responses:
        "201": {description: Added}
  /keepers:
    get:
      operationId: listKeepers
      summary: List keepers
      responses:
        "200": {description: The keepers}
components:
  schemas:
    Animal:
      type: object
      properties:
        name: {type: string, description: Its name}
        keeper: {$ref: "#/components/schemas/Keeper"}
    Keeper:
      type: object
      properties:
        badge: {type: integer}
"""
PAGE = """
---
title: Zoo
openapi: ../zoo.yaml
---

# Introduction
"""
OPTIONS = Options(language_tabs=("shell", "python"), html_tables=True)


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "zoo.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pieces written (not taken from the store) from now on: 'operation' or 'schema' each."""
    written: list[str] = []
    operation, schema_section = Writer.operation, Writer.schema_section

    def counted_operation(self: Writer, *args: object) -> list[str]:
        written.append("operation")
        return operation(self, *args)  # type: ignore[arg-type]

    def counted_schema(self: Writer, *args: object) -> list[str]:
        written.append("schema")
        return schema_section(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Writer, "operation", counted_operation)
    monkeypatch.setattr(Writer, "schema_section", counted_schema)
    return written


def _markdown(path: Path, store: PieceStore | None) -> str:
    return reference(path, lambda p: p.name, OPTIONS, store=store).markdown


def test_an_unchanged_spec_takes_every_piece_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _spec(tmp_path, SPEC)
    written = _counted(monkeypatch)
    first = _markdown(path, PieceStore(tmp_path / "store"))
    assert sorted(written) == ["operation"] * 3 + ["schema"] * 2
    written.clear()
    assert _markdown(path, PieceStore(tmp_path / "store")) == first
    assert written == []
    assert first == _markdown(path, None)


def test_an_edit_writes_again_only_what_depends_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _spec(tmp_path, SPEC)
    _markdown(path, PieceStore(tmp_path / "store"))
    written = _counted(monkeypatch)
    path.write_text(path.read_text().replace("Every animal in the zoo.", "All the animals."))
    edited = _markdown(path, PieceStore(tmp_path / "store"))
    assert written == ["operation"]
    assert "All the animals." in edited and "Every animal" not in edited
    # a schema edit reaches every operation and schema whose $refs lead to it, and no other
    written.clear()
    path.write_text(path.read_text().replace("badge: {type: integer}", "badge: {type: string}"))
    edited = _markdown(path, PieceStore(tmp_path / "store"))
    assert sorted(written) == ["operation", "operation", "schema", "schema"]
    written.clear()
    assert edited == _markdown(path, None)


def test_a_kept_piece_whose_ids_are_taken_is_written_again(tmp_path: Path) -> None:
    path = _spec(tmp_path, SPEC)
    _markdown(path, PieceStore(tmp_path / "store"))
    # the first operation now takes the id the third one had: the third's kept piece cannot be reused
    path.write_text(path.read_text().replace("operationId: listAnimals", "operationId: listKeepers"))
    edited = _markdown(path, PieceStore(tmp_path / "store"))
    assert 'id="listKeepers-2"' in edited
    assert edited == _markdown(path, None)


def _pieces(path: Path) -> dict[str, object]:
    """The pieces in one file of a store (not the validator's verdict, kept beside them), by key."""
    found = from_json(path.read_bytes())
    assert isinstance(found, dict)
    return {
        key: value
        for key, value in found.items()
        if isinstance(value, tuple) and value and isinstance(value[0], list)
    }


def _kept(folder: Path) -> dict[str, object]:
    """Every piece in a store's files, by key."""
    pieces: dict[str, object] = {}
    for path in folder.glob("*.json"):
        pieces.update(_pieces(path))
    return pieces


def test_a_damaged_store_file_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _spec(tmp_path, SPEC)
    first = _markdown(path, PieceStore(tmp_path / "store"))
    files = sorted((tmp_path / "store").glob("*.json"), key=lambda f: len(_pieces(f)))
    assert len(_kept(tmp_path / "store")) == 5
    damaged = len(_pieces(files[0]))
    files[0].write_bytes(files[0].read_bytes()[:-7])  # cut short
    written = _counted(monkeypatch)
    assert _markdown(path, PieceStore(tmp_path / "store")) == first
    assert len(written) == damaged
    # a piece of the wrong shape in a sound file
    written.clear()
    pieces = _pieces(files[-1])
    files[-1].write_bytes(to_json(dict.fromkeys(pieces, (["no log"], ["text"]))))
    assert _markdown(path, PieceStore(tmp_path / "store")) == first
    assert len(written) == len(pieces)
    written.clear()
    (tmp_path / "store" / "0.json").write_bytes(b"not json")
    assert _markdown(path, PieceStore(tmp_path / "store")) == first


def test_unused_pieces_are_removed(tmp_path: Path) -> None:
    path = _spec(tmp_path, SPEC)
    _markdown(path, PieceStore(tmp_path / "store"))
    before = set(_kept(tmp_path / "store"))
    path.write_text(path.read_text().replace("Every animal in the zoo.", "All the animals."))
    _markdown(path, PieceStore(tmp_path / "store"))
    after = set(_kept(tmp_path / "store"))
    assert len(after) == 5 and len(after - before) == 1


def test_an_edited_description_shows_in_the_rebuilt_site(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": PAGE, "zoo.yaml": SPEC})
    assert run_cli("build", project, "-o", tmp_path / "out").status == 0
    spec = project / "zoo.yaml"
    spec.write_text(spec.read_text().replace("Every animal in the zoo.", "All the animals."))
    result = run_cli("build", project, "-o", tmp_path / "out")
    assert result.status == 0, result.err
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "All the animals." in html and "Every animal" not in html
    assert run_cli("build", project, "-o", tmp_path / "fresh", "--no-cache").status == 0
    assert (tmp_path / "fresh" / "index.html").read_text(encoding="utf-8") == html


def test_errors_stay_located_after_a_kept_build(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": PAGE, "zoo.yaml": SPEC})
    assert run_cli("build", project, "-o", tmp_path / "out").status == 0
    spec = project / "zoo.yaml"
    spec.write_text(spec.read_text().replace('"201": {description: Added}', '"201": [a list]'))
    result = run_cli("build", project, "-o", tmp_path / "out")
    assert result.status == 1
    assert "Traceback" not in result.err
    message = "zoo.yaml:23:16: paths./animals.post.responses.201: expected a Response object, got a list"
    assert message in result.err
    with pytest.raises(DocumentError) as raised:
        _markdown(spec, None)
    assert message.split(":", 1)[1] in str(raised.value)


def test_an_unchanged_spec_is_not_validated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import flagstone.openapi.reference as made

    path = _spec(tmp_path, SPEC.replace("summary: List keepers", "summary: List keepers\n      sumary: typo"))
    validated: list[object] = []
    validate = made.validate
    monkeypatch.setattr(made, "validate", lambda *args: validated.append(args) or validate(*args))
    first = reference(path, lambda p: p.name, OPTIONS, store=PieceStore(tmp_path / "store")).warnings
    assert len(validated) == 1
    assert [w.format() for w in first] == [
        "zoo.yaml: a value does not match its schema: Additional properties are not allowed ('sumary' was unexpected)"
    ]
    again = reference(path, lambda p: p.name, OPTIONS, store=PieceStore(tmp_path / "store")).warnings
    assert again == first and len(validated) == 1
    path.write_text(path.read_text().replace("Every animal in the zoo.", "All the animals."))
    edited = reference(path, lambda p: p.name, OPTIONS, store=PieceStore(tmp_path / "store")).warnings
    assert edited == first and len(validated) == 2


def test_no_cache_keeps_no_pieces(run_cli: RunCli, tmp_path: Path, private_cache: Path) -> None:
    """`--no-cache` leaves the state folder alone: the reference's pieces are made, never kept."""
    project = write_project(tmp_path / "p", {"source/index.html.md": PAGE, "zoo.yaml": SPEC})
    assert run_cli("build", project, "-o", tmp_path / "out", "--no-cache").status == 0
    assert "List animals" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert not list(private_cache.rglob("openapi-pieces"))
    assert run_cli("build", project, "-o", tmp_path / "cached").status == 0
    assert list(private_cache.rglob("openapi-pieces"))
