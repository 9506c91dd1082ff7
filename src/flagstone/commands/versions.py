"""Versioned deploys: the list of versions (mike's versions.json, plus versions.js for file://), redirect
pages for aliases and the site's root, and the version menu added to a version's built pages."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

from flagstone.errors import did_you_mean
from flagstone.paths import Project, refuse_links_out, theme_folders

VERSIONS_JSON = "versions.json"  # mike's file, read by other tools' version menus
VERSIONS_JS = "versions.js"  # the same list as a script: a page opened from file:// cannot fetch JSON
ROOT_FILES = (VERSIONS_JSON, VERSIONS_JS, "index.html", ".nojekyll")
# Files a host reads at the site's root only: the default version's are copied there.
FROM_DEFAULT = ("404.html", "robots.txt")
MENU_FILES = ("versions-menu.js", "versions-menu.css")  # in the theme's versions/ folder
SECTIONS_FILE = "versions-sections.js"  # each page's ids, so a switch can keep the section
_ASSETS = "flagstone"  # theme.ASSET_DIR; not imported, so that deploy --list loads no theme code
_JS_START = "window.flagstoneVersions = "
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,99}")
_NOT_FOUND = "404.html"  # served at any depth from the site's root (a <base>): no menu there


class VersionError(Exception):
    """A version or alias name, or a change to the list, that cannot be made."""


@dataclass(frozen=True)
class Version:
    """One entry of versions.json."""

    version: str
    title: str
    aliases: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"version": self.version, "title": self.title, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class Versions:
    """The published versions, newest first, and the one the site's root redirects to."""

    entries: tuple[Version, ...] = ()
    default: str | None = None

    def find(self, name: str) -> Version | None:
        return next((entry for entry in self.entries if entry.version == name), None)

    def owner(self, alias: str) -> Version | None:
        return next((entry for entry in self.entries if alias in entry.aliases), None)

    def aliases_of(self, name: str) -> tuple[str, ...]:
        found = self.find(name)
        return found.aliases if found else ()

    @property
    def aliases(self) -> frozenset[str]:
        return frozenset(alias for entry in self.entries for alias in entry.aliases)

    def json_text(self) -> str:
        return json.dumps([entry.as_json() for entry in self.entries], indent=2, ensure_ascii=False) + "\n"

    def js_text(self) -> str:
        data = {"default": self.default, "versions": [entry.as_json() for entry in self.entries]}
        return f"{_JS_START}{json.dumps(data, ensure_ascii=False)};\n"

    def lines(self) -> list[str]:
        """`flagstone deploy --list`: one line a version, `2.1 [latest] (default)`."""
        return [
            entry.version
            + (f' "{entry.title}"' if entry.title != entry.version else "")
            + (f" [{', '.join(entry.aliases)}]" if entry.aliases else "")
            + (" (default)" if entry.version == self.default else "")
            for entry in self.entries
        ]


def parse(json_text: str | None, js_text: str | None) -> Versions:
    """The versions a branch holds, from its versions.json (mike's, or ours) and our versions.js."""
    entries: list[Version] = []
    try:
        listed = json.loads(json_text) if json_text else []
    except ValueError as error:
        raise VersionError(f"{VERSIONS_JSON} on the branch is not valid JSON ({error})") from None
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and isinstance(item.get("version"), str):
            title = item.get("title")
            aliases = [a for a in item.get("aliases") or [] if isinstance(a, str)]
            entries.append(
                Version(item["version"], title if isinstance(title, str) else item["version"], tuple(aliases))
            )
    default = None
    if js_text and js_text.startswith(_JS_START):
        try:
            data = json.loads(js_text.removeprefix(_JS_START).strip().removesuffix(";"))
        except ValueError:
            data = {}
        found = data.get("default") if isinstance(data, dict) else None
        default = found if isinstance(found, str) and any(e.version == found for e in entries) else None
    return Versions(tuple(entries), default)


def check_name(name: str, what: str) -> None:
    """A version or alias becomes a folder at the top of the branch: a plain name, not one of ours."""
    taken = (*ROOT_FILES, *FROM_DEFAULT)
    if not _NAME.fullmatch(name) or name in taken:
        raise VersionError(
            f"expected a {what} name of letters, digits and . _ + - (starting with a letter or digit, "
            f"not {', '.join(taken)}), got '{name}'"
        )


def _order(name: str) -> tuple[tuple[int, str], ...]:
    # Natural order, so that 2.10 comes after 2.9: digit runs compare as numbers.
    return tuple(
        (int(part), "") if index % 2 else (0, part) for index, part in enumerate(re.split(r"(\d+)", name))
    )


def with_version(
    versions: Versions, name: str, aliases: Sequence[str], title: str | None, set_default: bool
) -> tuple[Versions, list[str]]:
    """The list once `name` is deployed with `aliases`; the messages for aliases taken from another
    version. Aliases and the title it had are kept."""
    check_name(name, "version")
    taken = versions.owner(name)
    if taken is not None:
        raise VersionError(
            f"'{name}' is an alias of version {taken.version}; a version cannot take an alias's name "
            "(delete that version, or deploy under another name)"
        )
    moved = []
    for alias in aliases:
        check_name(alias, "alias")
        if alias == name or versions.find(alias) is not None:
            raise VersionError(f"the alias '{alias}' is the name of a version; choose another alias")
        owner = versions.owner(alias)
        if owner is not None and owner.version != name:
            moved.append(f"the alias {alias} moved from version {owner.version} to {name}")
    old = versions.find(name)
    kept = old.aliases if old else ()
    entry = Version(
        name,
        title if title is not None else (old.title if old else name),
        tuple(dict.fromkeys((*kept, *aliases))),
    )
    others = [
        replace(other, aliases=tuple(a for a in other.aliases if a not in aliases))
        for other in versions.entries
        if other.version != name
    ]
    entries = sorted([entry, *others], key=lambda e: _order(e.version), reverse=True)
    return Versions(tuple(entries), name if set_default else versions.default), moved


def without_version(versions: Versions, name: str) -> Versions:
    """The list once `name` and its aliases are deleted."""
    if versions.find(name) is None:
        owner = versions.owner(name)
        if owner is not None:
            raise VersionError(
                f"'{name}' is an alias of version {owner.version}, not a version; delete {owner.version}, "
                f"or move the alias by deploying another version with --alias {name}"
            )
        names = [entry.version for entry in versions.entries]
        known = f"the versions are {', '.join(names)}" if names else "there are none yet"
        hint = did_you_mean(name, names)
        raise VersionError(
            f"there is no version '{name}' to delete; {known}" + (f" ({hint})" if hint else "")
        )
    entries = tuple(entry for entry in versions.entries if entry.version != name)
    return Versions(entries, None if versions.default == name else versions.default)


def redirect_page(target: str, label: str) -> str:
    """A page that sends the reader to `target` (relative), keeping the query and the #section."""
    href = html.escape(target)
    script = json.dumps(target).replace("<", "\\u003c")
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>Redirecting to {html.escape(label)}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href="{href}">\n'
        f"<script>location.replace({script} + location.search + location.hash)</script>\n"
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This page is now at <a href="{href}">{html.escape(label)}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    )


def alias_files(version: str, pages: Iterable[str]) -> dict[str, str]:
    """The alias folder's files: each page of `version` as a redirect to it."""
    files = {}
    for page in sorted({"index.html", *pages}):
        up = "../" * (page.count("/") + 1)
        files[page] = redirect_page(f"{up}{version}/{page}", f"version {version}")
    return files


def site_url(project: Path, given: str | None, version: str) -> str | None:
    """Where a version is published: under VERSION/ of the site's URL (--site-url, else the front
    page's `site_url`, else the first page's that has one), so that its canonical links, cards and
    sitemap name the version's own pages."""
    from flagstone.loading.frontmatter import load_source, parse_settings
    from flagstone.loading.project import discover, output_name

    url = given
    if url is None:
        chosen = Project.at(project)
        paths, _ = discover(chosen)
        for path in sorted(paths, key=lambda page: output_name(chosen, page) != "index.html"):
            display = chosen.display(path)
            settings, _ = parse_settings(load_source(path, display)[0], display)
            if settings.site_url:
                url = settings.site_url
                break
    return f"{url.rstrip('/')}/{version}" if url else None


def root_redirect(version: str) -> str:
    return redirect_page(f"{version}/index.html", f"version {version}")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value for name, value in attrs if name == "id" and value)


def _ids(text: str) -> list[str]:
    parser = _Ids()
    parser.feed(text)
    parser.close()
    return list(dict.fromkeys(parser.ids))


def _menu_tags(version: str, page: str) -> str:
    root = "../" * page.count("/")
    data = f'data-version="{html.escape(version)}" data-page="{html.escape(page)}"'
    return (
        f'<link rel="stylesheet" href="{root}{_ASSETS}/versions-menu.css">\n'
        f'<script src="{root}../{VERSIONS_JS}" defer></script>\n'
        f'<script src="{root}{_ASSETS}/versions-menu.js" {data} defer></script>\n'
    )


def _menu_source(project: Path, theme: Path | None, name: str) -> Path:
    """A version menu file through the theme chain; a project's own file may not lead outside it."""
    chosen = Project.at(project)
    for folder in theme_folders(chosen, theme):
        candidate = folder / "versions" / name
        if candidate.is_file():
            if folder.is_relative_to(chosen.root.resolve()):
                refuse_links_out(chosen, [candidate])
            return candidate
    raise FileNotFoundError(f"flagstone's default theme has no versions/{name}")


@dataclass(frozen=True)
class Built:
    """A version's site as deploy built it."""

    site: Path
    pages: tuple[str, ...]  # the pages' paths in the site
    project: Path  # the project folder it was built from, and its theme folder
    theme: Path | None


def add_menu(built: Built, version: str) -> int:
    """Adds the version menu to a built site: its script and style in every page's head (the page
    itself is otherwise as built), and each page's ids. The number of pages it was added to."""
    sections: dict[str, list[str]] = {}
    added = 0
    site = built.site
    for page in sorted(built.pages):
        path = site / page
        if page == _NOT_FOUND or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8")  # bytes: the page's line endings stay as built
        sections[page] = _ids(text)
        if "</head>" in text:  # a theme of one's own may have none: its pages then go without a menu
            path.write_bytes(text.replace("</head>", _menu_tags(version, page) + "</head>", 1).encode())
            added += 1
    assets = site / _ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    for name in MENU_FILES:
        (assets / name).write_bytes(_menu_source(built.project, built.theme, name).read_bytes())
    data = json.dumps(sections, ensure_ascii=False, separators=(",", ":"))
    key = json.dumps(version)
    (assets / SECTIONS_FILE).write_text(
        f"(window.flagstoneSections = window.flagstoneSections || {{}})[{key}] = {data};\n", encoding="utf-8"
    )
    return added
