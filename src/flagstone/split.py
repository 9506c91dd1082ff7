"""Split output: one page cut into one HTML file per h1 section or per include, every old link kept."""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote

from flagstone.assemble import MIN_SECTION_LENGTH
from flagstone.models import PageSource, RenderedPage, TocEntry

# The anchor map's element in the page's first file: read by the script after it, by `flagstone check`
# and by the tests.
MAP_ID = "flagstone-split-map"
_SECTION_BREAK = "</section>\n<section>\n"
_H1_START = re.compile(r"\s*<h1[\s>]")
_HEADING_ID = re.compile(r"""<h[1-6]\s[^>]*?(?<![\w-])id="([^"]*)\"""")
# Every element id (and old-style `<a name>`) a `#fragment` can reach, as the theme's HTML writes them.
_TARGET = re.compile(
    r"""<([A-Za-z][A-Za-z0-9-]*)\s(?:[^>"']|"[^"]*"|'[^']*')*?(?<![\w-])(id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
)
_UNSAFE = re.compile(r"[^a-z0-9]+")
# Redirects `first.html#id` to the file now holding `id`, before the content arrives (works from file://).
_REDIRECT = (
    "<script>(function(){var m=JSON.parse(document.getElementById(%s).textContent);"
    "function go(){var h=location.hash.slice(1);try{h=decodeURIComponent(h)}catch(e){}"
    "if(h&&Object.prototype.hasOwnProperty.call(m.ids,h)&&!document.getElementById(h))"
    'location.replace(m.files[m.ids[h]]+location.search+"#"+encodeURIComponent(h))}'
    'go();addEventListener("hashchange",go)})()</script>\n'
)
_PAGER_STYLE = (
    "<style>.split-pager{display:flex;justify-content:space-between;gap:1em;clear:both;"
    "padding:2em 28px;margin-right:50%}.split-pager a{text-decoration:none}"
    ".split-pager .next{margin-left:auto;text-align:right}</style>\n"
)


@dataclass(frozen=True)
class SplitPage:
    """A page as split output writes it: its files (the first at the page's own path), and for each id
    of the page the number of the file holding it."""

    files: tuple[RenderedPage, ...]
    where: dict[str, int]


@dataclass(frozen=True)
class SplitFile:
    """One file of a split page: its path in the site, its title and its content."""

    output: str
    title: str
    content: str


_MAP = re.compile(f'<script type="application/json" id="{MAP_ID}">([^<]*)</script>')


def moved_ids(page_html: str) -> dict[str, str]:
    """A split page's first file: id -> the file (beside it) its anchor map sends `#id` to."""
    found = _MAP.search(page_html)
    if not found:
        return {}
    data = json.loads(found[1])
    return {target: data["files"][number] for target, number in data["ids"].items()}


def split_mode(page: PageSource, override: str | None) -> str:
    """How the page is split: `--split` if given ("" for not at all), else its front matter."""
    return page.settings.split if override is None else override


def _chunk_files(cut: tuple[tuple[str, ...], ...], mode: str) -> list[list[str]]:
    """The page's chunks (each starting at a top-level h1 or h2, or a file's start) grouped into files:
    a file per h1 (what precedes the first h1 stays with it), or per top-level Markdown file."""
    files: list[list[str]] = [[]]
    has_h1 = False
    for part in cut:
        if mode == "include" and any(chunk.strip() for chunk in files[-1]):
            files.append([])
        for chunk in part:
            if not chunk:
                continue
            if mode == "h1" and _H1_START.match(chunk):
                if has_h1:
                    files.append([])
                has_h1 = True
            files[-1].append(chunk)
    return [chunks for chunks in files if any(chunk.strip() for chunk in chunks)] or [[]]


def _sectioned(chunks: list[str], balanced: bool) -> str:
    """A file's chunks as the single page would show them: sections of a few endpoints each."""
    written, length = ["<section>\n"], 0
    for number, chunk in enumerate(chunks):
        if number and balanced and length >= MIN_SECTION_LENGTH:
            written.append(_SECTION_BREAK)
            length = 0
        written.append(chunk)
        length += len(chunk)
    written.append("</section>\n")
    return "".join(written)


def _targets(content: str) -> Iterator[str]:
    for match in _TARGET.finditer(content):
        if match[2].lower() == "id" or match[1].lower() == "a":
            yield html.unescape(next(g for g in match.groups()[2:] if g is not None))


def _file_names(page: PageSource, names: list[str], taken: set[str]) -> list[str]:
    """`index.html` for the first file, `index-<id>.html` beside it for the others: one folder, so
    relative links work from file:// and under any sub-path; ASCII, so no URL needs escaping."""
    stem = page.output.removesuffix(".html")
    outputs = [page.output]
    for number, name in enumerate(names[1:], 2):
        base = f"{stem}-{_UNSAFE.sub('-', name.lower()).strip('-') or str(number)}"
        output, suffix = f"{base}.html", 2
        while output in taken:
            output, suffix = f"{base}-{suffix}.html", suffix + 1
        taken.add(output)
        outputs.append(output)
    return outputs


def _toc_for(entries: tuple[TocEntry, ...], where: dict[str, str], here: str | None) -> tuple[TocEntry, ...]:
    """The page's TOC as the file `here` shows it: entries of other files link to them."""
    return tuple(
        replace(
            entry,
            file="" if where.get(entry.id, here) == here else posixpath.basename(where[entry.id]),
            children=_toc_for(entry.children, where, here),
        )
        for entry in entries
    )


def _files_of(entry: TocEntry, where: dict[str, str], default: str) -> set[str]:
    found = {where.get(entry.id, default)}
    for child in entry.children:
        found |= _files_of(child, where, default)
    return found


def _tocs(toc: tuple[TocEntry, ...], where: dict[str, str], outputs: list[str]) -> list[tuple[TocEntry, ...]]:
    """Each file's TOC. A top-level entry whose headings are all in one file (every h1 of an h1
    split) is made twice, as that file and as every other shows it, not once per file."""
    variants = []
    for entry in toc:
        files = _files_of(entry, where, outputs[0])
        if len(files) == 1:
            (only,) = files
            variants.append((only, _toc_for((entry,), where, only)[0], _toc_for((entry,), where, None)[0]))
        else:
            variants.append(("", entry, entry))
    return [
        tuple(
            (own if only == here else other) if only else _toc_for((entry,), where, here)[0]
            for (only, own, other), entry in zip(variants, toc, strict=True)
        )
        for here in outputs
    ]


def _pager(files: list[SplitFile], number: int) -> str:
    links = []
    for offset, rel, arrow in ((-1, "prev", "\u2190 "), (1, "next", " \u2192")):
        other = number + offset
        if 0 <= other < len(files):
            title = html.escape(files[other].title)
            text = f"{arrow}{title}" if rel == "prev" else f"{title}{arrow}"
            href = posixpath.basename(files[other].output)
            links.append(f'<a href="{href}" rel="{rel}" class="{rel}">{text}</a>')
    return f'{_PAGER_STYLE}<nav class="split-pager" aria-label="Pages">{"".join(links)}</nav>\n'


def _anchor_map(files: list[SplitFile], where: dict[str, str], first: str) -> str:
    names = [posixpath.basename(f.output) for f in files]
    number = {f.output: n for n, f in enumerate(files)}
    ids = {target: number[output] for target, output in where.items() if output != first}
    data = json.dumps({"files": names, "ids": ids}, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    element = json.dumps(MAP_ID)
    return f'<script type="application/json" id="{MAP_ID}">{data}</script>\n' + _REDIRECT % element


def split_page(
    page: RenderedPage, cut: tuple[tuple[str, ...], ...], balanced: bool, mode: str, taken: set[str]
) -> SplitPage:
    """The page's files, each with the whole TOC, prev/next links and in-page links that now lead to
    another file rewritten; the first (at the page's own path) carries the anchor map that sends an
    old `page.html#id` on to the file holding `id`. `taken`: the site's paths, grown by the new ones."""
    groups = _chunk_files(cut, mode)
    titles = {h.id: h.text for h in page.headings if h.id}
    named = [_first_heading(chunks) for chunks in groups]
    outputs = _file_names(page.source, [name for name, _ in named], taken)
    contents = [_sectioned(chunks, balanced) for chunks in groups]
    where: dict[str, str] = {}
    for output, content in zip(outputs, contents, strict=True):
        for target in _targets(content):
            where.setdefault(target, output)
    files = [
        SplitFile(output, titles.get(name, "") or fallback, content)
        for output, (name, fallback), content in zip(outputs, named, contents, strict=True)
    ]
    pages = []
    tocs = _tocs(page.toc, where, outputs)
    for number, file in enumerate(files):
        content = _relinked(file.content, where, file.output, page.source.output)
        if number == 0 and len(files) > 1:
            content = _anchor_map(files, where, file.output) + content
        if len(files) > 1:
            content += _pager(files, number)
        source = replace(page.source, output=file.output)
        toc = tocs[number]
        pages.append(replace(page, source=source, content_html=content, toc=toc, split_of=page.source.output))
    number_of = {output: n for n, output in enumerate(outputs)}
    return SplitPage(tuple(pages), {target: number_of[output] for target, output in where.items()})


def _first_heading(chunks: list[str]) -> tuple[str, str]:
    """The id naming a file (its first heading's), and a title for it when that heading has none."""
    for chunk in chunks:
        found = _HEADING_ID.search(chunk)
        if found:
            return html.unescape(found[1]), ""
    return "", ""


def _relinked(content: str, where: dict[str, str], here: str, page: str) -> str:
    """`#id` and `page.html#id` links lead to the file now holding `id`."""
    name = re.escape(posixpath.basename(page))
    in_page = re.compile(f"""((?<![\\w-])href\\s*=\\s*)(["'])((?:{name})?)#([^"']*)\\2""")

    def relink(match: re.Match[str]) -> str:
        fragment = match[4]
        output = where.get(unquote(html.unescape(fragment)))
        if output is None or (output == here and (not match[3] or here == page)):
            return match[0]
        file = "" if output == here else quote(posixpath.basename(output))
        return f"{match[1]}{match[2]}{file}#{fragment}{match[2]}"

    return in_page.sub(relink, content)
