"""What the inbound mail commands decide: which ticket a message belongs to.

A message is threaded by the `[Ticket#NUMBER]` tag in its subject, then by its
In-Reply-To and References (our own Message-IDs carry the ticket number; a
customer's earlier message is found by its record), else it opens a ticket in
the queue its recipient maps to. The sender is checked first: refused senders,
our own addresses (a loop) and unknown senders (when customers are not
registered by mail) are quarantined. On an existing ticket, mail from the
ticket's customer (or the customer's organization) is a public customer
article; from anybody else an internal one, for the agents to read, since a
From header proves nothing. A bounce becomes an internal system note on the
ticket of the message that bounced, or is quarantined.

Every outcome saves the message's record in the same transaction as the
article, so a message is taken once, however often it is delivered.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain import commands as c
from domain.articles import MAX_BODY, MAX_SUBJECT, Article, Sender, Visibility
from domain.attachments import AttachmentRef
from domain.audit import Origin
from domain.desk import ticket_rules
from domain.desk.records import Outcome, first_attempt
from domain.errors import DomainError, FollowUpRejected, NotFound
from domain.ids import ticket_id
from domain.mail import (
    ORIGINAL_NAME,
    ORIGINAL_TYPE,
    InboundMail,
    InboundMessage,
    MailState,
    MailTerms,
    Quarantine,
    Threading,
    mail_id,
    mail_key,
)
from domain.ticket import Ticket

if TYPE_CHECKING:
    from domain.desk.application import HelpDesk

TRUNCATED = "\n\n[The text was longer than an article holds: see original.eml.]"


class Quarantined(Exception):
    """The message cannot be an article, for this reason."""

    def __init__(self, reason: Quarantine, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class DuplicateWatch:
    """When this desk last met a message delivered again.

    A message delivered again is rare, so a message's first attempt takes it to
    be new without asking the store: a redelivery's save is refused (its record
    exists), and the next attempt asks. A refused save costs more than the
    question, and on PostgreSQL it sends the other commands saving with it
    (group commit) to save one by one; so for a while after a redelivery, and
    for as long as they keep coming (a sender replaying old mail), every
    message is asked about first.
    """

    WATCH = timedelta(minutes=10)

    def __init__(self) -> None:
        self._last: datetime | None = None

    def met(self, at: datetime) -> None:
        """A message was delivered again, at this time."""
        self._last = at

    def lately(self, now: datetime) -> bool:
        """Whether a message was delivered again within the watch."""
        last = self._last
        return last is not None and now - last < self.WATCH


def take_mail(desk: HelpDesk, command: c.TakeMail, origin: Origin) -> Outcome:
    """The message threaded and its record, or the record it has already."""
    message = command.message
    now = origin.time()
    ask = not first_attempt() or desk.duplicate_mail.lately(now)
    if ask and desk.exists(mail_id(message.key)):
        desk.duplicate_mail.met(now)
        return _again(desk, message, origin)
    try:
        placed, how = _place(desk, message, command.terms, origin)
    except Quarantined as kept:
        record = InboundMail.quarantined(
            message.key,
            message.message_id,
            message.raw,
            message.from_address,
            message.subject,
            kept.reason,
            kept.detail,
            origin,
        )
        return Outcome(record)
    number = placed.follow_up_number or _number(placed.main)
    article_id = placed.article_id or ""
    record = InboundMail.taken(message, number, article_id, how, origin)
    return Outcome(record, [placed.main, *placed.others], article_id)


def _again(desk: HelpDesk, message: InboundMessage, origin: Origin) -> Outcome:
    """A message whose key was seen: the same one delivered again (nothing to
    record), or another sender's under a Message-ID already taken, which is
    kept aside by its bytes so it can neither pass as a duplicate nor be lost."""
    seen = _record(desk, message.key)
    if (seen.sender or "") == (message.from_address or ""):
        return Outcome(seen)
    key = mail_key(None, message.raw.sha256)
    if desk.exists(mail_id(key)):
        return Outcome(_record(desk, key))
    detail = f"its Message-ID came before from {seen.sender or 'nobody'}"
    return Outcome(
        InboundMail.quarantined(
            key,
            message.message_id,
            message.raw,
            message.from_address,
            message.subject,
            Quarantine.DUPLICATE_ID,
            detail,
            origin,
        )
    )


def quarantine_mail(
    desk: HelpDesk, command: c.QuarantineMail, origin: Origin
) -> Outcome:
    """The record of a message that could not be read, or the one it has."""
    if desk.exists(mail_id(command.key)):
        return Outcome(_record(desk, command.key))
    return Outcome(
        InboundMail.quarantined(
            command.key,
            command.message_id,
            command.raw,
            command.sender,
            command.subject,
            command.reason,
            command.detail,
            origin,
        )
    )


def retry_mail(desk: HelpDesk, command: c.RetryMail, origin: Origin) -> Outcome:
    """A quarantined message threaded after all, or kept with today's reason."""
    record = _record(desk, command.key)
    record.check_quarantined()
    if command.message is None:
        record.requarantine(command.reason, command.detail, origin)
        return Outcome(record)
    message = replace(command.message, raw=record.raw_ref())
    try:
        placed, how = _place(desk, message, command.terms, origin)
    except Quarantined as kept:
        record.requarantine(kept.reason, kept.detail, origin)
        return Outcome(record)
    number = placed.follow_up_number or _number(placed.main)
    article_id = placed.article_id or ""
    record.release(number, article_id, how, origin)
    return Outcome(record, [placed.main, *placed.others], article_id)


def discard_mail(desk: HelpDesk, command: c.DiscardMail, origin: Origin) -> Outcome:
    """A quarantined message set aside for good."""
    record = _record(desk, command.key)
    record.discard(command.reason, origin)
    return Outcome(record)


def _record(desk: HelpDesk, key: str) -> InboundMail:
    return desk.record_to_change(mail_id(key), InboundMail, "message")


def _number(main: Any) -> str:
    return str(main.number) if isinstance(main, Ticket) else ""


def _place(
    desk: HelpDesk, message: InboundMessage, terms: MailTerms, origin: Origin
) -> tuple[Outcome, Threading]:
    """The message as an article on its ticket (or a new one), and how it was
    threaded; Quarantined if it cannot be one."""
    sender = _checked_sender(message, terms)
    if message.auto == "bounce":
        return _bounce(desk, message, terms, origin)
    found = _thread(desk, message, terms)
    try:
        if found is None:
            return _open(desk, message, terms, sender, origin), Threading.NEW_TICKET
        number, how = found
        placed = _add(desk, message, number, sender, origin)
    except FollowUpRejected as refused:
        raise Quarantined(Quarantine.FOLLOW_UP_REJECTED, refused.message) from None
    except DomainError as error:
        raise Quarantined(Quarantine.NOT_AN_ARTICLE, error.message) from None
    if placed.follow_up_number:
        how = Threading.FOLLOW_UP_TICKET
    return placed, how


def _checked_sender(message: InboundMessage, terms: MailTerms) -> str:
    sender = message.from_address
    if not sender or "@" not in sender:
        raise Quarantined(Quarantine.NO_SENDER, "the message names no sender address")
    if terms.refuses(sender):
        raise Quarantined(Quarantine.REFUSED_SENDER, f"mail from {sender} is refused")
    if terms.is_own(sender) or any(terms.is_own(v) for v in message.x_loop):
        raise Quarantined(
            Quarantine.LOOP, f"the message came from us ({sender}): a mail loop"
        )
    return sender


def _thread(
    desk: HelpDesk, message: InboundMessage, terms: MailTerms
) -> tuple[str, Threading] | None:
    """The ticket the message answers, and how that was found."""
    tagged = terms.tagged_number(message.subject)
    if tagged is not None and desk.exists(ticket_id(tagged)):
        return _followed(desk, tagged), Threading.TAG
    for ids, how in (
        (message.in_reply_to, Threading.IN_REPLY_TO),
        (tuple(reversed(message.references)), Threading.REFERENCES),
    ):
        for answered in ids:
            number = _number_of(desk, answered, terms)
            if number is not None:
                return _followed(desk, number), how
    return None


def _number_of(desk: HelpDesk, message_id: str, terms: MailTerms) -> str | None:
    """The ticket of a message we sent or received, by its Message-ID."""
    sent = terms.sent_number(message_id)
    if sent is not None and desk.exists(ticket_id(sent)):
        return sent
    try:
        record = desk.record_to_change(
            mail_id(f"id:{message_id}"), InboundMail, "message"
        )
    except NotFound:
        return None
    return record.number if record.state is MailState.TAKEN else None


def _followed(desk: HelpDesk, number: str) -> str:
    """A merged ticket's mail follows to the ticket it was merged into."""
    for _ in range(20):
        target = desk.ticket(number).merged_into
        if target is None:
            break
        number = target
    return number


def _bounce(
    desk: HelpDesk, message: InboundMessage, terms: MailTerms, origin: Origin
) -> tuple[Outcome, Threading]:
    """A bounce as an internal system note on the ticket of the bounced mail."""
    for bounced in (*message.bounce_of, *message.in_reply_to, *message.references):
        number = _number_of(desk, bounced, terms)
        if number is not None:
            note = replace(
                _article(desk, message, Sender.SYSTEM, Visibility.INTERNAL),
                subject=f"Delivery failed: {message.subject}"[:MAX_SUBJECT],
            )
            command = c.AddArticle(_followed(desk, number), note)
            return ticket_rules.add_article(desk, command, origin), Threading.BOUNCE
    raise Quarantined(
        Quarantine.BOUNCE, "a bounce of a message no ticket of ours has sent"
    )


def _add(
    desk: HelpDesk, message: InboundMessage, number: str, sender: str, origin: Origin
) -> Outcome:
    """The message on the ticket: public from its customer, else internal."""
    ticket = desk.ticket(number)
    if _belongs(desk, ticket, sender):
        article = _article(desk, message, Sender.CUSTOMER, Visibility.PUBLIC)
    else:
        article = _article(desk, message, Sender.SYSTEM, Visibility.INTERNAL)
    return ticket_rules.add_article(desk, c.AddArticle(number, article), origin)


def _belongs(desk: HelpDesk, ticket: Ticket, sender: str) -> bool:
    """Whether the sender is the ticket's customer or of its organization."""
    if ticket.customer.casefold() == sender.casefold():
        return True
    if ticket.organization is None:
        return False
    try:
        return desk.customer(sender).organization == ticket.organization
    except NotFound:
        return False


def _open(
    desk: HelpDesk,
    message: InboundMessage,
    terms: MailTerms,
    sender: str,
    origin: Origin,
) -> Outcome:
    """A new ticket in the queue the message's recipient maps to."""
    queue = terms.queue_for((*message.recipients, *message.to, *message.cc))
    if queue is None:
        raise Quarantined(Quarantine.NO_QUEUE, "no queue takes mail for its recipients")
    if not terms.register_customers:
        try:
            desk.customer(sender)
        except NotFound:
            raise Quarantined(
                Quarantine.UNKNOWN_SENDER, f"{sender} is no registered customer"
            ) from None
    draft = c.TicketDraft(
        title=_title(message.subject),
        customer=sender,
        queue=queue,
        channel="email",
    )
    article = _article(desk, message, Sender.CUSTOMER, Visibility.PUBLIC)
    return ticket_rules.open_ticket(desk, c.OpenTicket(draft, article), origin)


def _title(subject: str) -> str:
    line = " ".join(subject.split())
    return (line or "(no subject)")[:200]


def _article(
    desk: HelpDesk, message: InboundMessage, sender: Sender, visibility: Visibility
) -> Article:
    text = message.text
    if len(text) > MAX_BODY:
        text = text[: MAX_BODY - len(TRUNCATED)] + TRUNCATED
    html = message.html if message.html and len(message.html) <= MAX_BODY else None
    original = AttachmentRef(
        ORIGINAL_NAME, ORIGINAL_TYPE, message.raw.size, message.raw.sha256
    )
    return Article(
        article_id=desk.new_article_id(),
        sender=sender.value,
        visibility=visibility.value,
        channel="email",
        body=text,
        subject=message.subject[:MAX_SUBJECT],
        body_html=html,
        from_address=message.from_address,
        to=list(message.to),
        cc=list(message.cc),
        attachments=[*message.attachments, original],
        message_id=message.message_id,
        in_reply_to=message.in_reply_to[0] if message.in_reply_to else None,
    )


RULES: dict[type[Any], Any] = {
    c.TakeMail: take_mail,
    c.QuarantineMail: quarantine_mail,
    c.RetryMail: retry_mail,
    c.DiscardMail: discard_mail,
}
