"""The site for AI assistants: a Markdown twin of every page, `llms.txt` and `llms-full.txt`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml

from flagstone.markup.render import PARTIAL_MARK
from flagstone.models import PageSettings, PageSource, PartSource
from flagstone.site_writer import OutputFile

TWIN_SUFFIX = ".md"  # index.html -> index.html.md, the llms.txt convention for pages ending in .html
INDEX_FILE = "llms.txt"
FULL_FILE = "llms-full.txt"


@dataclass(frozen=True)
class TwinPage:
    """A page as the assistants' files describe it: its twin's text and its h1 sections (id, title)."""

    output: str
    title: str
    markdown: str  # the whole content: the page's Markdown, its partials and includes merged
    sections: tuple[tuple[str, str], ...]
    settings: PageSettings


def merged_markdown(part: PartSource) -> str:
    """A file's Markdown with each ERB partial's own merged Markdown in place of its call."""
    return PARTIAL_MARK.sub(lambda call: merged_markdown(part.partials[int(call.group(1))]), part.source.text)


def page_markdown(page: PageSource) -> str:
    """The page's content as one Markdown text, its includes appended as Slate appends them."""
    texts = [merged_markdown(page.body), *(merged_markdown(include) for include in page.includes)]
    return "\n\n".join(text.strip("\n") for text in texts if text and not text.isspace()) + "\n"


def twin_page(page: PageSource, headings: Iterable[tuple[int, str, str]]) -> TwinPage:
    """A page's twin, from the page and its headings as the build placed them (level, id, title)."""
    sections = tuple((heading_id, title) for level, heading_id, title in headings if level == 1)
    return TwinPage(page.output, page.settings.title, page_markdown(page), sections, page.settings)


def _front_matter(settings: PageSettings) -> str:
    """The front matter that builds the twin as the page was built (its includes are merged in)."""
    fields: dict[str, object] = {"title": settings.title}
    if settings.language_tabs:
        fields["language_tabs"] = [
            tab.key if tab.label == tab.key else {tab.key: tab.label} for tab in settings.language_tabs
        ]
    if settings.toc_footers:
        fields["toc_footers"] = list(settings.toc_footers)
    defaults = PageSettings()
    for key, value, default in (
        ("search", settings.search, defaults.search),
        ("code_clipboard", settings.code_clipboard, defaults.code_clipboard),
        ("headingLevel", settings.heading_level, defaults.heading_level),
        ("highlight_theme", settings.highlight_theme, defaults.highlight_theme),
        ("rtl", settings.rtl, defaults.rtl),
    ):
        if value != default:
            fields[key] = value
    return "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"


def twin_file(twin: TwinPage) -> OutputFile:
    """The page's Markdown twin, beside it: a Slate page that flagstone builds into the same content."""
    # In pieces: a twin as large as its source is not copied once more to be joined.
    return OutputFile(
        twin.output + TWIN_SUFFIX, (_front_matter(twin.settings).encode(), twin.markdown.encode())
    )


def _link_text(title: str) -> str:
    return re.sub(r"([\[\]])", r"\\\1", " ".join(title.split()))


def llms_index(twins: Sequence[TwinPage], summary: str, base_url: str) -> OutputFile:
    """`llms.txt`: the site's title and summary, then per page its twin and one link per h1 section."""
    lines = [f"# {_link_text(twins[0].title)}", ""]
    if summary:
        lines += [f"> {' '.join(summary.split())}", ""]
    for twin in twins:
        lines += [f"## {_link_text(twin.title)}", ""]
        lines.append(f"- [{_link_text(twin.title)} (Markdown)]({base_url}{twin.output}{TWIN_SUFFIX})")
        lines += [
            f"- [{_link_text(title)}]({base_url}{twin.output}#{section})" for section, title in twin.sections
        ]
        lines.append("")
    return OutputFile(INDEX_FILE, "\n".join(lines).encode())


def llms_full(twins: Sequence[TwinPage], base_url: str) -> OutputFile:
    """`llms-full.txt`: every page's whole content as Markdown, each under a comment naming its URL."""
    pieces: list[bytes] = []
    for number, twin in enumerate(twins):
        pieces += [
            b"\n" if number else b"",
            f"<!-- {base_url}{twin.output} -->\n\n".encode(),
            twin.markdown.encode(),
        ]
    return OutputFile(FULL_FILE, tuple(pieces))
