// flagstone theme: tabs, TOC, copy buttons, nav drawer, dark mode; plain JS (file://, any sub-path).
(() => {
  "use strict";
  const body = document.body;
  const languages = JSON.parse(body.dataset.languages || "[]");
  const baseTitle = document.title;
  let current = null;

  // ---- language tabs
  function languageFromUrl() {
    const params = new URLSearchParams(location.search);
    const named = params.get("language");
    if (named && languages.includes(named)) return named;
    const bare = decodeURIComponent(location.search.slice(1));
    return languages.includes(bare) ? bare : null;
  }

  function storedLanguage() {
    try {
      const saved = localStorage.getItem("language");
      return languages.includes(saved) ? saved : null;
    } catch (_) {
      return null; // no storage (privacy modes): the first tab
    }
  }

  // A switch sets body[data-language]: two languages' blocks restyle.
  const hide = languages.map((l) => {
    const not = `body:not([data-language="${CSS.escape(l)}"]) .content`, c = CSS.escape(l);
    return `${not} div.highlight.tab-${c}, ${not} .lang-specific.${c} { display: none !important; }`;
  }).join("\n");
  if (hide) document.head.appendChild(document.createElement("style")).textContent = hide;

  let tabs = []; // found once: searching a big page is slow

  function applyLanguage(language) {
    body.dataset.language = language;
    for (const tab of tabs) {
      const selected = tab.dataset.languageName === language;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    current = language;
  }

  function switchLanguage(language, push) {
    if (!languages.includes(language) || language === current) return;
    const anchor = visibleHeading();
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    applyLanguage(language);
    try { localStorage.setItem("language", language); } catch (_) { /* see storedLanguage */ }
    // URL updates are slow on big pages: after the switch shows.
    if (push) {
      requestAnimationFrame(() => setTimeout(() => {
        history.pushState({ language }, "", `?${encodeURIComponent(language)}${location.hash}`);
      }, 0));
    }
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
  }

  function setupTabs() {
    if (!languages.length) return;
    tabs = [...document.querySelectorAll(".lang-selector a[data-language-name]")];
    // Tab semantics come with the script (without it the links reload).
    for (const list of document.querySelectorAll(".lang-selector")) {
      list.setAttribute("role", "tablist");
      list.setAttribute("aria-label", "Code language");
    }
    for (const tab of tabs) {
      tab.setAttribute("role", "tab");
      tab.addEventListener("click", (event) => {
        event.preventDefault();
        switchLanguage(tab.dataset.languageName, true);
      });
      tab.addEventListener("keydown", (event) => {
        const row = [...tab.parentElement.querySelectorAll("a[data-language-name]")];
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        let next = null;
        if (step) next = row[(row.indexOf(tab) + step + row.length) % row.length];
        if (event.key === "Home") next = row[0];
        if (event.key === "End") next = row[row.length - 1];
        if (!next) return;
        event.preventDefault();
        next.focus();
        switchLanguage(next.dataset.languageName, true);
      });
    }
    applyLanguage(languageFromUrl() || storedLanguage() || languages[0]);
    window.addEventListener("popstate", () => switchLanguage(languageFromUrl() || languages[0], false));
  }

  // ---- table of contents
  // Targets: once the content is in (before: the #fragment's entry, or the first, is marked).
  const toc = document.getElementById("toc");
  let tocLinks = [], targets = [];
  const firstOf = []; // each target's section's first target
  let activeIndex = -1;

  function mark(link) {
    link.classList.add("active");
    for (let li = link.closest("li"); li; li = li.parentElement.closest("li")) li.classList.add("open");
  }

  function visibleHeading() {
    return activeIndex >= 0 ? targets[activeIndex] : null;
  }

  // A deep link to an id the TOC does not list stays while the reader is in its section.
  function insideSection(hash, index) {
    const element = hash && document.getElementById(hash);
    if (!element) return false;
    const top = element.getBoundingClientRect().top;
    const next = targets[index + 1];
    return top >= targets[index].getBoundingClientRect().top && (!next || top < next.getBoundingClientRect().top);
  }

  let urlTimer = 0;
  function activate(index) {
    if (index === activeIndex) return;
    toc.querySelector(".toc-link.active")?.classList.remove("active");
    for (const open of toc.querySelectorAll("li.open")) open.classList.remove("open");
    activeIndex = index;
    clearTimeout(urlTimer);
    if (index < 0) return;
    const link = tocLinks[index];
    mark(link);
    document.title = `${link.dataset.title ? targets[index].textContent.trim() : ""} – ${baseTitle}`;
    // The URL waits for a pause (an update costs ms on big pages).
    urlTimer = setTimeout(() => {
      const id = targets[index].id, hash = decodeURIComponent(location.hash.slice(1));
      // The landing link stays until the reader moves.
      if (hash !== id && !insideSection(hash, index) && (moved || `#${hash}` !== landingHash)) {
        history.replaceState(history.state, "", `${location.search}#${encodeURIComponent(id)}`);
      }
    }, 150);
  }

  // An IntersectionObserver flags the sections above the reading line; only the last one's headings
  // are measured.
  const readingLine = 40;
  const slot = new Map();
  let above = new Uint8Array(0);
  let section = -1, spy; // section: first target of the last section above the line

  function spied() {
    const next = (i) => { do i++; while (i < targets.length && firstOf[i] !== i); return i; };
    while (section >= 0 && !above[section]) section = section ? firstOf[section - 1] : -1;
    for (let j = next(section); j < targets.length && above[j]; j = next(j)) section = j;
    let index = section;
    for (let j = section + 1; section >= 0 && firstOf[j] === section; j++) {
      if (targets[j].getBoundingClientRect().top >= readingLine) break;
      index = j;
    }
    return index;
  }

  function observe() {
    if (!targets.length) return;
    if (spy) spy.disconnect();
    spy = new IntersectionObserver((entries) => {
      for (const entry of entries) above[slot.get(entry.target)] = entry.isIntersecting;
      activate(spied());
    }, { rootMargin: `30000000px 0px ${readingLine - innerHeight}px 0px` });
    slot.forEach((_, element) => spy.observe(element));
  }

  // In that section, the active heading follows the scroll (measured once a frame).
  let spyFrame = 0;
  window.addEventListener("scroll", () => {
    if (spyFrame || section < 0 || firstOf[section + 1] !== section) return;
    spyFrame = requestAnimationFrame(() => { spyFrame = 0; activate(spied()); });
  }, { passive: true });

  // ---- navigation drawer, copy buttons, dark mode
  function setupNav() {
    const button = document.getElementById("nav-button");
    if (!button) return;
    const toggle = (open) => {
      body.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", String(open));
    };
    button.addEventListener("click", (event) => {
      event.preventDefault();
      toggle(!body.classList.contains("nav-open"));
    });
    if (toc) toc.addEventListener("click", (event) => { if (event.target.closest(".toc-link")) toggle(false); });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  }

  function setupCopy() {
    if (body.dataset.codeClipboard !== "true") return;
    for (const block of document.querySelectorAll(".content div.highlight")) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy-clipboard";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy code to clipboard");
      button.addEventListener("click", () => {
        copyText(block.querySelector("code").textContent).then(() => {
          button.textContent = "Copied";
          setTimeout(() => { button.textContent = "Copy"; }, 1500);
        });
      });
      block.appendChild(button);
    }
  }

  function setupDarkToggle() {
    const button = document.querySelector(".theme-toggle");
    if (!button) return;
    const root = document.documentElement;
    const isDark = () => root.dataset.theme === "dark" ||
      (!root.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);
    const label = () => { button.setAttribute("aria-pressed", String(isDark())); };
    label();
    button.addEventListener("click", () => {
      root.dataset.theme = isDark() ? "light" : "dark";
      try { localStorage.setItem("flagstone-theme", root.dataset.theme); } catch (_) { /* not remembered */ }
      label();
    });
  }

  // ---- landing on a #fragment
  // Off-screen blocks get their size late (content-visibility), moving a #fragment's target: it is
  // put back for a few frames, until the reader takes over.
  const landingHash = location.hash; // read before the scroll spy rewrites it
  let settling = 0, moved = false;
  function settleOnHash(hash) {
    const target = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    const token = ++settling;
    target.scrollIntoView();
    const wanted = parseFloat(getComputedStyle(target).scrollMarginTop) || 0;
    let frames = 0;
    const check = () => {
      if (token !== settling) return;
      if (Math.abs(target.getBoundingClientRect().top - wanted) > 1) target.scrollIntoView();
      if (++frames < 20) requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
    return true;
  }
  for (const type of ["wheel", "touchstart", "mousedown", "keydown"]) {
    window.addEventListener(type, () => { settling++; moved = true; }, { passive: true, capture: true });
  }
  window.addEventListener("hashchange", () => settleOnHash(location.hash));
  window.addEventListener("load", () => settleOnHash(landingHash));

  function setupContent() {
    const linked = [...document.querySelectorAll("#toc .toc-link")]
      .map((link) => [link, document.getElementById(decodeURIComponent(link.hash.slice(1)))])
      .filter(([, target]) => target);
    tocLinks = linked.map(([link]) => link);
    targets = linked.map(([, target]) => target);
    const holders = targets.map((target) => target.closest(".content > *") || target);
    holders.forEach((holder, i) => {
      firstOf.push(i && holders[i - 1] === holder ? firstOf[i - 1] : i);
      if (firstOf[i] === i) slot.set(holder, i);
    });
    above = new Uint8Array(targets.length);
    // Slate's asides are callouts in the text, not landmarks.
    for (const aside of document.querySelectorAll(".content aside")) aside.setAttribute("role", "note");
    setupCopy();
    window.addEventListener("resize", observe);
    observe();
    if (landingHash && !settling) settleOnHash(landingHash);
  }

  setupTabs();
  setupNav();
  setupDarkToggle();
  if (document.readyState !== "loading") setupContent();
  else {
    const link = toc && (toc.querySelector(`a[href="${CSS.escape(location.hash)}"]`) || toc.querySelector("a"));
    if (link) mark(link);
    // A big page takes seconds: its #fragment shows once parsed, before the setup.
    const wait = () => settleOnHash(landingHash) || document.readyState !== "loading" || requestAnimationFrame(wait);
    if (landingHash) wait();
    document.addEventListener("DOMContentLoaded", () => requestAnimationFrame(() => setTimeout(setupContent)));
  }
})();
