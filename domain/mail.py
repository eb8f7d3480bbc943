"""Inbound mail: every message received is one record, taken or quarantined.

A message's record is keyed by its Message-ID (or, without one, by the digest
of its raw bytes), so a message delivered twice, or redelivered after a crash
between receipt and commit, finds its record and makes no second article: the
store refuses a second record with the same id. The raw message is a blob in
the attachment store; the record and the article refer to it by digest.

A message that cannot become an article is quarantined with its reason, kept
whole, and can be retried (after the cause is fixed) or discarded by an admin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from domain.attachments import AttachmentRef
from domain.audit import AuditedAggregate, Origin
from domain.errors import RuleViolation
from domain.ids import natural_id

#: The raw message as an article's attachment: the archive holds the original.
ORIGINAL_NAME = "original.eml"
ORIGINAL_TYPE = "message/rfc822"


class MailState(StrEnum):
    """Where a received message stands."""

    TAKEN = "taken"
    QUARANTINED = "quarantined"
    DISCARDED = "discarded"


class Quarantine(StrEnum):
    """Why a message is not an article."""

    UNPARSABLE = "unparsable"
    TOO_LARGE = "too_large"
    NO_SENDER = "no_sender"
    REFUSED_SENDER = "refused_sender"
    UNKNOWN_SENDER = "unknown_sender"
    LOOP = "loop"
    BOUNCE = "bounce"
    NO_QUEUE = "no_queue"
    FOLLOW_UP_REJECTED = "follow_up_rejected"
    NOT_AN_ARTICLE = "not_an_article"
    #: Another sender's message already came under this Message-ID.
    DUPLICATE_ID = "duplicate_id"


class Threading(StrEnum):
    """How a taken message found its ticket."""

    TAG = "tag"
    IN_REPLY_TO = "in_reply_to"
    REFERENCES = "references"
    NEW_TICKET = "new_ticket"
    FOLLOW_UP_TICKET = "follow_up_ticket"
    BOUNCE = "bounce"


@dataclass(frozen=True)
class InboundMessage:
    """A received message as the mail edge parsed it: headers, text, and the
    references of its attachments and of its raw bytes in the blob store."""

    raw: AttachmentRef
    message_id: str | None = None
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    from_address: str | None = None
    from_name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    #: Where it was delivered: the envelope's recipients and Delivered-To.
    recipients: tuple[str, ...] = ()
    subject: str = ""
    text: str = ""
    html: str | None = None
    attachments: tuple[AttachmentRef, ...] = ()
    #: Why it is an automatic message (auto_submitted, loop, bulk, bounce), if so.
    auto: str | None = None
    x_loop: tuple[str, ...] = ()
    #: For a bounce: the Message-IDs of the message that bounced.
    bounce_of: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What makes two deliveries the same message."""
        return mail_key(self.message_id, self.raw.sha256)


@dataclass(frozen=True)
class MailTerms:
    """The desk's mail settings a decision follows (from the settings)."""

    #: The subject tag before a ticket number: "[Ticket#" + number + "]".
    tag: str = "Ticket#"
    #: Recipient address -> queue; a message to none of them goes to default_queue.
    queues: tuple[tuple[str, str], ...] = ()
    default_queue: str | None = None
    #: Register unknown senders as customers, or quarantine their messages.
    register_customers: bool = True
    #: Senders refused: whole addresses or "@domain".
    refused_senders: tuple[str, ...] = ()
    #: Our own addresses and the X-Loop value we send: mail from them is a loop.
    own_addresses: tuple[str, ...] = ()
    #: The domain of the Message-IDs we send: <ticket.NUMBER.ARTICLE.N@domain>.
    message_id_domain: str = "tickettape.invalid"
    #: Domain -> organization, for new customers.
    organizations: tuple[tuple[str, str], ...] = ()

    def queue_for(self, recipients: tuple[str, ...]) -> str | None:
        """The queue of the first recipient mapped to one, else the default."""
        mapped = {address.casefold(): queue for address, queue in self.queues}
        for recipient in recipients:
            if recipient.casefold() in mapped:
                return mapped[recipient.casefold()]
        return self.default_queue

    def refuses(self, sender: str) -> bool:
        """Whether the settings refuse mail from this address."""
        sender = sender.casefold()
        domain = "@" + sender.rpartition("@")[2]
        return any(
            pattern.casefold() in (sender, domain) for pattern in self.refused_senders
        )

    @property
    def loop_mark(self) -> str:
        """The X-Loop value of the mail we send: mail with it came back to us."""
        return f"tickettape@{self.message_id_domain}"

    def is_own(self, address: str) -> bool:
        """Whether the address (or X-Loop value) is one of ours."""
        own = {a.casefold() for a in (*self.own_addresses, self.loop_mark)}
        return address.strip().casefold() in own

    def organization_of(self, sender: str) -> str | None:
        """The organization a new customer's mail domain maps to, if any."""
        domain = sender.rpartition("@")[2].casefold()
        return next(
            (org for mapped, org in self.organizations if mapped.casefold() == domain),
            None,
        )

    def tagged_number(self, subject: str) -> str | None:
        """The ticket number in the subject's "[Ticket#NUMBER]" tag, if any."""
        found = re.search(r"\[" + re.escape(self.tag) + r"\s*([0-9]{1,32})\]", subject)
        return found.group(1) if found else None

    def sent_number(self, message_id: str) -> str | None:
        """The ticket number inside one of our own Message-IDs, if it is one."""
        pattern = r"<ticket\.([0-9]{1,32})\.[^@>]*@" + re.escape(self.message_id_domain)
        found = re.fullmatch(pattern + ">", message_id.strip(), re.IGNORECASE)
        return found.group(1) if found else None


def mail_key(message_id: str | None, raw_sha256: str) -> str:
    """A message's key: its Message-ID, or the digest of its bytes without one."""
    return f"id:{message_id}" if message_id else f"sha256:{raw_sha256}"


def mail_id(key: str) -> UUID:
    """The id of the record of the message with this key."""
    return natural_id("mail", key)


@dataclass(frozen=True)
class MailReceipt:
    """What became of a message: taken (onto which ticket), or quarantined."""

    key: str
    state: MailState
    number: str | None = None
    article_id: str | None = None
    reason: str | None = None
    detail: str = ""
    #: The message had been received before: nothing new was recorded.
    duplicate: bool = False
    position: int | None = None
    threaded_by: str | None = None


class InboundMail(AuditedAggregate):
    """One received message: taken onto a ticket, or quarantined with a reason."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        key: str
        message_id: str | None
        raw: dict[str, object]
        sender: str | None
        subject: str
        state: MailState
        number: str | None
        article_id: str | None
        threaded_by: str | None
        reason: str | None
        detail: str

    class Taken(AuditedAggregate.Created):
        key: str
        message_id: str | None
        raw: dict[str, object]
        sender: str | None
        subject: str
        number: str
        article_id: str
        threaded_by: str
        #: Why it is automatic mail (nothing answers it), if it is.
        auto: str | None

        def apply(self, aggregate: InboundMail) -> None:
            _received(aggregate, self)
            _taken(aggregate, self.number, self.article_id, self.threaded_by)

    class Quarantined(AuditedAggregate.Created):
        key: str
        message_id: str | None
        raw: dict[str, object]
        sender: str | None
        subject: str
        reason: str
        detail: str

        def apply(self, aggregate: InboundMail) -> None:
            _received(aggregate, self)
            _quarantined(aggregate, self.reason, self.detail)

    class Released(AuditedAggregate.Event):
        """A quarantined message taken after all, on a retry."""

        number: str
        article_id: str
        threaded_by: str

        def apply(self, aggregate: InboundMail) -> None:
            _taken(aggregate, self.number, self.article_id, self.threaded_by)

    class Requarantined(AuditedAggregate.Event):
        """A retry that failed again, perhaps for another reason."""

        reason: str
        detail: str

        def apply(self, aggregate: InboundMail) -> None:
            _quarantined(aggregate, self.reason, self.detail)

    class Discarded(AuditedAggregate.Event):
        reason: str

        def apply(self, aggregate: InboundMail) -> None:
            aggregate.state = MailState.DISCARDED
            aggregate.detail = self.reason

    @classmethod
    def taken(
        cls,
        message: InboundMessage,
        number: str,
        article_id: str,
        threaded_by: Threading,
        origin: Origin,
    ) -> InboundMail:
        """The record of a message taken onto a ticket."""
        return cls._start(
            cls.Taken,
            mail_id(message.key),
            origin,
            **_envelope(message),
            number=number,
            article_id=article_id,
            threaded_by=threaded_by.value,
            auto=message.auto,
        )

    @classmethod
    def quarantined(
        cls,
        key: str,
        message_id: str | None,
        raw: AttachmentRef,
        sender: str | None,
        subject: str,
        reason: Quarantine,
        detail: str,
        origin: Origin,
    ) -> InboundMail:
        """The record of a message kept aside with its reason."""
        return cls._start(
            cls.Quarantined,
            mail_id(key),
            origin,
            key=key,
            message_id=message_id,
            raw=_ref(raw),
            sender=sender,
            subject=subject[:998],
            reason=reason.value,
            detail=detail[:1000],
        )

    def release(
        self, number: str, article_id: str, threaded_by: Threading, origin: Origin
    ) -> None:
        """Take a quarantined message after all."""
        self.check_quarantined()
        self._record(
            self.Released,
            origin,
            number=number,
            article_id=article_id,
            threaded_by=threaded_by.value,
        )

    def requarantine(self, reason: Quarantine, detail: str, origin: Origin) -> None:
        """A retry failed: keep it quarantined, with the reason of this try."""
        self.check_quarantined()
        self._record(self.Requarantined, origin, reason=reason.value, detail=detail)

    def discard(self, reason: str, origin: Origin) -> None:
        """Set a quarantined message aside for good (its record and raw stay)."""
        self.check_quarantined()
        self._record(self.Discarded, origin, reason=reason[:1000])

    def raw_ref(self) -> AttachmentRef:
        """The raw message's reference in the blob store."""
        raw = self.raw
        return AttachmentRef(
            str(raw["name"]),
            str(raw["content_type"]),
            int(str(raw["size"])),
            str(raw["sha256"]),
        )

    def receipt(self, duplicate: bool, position: int | None) -> MailReceipt:
        """What became of the message, as a caller is told."""
        return MailReceipt(
            key=self.key,
            state=self.state,
            number=self.number,
            article_id=self.article_id,
            reason=self.reason if self.state is not MailState.TAKEN else None,
            detail=self.detail if self.state is not MailState.TAKEN else "",
            duplicate=duplicate,
            position=position,
            threaded_by=self.threaded_by,
        )

    def check_quarantined(self) -> None:
        """Refuse to go on unless the message is in the quarantine."""
        if self.state is not MailState.QUARANTINED:
            raise RuleViolation(f"the message is {self.state.value}, not quarantined")


def _envelope(message: InboundMessage) -> dict[str, object]:
    return {
        "key": message.key,
        "message_id": message.message_id,
        "raw": _ref(message.raw),
        "sender": message.from_address,
        "subject": message.subject[:998],
    }


def _ref(ref: AttachmentRef) -> dict[str, object]:
    return {
        "name": ref.name,
        "content_type": ref.content_type,
        "size": ref.size,
        "sha256": ref.sha256,
    }


def _received(
    aggregate: InboundMail, event: InboundMail.Taken | InboundMail.Quarantined
) -> None:
    aggregate.key = event.key
    aggregate.message_id = event.message_id
    aggregate.raw = dict(event.raw)
    aggregate.sender = event.sender
    aggregate.subject = event.subject
    aggregate.number = aggregate.article_id = aggregate.threaded_by = None
    aggregate.reason = None
    aggregate.detail = ""


def _taken(aggregate: InboundMail, number: str, article_id: str, how: str) -> None:
    aggregate.state = MailState.TAKEN
    aggregate.number, aggregate.article_id, aggregate.threaded_by = (
        number,
        article_id,
        how,
    )
    aggregate.reason, aggregate.detail = None, ""


def _quarantined(aggregate: InboundMail, reason: str, detail: str) -> None:
    aggregate.state = MailState.QUARANTINED
    aggregate.reason, aggregate.detail = reason, detail
