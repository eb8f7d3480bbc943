"""The HelpDesk application: short commands over tickets and their configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from domain.articles import Article
from domain.audit import Origin
from domain.desk.machinery import TicketMachinery
from domain.desk.records import (
    CommandResult,
    TicketDraft,
)
from domain.links import link_kind
from domain.ticket import Ticket


class HelpDesk(TicketMachinery):
    """The write side: every change to a ticket or the configuration passes here."""

    # The env prefix and PostgreSQL table prefix; eventsourcing would name a
    # subclass after itself, so a subclass must repeat this to share the store.
    name = "helpdesk"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Ticket: 50}

    def open_ticket(
        self, draft: TicketDraft, article: Article, origin: Origin
    ) -> CommandResult:
        """Open a ticket with its first article (the customer is registered if new)."""
        return self._commit(
            origin, ("open", draft, article), lambda o: self._open(draft, article, o)
        )

    def add_article(
        self, number: str, article: Article, origin: Origin
    ) -> CommandResult:
        """Add a reply or note; a follow-up may reopen the ticket or open a new one."""
        return self._commit(
            origin,
            ("article", number, article),
            lambda o: self._add_article(number, article, o),
        )

    def assign(
        self, number: str, owner: str, responsible: str | None, origin: Origin
    ) -> CommandResult:
        """Give the ticket to an agent of its queue."""
        return self._change(
            number,
            origin,
            ("assign", owner, responsible),
            lambda t, o: t.assign(
                self.agent(owner),
                self.queue(t.queue),
                self.agent(responsible) if responsible else None,
                o,
            ),
        )

    def unassign(self, number: str, origin: Origin) -> CommandResult:
        """Take the ticket from its owner."""
        return self._change(number, origin, ("unassign",), lambda t, o: t.unassign(o))

    def change_status(
        self,
        number: str,
        status: str,
        pending_until: datetime | None,
        reason: str,
        origin: Origin,
    ) -> CommandResult:
        """Set a status by hand."""
        return self._change(
            number,
            origin,
            ("status", status, pending_until, reason),
            lambda t, o: t.change_status(
                self.statuses().settable(status),
                pending_until,
                reason,
                o.time(),
                o,
            ),
        )

    def reopen(self, number: str, origin: Origin) -> CommandResult:
        """Reopen a resolved or closed ticket."""
        return self._change(
            number, origin, ("reopen",), lambda t, o: t.reopen(self.statuses(), o)
        )

    def change_priority(
        self, number: str, priority: str, origin: Origin
    ) -> CommandResult:
        """Set the priority."""
        return self._change(
            number,
            origin,
            ("priority", priority),
            lambda t, o: t.change_priority(self.priorities().require(priority), o),
        )

    def move(self, number: str, queue: str, origin: Origin) -> CommandResult:
        """Move the ticket to another queue."""
        return self._change(
            number,
            origin,
            ("move", queue),
            lambda t, o: t.move(self._known_queue(queue), o),
        )

    def change_type(self, number: str, type_: str, origin: Origin) -> CommandResult:
        """Set the ticket type."""
        return self._change(
            number,
            origin,
            ("type", type_),
            lambda t, o: t.change_type(self.ticket_types().require(type_), o),
        )

    def retitle(self, number: str, title: str, origin: Origin) -> CommandResult:
        """Change the title."""
        return self._change(
            number, origin, ("title", title), lambda t, o: t.retitle(title, o)
        )

    def set_field(
        self, number: str, name: str, value: object, origin: Origin
    ) -> CommandResult:
        """Set or clear a custom field."""
        return self._change(
            number,
            origin,
            ("field", name, value),
            lambda t, o: t.set_field(self._known_field(name), value, o),
        )

    def tag(self, number: str, tag: str, origin: Origin) -> CommandResult:
        """Add a tag."""
        return self._change(number, origin, ("tag", tag), lambda t, o: t.tag(tag, o))

    def untag(self, number: str, tag: str, origin: Origin) -> CommandResult:
        """Remove a tag."""
        return self._change(
            number, origin, ("untag", tag), lambda t, o: t.untag(tag, o)
        )

    def link(self, number: str, other: str, kind: str, origin: Origin) -> CommandResult:
        """Link two tickets; both record the link."""
        return self._change(
            number,
            origin,
            ("link", other, kind),
            lambda t, o: self._link(t, other, link_kind(kind), o),
        )

    def unlink(
        self, number: str, other: str, kind: str, origin: Origin
    ) -> CommandResult:
        """Remove a link from both tickets."""
        return self._change(
            number,
            origin,
            ("unlink", other, kind),
            lambda t, o: self._unlink(t, other, link_kind(kind), o),
        )

    def merge(self, number: str, target: str, origin: Origin) -> CommandResult:
        """Merge a ticket into another; the source then refuses every change."""
        return self._change(
            number, origin, ("merge", target), lambda t, o: self._merge(t, target, o)
        )

    def account_time(
        self,
        number: str,
        minutes: int,
        activity: str,
        article_id: str | None,
        origin: Origin,
    ) -> CommandResult:
        """Account minutes of work."""
        return self._change(
            number,
            origin,
            ("time", minutes, activity, article_id),
            lambda t, o: t.account_time(minutes, activity, article_id, o),
        )

    def rate(
        self, number: str, score: int, comment: str, origin: Origin
    ) -> CommandResult:
        """Record the customer's satisfaction."""
        return self._change(
            number,
            origin,
            ("rate", score, comment),
            lambda t, o: t.rate(score, comment, o),
        )
