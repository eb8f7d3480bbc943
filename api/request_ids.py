"""Every request has an id: the caller's X-Request-Id, or one made up for it.

The id is the correlation id of whatever the request writes, and every answer
carries it back in X-Request-Id, so a caller can quote it to an auditor.

Every answer also says what a browser or a cache may do with it: never guess
its type from its content (`X-Content-Type-Options: nosniff`), and, for the
API's answers (tickets, people, attachments), keep no copy (`Cache-Control:
no-store`) unless the route said otherwise: they hold personal data, and a
shared machine's browser cache is no place for it.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-Id"
#: Where the answers hold what only their caller may see.
API = "/api/"
#: What an id (and an idempotency key) may hold: 1 to 200 visible ASCII characters.
VALID_ID = re.compile(r"^[\x21-\x7e]{1,200}$")


def request_id(request: Request) -> str:
    """The id of this request (set by RequestIds)."""
    return str(request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex)


class RequestIds:
    """ASGI middleware: give each HTTP request its id and answer with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its id; add the id to the answer's headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.lower().encode(), b"")
        text = given.decode("latin-1")
        # A malformed id is refused by the routes that record it (400); the
        # answer then carries a fresh one.
        chosen = text if VALID_ID.match(text) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = chosen

        private = scope["path"].startswith(API)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[HEADER] = chosen
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if private:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_id)
