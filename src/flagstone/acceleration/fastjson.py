"""JSON highlighted token by token with one regex: Pygments' JsonLexer classes in a fifth of its time.

Pygments' JsonLexer walks the text one character at a time in Python; JSON samples are most of the code
of a typical API reference. Its token rules are simple enough to write as one pattern, so `json_runs`
gives the same (class, text) runs, or None for anything outside those rules (a stray character, an
unterminated string or comment), which leaves the block to Pygments itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pygments.token import Comment, Error, Keyword, Name, Number, Punctuation, String, Whitespace

_HEX = "0-9a-fA-F"
# Each string is read one way only, so every quantifier is possessive: after a failed key lookahead,
# backtracking into a long string would try its every split (2**n steps).
# A string as JsonLexer reads one: a backslash takes the next character, `\u` up to four hex digits
# and, when fewer come, the character after them, whatever it is (a quote included).
_STRING = rf'"(?:[^"\\]++|\\(?:u(?:[{_HEX}]{{4}}|[{_HEX}]{{0,3}}+[^{_HEX}])|[^u]))*+"'
_BLANK = "[ \t\n\r]"
_COMMENT = r"//[^\n]*+|/\*.*?\*/"
# An object key: a string that, over blanks, comments and other strings, reaches a colon before
# anything else (JsonLexer holds strings back until the next token decides what they were).
_TOKEN = re.compile(
    rf"({_BLANK}+)"  # 1 blank
    r"|([{}\[\],:][{}\[\],]*+)"  # 2 punctuation; a colon only starts a run
    rf"|({_STRING})(?=(?>{_BLANK}+|{_COMMENT}|{_STRING})*+:)"  # 3 key
    rf"|({_STRING})"  # 4 string
    r"|([-0-9][-0-9]*+)(?![-0-9.eE+])"  # 5 integer
    r"|([-0-9][-0-9.eE+]*+)"  # 6 float: any of . e E + after the first character
    r"|([fnt][truefalsn]*+)"  # 7 constant (the letters of true, false and null)
    r"|(//[^\n]*+)"  # 8 comment to the end of the line
    r"|(/\*.*?\*/)",  # 9 comment
    re.DOTALL,
)
# JsonLexer's token type for each group of the pattern (group 0 stands for no group).
TOKEN_TYPES = (
    Error,
    Whitespace,
    Punctuation,
    Name.Tag,
    String.Double,
    Number.Integer,
    Number.Float,
    Keyword.Constant,
    Comment.Single,
    Comment.Multiline,
)


def json_runs(code: str, classes_by_group: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The classes and texts of the code's runs, adjacent runs of one class merged, as `highlight`
    makes them from JsonLexer's tokens (`classes_by_group`: the class of each of TOKEN_TYPES); None
    where JsonLexer would give an error token."""
    classes: list[str] = []
    texts: list[str] = []  # the texts of the runs before the current one, then the current run's tokens
    current = None
    start = 0  # where the current run's tokens begin in `texts`
    for match in _TOKEN.finditer(code):
        css = classes_by_group[match.lastindex]  # type: ignore[index]  # every alternative is a group
        if css != current:
            # Joined once the run ends: a growing string would be copied for each token (quadratic).
            if len(texts) - start > 1:
                texts[start:] = ["".join(texts[start:])]
            start = len(texts)
            classes.append(css)
            current = css
        texts.append(match.group())
    if len(texts) - start > 1:
        texts[start:] = ["".join(texts[start:])]
    # The matches cover the code exactly when their lengths add up to it: a character no rule takes
    # (JsonLexer's error token) leaves a gap.
    return (classes, texts) if sum(map(len, texts)) == len(code) else None
