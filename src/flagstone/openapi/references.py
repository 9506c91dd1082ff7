"""Every file of a spec joined by relative `$ref`s, resolved with `referencing`; ref cycles are errors."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable

from flagstone.errors import DocumentError, Problem, expected_got
from flagstone.openapi.locate import Pointer, SpecFile, expect_document, load_spec_file, problem_at

# Subtrees holding data, not spec: a "$ref" key in an example is the example's own.
_DATA_KEYS = frozenset({"example", "default", "enum", "const", "value"})


@dataclass(frozen=True)
class Node:
    """A value of the spec with where it is: the file's URI and the JSON pointer inside it."""

    value: Any
    uri: str
    pointer: Pointer

    def child(self, key: str | int) -> Node:
        value = self.value[key] if isinstance(self.value, dict | list) else None  # type: ignore[index]
        return Node(value, self.uri, (*self.pointer, key))

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return self.child(key)
        return None

    def items(self) -> Iterator[tuple[str, Node]]:
        if isinstance(self.value, dict):
            for key in self.value:
                yield str(key), self.child(key)

    def each(self, key: str) -> Iterator[Node]:
        """The elements of the list at `key`, none when there is no list."""
        found = self.get(key)
        return found.elements() if found is not None else iter(())

    def elements(self) -> Iterator[Node]:
        if isinstance(self.value, list):
            for index in range(len(self.value)):
                yield self.child(index)


def _pointer_of(fragment: str) -> Pointer:
    if not fragment or fragment == "/":
        return ()
    return tuple(unquote(p).replace("~1", "/").replace("~0", "~") for p in fragment.lstrip("/").split("/"))


def _refs(value: Any, pointer: Pointer) -> Iterator[tuple[str, Pointer]]:
    """Every `$ref` string in a document, with the pointer of the object holding it."""
    stack: list[tuple[Any, Pointer]] = [(value, pointer)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref, where
            for key, child in item.items():
                if isinstance(child, dict | list) and key not in _DATA_KEYS and not str(key).startswith("x-"):
                    stack.append((child, (*where, key)))
        elif isinstance(item, list):
            stack.extend(
                (child, (*where, i)) for i, child in enumerate(item) if isinstance(child, dict | list)
            )


class Spec:
    """A loaded spec: its files, a `referencing` registry over them, and `$ref` following with locations."""

    def __init__(self, root: Path, display: Callable[[Path], str], inside: Path | None = None) -> None:
        self.display = display
        self.inside = inside.resolve() if inside else None
        self.root_uri = root.resolve().as_uri()
        self.files: dict[str, SpecFile] = {}
        self.stamps_by_path: dict[str, str] = {}
        self._targets: dict[tuple[str, str], Node] = {}
        self._ref_lists: dict[str, list[tuple[str, Pointer]]] = {}
        self._load(self.root_uri, None)
        self.document = expect_document(self.files[self.root_uri])
        self.registry: Registry[Any] = Registry().with_resources(
            (uri, Resource.opaque(spec.data)) for uri, spec in self.files.items()
        )
        self._check_refs()

    @property
    def root(self) -> Node:
        return Node(self.document, self.root_uri, ())

    @property
    def stamps(self) -> tuple[tuple[str, str], ...]:
        """Every file read, as (absolute path, "size<TAB>mtime_ns" taken before it was read)."""
        return tuple(sorted(self.stamps_by_path.items()))

    def _load(self, uri: str, where: Problem | None) -> None:
        """The file at `uri` and, in turn, every file its `$ref`s name."""
        pending = [(uri, where)]
        while pending:
            uri, where = pending.pop()
            if uri in self.files:
                continue
            path = Path(unquote(uri.removeprefix("file://")))
            if self.inside is not None and not path.resolve().is_relative_to(self.inside):
                problem = where or Problem(str(path), None, "")
                raise DocumentError(
                    Problem(
                        problem.path,
                        problem.line,
                        expected_got("a spec file inside the project", str(path)),
                        key=problem.key,
                        column=problem.column,
                    )
                )
            if not path.is_file():
                problem = where or Problem(self.display(path), None, "")
                message = f"$ref target file not found: {self.display(path)}"
                raise DocumentError(
                    Problem(problem.path, problem.line, message, key=problem.key, column=problem.column)
                )
            info = os.stat(path)  # before reading: an edit made meanwhile is seen by the next build
            self.stamps_by_path[str(path.resolve())] = f"{info.st_size}\t{info.st_mtime_ns}"
            spec = load_spec_file(path, self.display(path))
            self.files[uri] = spec
            self._ref_lists[uri] = refs = list(_refs(spec.data, ()))
            files: dict[
                str, str
            ] = {}  # each distinct ref's file, worked out once (GitHub's 9,344 are 1,026 refs)
            for ref, pointer in refs:
                target = files.get(ref)
                if target is None:
                    target = files[ref] = urldefrag(urljoin(uri, ref)).url
                if target.startswith("file://") and target not in self.files:
                    pending.append((target, problem_at(spec, (*pointer, "$ref"), "")))

    def _check_refs(self) -> None:
        problems: list[Problem] = []
        # A $ref that resolves from one place resolves from any in its file (its chain of targets is
        # the same, and comes back to none of them): GitHub's 9,344 $refs are 1,026 distinct ones.
        resolved: set[tuple[str, str]] = set()
        for uri in self.files:
            for ref, pointer in self._ref_lists.pop(uri):
                if (uri, ref) in resolved:
                    continue
                try:
                    self.deref(Node({"$ref": ref}, uri, pointer))
                    resolved.add((uri, ref))
                except DocumentError as error:
                    problems.extend(error.problems)
                if len(problems) >= 20:
                    break
        if problems:
            raise DocumentError(*dict.fromkeys(problems))

    def where(self, node: Node, message: str, hint: str = "") -> Problem:
        return problem_at(self.files[node.uri], node.pointer, message, hint)

    def target(self, node: Node) -> Node:
        """Where one `$ref` leads (not followed further)."""
        ref = node.value["$ref"]
        known = self._targets.get((node.uri, ref))
        if known is not None:  # where a ref leads from one file is where it leads from anywhere in it
            return known
        uri, fragment = urldefrag(urljoin(node.uri, ref))
        if not uri.startswith("file://"):
            raise DocumentError(self.where(node.child("$ref"), expected_got("a relative $ref", repr(ref))))
        try:
            resolved = self.registry.resolver(base_uri=node.uri).lookup(ref)
        except Unresolvable:
            raise DocumentError(self.where(node.child("$ref"), f"$ref target not found: {ref}")) from None
        found = self._targets[(node.uri, ref)] = Node(resolved.contents, uri, _pointer_of(fragment))
        return found

    def deref(self, node: Node) -> Node:
        """The node itself, or where its chain of `$ref`s ends; a chain that comes back is an error."""
        seen: list[tuple[str, Pointer]] = []
        while isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
            if (node.uri, node.pointer) in seen:
                loop = seen[seen.index((node.uri, node.pointer)) :]
                # reported once, from the same place, whichever of its members it was reached from
                start = min(range(len(loop)), key=lambda i: (loop[i][0], "/".join(map(str, loop[i][1]))))
                loop = [*loop[start:], *loop[:start], loop[start]]
                chain = " -> ".join("#/" + "/".join(map(str, pointer)) for _, pointer in loop)
                raise DocumentError(self.where(Node(None, *loop[0]), f"$ref cycle: {chain}"))
            seen.append((node.uri, node.pointer))
            node = self.target(node)
        return node
