"""Pages in every template format Middleman renders, its ERB helpers, custom layouts and linked folders."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from flagstone.errors import DocumentError
from flagstone.site_writer import OutputFile, SiteWriter
from tests.conftest import RunCli, shared_path, write_project

GUIDE = """\
---
title: Guide page
includes:
  - classes
---

<div class="intro"><p>This page's body is HTML in an ERB template.</p></div>
"""


def content(html: str) -> str:
    """The page's content: what is between the <main> element's tags."""
    start = html.index(">", html.index("<main")) + 1
    return html[start : html.index("</main>")]


def build(run_cli: RunCli, project: Path, *options: str | Path) -> tuple[int, str]:
    result = run_cli("build", project, "-q", *options)
    return result.status, result.err


def test_every_middleman_page_format_is_a_page(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "source/index.html.md": "---\ntitle: Home\n---\n# Home\n",
            "source/guides/start.html.erb": GUIDE,
            "source/notes.md": "---\ntitle: Notes\n---\n# Notes\n",
            "source/more.md.erb": "---\ntitle: More\n---\n# More\n",
            "source/fragment.md": "### A Shins !INCLUDE target without front matter\n",
            "source/includes/_classes.md": "# Included\n\n### Sub\n",
            "source/includes/loose.md": "---\ntitle: part\n---\n# Part of a page\n",
        },
    )
    assert build(run_cli, project) == (0, "")
    built = sorted(p.relative_to(project / "build").as_posix() for p in (project / "build").rglob("*.html"))
    assert built == ["guides/start.html", "index.html", "more.html", "notes.html"]
    guide = (project / "build/guides/start.html").read_text()
    assert content(guide).split("\n")[3:7] == [
        '<div class="intro"><p>This page\'s body is HTML in an ERB template.</p></div>',
        '<h1 id="included">Included</h1>',
        '<h3 id="sub">Sub</h3>',
        "</section>",
    ]
    assert '<a href="#included" class="toc-h1 toc-link" data-title="Included">Included</a>' in guide


HTML_PAGE = """\
---
title: HTML
---
<h1 id="welcome">Welcome</h1>
<p>Not *Markdown*: a_b_c and C:\\path</p>

    <p>Indented after a blank line</p>
<pre>
keep

this
</pre>
<p>See <%= link_to "home", "/index.html" %> <%= image_tag "logo.png", class: "logo" %></p>
"""


def test_an_html_template_is_written_as_html_not_markdown(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"source/index.html.md": "# Home\n", "source/guides/html.html.erb": HTML_PAGE},
    )
    assert build(run_cli, project) == (0, "")
    page = (project / "build/guides/html.html").read_text()
    assert content(page) == (
        "\n<section>\n"
        + HTML_PAGE.split("---\n", 2)[2].replace(
            '<%= link_to "home", "/index.html" %> <%= image_tag "logo.png", class: "logo" %>',
            '<a href="../index.html">home</a> <img src="../images/logo.png" class="logo" alt="Logo" />',
        )
        + "</section>\n\n"
    )
    assert '<a href="#welcome" class="toc-h1 toc-link" data-title="Welcome">Welcome</a>' in page


def test_of_two_templates_for_one_page_the_html_md_one_is_built(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"source/index.html.md": "# From html.md\n", "source/index.md": "---\ntitle: x\n---\n# From md\n"},
    )
    assert build(run_cli, project) == (0, "")
    assert 'id="from-html-md"' in (project / "build/index.html").read_text()


HELPERS = """\
<%= image_tag "diagram.gif" %>
<%= image_tag("my-big_photo.png", class: 'logo', :width => 20) %>
<%= image_tag "/favicon.png", alt: "Site icon" %>
<%= image_tag "https://example.com/x.png" %>
<%= image_tag "start-pic.png" %>

See <%= link_to "the guide", "guides/start.html" %>, <%= link_to 'home', '/index.html#top' %>,
<%= link_to "Cats & Dogs", "https://example.com/?a=1&b=2", target: "_blank", "data-x": "1" %>,
<%= link_to "nowhere", "missing.html", :class => "btn" %>.
<% link_to "guides/start.html", class: "card" do %>**Start** here<% end %>
"""


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "index.html.md",
            [
                '<img src="images/diagram.gif" alt="Diagram" />',
                '<img src="images/my-big_photo.png" class="logo" width="20" alt="My big photo" />',
                '<img src="favicon.png" alt="Site icon" />',
                '<img src="https://example.com/x.png" alt="X" />',
                '<img src="images/start-pic.png" alt="Start pic" />',
                '<p>See <a href="guides/start.html">the guide</a>, <a href="index.html#top">home</a>,',
                '<a href="https://example.com/?a=1&amp;b=2" target="_blank" data-x="1">Cats &amp; Dogs</a>,',
                '<a href="missing.html" class="btn">nowhere</a>.',
                '<a href="guides/start.html" class="card"><strong>Start</strong> here</a></p>',
            ],
        ),
        (
            "guides/start.html.md",
            [
                '<img src="../images/diagram.gif" alt="Diagram" />',
                '<img src="../images/my-big_photo.png" class="logo" width="20" alt="My big photo" />',
                '<img src="../favicon.png" alt="Site icon" />',
                '<img src="https://example.com/x.png" alt="X" />',
                '<img src="start-pic.png" alt="Start pic" />',
                # A relative link Middleman cannot find a file for stays as it is written.
                '<p>See <a href="guides/start.html">the guide</a>, <a href="../index.html#top">home</a>,',
                '<a href="https://example.com/?a=1&amp;b=2" target="_blank" data-x="1">Cats &amp; Dogs</a>,',
                '<a href="missing.html" class="btn">nowhere</a>.',
                '<a href="guides/start.html" class="card"><strong>Start</strong> here</a></p>',
            ],
        ),
    ],
    ids=["top", "one-folder-down"],
)
def test_image_tag_and_link_to_write_what_middleman_writes(
    run_cli: RunCli, tmp_path: Path, page: str, expected: list[str]
) -> None:
    project = write_project(
        tmp_path,
        {
            f"source/{page}": "---\ntitle: T\nincludes:\n  - helpers\n---\n",
            "source/includes/_helpers.md.erb": HELPERS,
            "source/images/diagram.gif": b"GIF89a",
            "source/guides/start-pic.png": b"png",
            "source/favicon.png": b"png",
        },
    )
    for other in {"index.html.md", "guides/start.html.md"} - {page}:
        write_project(project, {f"source/{other}": "# Other\n"})
    assert build(run_cli, project) == (0, "")
    html = content((project / "build" / page.removesuffix(".md")).read_text())
    assert html.split("\n")[2:11] == expected


def test_a_partial_gets_its_locals(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "source/index.html.md.erb": (
                '# Cards\n\n<%= partial "includes/card", locals: { name: "Cats", logo: "cat.png" } %>\n'
                "<%= partial(\"includes/card\", :locals => {:name => 'Dogs', :logo => 'dog.png'}) %>\n"
            ),
            "source/includes/_card.md.erb": "## <%= name %>\n\n<%= image_tag logo %>\n",
        },
    )
    assert build(run_cli, project) == (0, "")
    html = content((project / "build/index.html").read_text())
    assert '<h2 id="cats">Cats</h2>\n<img src="images/cat.png" alt="Cat" />' in html
    assert '<h2 id="dogs">Dogs</h2>\n<img src="images/dog.png" alt="Dog" />' in html


@pytest.mark.parametrize(
    ("erb", "message"),
    [
        (
            '<%= link_to "a", "#{base}/x" %>',
            "source/index.html.md.erb:3: expected a partial, image_tag or link_to call (the only ERB flagstone "
            'can evaluate), got <%= link_to "a", "#{base}/x" %>',
        ),
        (
            "<%= image_tag %>",
            "source/index.html.md.erb:3: expected a partial, image_tag or link_to call (the only ERB flagstone "
            "can evaluate), got <%= image_tag %>",
        ),
        (
            '<% link_to "x.html" do %>\nNever closed\n',
            "source/index.html.md.erb:3: expected <% end %> closing link_to's block, got the end of the file",
        ),
        (
            "<% end %>",
            "source/index.html.md.erb:3: expected a partial, image_tag or link_to call (the only ERB flagstone "
            "can evaluate), got <% end %>",
        ),
    ],
    ids=["interpolation", "no-argument", "unclosed-block", "stray-end"],
)
def test_other_ruby_is_a_located_error(run_cli: RunCli, tmp_path: Path, erb: str, message: str) -> None:
    project = write_project(tmp_path, {"source/index.html.md.erb": f"# A\n\n{erb}\n"})
    assert build(run_cli, project) == (1, f"error: {message}\nbuild failed: 1 error(s)\n")


def test_erb_comments_and_statement_lines_go_as_in_middleman(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "source/index.html.md.erb": (
                "# A\n\nBefore\n  <%# a comment line, dropped with its newline %>\n"
                '<% link_to "https://example.com" do %>\nLinked\n<% end %>\n'
            ),
        },
    )
    assert build(run_cli, project) == (0, "")
    html = content((project / "build/index.html").read_text())
    assert '<p>Before\n<a href="https://example.com">Linked\n</a></p>' in html


def test_a_statement_after_another_tag_on_its_line_keeps_the_line(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "source/index.html.md.erb": '# A\n\n<%= link_to "x.html" do %>X<% end %><%# note %>\nSame paragraph\n'
        },
    )
    assert build(run_cli, project) == (0, "")
    html = content((project / "build/index.html").read_text())
    assert '<p><a href="x.html">X</a>\nSame paragraph</p>' in html


CUSTOM_LAYOUT_WARNING = (
    "warning: source/layouts/layout.erb: flagstone's theme is used instead of this layout; "
    "see Theming in flagstone's docs\n"
)


def test_a_custom_layout_gives_one_warning(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "source/index.html.md": "# A\n",
            "source/guide.html.md": "# B\n",
            "source/layouts/layout.erb": "<html><body><%= yield %></body></html>\n",
        },
    )
    assert build(run_cli, project) == (0, CUSTOM_LAYOUT_WARNING)
    strict = run_cli("build", project, "-q", "--strict")
    assert (strict.status, strict.err) == (
        1,
        "error: source/layouts/layout.erb: flagstone's theme is used instead of this layout; "
        "see Theming in flagstone's docs\nbuild failed: 1 error(s)\n",
    )


def test_slates_own_layout_gives_no_warning(run_cli: RunCli, tmp_path: Path) -> None:
    stock = (
        "<% language_tabs = current_page.data.language_tabs || [] %>\n<% page_content = yield %>\n"
        "<% if current_page.data.includes %><% end %>\n<%= page_content %>\n"
    )
    project = write_project(tmp_path, {"source/index.html.md": "# A\n", "source/layouts/layout.erb": stock})
    assert build(run_cli, project, "--strict") == (0, "")


def test_a_broken_link_in_images_names_the_link(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, {"source/index.html.md": "# A\n", "source/images/ok.png": b"png"})
    (project / "source/images/gone.png").symlink_to(project / "source/images/deleted.png")
    assert build(run_cli, project) == (
        1,
        "error: source/images/gone.png: expected a file, got a symbolic link leading to "
        f"{project / 'source/images/deleted.png'}, which does not exist\nbuild failed: 1 error(s)\n",
    )


def test_a_linked_folder_inside_the_project_is_followed(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "source/index.html.md": "# A\n",
            "shared/images/logo.png": b"png",
            "shared/guide.html.md": "# Shared guide\n",
        },
    )
    (project / "source/linked").symlink_to(project / "shared")
    assert build(run_cli, project) == (0, "")
    assert (project / "build/linked/images/logo.png").read_bytes() == b"png"
    assert 'id="shared-guide"' in (project / "build/linked/guide.html").read_text()
    # The next build sees an edit made behind the link.
    (project / "shared/guide.html.md").write_text("# Edited guide\n")
    assert build(run_cli, project) == (0, "")
    assert 'id="edited-guide"' in (project / "build/linked/guide.html").read_text()


def test_a_linked_folder_leading_out_or_back_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    outside = write_project(tmp_path / "elsewhere", {"secret.txt": "TOP-SECRET\n"})
    project = write_project(tmp_path / "p", {"source/index.html.md": "# A\n"})
    (project / "source/out").symlink_to(outside)
    (project / "source/docs").mkdir()
    (project / "source/docs/loop").symlink_to(project / "source")
    assert build(run_cli, project) == (
        1,
        f"error: source/docs/loop: expected a folder, got a symbolic link leading to {project / 'source'}, "
        "a folder it is in (a loop)\n"
        f"error: source/out: expected a folder inside the project, got a symbolic link leading to {outside}\n"
        "build failed: 2 error(s)\n",
    )
    assert not (project / "build").exists()


def test_a_file_that_cannot_be_copied_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "source/images/vanished.png"
    with pytest.raises(DocumentError) as raised, SiteWriter(tmp_path / "out") as writer:
        writer.add(OutputFile("images/vanished.png", copy_from=missing))
    assert str(raised.value) == f"{missing}: cannot copy this file into the site: No such file or directory"
    assert not (tmp_path / "out").exists()


def test_edge4_builds_as_slate_built_it_with_its_warnings(run_cli: RunCli, tmp_path: Path) -> None:
    """Issue 18's acceptance: the reference project, unchanged, at Slate parity with four warnings."""
    edge4 = shared_path("spec", "slate-edge", "edge4")
    project = tmp_path / "edge4"
    shutil.copytree(edge4, project)
    for path in project.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    fence = (
        "source/index.html.md:{}: fence: a code fence right after a text line stays text in the paragraph,"
        " as on the Slate site (add a blank line before the fence)"
    )
    warnings = [
        CUSTOM_LAYOUT_WARNING.strip().removeprefix("warning: "),
        "source/index.html.md:5: language_tabs: repeated key, the value from line 5 replaces the one from line 3",
        fence.format(23),
        fence.format(29),
    ]
    status, err = build(run_cli, project, "-o", tmp_path / "site")
    assert (status, err.splitlines()) == (0, [f"warning: {w}" for w in warnings])
    strict_status, strict_err = build(run_cli, project, "-o", tmp_path / "strict", "--strict")
    assert strict_status == 1 and all(f"error: {w}" in strict_err for w in warnings)
    spec = importlib.util.spec_from_file_location("slate_compat", shared_path("tools", "slate_compat.py"))
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    result = scorer.score_doc(project, tmp_path / "site")
    summary = result["summary"]
    assert (summary["pages"], summary["anchors"]) == (100.0, 100.0)
    assert summary["toc"] >= 99 and summary["tabs"] >= 99 and summary["text"] >= 98, summary
    assert result["pages"]["guides/start"]["text"] == 100.0
    helpers = content((tmp_path / "site/index.html").read_text())
    assert '<img src="images/diagram.gif" alt="Diagram" />' in helpers
    assert '<p>See <a href="guides/start.html">the guide</a> for more.</p>' in helpers
