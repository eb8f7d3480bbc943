"""RFC 9457 problem responses, and the one table that maps domain errors to HTTP."""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import (
    AlreadyExists,
    CommitUncertain,
    DomainError,
    FollowUpRejected,
    IdempotencyKeyReused,
    InvalidValue,
    NotFound,
    RuleViolation,
    TicketMerged,
    VersionConflict,
)

PROBLEM_JSON = "application/problem+json"
# Seconds a client should wait before trying a store that did not answer.
RETRY_AFTER = "2"
# What the stores raise when they cannot be reached, time out or are locked:
# eventsourcing's wrappers, psycopg's (the views and blobs) and SQLite's.
STORE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)

#: What a full, read-only or failing disk raises where attachments and raw
#: mails are kept: nothing was recorded, and a retry may well succeed.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO})

logger = logging.getLogger("tickettape.api")

#: The JSON schema of every problem this API sends: RFC 9457's members, plus
#: the extensions some problems carry.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: what went wrong, for people and programs.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong, this time."},
        "instance": {"type": "string", "description": "The path that was asked."},
        "code": {
            "type": "string",
            "description": "The domain error, e.g. version-conflict, not-found.",
        },
        "current_version": {
            "type": "integer",
            "description": "On a version conflict: the record's version now.",
        },
        "merged_into": {
            "type": "string",
            "description": "On a merged ticket: the ticket it was merged into.",
        },
        "limit": {
            "type": "integer",
            "description": "On a too large attachment or body: the limit in bytes.",
        },
        "retry_after": {
            "type": "integer",
            "description": "On too many bad tokens: seconds until this client may "
            "present a token again (as the Retry-After header).",
        },
        "errors": {
            "type": "array",
            "description": "On an invalid request: each objection of the schema.",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}

_STATUS_BY_ERROR: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "Not Found"),
    (VersionConflict, 409, "Version Conflict"),
    (AlreadyExists, 409, "Already Exists"),
    (TicketMerged, 409, "Ticket Merged"),
    (FollowUpRejected, 409, "Follow-up Rejected"),
    (RuleViolation, 409, "Not Allowed Now"),
    (IdempotencyKeyReused, 422, "Idempotency Key Reused"),
    (InvalidValue, 422, "Invalid Value"),
    (DomainError, 400, "Bad Request"),
]


class BodyRefused(StarletteHTTPException):
    """A request body refused as it arrived (api/body_limit.py): an HTTP
    exception, so that FastAPI's body reading passes it on rather than
    answering 400. The client should not go on sending on this connection."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(status, detail)
        self.title, self.extra = title, extra

    def answer(self, request: Request) -> JSONResponse:
        """The problem response, closing the connection."""
        close = {"Connection": "close"}
        return problem(
            self.status_code, self.title, str(self.detail), request, close, **self.extra
        )


class BodyTooLarge(BodyRefused):
    """A request body over its limit."""

    def __init__(self, limit: int) -> None:
        detail = f"the request body exceeds the limit of {limit} bytes"
        super().__init__(413, "Request Too Large", detail, limit=limit)


class BodyStalled(BodyRefused):
    """A request body whose next part did not come in time."""

    def __init__(self, seconds: float) -> None:
        detail = f"the request body stalled: nothing came for {seconds:g} s"
        super().__init__(408, "Request Timeout", detail)


class ApiProblem(Exception):
    """An HTTP-level refusal raised by the edge itself (auth, limits, headers)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int,
    title: str,
    detail: str,
    request: Request,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"https://tickettape.dev/problems/{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


def domain_problem(error: DomainError, request: Request) -> JSONResponse:
    """The HTTP answer for a refused command."""
    status, title = next(
        (status, title)
        for kind, status, title in _STATUS_BY_ERROR
        if isinstance(error, kind)
    )
    extra: dict[str, Any] = {"code": error.code}
    if isinstance(error, VersionConflict):
        extra["current_version"] = error.current_version
        if request.headers.get("if-match"):
            status, title = 412, "Precondition Failed"
    if isinstance(error, TicketMerged):
        extra["merged_into"] = error.target
    return problem(status, title, error.message, request, **extra)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error, expected or not, answer as problem+json."""

    async def on_domain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return domain_problem(exc, request)

    async def on_api(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiProblem)
        return problem(
            exc.status, exc.title, exc.detail, request, exc.headers, **exc.extra
        )

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": list(e.get("loc", ())),
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        return problem(
            422,
            "Invalid Request",
            "the request does not match the schema",
            request,
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            request,
            dict(exc.headers or {}),
        )

    async def on_uncertain(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, CommitUncertain)
        return problem(
            503,
            "Outcome Unknown",
            f"{exc.message}. Retrying with the same Idempotency-Key is safe: it "
            "returns the first result if the command was stored, and stores it "
            "once if it was not; without a key, read the ticket before retrying",
            request,
            {"Retry-After": RETRY_AFTER},
            code="commit-uncertain",
        )

    async def on_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return _try_again(
            request,
            exc,
            "the store",
            "Store Unavailable",
            "the store cannot be reached or is too busy right now; this request "
            "changed nothing, try again shortly",
        )

    async def on_os_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, OSError)
        if exc.errno not in STORAGE_ERRNOS:
            raise exc  # a bug, not the disk: the generic 500 below
        return _try_again(
            request,
            exc,
            "the disk",
            "Storage Unavailable",
            "the server cannot store files right now (its disk is full or "
            "failing); this request recorded nothing, try again later",
        )

    async def on_body_refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, BodyRefused)
        return exc.answer(request)

    app.add_exception_handler(BodyRefused, on_body_refused)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(CommitUncertain, on_uncertain)
    app.add_exception_handler(OSError, on_os_error)
    for unavailable in STORE_UNAVAILABLE:
        app.add_exception_handler(unavailable, on_unavailable)
    app.add_exception_handler(ApiProblem, on_api)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_middleware(UnexpectedErrors)


def _try_again(
    request: Request, exc: Exception, what: str, title: str, detail: str
) -> JSONResponse:
    """Log what failed, and answer 503 with Retry-After: the request changed
    nothing, and the same request may well succeed shortly."""
    logger.error(
        "%s failed on %s %s", what, request.method, request.url.path, exc_info=exc
    )
    code = title.lower().replace(" ", "-")
    return problem(503, title, detail, request, {"Retry-After": RETRY_AFTER}, code=code)


class UnexpectedErrors:
    """ASGI middleware: an error no handler took answers a generic 500 problem.

    Starlette's own last resort answers text/plain and raises the error again;
    this one logs it with its traceback and answers problem+json, and its detail
    says nothing of the error, which may hold data the caller must not see.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; answer 500 if it fails before its answer starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if started:
                # Half an answer is out; only the server can end (and log) it now.
                raise
            logger.exception(
                "unhandled error on %s %s", scope.get("method"), scope.get("path")
            )
            request = Request(scope)
            detail = "the server failed to answer; the error is logged"
            answer = problem(500, "Internal Server Error", detail, request)
            await answer(scope, receive, send)
