"""uvicorn's HTTP/1.1 protocol, closing clients that never finish a request head.

uvicorn waits for a connection's first request without a time limit, and a
kept-alive connection that sends one byte before its idle timeout waits again
without one; so a client that opens connections and sends nothing, or a
header a byte at a time ("slowloris"), holds a file descriptor each until
the server can accept no more. Here a request head must arrive whole within
`head_seconds` of the connection, or of its first byte after a response;
otherwise the connection is closed. A body is timed by api/body_limit.py.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a whole request head.
HEAD_SECONDS = 10.0


class PromptClients(H11Protocol):
    """H11Protocol with a deadline on each request head."""

    head_seconds = HEAD_SECONDS
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the first head's deadline with the connection."""
        super().connection_made(transport)
        self._expect_head()

    def data_received(self, data: bytes) -> None:
        """Start a head's deadline at its first byte; end it once it is whole."""
        if self._head_deadline is None and self.conn.their_state is h11.IDLE:
            self._expect_head()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._head_arrived()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline with the connection."""
        self._head_arrived()
        super().connection_lost(exc)

    def _expect_head(self) -> None:
        self._head_deadline = self.loop.call_later(self.head_seconds, self._too_slow)

    def _head_arrived(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def prompt_clients(head_seconds: float) -> type[PromptClients]:
    """The protocol, with this deadline on each request head."""
    return type("PromptClients", (PromptClients,), {"head_seconds": head_seconds})
