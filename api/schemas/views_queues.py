"""Query and response models of the queue and status views."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Day
from api.schemas.views import MAX_LIMIT, MAX_WAIT_SECONDS, TicketSummaryOut
from domain.errors import InvalidValue

#: The longest backlog series one request may ask for, in days.
MAX_BACKLOG_DAYS = 366
DEFAULT_BACKLOG_DAYS = 30
# Bounded so that no default or span reaches past what a date can hold.


class FreshnessQuery(BaseModel):
    """Read-your-writes: a write's position, and how long to wait for it."""

    model_config = ConfigDict(extra="forbid")

    after: Annotated[int, Field(ge=0, le=2**62)] | None = Field(
        None, description="A write's position: answer once the view includes it."
    )
    wait: Annotated[float, Field(ge=0, le=MAX_WAIT_SECONDS)] = Field(
        2.0, description="Seconds to wait for `after` before answering anyway."
    )


class QueueQuery(FreshnessQuery):
    """One page of a queue's work list."""

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page.")
    )


class StatusQuery(FreshnessQuery):
    """The days of the backlog series: `from` and `to` inclusive, UTC days."""

    first: Day | None = Field(
        None,
        alias="from",
        description=f"First day; default {DEFAULT_BACKLOG_DAYS - 1} days before `to`.",
    )
    last: Day | None = Field(None, alias="to", description="Last day; default today.")

    def days(self, today: date) -> tuple[date, date]:
        """The first and last day asked for, defaults filled in; at most a year."""
        last = self.last or today
        first = self.first or last - timedelta(days=DEFAULT_BACKLOG_DAYS - 1)
        if first > last:
            raise InvalidValue("`from` must not be after `to`")
        if (last - first).days >= MAX_BACKLOG_DAYS:
            raise InvalidValue(f"the backlog spans at most {MAX_BACKLOG_DAYS} days")
        return first, last


class QueueCountsOut(BaseModel):
    """One queue's figures."""

    name: str
    group: str = Field(description="The group of agents working it.")
    tickets: int = Field(description="Every ticket in the queue, finished or not.")
    by_status_category: dict[str, int]
    by_priority: dict[str, int] = Field(
        description="Unfinished (new, open and pending) tickets by priority, "
        "in the configured order."
    )


class QueueListOut(BaseModel):
    """Every queue the caller may see, with its figures."""

    queues: list[QueueCountsOut]
    position: int
    caught_up: bool


class QueueOut(BaseModel):
    """A queue's figures and a page of its unfinished tickets in working order."""

    queue: QueueCountsOut
    tickets: list[TicketSummaryOut] = Field(
        description="Highest priority first, then oldest first."
    )
    total: int = Field(description="Unfinished tickets in the queue.")
    next_cursor: str | None
    position: int = Field(description="The lower of the two views' positions.")
    caught_up: bool


class StatusCountOut(BaseModel):
    """Tickets with one status."""

    status: str
    status_category: str
    tickets: int


class OwnerCountOut(BaseModel):
    """One owner's tickets by status category; owner None is nobody."""

    owner: str | None
    by_status_category: dict[str, int]


class BacklogDayOut(BaseModel):
    """Tickets unfinished at the end of a UTC day."""

    day: date
    tickets: int


class StatusOut(BaseModel):
    """Counts by status category, status and owner; the daily open backlog."""

    by_status_category: dict[str, int]
    by_status: list[StatusCountOut]
    by_owner: list[OwnerCountOut]
    backlog: list[BacklogDayOut]
    position: int
    caught_up: bool
