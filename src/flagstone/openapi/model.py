"""A spec (Swagger 2.0 or OpenAPI 3.x) read into small frozen records: operations, bodies, responses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from flagstone.errors import DocumentError
from flagstone.openapi.locate import type_name
from flagstone.openapi.references import Node, Spec
from flagstone.openapi.validate import version

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NO_EXAMPLE = object()  # a value no spec can hold: "the spec gives no example"


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    description: str
    schema: Node | None
    deprecated: bool = False
    example: Any = NO_EXAMPLE


@dataclass(frozen=True)
class MediaType:
    name: str  # application/json, ...
    schema: Node | None
    examples: tuple[tuple[str, Any], ...] = ()  # (name, value), from `example` or `examples`


@dataclass(frozen=True)
class Body:
    description: str
    required: bool
    contents: tuple[MediaType, ...]


@dataclass(frozen=True)
class Link:
    name: str
    operation: str
    description: str


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    headers: tuple[Parameter, ...]
    contents: tuple[MediaType, ...]
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # a webhook's name for webhooks
    operation_id: str
    summary: str
    description: str
    deprecated: bool
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    security: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]  # alternatives of (scheme, scopes)
    servers: tuple[str, ...]
    callbacks: tuple[tuple[str, tuple[Operation, ...]], ...] = ()
    code_samples: tuple[tuple[str, str, str], ...] = ()  # x-codeSamples: (lang, label, source)
    webhook: bool = False


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    kind: str  # apiKey, http, oauth2, openIdConnect, basic (2.0)
    description: str
    location: str = ""  # apiKey: header, query, cookie
    parameter: str = ""  # apiKey: the header, query or cookie name
    scheme: str = ""  # http: basic, bearer, ...


@dataclass(frozen=True)
class Tag:
    name: str
    description: str


@dataclass(frozen=True)
class Api:
    version: str  # 2.0, 3.0, 3.1
    title: str
    api_version: str
    description: str
    servers: tuple[str, ...]
    tags: tuple[Tag, ...]
    tag_groups: tuple[tuple[str, tuple[str, ...]], ...]
    operations: tuple[Operation, ...]
    webhooks: tuple[Operation, ...]
    schemas: tuple[tuple[str, Node], ...]
    security_schemes: tuple[SecurityScheme, ...]


def _text(node: Node | None) -> str:
    return node.value if node is not None and isinstance(node.value, str) else ""


class _Reader:
    """Reads one spec; every object it follows is dereferenced and checked for its type."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.version = version(spec.document)
        self.query = str(spec.document.get("openapi", "")).startswith("3.2")  # 3.2's QUERY method
        self.root = spec.root
        self.produces = self._strings(self.root.get("produces")) or ("application/json",)
        self.consumes = self._strings(self.root.get("consumes")) or ("application/json",)

    def mapping(self, node: Node | None, kind: str) -> Node | None:
        if node is None:
            return None
        node = self.spec.deref(node)
        if node.value is None:
            return None
        if not isinstance(node.value, dict):
            raise DocumentError(self.spec.where(node, f"expected {kind}, got {type_name(node.value)}"))
        return node

    def entries(self, node: Node | None, kind: str) -> Iterator[tuple[str, Node]]:
        """The entries of a mapping the spec may leave out."""
        found = self.mapping(node, kind)
        return found.items() if found is not None else iter(())

    def _strings(self, node: Node | None) -> tuple[str, ...]:
        if node is None or not isinstance(node.value, list):
            return ()
        return tuple(str(item) for item in node.value)

    def servers(self, node: Node | None) -> tuple[str, ...]:
        if self.version == "2.0":
            if node is not None:
                return ()
            host = self.root.value.get("host") or "api.example.com"
            schemes = self.root.value.get("schemes") or ["https"]
            return (f"{schemes[0]}://{host}{self.root.value.get('basePath') or ''}".rstrip("/"),)
        urls = []
        for raw in node.elements() if node else ():
            server = self.mapping(raw, "a Server object")
            if server is None or not isinstance(server.value.get("url"), str):
                continue
            url = server.value["url"]
            for name, variable in (server.value.get("variables") or {}).items():
                if isinstance(variable, dict):
                    url = url.replace("{" + str(name) + "}", str(variable.get("default", "")))
            urls.append(url.rstrip("/") if url != "/" else "")
        return tuple(urls)

    def examples(self, node: Node) -> tuple[tuple[str, Any], ...]:
        if "example" in node.value:
            return (("", node.value["example"]),)
        found = []
        for name, example in self.entries(node.get("examples"), "a map of Example objects"):
            example = self.spec.deref(example)
            if isinstance(example.value, dict) and "value" in example.value:
                found.append((name, example.value["value"]))
        return tuple(found)

    def parameter(self, node: Node) -> Parameter | None:
        found = self.mapping(node, "a Parameter object")
        if found is None:
            return None
        value = found.value
        schema = found.get("schema")
        if self.version == "2.0" and value.get("in") != "body":
            schema = found  # 2.0 parameters carry their type, format and items themselves
        if schema is None and isinstance(value.get("content"), dict) and value["content"]:
            schema = next(found.child("content").items())[1].get("schema")
        example = value.get("example", NO_EXAMPLE)
        if example is NO_EXAMPLE and isinstance(value.get("examples"), dict):
            first = next(iter(self.examples(found)), None)
            example = first[1] if first else NO_EXAMPLE
        return Parameter(
            str(value.get("name", "")),
            str(value.get("in", "")),
            bool(value.get("required")) or value.get("in") == "path",
            _text(found.get("description")),
            self.spec.deref(schema) if schema is not None else None,
            bool(value.get("deprecated")),
            example,
        )

    def contents(self, node: Node | None) -> tuple[MediaType, ...]:
        found = []
        for name, raw in self.entries(node, "a map of Media Type objects"):
            media = self.mapping(raw, "a Media Type object")
            if media is not None:
                found.append(MediaType(name, media.get("schema"), self.examples(media)))
        return tuple(found)

    def response(self, status: str, node: Node, produces: tuple[str, ...]) -> Response:
        found = self.mapping(node, "a Response object") or Node({}, node.uri, node.pointer)
        headers = []
        for name, header in self.entries(found.get("headers"), "a map of Header objects"):
            parameter = self.parameter(header)
            if parameter is not None:
                headers.append(replace(parameter, name=name, location="header"))
        if self.version == "2.0":
            schema = found.get("schema")
            given = found.value.get("examples") if isinstance(found.value.get("examples"), dict) else {}
            contents = (
                tuple(MediaType(m, schema, (("", given[m]),) if m in given else ()) for m in produces)
                if schema is not None
                else ()
            )
        else:
            contents = self.contents(found.get("content"))
        links = tuple(
            Link(name, str(link.value.get("operationId", "")), _text(link.get("description")))
            for name, raw in self.entries(found.get("links"), "a map of Link objects")
            if (link := self.mapping(raw, "a Link object")) is not None
        )
        return Response(status, _text(found.get("description")), tuple(headers), contents, links)

    def body_2(self, parameters: list[Parameter], raw: list[Node], consumes: tuple[str, ...]) -> Body | None:
        """Swagger 2.0's body and formData parameters as a request body."""
        for node in raw:
            if node.value.get("in") == "body":
                schema = node.get("schema")
                media = tuple(MediaType(m, self.spec.deref(schema) if schema else None) for m in consumes)
                return Body(_text(node.get("description")), bool(node.value.get("required")), media)
        form = [(p, n) for p, n in zip(parameters, raw, strict=True) if p.location == "formData"]
        if not form:
            return None
        form_schema = {
            "type": "object",
            "properties": {
                p.name: {k: v for k, v in n.value.items() if k not in ("in", "name", "required")}
                for p, n in form
            },
            "required": [p.name for p, _ in form if p.required],
        }
        media_type = next((m for m in consumes if "form" in m), "application/x-www-form-urlencoded")
        return Body(
            "", False, (MediaType(media_type, Node(form_schema, form[0][1].uri, form[0][1].pointer)),)
        )

    def operation(self, method: str, path: str, node: Node, item: Node, webhook: bool = False) -> Operation:
        operation = self.mapping(node, "an Operation object") or node
        value = operation.value
        merged: dict[tuple[str, str], tuple[Parameter, Node]] = {}
        for source in (item.get("parameters"), operation.get("parameters")):
            for raw in source.elements() if source is not None else ():
                parameter = self.parameter(raw)
                if parameter is not None:
                    merged[(parameter.name, parameter.location)] = (parameter, self.spec.deref(raw))
        every = [p for p, _ in merged.values()]
        body = None
        if self.version == "2.0":
            consumes = self._strings(operation.get("consumes")) or self.consumes
            body = self.body_2(every, [n for _, n in merged.values()], consumes)
            every = [p for p in every if p.location not in ("body", "formData")]
        elif (raw_body := self.mapping(operation.get("requestBody"), "a Request Body object")) is not None:
            body = Body(
                _text(raw_body.get("description")),
                bool(raw_body.value.get("required")),
                self.contents(raw_body.get("content")),
            )
        produces = self._strings(operation.get("produces")) or self.produces
        responses = tuple(
            self.response(status, raw, produces)
            for status, raw in self.entries(operation.get("responses"), "a Responses object")
        )
        security_node = operation.get("security") or self.root.get("security")
        security = tuple(
            tuple((str(k), tuple(map(str, v or ()))) for k, v in alternative.value.items())
            for alternative in (security_node.elements() if security_node else ())
            if isinstance(alternative.value, dict)
        )
        own_servers = (
            self.servers(operation.get("servers") or item.get("servers")) if self.version != "2.0" else ()
        )
        callbacks = []
        for name, callback in self.entries(operation.get("callbacks"), "a map of Callback objects"):
            found = self.mapping(callback, "a Callback object")
            for expression, raw_item in found.items() if found else ():
                cb_item = self.mapping(raw_item, "a Path Item object")
                if cb_item is not None:
                    callbacks.append((f"{name} {expression}", self.path_item(expression, cb_item)))
        samples = value.get("x-codeSamples", value.get("x-code-samples"))
        code_samples = tuple(
            (str(s.get("lang", "")), str(s.get("label", s.get("lang", ""))), str(s.get("source", "")))
            for s in (samples if isinstance(samples, list) else ())
            if isinstance(s, dict)
        )
        tags = tuple(str(t) for t in value.get("tags") or () if isinstance(t, str | int))
        return Operation(
            method,
            path,
            str(value.get("operationId", "")),
            _text(operation.get("summary")) or _text(item.get("summary")),
            _text(operation.get("description")) or _text(item.get("description")),
            bool(value.get("deprecated")),
            tags,
            tuple(every),
            body,
            responses,
            security,
            own_servers,
            tuple(callbacks),
            code_samples,
            webhook,
        )

    def path_item(self, path: str, node: Node, webhook: bool = False) -> tuple[Operation, ...]:
        item = self.mapping(node, "a Path Item object")
        if item is None:
            return ()
        return tuple(
            self.operation(method, path, item.child(method), item, webhook)
            for method in item.value
            if method in METHODS or (method == "query" and self.query)
        )

    def api(self) -> Api:
        root = self.root
        info = self.mapping(root.get("info"), "an Info object") or Node({}, "", ())
        operations = [
            op
            for path, item in self.entries(root.get("paths"), "a Paths object")
            for op in self.path_item(path, item)
        ]
        webhooks = [
            op
            for name, item in self.entries(root.get("webhooks"), "a map of Path Item objects")
            for op in self.path_item(name, item, webhook=True)
        ]
        schemas_node = (
            root.get("definitions")
            if self.version == "2.0"
            else (
                (self.mapping(root.get("components"), "a Components object") or Node({}, "", ())).get(
                    "schemas"
                )
            )
        )
        schemes_node = (
            root.get("securityDefinitions")
            if self.version == "2.0"
            else (
                (self.mapping(root.get("components"), "a Components object") or Node({}, "", ())).get(
                    "securitySchemes"
                )
            )
        )
        schemes = []
        for name, raw in self.entries(schemes_node, "a map of Security Scheme objects"):
            scheme = self.mapping(raw, "a Security Scheme object")
            if scheme is not None:
                v = scheme.value
                schemes.append(
                    SecurityScheme(
                        name,
                        str(v.get("type", "")),
                        _text(scheme.get("description")),
                        str(v.get("in", "")),
                        str(v.get("name", "")),
                        str(v.get("scheme", "basic" if v.get("type") == "basic" else "")).lower(),
                    )
                )
        tags = tuple(
            Tag(str(t.value.get("name", "")), _text(t.get("description")))
            for t in root.each("tags")
            if isinstance(t.value, dict)
        )
        groups_raw = root.value.get("x-tagGroups")
        groups = tuple(
            (str(g.get("name", "")), tuple(map(str, g.get("tags") or ())))
            for g in (groups_raw if isinstance(groups_raw, list) else ())
            if isinstance(g, dict)
        )
        return Api(
            self.version,
            _text(info.get("title")) or "API",
            str(info.value.get("version", "")),
            _text(info.get("description")),
            self.servers(None if self.version == "2.0" else root.get("servers")),
            tags,
            groups,
            tuple(operations),
            tuple(webhooks),
            tuple(self.entries(schemas_node, "a map of Schema objects")),
            tuple(schemes),
        )


def read_api(spec: Spec) -> Api:
    """The spec's operations, webhooks, schemas and security schemes, in the spec's own order."""
    return _Reader(spec).api()
