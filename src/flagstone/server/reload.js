// flagstone serve: reloads the page after each good build, keeping its place and language tab; applies
// stylesheet-only changes without a reload; shows a failed build's errors over the page. Served only by
// `flagstone serve` (injected into the HTML it serves), never written into a built site.
(() => {
  "use strict";
  const config = window.__flagstoneLive;
  if (!config) return;
  const PLACE = "flagstone-serve-place";
  const OVERLAY = "flagstone-overlay";
  let mine = { instance: config.instance, generation: config.generation, html: config.html, css: config.css };

  // ---- the reader's place: saved just before a reload, restored just after ---------------------
  function headings() {
    return [...document.querySelectorAll("h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]")];
  }

  function selectedLanguage() {
    const tab = document.querySelector('.lang-selector a[aria-selected="true"]');
    return tab ? tab.dataset.languageName : null;
  }

  function savePlace() {
    const list = headings();
    // the last heading at or above the reading line, by binary search (a long page has thousands)
    let index = -1;
    for (let low = 0, high = list.length - 1; low <= high;) {
      const mid = (low + high) >> 1;
      if (list[mid].getBoundingClientRect().top <= 40) { index = mid; low = mid + 1; } else { high = mid - 1; }
    }
    const anchor = index >= 0 ? list[index] : null;
    try {
      sessionStorage.setItem(PLACE, JSON.stringify({
        path: location.pathname, x: scrollX, y: scrollY, index,
        id: anchor ? anchor.id : null,
        offset: anchor ? anchor.getBoundingClientRect().top : 0,
        language: selectedLanguage(),
      }));
    } catch (_) { /* without storage the browser's own scroll restoration is all there is */ }
  }

  function takePlace() {
    try {
      const place = JSON.parse(sessionStorage.getItem(PLACE) || "null");
      sessionStorage.removeItem(PLACE);
      return place && place.path === location.pathname ? place : null;
    } catch (_) {
      return null;
    }
  }

  function restorePlace(place) {
    if (place.language && selectedLanguage() !== place.language) {
      const tab = document.querySelector(`.lang-selector a[data-language-name="${CSS.escape(place.language)}"]`);
      // the theme's own switch (it stores the choice and updates the URL); without the theme's
      // handler (role="tab" shows it is set up) the click would be a second navigation
      if (tab && tab.getAttribute("role") === "tab") tab.click();
    }
    // The same heading at the same height; a renamed heading is found by its position in the page.
    const list = headings();
    let anchor = place.id ? document.getElementById(place.id) : null;
    if (!anchor && place.index >= 0 && place.index < list.length) anchor = list[place.index];
    if (!anchor) {
      window.scrollTo(place.x, place.y);
      return;
    }
    const correct = () => {
      const off = anchor.getBoundingClientRect().top - place.offset;
      if (Math.abs(off) >= 1) window.scrollTo(place.x, scrollY + off);
      return Math.abs(off) < 1;
    };
    correct();
    // Blocks rendered lazily (content-visibility) take their real height once near the screen, which
    // moves the anchor: correct frame by frame until it stays put, unless the reader scrolls first.
    let stopped = false;
    const stop = () => { stopped = true; };
    for (const type of ["wheel", "touchstart", "keydown", "mousedown"]) {
      addEventListener(type, stop, { once: true, passive: true });
    }
    let steady = 0;
    let frames = 0;
    const step = () => {
      if (stopped) return;
      steady = correct() ? steady + 1 : 0;
      if (steady < 3 && ++frames < 120) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  function reload() {
    savePlace();
    try { history.scrollRestoration = "manual"; } catch (_) { /* restored by hand below either way */ }
    location.reload();
  }

  const place = takePlace();
  if (place) {
    restorePlace(place);
    // once more when images and fonts have moved things; then scrolling is the browser's job again
    addEventListener("load", () => {
      restorePlace(place);
      try { history.scrollRestoration = "auto"; } catch (_) { /* nothing to undo */ }
    }, { once: true });
  }

  // ---- stylesheets swapped in place --------------------------------------------------------------
  function refreshStylesheets(digest) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("flagstone", digest);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => fresh.remove(), { once: true });
      link.after(fresh); // the old sheet goes once the new one applies: no unstyled flash
    }
  }

  // ---- the error overlay -------------------------------------------------------------------------
  function showErrors(lines) {
    let box = document.getElementById(OVERLAY);
    if (!lines || !lines.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = OVERLAY;
      box.setAttribute("role", "alert");
      box.style.cssText = "all:initial;position:fixed;z-index:2147483647;left:0;right:0;top:0;" +
        "max-height:60vh;overflow:auto;box-sizing:border-box;padding:16px 20px;background:#2b0d0d;" +
        "color:#fff;border-bottom:4px solid #e5484d;box-shadow:0 4px 24px rgba(0,0,0,.4);" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;";
      document.body.appendChild(box);
    }
    const title = document.createElement("div");
    title.style.cssText = "font-weight:bold;margin-bottom:8px;color:#ff9592;";
    title.textContent = "flagstone: the build failed. This page still shows the last good version.";
    const text = document.createElement("pre");
    text.className = "flagstone-errors";
    text.style.cssText = "margin:0;white-space:pre-wrap;color:#fff;font:inherit;";
    text.textContent = lines.join("\n");
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Hide until the next build");
    close.style.cssText = "position:absolute;top:8px;right:12px;background:none;border:0;color:#fff;" +
      "font:20px/1 sans-serif;cursor:pointer;";
    close.addEventListener("click", () => box.remove());
    box.replaceChildren(title, text, close);
  }

  // ---- news from the server ----------------------------------------------------------------------
  function handle(state) {
    if (!state || (state.instance === mine.instance && state.generation <= mine.generation)) return;
    showErrors(state.error);
    if (state.html !== mine.html) {
      reload();
      return;
    }
    if (state.css !== mine.css) refreshStylesheets(state.css);
    mine = { instance: state.instance, generation: state.generation, html: state.html, css: state.css };
  }

  // One long poll for all open pages of the site through a shared worker: a browser opens at most six
  // connections to a host, so six polling pages would otherwise starve every other request.
  function connectShared() {
    if (typeof SharedWorker !== "function") return false;
    try {
      const worker = new SharedWorker("/__flagstone/reload-worker.js", { name: "flagstone-livereload" });
      worker.port.onmessage = (event) => handle(event.data);
      worker.port.start();
      worker.port.postMessage({ instance: mine.instance, generation: mine.generation });
      addEventListener("pagehide", () => worker.port.postMessage("bye"));
      return true;
    } catch (_) {
      return false;
    }
  }

  async function pollAlone() {
    for (;;) {
      try {
        const query = `since=${mine.generation}&instance=${encodeURIComponent(mine.instance)}`;
        const response = await fetch(`/__flagstone/livereload?${query}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`status ${response.status}`);
        const state = await response.json();
        handle(state);
        if (state.instance !== mine.instance) mine.instance = state.instance;
        mine.generation = Math.max(mine.generation, state.generation);
      } catch (_) {
        await new Promise((resolve) => setTimeout(resolve, 1000)); // the server is restarting or gone
      }
    }
  }

  showErrors(config.error);
  if (!connectShared()) pollAlone();
})();
