"""ASGI middleware: a request reads records as fresh as one look at the log.

The desk's record cache asks the store which records changed since its last
look before it trusts a cached one (domain/desk/cache.py). Within a request
that look is taken once, at the request's first read of a record, and every
later read in the request (the token, the caller's agent, the queues of their
scope, the ticket) trusts it. A command looks again, on each attempt.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from domain.desk.cache import one_look


class OneLookPerRequest:
    """Wrap each HTTP request in one look at the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on inside its look."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with one_look():
            await self.app(scope, receive, send)
