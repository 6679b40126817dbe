"""The contract's JSON Schema, applied: every structural fault of a run.json, with the field's
path, before the reader reads a field.

The schema (``parity/schemas/parity-run-1.schema.json``) uses a small part of JSON Schema
2020-12; :func:`schema_errors` implements exactly that part, so the core needs no validator
package: ``type``, ``const``, ``enum``, ``required``, ``properties``, ``additionalProperties``,
``patternProperties``, ``propertyNames``, ``pattern``, ``items``, ``minItems``, ``maxItems``,
``minimum``, ``$ref`` (to ``#/$defs/...``), ``dependentSchemas``, ``allOf``, ``not`` and
``if``/``then`` (annotations such as ``description`` are ignored). A keyword outside that
part is an error, so a rule added to the schema can never be skipped silently;
``tests/test_contract_schema.py`` checks every verdict against the ``jsonschema`` package.

Examples
--------
>>> schema_errors({"a": [1, "x"]}, {"type": "object", "properties": {"a": {"items": {"type": "integer"}}}})
[('a[1]', "is 'x'; expected an integer")]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from parity.text import shorten

__all__ = ["schema_errors", "SchemaError"]

_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs", "$comment", "examples"}
_KEYWORDS = {"type", "const", "enum", "required", "properties", "patternProperties",
             "additionalProperties", "propertyNames", "pattern", "items", "minItems", "maxItems",
             "minimum", "$ref", "dependentSchemas", "allOf", "not", "if", "then"}
_TYPE_NAMES = {"object": "an object", "array": "an array", "string": "a string",
               "integer": "an integer", "number": "a number", "boolean": "true or false",
               "null": "null"}


class SchemaError(ValueError):
    """The schema itself uses a keyword this validator does not implement."""


def _is(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "integer":  # JSON Schema: 1.0 is an integer
        return isinstance(value, int) or isinstance(value, float) and value.is_integer()
    if kind == "number":
        return isinstance(value, (int, float))
    raise SchemaError(f"type {kind!r}: expected one of {sorted(_TYPE_NAMES)}")


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (1 == 1.0), booleans only equal booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is(a, "number") and _is(b, "number"):
        return a == b
    return type(a) is type(b) and a == b


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _show(value: Any) -> str:
    return shorten(repr(value), 60, one_line=False)


def schema_errors(instance: Any, schema: Mapping[str, Any], *,
                  root: Mapping[str, Any] | None = None, path: str = "") -> list[tuple[str, str]]:
    """Every violation of ``schema`` by ``instance``, as (field path, message) pairs, in the
    order found; an empty list when it is valid.

    Parameters
    ----------
    instance
        a parsed JSON value (``json.loads``).
    schema
        a JSON Schema using only the keywords listed in the module docstring.
    root, path
        for the recursion: the schema ``$ref`` resolves against, and the path so far.
    """
    root = schema if root is None else root
    if unknown := sorted(set(schema) - _KEYWORDS - _ANNOTATIONS):
        raise SchemaError(f"schema keyword(s) {unknown} at {path or 'the top'}: not implemented "
                          f"(expected some of {sorted(_KEYWORDS)})")
    errors: list[tuple[str, str]] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise SchemaError(f"$ref {ref!r}: expected '#/$defs/<name>'")
        errors += schema_errors(instance, root["$defs"][ref.removeprefix("#/$defs/")], root=root,
                                path=path)
    for sub in schema.get("allOf", ()):
        errors += schema_errors(instance, sub, root=root, path=path)
    if "not" in schema and not schema_errors(instance, schema["not"], root=root, path=path):
        errors.append((path, f"is {_show(instance)}; expected anything but {schema['not']}"))
    if "if" in schema and "then" in schema \
            and not schema_errors(instance, schema["if"], root=root, path=path):
        errors += schema_errors(instance, schema["then"], root=root, path=path)
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(instance, k) for k in kinds):
            return errors + [(path, f"is {_show(instance)}; expected "
                                    + " or ".join(_TYPE_NAMES[k] for k in kinds))]
    if "const" in schema and not _equal(instance, schema["const"]):
        errors.append((path, f"is {_show(instance)}; expected {schema['const']!r}"))
    if "enum" in schema and not any(_equal(instance, e) for e in schema["enum"]):
        errors.append((path, f"is {_show(instance)}; expected one of {schema['enum']}"))
    if isinstance(instance, str) and "pattern" in schema and not re.search(schema["pattern"], instance):
        wanted = schema.get("description", "a string matching")  # the schema says what it means
        errors.append((path, f"is {_show(instance)}; expected {wanted} ({schema['pattern']})"))
    if "minimum" in schema and _is(instance, "number") and instance < schema["minimum"]:
        errors.append((path, f"is {instance!r}; expected at least {schema['minimum']}"))
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            errors.append((path, f"has {len(instance)} item(s); expected at least {schema['minItems']}"))
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            errors.append((path, f"has {len(instance)} item(s); expected at most {schema['maxItems']}"))
        if "items" in schema:
            for i, item in enumerate(instance):
                errors += schema_errors(item, schema["items"], root=root, path=_join(path, i))
    if isinstance(instance, Mapping):
        for key in schema.get("required", ()):
            if key not in instance:
                errors.append((_join(path, key), "missing (a required field)"))
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        names = schema.get("propertyNames")
        extra = schema.get("additionalProperties", True)
        for key, value in instance.items():
            where = _join(path, key)
            if names is not None:
                errors += [(where, f"the name {message.removeprefix('is ')}")
                           for _, message in schema_errors(key, names, root=root, path=where)]
            matched = [sub for pattern, sub in patterns.items() if re.search(pattern, key)]
            for sub in matched:
                errors += schema_errors(value, sub, root=root, path=where)
            if key in properties:
                errors += schema_errors(value, properties[key], root=root, path=where)
            elif matched:
                pass  # additionalProperties applies only to names no other keyword covers
            elif extra is False:
                errors.append((where, f"unknown field; expected one of {sorted(properties)}"))
            elif isinstance(extra, Mapping):
                errors += schema_errors(value, extra, root=root, path=where)
        for key, sub in schema.get("dependentSchemas", {}).items():
            if key in instance:
                errors += [(p, f"{m} (required when {_join(path, key)} is given)")
                           for p, m in schema_errors(instance, sub, root=root, path=path)]
    return errors
