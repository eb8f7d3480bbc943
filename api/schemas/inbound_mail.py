"""What the mail gateway is told of a message it handed in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.mail import MailReceipt, MailState


class MailReceiptOut(BaseModel):
    """What became of a message: taken onto a ticket, or quarantined."""

    key: str = Field(description="What makes two deliveries the same message.")
    state: MailState
    number: str | None = Field(description="The ticket it was taken onto.")
    article_id: str | None
    threaded_by: str | None = Field(
        description="tag, in_reply_to, references, new_ticket, follow_up_ticket "
        "or bounce."
    )
    reason: str | None = Field(description="Why it was quarantined.")
    detail: str
    duplicate: bool = Field(
        description="It had been received before: nothing new was recorded."
    )
    position: int | None

    @classmethod
    def of(cls, receipt: MailReceipt) -> MailReceiptOut:
        """The response form of a receipt."""
        return cls(
            key=receipt.key,
            state=receipt.state,
            number=receipt.number,
            article_id=receipt.article_id,
            threaded_by=receipt.threaded_by,
            reason=receipt.reason,
            detail=receipt.detail,
            duplicate=receipt.duplicate,
            position=receipt.position,
        )
