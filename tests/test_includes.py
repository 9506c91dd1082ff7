"""Includes and ERB partials resolved as Middleman resolves them, with exact messages when they are not."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CliResult, RunCli, write_project

PAGE = "---\nincludes:\n  - {name}\n---\n# Page\n"


def build(run_cli: RunCli, root: Path, *extra: str) -> CliResult:
    return run_cli("build", root, "-o", root / "out", "--quiet", *extra)


def content(root: Path) -> str:
    return (root / "out" / "index.html").read_text(encoding="utf-8")


def test_underscore_then_plain_then_project_includes_folder(tmp_path: Path, run_cli: RunCli) -> None:
    write_project(
        tmp_path,
        {
            "source/index.html.md": "---\nincludes:\n  - errors\n  - api/users\n  - _extra.md\n  - shared\n---\n# Page\n",
            "source/includes/_errors.md": "# Errors\n",
            "source/includes/errors.md": "# Not this one\n",
            "source/includes/api/users.md": "---\ntitle: ignored\n---\n# Users\n",
            "source/includes/_extra.md": "# Extra\n",
            "includes/_shared.md": "# Shared\n",
        },
    )
    assert build(run_cli, tmp_path).status == 0
    html = content(tmp_path)
    positions = [html.index(f'id="{i}"') for i in ("page", "errors", "users", "extra", "shared")]
    assert positions == sorted(positions)
    assert "Not this one" not in html and "ignored" not in html


def test_missing_include_names_it_and_every_path_tried(tmp_path: Path, run_cli: RunCli) -> None:
    write_project(tmp_path, {"source/index.html.md": PAGE.format(name="errors")})
    result = build(run_cli, tmp_path)
    assert result.status == 1
    assert result.err == (
        "error: source/index.html.md:3: includes[0]: include 'errors' not found; tried _errors.md, errors.md "
        "(also ending in .html.md, .md.erb, .html.md.erb, .markdown) in source/includes/, includes/\n"
        "build failed: 1 error(s)\n"
    )


def test_erb_partials_are_spliced_in_with_their_own_id_counter(tmp_path: Path, run_cli: RunCli) -> None:
    write_project(
        tmp_path,
        {
            "source/index.html.md.erb": '---\ntitle: T\n---\n# Auth\n\n<%= partial "includes/_a" %>\n# End\n',
            "source/includes/_a.md": "# Auth\n## Sub\n",
        },
    )
    assert build(run_cli, tmp_path).status == 0
    html = content(tmp_path)
    # Slate gives the partial's heading `auth` too (own counter); the second holder gets a fresh id.
    assert (
        html.index('id="auth"') < html.index('id="auth-2"') < html.index('id="sub"') < html.index('id="end"')
    )


def test_other_erb_is_an_error_with_location(tmp_path: Path, run_cli: RunCli) -> None:
    write_project(
        tmp_path, {"source/index.html.md.erb": "---\ntitle: T\n---\n# A\n\n<%= current_page.url %>\n"}
    )
    result = build(run_cli, tmp_path)
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        "error: source/index.html.md.erb:6: expected a partial, image_tag or link_to call (the only ERB "
        "flagstone can evaluate), got <%= current_page.url %>"
    )


def test_include_cycle_through_partials(tmp_path: Path, run_cli: RunCli) -> None:
    write_project(
        tmp_path,
        {
            "source/index.html.md": PAGE.format(name="a"),
            "source/includes/_a.md.erb": '<%= partial "includes/b" %>\n',
            "source/includes/_b.md.erb": '<%= partial "includes/a" %>\n',
        },
    )
    result = build(run_cli, tmp_path)
    assert result.status == 1
    assert result.err.splitlines()[0] == (
        "error: source/includes/_a.md.erb: include cycle: source/index.html.md -> source/includes/_a.md.erb -> "
        "source/includes/_b.md.erb -> source/includes/_a.md.erb"
    )


def test_include_symlink_leading_outside_the_project_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret\n")
    project = write_project(tmp_path / "p", {"source/index.html.md": PAGE.format(name="x")})
    (project / "source/includes").mkdir()
    (project / "source/includes/_x.md").symlink_to(outside)
    result = build(run_cli, project)
    assert result.status == 1
    assert result.err.startswith(
        "error: source/index.html.md:3: includes[0]: expected a file inside the project, got 'source/includes/_x.md' leading to"
    )


def test_static_file_or_page_symlink_leading_outside_the_project_is_refused(
    tmp_path: Path, run_cli: RunCli
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for publishing")
    project = write_project(
        tmp_path / "p", {"source/index.html.md": "# Home\n", "source/images/ok.png": b"ok"}
    )
    (project / "source/images/leak.png").symlink_to(secret)
    (project / "source/images/inside.png").symlink_to(project / "source/images/ok.png")
    (project / "source/other.html.md").symlink_to(tmp_path / "elsewhere.html.md")
    (tmp_path / "elsewhere.html.md").write_text("# Elsewhere\n")
    result = build(run_cli, project)
    assert result.status == 1
    assert result.err.splitlines()[:2] == [
        f"error: source/images/leak.png: expected a file inside the project, got a symbolic link leading to {secret}",
        "error: source/other.html.md: expected a file inside the project, got a symbolic link leading to "
        f"{tmp_path / 'elsewhere.html.md'}",
    ]
    assert not (project / "out").exists()
    (project / "source/images/leak.png").unlink()
    (project / "source/other.html.md").unlink()
    assert build(run_cli, project).status == 0
    assert (project / "out/images/inside.png").read_bytes() == b"ok"  # a link within the project is fine
