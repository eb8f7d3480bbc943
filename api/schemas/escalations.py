"""Query and response models of the SLA views and of a ticket's clocks."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Day, Moment
from api.schemas.views import MAX_LIMIT, Terms
from api.schemas.views_work import AFTER_HELP, WAIT_HELP, After, Wait
from domain.sla_clocks import Clock, ClockReading
from domain.sla_timeline import Timeline
from projections.escalations.query import (
    ClockRow,
    EscalationPage,
    Reminder,
    Tally,
    Urgency,
)

Login = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class EscalationQuery(BaseModel):
    """Filters and paging of the escalation list."""

    model_config = ConfigDict(extra="forbid")

    queue: Terms = Field([], description="Clocks of tickets in any of these queues.")
    owner: Login | None = Field(None, description="Clocks of this agent's tickets.")
    clock: Clock | None = Field(None, description="Only this clock.")
    state: Urgency | None = Field(
        None,
        description="breached: past due; warned: past the warning, not yet due; "
        "running: not yet due; paused: in a pausing status.",
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page.")
    )
    after: After = Field(None, description=AFTER_HELP)
    wait: Wait = Field(2.0, description=WAIT_HELP)


class ClockOut(BaseModel):
    """One counting SLA clock of an unfinished ticket."""

    number: str
    clock: Clock
    state: Urgency
    queue: str
    owner: str | None
    priority: str
    policy: str
    target_minutes: int
    started_at: datetime
    due_at: datetime | None = Field(description="None while the clock is paused.")
    warn_at: datetime | None
    due_in_seconds: int | None = Field(
        description="From `now` to due_at; negative once overdue."
    )

    @classmethod
    def of(cls, row: ClockRow) -> ClockOut:
        """The response form of a clock row."""
        fields = asdict(row)
        fields["state"] = fields.pop("urgency")
        return cls(**fields)


class EscalationListOut(BaseModel):
    """A page of counting clocks: breached first, then the nearest due."""

    clocks: list[ClockOut]
    total: int
    next_cursor: str | None
    now: datetime = Field(description="The moment the states were decided at.")
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: EscalationPage, caught_up: bool) -> EscalationListOut:
        """The response form of a page."""
        return cls(
            clocks=[ClockOut.of(row) for row in page.clocks],
            total=page.total,
            next_cursor=page.next_cursor,
            now=page.now,
            position=page.position,
            caught_up=caught_up,
        )


class TallyQuery(BaseModel):
    """How to count the clocks."""

    model_config = ConfigDict(extra="forbid")

    by: Literal["queue", "owner"] = "queue"


class TallyOut(BaseModel):
    """Counting clocks of one queue or owner ("" nobody), breached and warned now."""

    key: str
    breached: int
    warned: int
    counting: int

    @classmethod
    def of(cls, tally: Tally) -> TallyOut:
        """The response form of a tally."""
        return cls(**asdict(tally))


class TallyListOut(BaseModel):
    """The tallies by queue or owner."""

    by: str
    now: datetime
    tallies: list[TallyOut]


class ReminderQuery(BaseModel):
    """Which day's reminders: pending tickets whose pending time passes that day."""

    model_config = ConfigDict(extra="forbid")

    day: Day | None = Field(None, description="The day (default: today).")
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        "UTC", description="The zone the day is read in, e.g. Europe/Berlin."
    )
    owner: Login | None = Field(None, description="Only this agent's reminders.")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = Field(
        100, description="Reminders per page, the earliest first."
    )
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page.")
    )


class ReminderOut(BaseModel):
    """A pending ticket whose pending time passes on the day."""

    number: str
    queue: str
    owner: str | None
    pending_until: datetime

    @classmethod
    def of(cls, reminder: Reminder) -> ReminderOut:
        """The response form of a reminder."""
        return cls(**asdict(reminder))


class AgentRemindersOut(BaseModel):
    """One agent's reminders of the day (owner None: tickets nobody owns)."""

    owner: str | None
    reminders: list[ReminderOut]


class RemindersOut(BaseModel):
    """The day's reminders, per agent."""

    day: date
    time_zone: str
    start: datetime
    end: datetime
    agents: list[AgentRemindersOut]
    next_cursor: str | None = Field(
        description="More of the day's reminders: pass it as cursor (None: no more)."
    )


class SlaQuery(BaseModel):
    """When to read a ticket's clocks."""

    model_config = ConfigDict(extra="forbid")

    as_of: Moment | None = Field(
        None,
        description="The clocks as they stood at this time, from the ticket's "
        "events and the policies and calendars of that moment.",
    )


class ClockReadingOut(BaseModel):
    """One clock of a ticket as it stood at the moment read."""

    clock: Clock
    state: str = Field(description="running, paused, met, breached or stopped.")
    counting: bool
    target_minutes: int
    started_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    warned_at: datetime | None
    used_minutes: float
    left_minutes: float
    breaches: int

    @classmethod
    def of(cls, reading: ClockReading) -> ClockReadingOut:
        """The response form of a reading."""
        fields = asdict(reading)
        used, left = fields.pop("used"), fields.pop("left")
        return cls(
            **fields,
            used_minutes=used.total_seconds() / 60,
            left_minutes=left.total_seconds() / 60,
        )


class SolutionDueOut(BaseModel):
    """What a customer may see, where the queue shows it: the solution due time."""

    clock: Clock
    due_at: datetime | None


class SlaOut(BaseModel):
    """A ticket's SLA clocks at a moment, and the policy they run under."""

    number: str
    at: datetime
    policy: str | None = Field(description="None: no policy applies to the ticket.")
    queue: str | None
    priority: str | None
    clocks: list[ClockReadingOut]

    @classmethod
    def of(
        cls,
        number: str,
        at: datetime,
        policy: str | None,
        timeline: Timeline,
        readings: tuple[ClockReading, ...],
    ) -> SlaOut:
        """The response form of a ticket's readings."""
        return cls(
            number=number,
            at=at,
            policy=policy,
            queue=timeline.queue,
            priority=timeline.priority,
            clocks=[ClockReadingOut.of(r) for r in readings],
        )


class CustomerSlaOut(BaseModel):
    """What a customer is told of the clocks: the solution due time, if shown."""

    number: str
    at: datetime
    clocks: list[SolutionDueOut]
