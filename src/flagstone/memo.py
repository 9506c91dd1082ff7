"""What a build keeps for the next one: finished pieces, keyed by all they depend on."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Hashable
from pathlib import Path


def content_digest(value: object) -> str:
    """A digest of plain data, for a key that names its content. Pickled: a pickle reads back to exactly
    what was written, so no two values share it (no text can pass for another field, as it could in a
    joined string), and it is the quickest full serialization there is (half of JSON's time)."""
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=20).hexdigest()


class Memo:
    """Values keyed by everything that went into them, so a hit is exactly what making it would give.

    A build takes what it uses into the current generation; `rotate`, after a successful build,
    drops whatever that build did not use, so the memo holds about one build's worth.
    """

    def __init__(self) -> None:
        self._previous: dict[Hashable, object] = {}
        self._current: dict[Hashable, object] = {}

    def get(self, key: Hashable) -> object | None:
        value = self._current.get(key)
        if value is None:
            value = self._previous.pop(key, None)
            if value is not None:
                self._current[key] = value
        return value

    def put(self, key: Hashable, value: object) -> None:
        self._current[key] = value

    def rotate(self) -> None:
        self._previous, self._current = self._current, {}


class StoredMemo(Memo):
    """A memo whose last generation comes from a file, for builds that each run in a process of their
    own (`flagstone build`). Only for keys and values that are plain data and name their content.

    The file is read on first use, and names the renderer that made it (`fingerprint`): a file from
    another flagstone counts as empty. `save` writes what this build used, atomically, unless that is
    what the file already holds.
    """

    def __init__(self, path: Path, fingerprint: str) -> None:
        super().__init__()
        self.path = path
        self.fingerprint = fingerprint
        self._loaded = False
        self._stored: set[Hashable] = set()  # the keys the file held
        self._changed = False  # something was put

    def get(self, key: Hashable) -> object | None:
        if not self._loaded:
            self._loaded = True
            try:
                fingerprint, entries = pickle.loads(self.path.read_bytes())
                if fingerprint == self.fingerprint and isinstance(entries, dict):
                    self._previous = entries
                    self._stored = set(entries)
            except Exception:  # missing or damaged: every piece is made again
                pass
        return super().get(key)

    def put(self, key: Hashable, value: object) -> None:
        self._changed = True
        super().put(key, value)

    def save(self) -> None:
        if self._loaded and not self._changed and set(self._current) == self._stored:
            return  # every entry used, none new: the file holds this build's already
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            temporary.write_bytes(pickle.dumps((self.fingerprint, self._current), pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, self.path)
        except OSError:
            pass  # without it, the next build makes every piece
