"""Query and response models of the views: the ticket list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Moment
from domain.disclosure import Disclosure
from domain.queues import Queue
from projections.tickets.listing import TicketFilter, TicketPage, TicketSummaryRow

# Printable text only: a NUL byte, for one, is no value PostgreSQL can compare.
Term = Annotated[
    str, StringConstraints(min_length=1, max_length=254, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Terms = Annotated[list[Term], Field(max_length=50)]

MAX_LIMIT = 200
MAX_WAIT_SECONDS = 5.0


class TicketFilterQuery(BaseModel):
    """The filters of the ticket list (and of search); unknown values match none."""

    model_config = ConfigDict(extra="forbid")

    status: Terms = []
    status_category: Terms = []
    queue: Terms = []
    group: Terms = Field([], description="Tickets in the queues of these groups.")
    owner: Terms = Field([], description='An agent\'s login, or "none" for nobody.')
    priority: Terms = []
    type: Terms = []
    tag: Terms = Field([], description="Tickets with any of these tags.")
    customer: Term | None = None
    organization: Term | None = None
    created_after: Moment | None = None
    created_before: Moment | None = None
    updated_after: Moment | None = None
    updated_before: Moment | None = None
    waiting_for_agent: bool | None = Field(
        None, description="The last public article is the customer's, unanswered."
    )
    hidden: bool | None = Field(
        None, description="Customers never see hidden tickets, whatever they ask."
    )
    preset: Literal["new_and_open", "closed"] | None = Field(
        None,
        description="new_and_open: new, open and pending; closed: resolved and closed.",
    )

    def wanted(self, queues: Sequence[Queue] = ()) -> TicketFilter:
        """The filter the query asks for, groups resolved against these queues."""
        return TicketFilter(
            group_queues=(
                tuple(q.name for q in queues if q.group in self.group)
                if self.group
                else None
            ),
            statuses=tuple(self.status),
            categories=tuple(self.status_category),
            queues=tuple(self.queue),
            owners=tuple(None if o == "none" else o for o in self.owner),
            priorities=tuple(self.priority),
            types=tuple(self.type),
            tags=tuple(self.tag),
            customer=self.customer,
            organization=self.organization,
            created_after=self.created_after,
            created_before=self.created_before,
            updated_after=self.updated_after,
            updated_before=self.updated_before,
            waiting_for_agent=self.waiting_for_agent,
            hidden=self.hidden,
            preset=self.preset,
        )


class TicketListQuery(TicketFilterQuery):
    """Filters, sort order and paging of the ticket list."""

    sort: Literal["created", "updated", "priority"] = Field(
        "created", description="priority sorts by priority, then oldest first."
    )
    order: Literal["asc", "desc"] = "desc"
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page, same sort order.")
    )
    after: Annotated[int, Field(ge=0, le=2**62)] | None = Field(
        None, description="A write's position: answer once the list includes it."
    )
    wait: Annotated[float, Field(ge=0, le=MAX_WAIT_SECONDS)] = Field(
        2.0, description="Seconds to wait for `after` before answering anyway."
    )


class TicketSummaryOut(BaseModel):
    """One ticket of the list; withheld fields are null."""

    number: str
    title: str
    customer: str
    organization: str | None
    queue: str
    status: str
    status_category: str
    priority: str
    priority_rank: int
    type: str
    owner: str | None
    hidden: bool | None = Field(None, description="Null for customers.")
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    version: int
    last_public_sender: str | None
    last_public_at: datetime | None
    waiting_for_agent: bool
    first_response_at: datetime | None
    merged_into: str | None

    @classmethod
    def of(cls, ticket: TicketSummaryRow, told: Disclosure) -> TicketSummaryOut:
        """The response form of a ticket of the list, as the reader may be told."""
        shown = [name for name in cls.model_fields if told.sees_ticket_field(name)]
        values = {name: getattr(ticket, name) for name in shown}
        if "merged_into" in values:
            values["merged_into"] = told.other_ticket(ticket.merged_into)
        return cls(**values)


class TicketListOut(BaseModel):
    """A page of tickets; `caught_up` is false when the view lagged behind `after`."""

    tickets: list[TicketSummaryOut]
    total: int
    next_cursor: str | None
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: TicketPage, caught_up: bool, told: Disclosure) -> TicketListOut:
        """The response form of a page, as the reader may be told it."""
        return cls(
            tickets=[TicketSummaryOut.of(t, told) for t in page.tickets],
            total=page.total,
            next_cursor=page.next_cursor,
            position=page.position,
            caught_up=caught_up,
        )
