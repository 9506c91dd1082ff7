"""What a long-running process (serve) keeps between builds: finished pieces, keyed by all they depend on."""

from __future__ import annotations

from collections.abc import Hashable


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
