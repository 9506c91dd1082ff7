"""`flagstone deploy`: the site committed to a branch with real git, history kept, the work tree untouched."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RunCli, tree, write_project

PROJECT = {
    ".gitignore": "build/\n",
    "source/index.html.md": "---\ntitle: Kittn\n---\n# Kittens\n\nHello.\n",
    "source/images/logo.png": b"\x89PNG fake",
    "source/_hidden.md": "never published\n",
}


@pytest.fixture(autouse=True)
def git_identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A known author, and none of the user's git configuration (signing, hooks, default branch)."""
    config = tmp_path_factory.mktemp("gitconfig") / "config"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Kit Ten")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "kit@example.com")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def make_repository(root: Path, files: dict[str, str | bytes] = PROJECT) -> tuple[Path, Path]:
    """A committed project with a bare repository as `origin`."""
    project = write_project(root / "project", files)
    git(project, "init", "--quiet", "-b", "main")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Write the docs")
    remote = root / "remote.git"
    git(root, "init", "--quiet", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    return project, remote


def commit(project: Path, name: str, text: str) -> None:
    (project / name).write_text(text)
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", f"Edit {name}")


def snapshot(project: Path) -> dict[str, object]:
    """Everything of the user's a deploy must leave alone: files, index, HEAD, status."""
    # status first: it may refresh the index file, which must then be compared as it stands.
    return {
        "status": git(project, "status", "--porcelain"),
        "files": {k: v for k, v in tree(project).items() if not k.startswith(".git/")},
        "index": hashlib.sha256((project / ".git/index").read_bytes()).hexdigest(),
        "head": git(project, "symbolic-ref", "HEAD"),
        "head_commit": git(project, "rev-parse", "HEAD"),
    }


def branch_files(repository: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(repository, "ls-tree", "-r", "--name-only", branch).splitlines())


def test_no_push_commits_the_site_to_a_local_branch_only(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    before = snapshot(project)
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 0, result.err
    commit = git(project, "rev-parse", "gh-pages")
    assert result.out == f"{commit}\n"  # the result on stdout; the talk on stderr
    assert f"deployed {commit[:7]} to gh-pages" in result.err and "not pushed" in result.err
    files = branch_files(project)
    assert {".nojekyll", "index.html", "images/logo.png", "flagstone/theme.css"} <= files
    assert not [name for name in files if "flagstone-site" in name or "hidden" in name or "source/" in name]
    assert git(project, "show", "gh-pages:index.html").startswith("<!doctype html>")
    source = git(project, "rev-parse", "--short", "main")
    assert git(project, "log", "-1", "--format=%s", "gh-pages") == f"Deploy docs from {source}"
    assert git(project, "rev-parse", "HEAD") in git(project, "log", "-1", "--format=%b", "gh-pages")
    assert git(remote, "branch", "--list") == ""
    assert snapshot(project) == before
    assert not (project / "build").exists()


def test_push_publishes_and_history_is_kept(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project).status == 0
    first = git(remote, "rev-parse", "gh-pages")
    assert first == git(project, "rev-parse", "gh-pages")

    (project / "source/index.html.md").write_text("---\ntitle: Kittn\n---\n# Kittens\n\nHello again.\n")
    git(project, "commit", "--quiet", "-am", "Edit")
    before = snapshot(project)
    result = run_cli("deploy", project)
    assert result.status == 0, result.err
    second = git(remote, "rev-parse", "gh-pages")
    assert second != first and git(remote, "rev-parse", "gh-pages^") == first
    assert "Hello again." in git(remote, "show", "gh-pages:index.html")
    assert snapshot(project) == before


def test_an_unchanged_site_makes_no_empty_commit(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project).status == 0
    first = git(remote, "rev-parse", "gh-pages")
    result = run_cli("deploy", project)
    assert result.status == 0 and "unchanged" in result.err
    assert git(remote, "rev-parse", "gh-pages") == first


def test_builds_on_the_remote_branch_made_elsewhere(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project).status == 0
    first = git(remote, "rev-parse", "gh-pages")
    # As in a fresh clone or on CI: the branch is on the remote only.
    git(project, "branch", "-D", "--quiet", "gh-pages")
    git(project, "update-ref", "-d", "refs/remotes/origin/gh-pages")
    commit(project, "source/index.html.md", "# Changed\n")
    assert run_cli("deploy", project).status == 0
    assert git(remote, "rev-parse", "gh-pages^") == first


def test_unpushed_deploys_are_kept_as_history(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project).status == 0
    commit(project, "source/index.html.md", "# Local\n")
    assert run_cli("deploy", project, "--no-push").status == 0
    local = git(project, "rev-parse", "gh-pages")
    commit(project, "source/index.html.md", "# Later\n")
    assert run_cli("deploy", project).status == 0
    assert git(remote, "rev-parse", "gh-pages^") == local


def test_custom_message_branch_and_remote(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    git(project, "remote", "rename", "origin", "upstream")
    result = run_cli("deploy", project, "--branch", "site", "--remote", "upstream", "-m", "Publish v2")
    assert result.status == 0, result.err
    assert git(remote, "log", "-1", "--format=%s", "site") == "Publish v2"
    assert git(project, "rev-parse", "HEAD") in git(remote, "log", "-1", "--format=%b", "site")


def test_a_project_in_a_subfolder_of_the_repository(run_cli: RunCli, tmp_path: Path) -> None:
    files = {f"docs/{name}": content for name, content in PROJECT.items()}
    project, _ = make_repository(tmp_path, files | {"README.md": "code\n"})
    assert run_cli("deploy", project / "docs", "--no-push").status == 0
    assert "index.html" in branch_files(project) and "README.md" not in branch_files(project)


def test_not_a_repository(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 1
    assert (
        f"{project} is not in a git repository; run `git init` there, or publish the output of "
        "`flagstone build` some other way"
    ) in result.err
    assert "Traceback" not in result.err


def test_git_missing(run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = make_repository(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_cli("deploy", project)
    assert result.status == 1 and "git was not found" in result.err


def test_no_such_remote(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    result = run_cli("deploy", project, "--remote", "nowhere")
    assert result.status == 1 and "no remote named 'nowhere'" in result.err and "--no-push" in result.err
    assert git(project, "branch", "--list", "gh-pages") == ""


def test_an_unreachable_remote_fails_but_no_push_goes_on(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    git(project, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    result = run_cli("deploy", project)
    assert result.status == 1 and "cannot reach the remote 'origin'" in result.err
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 0 and "warning: cannot reach the remote" in result.err


def test_refuses_the_checked_out_branch(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    git(project, "checkout", "--quiet", "-b", "gh-pages")
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 1 and "the branch gh-pages is checked out" in result.err


def test_an_invalid_branch_name(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    result = run_cli("deploy", project, "--branch", "bad..name", "--no-push")
    assert result.status == 1 and "not a valid branch name" in result.err


def test_a_failed_build_deploys_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    commit(project, "source/index.html.md", "---\nincludes: [missing]\n---\n# K\n")
    result = run_cli("deploy", project)
    assert result.status == 1 and "include 'missing' not found" in result.err
    assert git(project, "branch", "--list", "gh-pages") == "" and git(remote, "branch", "--list") == ""


def test_strict_refuses_warnings(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path)
    commit(project, "source/index.html.md", "# K\n\n```klingon\nx\n```\n")
    assert run_cli("deploy", project, "--no-push", "--strict").status == 1
    assert git(project, "branch", "--list", "gh-pages") == ""
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 0 and "warning: source/index.html.md:3: fence:" in result.err


def test_a_repository_without_commits(run_cli: RunCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PROJECT)
    git(project, "init", "--quiet", "-b", "main")
    result = run_cli("deploy", project, "--no-push")
    assert (result.status, result.err) == (
        1,
        "flagstone: error: the repository has no commits yet, and deploy publishes the committed files "
        "of HEAD: commit the docs first, or deploy the files as they are with --allow-dirty\n",
    )
    result = run_cli("deploy", project, "--no-push", "--allow-dirty")
    assert result.status == 0, result.err
    assert (
        "warning: deploying files that were never committed (the repository has no commits yet)\n"
        in result.err
    )
    assert "no commits yet" in git(project, "log", "-1", "--format=%s", "gh-pages")
    assert {"index.html", "images/logo.png"} <= branch_files(project)


def test_a_missing_project_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("deploy", tmp_path / "nowhere")
    assert result.status == 2 and "source/" in result.err


# ---- what is published: the committed files of HEAD ----------------------------------------------

IGNORING = PROJECT | {".gitignore": "build/\n*.log\nprivate/\n"}


def test_ignored_files_are_never_published(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path, IGNORING)
    (project / "source/debug.log").write_text("password=hunter2\n")
    (project / "source/private").mkdir()
    (project / "source/private/notes.txt").write_text("not for the site\n")
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 0, result.err
    files = branch_files(project)
    assert "index.html" in files and "debug.log" not in files and "private/notes.txt" not in files
    assert "warning" not in result.err
    result = run_cli("deploy", project, "--no-push", "--allow-dirty")  # not even with --allow-dirty
    assert result.status == 0 and "unchanged" in result.err and "warning" not in result.err


def test_uncommitted_changes_are_refused(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path, IGNORING)
    (project / "source/index.html.md").write_text("# Draft\n")
    (project / "source/draft.txt").write_text("draft\n")
    (project / "source/images/logo.png").unlink()
    (project / "source/debug.log").write_text("ignored\n")
    before = snapshot(project)
    result = run_cli("deploy", project)
    assert (result.status, result.out) == (1, "")
    assert result.err == (
        "flagstone: error: the project has changes that are not committed (deleted "
        "source/images/logo.png, modified source/index.html.md, untracked source/draft.txt); deploy "
        "publishes the committed files of HEAD only: commit or stash them first, or deploy them as they "
        "are with --allow-dirty\n"
    )
    assert git(project, "branch", "--list", "gh-pages") == "" and git(remote, "branch", "--list") == ""
    assert snapshot(project) == before


def test_a_staged_change_is_uncommitted_too_and_long_lists_are_counted(
    run_cli: RunCli, tmp_path: Path
) -> None:
    project, _ = make_repository(tmp_path)
    for n in range(7):
        (project / f"source/new{n}.txt").write_text(f"{n}\n")
    git(project, "add", "source/new0.txt")
    result = run_cli("deploy", project, "--no-push")
    assert result.status == 1
    assert (
        "(new source/new0.txt, untracked source/new1.txt, untracked source/new2.txt, untracked "
        "source/new3.txt, untracked source/new4.txt and 2 more)"
    ) in result.err


def test_allow_dirty_publishes_the_work_tree_and_says_so(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path, IGNORING)
    (project / "source/index.html.md").write_text("# Draft\n")
    (project / "source/draft.txt").write_text("draft\n")
    (project / "source/images/logo.png").unlink()
    (project / "source/debug.log").write_text("ignored\n")
    before = snapshot(project)
    result = run_cli("deploy", project, "--no-push", "--allow-dirty")
    assert result.status == 0, result.err
    assert result.err.splitlines()[0] == (
        "warning: deploying uncommitted changes, as they are in the work tree: deleted "
        "source/images/logo.png, modified source/index.html.md, untracked source/draft.txt"
    )
    files = branch_files(project)
    assert "draft.txt" in files and "images/logo.png" not in files and "debug.log" not in files
    assert "Draft" in git(project, "show", "gh-pages:index.html")
    assert git(project, "log", "-1", "--format=%s", "gh-pages").endswith("(with uncommitted changes)")
    assert snapshot(project) == before


def test_the_committed_files_are_built_whatever_the_work_tree_holds(run_cli: RunCli, tmp_path: Path) -> None:
    # A change outside the project folder is not the project's: the docs are clean and HEAD's are built.
    files = {f"docs/{name}": content for name, content in IGNORING.items()}
    project, _ = make_repository(tmp_path, files | {"README.md": "code\n"})
    (project / "README.md").write_text("edited code\n")
    (project / "docs/source/notes.log").write_text("ignored\n")
    result = run_cli("deploy", project / "docs", "--no-push")
    assert result.status == 0, result.err
    assert "Hello." in git(project, "show", "gh-pages:index.html")
    assert "notes.log" not in branch_files(project)
    assert not git(project, "log", "-1", "--format=%s", "gh-pages").endswith("changes)")


def test_a_theme_folder_of_the_project_comes_from_the_commit(run_cli: RunCli, tmp_path: Path) -> None:
    project, _ = make_repository(tmp_path, IGNORING | {"mytheme/assets/extra.css": "a{}\n"})
    result = run_cli("deploy", project, "--no-push", "--theme", project / "mytheme")
    assert result.status == 0, result.err
    assert "flagstone/extra.css" in branch_files(project)
    (project / "private").mkdir()
    (project / "private/assets").mkdir()
    result = run_cli("deploy", project, "--no-push", "--theme", project / "private")
    assert result.err == (
        "flagstone: error: the theme folder private is not among the published files; commit it, or "
        "give a folder outside the project\n"
    )


# ---- the branch: a local commit the remote lacks is never dropped --------------------------------


def test_a_local_commit_the_remote_lacks_is_never_dropped(run_cli: RunCli, tmp_path: Path) -> None:
    project, remote = make_repository(tmp_path)
    assert run_cli("deploy", project).status == 0
    first = git(project, "rev-parse", "gh-pages")
    # A commit made on the local branch by hand (a CNAME, say), never pushed ...
    tree = git(project, "rev-parse", "gh-pages^{tree}")
    local = subprocess.run(
        ["git", "commit-tree", tree, "-p", first, "-m", "Add CNAME"],
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    git(project, "update-ref", "refs/heads/gh-pages", local)
    # ... while someone else deployed to the remote.
    git(project, "push", "--quiet", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "--branch", "main", str(remote), str(other))
    commit(other, "source/index.html.md", "# Theirs\n")
    assert run_cli("deploy", other).status == 0
    theirs = git(remote, "rev-parse", "gh-pages")
    commit(project, "source/index.html.md", "# Mine\n")
    for extra in ((), ("--no-push",)):
        result = run_cli("deploy", project, *extra)
        assert (result.status, result.out) == (1, "")
        assert f"(the latest is {local[:7]})" in result.err
        # The hash as the table of errors shows it, so that the rest is compared word for word.
        assert result.err.replace(local[:7], "3f2a9c1") == (
            "flagstone: error: the local branch gh-pages has 1 commit(s) that origin's gh-pages does not "
            "have (the latest is 3f2a9c1), and origin's has commits it lacks; deploying would drop "
            "the local ones. To keep them, merge origin/gh-pages into gh-pages and push it (`git push "
            "origin gh-pages`); to drop them, run `git branch -f gh-pages origin/gh-pages`. Then deploy "
            "again\n"
        )
        assert git(project, "rev-parse", "gh-pages") == local
        assert git(remote, "rev-parse", "gh-pages") == theirs
    # Going on as the message says: dropping the local commit on purpose, then deploying.
    git(project, "branch", "--quiet", "-f", "gh-pages", "origin/gh-pages")
    assert run_cli("deploy", project).status == 0
    assert git(remote, "rev-parse", "gh-pages^") == theirs
    assert "Mine" in git(remote, "show", "gh-pages:index.html")
