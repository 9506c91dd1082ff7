"""Plain data in files that reading can never make run code, each written whole or not at all."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

# JSON, each array tagged by its first element, so tuples, lists, dicts with any keys and frozen
# dataclasses come back as they were. A dataclass is named by its class name, and read back only as
# one of the classes the reader names (its `kinds`).
_TUPLE, _LIST, _DICT, _CLASS = "t", "l", "d", "c"
_BATCH = 4096  # items of a long sequence written at once


def content_digest(value: object) -> str:
    """A digest of plain data, for a key that names its content. Pickled: a pickle reads back to exactly
    what was written, so no two values share it (no text can pass for another field, as it could in a
    joined string)."""
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=20).hexdigest()


def atomic_write(path: Path, chunks: Iterable[bytes]) -> None:
    """Write `path` from `chunks` through a temporary file beside it: readers see the old file or the
    whole new one, never a torn one. OSError (and TypeError from a chunk that is not plain data)
    leave the old file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with temporary.open("wb") as handle:
            handle.writelines(chunks)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def to_json(value: object) -> bytes:
    """`value` (None, bool, int, float, str, tuples, lists, dicts and dataclasses of these) as tagged
    JSON; TypeError for anything else."""
    return b"".join(json_chunks(value))


def json_chunks(value: object) -> Iterator[bytes]:
    """to_json's bytes, a chunk at a time: a long sequence (the pieces of a file of tens of megabytes)
    goes a batch of items at a time, so it is never held as JSON whole, nor encoded whole beside it."""
    for text in _chunks(value):
        yield text.encode("utf-8", "surrogatepass")


def _chunks(value: object) -> Iterator[str]:
    kind = type(value)
    if kind is tuple or kind is list or kind is dict:
        items: Any = [part for pair in value.items() for part in pair] if kind is dict else value  # type: ignore[attr-defined]
        yield f'["{_TUPLE if kind is tuple else _LIST if kind is list else _DICT}"'
        if len(items) > _BATCH:
            for start in range(0, len(items), _BATCH):
                yield "," + _dumps([_tagged(item) for item in items[start : start + _BATCH]])[1:-1]
        else:  # a few items, each of which may be long
            for item in items:
                yield ","
                yield from _chunks(item)
        yield "]"
        return
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield f"[{_dumps(_CLASS)},{_dumps(kind.__name__)}"
        for field in dataclasses.fields(value):
            yield ","
            yield from _chunks(getattr(value, field.name))
        yield "]"
        return
    yield _dumps(_tagged(value))


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def from_json(data: bytes, kinds: Iterable[type] = ()) -> object:
    """What to_json wrote, its dataclasses made only from `kinds`; ValueError for anything else (a
    damaged or foreign file)."""
    classes = {kind.__name__: kind for kind in kinds}
    try:
        return _untagged(json.loads(data.decode("utf-8", "surrogatepass")), classes)
    except (TypeError, KeyError, IndexError, RecursionError, UnicodeDecodeError) as error:
        raise ValueError(f"not a flagstone data file: {error!r}") from None


def _tagged(value: object) -> Any:
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind is tuple:
        return [_TUPLE, *map(_tagged, value)]  # type: ignore[call-overload]
    if kind is list:
        return [_LIST, *map(_tagged, value)]  # type: ignore[call-overload]
    if kind is dict:
        return [_DICT, *(_tagged(part) for pair in value.items() for part in pair)]  # type: ignore[attr-defined]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (_tagged(getattr(value, field.name)) for field in dataclasses.fields(value))
        return [_CLASS, kind.__name__, *fields]
    raise TypeError(f"{kind.__name__} is not plain data")


def _untagged(value: Any, classes: dict[str, type]) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is not list:  # a JSON object: never written
        raise TypeError("a JSON object")
    tag = value[0]
    items = [item if type(item) is str else _untagged(item, classes) for item in value[1:]]
    if tag == _TUPLE:
        return tuple(items)
    if tag == _LIST:
        return items
    if tag == _DICT:
        return dict(zip(items[0::2], items[1::2], strict=True))
    if tag == _CLASS:
        return classes[items[0]](*items[1:])
    raise TypeError(f"an array tagged {tag!r}")
