"""`flagstone build`: exit statuses, output layout, relative URLs, determinism and atomic output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flagstone.build as build_module
from flagstone import __version__
from flagstone.build import build
from flagstone.errors import DocumentError
from flagstone.models import BuildOptions
from flagstone.site_writer import OutputFile, SiteWriter
from tests.conftest import RunCli, tree, write_project

KITTN = {
    "source/index.html.md": """
        ---
        title: Kittn <API>
        language_tabs:
          - shell: cURL
          - python
        toc_footers:
          - <a href='#'>Sign Up</a>
        includes:
          - errors
        search: true
        ---
        # Kittens
        ## Get All Kittens
        ```python
        import kittn
        ```
        ```shell
        curl x
        ```
        ![logo](images/logo.png)
        """,
    "source/includes/_errors.md": "# Errors\n",
    "source/images/logo.png": b"\x89PNG fake",
    "source/guide/page.html.md": "---\ntitle: Guide\n---\n# Guide\n[home](../index.html)\n",
    "source/_partial_page.html.md": "# never a page\n",
    "source/stylesheets/screen.css.scss": "body {}",
}


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert (result.status, result.out.strip()) == (0, f"flagstone {__version__}")


def test_bad_usage_exits_2(run_cli: RunCli) -> None:
    assert run_cli("build", "--no-such-flag").status == 2
    assert run_cli("frobnicate").status == 2


def test_missing_source_folder_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("build", tmp_path)
    assert result.status == 2
    assert result.err == (
        f"flagstone: error: {tmp_path.resolve() / 'source'} does not exist: "
        "a flagstone project keeps its pages in source/\n"
    )


def test_builds_pages_statics_and_theme_with_relative_urls(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", KITTN)
    result = run_cli("build", project)
    assert result.status == 0, result.err
    out = project / "build"
    files = set(tree(out))
    assert {"index.html", "guide/page.html", "images/logo.png", "flagstone/highlight-monokai.css"} <= files
    assert not any(name.startswith(("_partial", "stylesheets/")) for name in files)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>Kittn &lt;API&gt;</title>" in index
    assert '<pre class="highlight python tab-python">' in index and 'tab-shell"' in index
    assert "<li><a href='#'>Sign Up</a></li>" in index
    assert 'data-languages="[&#34;shell&#34;, &#34;python&#34;]"' in index
    for page in ("index.html", "guide/page.html"):
        html = (out / page).read_text(encoding="utf-8")
        urls = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert urls and not [u for u in urls if u.startswith("/") or "://" in u], page
    assert 'href="../flagstone/theme.css"' in (out / "guide/page.html").read_text(encoding="utf-8")


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", KITTN)
    build(BuildOptions(project, tmp_path / "one"))
    build(BuildOptions(project, tmp_path / "two"))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_document_error_keeps_previous_output(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", KITTN)
    assert run_cli("build", project).status == 0
    before = tree(project / "build")
    (project / "source/includes/_errors.md").unlink()
    result = run_cli("build", project)
    assert result.status == 1 and "Traceback" not in result.err
    assert tree(project / "build") == before


def test_failure_while_writing_keeps_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_project(tmp_path / "p", KITTN)
    build(BuildOptions(project, project / "build"))
    before = tree(project / "build")

    def failing_files(*args: object) -> list[OutputFile]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module.Theme, "assets", failing_files)
    with pytest.raises(OSError):
        build(BuildOptions(project, project / "build"))
    assert tree(project / "build") == before
    assert sorted(p.name for p in project.iterdir()) == ["build", "source"]


def test_interrupted_write_keeps_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_project(tmp_path / "p", KITTN)
    build(BuildOptions(project, project / "build"))
    before = tree(project / "build")
    original = build_module.SiteWriter.add

    def interrupted(writer: SiteWriter, file: OutputFile) -> None:
        if file.path.endswith(".html"):  # after the assets: some files are written by then
            raise KeyboardInterrupt
        original(writer, file)

    def interrupted_stream(writer: SiteWriter, path: str) -> None:
        raise KeyboardInterrupt  # a page laid out as the last build did it is streamed instead

    with monkeypatch.context() as patched:
        patched.setattr(build_module.SiteWriter, "add", interrupted)
        patched.setattr(build_module.SiteWriter, "streamed", interrupted_stream)
        with pytest.raises(KeyboardInterrupt):
            build(BuildOptions(project, project / "build"))
    assert tree(project / "build") == before
    assert sorted(p.name for p in project.iterdir()) == ["build", "source"]


@pytest.mark.parametrize("out", [".", "source", "source/build", ".."])
def test_refuses_output_that_is_or_contains_the_project(run_cli: RunCli, tmp_path: Path, out: str) -> None:
    project = write_project(tmp_path / "p", KITTN)
    before = tree(tmp_path)
    result = run_cli("build", project, "-o", project / out)
    assert result.status == 2
    assert "choose another with -o" in result.err
    assert tree(tmp_path) == before


def test_refuses_to_replace_a_folder_it_did_not_write(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", KITTN)
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious/thesis.tex").write_text("years of work")
    result = run_cli("build", project, "-o", tmp_path / "precious")
    assert result.status == 2
    assert (tmp_path / "precious/thesis.tex").read_text() == "years of work"


def test_unknown_fence_language_warns_and_fails_with_strict(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"source/index.html.md": "# A\n\n```klingon\nx\n```\n"})
    result = run_cli("build", project)
    assert result.status == 0
    assert (
        "warning: source/index.html.md:3: fence: unknown code language 'klingon', shown as plain text"
        in result.err
    )
    strict = run_cli("build", project, "--strict")
    assert strict.status == 1
    assert "error: source/index.html.md:3: fence: unknown code language 'klingon'" in strict.err


def test_a_fence_right_after_text_warns_in_build_and_check_and_fails_with_strict(
    run_cli: RunCli, tmp_path: Path
) -> None:
    page = "---\ntitle: T\n---\n# A\n\nSee:\n```shell\ncurl x\n```\n\n## B\n"
    project = write_project(tmp_path / "p", {"source/index.html.md": page})
    warning = (
        "source/index.html.md:7: fence: a code fence right after a text line stays text in the paragraph,"
        " as on the Slate site (add a blank line before the fence)"
    )
    result = run_cli("build", project)
    assert result.status == 0
    assert f"warning: {warning}" in result.err
    check = run_cli("check", project)
    assert f"warning: {warning}" in check.out.splitlines()
    strict = run_cli("build", project, "--strict")
    assert strict.status == 1
    assert f"error: {warning}" in strict.err


def test_internal_error_has_no_traceback(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "p", KITTN)

    def broken(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(build_module, "render_files", broken)
    result = run_cli("build", project)
    assert result.status == 1
    assert "internal error: ValueError: boom" in result.err and "Traceback" not in result.err


def test_lone_index_md_is_a_page(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"source/index.md": "---\ntitle: Old\n---\n# Old style\n"})
    assert run_cli("build", project).status == 0
    assert (project / "build/index.html").is_file()


def test_progress_is_drawn_only_on_a_terminal_after_a_second() -> None:
    import io

    from flagstone.progress import TerminalProgress, for_terminal

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert for_terminal(quiet=False, stream=io.StringIO()) is None
    assert for_terminal(quiet=True, stream=Terminal()) is None
    stream = Terminal()
    progress = TerminalProgress(stream, delay=0.0)
    progress("render", 5, 10)
    progress.finish()
    assert stream.getvalue() == "\rrender   [############............] 5/10\x1b[K\r\x1b[K"
    quiet_at_first = Terminal()
    TerminalProgress(quiet_at_first, delay=60.0)("render", 1, 2)
    assert quiet_at_first.getvalue() == ""


def test_project_theme_overrides_one_template_and_one_asset(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {
            **KITTN,
            "themes/templates/sidebar.html": '<nav class="toc-wrapper" aria-label="Contents">custom sidebar</nav>\n',
            "themes/assets/print.css": "/* house print style */\n",
        },
    )
    assert run_cli("build", project).status == 0
    html = (project / "build/index.html").read_text(encoding="utf-8")
    assert "custom sidebar" in html and 'class="content"' in html  # page.html still the default
    assert (project / "build/flagstone/print.css").read_text() == "/* house print style */\n"
    assert "lang-selector" in (project / "build/flagstone/theme.css").read_text()  # other assets: default


def test_theme_option_comes_before_the_project_theme(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {**KITTN, "themes/assets/print.css": "/* project */\n"})
    write_project(tmp_path / "brand", {"assets/print.css": "/* brand */\n"})
    assert run_cli("build", project, "--theme", tmp_path / "brand").status == 0
    assert (project / "build/flagstone/print.css").read_text() == "/* brand */\n"


def test_verbose_lists_pages_and_the_cache_and_quiet_prints_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p", {**KITTN, "source/guide.html.md": "---\ntitle: Guide\n---\n# Guide\n"}
    )
    verbose = run_cli("build", project, "-v")
    assert verbose.status == 0
    lines = verbose.err.splitlines()
    pages = [Path(line.removeprefix("  page: ")) for line in lines if line.startswith("  page: ")]
    assert lines[0].startswith(f"built: {len(pages)} page(s), ")
    assert {project / "build" / "guide.html", project / "build" / "index.html"} <= set(pages)
    assert all(page.is_file() for page in pages)
    assert lines[-1].startswith("  render cache: ")
    again = run_cli("build", project, "--verbose", "--no-cache")
    assert again.err.splitlines()[-1] == "  render cache: not used (--no-cache)"
    assert run_cli("build", project, "-q").err == ""
    both = run_cli("build", project, "-q", "-v")
    assert both.status == 2 and "argument -v/--verbose: not allowed with argument -q/--quiet" in both.err


def test_a_streamed_file_is_written_whole_in_order_with_its_digest(tmp_path: Path) -> None:
    import hashlib

    pieces = [bytes([n]) * 70_000 for n in range(40)]  # each larger than a pipe or buffer
    with SiteWriter(tmp_path / "site", digest=True) as site:
        with site.streamed("deep/page.html") as write:
            for piece in pieces:
                write(piece)
        site.add(OutputFile("other.txt", (b"a", b"b")))
    assert (tmp_path / "site" / "deep" / "page.html").read_bytes() == b"".join(pieces)
    assert (tmp_path / "site" / "other.txt").read_bytes() == b"ab"
    assert site.digests == {
        "deep/page.html": hashlib.sha256(b"".join(pieces)).digest(),
        "other.txt": hashlib.sha256(b"ab").digest(),
    }


def test_a_streamed_file_that_cannot_be_written_fails_the_build_and_keeps_the_site(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / ".flagstone-site").touch()
    (tmp_path / "site" / "old.html").write_text("old")
    with (
        pytest.raises(DocumentError, match="cannot write the site here"),
        SiteWriter(tmp_path / "site") as site,
    ):
        site.add(OutputFile("taken", b"a file where a folder is needed"))
        with site.streamed("taken/page.html") as write:
            write(b"never")
    assert (tmp_path / "site" / "old.html").read_text() == "old"
