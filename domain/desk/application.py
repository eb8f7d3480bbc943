"""The HelpDesk application: tickets and configuration, changed only by commands."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain import commands as c
from domain.articles import Article
from domain.audit import Origin
from domain.configuration_commands import IssueToken
from domain.desk.cache import private_copy
from domain.desk.configuration import ConfiguredDesk
from domain.desk.handling import CommandPath
from domain.desk.mail_rules import DuplicateWatch
from domain.desk.replaying import apply_events
from domain.errors import NotFound
from domain.ids import ticket_id
from domain.people import Customer, Organization
from domain.ticket import Ticket
from domain.tokens import ApiToken

R = TypeVar("R")


class HelpDesk(ConfiguredDesk):
    """The write side: every change to a ticket or the configuration passes here."""

    # The env prefix and PostgreSQL table prefix; eventsourcing would name a
    # subclass after itself, so a subclass must repeat this to share the store.
    name = "helpdesk"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Ticket: 50}
    # A snapshot is of the ticket as its events make it, applied as every read
    # applies them (domain/desk/replaying.py).
    snapshotting_projectors: ClassVar[dict[type[Any], Any]] = {Ticket: apply_events}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(env, clock)
        self.commands = CommandPath(self)
        self.duplicate_mail = DuplicateWatch()

    def handle(self, command: c.Command[R], origin: Origin) -> R:
        """Run a command (domain/commands.py, domain/configuration_commands.py)."""
        return self.commands.handle(command, origin)

    def ticket(self, number: str, version: int | None = None) -> Ticket:
        """The ticket with this number, as it stands or as it was at a version.

        The current ticket is shared with other readers: do not change it.
        """
        if version is None:
            return self._loaded(number, self._shared)
        return self._loaded(
            number, lambda i: self.repository.get(i, version=version), version
        )

    def ticket_to_change(self, number: str) -> Ticket:
        """A private copy of the ticket as it stands, for a command to change."""
        return private_copy(self._loaded(number, self._shared))

    def new_article_id(self) -> str:
        """A fresh article id."""
        return secrets.token_hex(8)

    def new_task_id(self) -> str:
        """A fresh task id."""
        return secrets.token_hex(8)

    def new_number(self) -> str:
        """A new ticket number: the date and six random digits.

        Not looked up: a number some ticket has makes its id taken, the save
        is refused, and the command runs again with a fresh number.
        """
        return f"{self.clock():%Y%m%d}{secrets.randbelow(10**6):06d}"

    def customer_for(
        self, email: str, origin: Origin
    ) -> tuple[Customer, Customer | None]:
        """The customer with this email, and the new record if one is registered;
        a new customer joins the organization whose mail domains hold theirs."""
        try:
            return self.customer(email), None
        except NotFound:
            name = email.split("@", 1)[0] or email
            organization = self.organization_of_domain(email.rpartition("@")[2])
            customer = Customer.register(email, name, organization, origin)
            return customer, customer

    def organization_of_domain(self, domain: str) -> str | None:
        """The organization with this mail domain, if one has it."""
        wanted = domain.casefold()
        for organization in self.all_of(Organization):
            domains = {d.casefold() for d in organization.domains}
            if wanted and wanted in domains:
                return str(organization.name)
        return None

    def issue_token(
        self, name: str, role: str, subject: str, origin: Origin
    ) -> tuple[str, ApiToken]:
        """A new token and its secret; the secret is shown once, only its hash kept."""
        issued = self.handle(IssueToken(name, role, subject), origin)
        if issued.secret is None:
            raise NotFound("the token's secret was shown when it was first issued")
        return issued.secret, self.token(issued.record_id)

    # Ticket commands by name, for scripts and tests; each is one command.

    def open_ticket(
        self, draft: c.TicketDraft, article: Article, origin: Origin
    ) -> c.CommandResult:
        """Open a ticket with its first article."""
        return self.handle(c.OpenTicket(draft, article), origin)

    def add_article(
        self, number: str, article: Article, origin: Origin
    ) -> c.CommandResult:
        """Add a reply or note."""
        return self.handle(c.AddArticle(number, article), origin)

    def assign(
        self, number: str, owner: str, responsible: str | None, origin: Origin
    ) -> c.CommandResult:
        """Give the ticket to an agent of its queue."""
        return self.handle(c.Assign(number, owner, responsible), origin)

    def unassign(self, number: str, origin: Origin) -> c.CommandResult:
        """Take the ticket from its owner."""
        return self.handle(c.Unassign(number), origin)

    def change_status(
        self,
        number: str,
        status: str,
        pending_until: datetime | None,
        reason: str,
        origin: Origin,
    ) -> c.CommandResult:
        """Set a status by hand."""
        return self.handle(
            c.ChangeStatus(number, status, pending_until, reason), origin
        )

    def reopen(self, number: str, origin: Origin) -> c.CommandResult:
        """Reopen a resolved or closed ticket."""
        return self.handle(c.Reopen(number), origin)

    def change_priority(
        self, number: str, priority: str, origin: Origin
    ) -> c.CommandResult:
        """Set the priority."""
        return self.handle(c.ChangePriority(number, priority), origin)

    def move(self, number: str, queue: str, origin: Origin) -> c.CommandResult:
        """Move the ticket to another queue."""
        return self.handle(c.Move(number, queue), origin)

    def change_type(self, number: str, type_: str, origin: Origin) -> c.CommandResult:
        """Set the ticket type."""
        return self.handle(c.ChangeType(number, type_), origin)

    def retitle(self, number: str, title: str, origin: Origin) -> c.CommandResult:
        """Change the title."""
        return self.handle(c.Retitle(number, title), origin)

    def set_field(
        self, number: str, name: str, value: object, origin: Origin
    ) -> c.CommandResult:
        """Set or clear a custom field."""
        return self.handle(c.SetField(number, name, value), origin)

    def tag(self, number: str, tag: str, origin: Origin) -> c.CommandResult:
        """Add a tag."""
        return self.handle(c.Tag(number, tag), origin)

    def untag(self, number: str, tag: str, origin: Origin) -> c.CommandResult:
        """Remove a tag."""
        return self.handle(c.Untag(number, tag), origin)

    def link(
        self, number: str, other: str, kind: str, origin: Origin
    ) -> c.CommandResult:
        """Link two tickets; both record the link."""
        return self.handle(c.Link(number, other, kind), origin)

    def unlink(
        self, number: str, other: str, kind: str, origin: Origin
    ) -> c.CommandResult:
        """Remove a link from both tickets."""
        return self.handle(c.Unlink(number, other, kind), origin)

    def merge(self, number: str, target: str, origin: Origin) -> c.CommandResult:
        """Merge a ticket into another."""
        return self.handle(c.Merge(number, target), origin)

    def account_time(
        self,
        number: str,
        minutes: int,
        activity: str,
        article_id: str | None,
        origin: Origin,
    ) -> c.CommandResult:
        """Account minutes of work."""
        return self.handle(c.AccountTime(number, minutes, activity, article_id), origin)

    def rate(
        self, number: str, score: int, comment: str, origin: Origin
    ) -> c.CommandResult:
        """Record the customer's satisfaction."""
        return self.handle(c.Rate(number, score, comment), origin)

    def _loaded(
        self, number: str, load: Callable[[UUID], Aggregate], version: int | None = None
    ) -> Ticket:
        try:
            ticket: Aggregate = load(ticket_id(number))
        except AggregateNotFoundError:
            raise NotFound(f"ticket {number} not found") from None
        if not isinstance(ticket, Ticket):
            raise NotFound(f"ticket {number} not found")
        if version is not None and ticket.version != version:
            raise NotFound(f"ticket {number} has no version {version}")
        return ticket
