"""Hostile headers at every write endpoint: If-Match, Idempotency-Key, X-Request-Id
and Authorization that are malformed, oversized, duplicated or full of control
characters. The body is one the schema accepts, so only the headers are wrong.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.hostile_values import HOSTILE_TEXTS, encode, shaped, url_for
from tests.e2e.hostile_world import (
    FUZZ,
    OPERATIONS,
    Sent,
    Worlds,
    examples,
    headers_for,
    send,
)

WORLDS = Worlds()
JSON_MEDIA = "application/json"
ETAGS = ['"1"', 'W/"2"', "1", "*", "", " ", '"abc"', '"-1"', '"1", "2"', "W/", '"1']
ETAGS += ['"' + "9" * 13 + '"', '"0"', '"\u0661"', "\x00", '"1"\r\nX-Evil: 1']
KEYS = ["ok-key", "", " ", "k" * 200, "k" * 201, "a b", "\x00", "\x7f", "key\r\n"]
KEYS += ["\u00e9t\u00e9", "\t", "../../", "' OR 1=1 --"]
SCHEMES = ["Bearer", "bearer", "BEARER", "Basic", "Token", "", "Bearer\x00"]


def header_values(samples: list[str]) -> st.SearchStrategy[bytes]:
    """Samples, arbitrary text and arbitrary bytes, as raw header values."""
    texts = st.sampled_from(samples + HOSTILE_TEXTS) | st.text(max_size=40)
    return texts.map(lambda t: t.encode("utf-8")) | st.binary(max_size=40)


@settings(FUZZ, max_examples=examples(100))
@given(data=st.data())
def test_hostile_write_headers_get_a_problem(data: st.DataObject) -> None:
    world = WORLDS.get()
    op = data.draw(st.sampled_from(OPERATIONS))
    url = url_for(data, world, op)
    headers = headers_for(world, "admin", JSON_MEDIA)
    for name, samples in (
        (b"if-match", ETAGS),
        (b"idempotency-key", KEYS),
        (b"x-request-id", KEYS),
    ):
        for _ in range(data.draw(st.integers(0, 2))):
            headers.append((name, data.draw(header_values(samples))))
    sent = Sent(op.method, url, encode(data.draw(shaped(op))), headers)
    send(world, sent)


@settings(FUZZ, max_examples=examples(60))
@given(data=st.data())
def test_malformed_authorization_gets_a_problem(data: st.DataObject) -> None:
    world = WORLDS.get()
    op = data.draw(st.sampled_from(OPERATIONS))
    url = url_for(data, world, op)
    secret = world.headers["admin"]["Authorization"].split(" ", 1)[1]
    scheme = data.draw(st.sampled_from(SCHEMES))
    token = data.draw(
        st.sampled_from([secret[:-1], secret + "x", secret.upper(), f"{secret} x"])
        | st.sampled_from(["", " ", "x" * 201, "\x00", "a\r\nb", "null"])
        | st.text(max_size=60)
    )
    value = data.draw(
        st.sampled_from([f"{scheme} {token}", f"{scheme}{token}", token])
    ).encode("utf-8")
    if data.draw(st.booleans()):
        value = data.draw(st.binary(max_size=60))
    headers = [(b"authorization", value), (b"content-type", JSON_MEDIA.encode())]
    if data.draw(st.booleans()):
        headers.append((b"authorization", f"Bearer {secret}".encode()))
    sent = Sent(op.method, url, encode(data.draw(shaped(op))), headers)
    send(world, sent)
