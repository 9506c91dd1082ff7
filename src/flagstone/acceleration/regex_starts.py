"""What a regular expression's match can start with: a test on one character, erring towards yes.

fastlex tries at each position only the rules that can start with the character there. The pattern is
read with the standard library's own regex parser (private, hence every failure means "anywhere").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

try:  # the regex parser of the standard library, private: without it every rule is tried everywhere
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    sre = sre_parser = None

_CATEGORIES: dict[object, Callable[[str], bool]] = (
    {
        sre.CATEGORY_DIGIT: str.isdecimal,
        sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
        sre.CATEGORY_SPACE: str.isspace,
        sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
        sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
        sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    }
    if sre is not None
    else {}
)
Starts = Callable[[str], bool]  # can a match start with this character? (erring towards yes)


def _equal(character: str) -> Starts:
    return lambda c: c == character


def _unequal(character: str) -> Starts:
    return lambda c: c != character


def _between(low: int, high: int) -> Starts:
    return lambda c: low <= ord(c) <= high


def _class_starts(items: list[tuple[object, Any]]) -> Starts | None:
    tests: list[Starts] = []
    negated = False
    for op, value in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            tests.append(_equal(chr(value)))
        elif op is sre.RANGE:
            tests.append(_between(value[0], value[1]))
        elif op is sre.CATEGORY and value in _CATEGORIES:
            tests.append(_CATEGORIES[value])
        else:
            return None
    if negated:
        return lambda c: not any(test(c) for test in tests)
    return lambda c: any(test(c) for test in tests)


def _sequence_starts(items: Any) -> tuple[Starts | None, bool]:
    """What a sequence of regex items can start with, and whether it can match nothing at all."""
    tests: list[Starts] = []
    for op, value in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: they restrict where a match starts, not its first character
        starts, empty = _item_starts(op, value)
        if starts is None:
            return None, False
        tests.append(starts)
        if not empty:
            return (lambda c: any(test(c) for test in tests)), False
    return (lambda c: any(test(c) for test in tests)), True


def _item_starts(op: object, value: Any) -> tuple[Starts | None, bool]:
    if op is sre.LITERAL:
        return _equal(chr(value)), False
    if op is sre.NOT_LITERAL:
        return _unequal(chr(value)), False
    if op is sre.IN:
        return _class_starts(value), False
    if op is sre.SUBPATTERN:
        starts, empty = _sequence_starts(value[3])
        if starts is not None and value[1] & re.IGNORECASE:
            starts = _ignoring_case(starts)
        return starts, empty
    if op is sre.BRANCH:
        branches = [_sequence_starts(branch) for branch in value[1]]
        if any(starts is None for starts, _ in branches):
            return None, False
        tests = [starts for starts, _ in branches if starts is not None]
        return (lambda c: any(test(c) for test in tests)), any(empty for _, empty in branches)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        starts, empty = _sequence_starts(value[2])
        return starts, empty or value[0] == 0
    return None, False  # anything else: any character (ANY, group references, ...)


def _ignoring_case(starts: Starts) -> Starts:
    # Case folding pairs some ASCII letters with other characters (k with the Kelvin sign): any
    # character beyond ASCII may start such a match.
    return lambda c: not c.isascii() or starts(c) or starts(c.lower()) or starts(c.upper())


def match_starts(pattern: re.Pattern[str]) -> Starts | None:
    """A test for the characters a match of the pattern can start with (erring towards yes); None
    when it can start anywhere, can match nothing, or uses a construct this does not follow."""
    if sre_parser is None or pattern.flags & (re.ASCII | re.LOCALE):
        return None
    try:
        starts, empty = _sequence_starts(sre_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # a private module of the standard library: never let it fail a build
        return None
    if empty or starts is None:
        return None
    return _ignoring_case(starts) if pattern.flags & re.IGNORECASE else starts
