"""Hostile JSON bodies at every write endpoint: never a 5xx, never a stray event.

Every write endpoint the app has (see test_hostile_world) gets arbitrary JSON,
bodies shaped by its OpenAPI schema with one field mutated, broken bytes and wrong
content types, with existing and hostile path parameters, as an admin (whom no
role check stops before validation) and, in a smaller run, as a customer.
"""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.test_hostile_world import (
    COMPONENTS,
    FUZZ,
    JSON,
    OPERATIONS,
    Operation,
    Sent,
    World,
    Worlds,
    examples,
    headers_for,
    send,
)

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


BROKEN = [
    b"",
    b" ",
    b"{",
    b"}",
    b"[" * 100_000,
    b'{"a":' * 20_000,
    b'{"value": ' + b"9" * 5000 + b"}",
    b'{"value": 1e999999}',
    b'{"value": -0.0e-999999}',
    b'{"title": "\xff\xfe"}',
    b'{"title": "\\ud800"}',
    b"\x00",
    b"NaN",
    b"Infinity",
    b'{"title": NaN}',
    b'{"a": 1, "a": 2}',
    b'{"__proto__": {"admin": true}}',
    b"null",
    b'"' + b"x" * 100_000 + b'"',
]
CONTENT_TYPES = [
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/json; charset=bogus",
    "application/problem+json",
    "APPLICATION/JSON",
    "application/jsonx",
    "text/plain",
    "text/json",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=zzz",
    "multipart/mixed; boundary=zzz",
    "",
    ";",
    "application/json\x00",
    "\u00e9/\u00e9",
]


@st.composite
def bodies(draw: st.DrawFn, op: Operation) -> tuple[bytes, str | None]:
    """A hostile body and its content type."""
    kind = draw(st.sampled_from(["json", "mutated", "mutated", "broken", "type"]))
    if kind == "json":
        return encode(draw(json_values())), "application/json"
    body = mutate(draw, draw(shaped(op))) if kind != "type" else draw(shaped(op))
    content = encode(body)
    if kind == "type":
        return content, draw(st.none() | st.sampled_from(CONTENT_TYPES))
    if kind == "broken":
        cut = draw(st.integers(0, len(content)))
        content = draw(
            st.sampled_from(BROKEN)
            | st.binary(max_size=40)
            | st.just(content[:cut])
            | st.just(b"\xef\xbb\xbf" + content)
            | st.just(content.decode().encode("utf-16"))
        )
    return content, "application/json"


WORLDS = Worlds()


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.path}")
@FUZZ
@given(data=st.data())
def test_admin_gets_a_problem_for_every_hostile_body(
    op: Operation, data: st.DataObject
) -> None:
    world = WORLDS.get()
    url = url_for(data, world, op)
    content, content_type = data.draw(bodies(op))
    send(
        world, Sent(op.method, url, content, headers_for(world, "admin", content_type))
    )


@settings(FUZZ, max_examples=examples(60))
@given(data=st.data())
def test_customer_gets_a_problem_for_every_hostile_body(data: st.DataObject) -> None:
    world = WORLDS.get()
    op = data.draw(st.sampled_from(OPERATIONS))
    url = url_for(data, world, op)
    content, content_type = data.draw(bodies(op))
    send(world, Sent(op.method, url, content, headers_for(world, "bob", content_type)))
