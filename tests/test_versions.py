"""`flagstone deploy --version`: versions side by side on the branch, versions.json, aliases and the root
as redirects, --list and --delete, with real git and a bare remote."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flagstone.commands.versions import Version, Versions, parse, redirect_page, with_version
from tests.conftest import RunCli
from tests.test_deploy import PROJECT, branch_files, commit, git, git_identity, make_repository, snapshot

__all__ = ["git_identity"]  # the autouse fixture: a known author, none of the user's git configuration

PAGE = "---\ntitle: Kittn\n---\n# Kittens\n\n{body}\n\n## Get all kittens\n\nAll of them.\n"
MENU_TAGS = re.compile(
    r'<link rel="stylesheet" href="(\.\./)*flagstone/versions-menu\.css">\n'
    r'<script src="(\.\./)*\.\./versions\.js" defer></script>\n'
    r'<script src="(\.\./)*flagstone/versions-menu\.js" data-version="[^"]+" data-page="[^"]+" defer>'
    r"</script>\n"
)


def deploy_three(run_cli: RunCli, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """1.0, then 2.0 as latest, then 2.1 taking latest and stable: each the default in its turn."""
    project, remote = make_repository(tmp_path)
    commit(project, "source/errors.html.md", "---\ntitle: Errors\n---\n# Errors\n")
    errors = []
    for version, body, aliases in (
        ("1.0", "Version one.\n\n## Old kittens\n\nGone since.", ()),
        ("2.0", "Version two.", ("--alias", "latest")),
        ("2.1", "Version two one.", ("--alias", "latest", "--alias", "stable")),
    ):
        commit(project, "source/index.html.md", PAGE.format(body=body))
        result = run_cli("deploy", project, "--version", version, *aliases, "--set-default")
        assert result.status == 0, result.err
        assert result.out == f"{git(remote, 'rev-parse', 'gh-pages')}\n"
        errors.append(result.err)
    return project, remote, errors


def test_three_versions_with_an_alias(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote, errors = deploy_three(run_cli, tmp_path)
    assert "the alias latest moved from version 2.0 to 2.1\n" in errors[2]
    assert "published version 2.1 in 2.1/ of gh-pages\n" in errors[2]
    files = branch_files(remote)
    top = {name.split("/")[0] for name in files}
    assert top == {
        ".nojekyll",
        "1.0",
        "2.0",
        "2.1",
        "index.html",
        "latest",
        "stable",
        "versions.json",
        "versions.js",
    }
    for version in ("1.0", "2.0", "2.1"):
        assert {
            f"{version}/index.html",
            f"{version}/flagstone/theme.css",
            f"{version}/images/logo.png",
        } <= files
        assert f"{version}/.nojekyll" not in files  # one at the top serves them all
    # Each version keeps what it was built from.
    assert "Version one." in git(remote, "show", "gh-pages:1.0/index.html")
    assert "Version two one." in git(remote, "show", "gh-pages:2.1/index.html")
    assert json.loads(git(remote, "show", "gh-pages:versions.json")) == [
        {"version": "2.1", "title": "2.1", "aliases": ["latest", "stable"]},
        {"version": "2.0", "title": "2.0", "aliases": []},
        {"version": "1.0", "title": "1.0", "aliases": []},
    ]
    script = git(remote, "show", "gh-pages:versions.js")
    assert script.startswith("window.flagstoneVersions = {")
    data = json.loads(script.removeprefix("window.flagstoneVersions = ").removesuffix(";"))
    assert data["default"] == "2.1" and [v["version"] for v in data["versions"]] == ["2.1", "2.0", "1.0"]
    # Aliases are redirects, not copies: one page each, nothing else.
    assert {name for name in files if name.startswith(("latest/", "stable/"))} == {
        "latest/index.html",
        "latest/errors.html",
        "stable/index.html",
        "stable/errors.html",
    }
    alias = git(remote, "show", "gh-pages:latest/index.html")
    assert alias + "\n" == redirect_page("../2.1/index.html", "version 2.1")
    assert 'location.replace("../2.1/index.html" + location.search + location.hash)' in alias
    assert '<meta http-equiv="refresh" content="0; url=../2.1/index.html">' in alias
    assert git(remote, "show", "gh-pages:stable/errors.html") + "\n" == redirect_page(
        "../2.1/errors.html", "version 2.1"
    )
    root = git(remote, "show", "gh-pages:index.html")
    assert 'location.replace("2.1/index.html" + location.search + location.hash)' in root
    # One commit a deploy, each on the one before.
    assert git(remote, "rev-list", "--count", "gh-pages") == "3"
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == (
        f"Deploy docs 2.1 from {git(project, 'rev-parse', '--short', 'main')}"
    )
    # The sections a switch of version looks for.
    sections = git(remote, "show", "gh-pages:1.0/flagstone/versions-sections.js")
    assert sections.startswith('(window.flagstoneSections = window.flagstoneSections || {})["1.0"] = {')
    assert '"old-kittens"' in sections and '"old-kittens"' not in git(
        remote, "show", "gh-pages:2.1/flagstone/versions-sections.js"
    )


def test_a_version_page_is_the_built_page_with_the_menu_in_its_head(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    assert run_cli("build", project, "-o", tmp_path / "plain").status == 0
    plain = (tmp_path / "plain/index.html").read_text(encoding="utf-8")
    assert "versions" not in plain  # a build without versions has no menu
    assert run_cli("deploy", project, "--version", "1.0", "--no-push").status == 0
    versioned = git(project, "show", "gh-pages:1.0/index.html") + "\n"
    tags = MENU_TAGS.findall(versioned)
    assert len(tags) == 1 and MENU_TAGS.sub("", versioned) == plain
    assert 'data-version="1.0" data-page="index.html"' in versioned
    assert versioned.index("versions-menu.js") < versioned.index("</head>")
    # An unversioned deploy is unchanged too: no menu, no list.
    assert run_cli("deploy", project, "--no-push", "--branch", "plain").status == 0
    assert "versions.json" not in branch_files(project, "plain")
    assert git(project, "show", "plain:index.html") + "\n" == plain


def test_list_prints_versions_aliases_and_the_default(run_cli: RunCli, tmp_path: Path) -> None:
    project, _, _ = deploy_three(run_cli, tmp_path)
    result = run_cli("deploy", project, "--list")
    assert (result.status, result.out) == (0, "2.1 [latest, stable] (default)\n2.0\n1.0\n")
    # From a fresh clone: the remote's branch is read.
    git(project, "branch", "-D", "--quiet", "gh-pages")
    git(project, "update-ref", "-d", "refs/remotes/origin/gh-pages")
    assert run_cli("deploy", project, "--list").out == "2.1 [latest, stable] (default)\n2.0\n1.0\n"


def test_list_without_versions(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    result = run_cli("deploy", project, "--list")
    assert (result.status, result.out) == (0, "")
    assert result.err == (
        "gh-pages holds no versions yet; publish one with `flagstone deploy --version 1.0`\n"
    )


def test_delete_removes_a_version_and_its_aliases(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote, _ = deploy_three(run_cli, tmp_path)
    before = snapshot(project)
    result = run_cli("deploy", project, "--delete", "2.0")
    assert result.status == 0, result.err
    assert "deleted version 2.0 from gh-pages\n" in result.err
    assert not [name for name in branch_files(remote) if name.startswith("2.0/")]
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Delete version 2.0 of the docs"
    assert snapshot(project) == before

    result = run_cli("deploy", project, "--delete", "2.1")
    assert result.status == 0, result.err
    assert "deleted version 2.1 and its aliases latest, stable from gh-pages\n" in result.err
    assert (
        "warning: the site's root redirected to 2.1 and now has no index.html; choose another default with "
        "`flagstone deploy --version VERSION --set-default`\n"
    ) in result.err
    assert {name.split("/")[0] for name in branch_files(remote)} == {
        ".nojekyll",
        "1.0",
        "versions.json",
        "versions.js",
    }
    assert json.loads(git(remote, "show", "gh-pages:versions.json")) == [
        {"version": "1.0", "title": "1.0", "aliases": []}
    ]
    assert run_cli("deploy", project, "--list").out == "1.0\n"


def test_delete_refuses_an_alias_and_an_unknown_version(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote, _ = deploy_three(run_cli, tmp_path)
    tip = git(remote, "rev-parse", "gh-pages")
    result = run_cli("deploy", project, "--delete", "latest")
    assert (result.status, result.err) == (
        1,
        "flagstone: error: 'latest' is an alias of version 2.1, not a version; delete 2.1, or move the "
        "alias by deploying another version with --alias latest\n",
    )
    result = run_cli("deploy", project, "--delete", "2.11")
    assert (result.status, result.err) == (
        1,
        "flagstone: error: there is no version '2.11' to delete; the versions are 2.1, 2.0, 1.0 "
        "(did you mean '2.1'?)\n",
    )
    assert git(remote, "rev-parse", "gh-pages") == tip


def test_names_that_cannot_be_folders_are_usage_errors(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    result = run_cli("deploy", project, "--version", "../up")
    assert result.status == 2
    assert (
        "argument --version: expected a version name of letters, digits and . _ + - (starting with a "
        "letter or digit, not versions.json, versions.js, index.html, .nojekyll, 404.html, robots.txt), "
        "got '../up'"
    ) in result.err
    assert run_cli("deploy", project, "--version", "index.html").status == 2
    assert run_cli("deploy", project, "--version", "robots.txt").status == 2
    assert run_cli("deploy", project, "--version", "2.1", "--alias", "a/b").status == 2
    result = run_cli("deploy", project, "--alias", "latest")
    assert (result.status, result.err) == (
        2,
        "flagstone: error: --alias needs --version: it applies to the version being deployed\n",
    )
    assert run_cli("deploy", project, "--version", "2.1", "--list").status == 2


def test_an_alias_cannot_take_a_versions_name(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project, "--version", "1.0").status == 0
    result = run_cli("deploy", project, "--version", "2.0", "--alias", "1.0")
    assert (result.status, result.err) == (
        1,
        "flagstone: error: the alias '1.0' is the name of a version; choose another alias\n",
    )
    assert run_cli("deploy", project, "--version", "1.0", "--alias", "old").status == 0
    result = run_cli("deploy", project, "--version", "old")
    assert (result.status, result.err) == (
        1,
        "flagstone: error: 'old' is an alias of version 1.0; a version cannot take an alias's name "
        "(delete that version, or deploy under another name)\n",
    )
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"


def test_redeploying_a_version_keeps_its_aliases_title_and_the_default(
    run_cli: RunCli, tmp_path: Path
) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project, "--version", "1.0", "--alias", "latest", "--set-default").status == 0
    assert run_cli("deploy", project, "--version", "2.0", "--title", "Two (beta)").status == 0
    commit(project, "source/index.html.md", PAGE.format(body="Fixed."))
    result = run_cli("deploy", project, "--version", "2.0")
    assert result.status == 0, result.err
    assert "Fixed." in git(remote, "show", "gh-pages:2.0/index.html")
    assert run_cli("deploy", project, "--list").out == '2.0 "Two (beta)"\n1.0 [latest] (default)\n'
    assert "1.0/index.html" in git(remote, "show", "gh-pages:index.html")
    # Nothing changed: no empty commit.
    result = run_cli("deploy", project, "--version", "2.0")
    assert result.status == 0 and "unchanged" in result.err


def test_a_versioned_deploy_keeps_the_guarantees_of_deploy(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    (project / "source/index.html.md").write_text(PAGE.format(body="Draft."))
    result = run_cli("deploy", project, "--version", "1.0")
    assert result.status == 1 and "the project has changes that are not committed" in result.err
    assert git(remote, "branch", "--list") == ""
    before = snapshot(project)
    result = run_cli("deploy", project, "--version", "1.0", "--allow-dirty", "--no-push")
    assert result.status == 0, result.err
    assert "Draft." in git(project, "show", "gh-pages:1.0/index.html")
    assert snapshot(project) == before
    # The unpushed deploy is kept as history under the next one.
    local = git(project, "rev-parse", "gh-pages")
    git(project, "stash", "--quiet", "--include-untracked")
    assert run_cli("deploy", project, "--version", "2.0").status == 0
    assert git(remote, "rev-parse", "gh-pages^") == local
    assert {"1.0/index.html", "2.0/index.html"} <= branch_files(remote)


def test_an_older_unversioned_site_is_kept_beside_the_versions(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project).status == 0
    assert run_cli("deploy", project, "--version", "1.0").status == 0
    files = branch_files(remote)
    assert {"index.html", "flagstone/theme.css", "1.0/index.html", "versions.json"} <= files
    assert "Kittens" in git(remote, "show", "gh-pages:index.html")  # no --set-default: the root stays


def test_the_list_reads_mikes_versions_json() -> None:
    mike = (
        '[{"version": "1.1", "title": "1.1 (old)", "aliases": ["lts"]}, {"version": "2.0", "title": "2.0"}]'
    )
    versions = parse(mike, None)
    assert versions == Versions((Version("1.1", "1.1 (old)", ("lts",)), Version("2.0", "2.0")), None)
    added, moved = with_version(versions, "2.10", ["lts"], None, True)
    assert [v.version for v in added.entries] == ["2.10", "2.0", "1.1"]  # 2.10 after 2.9, as numbers
    assert moved == ["the alias lts moved from version 1.1 to 2.10"]
    assert added.lines() == ["2.10 [lts] (default)", "2.0", '1.1 "1.1 (old)"']


def test_a_version_is_published_under_its_own_url(run_cli: RunCli, tmp_path: Path) -> None:
    files = {
        **PROJECT,
        "source/index.html.md": "---\ntitle: Kittn\nsite_url: https://example.com/docs\n---\n# K\n",
    }
    project, remote = make_repository(tmp_path, files)
    assert run_cli("deploy", project, "--version", "2.1", "--set-default").status == 0
    page = git(remote, "show", "gh-pages:2.1/index.html")
    assert '<link rel="canonical" href="https://example.com/docs/2.1/' in page
    assert "<loc>https://example.com/docs/2.1/" in git(remote, "show", "gh-pages:2.1/sitemap.xml")
    # The files a host reads at the root only are the default version's; its 404 page's <base> is its own.
    for name in ("404.html", "robots.txt"):
        assert git(remote, "show", f"gh-pages:{name}") == git(remote, "show", f"gh-pages:2.1/{name}")
    assert '<base href="https://example.com/docs/2.1/">' in git(remote, "show", "gh-pages:404.html")
    assert "Sitemap: https://example.com/docs/2.1/sitemap.xml" in git(remote, "show", "gh-pages:robots.txt")
    root_404 = git(remote, "rev-parse", "gh-pages:404.html")
    # --site-url wins; a version that is not the default leaves the root alone.
    assert run_cli("deploy", project, "--version", "1.0", "--site-url", "https://old.example.com").status == 0
    assert 'href="https://old.example.com/1.0/' in git(remote, "show", "gh-pages:1.0/index.html")
    assert git(remote, "rev-parse", "gh-pages:404.html") == root_404
    # Deleting the default takes its root files with it.
    assert run_cli("deploy", project, "--delete", "2.1").status == 0
    assert {"404.html", "robots.txt", "index.html"}.isdisjoint(branch_files(remote))
    # Without --version, --site-url is the site's URL as it is.
    assert run_cli("deploy", project, "--branch", "plain", "--site-url", "https://example.org").status == 0
    assert '<link rel="canonical" href="https://example.org/' in git(remote, "show", "plain:index.html")


def test_version_pages_and_redirects_are_valid_html(run_cli: RunCli, tmp_path: Path) -> None:
    from tests.validate.test_html_valid import errors_in

    _, remote, _ = deploy_three(run_cli, tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    for name in (
        "2.1/index.html",
        "2.1/errors.html",
        "latest/index.html",
        "stable/errors.html",
        "index.html",
    ):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(git(remote, "show", f"gh-pages:{name}") + "\n", encoding="utf-8")
    assert errors_in(sorted(site.rglob("*.html"))) == []


def test_a_theme_replaces_the_menu_files_but_never_from_outside(run_cli: RunCli, tmp_path: Path) -> None:
    own = {**PROJECT, "themes/versions/versions-menu.css": ".version-menu { color: teal }\n"}
    project, remote = make_repository(tmp_path, own)
    assert run_cli("deploy", project, "--version", "1.0").status == 0
    assert git(remote, "show", "gh-pages:1.0/flagstone/versions-menu.css") == ".version-menu { color: teal }"
    default_script = git(remote, "show", "gh-pages:1.0/flagstone/versions-menu.js")
    assert default_script.startswith("// flagstone version menu")
    (tmp_path / "secret.css").write_text("secret\n")
    (project / "themes/versions/versions-menu.css").unlink()
    (project / "themes/versions/versions-menu.css").symlink_to(tmp_path / "secret.css")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Link the style")
    result = run_cli("deploy", project, "--version", "2.0")
    assert result.status == 1
    assert (
        "error: themes/versions/versions-menu.css: expected a file inside the project, got a symbolic link "
        "leading to"
    ) in result.err
    assert "2.0/index.html" not in branch_files(remote)
