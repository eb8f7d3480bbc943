"""A TCP proxy in front of PostgreSQL that can lose a commit's answer on purpose.

Listens on 127.0.0.1 and relays to the server's socket. When armed, it watches
what the client sends for a COMMIT and then breaks that connection in one of two
ways: `after` lets the COMMIT reach the server, waits for it to be done, and
closes both sides before the answer comes back (the commit happened, the client
never hears so); `before` closes the connection instead of sending the COMMIT
(nothing was stored). Either way it disarms itself, so the client's next
connections pass untouched, unless it was told to vanish too: then it drops every
connection and refuses new ones until it comes back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

COMMIT = b"COMMIT\x00"
#: How long the proxy lets the server work on a COMMIT before cutting the line.
SERVER_GRACE = 0.3


class LossyProxy:
    """Relays connections to PostgreSQL; loses one COMMIT's answer when armed."""

    def __init__(self, connect: Callable[[], socket.socket]) -> None:
        self.connect = connect
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.armed: str | None = None
        self.vanishing = False
        self.gone = False
        self.cuts = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closing = False
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @classmethod
    def to_unix_socket(cls, directory: str, port: int) -> LossyProxy:
        """A proxy in front of a server listening on a unix socket."""
        path = str(Path(directory) / f".s.PGSQL.{port}")

        def connect() -> socket.socket:
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.connect(path)
            return server

        return cls(connect)

    def arm(self, how: str, vanish: bool = False) -> None:
        """Break the next COMMIT `before` it reaches the server, or `after`."""
        self.armed, self.vanishing = how, vanish

    def vanish(self) -> None:
        """Drop every connection and refuse new ones, as a dead server would."""
        self.gone = True
        self.drop_all()

    def come_back(self) -> None:
        """Relay connections again."""
        self.gone = False

    def drop_all(self, keep: tuple[socket.socket, ...] = ()) -> None:
        """Close every relayed connection now (the server seems to vanish)."""
        with self._lock:
            for sock in self._sockets:
                if sock in keep:
                    continue
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets = [sock for sock in self._sockets if sock in keep]

    def close(self) -> None:
        """Stop listening and close everything."""
        self._closing = True
        # Wakes the accepting thread at once (close alone leaves it waiting).
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.drop_all()
        self._accepting.join(timeout=5)

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.gone:
                client.close()
                continue
            try:
                server = self.connect()
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            threading.Thread(
                target=self._relay, args=(client, server, True), daemon=True
            ).start()
            threading.Thread(
                target=self._relay, args=(server, client, False), daemon=True
            ).start()

    def _relay(
        self, source: socket.socket, sink: socket.socket, upstream: bool
    ) -> None:
        try:
            while data := source.recv(65536):
                how = self.armed if upstream and COMMIT in data else None
                if how is not None:
                    self._cut(source, sink, data, how)
                    return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def _cut(
        self, client: socket.socket, server: socket.socket, data: bytes, how: str
    ) -> None:
        self.armed = None
        self.cuts += 1
        if self.vanishing:
            # Nothing else gets through from now on, idle pooled connections
            # included: only this connection's COMMIT still reaches the server.
            self.gone = True
            self.drop_all(keep=(client, server))
        if how == "after":
            # Stop relaying answers first, so the client never sees the commit's.
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            server.sendall(data)
            time.sleep(SERVER_GRACE)
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
