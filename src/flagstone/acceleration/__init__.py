"""Speed stand-ins (fast lexers, the JSON highlighter, parsing stand-ins, the GC pause) behind one switch.

Every stand-in gives exactly what the plain path gives; `FLAGSTONE_ACCELERATION=0` in the environment
turns them all off (the build then reads as markdown-it and Pygments alone), and a test proves the
output byte-identical either way. Why each one pays is in benchmarks/README.md.
"""

from __future__ import annotations

import os

SWITCH = "FLAGSTONE_ACCELERATION"


def enabled() -> bool:
    """True unless the environment sets FLAGSTONE_ACCELERATION=0 (worker processes inherit it)."""
    return os.environ.get(SWITCH, "1") != "0"
