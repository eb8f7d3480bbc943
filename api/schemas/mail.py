"""Request and response models of the mail quarantine (the admin's side)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.text import Strict
from api.schemas.views import MAX_LIMIT
from api.schemas.views_work import AFTER_HELP, WAIT_HELP, After, Wait
from domain.mail import MailState
from projections.mail.query import MailRow, MessagePage


class QuarantineQuery(BaseModel):
    """Which messages to list, and the page."""

    model_config = ConfigDict(extra="forbid")

    state: MailState = Field(
        MailState.QUARANTINED,
        description="quarantined (held, the default), discarded, or taken.",
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page.")
    )
    after: After = Field(None, description=AFTER_HELP)
    wait: Wait = Field(2.0, description=WAIT_HELP)


class DiscardIn(Strict):
    """Why a quarantined message is set aside for good."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class MailMessageOut(BaseModel):
    """A received message as its record stands: what it is, and why it is held."""

    id: UUID = Field(description="The message's record.")
    key: str = Field(description="Its Message-ID, else the digest of its bytes.")
    message_id: str | None
    sender: str | None = Field(description="The From address, if it had one.")
    subject: str
    state: MailState
    reason: str | None = Field(
        description="Why it was quarantined (kept once it is discarded)."
    )
    detail: str = Field(description="The quarantine's detail, or why it was discarded.")
    number: str | None = Field(description="The ticket it was taken onto.")
    article_id: str | None
    threaded_by: str | None
    received_at: datetime
    changed_at: datetime
    raw_size: int = Field(description="The raw message's size in bytes.")
    raw_sha256: str = Field(description="The raw message's digest in the blob store.")

    @classmethod
    def of(cls, row: MailRow) -> MailMessageOut:
        """The response form of a message's row."""
        return cls(**vars(row))


class HandledOut(MailMessageOut):
    """The message as a discard or a retry left it, and where that is in the log."""

    position: int | None = Field(
        description="The change's log position: pass as `after` to a list."
    )


class QuarantineOut(BaseModel):
    """A page of messages, newest first, and how many there are in all."""

    items: list[MailMessageOut]
    total: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: MessagePage, caught_up: bool) -> QuarantineOut:
        """The response form of a page."""
        return cls(
            items=[MailMessageOut.of(m) for m in page.messages],
            total=page.total,
            next_cursor=page.next_cursor,
            position=page.position,
            caught_up=caught_up,
        )
