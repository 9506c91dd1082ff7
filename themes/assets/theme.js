// flagstone default theme: language tabs, table of contents that follows the reader, copy buttons,
// navigation drawer and dark mode, in plain JavaScript (works from file:// and under any sub-path).
(() => {
  "use strict";
  const body = document.body;
  const languages = JSON.parse(body.dataset.languages || "[]");
  const baseTitle = document.title;
  const langStyle = document.createElement("style");
  document.head.appendChild(langStyle);
  let current = null;

  // ---- language tabs -------------------------------------------------------------------------
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
      return null; // storage can be unavailable (privacy modes); the first tab is then used
    }
  }

  // Hiding is one class-selector rule per other language, swapped in one go: a switch is one restyle.
  function applyLanguage(language) {
    langStyle.textContent = languages.filter((l) => l !== language).map((l) => {
      const c = CSS.escape(l);
      return `.content div.highlight.tab-${c}, .content .lang-specific.${c} { display: none !important; }`;
    }).join("\n");
    for (const tab of document.querySelectorAll(".lang-selector a[data-language-name]")) {
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
    if (push) history.pushState({ language }, "", `?${encodeURIComponent(language)}${location.hash}`);
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
    onScroll();
  }

  function setupTabs() {
    if (!languages.length) return;
    // Tab semantics are added here, where they become true: without script the links simply reload.
    for (const list of document.querySelectorAll(".lang-selector")) {
      list.setAttribute("role", "tablist");
      list.setAttribute("aria-label", "Code language");
    }
    for (const tab of document.querySelectorAll(".lang-selector a[data-language-name]")) {
      tab.setAttribute("role", "tab");
      tab.addEventListener("click", (event) => {
        event.preventDefault();
        switchLanguage(tab.dataset.languageName, true);
      });
      tab.addEventListener("keydown", (event) => {
        const tabs = [...tab.parentElement.querySelectorAll("a[data-language-name]")];
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        let next = null;
        if (step) next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
        if (event.key === "Home") next = tabs[0];
        if (event.key === "End") next = tabs[tabs.length - 1];
        if (!next) return;
        event.preventDefault();
        next.focus();
        switchLanguage(next.dataset.languageName, true);
      });
    }
    applyLanguage(languageFromUrl() || storedLanguage() || languages[0]);
    window.addEventListener("popstate", () => switchLanguage(languageFromUrl() || languages[0], false));
  }

  // ---- table of contents ---------------------------------------------------------------------
  const linked = [...document.querySelectorAll("#toc .toc-link")]
    .map((link) => [link, document.getElementById(decodeURIComponent(link.hash.slice(1)))])
    .filter(([, target]) => target);
  const tocLinks = linked.map(([link]) => link);
  const targets = linked.map(([, target]) => target);
  let activeIndex = -1;
  let ticking = false;

  // The last heading at or above the reading line: a binary search reading live positions (a dozen
  // reads a frame), which stays right while off-screen blocks render late (content-visibility).
  function indexAt(line) {
    let low = 0, high = targets.length - 1, found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (targets[mid].getBoundingClientRect().top <= line) { found = mid; low = mid + 1; } else { high = mid - 1; }
    }
    return found;
  }

  function visibleHeading() {
    const index = indexAt(40);
    return index >= 0 ? targets[index] : null;
  }

  // A deep link to an element the TOC does not list (an h3 under a level-2 TOC, any id) stays in
  // the address bar while the reader is in the section that holds it.
  function insideSection(hash, index) {
    const element = hash && document.getElementById(hash);
    if (!element) return false;
    const top = element.getBoundingClientRect().top;
    const next = targets[index + 1];
    return top >= targets[index].getBoundingClientRect().top && (!next || top < next.getBoundingClientRect().top);
  }

  function activate(index) {
    if (index === activeIndex) return;
    if (activeIndex >= 0) tocLinks[activeIndex].classList.remove("active");
    for (const open of document.querySelectorAll("#toc li.open")) open.classList.remove("open");
    activeIndex = index;
    if (index < 0) return;
    const link = tocLinks[index];
    link.classList.add("active");
    for (let li = link.closest("li"); li; li = li.parentElement.closest("li")) li.classList.add("open");
    const id = targets[index].id;
    const hash = decodeURIComponent(location.hash.slice(1));
    if (hash !== id && !insideSection(hash, index)) {
      history.replaceState(history.state, "", `${location.search}#${encodeURIComponent(id)}`);
    }
    document.title = `${link.dataset.title ? targets[index].textContent.trim() : ""} – ${baseTitle}`;
  }

  function onScroll() {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(() => {
      ticking = false;
      activate(indexAt(40));
    });
  }

  // ---- navigation drawer, copy buttons, dark mode --------------------------------------------
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
    for (const link of tocLinks) link.addEventListener("click", () => toggle(false));
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

  // ---- landing on a #fragment ----------------------------------------------------------------
  // Blocks off screen get their real size late (content-visibility), which can move a #fragment's
  // target after the jump: it is put back for a few frames, until the reader takes over.
  const landingHash = location.hash; // read before the scroll spy rewrites it
  let settling = 0;
  function settleOnHash(hash) {
    const target = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) return;
    const token = ++settling;
    target.scrollIntoView();
    const wanted = target.getBoundingClientRect().top;
    let frames = 0;
    const check = () => {
      if (token !== settling) return;
      if (Math.abs(target.getBoundingClientRect().top - wanted) > 1) target.scrollIntoView();
      if (++frames < 20) requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }
  for (const type of ["wheel", "touchstart", "mousedown", "keydown"]) {
    window.addEventListener(type, () => { settling++; }, { passive: true, capture: true });
  }
  window.addEventListener("hashchange", () => settleOnHash(location.hash));
  window.addEventListener("load", () => settleOnHash(landingHash));

  // An <aside> is a landmark to assistive technology; Slate's asides are callouts in the text.
  for (const aside of document.querySelectorAll(".content aside")) aside.setAttribute("role", "note");
  setupTabs();
  setupNav();
  setupCopy();
  setupDarkToggle();
  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", onScroll);
  window.addEventListener("load", onScroll);
  onScroll();
})();
