"""Hostile values for the hostile-input tests: texts, URLs, JSON, mutated bodies."""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.e2e.hostile_world import COMPONENTS, JSON, Operation, World

HOSTILE_TEXTS = [
    "",
    ".",
    "..",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "\U0001f4a5" * 300,
    "\u202eevil",
    "' OR 1=1 --",
    '"; DROP TABLE stored_events; --',
    '{"$ne": null}',
    "[]",
    "null",
    "-1",
    "99999999999999999999999999",
    "NaN",
    "\r\nX-Injected: 1",
    "%00",
    "%2e%2e%2f",
]
RAW_SEGMENTS = ["%00", "%2e%2e%2f", "%ZZ", "%", "..%2F..%2F", "a/b", "%C0%AE", "%FF"]


def path_value(data: st.DataObject, world: World, key: str) -> str:
    """An existing record's name, or something hostile, ready to put in a URL."""
    existing = world.existing[key]
    kind = data.draw(st.sampled_from(["existing", "existing", "quoted", "raw"]))
    if kind == "existing":
        return quote(data.draw(st.sampled_from(existing)), safe="@")
    if kind == "raw":
        return data.draw(st.sampled_from(RAW_SEGMENTS))
    hostile = st.sampled_from(HOSTILE_TEXTS) | st.text(max_size=80)
    return quote(data.draw(hostile), safe="")


def url_for(data: st.DataObject, world: World, op: Operation) -> str:
    """The operation's URL with its path parameters filled, maybe a query."""
    url = op.path
    segments = op.path.split("/")
    for param in op.params:
        before = segments[segments.index(f"{{{param}}}") - 1]
        key = param if param in world.existing else f"{before}/{param}"
        url = url.replace(f"{{{param}}}", path_value(data, world, key))
    versions = ["", "1", "2", "0", "-1", "abc", "1e3", "9" * 30, "%00", "1&x=%ZZ"]
    if data.draw(st.integers(0, 3)):
        return url
    return f"{url}?expected_version={data.draw(st.sampled_from(versions))}"


SENSIBLE = ["alice", "General", "ACME", "bob@acme.test", "open", "high", "vip"]
SENSIBLE += ["severity", "support", "related", "question", "zed", "zed@acme.test"]


def json_values(max_leaves: int = 12) -> st.SearchStrategy[JSON]:
    """Any JSON value, NaN and the infinities included."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.integers(min_value=-(10**60), max_value=10**60)
        | st.floats()
        | st.text(max_size=40)
        | st.sampled_from(HOSTILE_TEXTS + SENSIBLE)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[JSON]:
    """Values shaped by a JSON schema (constraints mostly honoured)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    if "enum" in schema or "const" in schema:
        return st.sampled_from(schema.get("enum", [schema.get("const")]))
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        fields = {k: from_schema(v) for k, v in schema["properties"].items()}
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: v for k, v in fields.items() if k in required},
            optional={k: v for k, v in fields.items() if k not in required},
        )
    if kind == "object":
        values = schema.get("additionalProperties") or {}
        return st.dictionaries(st.text(max_size=10), from_schema(values), max_size=3)
    if kind == "array":
        size = min(schema.get("maxItems", 3), 3)
        return st.lists(from_schema(schema.get("items", {})), max_size=size)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    simple: dict[str, st.SearchStrategy[JSON]] = {
        "number": st.floats(allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
        "null": st.none(),
    }
    if kind in simple:
        return simple[kind]
    if schema.get("format") == "date-time":
        return st.sampled_from(["2030-01-01T09:00:00Z", "2030-01-01T09:00:00"])
    if "pattern" in schema:
        text = st.from_regex(schema["pattern"], fullmatch=True)
    else:
        text = st.text(string.printable, min_size=schema.get("minLength", 0))
    limit = schema.get("maxLength", 10**9)
    return st.sampled_from(SENSIBLE) | text.filter(lambda s: len(s) <= limit)


HUGE = "\x00huge\x00"
DEEP = "\x00deep\x00"
SPLICES = {
    json.dumps(HUGE).encode(): b"9" * 5000,
    json.dumps(DEEP).encode(): b"[" * 5000 + b"]" * 5000,
}


def mutate(draw: st.DrawFn, value: JSON) -> JSON:
    """The value with one thing in it replaced, removed, added or spliced."""
    hostile = json_values(6) | st.sampled_from([HUGE, DEEP])
    if not isinstance(value, dict) or not value:
        return draw(hostile)
    key = draw(st.sampled_from(sorted(value)))
    how = draw(st.sampled_from(["replace", "replace", "drop", "add", "descend"]))
    changed = dict(value)
    if how == "drop":
        del changed[key]
    elif how == "add":
        changed[
            draw(st.sampled_from(["extra", "__proto__", "$where", key.upper()]))
        ] = draw(hostile)
    elif how == "descend" and isinstance(value[key], dict | list):
        inner = value[key]
        if isinstance(inner, list) and inner:
            index = draw(st.integers(0, len(inner) - 1))
            changed[key] = [*inner[:index], draw(hostile), *inner[index + 1 :]]
        else:
            changed[key] = mutate(draw, inner)
    else:
        changed[key] = draw(hostile)
    return changed


def encode(value: JSON) -> bytes:
    """JSON bytes (NaN and Infinity allowed), with huge numbers and deep nesting."""
    content = json.dumps(value).encode()
    for sentinel, spliced in SPLICES.items():
        content = content.replace(sentinel, spliced)
    return content


def shaped(op: Operation) -> st.SearchStrategy[JSON]:
    """A body the operation's schema accepts (or nearly: names may not exist)."""
    return from_schema(op.schema) if op.schema else st.just({})
