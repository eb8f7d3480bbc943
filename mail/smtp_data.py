"""DATA read in the blocks it arrives in, not one line at a time.

aiosmtpd reads a message line by line: an await, a log call and a dozen checks
for each line, 2.4 us a line. A 10 MB attachment (134,000 lines of base64)
then holds the listener's one event loop for a third of a second, and no other
session is served meanwhile; an ordinary message with a 20 KB PDF pays 1 ms.
Here the stream is searched for the end of the message (a line holding a lone
dot) by the stream reader itself, in C, and the transparency dots (RFC 5321
4.5.2) are taken out with one replace. What the sender is told is what aiosmtpd
tells: 552 for too much data, 500 for a line over the limit, each only once
the message has ended, and the message handed on is the same bytes
(tests/integration/test_smtp_data.py holds the two side by side).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiosmtpd.smtp import MISSING, SMTP, syntax

log = logging.getLogger("mail.log")

#: A lone dot ends a line that ends the message: "\r\n.\r\n".
_DOT_LINE = b".\r\n"
_END = b"\r\n" + _DOT_LINE
TOO_MUCH = "552 Error: Too much mail data"
TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"


@dataclass(frozen=True)
class Data:
    """The message as sent (transparency dots taken out), or why it is refused."""

    content: bytes = b""
    refusal: str | None = None


async def read_data(
    reader: asyncio.StreamReader, size_limit: int | None, line_limit: int
) -> Data:
    """Read up to and including the line with a lone dot; nothing after it.

    `size_limit` bounds the message's bytes as sent (dots and line ends
    included, the dot line not); past it nothing more is kept, but the rest is
    read, so the session can go on. `line_limit` bounds a line, its CRLF
    included. The search reads no further than the end: a command the client
    sent straight after stays in the reader for the session.
    """
    # The DATA command's CRLF came before: the first line may be the last.
    kept = bytearray(b"\r\n")
    sent = 0  # the message's bytes read so far
    refusal: str | None = None
    while True:
        try:
            block = await reader.readuntil(_DOT_LINE)
        except asyncio.LimitOverrunError as overrun:
            # No end in these bytes: the reader keeps a bounded buffer (its
            # limit), and a dot line may yet begin in what it holds back.
            block = await reader.readexactly(overrun.consumed)
        sent += len(block)
        kept += block
        if kept.endswith(_END):
            break
        if refusal is None and size_limit and sent > size_limit:
            refusal = _first_refusal(bytes(kept[2:]), size_limit, line_limit)
        if refusal is not None:
            # Only what may be the start of the end is kept.
            del kept[: -len(_END)]
    if refusal is not None:
        return Data(refusal=refusal)
    del kept[-len(_DOT_LINE) :]  # every line is left, with its CRLF
    if size_limit and len(kept) - 2 > size_limit:
        return Data(refusal=_first_refusal(bytes(kept[2:]), size_limit, line_limit))
    # The leading CRLF and the empty piece after the last line are short.
    if max(map(len, kept.split(b"\r\n"))) + 2 > line_limit:
        return Data(refusal=TOO_LONG)
    # The dot a sender put before a line beginning with one is taken out
    # (RFC 5321 4.5.2): the leading CRLF finds it on the first line too.
    content = kept.replace(b"\r\n.", b"\r\n")
    del kept, content[:2]
    return Data(bytes(content))


def _first_refusal(body: bytes, size_limit: int, line_limit: int) -> str:
    """Which refusal came first, line by line as aiosmtpd reads them: a line
    over the limit is refused as it comes, before it counts towards the size."""
    lines = body.split(b"\r\n")
    sent = 0
    for number, line in enumerate(lines):
        length = len(line) + (2 if number < len(lines) - 1 else 0)
        if length > line_limit:
            return TOO_LONG
        sent += length
        if sent > size_limit:
            return TOO_MUCH
    return TOO_MUCH


class WholeData(SMTP):
    """aiosmtpd's session, with DATA read by read_data (for a session that hands
    on bytes, as the listener's do; one that decodes reads as aiosmtpd does)."""

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's name
        """aiosmtpd's DATA, as it answers: the checks, 354, the message."""
        if self._decode_data:
            await super().smtp_DATA(arg)
            return
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            data = await read_data(
                self._reader, self.data_size_limit, self.line_length_limit
            )
        except asyncio.CancelledError:
            log.info("Connection lost during DATA")
            self._writer.close()
            raise
        if data.refusal is not None:
            await self.push(data.refusal)
            self.envelope = self._create_envelope()
            return
        self.envelope.content = self.envelope.original_content = data.content
        status = await self._call_handler_hook("DATA")
        self.envelope = self._create_envelope()
        await self.push("250 OK" if status is MISSING else status)
