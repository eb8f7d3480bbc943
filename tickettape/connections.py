"""How the stores meet a PostgreSQL that drops connections, goes away or stalls.

Three policies for the composition root's stores, instead of the library's: a
failure that left nothing behind is tried again at once on another pooled
connection (a connection the server dropped fails at once), a few times within a
second; the pool tries to reconnect about every second during an outage, where
psycopg_pool would back off to minutes, so the API is back as soon as the
server is; and every connection has the server cancel a statement that runs
longer than the statement timeout, so no request waits on one without end.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import psycopg
import psycopg_pool.pool
from eventsourcing.persistence import InterfaceError, OperationalError
from psycopg import pq
from psycopg.rows import Row
from psycopg_pool.base import AttemptWithBackoff

#: The eventsourcing environment key of the statement timeout, in seconds.
STATEMENT_TIMEOUT_KEY = "POSTGRES_STATEMENT_TIMEOUT"


class _SteadyAttempts(AttemptWithBackoff):
    """Reconnection attempts about a second apart, however long the outage."""

    DELAY_BACKOFF = 1.0


# psycopg_pool has no setting for it; every pool of this process reconnects so.
psycopg_pool.pool.AttemptWithBackoff = _SteadyAttempts  # type: ignore[attr-defined]

# A pooled connection the server has dropped (a restart, a kill) fails at once,
# so a read or a write that has stored nothing tries again on the next one, a
# few times within a second. The library's own retries (ten, each waiting up to
# the connect timeout) held a request for minutes in an outage: an unreachable
# store answers within the pool's timeout instead, and the API says 503.
_ATTEMPTS = 8
_RETRY_WITHIN = 1.0


def retryable(error: Exception, attempt: int, began: float) -> bool:
    """Whether a failure left nothing behind and may be tried again at once."""
    return (
        attempt < _ATTEMPTS
        and time.monotonic() - began < _RETRY_WITHIN
        # No connection came in time: another wait would double the delay.
        and not isinstance(error.__cause__, psycopg_pool.PoolTimeout)
    )


def on_a_live_connection(read: Callable[..., Any]) -> Callable[..., Any]:
    """The library's read, unwrapped from its retries, tried on a live connection."""
    unwrapped = getattr(read, "__wrapped__", read)

    @functools.wraps(unwrapped)
    def again(*args: Any, **kwargs: Any) -> Any:
        began, attempt = time.monotonic(), 0
        while True:
            attempt += 1
            try:
                return unwrapped(*args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                if not retryable(error, attempt, began):
                    raise

    return again


def statement_timeout_option(seconds: float) -> str | None:
    """The libpq `options` item that sets the statement timeout; None for none."""
    if seconds <= 0:
        return None
    return f"-c statement_timeout={max(round(seconds * 1000), 1)}"


class BinaryResults(psycopg.Cursor[Row]):
    """A cursor whose results the server sends in binary.

    In the default text format a bytea value travels hex-encoded, twice its
    size, and is encoded and parsed on each side: fetching a long ticket's
    683 KB snapshot took 4.8 ms so, 0.36 ms in binary. The event store's
    connections make every cursor so (every type it reads has a binary loader).
    """

    def __init__(self, connection: psycopg.Connection[Any], **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        self.format = pq.Format.BINARY
