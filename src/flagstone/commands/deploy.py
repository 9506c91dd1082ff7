"""`flagstone deploy`: build HEAD's committed files, commit the site to a branch with git plumbing, push;
no work tree is touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flagstone import __version__
from flagstone.commands.console import Console
from flagstone.errors import UsageError
from flagstone.models import BuildOptions
from flagstone.paths import Project


class DeployError(Exception):
    """A deploy that cannot go on (exit status 1); the message says why and what to do."""


@dataclass(frozen=True)
class DeployOptions:
    """What `flagstone deploy` was asked to do."""

    project: Path
    branch: str = "gh-pages"
    remote: str = "origin"
    message: str | None = None
    push: bool = True
    theme: Path | None = None
    strict: bool = False
    allow_dirty: bool = False  # publish the work tree as it stands (ignored files still left out)


@dataclass(frozen=True)
class DeployResult:
    commit: str
    changed: bool  # False: the site was the same as the branch's, so no commit was made
    pushed: bool


class Git:
    """Runs git in one repository; every call names the repository so the current folder never matters."""

    def __init__(self, cwd: Path) -> None:
        if shutil.which("git") is None:
            raise DeployError("git was not found on PATH; flagstone deploy publishes with git")
        self.cwd = cwd
        probe = self.run("rev-parse", "--absolute-git-dir", check=False)
        if probe.returncode != 0:
            raise DeployError(
                f"{cwd} is not in a git repository; run `git init` there, or publish the output of "
                "`flagstone build` some other way"
            )
        self.git_dir = probe.stdout.strip()

    def run(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["git", *args],
            cwd=self.cwd,
            env={**os.environ, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            raise DeployError(f"`git {' '.join(args[:2])}` failed: {detail}")
        return result

    def out(self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> str:
        return self.run(*args, env=env, stdin=stdin).stdout.strip()

    def commit_of(self, rev: str) -> str | None:
        result = self.run("rev-parse", "--quiet", "--verify", f"{rev}^{{commit}}", check=False)
        return result.stdout.strip() if result.returncode == 0 else None

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def _refuse_checked_out(git: Git, ref: str, branch: str) -> None:
    # Moving a branch some work tree has checked out would leave that tree's files out of step with it.
    current: str | None = None
    for line in git.out("worktree", "list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            current = line.removeprefix("worktree ")
        elif line == f"branch {ref}":
            raise DeployError(
                f"the branch {branch} is checked out in {current}; switch that work tree to another branch "
                "first (deploy writes the branch without touching any work tree)"
            )


def _remote_tip(git: Git, options: DeployOptions, console: Console) -> str | None:
    """The branch's tip on the remote, fetched; None when the remote or the branch is not there."""
    if git.run("remote", "get-url", options.remote, check=False).returncode != 0:
        if options.push:
            raise DeployError(
                f"the repository has no remote named '{options.remote}'; add one with "
                f"`git remote add {options.remote} URL`, choose another with --remote, or use --no-push"
            )
        return None
    ref = f"refs/heads/{options.branch}"
    listed = git.run("ls-remote", "--exit-code", "--heads", options.remote, ref, check=False)
    if listed.returncode == 2:  # reachable, no such branch yet: the first deploy
        return None
    if listed.returncode != 0:
        reason = listed.stderr.strip().splitlines()[-1:] or ["no answer"]
        if options.push:
            raise DeployError(f"cannot reach the remote '{options.remote}': {reason[0]}")
        console.warn(
            f"cannot reach the remote '{options.remote}' ({reason[0]}); building on the local branch"
        )
        return None
    tracking = f"refs/remotes/{options.remote}/{options.branch}"
    git.run("fetch", "--quiet", "--no-tags", options.remote, f"+{ref}:{tracking}")
    return git.commit_of(tracking)


def _parent(git: Git, local: str | None, remote: str | None, branch: str, remote_name: str) -> str | None:
    """The commit the new deploy follows, so the branch keeps its history and the push fast-forwards."""
    if remote is None or local == remote:
        return local
    if local is None or git.is_ancestor(local, remote):
        return remote
    if git.is_ancestor(remote, local):
        return local  # earlier deploys made with --no-push, not yet pushed
    # Following the remote's would move the local branch off commits nothing else holds.
    count = int(git.out("rev-list", "--count", local, f"^{remote}"))
    raise DeployError(
        f"the local branch {branch} has {count} commit(s) that {remote_name}'s {branch} does not have "
        f"(the latest is {local[:7]}), and {remote_name}'s has commits it lacks; deploying would drop the "
        f"local ones. To keep them, merge {remote_name}/{branch} into {branch} and push it "
        f"(`git push {remote_name} {branch}`); to drop them, run `git branch -f {branch} "
        f"{remote_name}/{branch}`. Then deploy again"
    )


def _message(git: Git, options: DeployOptions, head: str | None, dirty: bool) -> str:
    """The commit message; it names the source commit, and says so when the source had uncommitted edits."""
    if head is None:
        subject = options.message or "Deploy docs (the source has no commits yet)"
        return f"{subject}\n\nBuilt by flagstone {__version__}.\n"
    note = " (with uncommitted changes)" if dirty else ""
    short = git.out("rev-parse", "--short", head)
    subject = options.message or f"Deploy docs from {short}{note}"
    return f"{subject}\n\nBuilt by flagstone {__version__} from {head}{note}.\n"


_STATES = {"??": "untracked", "A": "new", "D": "deleted", "R": "renamed", "C": "copied"}
_LISTED = 5  # changed files named in a message; the rest are counted


def _changes(git: Git) -> list[str]:
    """The project's files whose state differs from HEAD, as `modified source/x.md`; ignored files are
    left out, as they are never published."""
    # --no-optional-locks: a status would otherwise refresh the user's index file as a side effect.
    out = git.run(
        "--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--", "."
    ).stdout
    prefix = git.out("rev-parse", "--show-prefix")
    entries = iter(out.split("\0"))
    changes = []
    for entry in entries:
        if not entry:
            continue
        state, path = entry[:2], entry[3:]
        if "R" in state or "C" in state:
            next(entries, None)  # the name it had before
        word = _STATES.get(state) or next(
            (_STATES[letter] for letter in "DRCA" if letter in state), "modified"
        )
        changes.append(f"{word} {path.removeprefix(prefix)}")
    return changes


def _listed(changes: list[str]) -> str:
    more = len(changes) - _LISTED
    return ", ".join(changes[:_LISTED]) + (f" and {more} more" if more > 0 else "")


def _refuse_dirty(head: str | None, changes: list[str]) -> None:
    if head is None:
        raise DeployError(
            "the repository has no commits yet, and deploy publishes the committed files of HEAD: commit "
            "the docs first, or deploy the files as they are with --allow-dirty"
        )
    if changes:
        raise DeployError(
            f"the project has changes that are not committed ({_listed(changes)}); deploy publishes the "
            "committed files of HEAD only: commit or stash them first, or deploy them as they are with "
            "--allow-dirty"
        )


def _published_tree(git: Git, head: str | None, changes: list[str], folder: Path, console: Console) -> str:
    """The tree of the project's files to build: HEAD's, or with --allow-dirty the work tree's as `git add
    --all` sees it (so never an ignored file), said out loud."""
    prefix = git.out("rev-parse", "--show-prefix")
    if head is not None and not changes:
        return git.out("rev-parse", f"{head}:{prefix}")
    env = {"GIT_INDEX_FILE": str(folder / "work-index")}  # a private index: the user's stays as it is
    if head is not None:
        git.run("read-tree", head, env=env)
    git.run("add", "--all", "--", ".", env=env)
    tree = git.out("write-tree", *([f"--prefix={prefix}"] if prefix else []), env=env)
    if head is None:
        console.warn("deploying files that were never committed (the repository has no commits yet)")
    else:
        console.warn(f"deploying uncommitted changes, as they are in the work tree: {_listed(changes)}")
    return tree


def _export(git: Git, tree: str, folder: Path) -> Path:
    """The files of `tree` written into `folder`/project, as a checkout would write them."""
    project = folder / "project"
    env = {"GIT_INDEX_FILE": str(folder / "export-index")}
    git.run("read-tree", tree, env=env)
    top = git.out("rev-parse", "--show-toplevel")  # checkout-index in a subfolder writes only its files
    git.run("-C", top, "checkout-index", "--all", "--force", f"--prefix={project}{os.sep}", env=env)
    project.mkdir(exist_ok=True)  # an empty tree writes nothing
    return project


def _theme_in(options: DeployOptions, project: Path) -> Path | None:
    """--theme as the built copy has it: a folder of the project comes from the published files too."""
    if options.theme is None:
        return None
    root, theme = options.project.resolve(), options.theme.resolve()
    if not theme.is_relative_to(root):
        return options.theme
    copy = project / theme.relative_to(root)
    if not copy.is_dir():
        raise DeployError(
            f"the theme folder {theme.relative_to(root).as_posix()} is not among the published files; "
            "commit it, or give a folder outside the project"
        )
    return copy


def _build_site(options: DeployOptions, project: Path, site: Path, console: Console) -> None:
    from flagstone.build import build
    from flagstone.cache import FragmentCache
    from flagstone.site_writer import MARKER

    build_options = BuildOptions(
        project, site, strict=options.strict, theme=_theme_in(options, project), use_cache=False
    )
    # The project's own render cache: its fragments are keyed by what they were made from.
    cache = FragmentCache.for_project(Project.at(options.project).root)
    report = build(build_options, fragment_cache=cache)
    for warning in report.warnings:
        console.warn(warning.format())
    (site / MARKER).unlink(missing_ok=True)  # flagstone's own bookkeeping, not part of the site
    # GitHub Pages runs Jekyll over a branch without this file, which hides files starting with `_`.
    (site / ".nojekyll").write_bytes(b"")
    console.detail(f"built {report.pages} page(s), {report.files} file(s)")


def deploy(options: DeployOptions, console: Console) -> DeployResult:
    source = Project.at(options.project).source
    if not source.is_dir():  # before git is asked anything about a folder that may not exist
        raise UsageError(f"{source} does not exist: a flagstone project keeps its pages in source/")
    git = Git(options.project)
    ref = f"refs/heads/{options.branch}"
    if git.run("check-ref-format", ref, check=False).returncode != 0:
        raise DeployError(f"'{options.branch}' is not a valid branch name")
    _refuse_checked_out(git, ref, options.branch)
    head = git.commit_of("HEAD")
    changes = _changes(git)
    if not options.allow_dirty:
        _refuse_dirty(head, changes)
    message = _message(git, options, head, bool(changes))
    # The remote first: a missing or unreachable one fails before a long build, not after it.
    remote = _remote_tip(git, options, console)
    local = git.commit_of(ref)
    parent = _parent(git, local, remote, options.branch, options.remote)
    with tempfile.TemporaryDirectory(prefix="flagstone-deploy-") as name:
        folder = Path(name)
        # Built from git's copy of the files, not the work tree: what is published is what is committed.
        project = _export(git, _published_tree(git, head, changes, folder, console), folder)
        site = folder / "site"
        _build_site(options, project, site, console)
        # A private index and the site as work tree: the user's index, HEAD and files stay as they were.
        env = {"GIT_INDEX_FILE": str(folder / "index")}
        tree_git = ("-C", str(site), "--git-dir", git.git_dir, "--work-tree", str(site))
        # --force: the user's global excludes (*.log, .DS_Store rules) must not drop files of the site;
        # autocrlf off: the site is published byte for byte.
        git.run(*tree_git, "-c", "core.autocrlf=false", "add", "--all", "--force", "--", ".", env=env)
        tree = git.out(*tree_git, "write-tree", env=env)
    if parent is not None and git.out("rev-parse", f"{parent}^{{tree}}") == tree:
        commit, changed = parent, False  # an identical site makes no empty commit
    else:
        parents = ["-p", parent] if parent else []
        commit, changed = git.out("commit-tree", tree, *parents, "-F", "-", stdin=message), True
    if commit != local:
        git.run("update-ref", "-m", f"flagstone deploy: {message.splitlines()[0]}", ref, commit, local or "")
    if options.push:
        console.info(f"pushing {options.branch} to {options.remote}")
        git.run("push", "--quiet", options.remote, f"{ref}:{ref}")
    return DeployResult(commit, changed, options.push)


def run(options: DeployOptions, console: Console) -> int:
    try:
        result = deploy(options, console)
    except DeployError as error:
        console.error(str(error))
        return 1
    short = result.commit[:7]
    if not result.changed:
        console.info(f"the site is unchanged since the last deploy ({short} on {options.branch})")
    where = (
        f"pushed to {options.remote}"
        if result.pushed
        else f"not pushed; `git push {options.remote} {options.branch}` publishes it"
    )
    console.success(f"deployed {short} to {options.branch} ({where})")
    console.result(result.commit)
    return 0
