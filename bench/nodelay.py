"""uvicorn's HTTP/1.1 protocol with Nagle's algorithm off on every connection.

With --workers, uvicorn binds one socket in the parent (family and type given,
protocol left 0) and hands it to the workers; asyncio only sets TCP_NODELAY on
accepted sockets whose protocol says TCP, so every small response then waits
out the client's delayed ACK (40 ms on Linux). A single uvicorn process binds
through asyncio and is not affected. `--http bench.nodelay:NoDelayH11Protocol`.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that sends each response at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Turn Nagle off, then serve the connection as usual."""
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
