"""Work done in a forked child while the build goes on: the child inherits the data, nothing is pickled."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_LENGTH_BYTES = 8  # the result goes down the pipe after its length: a short read is a failed child
_PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h): a signal for this process when its parent ends
_WATCH_SECONDS = 0.25  # where prctl is missing, how often a child looks for its parent


def die_with_parent(parent: int) -> None:
    """Make this forked process (a render worker, the index child) end when `parent`, the process
    that forked it, ends in any way: killed with SIGKILL (the OOM killer), it runs no cleanup that
    would stop its children, and they would go on rendering for nobody, holding the terminal's pipes.

    On Linux the kernel kills it (prctl PR_SET_PDEATHSIG); elsewhere a thread watches the parent's pid.
    SIGTERM gets its default action back, so a child that outlives its parent all the same can be
    stopped (the build's own handler turns it into an interruption, which a child has no use for).
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not _kernel_kills_orphan():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="flagstone-orphan").start()
    if os.getppid() != parent:  # the parent ended before the death signal was set
        os._exit(1)


def _kernel_kills_orphan() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: only a forked child needs it, not every build's start-up

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


@contextmanager
def in_child(
    work: Callable[[], bytes], afterwards: Callable[[], None] | None = None
) -> Iterator[Callable[[], bytes]]:
    """Start `work` in a child process and give a function that returns its result, waiting if need be.

    For work that only reads what the build already holds (the search index of the rendered pages):
    it runs on another core while this process goes on (themes and writes the pages). Where fork is
    missing, or the child fails for any reason, the work is done here instead, so that its errors
    surface as they would have without a child. `afterwards` runs in the child once its result is
    delivered (saving what the next build can reuse), and is waited for on the way out; a child whose
    result is not wanted is stopped instead. Enter only where no other thread runs: a thread's locks
    would be copied as they are.
    """
    if not hasattr(os, "fork"):
        yield work
        return
    parent = os.getpid()
    try:
        reader, writer = os.pipe()
        pid = os.fork()
    except OSError:
        yield work
        return
    if pid == 0:  # the child: never returns, and leaves the parent's buffers and cleanup alone
        status = 1
        try:
            die_with_parent(parent)
            os.close(reader)
            done = work()
            data = memoryview(len(done).to_bytes(_LENGTH_BYTES, "big") + done)
            while data:
                data = data[os.write(writer, data) :]
            os.close(writer)
            if afterwards is not None:
                afterwards()
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    pipe = open(reader, "rb")  # noqa: SIM115  # closed below, whether or not the result is read
    collected = False

    def result() -> bytes:
        nonlocal collected
        data = pipe.read()
        collected = True
        declared = int.from_bytes(data[:_LENGTH_BYTES], "big")
        if len(data) < _LENGTH_BYTES or declared != len(data) - _LENGTH_BYTES:
            return work()  # the child failed: done here, where its error can surface
        return data[_LENGTH_BYTES:]

    try:
        yield result
    finally:
        pipe.close()
        if not collected:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
