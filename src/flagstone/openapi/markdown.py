"""The reference as Slate Markdown: tag sections, operations with samples and tables, webhooks, schemas."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flagstone.openapi.examples import example
from flagstone.openapi.ids import Ids
from flagstone.openapi.locate import Pointer
from flagstone.openapi.model import NO_EXAMPLE, Api, MediaType, Operation, Parameter, Response
from flagstone.openapi.pieces import PieceKeys, PieceStore
from flagstone.openapi.references import Spec
from flagstone.openapi.samples import request, writer
from flagstone.openapi.schemas import Row, Schemas, cell, literal, table
from flagstone.openapi.tables import Tables

_STATUS = {
    "200": "OK",
    "201": "Created",
    "202": "Accepted",
    "204": "No Content",
    "301": "Moved Permanently",
    "302": "Found",
    "304": "Not Modified",
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "405": "Method Not Allowed",
    "409": "Conflict",
    "410": "Gone",
    "415": "Unsupported Media Type",
    "422": "Unprocessable Entity",
    "429": "Too Many Requests",
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "default": "Default",
}
DEFAULT_TAG = "Default"


@dataclass(frozen=True)
class Options:
    """What the reference shows; the names are widdershins' where they mean the same."""

    language_tabs: tuple[str, ...] = ("shell",)
    code_samples: bool = True  # codeSamples
    expand_body: bool = False  # expandBody: request body schemas open
    max_depth: int = 10  # maxDepth: nesting shown in schema tables
    omit_header: bool = False  # omitHeader: no title, description and base URLs
    html_tables: bool = False  # tables as the HTML they render to (a build), not Markdown (a project)


def slug(text: str) -> str:
    """Widdershins' slugs: lower case, runs of other characters as one '-'."""
    return re.sub(r"[^\w]+", "-", text.strip().lower()).strip("-")


def _fence(language: str, code: str) -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", code)), default=0) + 1)
    return f"{ticks}{language}\n{code}\n{ticks}"


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _heading(level: int, anchor: str, text: str, extra: str = "") -> str:
    return f'<h{level} id="{html.escape(anchor)}">{html.escape(text)}</h{level}>' + (
        f"\n{extra}" if extra else ""
    )


def _by_schema(contents: tuple[MediaType, ...]) -> list[tuple[str, MediaType]]:
    """Media types that share one schema, shown once: (their names as HTML, the first of them)."""
    groups: dict[object, list[MediaType]] = {}
    for media in contents:
        key = (media.schema.uri, media.schema.pointer) if media.schema is not None else None
        groups.setdefault(key if key is not None else id(media), []).append(media)
    return [
        (", ".join(f"<code>{html.escape(m.name)}</code>" for m in group), group[0])
        for group in groups.values()
    ]


def _joined(units: list[list[str]]) -> str:
    return "\n\n".join(block.strip("\n") for unit in units for block in unit if block.strip()) + "\n"


def _split(name: str, units: list[list[str]], above: int) -> Iterator[tuple[str, str]]:
    """A part's text, or with `above` its units in runs of about that many characters."""
    if not above:
        yield name, _joined(units)
        return
    run: list[list[str]] = []
    size, number = 0, 1
    for unit in units:
        length = sum(len(block) for block in unit)
        if run and size + length > above:
            yield (name if number == 1 else f"{name}-{number}"), _joined(run)
            run, size, number = [], 0, number + 1
        run.append(unit)
        size += length
    yield (name if number == 1 else f"{name}-{number}"), _joined(run)


class Writer:
    """Writes one spec's reference."""

    def __init__(self, spec: Spec, api: Api, options: Options, store: PieceStore | None = None) -> None:
        self.spec = spec
        self.store = store
        self.keys = PieceKeys(spec, api, options) if store is not None else None
        self.api = api
        self.options = options
        self.ids = Ids()
        names: dict[tuple[str, Pointer], str] = {node_key: name for name, node_key in self._schema_keys()}
        self.schema_anchors = {name: self.ids.take(name) for name, _ in api.schemas}
        self.schemas = Schemas(spec, names, self.schema_anchors)
        self.tables = Tables(options.html_tables)
        self._examples: dict[tuple[str, Pointer, str, str], tuple[Any, str]] = {}
        self._tables: dict[int, str] = {}

    def _schema_keys(self) -> Iterator[tuple[str, tuple[str, Pointer]]]:
        for name, node in self.api.schemas:
            yield name, (node.uri, node.pointer)

    # ---- the page ---------------------------------------------------------------------------
    def document(self) -> str:
        """The whole reference as one Markdown text."""
        return "\n".join(text for _, text in self.parts())

    def parts(self, split_above: int = 0) -> list[tuple[str, str]]:
        """The reference in parts, each named: "" (the header), a tag's slug, "webhooks", "schemas".
        With `split_above`, a part of more characters is cut between its operations (or schemas) into
        parts named "<name>-2", ...: each is rendered and cached on its own, on any core."""
        parts: list[tuple[str, list[list[str]]]] = []  # each part's units: an operation's blocks, ...
        if not self.options.omit_header:
            parts.append(("", [self.header()]))
        groups = self.groups()
        for group, sections in groups:
            level = 1
            if group:  # x-tagGroups: the group is the h1, its tags h2, their operations h3
                parts.append(
                    (slug(group) or "group", [[_heading(1, self.ids.take(slug(group) or "group"), group)]])
                )
                level = 2
            for tag, description, operations in sections:
                anchor = self.ids.take(slug(tag) or "operations")
                extra = self.ids.extra((f"{slug(self.api.title)}-{slug(tag)}",))
                units = [[_heading(level, anchor, tag, extra), description]]
                units += [self._kept_operation(operation, level + 1) for operation in operations]
                parts.append((anchor, units))
        if self.api.webhooks:
            units = [[_heading(1, self.ids.take("webhooks"), "Webhooks")]]
            units += [self._kept_operation(operation) for operation in self.api.webhooks]
            parts.append(("webhooks", units))
        if self.api.schemas:
            units = [[_heading(1, self.ids.take("schemas"), "Schemas")]]
            units += [self._kept_schema(name, node) for name, node in self.api.schemas]
            parts.append(("schemas", units))
        return [piece for name, units in parts for piece in _split(name, units, split_above)]

    def _kept(self, key: str, write: Callable[[], list[str]]) -> list[str]:
        """A piece's blocks from the store when it has them under `key` and their ids are free as they
        were; else written (and kept)."""
        assert self.store is not None
        found = self.store.get(key)
        if (
            isinstance(found, tuple)
            and len(found) == 2
            and isinstance(found[0], list)
            and isinstance(found[1], list)
            and all(isinstance(e, tuple) and e and e[0] in ("take", "extra") for e in found[0])
            and all(isinstance(b, str) for b in found[1])
            and self.ids.replay(found[0])
        ):
            return found[1]
        log: list[tuple[str, ...]] = []
        self.ids.log = log
        try:
            blocks = write()
        finally:
            self.ids.log = None
        self.store.put(key, (log, blocks))
        return blocks

    def _kept_operation(self, op: Operation, level: int = 2) -> list[str]:
        if self.keys is None:
            return self.operation(op, level)
        return self._kept(self.keys.operation(op, level), lambda: self.operation(op, level))

    def _kept_schema(self, name: str, node: Any) -> list[str]:
        if self.keys is None:
            return self.schema_section(name, node)
        return self._kept(self.keys.schema(name, node), lambda: self.schema_section(name, node))

    def header(self) -> list[str]:
        api = self.api
        title = f"{api.title} v{api.api_version}" if api.api_version else api.title
        blocks = [_heading(1, self.ids.take(slug(api.title) or "api"), title)]
        if api.description:
            blocks.append(api.description)
        if api.servers:
            blocks.append(
                "Base URLs:\n\n"
                + "\n".join(f"* <code>{html.escape(url or '/')}</code>" for url in api.servers)
            )
        if api.security_schemes:
            lines = ["Authentication:", ""]
            for scheme in api.security_schemes:
                kind = {
                    "apiKey": f"API key in {scheme.location} `{scheme.parameter}`",
                    "http": f"HTTP {scheme.scheme}",
                }.get(scheme.kind, scheme.kind)
                text = f"* **{scheme.name}**: {kind}"
                lines.append(
                    text + (f". {' '.join(scheme.description.split())}" if scheme.description else "")
                )
            blocks.append("\n".join(lines))
        return blocks

    def groups(self) -> list[tuple[str, list[tuple[str, str, list[Operation]]]]]:
        """The tag sections under their x-tagGroups (one group named "" without any)."""
        sections = self.sections()
        if not self.api.tag_groups:
            return [("", sections)]
        by_tag = {section[0]: section for section in sections}
        grouped = []
        placed: set[str] = set()
        for group, tags in self.api.tag_groups:
            members = [by_tag[t] for t in dict.fromkeys(tags) if t in by_tag and t not in placed]
            placed.update(section[0] for section in members)
            if members:
                grouped.append((group, members))
        rest = [section for section in sections if section[0] not in placed]
        if rest:
            grouped.append(("Other", rest))
        return grouped

    def sections(self) -> list[tuple[str, str, list[Operation]]]:
        """Tags in the order the spec declares them (its x-tagGroups first), each with its operations."""
        described = {tag.name: tag.description for tag in self.api.tags}
        order = [t for _, tags in self.api.tag_groups for t in tags] + [t.name for t in self.api.tags]
        grouped: dict[str, list[Operation]] = {}
        for operation in self.api.operations:
            grouped.setdefault(operation.tags[0] if operation.tags else DEFAULT_TAG, []).append(operation)
        names = [n for n in dict.fromkeys(order) if n in grouped] + [n for n in grouped if n not in order]
        return [(name, described.get(name, ""), grouped[name]) for name in names]

    # ---- operations -------------------------------------------------------------------------
    def operation(self, op: Operation, level: int = 2) -> list[str]:
        default = f"{op.method}-{op.path}" if not op.webhook else f"webhook-{op.method}-{op.path}"
        anchor = self.ids.take(op.operation_id or slug(default))
        title = op.summary or f"{op.method.upper()} {op.path}"
        extra = self.ids.extra((f"opId{op.operation_id}",) if op.operation_id else ())
        blocks = [_heading(level, anchor, title, extra)]
        if self.options.code_samples:
            blocks += self.samples(op)
        kind = "webhook " if op.webhook else ""
        blocks.append(
            f'<p class="openapi-endpoint"><code>{op.method.upper()} {html.escape(op.path)}</code>'
            f"{' (' + kind.strip() + ')' if kind else ''}</p>"
        )
        if op.operation_id:  # shown, and so found by search: readers know it from generated clients
            blocks.append(
                f'<p class="openapi-operation-id">operationId <code>{html.escape(op.operation_id)}</code></p>'
            )
        if op.deprecated:
            blocks.append('<aside class="warning">Deprecated: this operation may be removed.</aside>')
        if op.servers:
            blocks.append("Server: " + ", ".join(f"<code>{html.escape(s)}</code>" for s in op.servers))
        if op.description:
            blocks.append(op.description)
        if op.parameters:
            blocks.append(_heading(level + 1, self.ids.take(f"{anchor}-parameters"), "Parameters"))
            blocks.append(self.parameters(op.parameters))
        if op.body is not None:
            blocks += self.body(op, anchor, level + 1)
        if op.responses:
            blocks += self.responses(op.responses, anchor, level + 1)
        for name, callbacks in op.callbacks:
            blocks.append(_heading(level + 1, self.ids.take(f"{anchor}-callbacks"), f"Callback {name}"))
            blocks.append(
                "\n".join(f"* `{c.method.upper()}` {html.escape(c.summary or c.path)}" for c in callbacks)
            )
        blocks.append(self.security(op))
        return blocks

    def samples(self, op: Operation) -> list[str]:
        tabs = self.options.language_tabs
        if op.code_samples:
            fences = []
            for lang, _, source in op.code_samples:
                key = lang.lower()
                matched = next((t for t in tabs if writer(t) is not None and writer(t) is writer(key)), None)
                fences.append(_fence(next((t for t in tabs if t.lower() == key), matched or key), source))
            return ["> Code samples", *fences]
        req = request(self.api, op, self.schemas)
        fences = [_fence(tab, found(req)) for tab in tabs if (found := writer(tab)) is not None]
        return ["> Code samples", *fences] if fences else []

    def parameters(self, parameters: tuple[Parameter, ...]) -> str:
        lines = []
        for p in parameters:
            schema = self.schemas.follow(p.schema)[0].value if p.schema is not None else {}
            schema = schema if isinstance(schema, dict) else {}
            items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
            enum = schema.get("enum", items.get("enum"))
            example_value = p.example if p.example is not NO_EXAMPLE else schema.get("example", NO_EXAMPLE)
            description = p.description + (" (deprecated)" if p.deprecated else "")
            lines.append(
                (
                    cell(p.name),
                    p.location,
                    cell(self.schemas.type_of(p.schema) if p.schema is not None else "string"),
                    "true" if p.required else "false",
                    cell(literal(schema["default"])) if "default" in schema else " ",
                    cell(", ".join(literal(v) for v in enum)) if isinstance(enum, list) else " ",
                    cell(literal(example_value)) if example_value is not NO_EXAMPLE else " ",
                    cell(description),
                )
            )
        header = ("Name", "In", "Type", "Required", "Default", "Enum", "Example", "Description")
        return self.tables.table(header, lines)

    def _example(self, media: MediaType, mode: str) -> tuple[Any, str]:
        """A media type's example and its code block; one made from a schema is made once (operations
        share response schemas)."""
        if media.examples:
            value = media.examples[0][1]
            return value, self._example_block(media, value)
        if media.schema is None:
            return NO_EXAMPLE, ""
        key = (media.schema.uri, media.schema.pointer, mode, media.name)
        found = self._examples.get(key)
        if found is None:
            value = example(self.schemas, media.schema, mode)
            found = self._examples[key] = (value, self._example_block(media, value))
        return found

    def _table(self, rows: list[Row]) -> str:
        """A property table, written once per rows list (Schemas keeps each, so its id stays its own)."""
        found = self._tables.get(id(rows))
        if found is None:
            found = self._tables[id(rows)] = table(rows, self.tables)
        return found

    def _example_block(self, media: MediaType, value: Any) -> str:
        if isinstance(value, str) and "json" not in media.name:
            return _fence("xml" if "xml" in media.name else "text", value)
        return _fence("json", _json(value))

    def body(self, op: Operation, anchor: str, level: int) -> list[str]:
        assert op.body is not None
        blocks: list[str] = []
        if op.body.contents:
            value, block = self._example(op.body.contents[0], "request")
            if value is not NO_EXAMPLE:
                blocks += ["> Body parameter", block]
        blocks.append(_heading(level, self.ids.take(f"{anchor}-body"), "Request body"))
        if op.body.description:
            blocks.append(op.body.description)
        opened = " open" if self.options.expand_body else ""
        required = " (required)" if op.body.required else ""
        for names, media in _by_schema(op.body.contents):
            if media.schema is None:
                blocks.append(f"{names}{required}")
                continue
            rows = self.schemas.rows(media.schema, "request", self.options.max_depth)
            blocks.append(
                f"<details{opened}><summary>{names}{required}: "
                f"{html.escape(self._plain_type(media))}</summary>\n\n{self._table(rows)}\n\n</details>"
            )
        return blocks

    def _plain_type(self, media: MediaType) -> str:
        shown = self.schemas.type_of(media.schema) if media.schema is not None else ""
        return re.sub(r"\[([^\]]*)\]\(#[^)]*\)", r"\1", shown)

    def responses(self, responses: tuple[Response, ...], anchor: str, level: int) -> list[str]:
        blocks: list[str] = []
        examples = []
        for response in responses:
            for media in response.contents[:1]:
                value, block = self._example(media, "response")
                if value is not NO_EXAMPLE and value is not None:
                    examples += [f"> {response.status} Response", block]
        if examples:
            blocks += ["> Example responses", *examples]
        blocks.append(_heading(level, self.ids.take(f"{anchor}-responses"), "Responses"))
        lines = []
        for r in responses:
            schema = (
                self.schemas.type_of(r.contents[0].schema) if r.contents and r.contents[0].schema else "None"
            )
            meaning = _STATUS.get(r.status, r.status[:1] + "xx" if r.status[:1].isdigit() else "")
            lines.append((cell(r.status), meaning, cell(r.description), cell(schema)))
        blocks.append(self.tables.table(("Status", "Meaning", "Description", "Schema"), lines))
        for r in responses:
            for names, media in _by_schema(r.contents):
                if media.schema is None:
                    continue
                rows = self.schemas.rows(media.schema, "response", self.options.max_depth)
                blocks.append(
                    f"<details><summary>Response schema: {html.escape(r.status)} "
                    f"{names}</summary>\n\n{self._table(rows)}\n\n</details>"
                )
            if r.headers:
                header_rows = [
                    (
                        cell(h.name),
                        cell(self.schemas.type_of(h.schema) if h.schema else "string"),
                        cell(h.description),
                    )
                    for h in r.headers
                ]
                blocks.append(
                    f"Response headers ({html.escape(r.status)}):\n\n"
                    + self.tables.table(("Header", "Type", "Description"), header_rows)
                )
            if r.links:
                link_rows = [(cell(k.name), cell(k.operation), cell(k.description)) for k in r.links]
                blocks.append(
                    f"Links ({html.escape(r.status)}):\n\n"
                    + self.tables.table(("Link", "Operation", "Description"), link_rows)
                )
        return blocks

    def security(self, op: Operation) -> str:
        if not op.security or all(not alternative for alternative in op.security):
            return '<aside class="success">This operation does not require authentication</aside>'
        shown = " or ".join(
            " and ".join(f"{name}" + (f" ({', '.join(scopes)})" if scopes else "") for name, scopes in alt)
            or "none"
            for alt in op.security
        )
        return (
            '<aside class="notice">To perform this operation, you must be authenticated by '
            f"{html.escape(shown)}.</aside>"
        )

    # ---- schemas ----------------------------------------------------------------------------
    def schema_section(self, name: str, node: Any) -> list[str]:
        anchor = self.schema_anchors[name]
        extra = self.ids.extra((f"tocS_{name}", f"schema{name.lower()}", f"schema_{name}"))
        blocks = [_heading(2, anchor, name, extra)]
        value = example(self.schemas, node, "schema")
        if value is not None:
            blocks.append(_fence("json", _json(value)))
        target, _ = self.schemas.follow(node)
        description = target.value.get("description") if isinstance(target.value, dict) else None
        if isinstance(description, str) and description:
            blocks.append(description)
        rows = self.schemas.rows(node, "schema", self.options.max_depth)
        blocks.append(f"<details open><summary>Properties</summary>\n\n{self._table(rows)}\n\n</details>")
        return blocks
