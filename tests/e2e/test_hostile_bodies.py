"""Hostile JSON bodies at every write endpoint: never a 5xx, never a stray event.

Every write endpoint the app has (see hostile_world) gets arbitrary JSON,
bodies shaped by its OpenAPI schema with one field mutated, broken bytes and wrong
content types, with existing and hostile path parameters, as an admin (whom no
role check stops before validation) and, in a smaller run, as a customer.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.hostile_values import encode, json_values, mutate, shaped, url_for
from tests.e2e.hostile_world import (
    FUZZ,
    OPERATIONS,
    Operation,
    Sent,
    Worlds,
    examples,
    headers_for,
    send,
)

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
