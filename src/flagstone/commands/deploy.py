"""`flagstone deploy`: build HEAD's committed files, commit the site (or one version of it) to a branch
with git plumbing, push; no work tree is touched."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from flagstone import __version__
from flagstone.commands import branch as br
from flagstone.commands import versions as ver
from flagstone.commands.branch import DeployError, DeployResult, Git
from flagstone.commands.console import Console
from flagstone.models import BuildOptions
from flagstone.paths import Project

__all__ = ["DeployError", "DeployOptions", "DeployResult", "delete", "deploy", "listing", "run"]


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
    version: str | None = None  # publish under this folder of the branch, keeping the other versions
    aliases: tuple[str, ...] = ()
    title: str | None = None  # the version's title in versions.json (default: kept, or the version)
    set_default: bool = False  # the site's root redirects to this version
    site_url: str | None = None  # overrides the pages' `site_url` (a version goes under VERSION/ of it)

    @property
    def target(self) -> br.Branch:
        return br.Branch(self.branch, self.remote, self.push)


def _message(git: Git, options: DeployOptions, head: str | None, dirty: bool) -> str:
    """The commit message; it names the source commit, and says so when the source had uncommitted edits."""
    if head is None:
        subject = options.message or "Deploy docs (the source has no commits yet)"
        return f"{subject}\n\nBuilt by flagstone {__version__}.\n"
    note = " (with uncommitted changes)" if dirty else ""
    short = git.out("rev-parse", "--short", head)
    what = f"docs {options.version}" if options.version else "docs"
    subject = options.message or f"Deploy {what} from {short}{note}"
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


def _build_site(options: DeployOptions, project: Path, site: Path, console: Console) -> tuple[str, ...]:
    """Builds the site; its pages."""
    from flagstone.build import build
    from flagstone.site_writer import MARKER
    from flagstone.storage.store import Store

    site_url = options.site_url
    if options.version is not None:
        site_url = ver.site_url(project, site_url, options.version)
    build_options = BuildOptions(
        project,
        site,
        strict=options.strict,
        theme=_theme_in(options, project),
        use_cache=False,
        site_url=site_url,
    )
    # The project's own store: its entries are keyed by what they were made from.
    report = build(build_options, store=Store.for_project(Project.at(options.project).root))
    for warning in report.warnings:
        console.warn(warning.format())
    (site / MARKER).unlink(missing_ok=True)  # flagstone's own bookkeeping, not part of the site
    # GitHub Pages runs Jekyll over a branch without this file, which hides files starting with `_`.
    (site / ".nojekyll").write_bytes(b"")
    console.detail(f"built {report.pages} page(s), {report.files} file(s)")
    return report.outputs


def deploy(options: DeployOptions, console: Console) -> DeployResult:
    Project.existing(options.project)  # before git is asked anything about a folder that may not exist
    git = Git(options.project)
    ref = br.start(git, options.target)
    head = git.commit_of("HEAD")
    changes = _changes(git)
    if not options.allow_dirty:
        _refuse_dirty(head, changes)
    message = _message(git, options, head, bool(changes))
    # The remote first: a missing or unreachable one fails before a long build, not after it.
    tips = br.tips(git, options.target, ref, console)
    change: tuple[str, ver.Versions, ver.Versions] | None = None
    moved: list[str] = []
    if options.version is not None:  # so does a version that cannot be deployed
        old = _versions_at(git, tips[1])
        try:
            new, moved = ver.with_version(
                old, options.version, options.aliases, options.title, options.set_default
            )
        except ver.VersionError as error:
            raise DeployError(str(error)) from None
        change = (options.version, old, new)
    with tempfile.TemporaryDirectory(prefix="flagstone-deploy-") as name:
        folder = Path(name)
        # Built from git's copy of the files, not the work tree: what is published is what is committed.
        project = _export(git, _published_tree(git, head, changes, folder, console), folder)
        site = folder / "site"
        pages = _build_site(options, project, site, console)
        if change is None:
            tree = br.tree_of(git, site, folder / "index")
        else:
            theme = _theme_in(options, project)
            tree = _version_tree(git, tips[1], change, ver.Built(site, pages, project, theme), folder)
    result = br.commit(git, options.target, ref, tree, tips, message, console)
    for line in moved:  # once it is done
        console.info(line)
    return result


def _versions_at(git: Git, commit: str | None) -> ver.Versions:
    try:
        return ver.parse(br.read(git, commit, ver.VERSIONS_JSON), br.read(git, commit, ver.VERSIONS_JS))
    except ver.VersionError as error:
        raise DeployError(str(error)) from None


def _version_tree(
    git: Git,
    parent: str | None,
    change: tuple[str, ver.Versions, ver.Versions],
    built: ver.Built,
    folder: Path,
) -> str:
    """The branch's tree with the built site as one version of it, and that version's aliases."""
    version, old, new = change
    (built.site / ".nojekyll").unlink()  # the branch's top folder has one
    ver.add_menu(built, version)
    top = br.entries(git, parent)
    top[version] = br.subtree(br.tree_of(git, built.site, folder / "index"))
    for alias in new.aliases_of(version):
        top[alias] = _alias_tree(git, version, built.pages, folder / "alias" / alias)
    if new.default == version:
        for name in ver.FROM_DEFAULT:
            if (built.site / name).is_file():  # a 404 page works at any depth: its links start at <base>
                top[name] = br.blob(git, (built.site / name).read_bytes().decode())
            else:
                top.pop(name, None)
    return _listing_tree(git, top, old, new)


def _alias_tree(git: Git, version: str, pages: tuple[str, ...], folder: Path) -> str:
    """A folder of redirect pages, one for each page of `version`."""
    for page, text in ver.alias_files(version, pages).items():
        (folder / page).parent.mkdir(parents=True, exist_ok=True)
        (folder / page).write_text(text, encoding="utf-8")
    return br.subtree(br.tree_of(git, folder, folder.parent / f"{folder.name}.index"))


def _listing_tree(git: Git, top: dict[str, str], old: ver.Versions, new: ver.Versions) -> str:
    """The branch's tree with the new list of versions (and the root's redirect) in its top folder."""
    for gone in old.aliases - new.aliases:
        top.pop(gone, None)
    top[ver.VERSIONS_JSON] = br.blob(git, new.json_text())
    top[ver.VERSIONS_JS] = br.blob(git, new.js_text())
    top[".nojekyll"] = br.blob(git, "")
    if new.default is not None and new.default != old.default:
        top["index.html"] = br.blob(git, ver.root_redirect(new.default))
    elif new.default is None and old.default is not None:
        for name in ("index.html", *ver.FROM_DEFAULT):  # the version deleted's
            top.pop(name, None)
    return br.mktree(git, top)


def listing(options: DeployOptions, console: Console) -> ver.Versions:
    """The versions on the branch (the remote's, when it is there): `flagstone deploy --list`."""
    git = Git(options.project)
    target = replace(options.target, push=False)  # reading needs no remote, and pushes nothing
    ref = br.start(git, target)
    return _versions_at(git, br.tips(git, target, ref, console)[1])


def delete(options: DeployOptions, version: str, console: Console) -> tuple[DeployResult, ver.Versions]:
    """The branch without `version` and its aliases, committed and pushed; the versions it had."""
    git = Git(options.project)
    ref = br.start(git, options.target)
    tips = br.tips(git, options.target, ref, console)
    old = _versions_at(git, tips[1])
    try:
        new = ver.without_version(old, version)
    except ver.VersionError as error:
        raise DeployError(str(error)) from None
    top = br.entries(git, tips[1])
    top.pop(version, None)
    tree = _listing_tree(git, top, old, new)
    subject = options.message or f"Delete version {version} of the docs"
    result = br.commit(
        git, options.target, ref, tree, tips, f"{subject}\n\nBy flagstone {__version__}.\n", console
    )
    return result, old


def _where(options: DeployOptions, result: DeployResult) -> str:
    if result.pushed:
        return f"pushed to {options.remote}"
    return f"not pushed; `git push {options.remote} {options.branch}` publishes it"


def run(options: DeployOptions, console: Console) -> int:
    try:
        result = deploy(options, console)
    except DeployError as error:
        console.error(str(error))
        return 1
    short = result.commit[:7]
    if not result.changed:
        console.info(f"the site is unchanged since the last deploy ({short} on {options.branch})")
    if options.version is not None:
        console.info(f"published version {options.version} in {options.version}/ of {options.branch}")
    console.success(f"deployed {short} to {options.branch} ({_where(options, result)})")
    console.result(result.commit)
    return 0


def run_list(options: DeployOptions, console: Console) -> int:
    try:
        versions = listing(options, console)
    except DeployError as error:
        console.error(str(error))
        return 1
    if not versions.entries:
        console.info(
            f"{options.branch} holds no versions yet; publish one with `flagstone deploy --version 1.0`"
        )
    for line in versions.lines():
        console.result(line)
    return 0


def run_delete(options: DeployOptions, version: str, console: Console) -> int:
    try:
        result, old = delete(options, version, console)
    except DeployError as error:
        console.error(str(error))
        return 1
    deleted = old.find(version)
    aliases = f" and its aliases {', '.join(deleted.aliases)}" if deleted and deleted.aliases else ""
    console.info(f"deleted version {version}{aliases} from {options.branch}")
    if old.default == version:
        console.warn(
            f"the site's root redirected to {version} and now has no index.html; choose another default "
            "with `flagstone deploy --version VERSION --set-default`"
        )
    console.success(f"deployed {result.commit[:7]} to {options.branch} ({_where(options, result)})")
    console.result(result.commit)
    return 0
