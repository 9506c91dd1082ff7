"""The reference's operations and schemas as Markdown kept between builds, each keyed by all it depends on."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import cache
from pathlib import Path

from flagstone.errors import DocumentError, Problem
from flagstone.openapi.locate import Pointer
from flagstone.openapi.model import METHODS, Api, Operation
from flagstone.openapi.references import Node, Spec, _refs
from flagstone.storage.files import atomic_write, content_digest, from_json, json_chunks

# Top-level keys whose entries are keyed one by one (an edit in one operation or schema changes no other
# key); every other key of the document is in every piece's key.
_ENTRIES = frozenset({"paths", "webhooks", "components", "definitions", "parameters", "responses"})
_METHODS = frozenset({*METHODS, "query"})
_FILES = 32  # a store's files: an edit writes again the one holding its old piece and its new one


class PieceStore:
    """Pieces by key (get/put), kept as tagged JSON in a folder of a few files, each holding the pieces
    whose keys fall in it: a file per piece made a cold build of GitHub's 2,192 pieces 0.7 s slower,
    opening files. A damaged or foreign file is a miss for every piece in it. `save` writes the files
    that changed, each with only the pieces this build read or wrote."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[int, dict[str, object]] = {}  # loaded, by number
        self._used: dict[int, set[str]] = {}
        self._changed: set[int] = set()

    def _file(self, key: str) -> tuple[int, dict[str, object]]:
        number = int(key[:2], 16) % _FILES
        found = self._files.get(number)
        if found is None:
            try:
                data = from_json((self.folder / f"{number}.json").read_bytes())
            except (OSError, ValueError):
                data = None
            found = self._files[number] = data if isinstance(data, dict) else {}
            self._used[number] = set()
        return number, found

    def get(self, key: str) -> object | None:
        """The value kept under `key`, or None."""
        number, pieces = self._file(key)
        found = pieces.get(key)
        if found is not None:
            self._used[number].add(key)
        return found

    def put(self, key: str, value: object) -> None:
        """Keep `value` (plain data) under `key`."""
        number, pieces = self._file(key)
        pieces[key] = value
        self._used[number].add(key)
        self._changed.add(number)

    def save(self) -> None:
        """Write the files whose pieces changed or went unused; a folder that cannot be written keeps
        nothing (the next build writes the pieces again)."""
        for number in range(_FILES):
            pieces = self._file(f"{number:02x}")[1]
            kept = {key: value for key, value in pieces.items() if key in self._used[number]}
            if number not in self._changed and len(kept) == len(pieces):
                continue
            path = self.folder / f"{number}.json"
            try:
                if not kept:
                    path.unlink(missing_ok=True)
                    continue
                atomic_write(path, json_chunks(kept))
            except OSError:
                pass


@cache
def _code() -> str:
    """flagstone's OpenAPI code and renderer (its tables are HTML markdown-it makes), as one digest."""
    from flagstone.storage.store import code_fingerprint

    return code_fingerprint()  # every module of flagstone, the OpenAPI ones with them


class PieceKeys:
    """The key of each operation's and schema's Markdown: a digest of the code, the options, the document
    outside its paths and components, the schemas' names, the piece's own node and every node its
    `$ref`s lead to, in turn."""

    def __init__(self, spec: Spec, api: Api, options: object) -> None:
        self.spec = spec
        document = spec.document
        components = document.get("components")
        shared = {k: v for k, v in document.items() if k not in _ENTRIES}
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        names = [(name, node.uri, node.pointer) for name, node in api.schemas]
        self.common = content_digest((_code(), repr(options), shared, schemes, names))
        self._digests: dict[tuple[str, Pointer], str] = {}
        self._edges: dict[tuple[str, Pointer], list[tuple[str, Pointer]]] = {}
        self._values: dict[tuple[str, Pointer], Node] = {}

    def _direct(self, key: tuple[str, Pointer] | None, node: Node) -> list[tuple[str, Pointer]]:
        """The nodes the `$ref`s under `node` (kept as `key`'s, unless None) lead to, once each in the
        order found."""
        found = self._edges.get(key) if key is not None else None
        if found is None:
            targets: dict[tuple[str, Pointer], None] = {}
            for ref, where in _refs(node.value, node.pointer):
                try:
                    target = self.spec.target(Node({"$ref": ref}, node.uri, where))
                except DocumentError:
                    continue
                self._values[(target.uri, target.pointer)] = target
                targets[(target.uri, target.pointer)] = None
            found = list(targets)
            if key is not None:
                self._edges[key] = found
        return found

    def _reached(self, node: Node) -> list[tuple[str, Pointer]]:
        """Every node the `$ref`s under `node` lead to, and theirs in turn, once each, in an order that
        follows from their content."""
        seen: dict[tuple[str, Pointer], None] = {}
        pending = list(reversed(self._direct(None, node)))
        while pending:
            current = pending.pop()
            if current not in seen:
                seen[current] = None
                pending.extend(reversed(self._direct(current, self._values[current])))
        return list(seen)

    def _digest(self, key: tuple[str, Pointer]) -> str:
        found = self._digests.get(key)
        if found is None:
            found = self._digests[key] = content_digest(self._values[key].value)
        return found

    def _key(self, *own: object, node: Node) -> str:
        reached = self._reached(node)
        return content_digest((self.common, own, [(k, self._digest(k)) for k in reached]))

    def operation(self, op: Operation, level: int) -> str:
        """The key of an operation's Markdown: its path item without the other operations, its refs."""
        root = self.spec.root.get("webhooks" if op.webhook else "paths")
        item = root.get(op.path) if root is not None else None
        value = item.value if item is not None else None
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k == op.method or k not in _METHODS}
        node = Node(value, item.uri, item.pointer) if item is not None else Node(None, "", ())
        return self._key("operation", level, op.method, op.path, op.webhook, value, node=node)

    def schema(self, name: str, node: Node) -> str:
        """The key of a schema section's Markdown."""
        return self._key("schema", name, node.uri, node.pointer, node.value, node=node)


def store_for(state: Path, spec: Path, options: object) -> PieceStore:
    """The store of one spec's pieces (as built with `options`) in a project's state folder."""
    name = hashlib.sha256(f"{spec.resolve()}\n{options!r}".encode()).hexdigest()[:16]
    return PieceStore(state / "openapi-pieces" / name)


def verdict_key(spec: Spec) -> str:
    """The key of the validator's warnings for a spec: its files' text, and the code."""
    files = [(uri, found.text) for uri, found in spec.files.items()]
    return content_digest(("verdict", _code(), _validators(), files))


@cache
def _validators() -> tuple[tuple[str, int, int], ...]:
    """Where the validator's libraries are, with their sizes and times: found, not imported."""
    found = []
    for name in ("openapi_spec_validator", "jsonschema", "jsonschema_rs"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            info = os.stat(spec.origin)
            found.append((spec.origin, info.st_size, info.st_mtime_ns))
    return tuple(found)


def problems_of(kept: tuple[object, ...]) -> tuple[Problem, ...] | None:
    """Kept warnings as Problems, or None for an entry of another shape."""
    try:
        return tuple(Problem(**fields) for fields in kept)  # type: ignore[arg-type]
    except TypeError:
        return None
