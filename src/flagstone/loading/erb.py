"""Middleman's ERB in a page or include: `partial`, `image_tag` and `link_to` evaluated as Middleman does."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from flagstone.errors import DocumentError, Problem, expected_got
from flagstone.markup.render import partial_placeholder
from flagstone.models import PartSource, SourceText

Value = str | int | float | bool | None | dict[str, "Value"]
# Reads a partial (its request, where it is called, its locals) with its own ERB expanded.
ReadPartial = Callable[[str, Problem, Mapping[str, Value]], PartSource]

_ERB_TAG = re.compile(r"<%(.*?)%>", re.DOTALL)
_UNSUPPORTED = "a partial, image_tag or link_to call (the only ERB flagstone can evaluate)"
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')(?P<string_key>:(?!:))?
    | (?P<key>[A-Za-z_]\w*[?!]?):(?!:)
    | :(?P<symbol>[A-Za-z_]\w*[?!]?)
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<word>[A-Za-z_]\w*[?!]?)
    | (?P<punct>=>|[(){},])
    )""",
    re.VERBOSE | re.DOTALL,
)
_REST_OF_LINE = re.compile(r"[ \t]*(?:\n|\Z)")
_HELPER = re.compile(r"(partial|image_tag|link_to)\b")
_ESCAPES = {"n": "\n", "t": "\t", "s": " "}
_ATTRIBUTE_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_TEXT_ESCAPES = {**_ATTRIBUTE_ESCAPES, "'": "&#39;"}
# Padrino writes these as key="key" when true.
# fmt: off
_BOOLEAN_ATTRIBUTES = frozenset((
    "autoplay", "autofocus", "formnovalidate", "checked", "disabled", "hidden", "loop", "multiple", "muted",
    "readonly", "required", "selected", "declare", "defer", "ismap", "itemscope", "noresize", "novalidate",
))
# fmt: on
_URL_SAFE = "/:@!$&'()*+,;=-._~"  # what Addressable leaves unescaped in a path
_HASHED_NAME = re.compile(r"-[0-9A-Fa-f]{32,64}\Z")


@dataclass(frozen=True)
class SiteLinks:
    """What the helpers need of the site: the page's path in it, and which paths are its files."""

    page_output: str  # e.g. guides/start.html
    is_file: Callable[[str], bool]  # a path in the site (no leading /) that a page or static file makes

    def relative(self, target: str) -> str:
        """`target` (a path in the site) as a link from the page, the way Middleman's relative links are."""
        folder = posixpath.dirname(self.page_output) or "."
        path = posixpath.relpath(target or ".", folder)
        return f"{path}/" if target.endswith("/") and not path.endswith("/") else path

    def resolve(self, path: str) -> str | None:
        """The site file a link's path names, relative to the page or from the site's top (`/x`)."""
        joined = (
            path if path.startswith("/") else posixpath.join("/", posixpath.dirname(self.page_output), path)
        )
        found = posixpath.normpath(joined).lstrip("/")
        return found if found and self.is_file(found) else None

    def image_src(self, source: str) -> str:
        """Middleman's `image_path`: the page's own file, else the site's, else one in images/."""
        if "//" in source or source.startswith("data:"):
            return source
        source = source.replace(" ", "")
        path, mark, rest = _split_url(source)
        found = self.resolve(path) or self.resolve(f"/{path.lstrip('/')}")
        if found is None:
            found = posixpath.normpath(path if path.startswith("/") else f"/images/{path}").lstrip("/")
        return quote(self.relative(found), safe=_URL_SAFE) + mark + rest

    def link_href(self, url: str) -> str:
        """Middleman's `url_for` with relative links: a link to a file of the site, made relative."""
        path, mark, rest = _split_url(url)
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", url) or not path:
            return url
        found = self.resolve(path)
        if found is None:
            return url
        return quote(self.relative(found), safe=_URL_SAFE) + mark + rest


def _split_url(url: str) -> tuple[str, str, str]:
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut], url[cut : cut + 1], url[cut + 1 :]


@dataclass(frozen=True)
class _Call:
    """A helper call as ERB writes it: `link_to "Text", "url", class: "x" do`."""

    helper: str
    args: tuple[Value, ...]
    options: dict[str, Value]
    block: bool


class _Unsupported(Exception):
    """Ruby that is not a helper call flagstone can evaluate (reported as _UNSUPPORTED, with its tag)."""


class _Parser:
    """The arguments of one helper call: literals, a hash of options, locals by name, a trailing `do`."""

    def __init__(self, code: str, local_values: Mapping[str, Value]) -> None:
        self.tokens: list[re.Match[str]] = []
        self.local_values = local_values
        position = 0
        while code[position:].strip():
            match = _TOKEN.match(code, position)
            if match is None or match.end() == position:
                raise _Unsupported()
            self.tokens.append(match)
            position = match.end()
        self.at = 0

    def peek(self, punct: str | None = None, word: str | None = None) -> bool:
        if self.at >= len(self.tokens):
            return False
        token = self.tokens[self.at]
        return (punct is not None and token["punct"] == punct) or (word is not None and token["word"] == word)

    def take(self) -> re.Match[str]:
        if self.at >= len(self.tokens):
            raise _Unsupported()
        self.at += 1
        return self.tokens[self.at - 1]

    def call(self, helper: str) -> _Call:
        parens = self.peek("(")
        if parens:
            self.take()
        args: list[Value] = []
        options: dict[str, Value] = {}
        while self.at < len(self.tokens) and not self.peek(")") and not self.peek(word="do"):
            if args or options:
                if not self.peek(","):
                    raise _Unsupported()
                self.take()
            key = self.pair_key()
            if key is not None:
                options[key] = self.value()
            elif options:
                raise _Unsupported()  # Ruby allows no plain argument after the options
            else:
                args.append(self.value())
        if parens:
            if not self.peek(")"):
                raise _Unsupported()
            self.take()
        block = self.peek(word="do")
        if block:
            self.take()
        if self.at != len(self.tokens):
            raise _Unsupported()
        if args and isinstance(args[-1], dict) and not options:
            options = args.pop()  # type: ignore[assignment]
        return _Call(helper, tuple(args), options, block)

    def pair_key(self) -> str | None:
        """The key of a `key: value`, `"key": value` or `key => value` pair, consumed; else None."""
        token = self.tokens[self.at] if self.at < len(self.tokens) else None
        if token is None:
            raise _Unsupported()
        if token["key"] or token["string_key"]:
            self.take()
            return token["key"] or _unquote(token["string"])
        following = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else None
        if following is not None and following["punct"] == "=>":
            key = self.value()
            self.take()
            return str(key)
        return None

    def value(self) -> Value:
        token = self.take()
        if token["string"] and not token["string_key"]:
            return _unquote(token["string"])
        if token["symbol"]:
            return token["symbol"]
        if token["number"]:
            number = token["number"]
            return float(number) if "." in number else int(number)
        word = token["word"]
        if word in ("true", "false", "nil"):
            return {"true": True, "false": False, "nil": None}[word]
        if word and word in self.local_values:
            return self.local_values[word]
        if token["punct"] == "{":
            pairs: dict[str, Value] = {}
            while not self.peek("}"):
                if pairs:
                    if not self.peek(","):
                        raise _Unsupported()
                    self.take()
                    if self.peek("}"):
                        break
                key = self.pair_key()
                if key is None:
                    raise _Unsupported()
                pairs[key] = self.value()
            self.take()
            return pairs
        raise _Unsupported()


def _unquote(literal: str) -> str:
    """A Ruby string literal's text; interpolation (`#{...}`) is Ruby, not a literal."""
    body = literal[1:-1]
    if literal[0] == "'":
        return re.sub(r"\\([\\'])", r"\1", body)
    if re.search(r"(?<!\\)(?:\\\\)*#\{", body):
        raise _Unsupported()
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body, flags=re.DOTALL)


def _ruby_text(value: Value) -> str:
    """What `to_s` makes of a value, as `<%= value %>` writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        raise _Unsupported()
    return str(value)


def _attributes(options: Mapping[str, Value]) -> str:
    """Padrino's `tag_attributes`: false and nil left out, booleans as key="key", hashes as key-sub."""
    written: list[str] = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        if isinstance(value, dict):
            for sub, inner in value.items():
                if inner is not None and inner is not False:
                    written.append(f'{key}-{sub.replace("_", "-")}="{_escape(_ruby_text(inner))}"')
        elif key in _BOOLEAN_ATTRIBUTES:
            written.append(f'{key}="{key}"')
        else:
            written.append(f'{key}="{_escape(_ruby_text(value))}"')
    return "".join(f" {item}" for item in written)


def _escape(text: str, table: Mapping[str, str] = _ATTRIBUTE_ESCAPES) -> str:
    return re.sub("[&<>\"']", lambda m: table.get(m.group(0), m.group(0)), text)


def _image_alt(source: str) -> str:
    """Padrino's `image_alt`: the file's name without extension or digest, `-_` as spaces, capitalised."""
    stem, dot, extension = source.rpartition("/")[2].rpartition(".")
    name = stem if dot and stem else f"{stem}{dot}{extension}"
    return _HASHED_NAME.sub("", name).replace("-", " ").replace("_", " ").capitalize()


def _string_arg(call: _Call, index: int) -> str:
    value = call.args[index]
    if not isinstance(value, str | int | float):
        raise _Unsupported()
    return str(value)


def _image_tag(call: _Call, links: SiteLinks) -> str:
    if len(call.args) != 1 or call.block:
        raise _Unsupported()
    source = _string_arg(call, 0)
    options: dict[str, Value] = {"src": links.image_src(source), **call.options}
    if not options.get("alt") and source and not re.match(r"(?:cid|data):", source):
        options["alt"] = _image_alt(source)
    return f"<img{_attributes(options)} />"


def _link_open(call: _Call, links: SiteLinks) -> tuple[str, str]:
    """The `<a ...>` a link_to call opens, and the caption it writes (empty for a block)."""
    wanted = 1 if call.block else 2
    if not (1 <= len(call.args) <= wanted):
        raise _Unsupported()
    caption = "" if call.block else _escape(_string_arg(call, 0), _TEXT_ESCAPES)
    url = call.args[wanted - 1] if len(call.args) == wanted else None
    href = links.link_href(_string_arg(call, wanted - 1)).replace(" ", "%20") if url is not None else "#"
    return f"<a{_attributes({'href': href, **call.options})}>", caption


@dataclass
class _Block:
    """A `<% link_to url do %>` whose `<% end %>` is still to come."""

    opening: str  # the <a ...> tag
    start: int  # where its content starts in the output
    line: int


@dataclass
class _Expansion:
    """One file's ERB, evaluated tag by tag into Markdown text."""

    source: SourceText
    links: SiteLinks
    read_partial: ReadPartial
    local_values: Mapping[str, Value]
    out: list[str] = field(default_factory=list)
    partials: list[PartSource] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)

    def unsupported(self, line: int, tag: str, expected: str = _UNSUPPORTED) -> DocumentError:
        return DocumentError(Problem(self.source.display, line, expected_got(expected, tag)))

    def run(self) -> PartSource:
        text, position = self.source.text, 0
        line, counted = self.source.first_line, 0
        for match in _ERB_TAG.finditer(text):
            start, code = match.start(), match.group(1)
            line += text.count("\n", counted, start)
            counted = start
            # Erubi drops a statement (not `<%=`) alone on its line, with the line's newline.
            line_start = text.rfind("\n", 0, start) + 1
            alone = (
                not code.startswith("=")
                and line_start >= position
                and not text[line_start:start].strip()
                and _REST_OF_LINE.match(text, match.end())
            )
            self.out.append(text[position : line_start if alone else start])
            position = match.end()
            if alone:
                newline = text.find("\n", position)
                position = len(text) if newline < 0 else newline + 1
            self.evaluate(code, match.group(0).strip(), line)
        self.out.append(text[position:])
        if self.blocks:
            block = self.blocks[-1]
            raise self.unsupported(block.line, "the end of the file", "<% end %> closing link_to's block")
        expanded = SourceText(
            self.source.path, self.source.display, "".join(self.out), self.source.first_line
        )
        return PartSource(expanded, tuple(self.partials))

    def evaluate(self, code: str, tag: str, line: int) -> None:
        if code.startswith("#"):
            return  # an ERB comment
        body = code.removeprefix("=").removeprefix("-").strip().removesuffix("-").strip()
        if code.startswith("=") and body in self.local_values:
            self.out.append(_local_text(self.local_values[body]))
            return
        if body == "end" and not code.startswith("="):
            if not self.blocks:
                raise self.unsupported(line, tag)
            block = self.blocks.pop()
            content = "".join(self.out[block.start :])
            del self.out[block.start :]
            self.out.append(f"{block.opening}{content}</a>")
            return
        helper = _HELPER.match(body)
        try:
            if helper is None:
                raise _Unsupported()
            call = _Parser(body[helper.end() :], self.local_values).call(helper.group(1))
            if call.block:
                if call.helper != "link_to":
                    raise _Unsupported()
                opening, _ = _link_open(call, self.links)
                self.blocks.append(_Block(opening, len(self.out), line))
                return
            if code.startswith("="):
                self.out.append(self.helper_output(call, line))
                return
            raise _Unsupported()  # a call whose output ERB throws away
        except _Unsupported:
            raise self.unsupported(line, tag) from None

    def helper_output(self, call: _Call, line: int) -> str:
        if call.helper == "image_tag":
            return _image_tag(call, self.links)
        if call.helper == "link_to":
            opening, caption = _link_open(call, self.links)
            return f"{opening}{caption}</a>"
        if len(call.args) != 1 or set(call.options) - {"locals"}:
            raise _Unsupported()
        local_values = call.options.get("locals", {})
        if not isinstance(local_values, dict):
            raise _Unsupported()
        request = _string_arg(call, 0)
        where = Problem(self.source.display, line, "", key="partial")
        self.partials.append(self.read_partial(request, where, local_values))
        return partial_placeholder(len(self.partials) - 1)


def _local_text(value: Value) -> str:
    try:
        return _ruby_text(value)
    except _Unsupported:
        return ""


def expand(
    source: SourceText, links: SiteLinks, read_partial: ReadPartial, local_values: Mapping[str, Value]
) -> PartSource:
    """An ERB file's text with its helper calls evaluated, its partials read; any other Ruby is an error."""
    return _Expansion(source, links, read_partial, local_values).run()
