"""Checking a spec against its version's schema with openapi-spec-validator; each error located."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

from flagstone.errors import DocumentError, Problem, did_you_mean, expected_got
from flagstone.openapi.locate import SpecFile, problem_at, type_name

_MAX_PROBLEMS = 20
# Above this much spec text only its shape is checked: the validator's value checks (defaults and examples
# against their schemas) take seconds per megabyte and only ever warn.
FULL_CHECK_LIMIT = 5_000_000
_SECTIONS = {
    "responses": "Response",
    "parameters": "Parameter",
    "requestBodies": "Request Body",
    "headers": "Header",
    "examples": "Example",
    "links": "Link",
    "callbacks": "Callback",
    "securitySchemes": "Security Scheme",
    "schemas": "Schema",
    "pathItems": "Path Item",
    "definitions": "Schema",
    "securityDefinitions": "Security Scheme",
    "webhooks": "Path Item",
}
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_SCHEMA_KEYS = frozenset({"schema", "items", "additionalProperties", "not"})


def version(document: dict[str, Any]) -> str:
    """'2.0', '3.0' or '3.1' (3.2 is read as 3.1, which it only adds fields to)."""
    if str(document.get("swagger", "")).startswith("2"):
        return "2.0"
    found = str(document.get("openapi", ""))
    if found.startswith("3.0"):
        return "3.0"
    if re.match(r"3\.[1-9]", found):
        return "3.1"
    return ""


def object_kind(pointer: Sequence[str | int]) -> str:
    """The name of the OpenAPI object a pointer leads to (Response, Operation, ...), or ''."""
    parts = [str(p) for p in pointer]
    if not parts:
        return "OpenAPI"
    last, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
    if parent in ("paths", "webhooks") or parent in ("callbacks",):
        return "Path Item"
    if last in _METHODS and len(parts) > 1:
        return "Operation"
    if (
        last in _SCHEMA_KEYS
        or parent in ("properties", "patternProperties")
        or parent
        in (
            "allOf",
            "oneOf",
            "anyOf",
        )
    ):
        return "Schema"
    if parent == "content":
        return "Media Type"
    if last == "requestBody":
        return "Request Body"
    if last == "info":
        return "Info"
    if parent in _SECTIONS:
        return _SECTIONS[parent]
    if len(parts) > 2 and parts[-3] == "callbacks":
        return "Callback"
    return ""


def _best(error: ValidationError) -> ValidationError:
    """The most telling error among a oneOf's alternatives; not 'no $ref' for an object without one."""
    context = [e for e in error.context or () if not (e.validator == "required" and "'$ref'" in e.message)]
    from jsonschema.exceptions import best_match

    return best_match(context or error.context or [error]) or error


def _expected(error: ValidationError) -> str:
    kind = object_kind(list(error.absolute_path))
    return f"a {kind} object" if kind else "a mapping"


def _message(error: ValidationError) -> tuple[str, str]:
    """An error as `expected ..., got ...` and a did-you-mean hint."""
    instance = error.instance
    if error.validator in ("oneOf", "anyOf") and error.context:
        if isinstance(instance, dict):
            return _message(_best(error))
        return expected_got(_expected(error), type_name(instance)), ""
    if error.validator == "type":
        wanted = error.validator_value
        if wanted == "object":
            return expected_got(_expected(error), type_name(instance)), ""
        names = wanted if isinstance(wanted, list) else [wanted]
        return expected_got(" or ".join(f"a {n}" for n in names), type_name(instance)), ""
    if error.validator == "required":
        name = re.match(r"'([^']*)'", error.message)
        key = name.group(1) if name else "a required key"
        return expected_got(f"{_expected(error)} with '{key}'", f"no '{key}'"), ""
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        known = set((error.schema or {}).get("properties", {}) if isinstance(error.schema, dict) else ())
        unknown = [k for k in instance if k not in known and not str(k).startswith("x-")]
        if unknown:
            hint = did_you_mean(str(unknown[0]), known)
            return expected_got(_expected(error), f"the unknown key '{unknown[0]}'"), hint
    if error.validator == "enum":
        allowed: Any = error.validator_value
        choices = ", ".join(repr(v) for v in allowed)
        return expected_got(f"one of {choices}", repr(instance)), ""
    return error.message.split("\n")[0], ""


def _in_document(error: ValidationError, document: dict[str, Any]) -> bool:
    """Whether the error is about the document's own shape, not a default or example checked against
    its schema (whose path is inside that value): the error's instance is then the document's node."""
    node: Any = document
    for part in error.absolute_path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return node is error.instance


def _fatal(error: ValidationError, document: dict[str, Any]) -> bool:
    """Errors the reference cannot be made without (a wrong type, a missing key); the rest warn."""
    if not _in_document(error, document):
        return False
    if error.validator in ("oneOf", "anyOf"):
        return not isinstance(error.instance, dict) or (
            bool(error.context) and _fatal(_best(error), document)
        )
    return error.validator in ("type", "required")


def validate(spec: SpecFile, document: dict[str, Any]) -> tuple[Problem, ...]:
    """The document's warnings; raises its errors (up to 20), each at its file:line:column and pointer."""
    found = version(document)
    if not found:
        got = document.get("openapi", document.get("swagger"))
        raise DocumentError(
            problem_at(
                spec,
                ["openapi"] if "openapi" in document else [],
                expected_got("'openapi: 3.x' or 'swagger: \"2.0\"'", repr(got) if got else "neither"),
            )
        )
    # Imported here, not with the module: it takes a quarter of a second, which a build whose
    # validation runs in a child (see reference._validation) then spends on another core.
    import openapi_spec_validator

    validator_class: Any = {
        "2.0": openapi_spec_validator.OpenAPIV2SpecValidator,
        "3.0": openapi_spec_validator.OpenAPIV30SpecValidator,
        "3.1": openapi_spec_validator.OpenAPIV31SpecValidator,
    }[found]
    v32: Any = getattr(openapi_spec_validator, "OpenAPIV32SpecValidator", None)  # from 0.8 on
    if str(document.get("openapi", "")).startswith("3.2") and v32 is not None:
        validator_class = v32
    problems: list[Problem] = []
    warnings: list[Problem] = []
    validator = validator_class(document, base_uri=spec.path.resolve().as_uri())
    errors = (
        validator.iter_errors()
        if len(spec.text) <= FULL_CHECK_LIMIT
        else validator.schema_validator.iter_errors(document)
    )
    try:
        for error in errors:
            message, hint = _message(error)
            if not _fatal(error, document):
                if not _in_document(error, document):
                    warnings.append(
                        Problem(spec.display, None, f"a value does not match its schema: {message}")
                    )
                else:
                    warnings.append(problem_at(spec, list(error.absolute_path), message, hint))
                continue
            problems.append(problem_at(spec, list(error.absolute_path), message, hint))
            if len(problems) >= _MAX_PROBLEMS:
                break
    except Exception as error:  # (the validator's own checks may fail on odd input)
        warnings.append(Problem(spec.display, None, f"not fully validated: {type(error).__name__}: {error}"))
    if problems:
        raise DocumentError(*dict.fromkeys(problems))
    return tuple(dict.fromkeys(warnings[:_MAX_PROBLEMS]))
