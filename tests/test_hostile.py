"""Hostile and broken input: located errors, no crash, no quadratic blow-up, nothing lost on interruption."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flagstone.errors import DocumentError
from flagstone.markup.render import MarkdownRenderer
from flagstone.models import SourceText
from tests.conftest import RunCli, write_project

PAGE = "---\nincludes:\n  - x\n---\n# Page\n"


def render(text: str) -> str:
    return MarkdownRenderer().render(SourceText(Path("big.md"), "big.md", text), ()).html


def test_nul_byte_is_a_located_error(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(
        tmp_path, {"source/index.html.md": PAGE, "source/includes/_x.md": b"# X\n\nbinary\x00stuff\n"}
    )
    result = run_cli("build", tmp_path, "-q")
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        "error: source/includes/_x.md:3: expected a text file, got a NUL byte at "
        "byte offset 11 (is this a binary file?)"
    )


def test_folder_given_as_include(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(
        tmp_path, {"source/index.html.md": PAGE, "source/includes/_x.md/readme.txt": "not markdown"}
    )
    result = run_cli("build", tmp_path, "-q")
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        "error: source/index.html.md:3: includes[0]: expected include 'x' to be a "
        "file, got the folder source/includes/_x.md/"
    )


def test_include_name_leading_outside_the_project(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("# Secret\n")
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": PAGE.replace("- x", "- ../../../secret"),
            "source/includes/_other.md": "# Other\n",
        },
    )
    result = run_cli("build", project, "-q")
    assert result.status == 1
    assert "expected a file inside the project" in result.err
    assert not (project / "build").exists()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("> " * 10000 + "deep\n", 3),
        ("- " * 10000 + "deep\n", 3),
        ("".join("  " * i + "- x\n" for i in range(200)), 83),
    ],
    ids=["quotes", "lists", "indented-lists"],
)
def test_ten_thousand_deep_nesting_fails_cleanly(text: str, line: int) -> None:
    with pytest.raises(DocumentError) as caught:
        render("# Top\n\n" + text)
    assert [p.format() for p in caught.value.problems] == [
        f"big.md:{line}: expected lists and quotes nested at most 80 levels deep, got deeper"
    ]


@pytest.mark.parametrize(
    "text",
    ["> " * 80 + "deep\n", "- " * 80 + "deep\n", "".join("  " * i + "- deep\n" for i in range(80))],
    ids=["quotes", "lists", "indented-lists"],
)
def test_nesting_at_the_limit_renders_every_level(text: str) -> None:
    html = render(text)
    assert html.count("<blockquote>") + html.count("<ul>") == 80 and "deep" in html


@pytest.mark.parametrize(
    ("front_matter", "where"),
    [
        ("meta: " + "[" * 300 + "]" * 300 + "\n", "2:57"),
        ("meta:\n" + "".join("  " * i + "-\n" for i in range(1, 300)), "53:103"),
        ("meta:\n" + "".join("  " * i + "- x:\n" for i in range(1, 300)), "27:53"),
    ],
    ids=["flow", "block-lists", "block-maps"],
)
def test_front_matter_nested_three_hundred_deep_is_a_located_error(
    run_cli: RunCli, tmp_path: Path, front_matter: str, where: str
) -> None:
    write_project(tmp_path, {"source/index.html.md": f"---\n{front_matter}---\n# Hi\n"})
    result = run_cli("build", tmp_path, "-q")
    message = "source/index.html.md:2:57: meta: expected values nested at most 50 levels deep, got deeper"
    assert (result.status, result.err.splitlines()[0]) == (1, "error: " + message.replace("2:57", where))


def laughs(indent: str) -> str:
    """A "billion laughs": nine anchors, each a list of nine aliases of the one before (9**9 values)."""
    lines = [f'{indent}- &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{indent}- &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        (
            "meta:\n  - name: laughs\n    content:\n" + laughs("      "),
            "source/index.html.md:10:14: meta[0].content[5][0]: expected aliases standing for at most "
            "100000 values in all, got more with *a4",
        ),
        (
            "language_tabs:\n  - shell:\n" + laughs("    "),
            "source/index.html.md:9:12: language_tabs[0].shell[5][0]: expected aliases standing for at most "
            "100000 values in all, got more with *a4",
        ),
    ],
    ids=["meta", "tab-label"],
)
def test_billion_laughs_is_a_quick_located_error(
    run_cli: RunCli, tmp_path: Path, front_matter: str, message: str
) -> None:
    write_project(tmp_path, {"source/index.html.md": f"---\n{front_matter}---\n# Hi\n"})
    started = time.perf_counter()
    result = run_cli("build", tmp_path, "-q")
    assert time.perf_counter() - started < 1
    assert (result.status, result.err.splitlines()) == (1, [f"error: {message}", "build failed: 1 error(s)"])


def test_an_alias_inside_the_value_it_names_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(tmp_path, {"source/index.html.md": "---\nmeta:\n  - &tag\n    name: *tag\n---\n# Hi\n"})
    result = run_cli("build", tmp_path, "-q")
    assert (result.status, result.err.splitlines()[0]) == (
        1,
        "error: source/index.html.md:4:11: meta[0].name: expected an alias to a value given before it, "
        "got *tag inside the value it names",
    )


def test_aliases_of_ordinary_size_are_read(run_cli: RunCli, tmp_path: Path) -> None:
    tabs = "language_tabs:\n  - shell: &curl cURL\n  - bash: *curl\n"
    write_project(tmp_path, {"source/index.html.md": f"---\n{tabs}---\n# Hi\n"})
    assert run_cli("build", tmp_path, "-q").status == 0
    html = (tmp_path / "build" / "index.html").read_text(encoding="utf-8")
    assert 'data-language-name="shell">cURL</a>' in html and 'data-language-name="bash">cURL</a>' in html


def test_deep_inline_nesting_renders() -> None:
    assert render("[" * 50000 + "x" + "]" * 50000 + "\n").startswith("<p>[[[")
    assert "x" in render("*" * 100000 + "x" + "*" * 100000 + "\n")


def test_hundred_thousand_headings_and_a_megabyte_line() -> None:
    html = render("".join(f"## H {i}\n" for i in range(100_000)) + "word " * 200_000 + "\n")
    assert html.count("<h2 ") == 100_000 and html.endswith("word</p>\n")


def _seconds(text: str) -> float:
    """The quickest of three renders: a busy machine only ever adds time."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        render(text)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.parametrize(
    "unit",
    ids=["sections", "tables", "quoted-fences", "lists"],
    argvalues=[
        "## Heading {i}\n\nSome *text* with `code` and a [link](#heading-{i}).\n\n",
        "| a | b |\n|---|---|\n| {i} | x |\n\n",
        '> quote {i}\n```json\n{{"a": {i}}}\n```\n\n',
        "- item {i}\n  - nested\n",
    ],
)
def test_time_grows_no_faster_than_n_log_n(unit: str) -> None:
    small = "".join(unit.format(i=i) for i in range(2000))
    large = "".join(unit.format(i=i) for i in range(8000))
    _seconds(small)  # warm up lexers and caches
    ratio = _seconds(large) / max(_seconds(small), 1e-3)
    # 4x the input: n log n gives ~4.7 (lists measure 7: caches warm less at the small size), quadratic 16
    assert ratio < 10, ratio


def test_fifty_megabytes_of_markdown_builds(tmp_path: Path) -> None:
    section = (
        "## Endpoint {i}\n\nText about endpoint {i} with **bold** and `code`.\n\n"
        '| name | type |\n|---|---|\n| id | int |\n\n```json\n{{"id": {i}}}\n```\n\n'
    )
    files = {
        "source/index.html.md": "---\nincludes:\n"
        + "".join(f"  - part{n}\n" for n in range(50))
        + "---\n# Big\n"
    }
    chunk = "".join(section.format(i=i) for i in range(7600))  # about 1 MB
    for n in range(50):
        files[f"source/includes/_part{n}.md"] = f"# Part {n}\n\n" + chunk
    write_project(tmp_path, files)
    total = sum((tmp_path / name).stat().st_size for name in files)
    assert total > 50_000_000
    result = subprocess.run(
        [sys.executable, "-m", "flagstone", "build", str(tmp_path), "-q", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build/index.html").stat().st_size > total


def test_sigterm_mid_build_keeps_the_previous_site(tmp_path: Path) -> None:
    write_project(tmp_path, {"source/index.html.md": "# Small\n"})
    subprocess.run([sys.executable, "-m", "flagstone", "build", str(tmp_path), "-q"], check=True)
    before = (tmp_path / "build/index.html").read_bytes()
    big = "".join(f'## Heading {i}\n\nText {i}.\n\n```json\n{{"i": {i}}}\n```\n\n' for i in range(60_000))
    (tmp_path / "source/index.html.md").write_text("# Big\n\n" + big)
    process = subprocess.Popen(
        [sys.executable, "-m", "flagstone", "build", str(tmp_path), "-q", "--no-cache"],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert process.poll() is None, "the build finished before it could be interrupted"
    os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err
    assert (tmp_path / "build/index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "source"]


def test_title_headings_and_code_are_escaped_where_they_land(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "source/index.html.md": (
                '---\ntitle: "</title><script>alert(1)</script>"\nlanguage_tabs:\n  - shell\n---\n'
                '# Fish & `<chips>`\n\n```shell\necho "</script><!--"\n```\n'
            )
        },
    )
    subprocess.run([sys.executable, "-m", "flagstone", "build", str(tmp_path), "-q"], check=True)
    html = (tmp_path / "build/index.html").read_text(encoding="utf-8")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert 'data-title="Fish &amp; &lt;chips&gt;"' in html
    assert '<h1 id="fish-amp-lt-chips-gt">Fish &amp; <code>&lt;chips&gt;</code></h1>' in html
    assert "&lt;/script&gt;&lt;!--" in html and 'echo "</script>' not in html
    # every inline script is flagstone's own: content never lands inside one
    assert html.count("<script") == 2 and "alert(1)</script>" not in html


def test_read_only_output_folder_is_a_clear_error(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(tmp_path / "p", {"source/index.html.md": "# A\n"})
    if os.geteuid() == 0:  # root ignores permissions; sysfs refuses new folders even to root
        target, reason = Path("/sys/flagstone-site"), "Operation not permitted"
    else:
        (tmp_path / "locked").mkdir()
        (tmp_path / "locked").chmod(0o500)
        target, reason = tmp_path / "locked" / "site", "Permission denied"
    result = run_cli("build", tmp_path / "p", "-o", target)
    assert result.status == 1
    assert result.err == f"error: {target}: cannot write the site here: {reason}\nbuild failed: 1 error(s)\n"


def test_output_path_that_is_a_file_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    write_project(tmp_path / "p", {"source/index.html.md": "# A\n"})
    (tmp_path / "occupied").write_text("a file, not a folder")
    result = run_cli("build", tmp_path / "p", "-o", tmp_path / "occupied")
    assert result.status == 2
    assert result.err == f"flagstone: error: output path {tmp_path / 'occupied'} exists and is not a folder\n"
    assert (tmp_path / "occupied").read_text() == "a file, not a folder"


# ---- the project's theme folders: no link out, templates sandboxed --------------------------------


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (
            "themes/assets/extra.css",
            "themes/assets/extra.css: expected a file inside the project, got a symbolic link",
        ),
        (
            "themes/templates/sidebar.html",
            "themes/templates/sidebar.html: expected a file inside the project, got a symbolic link",
        ),
        (
            "themes/assets/deep/er/x.txt",
            "themes/assets/deep/er/x.txt: expected a file inside the project, got a symbolic link",
        ),
    ],
    ids=["asset", "template", "nested-asset"],
)
def test_a_theme_file_linked_out_of_the_project_is_refused(
    run_cli: RunCli, tmp_path: Path, link: str, message: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET\n")
    project = write_project(tmp_path / "p", {"source/index.html.md": "# A\n"})
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(secret)
    result = run_cli("build", project, "-q")
    assert (result.status, result.err) == (
        1,
        f"error: {message} leading to {secret}\nbuild failed: 1 error(s)\n",
    )
    assert not (project / "build").exists()


def test_a_theme_folder_linked_out_of_the_project_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    outside = write_project(tmp_path / "elsewhere", {"assets/passwd": "root:x:0:0\n"})
    project = write_project(tmp_path / "p", {"source/index.html.md": "# A\n"})
    (project / "themes").symlink_to(outside)
    result = run_cli("build", project, "-q")
    assert (result.status, result.err) == (
        1,
        "error: themes/assets/passwd: expected a file inside the project, got a symbolic link leading "
        f"to {outside / 'assets/passwd'}\nbuild failed: 1 error(s)\n",
    )
    assert not (project / "build").exists()


def test_a_template_reached_through_a_linked_folder_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/secret.html").write_text("TOP-SECRET\n")
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "# A\n",
            "themes/templates/page.html": '{% include "linked/secret.html" %}{{ content | safe }}\n',
        },
    )
    (project / "themes/templates/linked").symlink_to(tmp_path / "outside")
    result = run_cli("build", project, "-q")
    assert (result.status, result.err) == (
        1,
        "error: themes/templates/linked/secret.html: expected a file inside the project, got a symbolic "
        f"link leading to {tmp_path / 'outside/secret.html'}\nbuild failed: 1 error(s)\n",
    )


def test_a_theme_link_inside_the_project_is_fine(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {"source/index.html.md": "# A\n", "source/images/brand.css": "b{}\n"}
    )
    (project / "themes/assets").mkdir(parents=True)
    (project / "themes/assets/brand.css").symlink_to(project / "source/images/brand.css")
    assert run_cli("build", project, "-q").status == 0
    assert (project / "build/flagstone/brand.css").read_text() == "b{}\n"


def test_templates_run_in_the_sandbox(run_cli: RunCli, tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    project = write_project(
        tmp_path / "p",
        {
            "source/index.html.md": "# A\n",
            "themes/templates/page.html": (
                "<!doctype html>\n<title>{{ title }}</title>\n"
                f"{{{{ cycler.__init__.__globals__.os.popen('touch {ran}').read() }}}}\n"
                "{{ content | safe }}\n"
            ),
        },
    )
    result = run_cli("build", project, "-q")
    assert (result.status, result.err) == (
        1,
        "error: themes/templates/page.html:3: refused by the template sandbox: access to attribute "
        "'__init__' of 'type' object is unsafe (templates may only use what flagstone gives them)\n"
        "build failed: 1 error(s)\n",
    )
    assert not ran.exists() and not (project / "build").exists()


def test_a_broken_template_is_a_located_error(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {"source/index.html.md": "# A\n", "themes/templates/page.html": "<p>\n{% if %}\n{{ content }}\n"},
    )
    result = run_cli("build", project, "-q")
    assert (result.status, result.err) == (
        1,
        "error: themes/templates/page.html:2: template error: Expected an expression, got 'end of "
        "statement block'\nbuild failed: 1 error(s)\n",
    )
