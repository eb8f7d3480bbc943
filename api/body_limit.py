"""Request bodies have a size limit and a pace, checked as they arrive (413, 408).

FastAPI reads and parses a JSON body before it asks who the caller is, so
without a limit anybody could make the server hold and parse a body of any
size. The limit is checked against Content-Length before anything is read, and
against the bytes as they arrive for a body sent in chunks (or one longer than
it said). A body whose next part does not come within IDLE_SECONDS is refused
with 408, so a client trickling a body cannot hold a request open for ever.

A multipart body to a route that takes attachments (a new ticket, an article)
may be as large as its attachments allow, and is read only once the caller's
token is known; any other route's body has the plain limit, whatever its type
says. The inbound mail route reads its raw message against its own limit
(mail_max_bytes) and answers its own 413.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import BodyStalled, BodyTooLarge
from api.routes.inbound_mail import INBOUND_MAIL

MULTIPART = "multipart/form-data"
#: Seconds a client may leave between two parts of a body it is sending.
IDLE_SECONDS = 30.0
#: What a multipart body may carry besides its files: the payload and the
#: parts' headers and boundaries.
MULTIPART_SLACK = 4 * 1024 * 1024


@dataclass(frozen=True)
class BodyLimits:
    """The largest body of each kind, in bytes."""

    #: JSON, or any other body that is not multipart to a route taking files.
    plain: int
    #: multipart/form-data to a route taking files: a payload and attachments.
    multipart: int
    #: The paths of the routes that take files.
    multipart_paths: tuple[re.Pattern[str], ...] = ()

    def of(self, scope: Scope) -> int | None:
        """The limit on this request's body; None where the route keeps its own."""
        path = scope["path"]
        if path == INBOUND_MAIL:
            return None
        if _is_multipart(scope) and any(p.match(path) for p in self.multipart_paths):
            return self.multipart
        return self.plain


def multipart_routes(app: Starlette) -> tuple[re.Pattern[str], ...]:
    """The paths of the app's routes whose body may be multipart (with files)."""
    found = []
    for route in iter_route_contexts(app.routes):
        original, path = route.original_route, route.path_format
        if (
            isinstance(original, APIRoute)
            and path
            and MULTIPART in _body_types(original)
        ):
            found.append(compile_path(path)[0])
    return tuple(found)


def _body_types(route: APIRoute) -> dict[str, object]:
    body: dict[str, dict[str, object]] = (route.openapi_extra or {}).get(
        "requestBody", {}
    )
    return body.get("content", {})


def _is_multipart(scope: Scope) -> bool:
    return any(
        name == b"content-type" and value.lower().startswith(MULTIPART.encode())
        for name, value in scope["headers"]
    )


class BodyLimit:
    """ASGI middleware: a body over its limit is refused with 413, unread, and
    one that stalls with 408."""

    def __init__(
        self, app: ASGIApp, limits: BodyLimits, idle_seconds: float = IDLE_SECONDS
    ) -> None:
        self.app, self.limits, self.idle_seconds = app, limits, idle_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a body declared too large; count and time the parts of any other."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.of(scope)
        declared = _content_length(scope)
        if limit is not None and declared is not None and declared > limit:
            answer = BodyTooLarge(limit).answer(Request(scope))
            await answer(scope, receive, send)
            return
        body = _ArrivingBody(receive, limit, self.idle_seconds)

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The route answers without (the rest of) the body: what it
                # still receives is only its watch for the client leaving.
                body.whole = True
            await send(message)

        await self.app(scope, body.receive, answering)


class _ArrivingBody:
    """A request's body as it arrives: counted against its limit (None: the
    route counts), each part waited for `idle_seconds` at most. Once it is
    whole, the client has gone or the route has answered, receiving passes
    through untimed: a streaming answer waits on it for the client to leave."""

    def __init__(self, receive: Receive, limit: int | None, idle: float) -> None:
        self._receive, self.limit, self.idle = receive, limit, idle
        self.received, self.whole = 0, False

    async def receive(self) -> Message:
        if not self.whole:
            try:
                async with asyncio.timeout(self.idle):
                    return self._counted(await self._receive())
            except TimeoutError:
                if not self.whole:
                    # HTTP exceptions, so that FastAPI's body reading lets them
                    # through to the problem handlers (any other becomes a 400).
                    raise BodyStalled(self.idle) from None
                # The route answered meanwhile (a stream): it only watches for
                # the client leaving now.
        return await self._receive()

    def _counted(self, message: Message) -> Message:
        if message["type"] != "http.request":
            self.whole = True
            return message
        self.received += len(message.get("body", b""))
        if self.limit is not None and self.received > self.limit:
            raise BodyTooLarge(self.limit)
        self.whole = not message.get("more_body", False)
        return message


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
