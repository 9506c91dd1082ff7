"""The render stage: every file of every page rendered once, taken from the cache or spread over cores."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from flagstone.errors import Problem
from flagstone.forked import die_with_parent
from flagstone.html_files import html_fragment, is_html_template
from flagstone.markup import highlight
from flagstone.markup.render import MarkdownRenderer
from flagstone.models import (
    Declaration,
    Fragment,
    Heading,
    PageSource,
    PartSource,
    Reference,
    RenderedPart,
    SourceText,
)
from flagstone.progress import Progress, no_progress
from flagstone.search_index import fragment_words
from flagstone.storage.store import Store

FRAGMENT = "fragment"  # the store's kind of rendered files
FRAGMENT_KINDS = (Fragment, Heading, Problem, Reference, Declaration)  # the dataclasses a fragment is made of
Done = Callable[[int, Fragment], None]  # takes a rendered file: its job's index and its fragment
# Below this much Markdown, starting worker processes costs more than it saves. Measured on the
# generated reference, 2 shared cores, median of 3-4 alternating cold builds, in-process vs pool:
# 109 KB 135 vs 150 ms, 436 KB 271 vs 327 ms, 874 KB 478 vs 521 ms; 1.7 MB 1453 vs 1186 ms.
PARALLEL_THRESHOLD_BYTES = 1024 * 1024


@dataclass(frozen=True)
class RenderJob:
    """One file to render with the settings its rendering depends on."""

    source: SourceText
    tab_keys: tuple[str, ...]
    search: bool = False  # also extract the words the search index needs
    unstyled: tuple[str, ...] = ()  # token classes its code gets no spans for

    def key(self) -> str:
        """The store's key of its fragment (the code that renders it is the store's fingerprint)."""
        digest = hashlib.sha256()
        for part in (
            self.source.display,
            str(self.source.first_line),
            "\x1f".join(self.tab_keys),
            "search" if self.search else "",
            "\x1f".join(self.unstyled),
            self.source.text,
        ):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return f"{FRAGMENT}/{digest.hexdigest()}"


@cache
def _worker_renderer() -> MarkdownRenderer:
    # One parser per process, built on first use and reused for every file it renders.
    return MarkdownRenderer()


def _render_job(job: RenderJob) -> Fragment:
    words = fragment_words if job.search else None
    if is_html_template(job.source.path.name):
        return html_fragment(job.source, words, job.unstyled)
    return _worker_renderer().render(job.source, job.tab_keys, words, job.unstyled)


def _parts(part: PartSource) -> Iterator[PartSource]:
    yield part
    for partial in part.partials:
        yield from _parts(partial)


def _start_worker(parent: int) -> None:
    """A render worker's set-up: it ends with the build (see die_with_parent), and collects cycles
    between files (the build pauses the collector in its own process only)."""
    die_with_parent(parent)
    gc.enable()


def _render_all(jobs: list[RenderJob], workers: int, progress: Progress, done: Done) -> None:
    """Render the jobs, handing each fragment to `done` with its job's index as soon as it is made:
    with workers, this process does that (the cache writes) while it would otherwise wait on them."""
    total = sum(len(job.source.text) for job in jobs)
    if workers <= 1 or len(jobs) < 2 or total < PARALLEL_THRESHOLD_BYTES:
        for index, job in enumerate(jobs):
            done(index, _render_job(job))
            progress("render", index + 1, len(jobs))
        return
    # Imported here: a rebuild that renders a file or two never starts a pool.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Largest files first, one at a time, so no core idles at the end waiting on a big straggler.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].source.text))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
    ) as pool:
        results = pool.map(_render_job, [jobs[i] for i in order], chunksize=1)
        for count, (index, fragment) in enumerate(zip(order, results, strict=True), 1):
            done(index, fragment)
            progress("render", count, len(jobs))


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


PageParts = tuple[RenderedPart, ...]  # a page's files rendered: its body, then its includes


@dataclass(frozen=True)
class RenderPlan:
    """Every file of every page as a render job, under its store key; a file shared by pages with the
    same settings is one job."""

    pages: tuple[PageSource, ...]
    jobs: dict[str, RenderJob]  # by key
    page_keys: tuple[tuple[tuple[str, ...], ...], ...]  # per page, per top-level file: its tree's keys

    def parts(self, fragments: Mapping[str, Fragment]) -> list[PageParts]:
        """Each page's files, from every job's fragment (by key)."""

        def rendered(part: PartSource, keys: Iterator[str]) -> RenderedPart:
            key = next(keys)
            return RenderedPart(fragments[key], tuple(rendered(p, keys) for p in part.partials), key)

        return [
            tuple(
                rendered(root, iter(keys))
                for root, keys in zip((page.body, *page.includes), file_keys, strict=True)
            )
            for page, file_keys in zip(self.pages, self.page_keys, strict=True)
        ]


def plan_render(pages: list[PageSource], unstyled: Mapping[str, tuple[str, ...]] | None = None) -> RenderPlan:
    """The render jobs of every page's files. `unstyled`: for a highlight style, the token classes its
    pages' code gets no spans for."""
    jobs: dict[str, RenderJob] = {}
    page_keys = []
    for page in pages:
        settings = page.settings
        plain = (unstyled or {}).get(settings.highlight_theme, ())
        file_keys = []
        for root in (page.body, *page.includes):
            keys = []
            for part in _parts(root):
                job = RenderJob(part.source, settings.tab_keys, settings.search, plain)
                keys.append(key := job.key())
                jobs.setdefault(key, job)
            file_keys.append(tuple(keys))
        page_keys.append(tuple(file_keys))
    return RenderPlan(tuple(pages), jobs, tuple(page_keys))


def render_files(
    plan: RenderPlan, store: Store, workers: int, progress: Progress = no_progress
) -> list[PageParts]:
    """Every job of the plan taken from the store, or rendered (and put there); each page's files in
    page order."""
    fragments: dict[str, Fragment] = {}
    missing = []
    for key in plan.jobs:
        stored = store.get(key, FRAGMENT_KINDS)
        if isinstance(stored, Fragment) and type(stored.pieces) is tuple:
            fragments[key] = stored
        else:
            missing.append(key)
    if missing:
        _render(plan, missing, store, workers, progress, fragments)
    return plan.parts(fragments)


def _render(
    plan: RenderPlan,
    keys: list[str],
    store: Store,
    workers: int,
    progress: Progress,
    fragments: dict[str, Fragment],
) -> None:
    """Render the jobs of `keys` into `fragments` and the store."""
    # A changed file mostly keeps its code blocks: its earlier version's highlighting is reused (set
    # before the workers fork, so they inherit it), and Pygments runs only on new code.
    stale = [f for f in store.unused(FRAGMENT, FRAGMENT_KINDS) if isinstance(f, Fragment)]
    highlight.remember((fragment.html, fragment.unstyled) for fragment in stale)

    def keep(index: int, fragment: Fragment) -> None:
        fragments[keys[index]] = fragment
        store.put(keys[index], fragment)

    try:
        _render_all([plan.jobs[key] for key in keys], workers, progress, keep)
    finally:
        highlight.forget()
