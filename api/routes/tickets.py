"""Tickets and their articles: open, read, reply, note, forward, download
attachments."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from urllib.parse import quote

from fastapi import Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, CommandOrigin, Desk, ServicesDep, Staff, Writer
from api.policy import disclosure, may_see, visible_articles, visible_ticket
from api.principal import Principal
from api.problems import ApiProblem
from api.routes.admin_common import known
from api.schemas.moments import Moment
from api.schemas.tickets import ArticleIn, CommandOut, ForwardIn, TicketIn, TicketOut
from api.uploads import openapi_body, read_body
from api.workers import Router
from domain.articles import Article
from domain.attachments import AttachmentRef
from domain.commands import AddArticle, ForwardArticle, OpenTicket
from domain.desk import HelpDesk, TicketDraft
from domain.errors import NotFound
from domain.tokens import Role
from replay.history import ticket_as_of

router = Router(prefix="/api/v1/tickets", tags=["tickets"])


def etag(version: int) -> str:
    """The ETag of a ticket at a version."""
    return f'"{version}"'


def _article(
    desk: HelpDesk, caller: Principal, data: ArticleIn, attachments: list[AttachmentRef]
) -> Article:
    if caller.is_customer:
        if data.sender not in (None, "customer") or data.visibility != "public":
            raise ApiProblem(
                403, "Forbidden", "customers write public articles as themselves"
            )
        # Time accounting and notes are the staff's: refused, never dropped.
        if data.time_spent_minutes or data.channel == "note":
            raise ApiProblem(
                422,
                "Invalid Request",
                "customers set neither time_spent_minutes nor the channel note",
            )
        sender = "customer"
    else:
        sender = data.sender or "agent"
    return Article(
        article_id=desk.new_article_id(),
        sender=sender,
        visibility=data.visibility,
        channel=data.channel,
        body=data.body,
        subject=data.subject,
        body_html=data.body_html,
        from_address=data.from_address,
        to=list(data.to),
        cc=list(data.cc),
        attachments=attachments,
        message_id=data.message_id,
        in_reply_to=data.in_reply_to,
        time_spent_minutes=data.time_spent_minutes,
    )


def _draft(caller: Principal, data: TicketIn) -> TicketDraft:
    if caller.is_customer:
        if data.customer not in (None, caller.subject) or data.hidden:
            raise ApiProblem(
                403, "Forbidden", "customers open visible tickets for themselves only"
            )
        customer = caller.subject
    elif data.customer is None:
        raise ApiProblem(422, "Invalid Request", "name the ticket's customer")
    else:
        customer = data.customer.casefold()
    draft = TicketDraft(
        title=data.title,
        customer=customer,
        channel=data.channel,
        hidden=data.hidden,
        fields=dict(data.fields),
        priority=data.priority,
        type=data.type,
    )
    return replace(draft, queue=data.queue) if data.queue else draft


@router.post(
    "", status_code=201, response_model=CommandOut, openapi_extra=openapi_body(TicketIn)
)
async def open_ticket(
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    origin: CommandOrigin,
) -> CommandOut:
    """Open a ticket with its first article (JSON, or multipart with attachments)."""
    data, attachments = await read_body(request, TicketIn, services)
    desk = services.desk
    article = _article(desk, caller, data.article, attachments)
    draft = _draft(caller, data)
    if caller.role is Role.AGENT:
        # An unknown queue is an invalid value, as for every other caller.
        queue = await run_in_threadpool(known, desk.queue, draft.queue)
        if queue.group not in caller.groups:
            raise ApiProblem(403, "Forbidden", f"you do not work queue {queue.name!r}")
    result = await run_in_threadpool(desk.handle, OpenTicket(draft, article), origin)
    response.headers["Location"] = f"/api/v1/tickets/{result.number}"
    response.headers["ETag"] = etag(result.version)
    return CommandOut.of(result)


@router.get("/{number}", response_model=TicketOut, response_model_exclude_none=False)
def read_ticket(
    number: str,
    desk: Desk,
    caller: Caller,
    response: Response,
    version: Annotated[
        int | None, Query(ge=1, le=10**12, description="The ticket at this version.")
    ] = None,
    as_of: Annotated[
        Moment | None,
        Query(description="The ticket as it stood at this time (with a zone)."),
    ] = None,
) -> TicketOut:
    """The ticket as it stands (or stood), with the articles the caller may see.

    ETag = version. With `version` or `as_of` every field and article is as it
    then stood; a time before the ticket existed is 404.
    """
    ticket = visible_ticket(desk, caller, number)
    if version is not None and as_of is not None:
        raise ApiProblem(422, "Invalid Request", "give version or as_of, not both")
    if version is not None:
        ticket = desk.ticket(number, version)
    elif as_of is not None:
        ticket = ticket_as_of(desk, number, as_of)
    response.headers["ETag"] = etag(ticket.version)
    return TicketOut.of(ticket, disclosure(desk, caller))


@router.post(
    "/{number}/articles",
    status_code=201,
    response_model=CommandOut,
    openapi_extra=openapi_body(ArticleIn),
)
async def add_article(
    number: str,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    origin: CommandOrigin,
) -> CommandOut:
    """Reply, add an internal note or a phone note (JSON, or multipart with files)."""
    desk = services.desk
    await run_in_threadpool(visible_ticket, desk, caller, number)
    data, attachments = await read_body(request, ArticleIn, services)
    article = _article(desk, caller, data, attachments)
    result = await run_in_threadpool(desk.handle, AddArticle(number, article), origin)
    response.headers["ETag"] = etag(result.version)
    return CommandOut.of(result)


@router.post("/{number}/articles/{article_id}/forward", status_code=201)
def forward_article(
    number: str,
    article_id: str,
    body: ForwardIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Forward an article, with its attachments and a comment, to outside
    addresses by mail: recorded as an internal agent article on the email
    channel (`article_id` in the answer), and mailed by the outbox."""
    visible_ticket(desk, caller, number)
    forward = ForwardArticle(
        number, article_id, tuple(body.to), tuple(body.cc), body.comment
    )
    result = desk.handle(forward, origin)
    response.headers["ETag"] = etag(result.version)
    return CommandOut.of(result)


@router.get(
    "/{number}/articles/{article_id}/attachments/{index}",
    response_class=Response,
    responses={
        200: {
            "description": "The attachment's content, in its own media type.",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            "headers": {
                "ETag": {
                    "description": "The content's sha256, quoted.",
                    "required": True,
                    "schema": {"type": "string"},
                },
                "Content-Disposition": {
                    "description": "attachment, with the file's name.",
                    "required": True,
                    "schema": {"type": "string"},
                },
            },
        }
    },
)
def download_attachment(
    number: str, article_id: str, index: int, services: ServicesDep, caller: Caller
) -> Response:
    """The content of an attachment of an article the caller may see."""
    desk = services.desk
    ticket = desk.ticket(number)
    if not may_see(desk, caller, ticket):
        raise NotFound(f"ticket {number} not found")
    article = next(
        (a for a in visible_articles(caller, ticket) if a.article_id == article_id),
        None,
    )
    if article is None or not 0 <= index < len(article.attachments):
        raise NotFound("attachment not found")
    ref = article.attachments[index]
    content = services.blobs.get(ref.sha256)
    if content is None:
        raise NotFound("attachment content is missing from the blob store")
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
        for c in ref.name
    )
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(ref.name)}"
    )
    return Response(
        content,
        media_type=ref.content_type,
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{ref.sha256}"',
        },
    )
