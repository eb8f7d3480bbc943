"""Ticket commands as data: what a caller asks the desk to do to a ticket.

Each command is a frozen dataclass; the desk's one `handle(command, origin)`
path runs every one of them, and an idempotency key remembers a command by the
fingerprint of its fields. Automation rules reuse these types as their actions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from domain.articles import NOT_ASKED, Article
from domain.attachments import AttachmentRef
from domain.mail import InboundMessage, MailReceipt, MailTerms, Quarantine
from domain.mail_out import Delivery

DEFAULT_QUEUE = "General"
DEFAULT_GROUP = "support"

R = TypeVar("R")


@dataclass(frozen=True)
class Command(Generic[R]):
    """A request to change the desk; R is what handling it returns."""


@dataclass(frozen=True)
class CommandResult:
    """What a ticket command returns: the ticket, its version and the log position."""

    number: str
    version: int
    position: int | None
    article_id: str | None = None
    follow_up_number: str | None = None
    replayed: bool = False
    task_id: str | None = None


@dataclass(frozen=True)
class TicketDraft:
    """The fields of a new ticket, before the desk fills in the defaults."""

    title: str
    customer: str
    queue: str = DEFAULT_QUEUE
    priority: str | None = None
    type: str | None = None
    channel: str = "web"
    hidden: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketCommand(Command[CommandResult]):
    """A command on one existing ticket."""

    number: str


@dataclass(frozen=True)
class OpenTicket(Command[CommandResult]):
    """Open a ticket with its first article (the customer is registered if new)."""

    draft: TicketDraft
    article: Article


@dataclass(frozen=True)
class AddArticle(TicketCommand):
    """Add a reply or note; a follow-up may reopen the ticket or open a new one."""

    article: Article


@dataclass(frozen=True)
class ForwardArticle(TicketCommand):
    """Forward an article, with its attachments, by mail to outside addresses
    with a comment (Splynx "forward the answer"); the desk makes the new id."""

    article_id: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    comment: str = ""


@dataclass(frozen=True)
class Assign(TicketCommand):
    """Give the ticket to an agent of its queue (optionally a responsible)."""

    owner: str
    responsible: str | None = None


@dataclass(frozen=True)
class Unassign(TicketCommand):
    """Take the ticket from its owner."""


@dataclass(frozen=True)
class ChangeStatus(TicketCommand):
    """Set a status by hand; a pending one may carry pending_until."""

    status: str
    pending_until: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class Close(TicketCommand):
    """The customer closes their ticket; the queue's follow-up policy then applies."""


@dataclass(frozen=True)
class Reopen(TicketCommand):
    """Reopen a resolved or closed ticket."""


@dataclass(frozen=True)
class ChangePriority(TicketCommand):
    """Set the priority."""

    priority: str


@dataclass(frozen=True)
class Move(TicketCommand):
    """Move the ticket to another queue."""

    queue: str


@dataclass(frozen=True)
class ChangeType(TicketCommand):
    """Set the ticket type."""

    type: str


@dataclass(frozen=True)
class Retitle(TicketCommand):
    """Change the title."""

    title: str


@dataclass(frozen=True)
class SetField(TicketCommand):
    """Set or (with None) clear a custom field."""

    name: str
    value: object


@dataclass(frozen=True)
class Hide(TicketCommand):
    """Hide the ticket from its customer (or, hidden False, show it again)."""

    hidden: bool = True


@dataclass(frozen=True)
class Tag(TicketCommand):
    """Add a tag."""

    tag: str


@dataclass(frozen=True)
class Untag(TicketCommand):
    """Remove a tag."""

    tag: str


@dataclass(frozen=True)
class Link(TicketCommand):
    """Link another ticket; both record the link."""

    other: str
    kind: str = "related"


@dataclass(frozen=True)
class Unlink(TicketCommand):
    """Remove a link from both tickets."""

    other: str
    kind: str = "related"


@dataclass(frozen=True)
class Merge(TicketCommand):
    """Merge the ticket into the target; it then refuses every change."""

    target: str


@dataclass(frozen=True)
class AccountTime(TicketCommand):
    """Account minutes of work, optionally against an article."""

    minutes: int
    activity: str = ""
    article_id: str | None = None


@dataclass(frozen=True)
class Rate(TicketCommand):
    """The ticket's customer rates its resolution (1 to 5)."""

    score: int
    comment: str = ""


@dataclass(frozen=True)
class RecordSlaMarks(TicketCommand):
    """Record the SLA warnings and breaches due by now (the escalation worker's)."""


@dataclass(frozen=True)
class ExpirePending(TicketCommand):
    """Return the ticket to open if its pending time passed (the worker's)."""


@dataclass(frozen=True)
class RecordDelivery(TicketCommand):
    """Record a try at mailing an outgoing article to one recipient (the outbox's)."""

    delivery: Delivery


# Scheduled tasks (Splynx).


@dataclass(frozen=True)
class ScheduleTask(TicketCommand):
    """Schedule a task for an agent, due at a moment; the desk makes the id if none."""

    title: str
    assignee: str
    due_at: datetime
    task_id: str | None = None


@dataclass(frozen=True)
class CompleteTask(TicketCommand):
    """Mark a task done (a done task stays done)."""

    task_id: str


@dataclass(frozen=True)
class ReopenTask(TicketCommand):
    """Mark a done task open again (an open task stays open)."""

    task_id: str


def fingerprint(command: Command[Any]) -> str:
    """What identifies a command for its idempotency key: its type and fields."""
    text = json.dumps(_plain(command), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        asked = {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if f.metadata != NOT_ASKED
        }
        return {"": type(value).__name__, **asked}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        # The type too: 1, 1.0, True and "1" are different field values.
        return [type(value).__name__, value]
    return str(value)


# Inbound mail (domain/mail.py).


@dataclass(frozen=True)
class TakeMail(Command[MailReceipt]):
    """Thread a received message onto a ticket (or a new one), or quarantine it;
    a message received before changes nothing."""

    message: InboundMessage
    terms: MailTerms


@dataclass(frozen=True)
class QuarantineMail(Command[MailReceipt]):
    """Keep a message that could not be read at all, with the reason."""

    key: str
    raw: AttachmentRef
    reason: Quarantine
    detail: str
    message_id: str | None = None
    sender: str | None = None
    subject: str = ""


@dataclass(frozen=True)
class RetryMail(Command[MailReceipt]):
    """Try a quarantined message again, read afresh from its raw bytes (None:
    still unreadable, for the `detail` reason)."""

    key: str
    message: InboundMessage | None
    terms: MailTerms
    detail: str = ""
    reason: Quarantine = Quarantine.UNPARSABLE


@dataclass(frozen=True)
class DiscardMail(Command[MailReceipt]):
    """Set a quarantined message aside for good; its record and raw stay."""

    key: str
    reason: str
