"""A persistent cache of rendered files, keyed by everything the rendering depends on."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from functools import cache
from pathlib import Path

import flagstone
from flagstone.errors import Problem
from flagstone.incremental import state_folder
from flagstone.memo import from_json, json_chunks
from flagstone.models import Fragment, Heading

RENDERER = "renderer"  # in the cache folder: the fingerprint of the renderer that made its entries
# The modules whose code decides what a rendered file looks like: a change to any of them (a new
# flagstone, or a developer's edit) must invalidate every cached fragment.
_RENDER_MODULES = (
    "acceleration/__init__.py",
    "acceleration/fastjson.py",
    "acceleration/fastlex.py",
    "acceleration/gc_pause.py",
    "acceleration/lazy_states.py",
    "acceleration/markdown_parsing.py",
    "acceleration/regex_starts.py",
    "chinese_scripts.py",
    "html_files.py",
    "markup/dialect.py",
    "markup/highlight.py",
    "markup/render.py",
    "markup/slate/blockquotes.py",
    "markup/slate/headings.py",
    "markup/slate/html_blocks.py",
    "markup/slate/nesting.py",
    "markup/slate/paragraphs.py",
    "markup/slugs.py",
    "memo.py",
    "models.py",
    "search_index.py",
)


# And those that decide how a page is laid out around its files: its ids, its TOC, the template's part.
_LAYOUT_MODULES = ("assemble.py", "layouts.py", "theme.py", "toc.py")


def renderer_fingerprint() -> str:
    """What every cache key includes: flagstone's render code and the versions of the libraries it uses."""
    return _code_fingerprint(_RENDER_MODULES, ("markdown_it", "pygments"))


def layout_fingerprint() -> str:
    """What a stored page layout (see layouts) is made with: the renderer, and the code and template
    engine that place a page's ids and write the theme's HTML around its content."""
    return _code_fingerprint(_RENDER_MODULES + _LAYOUT_MODULES, ("markdown_it", "pygments", "jinja2"))


@cache  # once per process: the code it runs cannot change under it (a build asked three times)
def _code_fingerprint(modules: tuple[str, ...], libraries: tuple[str, ...]) -> str:
    """A digest of flagstone's `modules`, its version and the `libraries`' versions.

    A library's version is read from its package's __init__.py (where each defines __version__), found
    without importing the library: importlib.metadata alone costs more than the check is worth.
    """
    digest = hashlib.sha256()
    package = Path(flagstone.__file__).parent
    for name in modules:
        digest.update((package / name).read_bytes())
    for library in libraries:
        spec = importlib.util.find_spec(library)
        if spec is None or spec.origin is None:
            raise ImportError(library)
        digest.update(library.encode() + b"\x00" + Path(spec.origin).read_bytes())
    digest.update(flagstone.__version__.encode())
    return digest.hexdigest()


_ENTRY_KINDS = (Fragment, Heading, Problem)  # the dataclasses an entry is made of


class FragmentCache:
    """Rendered files stored one file per key under a folder of the project's own.

    Entries are written atomically (temp file + rename), so an interrupted build leaves no torn entry.
    Each is tagged JSON (memo.to_json), which reading cannot make run code, and holds its own key: an
    entry under another key's name (a file copied over another) is a miss, rendered again.
    """

    def __init__(self, folder: Path, writable: bool = True) -> None:
        self.folder = folder
        self.writable = writable  # False: entries put are kept in memory only, and none is removed
        # Entries this object has read or written, kept in memory: a long-running process (serve)
        # that reuses one cache object skips unpickling unchanged files on every rebuild.
        self.memory: dict[str, Fragment] = {}

    @classmethod
    def for_project(cls, project_root: Path) -> FragmentCache:
        return cls(state_folder(project_root) / "fragments")

    def reader(self) -> FragmentCache:
        """A cache of the same folder that never writes to it: for a process that renders beside the
        one that keeps the cache."""
        return FragmentCache(self.folder, writable=False)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def has(self, key: str) -> bool:
        return key in self.memory or self._path(key).is_file()

    def get(self, key: str) -> Fragment | None:
        if key in self.memory:
            return self.memory[key]
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        try:
            entry = from_json(data, _ENTRY_KINDS)
        except Exception:  # a damaged entry is a miss, never a failed build
            return None
        if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key):
            return None  # damaged, or another key's entry
        fragment = entry[1]
        if not isinstance(fragment, Fragment) or type(fragment.pieces) is not tuple:
            return None
        self.memory[key] = fragment
        return fragment

    def put(self, key: str, fragment: Fragment) -> None:
        self.memory[key] = fragment
        if not self.writable:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as handle:
                handle.writelines(json_chunks((key, fragment)))
            os.replace(handle.name, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower

    def _keys_on_disk(self) -> set[str]:
        if not self.folder.is_dir():
            return set()
        return {entry.name for entry in self.folder.glob("*/*") if not entry.name.startswith(".")}

    def stale(self, keep: set[str], fingerprint: str) -> list[Fragment]:
        """The entries this build does not use (earlier versions of changed files, mostly), when they
        were made by the renderer with this fingerprint: their code blocks can be reused as they are.

        The folder's RENDERER file names the renderer of its entries; `prune` writes it once every
        entry of another renderer is gone, so a build interrupted before that finds no match.
        """
        try:
            if (self.folder / RENDERER).read_text(encoding="ascii") != fingerprint:
                return []
        except OSError:
            return []
        keys = (set(self.memory) | self._keys_on_disk()) - keep
        return [fragment for key in sorted(keys) if (fragment := self.get(key)) is not None]

    def prune(self, keep: set[str], fingerprint: str | None = None) -> None:
        """Drop entries this build did not use, so the cache holds one build's worth; then record the
        renderer (`fingerprint`) that made all the entries left."""
        self.memory = {key: fragment for key, fragment in self.memory.items() if key in keep}
        if not self.writable or not self.folder.is_dir():
            return
        for entry in self.folder.glob("*/*"):
            if entry.name not in keep:
                entry.unlink(missing_ok=True)
        if fingerprint is not None:
            try:
                temporary = self.folder / f".{RENDERER}.{os.getpid()}"
                temporary.write_text(fingerprint, encoding="ascii")
                os.replace(temporary, self.folder / RENDERER)
            except OSError:
                pass  # without it, the next build reuses no code blocks
