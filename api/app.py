"""The FastAPI app factory: everything it needs comes in as arguments."""

from __future__ import annotations

from fastapi import FastAPI

from api.body_limit import MULTIPART_SLACK, BodyLimit, BodyLimits, multipart_routes
from api.freshness import OneLookPerRequest
from api.openapi import document_answers
from api.problems import install_problem_handlers
from api.request_ids import RequestIds
from api.routes import (
    activity,
    admin,
    commands,
    health,
    history,
    inbound_mail,
    metrics,
    reports,
    search,
    sla,
    tasks,
    ticket_list,
    tickets,
    views_queues,
    views_tasks,
    views_work,
)
from api.schemas.tickets import ArticleIn, TicketIn
from api.services import Services
from api.uploads import document_bodies
from api.workers import workers_lifespan

DESCRIPTION = """\
tickettape is an event-sourced helpdesk backend: every ticket is rebuilt from its
immutable events, so its history is complete and nothing is updated in place.

Authenticate with `Authorization: Bearer <token>`. Errors are RFC 9457
`application/problem+json`. Writes accept `Idempotency-Key` (a retry answers the
first result), `X-Request-Id` (the correlation id recorded on every event; one is
made up when it is missing, and every answer carries it back) and `If-Match` (the
record's ETag, its version, or `*`); a stale `If-Match` is 412, a stale
`expected_version` 409 with the current version in the body.
"""


def create_app(services: Services) -> FastAPI:
    """Build the API around the given services."""
    app = FastAPI(
        title="tickettape",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=workers_lifespan(services.worker_threads),
    )
    app.state.services = services
    install_problem_handlers(app)
    for module in (
        health,
        metrics,
        tickets,
        ticket_list,
        search,
        history,
        views_queues,
        views_work,
        views_tasks,
        activity,
        commands,
        tasks,
        admin,
        reports,
        sla,
        inbound_mail,
    ):
        app.include_router(module.router)
    app.add_middleware(OneLookPerRequest)
    multipart = services.max_attachments * services.max_attachment_bytes
    limits = BodyLimits(
        services.max_request_bytes,
        multipart + MULTIPART_SLACK,
        multipart_routes(app),
    )
    app.add_middleware(
        BodyLimit, limits=limits, idle_seconds=services.body_idle_seconds
    )
    # Outermost: every answer carries the request's id, a refused body's too.
    app.add_middleware(RequestIds)
    document_bodies(app, TicketIn, ArticleIn)
    document_answers(app)
    return app
