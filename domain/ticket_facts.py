"""What each ticket event means for the facts every reader of a ticket shows.

One rule per fact, asked by the Ticket aggregate and by every view:

- `first_response_at`: when the first public article sent by an agent was added.
  That includes the article an agent opens a ticket with (an outbound message to
  the customer: the response is then as old as the ticket). An article an agent
  writes on the customer's behalf (a phone ticket) is sent by the customer and
  is no response; internal notes never count.
- `last_public_sender`: who wrote the last public article (customer, agent or
  system): who spoke last.
- `finished_at`: since when the ticket is resolved or closed (closing a resolved
  ticket keeps the moment); None while it is not.
- `working_since`: since when the ticket is unfinished: its creation, or the
  reopen (Reopened, or a status change out of resolved or closed) that ended its
  last finish; None while it is finished. A resolution time runs from it.
- `waiting_since`: since when the customer waits for an answer: their public
  article is the last one and the ticket is new, open or pending. A further
  customer article does not move the moment; a public agent or system article,
  a resolution or a merge ends the wait; a reopen after the customer spoke last
  starts a new wait at the reopen.
- `owner`, `queue`, `status_category`: as the last event that set them says.

Each event declares the facts it changes (`changes`): a fact *becomes* a value,
or a moment *starts* (kept if the fact has one already), optionally only while
another fact has one of some values (else the fact has none). A condition reads
the facts as they were before the event, and no event changes a fact its own
conditions read, so the aggregate (in Python) and the views (one SQL UPDATE
whose SET sees the row as it was) apply the same declarations alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.articles import Sender, Visibility
from domain.statuses import FINISHED, Category

#: The categories in which a ticket is worked on: it can wait for an answer.
UNFINISHED = frozenset({Category.NEW, Category.OPEN, Category.PENDING})
# Plain strings, as the views bind them as SQL parameters.
_UNFINISHED = frozenset(str(c.value) for c in UNFINISHED)
_CUSTOMER = frozenset({Sender.CUSTOMER.value})


@dataclass(frozen=True)
class Becomes:
    """The fact takes this value."""

    value: object

    def applied(self, facts: Mapping[str, object], name: str) -> object:
        """The fact's value after the event."""
        return self.value


@dataclass(frozen=True)
class Starts:
    """The fact takes this moment unless it has one already; with a condition,
    only while the fact `while_fact` is one of `among` (else it has none)."""

    at: datetime
    while_fact: str | None = None
    among: frozenset[str] = frozenset()

    def applied(self, facts: Mapping[str, object], name: str) -> object:
        """The fact's value after the event."""
        if self.while_fact is not None and facts[self.while_fact] not in self.among:
            return None
        current = facts[name]
        return self.at if current is None else current


Change = Becomes | Starts
#: The facts an event changes, by name.
Changes = dict[str, Change]


@dataclass(frozen=True)
class TicketFacts:
    """A ticket's facts, folded from its events: `TicketFacts().after(event)`."""

    created_at: datetime | None = None
    queue: str | None = None
    owner: str | None = None
    status_category: str | None = None
    last_public_sender: str | None = None
    first_response_at: datetime | None = None
    finished_at: datetime | None = None
    working_since: datetime | None = None
    waiting_since: datetime | None = None

    def after(self, event: object) -> TicketFacts:
        """The facts once the event happened."""
        return self.changed(changes(event))

    def changed(self, found: Changes) -> TicketFacts:
        """The facts with these changes applied."""
        return replace(self, **settle(found, vars(self)))  # type: ignore[arg-type]


def settle(found: Changes, facts: Mapping[str, object]) -> dict[str, object]:
    """The new values of the given facts that the changes touch; others are left
    out, so a reader keeping only some facts applies only those."""
    return {
        name: change.applied(facts, name)
        for name, change in found.items()
        if name in facts
    }


def changes(event: object) -> Changes:
    """What a ticket event says about the ticket's facts (most say nothing)."""
    # By the class's name: the aggregate's module imports this one.
    rule = _RULES.get(type(event).__qualname__)
    return rule(event) if rule is not None else {}


def created(at: datetime, queue: str, category: str) -> Changes:
    """A new ticket: in its queue and category, owned by nobody, unanswered."""
    return {
        **entered(at, category),
        "created_at": Becomes(at),
        "queue": Becomes(queue),
        "owner": Becomes(None),
        "last_public_sender": Becomes(None),
        "first_response_at": Becomes(None),
        "waiting_since": Becomes(None),
    }


def article_added(at: datetime, sender: str, visibility: str) -> Changes:
    """A public article: its sender spoke last; an agent's may be the first
    response; a customer's starts a wait, anyone else's ends it."""
    if visibility != Visibility.PUBLIC:
        return {}
    found: Changes = {"last_public_sender": Becomes(sender)}
    if sender == Sender.AGENT:
        found["first_response_at"] = Starts(at)
    if sender == Sender.CUSTOMER:
        found["waiting_since"] = Starts(at, "status_category", _UNFINISHED)
    else:
        found["waiting_since"] = Becomes(None)
    return found


def entered(at: datetime, category: str) -> Changes:
    """A new status category: a finish, a reopen, a merge, or neither."""
    found: Changes = {"status_category": Becomes(category)}
    if category in FINISHED:
        found["finished_at"] = Starts(at)
        found["working_since"] = Becomes(None)
    else:
        found["finished_at"] = Becomes(None)
        found["working_since"] = Starts(at)
    if category in UNFINISHED:
        found["waiting_since"] = Starts(at, "last_public_sender", _CUSTOMER)
    else:
        found["waiting_since"] = Becomes(None)
    return found


_RULES: dict[str, Callable[[Any], Changes]] = {
    "Ticket.Created": lambda e: created(e.timestamp, e.queue, e.status_category),
    "Ticket.ArticleAdded": lambda e: article_added(e.timestamp, e.sender, e.visibility),
    "Ticket.Assigned": lambda e: {"owner": Becomes(e.owner)},
    "Ticket.Unassigned": lambda e: {"owner": Becomes(None)},
    "Ticket.StatusChanged": lambda e: entered(e.timestamp, e.category),
    "Ticket.Reopened": lambda e: {
        **entered(e.timestamp, e.category),
        "owner": Becomes(e.owner),
    },
    "Ticket.PendingExpired": lambda e: entered(e.timestamp, e.category),
    "Ticket.Merged": lambda e: entered(e.timestamp, Category.MERGED.value),
    "Ticket.Moved": lambda e: {"queue": Becomes(e.to_queue)},
}
