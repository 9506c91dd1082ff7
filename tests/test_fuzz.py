"""Fuzzing: random Markdown, front matter and include layouts give a site or a located error, never a crash."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flagstone.build import build
from flagstone.errors import DocumentError
from flagstone.models import BuildOptions

MARKDOWN_PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "###",
        "#",
        "\n",
        "\n\n",
        "    ",
        "> ",
        "- ",
        "1. ",
        "* ",
        "```",
        "```json\n",
        "```shell\n",
        "~~~",
        "| a | b |\n|---|---|\n",
        "|",
        '<aside class="notice">',
        "</aside>",
        '<h2 id="x">',
        "</h2>",
        "<!--",
        "-->",
        "<div>",
        "</div>",
        "*",
        "_",
        "`",
        "[",
        "](",
        ")",
        "![",
        "&amp;",
        "&",
        "<",
        ">",
        '"',
        "'",
        "\\",
        "text",
        "Kittens",
        "日本語",
        "Ünï",
        "🚀",
        "\t",
        "\r\n",
        "\r",
        '<%= partial "includes/a" %>',
        "<% x %>",
        "---\n",
        "</script>",
    ]
)
YAML_PIECES = st.sampled_from(
    [
        "title: T\n",
        "title:\n",
        "title: [a\n",
        "language_tabs:\n  - shell\n  - ruby: Ruby\n",
        "language_tabs: shell\n",
        'language_tabs:\n  - "a b"\n',
        "includes:\n  - a\n",
        "includes:\n  - missing\n",
        "includes: a\n",
        "includes:\n  - ../../x\n",
        "search: true\n",
        'search: "yes"\n',
        "headingLevel: 3\n",
        "headingLevel: 0\n",
        "meta:\n  - name: d\n    content: c\n",
        "meta: 3\n",
        "toc_footers:\n  - <a href='#'>x</a>\n",
        "x: 1\n",
        "title: a\ntitle: b\n",
        "- a\n",
        ": :\n",
        "\t",
        "rtl: true\n",
        "highlight_theme: nope\n",
    ]
)


def markdown() -> st.SearchStrategy[str]:
    return st.lists(MARKDOWN_PIECES, max_size=40).map("".join)


@settings(
    max_examples=int(__import__("os").environ.get("FLAGSTONE_FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    front=st.lists(YAML_PIECES, max_size=6).map("".join),
    body=markdown(),
    include_a=markdown(),
    include_b=markdown(),
    erb=st.booleans(),
    layout=st.sampled_from(["underscore", "plain", "project", "none"]),
)
def test_build_gives_a_site_or_a_located_error(
    front: str, body: str, include_a: str, include_b: str, erb: bool, layout: str
) -> None:
    root = Path(tempfile.mkdtemp(prefix="flagstone-fuzz-"))
    try:
        page = root / "source" / ("index.html.md.erb" if erb else "index.html.md")
        page.parent.mkdir(parents=True)
        page.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        folder = {
            "underscore": root / "source/includes",
            "plain": root / "source/includes",
            "project": root / "includes",
            "none": None,
        }[layout]
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            prefix = "" if layout == "plain" else "_"
            (folder / f"{prefix}a.md.erb").write_text(include_a, encoding="utf-8")
            (folder / f"{prefix}b.md").write_text(include_b, encoding="utf-8")
        try:
            report = build(BuildOptions(root, root / "build", workers=1))
        except DocumentError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.path and problem.message
                assert problem.path.startswith(("source/", "includes/")), problem
        else:
            assert report.pages == 1
            assert (root / "build" / "index.html").is_file()
    finally:
        shutil.rmtree(root, ignore_errors=True)
