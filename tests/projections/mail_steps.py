"""Inbound mail for the work views' random sequences: messages taken onto new or
existing tickets, quarantined, retried and discarded."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.attachments import AttachmentRef
from domain.audit import Origin
from domain.commands import DiscardMail, QuarantineMail, RetryMail, TakeMail
from domain.desk import HelpDesk
from domain.errors import NotFound
from domain.mail import (
    InboundMail,
    InboundMessage,
    MailReceipt,
    MailTerms,
    Quarantine,
    mail_key,
)

MAIL = Origin("system:mail")
ADMIN = Origin("admin:root")
TERMS = MailTerms(default_queue="General", refused_senders=("@spam.test",))


def inbound(n: int, **fields: object) -> InboundMessage:
    """Message number n from bob: its Message-ID and raw bytes are its own."""
    raw = f"raw message {n}".encode()
    message = InboundMessage(
        raw=AttachmentRef(
            "message.eml", "message/rfc822", len(raw), hashlib.sha256(raw).hexdigest()
        ),
        message_id=f"<mail.{n}@acme.test>",
        from_address="bob@acme.test",
        to=("support@desk.test",),
        subject="Printer",
        text="It jams again.",
    )
    return replace(message, **fields)  # type: ignore[arg-type]


def fresh(desk: HelpDesk) -> int:
    """A number no message of this desk has had yet: every mail step that
    records anything moves the log on."""
    return int(desk.recorder.max_notification_id() or 0)


def kept(made: list[str], receipt: MailReceipt) -> None:
    """Count a ticket the message opened among the sequence's tickets."""
    if receipt.number and receipt.number not in made:
        made.append(receipt.number)


def take(desk: HelpDesk, made: list[str], number: str | None) -> None:
    """A message from bob: onto the ticket in its subject tag, or a new one."""
    subject = f"Re: [Ticket#{number}] Printer" if number else "Printer"
    message = inbound(fresh(desk), subject=subject)
    kept(made, desk.handle(TakeMail(message, TERMS), MAIL))


def refuse(desk: HelpDesk) -> None:
    """A message from a refused sender: quarantined."""
    message = inbound(fresh(desk), from_address="offers@spam.test")
    desk.handle(TakeMail(message, TERMS), MAIL)


def unreadable(desk: HelpDesk) -> None:
    """Bytes that are no message: quarantined by their digest."""
    raw = inbound(fresh(desk)).raw
    key = mail_key(None, raw.sha256)
    command = QuarantineMail(key, raw, Quarantine.UNPARSABLE, "no header")
    desk.handle(command, MAIL)


def held(desk: HelpDesk, i: int) -> str:
    """The key of one message ever quarantined (the i-th, round the list)."""
    topic = get_topic(InboundMail.Quarantined)
    found = desk.recorder.select_notifications(1, 10_000, topics=[topic])
    if not found:
        raise NotFound("no message was quarantined")
    event = desk.mapper.to_domain_event(found[i % len(found)])
    assert isinstance(event, InboundMail.Quarantined)
    return event.key


def received(desk: HelpDesk) -> list[UUID]:
    """The id of every message's record, from the log."""
    topics = [get_topic(InboundMail.Taken), get_topic(InboundMail.Quarantined)]
    found = desk.recorder.select_notifications(1, 10_000, topics=topics)
    return [UUID(str(notification.originator_id)) for notification in found]


def retry(desk: HelpDesk, made: list[str], i: int, readable: bool) -> None:
    """Try a quarantined message again: read as bob's (taken), or unreadable still."""
    key = held(desk, i)
    message = inbound(fresh(desk)) if readable else None
    command = RetryMail(key, message, TERMS, "still no header")
    kept(made, desk.handle(command, ADMIN))


def discard(desk: HelpDesk, i: int) -> None:
    """Set a quarantined message aside."""
    desk.handle(DiscardMail(held(desk, i), "spam"), ADMIN)
