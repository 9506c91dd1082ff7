"""Writing the site: assembled beside the output folder, then swapped in, so a failed build loses nothing."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flagstone.errors import DocumentError, Problem, UsageError

_AHEAD = 4  # pieces of a streamed file handed to the writer and not yet written, at most
MARKER = ".flagstone-site"  # marks a folder flagstone made, so it may replace it
_STAGING, _RETIRED = "flagstone-new", "flagstone-old"  # beside `out`: .OUT.flagstone-new-PID, ...-old-PID


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: its path in the site and either its bytes (or its bytes in pieces, written
    one after another: a page of tens of megabytes is not copied once more to be joined) or a file to
    copy."""

    path: str
    data: bytes | tuple[bytes, ...] | None = None
    copy_from: Path | None = None


def check_output_dir(out: Path, project_root: Path, source: Path) -> None:
    """Refuse an output folder whose replacement would destroy the project or someone else's files."""
    out, root, source = out.resolve(), project_root.resolve(), source.resolve()
    for protected, name in ((root, "the project folder"), (source, "the source folder")):
        if out == protected or protected.is_relative_to(out):
            raise UsageError(f"output folder {out} is or contains {name}; choose another with -o")
    if out.is_relative_to(source):
        raise UsageError(f"output folder {out} is inside the source folder {source}; choose another with -o")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(
            f"output folder {out} holds files flagstone did not write; empty it or choose another with -o"
        )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from None


def _unreadable(path: Path, error: OSError) -> DocumentError:
    """A file to copy into the site that cannot be read: the file is to blame, not the output folder."""
    reason = error.strerror or str(error)
    return DocumentError(Problem(str(path), None, f"cannot copy this file into the site: {reason}"))


def lock_path(out: Path) -> Path:
    """The file beside `out` that builds into it lock, one build at a time."""
    out = out.resolve()
    return out.parent / f".{out.name}.flagstone-lock"


@contextmanager
def output_lock(out: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the lock of the output folder `out` (an flock on lock_path): a second build into it waits
    here, told once through `waiting` which process holds it, so that two builds never swap their
    folders in at once. The lock file names its holder, and goes when released. Where no lock can be
    made (no flock, a parent folder that refuses files) the build goes on without one: writing its
    site there fails the same way, with its own message."""
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = _locked(path, out.resolve(), waiting)
    except (OSError, ImportError):  # ImportError: no fcntl, not a POSIX system
        yield
        return
    try:
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield
    finally:
        # Unlinked while still held: a build waiting on this file then finds it gone and locks anew.
        try:
            path.unlink(missing_ok=True)
        finally:
            os.close(handle)


def _locked(path: Path, out: Path, waiting: Callable[[str], None]) -> int:
    """An open descriptor of the lock file at `path`, locked, and the file the path names once locked
    (a holder unlinks the file it held: a lock got on that one guards nothing any more)."""
    import fcntl

    told = False
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not told:
                    told = True
                    holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip()
                    who = f"process {holder}" if holder.isdigit() else "another process"
                    waiting(f"waiting for {who}, which is building into {out}")
                fcntl.flock(handle, fcntl.LOCK_EX)
            if os.fstat(handle).st_ino == os.stat(path).st_ino:
                return handle
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)


def _pieces(data: bytes | tuple[bytes, ...] | None) -> tuple[bytes, ...]:
    return data if isinstance(data, tuple) else (data or b"",)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's: running
        return True
    return True


class SiteWriter:
    """Writes a site's files into a fresh folder beside `out` as the build hands them over, then puts
    that folder in place of `out`: a failed or interrupted build leaves `out` as it was.

    The files are written on a thread of their own, so that writing a page of tens of megabytes
    overlaps the rest of the build (the search index) instead of following it.
    """

    def __init__(self, out: Path, digest: bool = False) -> None:
        self.out = out.resolve()
        # path -> SHA-256 of each file's bytes, when asked for (serve tells pages of a change by them)
        self.digests: dict[str, bytes] | None = {} if digest else None
        self.staging = self.out.parent / f".{self.out.name}.{_STAGING}-{os.getpid()}"
        self.retired = self.out.parent / f".{self.out.name}.{_RETIRED}-{os.getpid()}"
        self.count = 0
        self._pending: list[Future[None]] = []
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self._remove_leftovers()
            self.staging.mkdir()
        except OSError as error:
            raise self._unwritable(error) from None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flagstone-writer")

    def _remove_leftovers(self) -> None:
        """Remove the folders a build killed outright left beside `out` (those of a pid no longer
        running, or of this one): a partial new site, or the previous one, which goes back in place
        when the build was killed between the two renames of its swap."""
        for kind in (_STAGING, _RETIRED):
            for folder in self.out.parent.glob(f".{glob.escape(self.out.name)}.{kind}-*"):
                pid = folder.name.rpartition("-")[2]
                if not pid.isdigit() or (int(pid) != os.getpid() and _running(int(pid))):
                    continue
                if kind == _RETIRED and not self.out.exists():
                    folder.rename(self.out)
                else:
                    shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> SiteWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def add(self, file: OutputFile) -> None:
        self.count += 1
        self._pending.append(self._pool.submit(self._write, file))
        if self.digests is not None:  # here, while the writer thread writes (hashing lets go of the GIL)
            digest = hashlib.sha256()
            for piece in _pieces(file.data if file.copy_from is None else _read(file.copy_from)):
                digest.update(piece)
            self.digests[file.path] = digest.digest()

    @contextmanager
    def streamed(self, path: str) -> Iterator[Callable[[bytes], None]]:
        """A file of the site written piece by piece: the writer thread writes each piece handed over
        while the build makes the next (its one thread takes them in order)."""
        self.count += 1
        digest = hashlib.sha256() if self.digests is not None else None
        opened = self._pool.submit(self._open, self.staging / path)

        def write_out(piece: bytes) -> None:
            opened.result().write(piece)

        in_flight: deque[Future[None]] = deque()

        def write(piece: bytes) -> None:
            if digest is not None:
                digest.update(piece)
            written = self._pool.submit(write_out, piece)
            self._pending.append(written)
            in_flight.append(written)
            # A few pieces ahead of the writer at most: a page of tens of megabytes made faster than
            # the disk takes it would otherwise be held whole, in pieces, waiting to be written.
            while len(in_flight) > _AHEAD:
                try:
                    in_flight.popleft().result()
                except OSError as error:
                    raise self._unwritable(error) from None

        try:
            yield write
        finally:
            self._pending.append(self._pool.submit(lambda: opened.result().close()))
        if digest is not None and self.digests is not None:
            self.digests[path] = digest.digest()

    @staticmethod
    def _open(target: Path) -> BinaryIO:
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("wb")

    def _write(self, file: OutputFile) -> None:
        target = self.staging / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.copy_from is not None:
            try:
                shutil.copyfile(file.copy_from, target)
            except OSError as error:
                if error.filename != str(file.copy_from):
                    raise
                raise _unreadable(file.copy_from, error) from None
        else:
            with target.open("wb") as handle:
                handle.writelines(_pieces(file.data))

    def commit(self) -> None:
        """Wait for every file, then swap the new folder in."""
        try:
            for pending in self._pending:
                pending.result()
            self._pool.shutdown()
            (self.staging / MARKER).write_text(
                "This folder was written by flagstone and is replaced by each build.\n"
            )
            if self.out.exists():
                self.out.rename(self.retired)
            self.staging.rename(self.out)
        except BaseException as error:
            self.abort()
            if isinstance(error, OSError):
                raise self._unwritable(error) from None
            raise
        shutil.rmtree(self.retired, ignore_errors=True)

    def abort(self) -> None:
        """Drop the new folder (once its writes have stopped) and keep or restore `out`."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.retired.exists() and not self.out.exists():
            self.retired.rename(self.out)

    def _unwritable(self, error: OSError) -> DocumentError:
        reason = error.strerror or str(error)
        return DocumentError(Problem(str(self.out), None, f"cannot write the site here: {reason}"))
