"""Clients that keep presenting bad tokens are turned away for a while (429).

A token is too long to guess, but every guess still costs the server a hash
and a look-up, and a client that keeps failing is misconfigured or probing.
Each client address (an IPv6 one as its /64) may present a bad token
`failures` times within `window` seconds; past that, each of its requests that
carries a token is refused (429, Retry-After) until its oldest failure in the
window has aged out. A good token is refused as well, so the answers never
tell a guesser which of its guesses was right. Requests without a token are
not counted: they are plain 401s, and cost nothing to check.

The count is per process and per address as uvicorn reports it: it takes
X-Forwarded-For from a proxy on 127.0.0.1, and from the addresses in
FORWARDED_ALLOW_IPS; behind a proxy it does not trust, every client counts as
the proxy. At most `clients` addresses are remembered, the longest quiet
forgotten first, so a flood of addresses cannot grow the memory without bound.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

#: Addresses remembered at most.
CLIENTS = 10_000
#: The prefix of an IPv6 client counted as one: a host gets a whole /64.
IPV6_PREFIX = 64


def client_key(host: str) -> str:
    """The address a client's failures count against: an IPv4 address as it
    is, an IPv6 one as its /64, anything else (a test client's name) as it is."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


class AuthThrottle:
    """Failed authentications per client address, in a sliding window."""

    def __init__(
        self,
        failures: int,
        window: float = 60.0,
        clients: int = CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1 or window <= 0 or clients < 1:
            raise ValueError("a throttle needs failures >= 1, window > 0, clients >= 1")
        self.failures, self.window, self.clients = failures, window, clients
        self._clock = clock
        self._failed: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> int:
        """Whole seconds until this client may present a token again; 0: now."""
        with self._lock:
            now = self._clock()
            times = self._holding(client, now)
            if times is None:
                return 0
            return max(1, math.ceil(times[0] + self.window - now))

    def held_back(self) -> int:
        """How many addresses are refused now."""
        with self._lock:
            now = self._clock()
            return sum(
                1
                for client in list(self._failed)
                if self._holding(client, now) is not None
            )

    def failed(self, client: str) -> bool:
        """Count a bad token this client presented; True if that was the one
        that holds it back."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if times is None:
                times = self._failed[client] = deque(maxlen=self.failures)
                while len(self._failed) > self.clients:
                    self._failed.popitem(last=False)
            times.append(now)
            self._failed.move_to_end(client)
            return len(times) == self.failures

    def _holding(self, client: str, now: float) -> deque[float] | None:
        """The client's failures in the window, when they are enough to hold
        it back (None: it is let through)."""
        times = self._recent(client, now)
        return times if times is not None and len(times) >= self.failures else None

    def _recent(self, client: str, now: float) -> deque[float] | None:
        """The client's failures still in the window (None: none at all)."""
        times = self._failed.get(client)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failed[client]
            return None
        return times
