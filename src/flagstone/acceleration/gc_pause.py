"""Pausing Python's cycle collector over work that makes many objects and few cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from flagstone import acceleration


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector: a render or a build makes millions of acyclic objects, and the
    collector's repeated scans of them (every object of a large site, in a full scan) cost more than
    the cycles they find. Reference counting frees the rest as usual."""
    was_enabled = gc.isenabled()
    if acceleration.enabled():
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
