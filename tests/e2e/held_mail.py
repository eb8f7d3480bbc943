"""Mail for the quarantine's API tests: messages received straight on the desk,
their raw bytes in the blob store, most of them from a refused sender."""

from __future__ import annotations

from uuid import UUID

from domain.attachments import AttachmentRef
from domain.audit import Origin
from domain.commands import TakeMail
from domain.desk import HelpDesk
from domain.mail import InboundMessage, MailTerms, mail_id
from tests.e2e.memory_desk import MemoryBlobs

MAIL = Origin("system:mail")
TERMS = MailTerms(default_queue="General", refused_senders=("@spam.test",))
SPAMMER = "offers@spam.test"


def raw_message(n: int, sender: str) -> bytes:
    """Message n's bytes on the wire."""
    return (
        f"From: {sender}\r\nTo: support@desk.test\r\nSubject: Offer {n}\r\n"
        f"Message-ID: <offer.{n}@spam.test>\r\n\r\nBuy now.\r\n"
    ).encode()


def receive(desk: HelpDesk, blobs: MemoryBlobs, n: int, sender: str = SPAMMER) -> UUID:
    """Message n received (from a refused sender: quarantined); its record's id."""
    raw = raw_message(n, sender)
    ref = AttachmentRef("message.eml", "message/rfc822", len(raw), blobs.put(raw))
    message = InboundMessage(
        raw=ref,
        message_id=f"<offer.{n}@spam.test>",
        from_address=sender,
        to=("support@desk.test",),
        subject=f"Offer {n}",
        text="Buy now.",
    )
    return mail_id(desk.handle(TakeMail(message, TERMS), MAIL).key)
