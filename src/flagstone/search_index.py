"""The search stage: the words of every h1-h3 section, shipped as a script the page loads on demand."""

from __future__ import annotations

import html
import itertools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from flagstone.markup.render import HEADING_MARK, PARTIAL_MARK
from flagstone.models import RenderedPart
from flagstone.storage.files import content_digest
from flagstone.storage.store import Store

# Chinese, Japanese and Korean runs have no spaces between words: they are indexed as overlapping
# character pairs, so any two-character word of a heading finds it. search.js uses the same ranges.
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(r"[^\W_]+")
# Code is searched in the editor, not here. Written out as runs of non-`<` (not `.*?</pre>`, which
# tries the end tag at every character of every code block).
_CODE = re.compile(r"<pre[\s>][^<]*(?:<(?!/pre>)[^<]*)*</pre>")
_TITLE = re.compile(r"<h([1-3])[\s>].*?</h\1>", re.DOTALL)  # titles are indexed from the headings
_TAG = re.compile(r"<[^>]*>")
_OPEN_TAG_END = re.compile(r"<[^<>]*\Z")
_OPEN_TAG_START = re.compile(r"\A[^<>]*>")
_MARKER = re.compile(f"{HEADING_MARK.pattern}|{PARTIAL_MARK.pattern}")
# Where the index goes in the site, beside the theme's assets; every searchable page loads it.
INDEX_FILE = "search-index.js"


@cache
def _cjk_runs() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # Compiled for the first word beyond ASCII only: their character classes take milliseconds.
    return re.compile(f"[{_CJK}]+|[^{_CJK}]+"), re.compile(f"[{_CJK}]")


@cache
def _is_mark(character: str) -> bool:
    # A combining mark (category M) from U+0300 to U+FFFF: the ones the index has always stripped.
    return 0x300 <= ord(character) < 0x10000 and unicodedata.category(character).startswith("M")


@cache
def _marks_pattern(marks: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(marks)}]+")


def normalize(text: str) -> str:
    """Lower case without accents (é -> e, Ü -> u), as search.js normalizes queries."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    # A pattern of the marks the text holds, not of all marks: that one took 15 ms to make (sixty
    # thousand characters asked), more than a small site's whole index.
    marks = "".join(sorted(character for character in set(decomposed) if _is_mark(character)))
    stripped = _marks_pattern(marks).sub("", decomposed) if marks else decomposed
    return unicodedata.normalize("NFC", stripped).lower()


def words(text: str) -> list[str]:
    """The searchable words of plain text: letters and digits, CJK runs as overlapping pairs (Chinese
    ones in Simplified and Traditional forms too)."""
    found = _WORD.findall(normalize(text))
    if text.isascii():  # most documentation: the regex alone, no Python step per word
        return found
    result: list[str] = []
    for word in found:
        if word.isascii():
            result.append(word)
            continue
        cjk_run, is_cjk = _cjk_runs()
        for run in cjk_run.findall(word):
            if is_cjk.match(run):
                # Each pair also in the other Chinese script, so a query in either finds it.
                for i in range(max(1, len(run) - 1)):
                    result.extend(script_forms(run[i : i + 2]))
            else:
                result.append(run)
    return result


def fragment_words(fragment_html: str) -> tuple[str, ...]:
    """A rendered file's prose as words, split where its heading and partial markers are.

    The result alternates: words before the first marker, the marker ("h3" for heading 3, "p0" for
    partial 0), the words after it, and so on. Computed once per file and cached with it.
    """

    def markers_only(title: re.Match[str]) -> str:
        return "".join(marker.group() for marker in _MARKER.finditer(title.group()))

    prose = _TITLE.sub(markers_only, fragment_html)
    pieces = _MARKER.split(_CODE.sub("", prose))
    result: list[str] = []
    for index in range(0, len(pieces), 3):
        if index:
            heading, partial = pieces[index - 2], pieces[index - 1]
            result.append(f"h{heading}" if heading is not None else f"p{partial}")
        text = pieces[index]
        # A heading's marker sits inside its tag (<h4 id="MARK">): cut the halves of that tag.
        if index + 1 < len(pieces) and pieces[index + 1] is not None:
            text = _OPEN_TAG_END.sub("", text)
        if index and pieces[index - 2] is not None:
            text = _OPEN_TAG_START.sub("", text)
        text = html.unescape(_TAG.sub(" ", text))
        result.append(" ".join(sorted(set(words(text)))))
    return tuple(result)


def section_words(parts: tuple[RenderedPart, ...]) -> tuple[str, ...]:
    """The words following each heading of a page (in heading order), up to the next heading."""
    per_heading: list[list[str]] = []

    def walk(part: RenderedPart) -> None:
        for item_index, item in enumerate(part.fragment.search_words):
            if item_index % 2 == 0:
                if per_heading and item:
                    per_heading[-1].append(item)
            elif item[0] == "h":
                per_heading.append([])
            else:
                walk(part.partials[int(item[1:])])

    for part in parts:
        walk(part)
    return tuple(" ".join(chunks) for chunks in per_heading)


@dataclass(frozen=True)
class Section:
    """One search result: an h1-h3 heading and the words of the text up to the next one."""

    page: int
    id: str
    title: str
    level: int
    text: str  # space-separated words, possibly repeated


def page_sections(
    page_index: int, headings: Iterable[tuple[int, str, str]], texts: Iterable[str]
) -> Iterator[Section]:
    """A page's h1-h3 sections, from its headings (level, id, title) and the words after each; a deeper
    heading and its text belong to the section it is in."""
    current: Section | None = None
    for (level, heading_id, title), text in zip(headings, texts, strict=True):
        if level <= 3 and heading_id:
            if current is not None:
                yield current
            current = Section(page_index, heading_id, title, level, text)
        elif current is not None:
            deeper = " ".join((current.text, *words(title), text))
            current = Section(current.page, current.id, current.title, current.level, deeper)
    if current is not None:
        yield current


def _block_postings(sections: tuple[Section, ...], first: int) -> dict[str, str]:
    """word -> the sections of this block it is in, numbered from `first`, in base 36: 2 * section + 1
    where it is in the title, 2 * section where only in the text."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    for number, section in enumerate(sections, first):
        in_title = set(words(section.title))
        code = _base36(2 * number + 1)
        for word in in_title:
            found[word].append(code)
        code = _base36(2 * number)
        for word in set(section.text.split()).difference(in_title):
            found[word].append(code)
    return {word: ",".join(codes) for word, codes in found.items()}


# Sections are indexed in blocks of this many, each kept in the store by a digest of its sections: an
# edit that changes some sections' text recomputes their blocks only (the whole index is half a million
# entries at 5000 endpoints). A heading added or removed renumbers the sections after it, and so their
_BLOCK = 256


def _block_key(block: tuple[Section, ...], first: int) -> str:
    return f"index-block/{content_digest((first, [(s.page, s.id, s.title, s.level, s.text) for s in block]))}"


def _blocks(sections: list[Section], store: Store | None) -> tuple[dict[str, list[str]], list[str]]:
    """word -> its sections' codes, block by block in section order; and each block's rows of the
    index's "sections" array, as they are written in the script (see _script_text)."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    rows: list[str] = []
    for first in range(0, len(sections), _BLOCK):
        block = tuple(sections[first : first + _BLOCK])
        key = _block_key(block, first) if store else ""
        known = store.get(key) if store else None
        if isinstance(known, tuple) and len(known) == 2:
            postings, block_rows = known
        else:
            postings = _block_postings(block, first)
            block_rows = _script_text(_json([[s.page, s.id, s.title, s.level] for s in block])[1:-1])
            if store:
                store.put(key, (postings, block_rows))
        for word, codes in postings.items():
            found[word].append(codes)
        rows.append(block_rows)
    return found, rows


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _script_text(text: str) -> str:
    """`text` as it stands inside the script's string literal: JSON string escapes, and `<` (so the
    file stays inert even if someone inlines it into a page) and the two line separators JavaScript
    once took for line ends escaped too. Every escape stands for one character, so a text's escape is
    its parts' escapes joined: the blocks' rows are escaped once, and kept so."""
    escaped = json.dumps(text, ensure_ascii=False)[1:-1].replace("<", "\\u003c")
    return escaped.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def script(pages: list[tuple[str, str]], sections: list[Section], store: Store | None = None) -> bytes:
    """The index of `pages` (output path, title) and their `sections`, as a script that hands it to
    search.js: loading a script works from file:// too.

    The browser gets it ready to use: the sorted words (in JavaScript's UTF-16 order, for its binary
    search) and for each word its sections in base 36, compact to ship and quick to decode in one pass.
    """
    postings, rows = _blocks(sections, store)
    vocabulary = sorted(postings, key=lambda word: word.encode("utf-16-be"))
    # The JSON text of {"pages": ..., "sections": ..., "words": ..., "postings": ...}, written piece
    # by piece straight into the literal: the rows of "sections" come escaped from their blocks.
    pages_json = _json([[output, title] for output, title in pages])
    words = _json(" ".join(vocabulary))
    codes = _json(" ".join(",".join(postings[word]) for word in vocabulary))
    literal = "".join(
        (
            _script_text(f'{{"pages":{pages_json},"sections":['),
            ",".join(rows),
            _script_text(f'],"words":{words},"postings":{codes}}}'),
        )
    )
    # Parsed with JSON.parse from a string literal, which is faster than a literal for big indexes.
    return f'window.flagstoneSearchIndex=JSON.parse("{literal}");\n'.encode()


# ---- Simplified and Traditional forms of Chinese characters: search finds text in either script ----

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
