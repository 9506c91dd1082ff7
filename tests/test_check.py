"""`flagstone check`: build warnings plus broken links, missing files and duplicate ids, each located."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flagstone.commands.console import colour_enabled, paint
from tests.conftest import RunCli, tree, write_project

PAGE = textwrap.dedent("""
    ---
    title: Kittn
    language_tabs:
      - shell
      - tabonly: Tab only
    toc_footers:
      - <a href='#kittens'>Kittens</a>
    includes:
      - errors
    ---
    # Kittens

    ## Get All Kittens

    See [errors](#errors), [the guide](guide/page.html#guide) and [a tab](?shell#kittens).
    ![logo](images/logo.png) [file](files/spec.pdf) [folder](guide/) [top](#) [é](#café) [old](#old-style)
    [out](https://example.com/x#nope) <mailto:a@example.com> [cdn](//cdn.example.com/a.js)

    ```tabonly
    only a tab
    ```

    <a name="old-style"></a>
    <div id="café">Markdown is not read on the line of a block's HTML tag: [no link](#nowhere)</div>
    """).lstrip()
CLEAN = {
    "source/index.html.md": PAGE,
    "source/includes/_errors.md": "# Errors\n\n[back](#get-all-kittens)\n",
    "source/images/logo.png": b"\x89PNG fake",
    "source/files/spec.pdf": b"%PDF fake",
    "source/guide/page.html.md": "---\ntitle: Guide\n---\n# Guide\n[home](../index.html#kittens)\n",
    "source/guide/index.html.md": "# Guide index\n",
}


def check(run_cli: RunCli, project: Path, *args: str) -> tuple[int, list[str], str]:
    result = run_cli("check", project, *args)
    return result.status, result.out.splitlines(), result.err


def with_page(extra: str, **files: str) -> dict[str, str | bytes]:
    return {**CLEAN, "source/index.html.md": PAGE + extra, **files}


def test_a_clean_project_passes(run_cli: RunCli, tmp_path: Path) -> None:
    status, out, err = check(run_cli, write_project(tmp_path, CLEAN))
    assert (status, out) == (0, []), err
    assert "check passed: no problems in 3 page(s)" in err


def test_never_writes_into_the_project(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, CLEAN)
    before = tree(project)
    check(run_cli, project)
    assert tree(project) == before and not (project / "build").exists()


def test_a_broken_same_page_anchor_names_file_line_and_a_near_miss(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, with_page("\nText\nand [gone](#get-all-kitten).\n"))
    status, out, _ = check(run_cli, project)
    assert status == 1
    assert out == [
        "error: source/index.html.md:27: link: expected an element with id 'get-all-kitten' on this page, "
        "got none (did you mean 'get-all-kittens'?)"
    ]


def test_a_broken_cross_page_anchor(run_cli: RunCli, tmp_path: Path) -> None:
    files = {"source/guide/page.html.md": "---\ntitle: Guide\n---\n# Guide\n[home](../index.html#nope)\n"}
    status, out, _ = check(run_cli, write_project(tmp_path, {**CLEAN, **files}))
    assert status == 1
    assert out == [
        "error: source/guide/page.html.md:5: link: expected an element with id 'nope' on index.html, got none"
    ]


def test_a_link_in_an_include_is_located_in_the_include(run_cli: RunCli, tmp_path: Path) -> None:
    files = {"source/includes/_errors.md": "# Errors\n\n| a | b |\n|---|---|\n| x | [y](#missing) |\n"}
    status, out, _ = check(run_cli, write_project(tmp_path, {**CLEAN, **files}))
    assert status == 1
    assert out == [
        "error: source/includes/_errors.md:5: link: expected an element with id 'missing' on this page, got none"
    ]


def test_missing_images_and_files(run_cli: RunCli, tmp_path: Path) -> None:
    extra = '\n![cat](images/cat.png)\n\n<p>\n<img alt="x"\n  src="images/dog.png">\n</p>\n\n[spec](files/spec.pfd)\n'
    status, out, _ = check(run_cli, write_project(tmp_path, with_page(extra)))
    assert status == 1
    assert out == [
        "error: source/index.html.md:26: image: expected a file of the site at 'images/cat.png', got no such file"
        " (did you mean 'images/logo.png'?)",
        "error: source/index.html.md:30: image: expected a file of the site at 'images/dog.png', got no such file"
        " (did you mean 'images/logo.png'?)",
        "error: source/index.html.md:33: link: expected a file of the site at 'files/spec.pfd', got no such file"
        " (did you mean 'files/spec.pdf'?)",
    ]


def test_a_link_leading_outside_the_site(run_cli: RunCli, tmp_path: Path) -> None:
    status, out, _ = check(run_cli, write_project(tmp_path, with_page("\n[up](../../etc/passwd)\n")))
    assert status == 1
    assert out == [
        "error: source/index.html.md:26: link: expected a file inside the site, "
        "got '../../etc/passwd' leading outside it"
    ]


def test_duplicate_ids_from_raw_html_point_at_the_second(run_cli: RunCli, tmp_path: Path) -> None:
    extra = '\n<div id="twice">one</div>\n\n<p>two <span id="twice">again</span></p>\n'
    status, out, _ = check(run_cli, write_project(tmp_path, with_page(extra)))
    assert status == 1
    assert out == [
        "warning: source/index.html.md:28: id: expected each id once on index.html, got 'twice' 2 times"
        " (a link to #twice reaches only the first)"
    ]


def test_unknown_fence_languages_but_not_tabs(run_cli: RunCli, tmp_path: Path) -> None:
    status, out, _ = check(run_cli, write_project(tmp_path, with_page("\n```klingon\nQapla'\n```\n")))
    assert status == 1
    assert out == [
        "warning: source/index.html.md:26: fence: unknown code language 'klingon', shown as plain text"
    ]


def test_strict_only_warnings_are_reported(run_cli: RunCli, tmp_path: Path) -> None:
    page = {"source/guide/index.html.md": "---\ntitel: Oops\n---\n# Guide index\n"}
    status, out, _ = check(run_cli, write_project(tmp_path, {**CLEAN, **page}))
    assert status == 1
    assert len(out) == 1 and out[0].startswith(
        "warning: source/guide/index.html.md:2: titel: unknown front-matter key"
    )


def test_toc_footer_links_are_checked(run_cli: RunCli, tmp_path: Path) -> None:
    page = PAGE.replace("<a href='#kittens'>", "<a href='#kitten'>")
    status, out, _ = check(run_cli, write_project(tmp_path, {**CLEAN, "source/index.html.md": page}))
    assert status == 1
    assert out == [
        "error: source/index.html.md:7: link: expected an element with id 'kitten' on this page, got none"
        " (did you mean 'kittens'?)"
    ]


def test_links_in_erb_partials_are_located_in_the_partial(run_cli: RunCli, tmp_path: Path) -> None:
    files = {
        "source/erb.html.md.erb": '# ERB\n\n<%= partial "includes/part" %>\n',
        "source/includes/_part.md": "Intro\n\n[bad](#nowhere)\n",
    }
    status, out, _ = check(run_cli, write_project(tmp_path, {**CLEAN, **files}))
    assert status == 1
    assert out == [
        "error: source/includes/_part.md:3: link: expected an element with id 'nowhere' on this page, got none"
    ]


def test_a_build_error_is_reported_as_an_error(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, CLEAN)
    (project / "source/includes/_errors.md").unlink()
    status, out, _ = check(run_cli, project, "--format", "json")
    data = json.loads("\n".join(out))
    assert status == 1
    assert [p["severity"] for p in data["problems"]] == ["error"]
    assert (
        data["problems"][0]["path"] == "source/index.html.md" and "errors" in data["problems"][0]["message"]
    )


def test_json_output(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, with_page("\n[gone](#nope)\n\n```klingon\nx\n```\n"))
    result = run_cli("check", project, "--format", "json")
    assert result.status == 1
    data = json.loads(result.out)
    assert data["problems"] == [
        {
            "path": "source/index.html.md",
            "line": 26,
            "key": "link",
            "message": "expected an element with id 'nope' on this page, got none",
            "hint": "",
            "severity": "error",
        },
        {
            "path": "source/index.html.md",
            "line": 28,
            "key": "fence",
            "message": "unknown code language 'klingon', shown as plain text",
            "hint": "",
            "severity": "warning",
        },
    ]
    assert data["summary"] == {"ok": False, "pages": 3, "links": 16, "errors": 1, "warnings": 1}


def test_json_output_when_clean(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("check", write_project(tmp_path, CLEAN), "--format", "json", "-q")
    assert result.status == 0 and result.err == ""
    assert json.loads(result.out)["summary"]["ok"] is True


def test_quiet_keeps_the_problems(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("check", write_project(tmp_path, with_page("\n[gone](#nope)\n")), "-q")
    assert result.status == 1 and result.err == ""
    assert result.out.startswith("error: source/index.html.md:26: link:")


def test_a_missing_project_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("check", tmp_path)
    assert result.status == 2 and "source/" in result.err


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_enabled(Terminal()) and not colour_enabled(io.StringIO())
    assert paint("x", "red", Terminal()) == "\x1b[31mx\x1b[0m" and paint("x", "red", io.StringIO()) == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_enabled(Terminal())


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "flagstone", *args], stdout=follower, stderr=follower, env=env, close_fds=True
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colours_on_a_real_terminal_unless_no_color(tmp_path: Path) -> None:
    project = write_project(tmp_path, with_page("\n[gone](#nope)\n"))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    assert "\x1b[31merror:\x1b[0m" in _run_on_a_terminal(["check", str(project)], env)
    plain = _run_on_a_terminal(["check", str(project)], env | {"NO_COLOR": "1"})
    assert "error: source/index.html.md:26" in plain and "\x1b[" not in plain


def test_a_heading_clashing_with_an_id_of_the_theme(run_cli: RunCli, tmp_path: Path) -> None:
    status, out, _ = check(run_cli, write_project(tmp_path, with_page("\n## TOC\n")))
    assert status == 1
    assert out == [
        "warning: source/index.html.md:26: id: expected each id once on index.html, got 'toc' 2 times"
        " (a link to #toc reaches only the first)"
    ]


def test_a_build_error_in_human_output(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, CLEAN)
    (project / "source/includes/_errors.md").unlink()
    status, out, err = check(run_cli, project)
    assert status == 1 and len(out) == 1
    assert out[0].startswith("error: source/index.html.md:9: includes[0]: include 'errors' not found")
    assert "check failed: the build failed with 1 error(s)" in err


def test_a_check_keeps_the_last_build_up_to_date(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path, CLEAN)
    assert run_cli("build", project).status == 0
    assert check(run_cli, project)[0] == 0
    assert run_cli("build", project).err.startswith("up to date:")


def test_check_reads_links_from_the_builds_render_not_a_second_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check's links come from the fragments the build rendered: no file is parsed a second time (the
    renderer parses a window at a time with the block parser; a whole-file `parse` is a second read)."""
    from markdown_it import MarkdownIt

    from flagstone.commands import check as check_command

    parsed: list[str] = []
    parse = MarkdownIt.parse

    def counted(self: MarkdownIt, src: str, env: object = None) -> object:
        parsed.append(src)
        return parse(self, src, env)  # type: ignore[arg-type]

    monkeypatch.setattr(MarkdownIt, "parse", counted)
    project = write_project(tmp_path / "p", with_page("\n[broken](#no-such-heading)\n"))
    report = check_command.check_project(project, use_cache=False)
    assert parsed == []
    problems = [f.problem for f in report.findings if f.problem.key == "link"]
    assert [(p.path, p.line) for p in problems] == [("source/index.html.md", 26)]
