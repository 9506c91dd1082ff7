// flagstone default theme: search over the build-time index of h1-h3 sections, loaded on first use.
(() => {
  "use strict";
  const input = document.getElementById("input-search");
  const list = document.getElementById("search-results");
  if (!input || !list) return;
  const status = document.getElementById("search-status");
  const thisPage = document.body.dataset.page || "";
  const HIGHLIGHT_KEY = "flagstone-search-highlight";

  // ---- words, normalized and split exactly as flagstone/search_index.py does ----
  const CJK = "\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff";
  const CJK_RUN = new RegExp(`[${CJK}]+|[^${CJK}]+`, "g");
  const IS_CJK = new RegExp(`[${CJK}]`);
  const ASCII = /^[\x00-\x7f]*$/;
  const normalize = (text) => ASCII.test(text) ? text.toLowerCase()
    : text.normalize("NFKD").replace(/\p{M}+/gu, "").normalize("NFC").toLowerCase();

  function words(text) {
    const out = [];
    for (const word of normalize(text).match(/[\p{L}\p{N}]+/gu) || []) {
      for (const run of ASCII.test(word) ? [word] : word.match(CJK_RUN)) {
        if (!IS_CJK.test(run[0]) || run.length === 1) out.push(run);
        else for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
      }
    }
    return out;
  }

  // ---- the index ----
  let index = null;
  let loading = null;
  const load = () => loading || (loading = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = input.dataset.index;
    script.onload = () => { index = prepare(window.flagstoneSearchIndex); resolve(); };
    script.onerror = () => reject(new Error(`${input.dataset.index} could not be loaded`));
    document.head.append(script);
  }));

  function prepare(data) {
    const sections = data.sections;
    const parents = new Int32Array(sections.length).fill(-1);
    let open = [];
    sections.forEach(([page, , , level], s) => {
      if (s === 0 || sections[s - 1][0] !== page) open = [];
      for (let l = level - 1; l >= 1; l--) if (open[l] >= 0) { parents[s] = open[l]; break; }
      open = open.slice(0, level);
      open[level] = s;
    });
    // Score arrays made once: per-keystroke garbage is slow to collect on huge pages.
    return {
      pages: data.pages, sections, parents, vocabulary: data.words.split(" "), ...decoded(data.postings),
      near: new Map(), best: new Float64Array(sections.length), total: new Float64Array(sections.length),
    };
  }

  // All postings decoded at once (word w's: postings[starts[w]..starts[w + 1]], 2 * section + 1 if in
  // the title): by character code, ten times faster than split + parseInt.
  function decoded(text) {
    const postings = new Int32Array((text.length >> 1) + 1), starts = [0];
    let count = 0, value = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 44 || code === 32) {
        postings[count++] = value;
        value = 0;
        if (code === 32) starts.push(count);
      } else value = value * 36 + (code <= 57 ? code - 48 : code - 87);
    }
    postings[count++] = value;
    starts.push(count);
    return { postings, starts: Int32Array.from(starts) };
  }

  // One edit (a letter changed, added, dropped, or two swapped) from a prefix of `word`?
  function nearPrefix(token, word) {
    let i = 0;
    while (i < token.length && i < word.length && token[i] === word[i]) i++;
    if (i === token.length) return true;
    if (i === word.length) return token.length - word.length === 1;
    return word.startsWith(token.slice(i + 1), i + 1) || word.startsWith(token.slice(i), i + 1) ||
      word.startsWith(token.slice(i + 1), i) ||
      (token[i] === word[i + 1] && token[i + 1] === word[i] && word.startsWith(token.slice(i + 2), i + 2));
  }

  // The words a query word matches, as [word number, 3 exact | 2 prefix | 1 one edit away].
  function matchesFor(token) {
    const vocabulary = index.vocabulary;
    let low = 0, high = vocabulary.length;
    while (low < high) { const mid = (low + high) >> 1; if (vocabulary[mid] < token) low = mid + 1; else high = mid; }
    const found = [];
    for (let i = low; i < vocabulary.length && vocabulary[i].startsWith(token); i++) found.push([i, vocabulary[i] === token ? 3 : 2]);
    if (token.length >= 5 && !IS_CJK.test(token)) {
      if (!index.near.has(token)) {
        const near = [];
        vocabulary.forEach((word, i) => { if (!word.startsWith(token) && nearPrefix(token, word)) near.push(i); });
        if (index.near.size > 200) index.near.clear();
        index.near.set(token, near);
      }
      for (const i of index.near.get(token)) found.push([i, 1]);
    }
    return found;
  }

  // Every query word must match. A title match outweighs any text match; exact beats prefix beats one
  // edit; a title equal to the query comes first; then h1 before h2 before h3, then page order.
  function search(query) {
    const tokens = [...new Set(words(query))];
    const near = new Set();
    const { sections, vocabulary, postings, starts, best, total } = index;
    let candidates = null;
    for (const token of tokens) {
      const touched = [];
      for (const [word, quality] of matchesFor(token)) {
        if (quality === 1) near.add(vocabulary[word]);
        for (let p = starts[word]; p < starts[word + 1]; p++) {
          const s = postings[p] >> 1, value = postings[p] & 1 ? quality * 10 : quality;
          if (best[s] === 0) touched.push(s);
          if (best[s] < value) best[s] = value;
        }
      }
      const next = [];
      for (const s of candidates || touched) if (best[s] > 0) { total[s] = (candidates ? total[s] : 0) + best[s]; next.push(s); }
      for (const s of touched) best[s] = 0;
      candidates = next;
      if (!next.length) break;
    }
    candidates = candidates || [];
    const exact = tokens.join(" ");
    for (const s of candidates) if (total[s] === 30 * tokens.length && words(sections[s][2]).join(" ") === exact) total[s] += 1000;
    candidates.sort((a, b) => total[b] - total[a] || sections[a][3] - sections[b][3] || a - b);
    return { results: candidates, tokens, near };
  }

  // ---- marking matches ----
  // [start, end) of each word of `text` the query matched: the matched prefix, or the whole word.
  function matchRanges(text, { tokens, near }) {
    const ranges = [];
    for (const { 0: word, index: at } of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
      if (IS_CJK.test(word)) {
        const lower = word.toLowerCase();
        for (const token of tokens) {
          for (let i = lower.indexOf(token); i >= 0; i = lower.indexOf(token, i + 1)) ranges.push([at + i, at + i + token.length]);
        }
        continue;
      }
      const plain = normalize(word);
      const longest = Math.max(0, ...tokens.filter((token) => plain.startsWith(token)).map((token) => token.length));
      if (near.has(plain) || (longest && plain.length !== word.length)) ranges.push([at, at + word.length]);
      else if (longest) ranges.push([at, at + longest]);
    }
    ranges.sort((a, b) => a[0] - b[0]);
    return ranges.filter((range, i) => i === 0 || range[0] >= ranges[i - 1][1]);
  }

  function marked(text, ranges, className) {
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const [start, end] of ranges) {
      const mark = document.createElement("mark");
      mark.className = className;
      mark.textContent = text.slice(start, end);
      fragment.append(text.slice(at, start), mark);
      at = end;
    }
    fragment.append(text.slice(at));
    return fragment;
  }

  let highlighted = []; // kept, not queried: a selector over a huge page is slow

  function clearHighlights() {
    for (const mark of highlighted) {
      const parent = mark.parentNode;
      if (parent) { mark.replaceWith(mark.textContent); parent.normalize(); }
    }
    highlighted = [];
  }

  // Marks the matches in a section: its heading and what follows up to the next h1-h3, code aside.
  function highlightSection(id, found) {
    clearHighlights();
    const skip = "pre, .highlight, script, style, mark";
    const heading = document.getElementById(id);
    for (let block = heading; block && highlighted.length < 300; block = block.nextElementSibling) {
      if (block !== heading && /^H[1-3]$/.test(block.tagName)) break;
      if (block.matches(skip)) continue;
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      const nodes = [];
      while (walker.nextNode()) if (!walker.currentNode.parentElement.closest(skip)) nodes.push(walker.currentNode);
      for (const node of nodes) {
        const ranges = matchRanges(node.data, found);
        if (!ranges.length) continue;
        const fragment = marked(node.data, ranges, "search-highlight");
        highlighted.push(...fragment.querySelectorAll("mark"));
        node.replaceWith(fragment);
      }
    }
  }

  // ---- the box and its results ----
  // The list is ten rows made once; a keystroke changes their text and attributes, never adds an
  // element: on a huge page, added elements make Chrome's autofill re-read the whole document after
  // each keystroke (40 ms at 5000 endpoints). Matches in titles are a CSS highlight, not <mark>s.
  let shown = null, active = -1, rows, empty;
  const textIn = (element) => element.appendChild(document.createTextNode(""));

  function row(position) {
    const li = document.createElement("li"), link = li.appendChild(document.createElement("a"));
    li.id = `search-result-${position}`;
    li.setAttribute("role", "option");
    li.hidden = true;
    link.tabIndex = -1;
    const [title, parent] = ["search-result-title", "search-result-parent"].map((name) => {
      const span = link.appendChild(document.createElement("span"));
      span.className = name;
      return textIn(span);
    });
    return { li, link, title, parent };
  }

  function setUp() {
    rows = Array.from({ length: 10 }, (_, position) => row(position));
    const li = document.createElement("li");
    li.className = "search-empty";
    li.setAttribute("role", "option");
    li.setAttribute("aria-disabled", "true");
    li.hidden = true;
    empty = textIn(li);
    list.replaceChildren(...rows.map((r) => r.li), li);
    if (status) {
      status.replaceChildren();
      textIn(status);
    }
  }

  function say(message) {
    empty.data = message || "";
    empty.parentNode.hidden = !message;
  }

  function show(found) {
    shown = found;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const results = found ? found.results : [], ranges = [];
    rows.forEach(({ li, link, title, parent }, position) => {
      const s = results[position];
      li.hidden = s === undefined;
      li.classList.remove("active");
      li.setAttribute("aria-selected", "false");
      if (s === undefined) {
        title.data = parent.data = "";
        return;
      }
      const [page, id, heading] = index.sections[s], output = index.pages[page][0];
      link.href = `${output === thisPage ? "" : input.dataset.root + output}#${encodeURIComponent(id)}`;
      link.dataset.section = s;
      title.data = heading;
      const context = [index.parents[s] >= 0 ? index.sections[index.parents[s]][2] : ""];
      if (index.pages.length > 1) context.push(index.pages[page][1]);
      parent.data = context.filter(Boolean).join(" · ");
      for (const [start, end] of matchRanges(heading, found)) {
        const range = new Range();
        range.setStart(title, start);
        range.setEnd(title, end);
        ranges.push(range);
      }
    });
    if (window.Highlight && CSS.highlights) CSS.highlights.set("search-result", new Highlight(...ranges));
    const count = results.length;
    say(found && !count ? `No results for “${input.value.trim()}”` : "");
    list.hidden = !found;
    input.setAttribute("aria-expanded", String(Boolean(found)));
    if (status) status.firstChild.data = !found ? "" : count ? `${count} result${count === 1 ? "" : "s"}` : "No results";
  }

  function update() {
    if (!input.value.trim()) show(null);
    else if (index) show(search(input.value));
    else {
      load().then(update, (error) => {
        say(`Search is unavailable: ${error.message}`);
        list.hidden = false;
      });
    }
  }

  function setActive(position) {
    const options = list.querySelectorAll("li[role=option]:not([aria-disabled], [hidden])");
    if (!options.length) return;
    active = (position + options.length) % options.length;
    options.forEach((option, i) => {
      option.classList.toggle("active", i === active);
      option.setAttribute("aria-selected", String(i === active));
    });
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function open(link) {
    const [page, id] = index.sections[Number(link.dataset.section)];
    // On a phone the sidebar is a drawer: a result closes it, as a TOC link does.
    document.body.classList.remove("nav-open");
    document.getElementById("nav-button")?.setAttribute("aria-expanded", "false");
    if (index.pages[page][0] !== thisPage) {
      try {
        sessionStorage.setItem(HIGHLIGHT_KEY, JSON.stringify({ id, tokens: shown.tokens, near: [...shown.near] }));
      } catch (_) { /* storage unavailable: the section opens unmarked */ }
      location.href = link.href;
      return;
    }
    if (decodeURIComponent(location.hash.slice(1)) === id) document.getElementById(id)?.scrollIntoView();
    else location.hash = encodeURIComponent(id);
    highlightSection(id, shown);
  }

  setUp(); // now, so that the first keystroke does not add the rows either
  input.addEventListener("focus", () => load().catch(() => {}));
  input.addEventListener("pointerenter", () => load().catch(() => {}), { once: true });
  input.addEventListener("input", () => { clearHighlights(); update(); });
  input.addEventListener("keydown", (event) => {
    const links = list.querySelectorAll("li[role=option]:not([hidden]) a");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") setActive(event.key === "ArrowDown" ? active + 1 : Math.max(active, 0) - 1);
    else if (event.key === "Enter" && links.length) open(links[Math.max(active, 0)]);
    else if (event.key === "Escape") { input.value = ""; show(null); clearHighlights(); }
    else return;
    event.preventDefault();
  });
  list.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-section]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    open(link);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  // Arrived from a result on another page: mark the matches there, once the content is in.
  function markArrival() {
    try {
      const remembered = JSON.parse(sessionStorage.getItem(HIGHLIGHT_KEY));
      sessionStorage.removeItem(HIGHLIGHT_KEY);
      if (remembered && decodeURIComponent(location.hash.slice(1)) === remembered.id) {
        highlightSection(remembered.id, { tokens: remembered.tokens, near: new Set(remembered.near) });
      }
    } catch (_) { /* storage unavailable: no marks */ }
  }
  if (document.readyState !== "loading") markArrival();
  else document.addEventListener("DOMContentLoaded", markArrival);
})();
