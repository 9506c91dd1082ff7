"""Simplified and Traditional forms of Chinese characters, so that search finds text in either script."""

from __future__ import annotations

import itertools
import re
from functools import cache

# The Han blocks of the text search indexes: CJK Unified Ideographs and Extension A (the index's
# normalizing turns compatibility ideographs into these).
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff]"  # compiled on first use: its class takes a millisecond or two
_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000))


@cache
def _forms() -> dict[str, tuple[str, ...]]:
    """Each character that has another form -> all its forms: its Simplified form first, then every
    Traditional character that simplifies to it (发 -> 发 發 髮), from OpenCC's character table."""
    import opencc  # only documents with Chinese text pay for loading it

    characters = [chr(code) for start, end in _BLOCKS for code in range(start, end)]
    # One character a line, so that no two neighbours are taken for a phrase.
    simplified = opencc.OpenCC("t2s").convert("\n".join(characters)).split("\n")
    groups: dict[str, list[str]] = {}
    for character, simple in zip(characters, simplified, strict=True):
        if character != simple and len(simple) == 1:
            groups.setdefault(simple, [simple]).append(character)
    return {member: tuple(group) for group in groups.values() for member in group}


def script_forms(text: str) -> list[str]:
    """`text` (a pair of characters, as the index takes CJK) in every mix of its characters' scripts,
    itself first: 簽名 -> 簽名 签名; one without Han characters of two forms is returned as it is."""
    if not re.search(_HAN, text):
        return [text]
    forms = _forms()
    if not any(c in forms for c in text):  # most pairs: the characters are the same in both scripts
        return [text]
    spelled = ["".join(chars) for chars in itertools.product(*(forms.get(c, (c,)) for c in text))]
    return [text, *(form for form in spelled if form != text)]
