"""The render stage: every file of every page rendered once, taken from the cache or spread over cores."""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from flagstone.cache import FragmentCache, renderer_fingerprint
from flagstone.forked import die_with_parent
from flagstone.html_files import html_fragment, is_html_template
from flagstone.markup import highlight
from flagstone.markup.render import MarkdownRenderer
from flagstone.models import Fragment, PageSource, PartSource, RenderedPart, SourceText
from flagstone.progress import Progress, no_progress
from flagstone.search_index import fragment_words

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

    def key(self, fingerprint: str) -> str:
        digest = hashlib.sha256(fingerprint.encode())
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
        return digest.hexdigest()


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
    """Every file of every page as a render job, keyed by everything its rendering depends on; a file
    shared by pages with the same settings is one job."""

    pages: tuple[PageSource, ...]
    jobs: dict[str, RenderJob]  # by key
    key_of: dict[int, str]  # id(part) -> its job's key; the parts live as long as `pages`
    fingerprint: str  # of the renderer, in every key

    def uncached(self, fragment_cache: FragmentCache | None) -> list[str]:
        """The keys of the jobs the cache does not hold."""
        return [key for key in self.jobs if fragment_cache is None or not fragment_cache.has(key)]

    def parts(self, fragments: Mapping[str, Fragment]) -> list[PageParts]:
        """Each page's files, from every job's fragment (by key)."""

        def rendered(part: PartSource) -> RenderedPart:
            return RenderedPart(fragments[self.key_of[id(part)]], tuple(rendered(p) for p in part.partials))

        return [(rendered(page.body), *map(rendered, page.includes)) for page in self.pages]


def plan_render(pages: list[PageSource], unstyled: Mapping[str, tuple[str, ...]] | None = None) -> RenderPlan:
    """The render jobs of every page's files. `unstyled`: for a highlight style, the token classes its
    pages' code gets no spans for."""
    fingerprint = renderer_fingerprint()
    jobs: dict[str, RenderJob] = {}
    key_of: dict[int, str] = {}
    for page in pages:
        settings = page.settings
        plain = (unstyled or {}).get(settings.highlight_theme, ())
        for root in (page.body, *page.includes):
            for part in _parts(root):
                job = RenderJob(part.source, settings.tab_keys, settings.search, plain)
                key_of[id(part)] = key = job.key(fingerprint)
                jobs.setdefault(key, job)
    return RenderPlan(tuple(pages), jobs, key_of, fingerprint)


def render_files(
    plan: RenderPlan,
    fragment_cache: FragmentCache | None,
    workers: int,
    progress: Progress = no_progress,
    rendered: Callable[[], None] | None = None,
) -> list[PageParts]:
    """Every job of the plan rendered, or taken from the cache; each page's files in page order.
    `rendered` is called once the files the cache lacked are rendered and put in it, before the others
    are read from it (see render_beside)."""
    fragments: dict[str, Fragment] = {}
    _render(plan, plan.uncached(fragment_cache), fragment_cache, workers, progress, fragments)
    if rendered is not None:
        rendered()
    damaged = _read_cached(plan, fragment_cache, fragments)
    _render(plan, damaged, fragment_cache, workers, progress, fragments)
    if fragment_cache:
        fragment_cache.prune(set(plan.jobs), plan.fingerprint)
    return plan.parts(fragments)


def render_beside(
    plan: RenderPlan, reader: FragmentCache | None, uncached: list[str], rendered: Callable[[], None]
) -> list[PageParts]:
    """The plan's files in a process beside one that runs render_files: this one reads what the cache
    holds meanwhile, and the `uncached` files once `rendered` returns (the other has put them in the
    cache by then). What it still cannot read, it renders."""
    fragments: dict[str, Fragment] = {}
    _read_cached(plan, reader, fragments, skip=set(uncached))
    rendered()
    _render(plan, _read_cached(plan, reader, fragments), reader, 1, no_progress, fragments)
    return plan.parts(fragments)


def _read_cached(
    plan: RenderPlan,
    fragment_cache: FragmentCache | None,
    fragments: dict[str, Fragment],
    skip: set[str] | None = None,
) -> list[str]:
    """Read into `fragments` the jobs' fragments the cache holds, but `skip`; the keys of the others."""
    missing: list[str] = []
    for key in plan.jobs:
        if key in fragments or (skip and key in skip):
            continue
        cached = fragment_cache.get(key) if fragment_cache else None
        if cached is None:
            missing.append(key)
        else:
            fragments[key] = cached
    return missing


def _render(
    plan: RenderPlan,
    keys: list[str],
    fragment_cache: FragmentCache | None,
    workers: int,
    progress: Progress,
    fragments: dict[str, Fragment],
) -> None:
    """Render the jobs of `keys` into `fragments` and the cache."""
    if not keys:
        return
    if fragment_cache:
        # A changed file mostly keeps its code blocks: its earlier version's highlighting is reused
        # (set before the workers fork, so they inherit it), and Pygments runs only on new code.
        stale = fragment_cache.stale(set(plan.jobs), plan.fingerprint)
        highlight.remember((fragment.html, fragment.unstyled) for fragment in stale)

    def keep(index: int, fragment: Fragment) -> None:
        fragments[keys[index]] = fragment
        if fragment_cache:
            fragment_cache.put(keys[index], fragment)

    try:
        _render_all([plan.jobs[key] for key in keys], workers, progress, keep)
    finally:
        highlight.forget()
