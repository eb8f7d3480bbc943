"""The intake: raw messages in, each one an article or a quarantined record.

Every way in (SMTP/LMTP, `tickettape mail import`, `POST /api/v1/inbound/email`)
hands the raw bytes here. They are kept first, as a content-addressed blob, so
the archive holds the original whatever happens next; then the message is
parsed, its attachments kept as blobs too, and one command (TakeMail, or
QuarantineMail for what cannot be read) records the outcome with the message's
record in one transaction. A store failure raises, and nothing is recorded: the
sender delivers again (SMTP answers 451), and the record keyed by the
Message-ID makes the second delivery the only one, or a duplicate of the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.attachments import AttachmentRef, BlobStore
from domain.audit import Origin
from domain.commands import DEFAULT_QUEUE, QuarantineMail, RetryMail, TakeMail
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
from mail.delivery import Envelope, Receipt
from mail.parsing import ParsedMail, Unparsable, parse_message

#: Who records inbound mail: a From header proves nothing of who wrote it.
MAIL = "system:mail"
RAW_NAME = "message.eml"
RAW_TYPE = "message/rfc822"
#: The terms of a desk whose settings say nothing of mail (the settings' defaults).
DEFAULT_TERMS = MailTerms(default_queue=DEFAULT_QUEUE)


@dataclass(frozen=True)
class IntakeLimits:
    """How large a message may be; larger ones are kept, quarantined."""

    max_bytes: int = 25 * 1024 * 1024


class MailIntake:
    """Takes raw messages onto tickets, or into the quarantine."""

    def __init__(
        self,
        desk: HelpDesk,
        blobs: BlobStore,
        terms: MailTerms,
        limits: IntakeLimits | None = None,
    ) -> None:
        self.desk, self.blobs, self.terms = desk, blobs, terms
        self.limits = limits or IntakeLimits()

    def take(
        self, raw: bytes, recipients: tuple[str, ...] = (), actor: str = MAIL
    ) -> MailReceipt:
        """Record the message (or find it recorded) and say what became of it;
        the actor is who handed it in (a gateway's token, or the listener)."""
        digest = self.blobs.put(raw)
        ref = AttachmentRef(RAW_NAME, RAW_TYPE, len(raw), digest)
        if len(raw) > self.limits.max_bytes:
            return self._unreadable(
                ref,
                Quarantine.TOO_LARGE,
                f"{len(raw)} bytes, more than the {self.limits.max_bytes} allowed",
                actor,
            )
        parsed = parse_message(raw, self.limits.max_bytes)
        if isinstance(parsed, Unparsable):
            return self._unreadable(ref, Quarantine.UNPARSABLE, parsed.reason, actor)
        message = self._message(parsed, ref, recipients)
        return self.desk.handle(
            TakeMail(message, self.terms), Origin(actor, message.message_id)
        )

    def deliver(self, raw: bytes, envelope: Envelope) -> Receipt:
        """The SMTP listener's and the importer's way in."""
        receipt = self.take(raw, tuple(envelope.recipients))
        return Receipt(True, describe(receipt))

    def retry(self, record_id: UUID, actor: str) -> MailReceipt:
        """Read a quarantined message afresh from its raw bytes and try again."""
        record = self.desk.record_to_change(record_id, InboundMail, "message")
        ref = record.raw_ref()
        raw = self.blobs.get(ref.sha256)
        if raw is None:
            raise NotFound("the message's raw bytes are missing from the blob store")
        origin = Origin(actor, record.message_id)
        if len(raw) > self.limits.max_bytes:
            detail = f"{len(raw)} bytes, more than the {self.limits.max_bytes} allowed"
            command = RetryMail(
                record.key, None, self.terms, detail, Quarantine.TOO_LARGE
            )
            return self.desk.handle(command, origin)
        parsed = parse_message(raw, self.limits.max_bytes)
        if isinstance(parsed, Unparsable):
            command = RetryMail(record.key, None, self.terms, parsed.reason)
            return self.desk.handle(command, origin)
        message = self._message(parsed, ref, ())
        return self.desk.handle(RetryMail(record.key, message, self.terms), origin)

    def _unreadable(
        self, ref: AttachmentRef, reason: Quarantine, detail: str, actor: str
    ) -> MailReceipt:
        key = mail_key(None, ref.sha256)
        return self.desk.handle(
            QuarantineMail(key, ref, reason, detail), Origin(actor, None)
        )

    def _message(
        self, parsed: ParsedMail, raw: AttachmentRef, recipients: tuple[str, ...]
    ) -> InboundMessage:
        attachments = tuple(
            AttachmentRef(
                part.filename,
                part.content_type,
                len(part.content),
                self.blobs.put(part.content),
            )
            for part in parsed.attachments
        )
        auto = None if parsed.auto is None else parsed.auto.value
        return InboundMessage(
            raw=raw,
            message_id=parsed.message_id,
            in_reply_to=tuple(parsed.in_reply_to),
            references=tuple(parsed.references),
            from_address=parsed.from_address,
            from_name=parsed.from_name,
            to=tuple(parsed.to),
            cc=tuple(parsed.cc),
            recipients=(*recipients, *parsed.delivered_to),
            subject=parsed.subject,
            text=parsed.text,
            html=parsed.html,
            attachments=attachments,
            auto=auto,
            x_loop=tuple(parsed.x_loop),
            bounce_of=tuple(parsed.bounce_of),
        )


def describe(receipt: MailReceipt) -> str:
    """One line for a mail server's log: what became of the message."""
    if receipt.duplicate:
        return f"already received ({receipt.state.value})"
    if receipt.number is not None and receipt.reason is None:
        return f"taken onto ticket {receipt.number}"
    return f"quarantined: {receipt.reason}"
