"""One spec to its reference Markdown: load, check references, validate, read, write."""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from flagstone.errors import DocumentError, Problem
from flagstone.forked import in_child
from flagstone.openapi.markdown import Options, Writer
from flagstone.openapi.model import Api, read_api
from flagstone.openapi.pieces import PieceStore, problems_of, verdict_key
from flagstone.openapi.references import Spec
from flagstone.openapi.validate import validate

T = TypeVar("T")


@dataclass(frozen=True)
class Reference:
    """A spec's reference as Slate Markdown, its warnings, and every file it was read from."""

    parts: tuple[str, ...]  # the header, each tag (or tag group), webhooks, schemas
    warnings: tuple[Problem, ...]
    files: tuple[tuple[str, str], ...]  # (absolute path, "size<TAB>mtime_ns" when it was read)

    @property
    def markdown(self) -> str:
        return "\n".join(self.parts)


# A build's reference comes in parts of about this many characters, rendered side by side and cached
# apart: an edit renders its part again, not its whole tag (GitHub's repos tag is 3 MB).
_PART_SIZE = 250_000
# Above this much spec text the validator runs in a forked child while the reference is written here.
_VALIDATE_BESIDE = 1_000_000


def _checked(spec: Spec) -> bytes:
    """The validator's verdict, pickled to cross the pipe from the child."""
    try:
        return pickle.dumps(("ok", validate(spec.files[spec.root_uri], spec.document)))
    except DocumentError as error:
        return pickle.dumps(("error", error.problems))


@contextmanager
def _validation(spec: Spec, store: PieceStore | None = None) -> Iterator[Callable[[], tuple[Problem, ...]]]:
    """A function giving the spec's warnings or raising its errors; for a large spec, run on another
    core meanwhile (only with no other thread, which a fork would copy mid-step). A spec whose files
    are as they were when `store` kept its warnings is not validated again."""
    key = verdict_key(spec) if store is not None else ""
    kept = store.get(key) if store is not None else None
    if isinstance(kept, tuple) and (warnings := problems_of(kept)) is not None:
        yield lambda: warnings
        return
    size = len(spec.files[spec.root_uri].text)
    # Above FULL_CHECK_LIMIT only the shape is checked, which jsonschema-rs does at once: the child then
    # spares this process the validator's import (0.25 s), as the reference of an edited spec is mostly
    # kept pieces (see pieces.py).
    beside = size > _VALIDATE_BESIDE and threading.active_count() == 1
    with in_child(partial(_checked, spec)) if beside else nullcontext(partial(_checked, spec)) as verdict:

        def outcome() -> tuple[Problem, ...]:
            kind, found = pickle.loads(verdict())
            if kind == "error":
                raise DocumentError(*found)
            if store is not None:  # only a spec that validates: errors are worked out again, located
                store.put(key, tuple(asdict(problem) for problem in found))
            return tuple(found)

        yield outcome


def _guarded(display: str, doing: str, work: Callable[[], T]) -> T:
    """Work on the spec; an unforeseen failure in it is a DocumentError naming the spec, not a traceback."""
    try:
        return work()
    except DocumentError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError) as error:
        if os.environ.get("FLAGSTONE_DEBUG"):
            raise
        raise DocumentError(
            Problem(display, None, f"could not {doing}: {type(error).__name__}: {error}")
        ) from None


def _open(path: Path, display: Callable[[Path], str], inside: Path | None) -> Spec:
    if not path.is_file():
        raise DocumentError(Problem(display(path), None, "OpenAPI file not found"))
    return Spec(path, display, inside)


def load(
    path: Path, display: Callable[[Path], str], inside: Path | None = None
) -> tuple[Spec, Api, tuple[Problem, ...]]:
    """A spec read and validated; any problem in it is a located DocumentError."""
    spec = _open(path, display, inside)
    with _validation(spec) as validation:
        warnings = validation()
    return spec, _guarded(display(path), "read the spec", partial(read_api, spec)), warnings


def reference(
    path: Path,
    display: Callable[[Path], str],
    options: Options,
    inside: Path | None = None,
    store: PieceStore | None = None,
) -> Reference:
    """The reference Markdown of the spec at `path` (its `$ref`ed files only from inside `inside`).
    A large spec is read in a forked child: its data (GitHub's 13 MB is 300 MB of Python objects)
    then never swells this process, nor the render workers it forks later."""
    if not (path.is_file() and path.stat().st_size > _VALIDATE_BESIDE and threading.active_count() == 1):
        return _reference(path, display, options, inside, store)
    with in_child(partial(_made, path, display, options, inside, store)) as made:
        kind, found = pickle.loads(made())
    if kind == "error":
        raise DocumentError(*found)
    assert isinstance(found, Reference)
    return found


def _made(
    path: Path,
    display: Callable[[Path], str],
    options: Options,
    inside: Path | None,
    store: PieceStore | None,
) -> bytes:
    """The reference or its problems, pickled to cross the pipe from the child."""
    try:
        return pickle.dumps(("ok", _reference(path, display, options, inside, store)))
    except DocumentError as error:
        return pickle.dumps(("error", error.problems))


def _reference(
    path: Path,
    display: Callable[[Path], str],
    options: Options,
    inside: Path | None,
    store: PieceStore | None = None,
) -> Reference:
    spec = _open(path, display, inside)
    with _validation(spec, store) as validation:
        try:
            api = _guarded(display(path), "read the spec", partial(read_api, spec))
            writer = Writer(spec, api, options, store)
            parts = _guarded(display(path), "write the reference", partial(writer.parts, _PART_SIZE))
        except DocumentError:
            validation()  # the validator's errors say more than what they caused here
            raise
        warnings = validation()
    if store is not None:
        store.save()
    texts = tuple(text for _, text in parts)
    return Reference(texts, warnings, spec.stamps)
