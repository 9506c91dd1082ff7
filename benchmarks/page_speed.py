"""Speed of a large built page in headless Chromium: time to interactive, tab switch, long tasks on scroll.

usage: python3 benchmarks/page_speed.py [N]   (N endpoints, default 1000; needs Debian's chromium, Playwright)
"""

from __future__ import annotations

import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from generate import generate
from playwright.sync_api import sync_playwright

from flagstone.build import build
from flagstone.models import BuildOptions

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
READY = "document.querySelector('.lang-selector a[aria-selected=\"true\"]') !== null"
TAB_SWITCH = """async (name) => {
  const start = performance.now();
  document.querySelector(`.dark-box .lang-selector a[data-language-name="${name}"]`).click();
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return performance.now() - start;
}"""
SCROLL_LONG_TASKS = """async () => {
  const tasks = [];
  new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)))
    .observe({ type: "longtask", buffered: false });
  const end = document.body.scrollHeight;
  for (let y = 0; y < end; y += Math.max(400, end / 300)) {
    window.scrollTo(0, y);
    await new Promise((done) => requestAnimationFrame(done));
  }
  await new Promise((done) => setTimeout(done, 200));
  return tasks;
}"""


def main() -> int:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(prefix="flagstone-page-speed-") as temporary:
        work = Path(temporary)
        generate(size, work / "project")
        build(BuildOptions(work / "project", work / "site", use_cache=False))
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(work / "site"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        handler.log_message = lambda *args: None  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        html_bytes = (work / "site" / "index.html").stat().st_size
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
            interactive, switches, long_tasks = [], [], []
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(url, wait_until="commit")
                page.wait_for_function(READY, timeout=30_000)
                interactive.append(page.evaluate("performance.now()"))
                for name in ("python", "ruby", "javascript", "shell"):
                    switches.append(page.evaluate(TAB_SWITCH, name))
                long_tasks.extend(page.evaluate(SCROLL_LONG_TASKS))
                page.close()
            browser.close()
        server.shutdown()
    print(f"{size} endpoints, page HTML {html_bytes / 1e6:.1f} MB")
    print(
        f"  navigation to interactive (tabs and TOC working): median {statistics.median(interactive):.0f} ms"
    )
    print(f"  tab switch: median {statistics.median(switches):.1f} ms, max {max(switches):.1f} ms")
    worst = max(long_tasks) if long_tasks else 0.0
    print(
        f"  scrolling the whole page: {len(long_tasks)} main-thread tasks over 50 ms (longest {worst:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
