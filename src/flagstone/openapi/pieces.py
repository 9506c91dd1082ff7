"""The reference's operations and schemas as Markdown kept between builds, each keyed by all it depends on."""

from __future__ import annotations

import contextlib
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from flagstone.errors import DocumentError
from flagstone.memo import content_digest, from_json, to_json
from flagstone.openapi.locate import Pointer
from flagstone.openapi.model import METHODS, Api, Operation
from flagstone.openapi.references import Node, Spec, _refs

# Top-level keys whose entries are keyed one by one (an edit in one operation or schema changes no other
# key); every other key of the document is in every piece's key.
_ENTRIES = frozenset({"paths", "webhooks", "components", "definitions", "parameters", "responses"})
_METHODS = frozenset({*METHODS, "query"})


class PieceStore:
    """Pieces as tagged JSON files in a folder (get/put by key); a damaged or foreign file is a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> Any:
        """The value kept under `key`, or None."""
        self.used.add(key)
        try:
            return from_json(self._path(key).read_bytes())
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: object) -> None:
        """Keep `value` (plain data) under `key`; a store that cannot be written keeps nothing."""
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}"
            temporary.write_bytes(to_json(value))
            os.replace(temporary, self._path(key))
        except OSError:
            pass

    def forget_unused(self) -> None:
        """Remove the pieces this build neither read nor wrote: the folder holds one spec's last build."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".json") and name[:-5] not in self.used:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)


@cache
def _code() -> str:
    """flagstone's OpenAPI code and renderer (its tables are HTML markdown-it makes), as one digest."""
    from flagstone.cache import renderer_fingerprint

    digest = hashlib.sha256(renderer_fingerprint().encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


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
