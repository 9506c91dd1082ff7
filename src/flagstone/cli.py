"""The `flagstone` command line: parses arguments, runs a command, maps failures to exit statuses."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from flagstone import __version__
from flagstone.acceleration.gc_pause import collector_paused
from flagstone.errors import DocumentError, UsageError
from flagstone.models import SITE_URL, BuildOptions
from flagstone.progress import for_terminal, no_progress
from flagstone.storage.stamp import state_folder, up_to_date

EXIT_OK, EXIT_DOCUMENT_ERROR, EXIT_USAGE = 0, 1, 2


def threading_is_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


Command = Callable[[argparse.Namespace], int]


def _subcommand(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    examples: Sequence[str],
    run: Command,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + "\n".join(f"  {line}" for line in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def _add_build(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subcommand(
        commands,
        "build",
        "build the site into PROJECT/build",
        "Build every page of PROJECT/source into a static site.",
        ["flagstone build", "flagstone build docs -o docs/public", "flagstone build --strict"],
        _run_build,
    )
    parser.add_argument("project", nargs="?", default=".", type=Path, help="project folder holding source/")
    parser.add_argument("-o", "--out", type=Path, help="output folder (default: PROJECT/build)")
    parser.add_argument("--strict", action="store_true", help="fail the build on any warning")
    parser.add_argument("--theme", type=Path, help="a theme folder overriding the default theme file by file")
    parser.add_argument(
        "--no-cache", action="store_true", help="render everything afresh and leave the cache alone"
    )
    _add_verbosity(parser)
    parser.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")
    _add_site_url(parser)
    _add_split(parser)


def _add_split(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--split",
        choices=("h1", "include", "none"),
        help="one HTML file per h1 section or per include (overrides split; none: one page)",
    )


def _split(args: argparse.Namespace) -> str | None:
    return None if args.split is None else "" if args.split == "none" else str(args.split)


def _add_site_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--site-url",
        type=_site_url,
        metavar="URL",
        help="where the site is published (overrides site_url): canonical links, cards, sitemap.xml",
    )


def _site_url(text: str) -> str:
    if not SITE_URL.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected an http:// or https:// address like https://example.com/docs, got {text!r}"
        )
    return text


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subcommand(
        commands,
        "serve",
        "preview the site, rebuilt and reloaded on every save",
        "Build the site into a private folder and serve it; pages reload by themselves after each save,\n"
        "and a failed build shows its errors over the page while the last good version stays served.\n"
        "Nothing is written into PROJECT/build.",
        ["flagstone serve", "flagstone serve docs --port 8000 --open", "flagstone serve --port 0"],
        _run_serve,
    )
    parser.add_argument("project", nargs="?", default=".", type=Path, help="project folder holding source/")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4567, help="port to listen on; 0 picks a free one")
    parser.add_argument("--open", action="store_true", help="open the preview in a web browser")
    parser.add_argument("--theme", type=Path, help="a theme folder overriding the default theme file by file")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print only warnings, errors and results")
    group.add_argument("-v", "--verbose", action="store_true", help="say more about each step")


def _add_init(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subcommand(
        commands,
        "init",
        "start a project: a sample page, .gitignore and a GitHub Pages workflow",
        "Create a project in DIR laid out as Slate lays one out: source/index.html.md, source/includes/,\n"
        "source/images/logo.svg (replace it with your logo), a .gitignore holding build/, and\n"
        ".github/workflows/docs.yml, which builds with --strict, checks and publishes to GitHub Pages.\n"
        "Nothing is written when one of these files exists already, unless --force is given.",
        ["flagstone init", "flagstone init docs --title 'Kittn API'", "flagstone init docs --force"],
        _run_init,
    )
    parser.add_argument("folder", nargs="?", default=".", type=Path, metavar="DIR", help="where (default: .)")
    parser.add_argument("--title", default="API Reference", help="the page title (default: API Reference)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist already")
    _add_verbosity(parser)


def _add_openapi(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subcommand(
        commands,
        "openapi",
        "write an editable Slate project from an OpenAPI or Swagger file",
        "Write PROJECT/source/index.html.md (title, description, base URLs, authentication) and one\n"
        "include per tag, plus webhooks and schemas, made from SPEC (OpenAPI 3.x or Swagger 2.0, YAML or\n"
        "JSON, one file or several joined by relative $refs). To keep the reference in step with the spec\n"
        "instead, name it in a page's front matter: openapi: ../openapi.yaml. Nothing is written over\n"
        "existing files without --force.",
        [
            "flagstone openapi openapi.yaml -o docs",
            "flagstone openapi api.json -o docs --language-tabs shell,python --max-depth 3",
        ],
        _run_openapi,
    )
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the OpenAPI or Swagger file")
    parser.add_argument("-o", "--out", type=Path, default=Path("."), metavar="PROJECT", help="(default: .)")
    parser.add_argument("--language-tabs", help="comma-separated sample languages (default: all nine)")
    parser.add_argument(
        "--max-depth", type=int, default=10, help="schema nesting shown (maxDepth, default 10)"
    )
    parser.add_argument("--omit-header", action="store_true", help="no title, description or base URLs")
    parser.add_argument("--no-code-samples", action="store_true", help="no code samples (codeSamples: false)")
    parser.add_argument("--expand-body", action="store_true", help="request body tables open (expandBody)")
    parser.add_argument("--no-search", action="store_true", help="the page without search")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist already")
    _add_verbosity(parser)


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subcommand(
        commands,
        "check",
        "find broken links and anchors, missing files and everything the build warns about",
        "Build PROJECT into a temporary folder (PROJECT/build is left alone) and report what the build\n"
        "warns about (--strict included), plus: links to #anchors that exist neither on the same page nor\n"
        "on the page linked to, missing images and local files, ids used twice on a page, and code fences\n"
        "in languages that are neither a tab nor known to the highlighter. External links are not fetched.\n"
        "Problems go to stdout as path:line: key: message; exit status 1 when there is any, 0 when clean.",
        ["flagstone check", "flagstone check docs", "flagstone check --format json > problems.json"],
        _run_check,
    )
    parser.add_argument("project", nargs="?", default=".", type=Path, help="project folder holding source/")
    parser.add_argument(
        "--format", choices=("human", "json"), default="human", help="output format (default: human)"
    )
    parser.add_argument("--theme", type=Path, help="a theme folder overriding the default theme file by file")
    parser.add_argument("--no-cache", action="store_true", help="render everything afresh")
    _add_split(parser)
    _add_verbosity(parser)


def _add_deploy(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = _subcommand(
        commands,
        "deploy",
        "build and publish the site to a git branch (gh-pages), then push it",
        "Build PROJECT and commit the site (with a .nojekyll file) to BRANCH of the project's git\n"
        "repository, on top of the branch's history (fetched from REMOTE when it is there), then push\n"
        "BRANCH to REMOTE. What is built is the committed files of HEAD: a project with uncommitted\n"
        "changes is refused unless --allow-dirty is given. The work tree, the index and the checked-out\n"
        "branch are never touched, and a local BRANCH commit that REMOTE lacks is never dropped.\n"
        "With --version the site goes into VERSION/ of BRANCH beside the other versions, listed in\n"
        "versions.json, with a version menu on every page.",
        [
            "flagstone deploy",
            "flagstone deploy --no-push",
            "flagstone deploy docs --branch pages --remote upstream -m 'Publish the v2 docs'",
            "flagstone deploy --version 2.1 --alias latest --set-default",
            "flagstone deploy --list",
            "flagstone deploy --delete 1.0",
        ],
        _run_deploy,
    )
    parser.add_argument("project", nargs="?", default=".", type=Path, help="project folder holding source/")
    parser.add_argument("--branch", default="gh-pages", help="the branch to commit to (default: gh-pages)")
    parser.add_argument("--remote", default="origin", help="the remote to push to (default: origin)")
    parser.add_argument("-m", "--message", help="the commit message (default: Deploy docs from <commit>)")
    parser.add_argument("--no-push", action="store_true", help="only update the local branch")
    parser.add_argument("--strict", action="store_true", help="fail on any warning, deploying nothing")
    parser.add_argument(
        "--allow-dirty",
        action="store_true",
        help="publish uncommitted changes too (the files as they are; git-ignored ones never)",
    )
    parser.add_argument("--theme", type=Path, help="a theme folder overriding the default theme file by file")
    _add_site_url(parser)
    _add_versions(parser)
    _add_verbosity(parser)


def _add_versions(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("versions")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--version",
        type=_version_name,
        metavar="VERSION",
        help="publish the site as VERSION/, keeping the other versions (updates versions.json)",
    )
    which.add_argument("--list", action="store_true", help="print the published versions and their aliases")
    which.add_argument(
        "--delete", type=_version_name, metavar="VERSION", help="remove VERSION and its aliases"
    )
    group.add_argument(
        "--alias",
        action="append",
        default=[],
        type=_alias_name,
        metavar="NAME",
        help="also publish NAME/ redirecting to VERSION, moved from another version if needed (repeatable)",
    )
    group.add_argument("--title", help="VERSION's title in the version menu (default: VERSION)")
    group.add_argument("--set-default", action="store_true", help="make the site's root redirect to VERSION")


def _version_name(text: str) -> str:
    return _name(text, "version")


def _alias_name(text: str) -> str:
    return _name(text, "alias")


def _name(text: str, what: str) -> str:
    from flagstone.commands.versions import VersionError, check_name

    try:
        check_name(text, what)
    except VersionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flagstone",
        description="Build Slate-format API documentation into a static site.",
        epilog="examples:\n  flagstone init docs\n  flagstone serve docs\n  flagstone check docs\n"
        "  flagstone build docs -o public --strict\n  flagstone deploy docs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"flagstone {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_build(commands)
    _add_serve(commands)
    _add_init(commands)
    _add_openapi(commands)
    _add_check(commands)
    _add_deploy(commands)
    return parser


def _run_build(args: argparse.Namespace) -> int:
    out = args.out if args.out is not None else args.project / "build"
    options = BuildOptions(
        args.project,
        out,
        strict=args.strict,
        theme=args.theme,
        use_cache=not args.no_cache,
        workers=args.jobs,
        site_url=args.site_url,
        split=_split(args),
    )
    report = up_to_date(options)
    if report is None:
        # The whole pipeline is imported only when there is work to do, with the cycle collector
        # paused as in the build: imports make many objects and no garbage (5 ms of collections).
        with collector_paused():
            from flagstone.build import build

        progress = for_terminal(args.quiet)
        try:
            report = build(options, progress or no_progress)
        finally:
            if progress:
                progress.finish()
    for warning in report.warnings:
        print(f"warning: {warning.format()}", file=sys.stderr)
    if not args.quiet:
        done = "up to date" if report.up_to_date else "built"
        print(
            f"{done}: {report.pages} page(s), {report.files} files in {out} ({report.seconds:.2f}s,"
            f" {len(report.warnings)} warning(s))",
            file=sys.stderr,
        )
    if args.verbose:
        for page in report.outputs:
            print(f"  page: {out / page}", file=sys.stderr)
        cache = state_folder(options.project) if options.use_cache else None
        print(f"  render cache: {cache or 'not used (--no-cache)'}", file=sys.stderr)
    return EXIT_OK


def _run_serve(args: argparse.Namespace) -> int:
    from flagstone.server import ServeOptions, run

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    return run(ServeOptions(args.project, args.host, args.port, args.open, args.theme, args.strict))


def _run_init(args: argparse.Namespace) -> int:
    from flagstone.commands import init
    from flagstone.commands.console import Console

    return init.run(args.folder, args.title, args.force, Console(args.quiet, args.verbose))


def _run_openapi(args: argparse.Namespace) -> int:
    from flagstone.commands import openapi
    from flagstone.commands.console import Console
    from flagstone.openapi.markdown import Options

    tabs = (
        tuple(t.strip() for t in args.language_tabs.split(",") if t.strip()) if args.language_tabs else None
    )
    if not 1 <= args.max_depth <= 50:
        raise UsageError(f"--max-depth must be a whole number from 1 to 50, got {args.max_depth}")
    reference = Options(
        language_tabs=tabs or openapi.ALL_TABS,
        code_samples=not args.no_code_samples,
        expand_body=args.expand_body,
        max_depth=args.max_depth,
        omit_header=args.omit_header,
    )
    options = openapi.OpenAPIOptions(args.spec, args.out, reference, not args.no_search, args.force)
    return openapi.run(options, Console(args.quiet, args.verbose))


def _run_check(args: argparse.Namespace) -> int:
    from flagstone.commands import check
    from flagstone.commands.console import Console

    console = Console(args.quiet, args.verbose)
    return check.run(args.project, args.theme, args.format, not args.no_cache, console, _split(args))


def _run_deploy(args: argparse.Namespace) -> int:
    from flagstone.commands import deploy
    from flagstone.commands.console import Console

    for flag, given in (
        ("--alias", args.alias),
        ("--title", args.title),
        ("--set-default", args.set_default),
    ):
        if given and args.version is None:
            raise UsageError(f"{flag} needs --version: it applies to the version being deployed")
    options = deploy.DeployOptions(
        args.project,
        args.branch,
        args.remote,
        args.message,
        not args.no_push,
        args.theme,
        args.strict,
        args.allow_dirty,
        args.version,
        tuple(args.alias),
        args.title,
        args.set_default,
        args.site_url,
    )
    console = Console(args.quiet, args.verbose)
    if args.list:
        return deploy.run_list(options, console)
    if args.delete is not None:
        return deploy.run_delete(options, args.delete, console)
    return deploy.run(options, console)


def _interrupt(signum: int, frame: object) -> None:
    # SIGTERM (CI cancelling a job) unwinds like Ctrl-C, so a half-written site is removed and the
    # previous one stays in place.
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run: Command = args.run
    if threading_is_main():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        return run(args)
    except DocumentError as error:
        for problem in error.problems:
            print(f"error: {problem.format()}", file=sys.stderr)
        print(f"build failed: {len(error.problems)} error(s)", file=sys.stderr)
        return EXIT_DOCUMENT_ERROR
    except UsageError as error:
        print(f"flagstone: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("flagstone: interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    except OSError as error:
        print(
            f"flagstone: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_DOCUMENT_ERROR
    except Exception as error:  # an internal error must still not show a traceback to the user
        if os.environ.get("FLAGSTONE_DEBUG"):
            traceback.print_exc()
        print(
            f"flagstone: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in flagstone. Please report it with the command you ran and the input that "
            "caused it; set FLAGSTONE_DEBUG=1 to print the traceback.",
            file=sys.stderr,
        )
        return EXIT_DOCUMENT_ERROR


def run() -> int:
    """The `flagstone` command as a process (`python -m flagstone`, the installed script): main(), then
    the process's own exit."""
    status = main()
    # Everything still alive is left to the exit's teardown without the cycle collector's full scans
    # of it: a small build's exit took 60 ms with them, 14 ms without (Kittn, 2 loaded cores).
    gc.freeze()
    return status
