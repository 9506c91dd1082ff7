"""`flagstone deploy`: build, commit the site to a branch with git plumbing, push; no work tree is touched."""

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


def _parent(git: Git, local: str | None, remote: str | None, branch: str, console: Console) -> str | None:
    """The commit the new deploy follows, so the branch keeps its history and the push fast-forwards."""
    if remote is None or local == remote:
        return local
    if local is None or git.is_ancestor(local, remote):
        return remote
    if git.is_ancestor(remote, local):
        return local  # earlier deploys made with --no-push, not yet pushed
    console.warn(f"the local {branch} and the remote's have diverged; the new deploy follows the remote's")
    return remote


def _message(git: Git, options: DeployOptions) -> str:
    """The commit message; it names the source commit, and says so when the source had uncommitted edits."""
    head = git.commit_of("HEAD")
    if head is None:
        subject = options.message or "Deploy docs (the source has no commits yet)"
        return f"{subject}\n\nBuilt by flagstone {__version__}.\n"
    # --no-optional-locks: a status would otherwise refresh the user's index file as a side effect.
    dirty = bool(git.out("--no-optional-locks", "status", "--porcelain", "--", "."))
    note = " (with uncommitted changes)" if dirty else ""
    short = git.out("rev-parse", "--short", head)
    subject = options.message or f"Deploy docs from {short}{note}"
    return f"{subject}\n\nBuilt by flagstone {__version__} from {head}{note}.\n"


def _build_site(options: DeployOptions, site: Path, console: Console) -> None:
    from flagstone.build import build
    from flagstone.cache import FragmentCache
    from flagstone.site_writer import MARKER

    project = Project.at(options.project)
    build_options = BuildOptions(
        options.project, site, strict=options.strict, theme=options.theme, use_cache=False
    )
    report = build(build_options, fragment_cache=FragmentCache.for_project(project.root))
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
    message = _message(git, options)
    # The remote first: a missing or unreachable one fails before a long build, not after it.
    remote = _remote_tip(git, options, console)
    local = git.commit_of(ref)
    parent = _parent(git, local, remote, options.branch, console)
    with tempfile.TemporaryDirectory(prefix="flagstone-deploy-") as folder:
        site = Path(folder) / "site"
        _build_site(options, site, console)
        # A private index and the site as work tree: the user's index, HEAD and files stay as they were.
        env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
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
