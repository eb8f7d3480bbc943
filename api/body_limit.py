"""Request bodies have a size limit, checked as they arrive (413).

FastAPI reads and parses a JSON body before it asks who the caller is, so
without a limit anybody could make the server hold and parse a body of any
size. The limit is checked against Content-Length before anything is read, and
against the bytes as they arrive for a body sent in chunks (or one longer than
it said). A multipart body to a route that takes attachments (a new ticket,
an article) may be as large as its attachments allow, and is read only once
the caller's token is known; any other route's body has the plain limit,
whatever its type says. The inbound mail route reads its raw message against
its own limit (mail_max_bytes) and answers its own 413.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import BodyTooLarge, too_large
from api.routes.inbound_mail import INBOUND_MAIL

MULTIPART = "multipart/form-data"
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
    """ASGI middleware: a body over its limit is refused with 413, unread."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a body declared too large; count the bytes of any other."""
        limit = self.limits.of(scope) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            answer = too_large(Request(scope), BodyTooLarge(limit))
            await answer(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTP exception, so that FastAPI's body reading lets it
                    # through to the problem handlers (others become a 400).
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
