"""Query and response models of the activity feed and its live stream."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.moments import Moment
from api.schemas.views import MAX_LIMIT, MAX_WAIT_SECONDS, Terms
from projections.activity.feed import Activity, ActivityFilter, ActivityPage

MAX_STREAM_SECONDS = 300.0

Position = Annotated[int, Field(ge=0, le=2**62)]


class ActivityFilterQuery(BaseModel):
    """The filters the feed and the stream share; unknown values match none."""

    model_config = ConfigDict(extra="forbid")

    ticket: Terms = Field([], description="Ticket numbers.")
    actor: Terms = Field([], description='Actors, e.g. "agent:alice".')
    queue: Terms = Field([], description="The ticket's queue when it happened.")
    since: Moment | None = Field(None, description="At or after this moment.")
    until: Moment | None = Field(None, description="Before this moment.")

    def wanted(self) -> ActivityFilter:
        """The filter the query asks for."""
        return ActivityFilter(
            tickets=tuple(self.ticket),
            actors=tuple(self.actor),
            queues=tuple(self.queue),
            since=self.since,
            until=self.until,
        )


class ActivityQuery(ActivityFilterQuery):
    """Filters and paging of the feed, newest first."""

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Position | None = Field(
        None, description="next_cursor of the previous page: older activity."
    )
    after: Position | None = Field(
        None, description="A write's position: answer once the feed includes it."
    )
    wait: Annotated[float, Field(ge=0, le=MAX_WAIT_SECONDS)] = Field(
        2.0, description="Seconds to wait for `after` before answering anyway."
    )


class ActivityStreamQuery(ActivityFilterQuery):
    """Where the stream starts and how long it stays open."""

    after: Position | None = Field(
        None,
        description="Send activity after this log position (Last-Event-ID wins); "
        "by default only what happens from now on.",
    )
    max_seconds: Annotated[float, Field(ge=0, le=MAX_STREAM_SECONDS)] = Field(
        60.0, description="Close the stream after this long; clients reconnect."
    )


class ActivityOut(BaseModel):
    """One thing that happened to a ticket; `position` is its log position."""

    position: int
    at: datetime
    actor: str
    ticket: str
    queue: str
    event_type: str
    summary: str
    changes: dict[str, Any]
    internal: bool

    @classmethod
    def of(cls, activity: Activity) -> ActivityOut:
        """The response form of one activity."""
        return cls.model_validate(activity, from_attributes=True)


class ActivityListOut(BaseModel):
    """A page of activity; `caught_up` is false when the feed lagged behind `after`."""

    activities: list[ActivityOut]
    total: int
    next_cursor: int | None
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: ActivityPage, caught_up: bool) -> ActivityListOut:
        """The response form of a page."""
        return cls(
            activities=[ActivityOut.of(a) for a in page.activities],
            total=page.total,
            next_cursor=page.next_cursor,
            position=page.position,
            caught_up=caught_up,
        )
