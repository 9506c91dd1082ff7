"""The ids of a reference's headings and anchors, each once per page; those a kept piece took, taken again."""

from __future__ import annotations

import html
import re


class Ids:
    """Ids of the generated headings and anchors, each once per page."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.log: list[tuple[str, ...]] | None = None  # while a piece is written: what it took

    def _taken(self, wanted: str, used: set[str] | frozenset[str] = frozenset()) -> str:
        base = re.sub(r"\s+", "-", wanted.strip()) or "section"
        found, number = base, 1
        while found in self.used or found in used:
            number += 1
            found = f"{base}-{number}"
        return found

    def _free(self, wanted: tuple[str, ...], used: set[str] | frozenset[str] = frozenset()) -> list[str]:
        return [w for w in dict.fromkeys(wanted) if w and w not in self.used and w not in used]

    def take(self, wanted: str) -> str:
        found = self._taken(wanted)
        self.used.add(found)
        if self.log is not None:
            self.log.append(("take", wanted, found))
        return found

    def extra(self, wanted: tuple[str, ...]) -> str:
        """Anchors other tools gave the same place, where no other place has them."""
        free = self._free(wanted)
        self.used.update(free)
        if self.log is not None:
            self.log.append(("extra", str(len(wanted)), *wanted, *free))
        return "".join(f'<a id="{html.escape(w)}"></a>' for w in free)

    def replay(self, log: list[tuple[str, ...]]) -> bool:
        """Take the ids a kept piece took, if each comes out as it did then (else take none: False)."""
        taken: set[str] = set()
        for entry in log:
            if entry[0] == "take":
                if self._taken(entry[1], taken) != entry[2]:
                    return False
                taken.add(entry[2])
            else:
                end = 2 + int(entry[1])
                free = self._free(entry[2:end], taken)
                if free != list(entry[end:]):
                    return False
                taken.update(free)
        self.used.update(taken)
        return True
