"""Speed of a large built page in headless Chromium: interactive, tab switch, main-thread work on scroll.

usage: python3 benchmarks/page_speed.py [N ...] [--runs 3] [--site DIR]
  N endpoints (default 1000 and 5000), generated and built without cache, as one page and split at each
  h1 (measured on the file holding the middle of the reference); or --site: an already built site
  folder. Needs Debian's chromium (/usr/bin/chromium) and Playwright. Prints:

- first contentful paint, from navigation start (Chrome's paint timing);
- interactive: from navigation start to the moment the language tabs and the TOC both work (the selected
  tab is marked and the first TOC entry is active), recorded in the page by a MutationObserver;
- tab switch: from the click's input event (event.timeStamp) to the end of the next rendered frame
  (requestAnimationFrame, then a task after it), for trusted clicks on each tab at three scroll positions;
  Chrome's own Event Timing duration for the same clicks (input to next paint, 8 ms steps) beside it;
- scrolling: the whole page scrolled in 300 steps, one per frame; Long Animation Frames (over 50 ms) with
  the script time in them that comes from theme.js (the scroll spy) and the time from their style and
  layout on (the browser's rendering of the sections coming into view), and long tasks over 50 ms;
- deep link: a fresh load of `index.html#<the h2 95% down the single page>` (on a split site, through
  its anchor map to the file holding it), from the request (wall clock) to the first frame where that
  heading sits at the top of the viewport (below its scroll-margin) and stays there for 10 frames;
- JS heap: the page's used JavaScript heap once interactive (performance.memory).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from generate import generate
from headless import CHROMIUM, LAUNCH_ARGS, serving
from playwright.sync_api import sync_playwright

from flagstone.build import build
from flagstone.models import BuildOptions

VIEWPORT = {"width": 1280, "height": 800}

# Installed before the page's own scripts: notes when the tabs and the TOC start working, and times
# every click from its input event to the end of the next frame.
PROBE = """
(() => {
  const marks = (window.__speed = { tabs: null, toc: null, clicks: [], events: [] });
  new MutationObserver(() => {
    const now = performance.now();
    const tab = document.querySelector('.lang-selector a[aria-selected="true"]');
    if (marks.tabs === null && tab) marks.tabs = now;
    if (marks.toc === null && document.querySelector("#toc a.active")) marks.toc = now;
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["aria-selected", "class"] });
  addEventListener("click", (event) => {
    const start = event.timeStamp;
    requestAnimationFrame(() => setTimeout(() => marks.clicks.push(performance.now() - start), 0));
  }, true);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.name === "click") marks.events.push(entry.duration);
  }).observe({ type: "event", durationThreshold: 16 });
})();
"""
# Installed before the page's scripts of a deep-link load: the first frame from which the target
# heading stays at the top of the viewport for 10 frames in a row.
LANDING = """
(() => {
  const id = decodeURIComponent(location.hash.slice(1));
  let since = null, still = 0;
  const frame = () => {
    const target = document.getElementById(id), now = performance.now();
    const top = target ? target.getBoundingClientRect().top : Infinity;
    const margin = target ? parseFloat(getComputedStyle(target).scrollMarginTop) || 0 : 0;
    if (Math.abs(top - margin) <= 2) {
      if (since === null) since = now;
      if (++still >= 10) { window.__landed = since; return; }
    } else { since = null; still = 0; }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();
"""
_H2_ID = re.compile(r'<h2 id="([^"]+)"')


def heading_at(page_html: str, fraction: float) -> str:
    """The id of the h2 `fraction` of the way down a page."""
    ids = _H2_ID.findall(page_html)
    return ids[int(len(ids) * fraction)]


def file_holding(site: Path, heading: str) -> str:
    """The name of the split site's file that holds the heading."""
    marker = f'id="{heading}"'
    return next(p.name for p in sorted(site.glob("index*.html")) if marker in p.read_text(encoding="utf-8"))


FCP = "performance.getEntriesByName('first-contentful-paint')[0].startTime"
READY = "window.__speed && window.__speed.tabs !== null && window.__speed.toc !== null"
SCROLL = """async () => {
  const frames = [], tasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => frames.push(e)))
    .observe({ type: "long-animation-frame" });
  new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)))
    .observe({ type: "longtask" });
  const end = document.documentElement.scrollHeight - innerHeight;
  for (let step = 1; step <= 300; step++) {
    window.scrollTo(0, (end * step) / 300);
    await new Promise((done) => requestAnimationFrame(done));
  }
  await new Promise((done) => setTimeout(done, 300));
  const toc = (frame) => frame.scripts
    .filter((s) => s.sourceURL.endsWith("/theme.js"))
    .reduce((sum, s) => sum + s.duration, 0);
  const long = frames.filter((f) => f.duration > 50);
  return {
    frames: long.map((f) => f.duration),
    rendering: long.map((f) => {
      const end = f.startTime + f.duration;
      return end - (f.styleAndLayoutStart || end);
    }),
    toc: frames.map(toc),
    tasks: tasks,
  };
}"""


def measure(url: str, deep_url: str, runs: int) -> dict[str, list[float]]:
    """Every figure for the page at `url`, and the landing of `deep_url` (a #fragment URL)."""
    results: dict[str, list[float]] = {
        "interactive": [],
        "switch": [],
        "event": [],
        "long_frames": [],
        "rendering": [],
        "toc": [],
        "tasks": [],
        "fcp": [],
        "heap": [],
        "deep_link": [],
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            page.add_init_script(PROBE)
            page.goto(url, wait_until="commit")
            page.wait_for_function(READY, timeout=60_000, polling=50)
            marks: dict[str, Any] = page.evaluate("window.__speed")
            results["interactive"].append(max(marks["tabs"], marks["toc"]))
            page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length")
            results["fcp"].append(page.evaluate(FCP))
            results["heap"].append(page.evaluate("performance.memory.usedJSHeapSize") / 1e6)
            page.wait_for_timeout(500)
            clicks = 0
            for position in (0.0, 0.4, 0.8):
                page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {position})")
                page.wait_for_timeout(400)
                for name in ("python", "ruby", "javascript", "shell"):
                    page.click(f'.dark-box .lang-selector a[data-language-name="{name}"]')
                    clicks += 1
                    page.wait_for_function(f"window.__speed.clicks.length >= {clicks}", polling=20)
                    page.wait_for_timeout(150)
            marks = page.evaluate("window.__speed")
            results["switch"] += marks["clicks"]
            results["event"] += marks["events"]
            scroll: dict[str, list[float]] = page.evaluate(SCROLL)
            results["long_frames"] += scroll["frames"]
            results["rendering"] += scroll["rendering"]
            results["toc"] += scroll["toc"]
            results["tasks"] += scroll["tasks"]
            page.close()
            page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            page.add_init_script(LANDING)
            started = time.time() * 1000  # wall clock: a split page's link may go through a redirect
            page.goto(deep_url, wait_until="commit")
            page.wait_for_function("window.__landed !== undefined", timeout=60_000, polling=100)
            results["deep_link"].append(page.evaluate("performance.timeOrigin + window.__landed") - started)
            page.close()
        browser.close()
    return results


def report(title: str, results: dict[str, list[float]], runs: int) -> None:
    interactive, switch, event = results["interactive"], results["switch"], results["event"]
    frames, toc, tasks = results["long_frames"], results["toc"], results["tasks"]
    print(title)
    print(f"  first contentful paint: median {statistics.median(results['fcp']):.0f} ms")
    print(
        "  interactive (tabs and TOC working), from navigation start: "
        f"median {statistics.median(interactive):.0f} ms (runs: {', '.join(f'{t:.0f}' for t in interactive)})"
    )
    event_note = f"; Event Timing median {statistics.median(event):.0f} ms" if event else ""
    print(
        f"  tab switch, click to next frame: median {statistics.median(switch):.0f} ms, "
        f"max {max(switch):.0f} ms ({len(switch)} switches{event_note})"
    )
    print(
        f"  scrolling the page ({runs} x 300 steps): TOC script time in a frame: "
        f"longest {max(toc, default=0):.1f} ms; "
        f"frames over 50 ms: {len(frames)} (longest {max(frames, default=0):.0f} ms, "
        f"style, layout and paint in one up to {max(results['rendering'], default=0):.0f} ms); "
        f"long tasks over 50 ms: {len(tasks)} (longest {max(tasks, default=0):.0f} ms)"
    )
    landed = results["deep_link"]
    print(
        f"  deep link to a heading 95% down, landed: median {statistics.median(landed):.0f} ms "
        f"(runs: {', '.join(f'{t:.0f}' for t in landed)})"
    )
    print(f"  JS heap once interactive: median {statistics.median(results['heap']):.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, help="measure this built site instead of generating one")
    args = parser.parse_args()
    for size in [None] if args.site else args.sizes:
        for split in [None] if args.site else [None, "h1"]:
            with tempfile.TemporaryDirectory(prefix="flagstone-page-speed-") as temporary:
                site = args.site
                if site is None:
                    work = Path(temporary)
                    generate(size, work / "project")
                    site = work / "site"
                    build(BuildOptions(work / "project", site, use_cache=False, split=split))
                    single = work / "single"
                    build(BuildOptions(work / "project", single, use_cache=False))
                    single_html = (single / "index.html").read_text(encoding="utf-8")
                else:
                    single_html = (site / "index.html").read_text(encoding="utf-8")
                deep = heading_at(single_html, 0.95)
                # Split: the file holding the middle of the reference, and the old link to a late heading.
                name = file_holding(site, heading_at(single_html, 0.5)) if split else "index.html"
                page_html = (site / name).read_text(encoding="utf-8")
                with serving(site) as url:
                    base = url.removesuffix("index.html")
                    results = measure(base + name, f"{base}index.html#{deep}", args.runs)
            what = (
                f"site {args.site}"
                if args.site
                else f"{size} endpoints, {'split: h1' if split else 'single page'}"
            )
            megabytes = len(page_html.encode()) / 1e6
            title = f"{what}: {name} {megabytes:.1f} MB, {page_html.count('<section>')} sections"
            report(title, results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
