"""DATA read in blocks (mail/smtp_data.py) against aiosmtpd's own line by line
reading: the same bytes sent to both, in the same pieces, get the same answer
and hand on the same message; and the session goes on after either."""

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mail.smtp_data import TOO_LONG, TOO_MUCH, WholeData, read_data
from mail.smtp_server import free_port

SIZE_LIMIT = 2500
LINE_LIMIT = SMTP.line_length_limit


class Keeper:
    """Keeps each message handed on (and its content, as the session gave it)."""

    def __init__(self) -> None:
        self.got: list[bytes] = []
        self.contents: list[bytes | str | None] = []

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.got.append(envelope.original_content or b"")
        self.contents.append(envelope.content)
        return "250 Kept"


class _Blocks(Controller):
    def factory(self) -> SMTP:
        return WholeData(self.handler, **self.SMTP_kwargs)


@contextmanager
def listener(kind: type[Controller], **options: Any) -> Iterator[tuple[int, Keeper]]:
    keeper = Keeper()
    port = free_port("127.0.0.1")
    controller = kind(
        keeper, hostname="127.0.0.1", port=port, data_size_limit=SIZE_LIMIT, **options
    )
    controller.start()
    try:
        yield port, keeper
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def both() -> Iterator[tuple[tuple[int, Keeper], tuple[int, Keeper]]]:
    with listener(Controller) as lines, listener(_Blocks) as blocks:
        yield lines, blocks


class Client:
    """One SMTP session over a socket, answers read line by line."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.answer()  # the greeting

    def answer(self) -> str:
        """The whole (possibly multi-line) answer, its last line."""
        while True:
            line = self.file.readline().decode()
            if line[3:4] != "-":
                return line.rstrip("\r\n")

    def say(self, command: bytes) -> str:
        self.sock.sendall(command)
        return self.answer()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def exchange(port: int, pieces: list[bytes], then: bytes = b"") -> list[str]:
    """Send a message's data in pieces (and a command straight after, in the
    last piece); the answers to DATA's end, to what came after, and to NOOP."""
    session = Client(port)
    try:
        assert session.say(b"EHLO client.test\r\n").startswith("250")
        assert session.say(b"MAIL FROM:<bob@acme.test>\r\n").startswith("250")
        assert session.say(b"RCPT TO:<support@desk.test>\r\n").startswith("250")
        assert session.say(b"DATA\r\n").startswith("354")
        for n, piece in enumerate(pieces):
            session.sock.sendall(piece + (then if n == len(pieces) - 1 else b""))
            time.sleep(0.0005)  # the pieces arrive as reads of their own
        answers = [session.answer()]
        if then:
            answers.append(session.answer())
        answers.append(session.say(b"NOOP\r\n"))
        return answers
    finally:
        session.close()


def cut(data: bytes, at: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(p % (len(data) + 1) for p in at)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


def line() -> st.SearchStrategy[bytes]:
    plain = st.binary(max_size=0) | st.lists(
        st.sampled_from([b"a", b".", b"\r", b"\n", b" ", b"\xc3\xa9", b"0"]),
        max_size=12,
    ).map(b"".join)
    long = st.integers(LINE_LIMIT - 6, LINE_LIMIT + 4).map(lambda n: b"x" * n)
    dotted = st.sampled_from([b".", b".."]).flatmap(
        lambda dots: plain.map(lambda rest: dots + rest)
    )
    return (plain | dotted | long).filter(lambda text: b"\r\n" not in text)


def message_lines() -> st.SearchStrategy[list[bytes]]:
    # A lone dot would end the message early: a sender stuffs it as "..".
    return st.lists(line().filter(lambda text: text != b"."), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=message_lines(),
    at=st.lists(st.integers(0, 10_000), max_size=6),
    then=st.sampled_from([b"", b"NOOP\r\n", b"RSET\r\n"]),
)
# At each limit and one past it: the size, then a line.
@example(lines=[b"a" * 98] * 25, at=[], then=b"")
@example(lines=[b"a" * 98] * 24 + [b"a" * 99], at=[], then=b"")
@example(lines=[b"x" * (LINE_LIMIT - 2)], at=[500], then=b"")
@example(lines=[b"x" * (LINE_LIMIT - 1)], at=[], then=b"NOOP\r\n")
def test_blocks_answer_and_hand_on_what_lines_do(
    both: tuple[tuple[int, Keeper], tuple[int, Keeper]],
    lines: list[bytes],
    at: list[int],
    then: bytes,
) -> None:
    data = b"".join(text + b"\r\n" for text in lines) + b".\r\n"
    pieces = cut(data, at)
    (lines_port, by_lines), (blocks_port, by_blocks) = both
    kept_before = len(by_lines.got), len(by_blocks.got)

    told_by_lines = exchange(lines_port, pieces, then)
    told_by_blocks = exchange(blocks_port, pieces, then)

    too_long = any(len(text) + 2 > LINE_LIMIT for text in lines)
    too_much = len(data) - 3 > SIZE_LIMIT
    if too_long and too_much:
        # Which came first is judged at the same line only roughly: a refusal
        # either way, and the session goes on alike.
        assert told_by_lines[0][:3] in {"500", "552"}
        assert told_by_blocks[0][:3] in {"500", "552"}
        assert told_by_blocks[1:] == told_by_lines[1:]
    else:
        assert told_by_blocks == told_by_lines
    assert by_blocks.got[kept_before[1] :] == by_lines.got[kept_before[0] :]


def test_the_refusals_are_aiosmtpds_words(
    both: tuple[tuple[int, Keeper], tuple[int, Keeper]],
) -> None:
    (_, _), (blocks_port, _) = both
    long_line = b"x" * LINE_LIMIT + b"\r\n.\r\n"
    too_much = b"y" * 70 + b"\r\n"

    assert exchange(blocks_port, [long_line])[0] == TOO_LONG
    assert exchange(blocks_port, [too_much * 40 + b".\r\n"])[0] == TOO_MUCH


def read(data: bytes, size_limit: int | None = SIZE_LIMIT) -> tuple[Any, bytes]:
    """What read_data makes of bytes in a reader, and what it leaves there."""

    async def go() -> tuple[Any, bytes]:
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        reader.feed_data(data)
        reader.feed_eof()
        got = await read_data(reader, size_limit, LINE_LIMIT)
        return got, await reader.read()

    return asyncio.run(go())


def test_a_message_of_one_empty_line_is_one_empty_line() -> None:
    assert read(b"\r\n.\r\n")[0].content == b"\r\n"
    assert read(b".\r\n")[0].content == b""


def test_a_large_message_is_read_whole_and_nothing_after_it() -> None:
    attachment = b"QUJD" * 19 + b"\r\n"
    body = b"Subject: big\r\n\r\n" + attachment * 20_000 + b"..dot\r\n"

    got, left = read(body + b".\r\nQUIT\r\n", size_limit=None)

    assert got.content == body.replace(b"\r\n..dot", b"\r\n.dot")
    assert left == b"QUIT\r\n"


def test_a_session_that_decodes_hands_on_text_as_aiosmtpd_does() -> None:
    with listener(_Blocks, decode_data=True) as (port, keeper):
        answers = exchange(port, [b"Subject: caf\xc3\xa9\r\n\r\n..hi\r\n.\r\n"])

    assert answers == ["250 Kept", "250 OK"]
    assert keeper.contents == ["Subject: caf\u00e9\r\n\r\n.hi\r\n"]
