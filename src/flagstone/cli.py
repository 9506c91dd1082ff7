"""The `flagstone` command line: parses arguments, runs a command, maps failures to exit statuses."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from flagstone import __version__
from flagstone.errors import DocumentError, UsageError
from flagstone.incremental import up_to_date
from flagstone.models import BuildOptions
from flagstone.progress import for_terminal, no_progress

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
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--theme", type=Path, help="a theme folder overriding the default theme file by file")
    parser.add_argument(
        "--no-cache", action="store_true", help="render everything afresh and leave the cache alone"
    )
    parser.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flagstone",
        description="Build Slate-format API documentation into a static site.",
        epilog="examples:\n  flagstone build\n  flagstone build path/to/project -o public --strict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"flagstone {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_build(commands)
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
    )
    report = up_to_date(options)
    if report is None:
        from flagstone.build import build  # the whole pipeline is imported only when there is work to do

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
    return EXIT_OK


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
