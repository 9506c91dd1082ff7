// flagstone version menu, added by `flagstone deploy --version` to the pages of one version: a menu of
// the versions deployed beside it (../versions.js, written with versions.json) and a note on versions
// other than the default. Plain script loading only, so it works from file:// and under any sub-path.
(() => {
  "use strict";
  const script = document.currentScript;
  const data = window.flagstoneVersions;
  if (!script || !data || !Array.isArray(data.versions) || !data.versions.length) return;
  const current = script.dataset.version;
  const page = script.dataset.page || "index.html";
  const root = "../".repeat(page.split("/").length - 1); // this version's top folder
  const top = `${root}../`; // the branch's, holding every version

  function folder(version) {
    return `${top}${encodeURIComponent(version)}/`;
  }

  function pageUrl(version, name) {
    return folder(version) + name.split("/").map(encodeURIComponent).join("/");
  }

  // The other version's ids, page by page (flagstone/versions-sections.js); null when it has none.
  function sectionsOf(version, done) {
    const known = window.flagstoneSections && window.flagstoneSections[version];
    if (known) return done(known);
    const loader = document.createElement("script");
    loader.src = `${folder(version)}flagstone/versions-sections.js`;
    loader.onload = () => done((window.flagstoneSections || {})[version] || null);
    loader.onerror = () => done(null);
    document.head.appendChild(loader);
  }

  // The same page and section in `version` when it has them; else its page, else its first page.
  function switchTo(version) {
    const hash = decodeURIComponent(location.hash.slice(1));
    sectionsOf(version, (sections) => {
      const here = pageUrl(version, page) + location.search;
      if (!sections) location.href = here + location.hash;
      else if (!Object.hasOwn(sections, page)) location.href = pageUrl(version, "index.html");
      else location.href = here + (hash && sections[page].includes(hash) ? location.hash : "");
    });
  }

  function label(entry) {
    const aliases = (entry.aliases || []).join(", ");
    return aliases ? `${entry.title} (${aliases})` : entry.title;
  }

  const menu = document.createElement("div");
  menu.className = "version-menu";
  const caption = document.createElement("label");
  caption.htmlFor = "version-select";
  caption.textContent = "Version";
  const select = document.createElement("select");
  select.id = "version-select";
  let listed = false;
  for (const entry of data.versions) {
    const option = new Option(label(entry), entry.version, false, entry.version === current);
    listed = listed || entry.version === current;
    select.add(option);
  }
  if (!listed) select.add(new Option(current, current, true, true), 0); // deleted since: still say which
  select.addEventListener("change", () => {
    if (select.value !== current) switchTo(select.value);
  });
  menu.append(caption, select);
  const nav = document.getElementById("toc-wrapper");
  if (nav) {
    const logo = nav.querySelector(".logo");
    nav.insertBefore(menu, logo ? logo.nextSibling : nav.firstChild);
  }

  const chosen = data.versions.find((entry) => entry.version === data.default);
  const content = document.querySelector(".content");
  if (chosen && chosen.version !== current && content) {
    const note = document.createElement("div");
    note.className = "version-note";
    note.setAttribute("role", "note");
    const text = document.createElement("p");
    const link = document.createElement("a");
    link.href = pageUrl(chosen.version, page);
    link.textContent = `version ${chosen.title}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      switchTo(chosen.version);
    });
    text.append(`You are reading the documentation of version ${current}. The current one is `, link, ".");
    note.append(text);
    content.insertBefore(note, content.firstChild);
  }
})();
