"""What the summary should say about a ticket, from the aggregate itself."""

from __future__ import annotations

from dataclasses import replace

from domain.desk import HelpDesk
from domain.statuses import Category
from domain.ticket import Ticket
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.tickets.listing import TicketFilter, TicketSummaryRow, find_tickets

WAITING_FREE = {Category.RESOLVED, Category.CLOSED, Category.MERGED}


def expected_row(desk: HelpDesk, ticket: Ticket) -> TicketSummaryRow:
    """The summary row the ticket's own state implies."""
    public = [a for a in ticket.articles if a.is_public]
    last = public[-1] if public else None
    return TicketSummaryRow(
        number=ticket.number,
        title=ticket.title,
        customer=ticket.customer,
        organization=ticket.organization,
        queue=ticket.queue,
        status=ticket.status,
        status_category=ticket.status_category,
        priority=ticket.priority,
        priority_rank=desk.priorities().rank(ticket.priority),
        type=ticket.type,
        owner=ticket.owner,
        hidden=ticket.hidden,
        created_at=ticket.created_on,
        updated_at=ticket.modified_on,
        version=ticket.version,
        last_public_sender=last.sender if last else None,
        last_public_at=last.created_at if last else None,
        waiting_for_agent=bool(
            last
            and last.sender == "customer"
            and ticket.status_category not in WAITING_FREE
        ),
        first_response_at=ticket.first_response_at,
        merged_into=ticket.merged_into,
        tags=sorted(ticket.tags),
    )


def summary_rows(store: ViewStore) -> dict[str, TicketSummaryRow]:
    """Every row of the summary by ticket number."""
    page = find_tickets(store, Scope(), TicketFilter(), limit=100_000)
    return {row.number: replace(row, tags=sorted(row.tags)) for row in page.tickets}


def expected_rows(desk: HelpDesk, numbers: list[str]) -> dict[str, TicketSummaryRow]:
    """The rows these tickets imply."""
    return {n: expected_row(desk, desk.ticket(n)) for n in numbers}


#: Lists whose totals the counters answer: owners (nobody too), queues, statuses
#: across categories, priorities, presets, hidden, an agent's queues.
COUNTED_LISTS = [
    (Scope(), TicketFilter()),
    (Scope(), TicketFilter(preset="new_and_open")),
    (Scope(), TicketFilter(preset="closed")),
    (Scope(), TicketFilter(owners=(None,))),
    (Scope(), TicketFilter(owners=("alice",), priorities=("critical",))),
    (Scope(), TicketFilter(owners=(None, "alice"), hidden=False)),
    (Scope(), TicketFilter(categories=("merged", "resolved"))),
    (Scope(), TicketFilter(statuses=("new", "open"), queues=("Hardware",))),
    (Scope(queues=("General",)), TicketFilter(preset="new_and_open")),
    (Scope(queues=("Hardware",)), TicketFilter(group_queues=("Hardware",))),
    (Scope(queues=()), TicketFilter()),
]


def wrong_totals(
    store: ViewStore, lists: list[tuple[Scope, TicketFilter]]
) -> list[tuple[Scope, TicketFilter, int, int]]:
    """The lists whose total is not the number of tickets they list (all on a page)."""
    wrong = []
    for scope, wanted in lists:
        page = find_tickets(store, scope, wanted, limit=100_000)
        if page.total != len(page.tickets):
            wrong.append((scope, wanted, page.total, len(page.tickets)))
    return wrong
