"""The one store of reusable work: values under keys that name what they were made from."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
from collections.abc import Hashable, Iterable
from functools import cache
from pathlib import Path

import flagstone
from flagstone.storage.files import atomic_write, content_digest, from_json, json_chunks
from flagstone.storage.stamp import state_folder

CODE = "code"  # in the store's folder: the fingerprint of the flagstone that made its entries
_LIBRARIES = ("markdown_it", "pygments", "jinja2")  # whose versions decide what flagstone writes


def content_key(kind: str, *content: object) -> str:
    """The key of a value of `kind` made from `content` (plain data): `kind/digest`."""
    return f"{kind}/{content_digest(content)}"


@cache  # once per process: the code it runs cannot change under it
def code_fingerprint() -> str:
    """A digest of flagstone's code, its version and the versions of the libraries whose output it
    writes. A library's version is read from its package's __init__.py, found without importing it."""
    digest = hashlib.sha256(flagstone.__version__.encode())
    package = Path(flagstone.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\x00" + path.read_bytes())
    for library in _LIBRARIES:
        spec = importlib.util.find_spec(library)
        if spec is None or spec.origin is None:
            raise ImportError(library)
        digest.update(library.encode() + b"\x00" + Path(spec.origin).read_bytes())
    return digest.hexdigest()


class Store:
    """Work a build can reuse, under keys that name all it was made from, so a hit is exactly what
    making it again would give.

    Every entry is held in memory while the store lives (serve keeps one store for all its builds);
    with a `folder` (`flagstone build`), the durable ones (plain data under a `content_key`) are also
    kept there, one file per key, for the next process. A file holds its own key, so a file copied over
    another is a miss, and is tagged JSON, which reading cannot make run code. The folder's CODE file
    names the flagstone that made its entries: those of another are never read. `finish`, after a
    good build, drops whatever that build did not use, so the store holds about one build's worth.
    """

    def __init__(self, folder: Path | None = None, fingerprint: str = "", lasting: bool = False) -> None:
        self.folder = folder
        self.fingerprint = fingerprint
        # Kept for many builds (serve's): worth holding what only memory can keep (whole expansions).
        self.lasting = lasting
        self._previous: dict[Hashable, object] = {}  # what the last build used
        self._current: dict[Hashable, object] = {}  # what this one has used so far
        self._trusted: bool | None = None  # the folder's entries are this code's (read on first use)
        self._kept: set[str] = set()  # keys a forked child used for this build (see keep)

    @classmethod
    def for_project(cls, project_root: Path, lasting: bool = False) -> Store:
        return cls(state_folder(project_root) / "store", code_fingerprint(), lasting)

    def _on_disk(self, key: Hashable) -> Path | None:
        """Where a durable key's entry is kept; None for a key kept in memory only."""
        if self.folder is None or not isinstance(key, str):
            return None
        kind, _, digest = key.partition("/")
        return self.folder / kind / digest[:2] / digest

    def _readable(self) -> bool:
        if self._trusted is None:
            try:
                self._trusted = (self.folder / CODE).read_text(encoding="ascii") == self.fingerprint  # type: ignore[operator]
            except OSError:
                self._trusted = False
        return self._trusted

    def get(self, key: Hashable, kinds: Iterable[type] = ()) -> object | None:
        """The value under `key`, or None; a value read from the folder has its dataclasses of `kinds`."""
        if key in self._current:
            return self._current[key]
        if key in self._previous:
            value = self._current[key] = self._previous.pop(key)
            return value
        value = self._read(key, kinds)
        if value is not None:
            self._current[key] = value
        return value

    def _read(self, key: Hashable, kinds: Iterable[type]) -> object | None:
        path = self._on_disk(key)
        if path is None or not self._readable():
            return None
        try:
            entry = from_json(path.read_bytes(), kinds)
        except (OSError, ValueError):  # missing or damaged: made again
            return None
        if not (type(entry) is tuple and len(entry) == 2 and entry[0] == key):
            return None  # another key's entry
        value: object = entry[1]
        return value

    def put(self, key: Hashable, value: object, durable: bool = True) -> None:
        """Keep `value` under `key`; in the folder too when `durable` and the key is a content_key."""
        self._current[key] = value
        path = self._on_disk(key) if durable else None
        if path is None:
            return
        if not self._readable():
            # The folder holds another flagstone's entries: it is trusted again once this build's
            # are all there (see finish), so an interrupted build leaves nothing either would read.
            (self.folder / CODE).unlink(missing_ok=True)  # type: ignore[operator]
        # TypeError: a value that is not plain data. Either way it is kept in memory only.
        with contextlib.suppress(OSError, TypeError):
            atomic_write(path, json_chunks((key, value)))

    def unused(self, kind: str, kinds: Iterable[type] = ()) -> list[object]:
        """The entries of `kind` the store holds that this build has not used (so far): what the last
        build made of inputs that changed since."""
        prefix = f"{kind}/"
        found = {
            key: value
            for key, value in self._previous.items()
            if isinstance(key, str) and key.startswith(prefix) and key not in self._current
        }
        if self.folder is not None and self._readable():
            for path in sorted((self.folder / kind).glob("*/*")):
                key = f"{prefix}{path.name}"
                if key not in found and key not in self._current and not path.name.startswith("."):
                    found[key] = self._read(key, kinds)
        return [value for value in found.values() if value is not None]

    def used(self, kind: str) -> list[str]:
        """The durable keys of `kind` this build has used so far."""
        prefix = f"{kind}/"
        return [key for key in self._current if isinstance(key, str) and key.startswith(prefix)]

    def keep(self, keys: Iterable[str]) -> None:
        """Count `keys` as used by this build: a forked child's (its copy of the store is its own)."""
        self._kept.update(keys)

    def finish(self) -> None:
        """After a good build: drop the entries it did not use, and mark the folder's entries as this
        flagstone's."""
        if self.folder is not None and self.folder.is_dir():
            for path in self.folder.glob("*/*/*"):
                key = f"{path.parent.parent.name}/{path.name}"
                if key not in self._current and key not in self._kept:
                    path.unlink(missing_ok=True)
            if not self._readable():
                try:
                    atomic_write(self.folder / CODE, (self.fingerprint.encode("ascii"),))
                    self._trusted = True
                except OSError:
                    pass  # the next build makes everything again
        self._previous, self._current, self._kept = self._current, {}, set()
