"""The reports as the API shows them: the backlog as of a moment."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from replay.backlog import Backlog


class BacklogOut(BaseModel):
    """The tickets as they stood at a moment, replayed from the event log."""

    as_of: datetime
    open_tickets: int = Field(
        description="The backlog: tickets in a new, open or pending status."
    )
    tickets: int = Field(description="Every ticket that existed, finished or not.")
    by_status_category: dict[str, int] = Field(
        description="Every ticket that existed, by the category of its status."
    )
    by_status: dict[str, int] = Field(description="Every ticket, by status.")
    by_queue: dict[str, int] = Field(description="The backlog by queue.")
    by_priority: dict[str, int] = Field(
        description="The backlog by priority, in the configured order."
    )
    queues: list[str] | None = Field(
        description="The queues counted (an agent's own); null: every queue."
    )
    position: int = Field(description="The log position the replay read up to.")
    events_read: int = Field(description="How many ticket events were replayed.")

    @classmethod
    def of(cls, backlog: Backlog, queues: list[str] | None) -> BacklogOut:
        """The response for a replayed backlog over these queues (None: all)."""
        return cls(
            as_of=backlog.as_of,
            open_tickets=backlog.open_tickets,
            tickets=backlog.tickets,
            by_status_category=backlog.by_status_category,
            by_status=backlog.by_status,
            by_queue=backlog.by_queue,
            by_priority=backlog.by_priority,
            queues=queues,
            position=backlog.position,
            events_read=backlog.events_read,
        )
