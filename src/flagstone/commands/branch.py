"""The branch deploy writes, with git plumbing only: its tips (the remote's fetched), trees made from
folders and entries, and commits that never drop a local one."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flagstone.commands.console import Console


class DeployError(Exception):
    """A deploy that cannot go on (exit status 1); the message says why and what to do."""


@dataclass(frozen=True)
class Branch:
    """Where deploy commits and pushes."""

    name: str = "gh-pages"
    remote: str = "origin"
    push: bool = True


@dataclass(frozen=True)
class DeployResult:
    """The branch's new tip."""

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


def refuse_checked_out(git: Git, ref: str, branch: str) -> None:
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


def remote_tip(git: Git, target: Branch, console: Console) -> str | None:
    """The branch's tip on the remote, fetched; None when the remote or the branch is not there."""
    if git.run("remote", "get-url", target.remote, check=False).returncode != 0:
        if target.push:
            raise DeployError(
                f"the repository has no remote named '{target.remote}'; add one with "
                f"`git remote add {target.remote} URL`, choose another with --remote, or use --no-push"
            )
        return None
    ref = f"refs/heads/{target.name}"
    listed = git.run("ls-remote", "--exit-code", "--heads", target.remote, ref, check=False)
    if listed.returncode == 2:  # reachable, no such branch yet: the first deploy
        return None
    if listed.returncode != 0:
        reason = listed.stderr.strip().splitlines()[-1:] or ["no answer"]
        if target.push:
            raise DeployError(f"cannot reach the remote '{target.remote}': {reason[0]}")
        console.warn(
            f"cannot reach the remote '{target.remote}' ({reason[0]}); going on with the local branch"
        )
        return None
    tracking = f"refs/remotes/{target.remote}/{target.name}"
    git.run("fetch", "--quiet", "--no-tags", target.remote, f"+{ref}:{tracking}")
    return git.commit_of(tracking)


def parent_of(git: Git, local: str | None, remote: str | None, branch: str, remote_name: str) -> str | None:
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


def tree_of(git: Git, folder: Path, index: Path) -> str:
    """The tree of every file in `folder`, written into the repository."""
    # A private index and the folder as work tree: the user's index, HEAD and files stay as they were.
    env = {"GIT_INDEX_FILE": str(index)}
    tree_git = ("-C", str(folder), "--git-dir", git.git_dir, "--work-tree", str(folder))
    # --force: the user's global excludes (*.log, .DS_Store rules) must not drop files of the site;
    # autocrlf off: the site is published byte for byte.
    git.run(*tree_git, "-c", "core.autocrlf=false", "add", "--all", "--force", "--", ".", env=env)
    return git.out(*tree_git, "write-tree", env=env)


def start(git: Git, target: Branch) -> str:
    """The branch's ref, once it is known to be one deploy may move."""
    ref = f"refs/heads/{target.name}"
    if git.run("check-ref-format", ref, check=False).returncode != 0:
        raise DeployError(f"'{target.name}' is not a valid branch name")
    refuse_checked_out(git, ref, target.name)
    return ref


def tips(git: Git, target: Branch, ref: str, console: Console) -> tuple[str | None, str | None]:
    """The local branch's commit, and the one a new commit follows."""
    remote = remote_tip(git, target, console)
    local = git.commit_of(ref)
    return local, parent_of(git, local, remote, target.name, target.remote)


def commit(
    git: Git,
    target: Branch,
    ref: str,
    tree: str,
    tips: tuple[str | None, str | None],
    message: str,
    console: Console,
) -> DeployResult:
    """`tree` committed on top of the branch (unless it is the same), the branch moved and pushed."""
    local, parent = tips
    if parent is not None and git.out("rev-parse", f"{parent}^{{tree}}") == tree:
        made, changed = parent, False  # an identical site makes no empty commit
    else:
        parents = ["-p", parent] if parent else []
        made, changed = git.out("commit-tree", tree, *parents, "-F", "-", stdin=message), True
    if made != local:
        git.run("update-ref", "-m", f"flagstone deploy: {message.splitlines()[0]}", ref, made, local or "")
    if target.push:
        console.info(f"pushing {target.name} to {target.remote}")
        git.run("push", "--quiet", target.remote, f"{ref}:{ref}")
    return DeployResult(made, changed, target.push)


def read(git: Git, commit: str | None, path: str) -> str | None:
    """The text of the file at `path` in `commit`; None when it has none."""
    if commit is None:
        return None
    found = git.run("cat-file", "blob", f"{commit}:{path}", check=False)
    return found.stdout if found.returncode == 0 else None


def entries(git: Git, commit: str | None) -> dict[str, str]:
    """The top folder of `commit`'s tree: each name's `mode type object`, as mktree takes them."""
    if commit is None:
        return {}
    found = {}
    for item in git.run("ls-tree", "-z", commit).stdout.split("\0"):
        if item:
            spec, name = item.split("\t", 1)
            found[name] = spec
    return found


def blob(git: Git, text: str) -> str:
    return "100644 blob " + git.out("hash-object", "-w", "--stdin", stdin=text)


def subtree(tree: str) -> str:
    return f"040000 tree {tree}"


def mktree(git: Git, top: dict[str, str]) -> str:
    """The tree whose top folder holds `top` (as `entries` gives them)."""
    listing = "".join(f"{spec}\t{name}\0" for name, spec in sorted(top.items()))
    return git.out("mktree", "-z", stdin=listing)
