"""Any bytes, and any damage to a real message, parse to a message or a reason;
the parser never raises, and no text field carries what a store refuses."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st

from mail.parsing import MailPart, ParsedMail, Unparsable, parse_message
from tests.mail_samples import (
    LIMIT,
    delivery_report,
    newsletter_with_inline_image,
    plain,
)

SAMPLES = (plain(), newsletter_with_inline_image(), delivery_report())
HEADERS = ("From", "To", "Cc", "Subject", "Message-ID", "References", "Content-Type")
#: Header lines of known names with any bytes as their values, then any body.
HEADED = st.builds(
    lambda lines, body: b"".join(lines) + b"\r\n" + body,
    st.lists(
        st.builds(
            lambda name, value: name.encode() + b": " + value + b"\r\n",
            st.sampled_from(HEADERS),
            st.binary(max_size=64),
        ),
        min_size=1,
        max_size=6,
    ),
    st.binary(max_size=512),
)


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A real message with bytes flipped, inserted and deleted here and there."""
    raw = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, len(raw) - 1))
        change = draw(st.sampled_from(["flip", "insert", "delete"]))
        if change == "flip":
            raw[at] ^= draw(st.integers(1, 255))
        elif change == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif len(raw) > 1:
            del raw[at : at + draw(st.integers(1, 16))]
    return bytes(raw)


def texts(mail: ParsedMail | Unparsable) -> Iterator[str]:
    """Every string the result holds, in its lists and attachments too."""
    for field in fields(mail):
        value = getattr(mail, field.name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, MailPart):
                yield from (item.filename, item.content_type, item.content_id or "")
            elif isinstance(item, str):
                yield item


def assert_storable(mail: ParsedMail | Unparsable) -> None:
    assert isinstance(mail, ParsedMail | Unparsable)
    for text in texts(mail):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogate
    if isinstance(mail, ParsedMail):
        assert all(part.filename for part in mail.attachments)
        assert all("/" not in part.filename for part in mail.attachments)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048) | HEADED)
def test_any_bytes_parse_or_give_a_reason(raw: bytes) -> None:
    assert_storable(parse_message(raw, LIMIT))


@settings(max_examples=200, deadline=None)
@given(damaged())
def test_a_damaged_message_parses_or_gives_a_reason(raw: bytes) -> None:
    assert_storable(parse_message(raw, LIMIT))
