"""Mail gateways hand in raw RFC 822 messages: each becomes an article, or is
quarantined with the reason; a message handed in twice is taken once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import RoleGate, ServicesDep
from api.policy import MAIL_SENDERS
from api.principal import Principal
from api.problems import ApiProblem
from api.schemas.inbound_mail import MailReceiptOut
from api.services import Services
from api.workers import Router
from mail.intake import DEFAULT_TERMS, MailIntake

router = Router(tags=["mail"])
#: Where gateways hand in raw messages (read against mail_max_bytes).
INBOUND_MAIL = "/api/v1/inbound/email"
_CHUNK = 64 * 1024
MailSender = Annotated[Principal, Depends(RoleGate(*MAIL_SENDERS))]


@router.post(
    INBOUND_MAIL,
    response_model=MailReceiptOut,
    status_code=201,
    responses={
        200: {"description": "The message had been received before (duplicate)."},
        413: {"description": "The message is larger than mail_max_bytes."},
        415: {"description": "The body is not a raw message."},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
async def inbound_email(
    request: Request, response: Response, services: ServicesDep, caller: MailSender
) -> MailReceiptOut:
    """Take a raw message (the whole RFC 822 text, headers and body, as sent).

    For mail gateways (a `gateway` token) and admins. The answer says whether it
    was taken onto a ticket (which one, and how it was threaded) or quarantined
    (and why); 200 with `duplicate` when the same message was handed in before.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("message/rfc822", "application/octet-stream", "text/plain"):
        raise ApiProblem(
            415,
            "Unsupported Media Type",
            "send the raw message as message/rfc822 (or application/octet-stream)",
        )
    intake = mail_intake(services)
    raw = await _read_limited(request, intake.limits.max_bytes)
    receipt = await run_in_threadpool(intake.take, raw, (), caller.actor)
    if receipt.duplicate:
        response.status_code = 200
    return MailReceiptOut.of(receipt)


def mail_intake(services: Services) -> MailIntake:
    """The intake the composition root built, or one on the default terms."""
    return services.mail or MailIntake(services.desk, services.blobs, DEFAULT_TERMS)


async def _read_limited(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiProblem(
                413,
                "Message Too Large",
                f"the message exceeds the limit of {limit} bytes",
                limit=limit,
            )
        chunks.append(chunk)
    if not size:
        raise ApiProblem(422, "Invalid Request", "the message is empty")
    return b"".join(chunks)
