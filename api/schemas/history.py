"""A ticket's history as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Moment
from replay.history import HistoryEntry

MAX_PAGE = 500


class HistoryQuery(BaseModel):
    """Which events of the history to show, and how many."""

    model_config = ConfigDict(extra="forbid")

    since: Moment | None = Field(None, description="Events at or after this.")
    until: Moment | None = Field(None, description="Events at or before this.")
    event: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{1,40}$")]] = Field(
        [], description="Only these event types, e.g. StatusChanged."
    )
    actor: Annotated[str, StringConstraints(max_length=300)] | None = None
    after_version: Annotated[int, Field(ge=0, le=10**12)] = Field(
        0, description="The page after this version (the previous page's last)."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100


class Change(BaseModel):
    """One field of the ticket before and after the event."""

    before: Any
    after: Any


class HistoryEntryOut(BaseModel):
    """One event: version, time, actor, correlation id, and what it changed."""

    version: int
    at: datetime
    actor: str
    correlation_id: str | None
    event: str
    changes: dict[str, Change]
    details: dict[str, Any] = Field(description="What the event itself carried.")

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryOut:
        """The response form of a history entry."""
        return cls(
            version=entry.version,
            at=entry.at,
            actor=entry.actor,
            correlation_id=entry.correlation_id,
            event=entry.event,
            changes={
                name: Change(before=before, after=after)
                for name, (before, after) in entry.changes.items()
            },
            details=entry.details,
        )


class HistoryPage(BaseModel):
    """A page of a ticket's history, oldest first."""

    number: str
    entries: list[HistoryEntryOut]
    total: int = Field(description="Entries matching the filters, on all pages.")
    next_after_version: int | None = Field(
        None, description="Pass as after_version for the next page; null at the end."
    )
