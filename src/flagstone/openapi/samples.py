"""Code samples of one operation's request: curl, HTTP, fetch, requests, Ruby, Go, Java, PHP and C#."""

from __future__ import annotations

import json
import pprint
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from flagstone.openapi.examples import example
from flagstone.openapi.model import NO_EXAMPLE, Api, Operation, Parameter
from flagstone.openapi.schemas import Schemas

LOCAL_BASE = "http://localhost"  # where a spec without an absolute server URL is shown as served


@dataclass(frozen=True)
class Request:
    """What a sample sends: the method, the whole URL, headers and the body as text."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    media_type: str = ""
    body: str = ""
    form: tuple[tuple[str, str], ...] = ()  # multipart/form-data fields
    json_value: Any = NO_EXAMPLE  # a JSON body's value, which samples may write as a literal


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else json.dumps(value) if isinstance(value, dict | list) else str(value)


def _value(schemas: Schemas, parameter: Parameter) -> Any:
    if parameter.example is not NO_EXAMPLE:
        return parameter.example
    return example(schemas, parameter.schema, "request") if parameter.schema is not None else "string"


def request(api: Api, operation: Operation, schemas: Schemas) -> Request:
    """The request an operation's samples make, from its servers, parameters, security and body."""
    base = (operation.servers or api.servers or ("",))[0]
    if not base.startswith(("http://", "https://")):
        base = LOCAL_BASE + ("/" + base.lstrip("/") if base.strip("/") else "")
    path = operation.path
    query: list[tuple[str, str]] = []
    headers: list[tuple[str, str]] = []
    for parameter in operation.parameters:
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", quote(_text(_value(schemas, parameter)), safe=""))
        elif parameter.required or parameter.example is not NO_EXAMPLE:
            value = _value(schemas, parameter)
            if parameter.location == "query":
                query.extend(
                    (parameter.name, _text(v)) for v in (value if isinstance(value, list) else [value])
                )
            elif parameter.location == "header":
                headers.append((parameter.name, _text(value)))
            elif parameter.location == "cookie":
                headers.append(("Cookie", f"{parameter.name}={_text(value)}"))
    schemes = {scheme.name: scheme for scheme in api.security_schemes}
    for name, _ in operation.security[0] if operation.security else ():
        scheme = schemes.get(name)
        if scheme is None:
            continue
        if scheme.kind == "apiKey" and scheme.location == "query":
            query.append((scheme.parameter, "API_KEY"))
        elif scheme.kind == "apiKey" and scheme.location == "cookie":
            headers.append(("Cookie", f"{scheme.parameter}=API_KEY"))
        elif scheme.kind == "apiKey":
            headers.append((scheme.parameter, "API_KEY"))
        elif scheme.scheme == "basic" or scheme.kind == "basic":
            headers.append(("Authorization", "Basic dXNlcm5hbWU6cGFzc3dvcmQ="))
        else:
            headers.append(("Authorization", "Bearer {access-token}"))
    accept = next(
        (m.name for r in operation.responses if r.status.startswith("2") for m in r.contents),
        next((m.name for r in operation.responses for m in r.contents), ""),
    )
    if accept:
        headers.insert(0, ("Accept", accept))
    url = base + path + (("?" + urlencode(query)) if query else "")
    media = operation.body.contents[0] if operation.body and operation.body.contents else None
    if media is None:
        return Request(operation.method.upper(), url, tuple(headers))
    value = (
        media.examples[0][1]
        if media.examples
        else (example(schemas, media.schema, "request") if media.schema is not None else None)
    )
    if "multipart/" in media.name and isinstance(value, dict):
        form = tuple((str(k), _text(v)) for k, v in value.items())
        return Request(operation.method.upper(), url, tuple(headers), media.name, form=form)
    headers.append(("Content-Type", media.name))
    if "x-www-form-urlencoded" in media.name and isinstance(value, dict):
        body = urlencode([(str(k), _text(v)) for k, v in value.items()])
    elif "json" in media.name:
        body = json.dumps(value, indent=2, ensure_ascii=False)
        return Request(operation.method.upper(), url, tuple(headers), media.name, body, json_value=value)
    else:
        body = _text(value)
    return Request(operation.method.upper(), url, tuple(headers), media.name, body)


def _single(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def shell(r: Request) -> str:
    lines = [f"curl -X {r.method} {_single(r.url)}"]
    lines += [f"-H {_single(f'{k}: {v}')}" for k, v in r.headers]
    lines += [f"-F {_single(f'{k}={v}')}" for k, v in r.form]
    if r.body:
        lines.append(f"--data-raw {_single(r.body)}")
    return " \\\n  ".join(lines)


def http(r: Request) -> str:
    parts = urlsplit(r.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{r.method} {target or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{k}: {v}" for k, v in r.headers]
    if r.form:
        lines.append(f"Content-Type: {r.media_type}; boundary=boundary")
    return "\n".join(lines) + (f"\n\n{r.body}" if r.body else "")


def _dict(pairs: tuple[tuple[str, str], ...], quote_: Callable[[str], str], sep: str, indent: str) -> str:
    return ",\n".join(f"{indent}{quote_(k)}{sep}{quote_(v)}" for k, v in pairs)


def javascript(r: Request) -> str:
    q = json.dumps
    lines = ["const headers = {", _dict(r.headers, q, ": ", "  "), "};", ""]
    options = [f"  method: {q(r.method)}", "  headers"]
    if r.form:
        lines += ["const body = new FormData();"]
        lines += [f"body.append({q(k)}, {q(v)});" for k, v in r.form]
        lines.append("")
        options.append("  body")
    elif r.json_value is not NO_EXAMPLE:
        lines += [f"const body = JSON.stringify({r.body});", ""]
        options.append("  body")
    elif r.body:
        lines += [f"const body = {q(r.body)};", ""]
        options.append("  body")
    lines += [f"fetch({q(r.url)}, {{", ",\n".join(options), "})"]
    lines += ["  .then((response) => response.text())", "  .then((text) => console.log(text));"]
    return "\n".join(lines)


def python(r: Request) -> str:
    q = repr
    lines = ["import requests", "", "headers = {", _dict(r.headers, q, ": ", "    "), "}", ""]
    extra = ""
    if r.form:
        lines += ["files = {", ",\n".join(f"    {q(k)}: (None, {q(v)})" for k, v in r.form), "}", ""]
        extra = ", files=files"
    elif r.json_value is not NO_EXAMPLE:
        lines += [f"payload = {pprint.pformat(r.json_value, indent=4, sort_dicts=False)}", ""]
        extra = ", json=payload"
    elif r.body:
        lines += [f"data = {q(r.body)}", ""]
        extra = ", data=data.encode()"
    lines += [
        f"response = requests.request({q(r.method)}, {q(r.url)}, headers=headers{extra})",
        "print(response.text)",
    ]
    return "\n".join(lines)


def _ruby_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ruby(r: Request) -> str:
    lines = ["require 'net/http'", "", f"uri = URI({_ruby_string(r.url)})"]
    lines.append(f"request = Net::HTTP::{r.method.capitalize()}.new(uri)")
    lines += [f"request[{_ruby_string(k)}] = {_ruby_string(v)}" for k, v in r.headers]
    if r.form:
        fields = ", ".join(f"[{_ruby_string(k)}, {_ruby_string(v)}]" for k, v in r.form)
        lines.append(f"request.set_form([{fields}], 'multipart/form-data')")
    elif r.body:
        lines.append(f"request.body = {_ruby_string(r.body)}")
    lines += [
        "response = Net::HTTP.start(uri.hostname, uri.port, use_ssl: uri.scheme == 'https') do |http|",
        "  http.request(request)",
        "end",
        "puts response.body",
    ]
    return "\n".join(lines)


def go(r: Request) -> str:
    q = json.dumps
    body = "nil"
    lines = ["package main", "", "import (", '\t"fmt"', '\t"io"', '\t"net/http"']
    if r.body:
        lines.append('\t"strings"')
        literal = f"`{r.body}`" if "`" not in r.body else q(r.body)
        body = f"strings.NewReader({literal})"
    lines += [")", "", "func main() {", f"\treq, err := http.NewRequest({q(r.method)}, {q(r.url)}, {body})"]
    lines += ["\tif err != nil {", "\t\tpanic(err)", "\t}"]
    lines += [f"\treq.Header.Set({q(k)}, {q(v)})" for k, v in r.headers]
    lines += ["\tresp, err := http.DefaultClient.Do(req)", "\tif err != nil {", "\t\tpanic(err)", "\t}"]
    lines += [
        "\tdefer resp.Body.Close()",
        "\tdata, _ := io.ReadAll(resp.Body)",
        "\tfmt.Println(string(data))",
        "}",
    ]
    return "\n".join(lines)


def java(r: Request) -> str:
    q = json.dumps
    body = (
        f"HttpRequest.BodyPublishers.ofString({q(r.body)})"
        if r.body
        else "HttpRequest.BodyPublishers.noBody()"
    )
    lines = [
        "import java.net.URI;",
        "import java.net.http.HttpClient;",
        "import java.net.http.HttpRequest;",
        "import java.net.http.HttpResponse;",
        "",
        "public class Main {",
        "    public static void main(String[] args) throws Exception {",
        "        HttpRequest request = HttpRequest.newBuilder()",
        f"            .uri(URI.create({q(r.url)}))",
    ]
    lines += [f"            .header({q(k)}, {q(v)})" for k, v in r.headers]
    lines += [f"            .method({q(r.method)}, {body})", "            .build();"]
    lines += [
        "        HttpResponse<String> response = HttpClient.newHttpClient()",
        "            .send(request, HttpResponse.BodyHandlers.ofString());",
        "        System.out.println(response.body());",
        "    }",
        "}",
    ]
    return "\n".join(lines)


def _php_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def php(r: Request) -> str:
    lines = ["<?php", "", f"$curl = curl_init({_php_string(r.url)});"]
    lines.append(f"curl_setopt($curl, CURLOPT_CUSTOMREQUEST, {_php_string(r.method)});")
    headers = ", ".join(_php_string(f"{k}: {v}") for k, v in r.headers)
    lines.append(f"curl_setopt($curl, CURLOPT_HTTPHEADER, [{headers}]);")
    if r.form:
        fields = ", ".join(f"{_php_string(k)} => {_php_string(v)}" for k, v in r.form)
        lines.append(f"curl_setopt($curl, CURLOPT_POSTFIELDS, [{fields}]);")
    elif r.body:
        lines.append(f"curl_setopt($curl, CURLOPT_POSTFIELDS, {_php_string(r.body)});")
    lines += ["curl_setopt($curl, CURLOPT_RETURNTRANSFER, true);", "echo curl_exec($curl);"]
    return "\n".join(lines)


def csharp(r: Request) -> str:
    q = json.dumps
    lines = [
        "using System.Net.Http;",
        "",
        "var client = new HttpClient();",
        f"var request = new HttpRequestMessage(new HttpMethod({q(r.method)}), {q(r.url)});",
    ]
    content_type = ""
    for k, v in r.headers:
        if k.lower() == "content-type":
            content_type = v
        else:
            lines.append(f"request.Headers.TryAddWithoutValidation({q(k)}, {q(v)});")
    if r.body:
        lines.append(
            f"request.Content = new StringContent({q(r.body)}, System.Text.Encoding.UTF8, {q(content_type)});"
        )
    lines += [
        "var response = await client.SendAsync(request);",
        "Console.WriteLine(await response.Content.ReadAsStringAsync());",
    ]
    return "\n".join(lines)


WRITERS: dict[str, Callable[[Request], str]] = {
    "shell": shell,
    "http": http,
    "javascript": javascript,
    "python": python,
    "ruby": ruby,
    "go": go,
    "java": java,
    "php": php,
    "csharp": csharp,
}
ALIASES = {
    "curl": "shell",
    "bash": "shell",
    "sh": "shell",
    "js": "javascript",
    "node": "javascript",
    "py": "python",
    "c#": "csharp",
    "cs": "csharp",
    "golang": "go",
}


def writer(tab: str) -> Callable[[Request], str] | None:
    """The sample writer for a language tab's key, or None for a language we do not write."""
    key = tab.lower()
    return WRITERS.get(ALIASES.get(key, key))
