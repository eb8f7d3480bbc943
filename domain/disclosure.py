"""What each reader may be told of a ticket: its events, fields, articles and links.

The one rule on disclosure: history, as-of reads, ticket reads, article lists,
the activity feed and its stream, search and the ticket list ask it, and nothing
else decides. Which tickets a reader may know of at all is access, decided by
the API's policy; this module only needs to ask it about other tickets, through
a `TicketCheck`, when a link or a merge names one. The exports (the JSONL
archive, the CSV summaries) are for auditors and analysts, who are told
everything, and reach no customer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.articles import Article, Visibility
from domain.links import Link
from domain.ticket import Ticket


class Reader(StrEnum):
    """Who reads: a customer, staff (agents and admins), or an auditor."""

    CUSTOMER = "customer"
    AGENT = "agent"
    AUDITOR = "auditor"


EVERYONE = frozenset(Reader)
STAFF = frozenset({Reader.AGENT, Reader.AUDITOR})

#: Whether the reader may see the ticket of this number.
TicketCheck = Callable[[str], bool]


def no_ticket(number: str) -> bool:
    """Know of no other ticket: when unsure, never name one."""
    return False


def _to(readers: frozenset[Reader], *names: str) -> dict[str, frozenset[Reader]]:
    return dict.fromkeys(names, readers)


#: Each ticket field (as the aggregate, the ticket read and the list name it).
TICKET_FIELDS: Mapping[str, frozenset[Reader]] = {
    **_to(EVERYONE, "number", "version", "title", "customer", "organization"),
    **_to(EVERYONE, "queue", "priority", "priority_rank", "type", "channel"),
    **_to(EVERYONE, "status", "status_category", "pending_until", "owner"),
    **_to(EVERYONE, "tags", "rating", "first_response_at", "finished_at"),
    **_to(EVERYONE, "created_at", "updated_at", "last_public_sender"),
    **_to(EVERYONE, "last_public_at", "waiting_for_agent"),
    # Only the articles, links and other tickets the reader may see (below).
    **_to(EVERYONE, "articles", "links", "merged_into", "absorbed"),
    # Who else works it, internal flags and custom fields, and time accounting.
    **_to(STAFF, "responsible", "last_owner", "hidden", "fields"),
    **_to(STAFF, "time_entries", "time_accounted_minutes"),
    # Scheduled tasks are the staff's internal work.
    **_to(STAFF, "tasks"),
}

#: Each article field; customers read public articles only (see `sees_article`).
ARTICLE_FIELDS: Mapping[str, frozenset[Reader]] = {
    **_to(EVERYONE, "article_id", "sender", "visibility", "channel", "subject"),
    **_to(EVERYONE, "body", "body_html", "from_address", "to", "cc", "attachments"),
    **_to(EVERYONE, "message_id", "in_reply_to", "author", "created_at"),
    # Time accounting is for staff, in the article as in TimeAccounted.
    **_to(STAFF, "time_spent_minutes"),
}

#: What every event carries besides its own fields: whose, which version, when,
#: who and why.
ENVELOPE: Mapping[str, frozenset[Reader]] = _to(
    EVERYONE,
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor",
    "correlation_id",
)


@dataclass(frozen=True)
class EventRule:
    """Who sees an event at all, and who sees each of its own fields.

    public_only: customers see it only when its article is public.
    names_ticket: the field naming another ticket; customers see the event only
    when they may see that ticket.
    """

    readers: frozenset[Reader]
    fields: Mapping[str, frozenset[Reader]]
    public_only: bool = False
    names_ticket: str | None = None


def _everyone(*names: str) -> EventRule:
    return EventRule(EVERYONE, _to(EVERYONE, *names))


def _staff(*names: str) -> EventRule:
    return EventRule(STAFF, _to(STAFF, *names))


def _naming(field: str, *names: str) -> EventRule:
    return EventRule(EVERYONE, _to(EVERYONE, field, *names), names_ticket=field)


_STATUS_STEP = ("from_status", "to_status", "category")
_MAILED = ("article_id", "notice", "cause", "recipient", "message_id", "attempt")

#: Every ticket event; an event without a rule is for staff only.
EVENTS: Mapping[type[Ticket.Event], EventRule] = {
    # Created and ArticleAdded carry a ticket's and an article's fields.
    Ticket.Created: EventRule(EVERYONE, TICKET_FIELDS),
    Ticket.ArticleAdded: EventRule(EVERYONE, ARTICLE_FIELDS, public_only=True),
    Ticket.Assigned: EventRule(
        EVERYONE, {"owner": EVERYONE, "responsible": TICKET_FIELDS["responsible"]}
    ),
    Ticket.Unassigned: _everyone("owner"),
    # An agent's reason for a status is a note to colleagues.
    Ticket.StatusChanged: EventRule(
        EVERYONE, {**_to(EVERYONE, *_STATUS_STEP, "pending_until"), "reason": STAFF}
    ),
    Ticket.Reopened: _everyone(*_STATUS_STEP, "cause", "article_id", "owner"),
    Ticket.PriorityChanged: _everyone("from_priority", "to_priority"),
    Ticket.Moved: _everyone("from_queue", "to_queue"),
    Ticket.TypeChanged: _everyone("from_type", "to_type"),
    Ticket.Retitled: _everyone("from_title", "to_title"),
    Ticket.FieldChanged: _staff("name", "value", "previous"),
    Ticket.Tagged: _everyone("tag"),
    Ticket.Untagged: _everyone("tag"),
    Ticket.Linked: _naming("number", "kind"),
    Ticket.Unlinked: _naming("number", "kind"),
    Ticket.Merged: _naming("target", "from_status", "to_status"),
    Ticket.Absorbed: _naming("source"),
    Ticket.TimeAccounted: _staff("minutes", "article_id", "activity"),
    Ticket.SatisfactionRated: _everyone("score", "comment"),
    Ticket.PendingExpired: _everyone(*_STATUS_STEP, "expired"),
    # SLA clocks are the staff's measure of their own work.
    Ticket.SlaWarned: _staff("clock", "due_at", "policy"),
    Ticket.SlaBreached: _staff("clock", "due_at", "policy"),
    # Whether a ticket is hidden from its customer is the staff's business.
    Ticket.Hidden: _staff(),
    Ticket.Unhidden: _staff(),
    # Scheduled tasks are the staff's internal work.
    Ticket.TaskScheduled: _staff("task_id", "title", "assignee", "due_at"),
    Ticket.TaskDone: _staff("task_id"),
    Ticket.TaskReopened: _staff("task_id"),
    # Who was mailed, and what the relay said: staff and auditors (the cc of
    # a reply is public on its article; a relay's answer is not).
    # A forward goes to a third party: the staff's business.
    Ticket.ArticleForwarded: _staff("article_id", "source_article_id", "to", "cc"),
    Ticket.MailSent: _staff(*_MAILED),
    Ticket.MailFailed: _staff(*_MAILED, "reason", "final", "retry_at"),
}
_STAFF_ONLY = EventRule(STAFF, {})


@dataclass(frozen=True)
class Disclosure:
    """What one reader may be told, with a check of which other tickets they see."""

    reader: Reader
    knows: TicketCheck = no_ticket

    @property
    def full(self) -> bool:
        """Whether the reader sees every event, article and other ticket."""
        return self.reader in STAFF

    def sees_event(self, event: Ticket.Event) -> bool:
        """Whether the reader may learn that the event happened."""
        rule = EVENTS.get(type(event), _STAFF_ONLY)
        if self.reader not in rule.readers:
            return False
        if self.full:
            return True
        if rule.public_only and getattr(event, "visibility", None) != Visibility.PUBLIC:
            return False
        return rule.names_ticket is None or self.knows(
            getattr(event, rule.names_ticket)
        )

    def event_fields(self, event: Ticket.Event) -> dict[str, Any] | None:
        """The event's own fields the reader may see; None if not the event."""
        if not self.sees_event(event):
            return None
        shown = EVENTS.get(type(event), _STAFF_ONLY).fields
        return {
            name: value
            for name, value in vars(event).items()
            if name not in ENVELOPE and self.reader in shown.get(name, STAFF)
        }

    def sees_ticket_field(self, name: str) -> bool:
        """Whether the reader may see this field of a ticket."""
        return self.reader in TICKET_FIELDS.get(name, STAFF)

    def sees_article(self, article: Article) -> bool:
        """Whether the reader may read the article: customers, public ones only."""
        return self.full or article.is_public

    def articles(self, articles: Iterable[Article]) -> list[Article]:
        """The articles the reader may read, in order."""
        return [a for a in articles if self.sees_article(a)]

    def sees_article_field(self, name: str) -> bool:
        """Whether the reader may see this field of an article they may read."""
        return self.reader in ARTICLE_FIELDS.get(name, STAFF)

    def sees_ticket(self, number: str) -> bool:
        """Whether the reader may be told of another ticket by its number."""
        return self.full or self.knows(number)

    def other_ticket(self, number: str | None) -> str | None:
        """The number if the reader may be told of that ticket, else None."""
        return number if number is not None and self.sees_ticket(number) else None

    def links(self, links: Iterable[Link]) -> list[Link]:
        """The links to tickets the reader may see."""
        return [link for link in links if self.sees_ticket(link.number)]

    def tickets(self, numbers: Iterable[str]) -> list[str]:
        """The other tickets, of these, the reader may see."""
        return [number for number in numbers if self.sees_ticket(number)]


#: What auditors are told: everything.
EVERYTHING = Disclosure(Reader.AUDITOR)
