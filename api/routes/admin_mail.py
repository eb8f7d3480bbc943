"""Admin: the mail quarantine, the messages that could not become articles.

Admins and auditors read the list, a message and its raw bytes; only admins
discard. The list is the mail view's; a message by id and a discard's answer
come from its record, so they never wait for the view.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Query, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ADMIN_ONLY, CONFIG_READ, CommandOrigin, Desk, ServicesDep
from api.reading import Views, answer_position, caught_up
from api.routes.inbound_mail import mail_intake
from api.schemas.mail import (
    DiscardIn,
    HandledOut,
    MailMessageOut,
    QuarantineOut,
    QuarantineQuery,
)
from api.workers import Router
from domain.commands import DiscardMail
from domain.desk import HelpDesk
from domain.errors import NotFound
from domain.mail import InboundMail
from projections.engine.runner import ViewRunner
from projections.mail import view as mail_view
from projections.mail.query import as_row, find_messages

router = Router(prefix="/mail/quarantine")
RAW = {
    "description": "The message as it was received (headers and body).",
    "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    "headers": {
        "ETag": {
            "description": "The message's sha256, quoted.",
            "required": True,
            "schema": {"type": "string"},
        },
        "Content-Disposition": {
            "description": "attachment, named after the message's record.",
            "required": True,
            "schema": {"type": "string"},
        },
    },
}


def record(desk: HelpDesk, record_id: UUID) -> InboundMail:
    """The message's record as stored; 404 if there is none."""
    return desk.record_to_change(record_id, InboundMail, "message")


def handled(desk: HelpDesk, record_id: UUID, position: int | None) -> HandledOut:
    """The message as a change left it, read from its record, and where that is."""
    row = as_row(record(desk, record_id))
    return HandledOut(**MailMessageOut.of(row).model_dump(), position=position)


@router.get("", response_model=QuarantineOut, dependencies=[CONFIG_READ])
async def list_quarantine(
    desk: Desk, views: Views, query: Annotated[QuarantineQuery, Query()]
) -> QuarantineOut:
    """The messages in a state (quarantined unless told), newest first."""
    await caught_up(views, query.after, query.wait, mail_view.NAME)
    return await run_in_threadpool(_quarantine, desk, views, query)


def _quarantine(
    desk: HelpDesk, views: ViewRunner, query: QuarantineQuery
) -> QuarantineOut:
    target = answer_position(desk, query.after)
    page = find_messages(views.store, query.state, query.limit, query.cursor)
    return QuarantineOut.of(page, caught_up=page.position >= target)


@router.get("/{record_id}", response_model=MailMessageOut, dependencies=[CONFIG_READ])
def read_message(record_id: UUID, desk: Desk) -> MailMessageOut:
    """One received message, whatever its state."""
    return MailMessageOut.of(as_row(record(desk, record_id)))


@router.get(
    "/{record_id}/raw",
    response_class=Response,
    responses={200: RAW},
    dependencies=[CONFIG_READ],
)
def read_raw(record_id: UUID, services: ServicesDep) -> Response:
    """The raw message, byte for byte, to read or to hand to a mail client."""
    ref = record(services.desk, record_id).raw_ref()
    content = services.blobs.get(ref.sha256)
    if content is None:
        raise NotFound("the raw message is missing from the blob store")
    headers = {
        "ETag": f'"{ref.sha256}"',
        "Content-Disposition": f'attachment; filename="{record_id}.eml"',
    }
    return Response(content, media_type="message/rfc822", headers=headers)


@router.post(
    "/{record_id}/discard",
    response_model=HandledOut,
    responses={409: {"description": "The message is not quarantined."}},
    dependencies=[ADMIN_ONLY],
)
def discard_message(
    record_id: UUID, body: DiscardIn, desk: Desk, origin: CommandOrigin
) -> HandledOut:
    """Set a quarantined message aside for good; its record and raw bytes stay."""
    key = record(desk, record_id).key
    receipt = desk.handle(DiscardMail(key, body.reason), origin)
    return handled(desk, record_id, receipt.position)


@router.post(
    "/{record_id}/retry",
    response_model=HandledOut,
    responses={409: {"description": "The message is not quarantined."}},
    dependencies=[ADMIN_ONLY],
)
def retry_message(
    record_id: UUID, services: ServicesDep, origin: CommandOrigin
) -> HandledOut:
    """Read a quarantined message afresh, on today's settings and configuration:
    taken onto a ticket now, or kept with today's reason."""
    receipt = mail_intake(services).retry(record_id, origin.actor)
    return handled(services.desk, record_id, receipt.position)
