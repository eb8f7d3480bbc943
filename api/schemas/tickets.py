"""Request and response models for tickets and articles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Moment
from api.schemas.tasks import TaskOut
from api.schemas.text import PathSafe, Strict
from domain.articles import Article
from domain.desk import CommandResult
from domain.disclosure import Disclosure
from domain.ticket import Ticket

Email = Annotated[str, StringConstraints(min_length=3, max_length=254)]
ShortText = Annotated[str, StringConstraints(max_length=250)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
FieldScalar = str | int | float | bool | None


class ArticleIn(Strict):
    """A reply, internal note or phone note."""

    body: Annotated[str, StringConstraints(max_length=1_000_000)] = ""
    subject: Annotated[str, StringConstraints(max_length=998)] = ""
    body_html: Annotated[str, StringConstraints(max_length=1_000_000)] | None = None
    visibility: Literal["public", "internal"] = "public"
    channel: Literal["email", "web", "phone", "chat", "api", "note"] = "web"
    sender: Literal["customer", "agent", "system"] | None = Field(
        None, description="Defaults to the caller's side: customer or agent."
    )
    from_address: Email | None = None
    to: Annotated[list[Email], Field(max_length=100)] = Field(default_factory=list)
    cc: Annotated[list[Email], Field(max_length=100)] = Field(default_factory=list)
    message_id: ShortText | None = None
    in_reply_to: ShortText | None = None
    time_spent_minutes: Annotated[int, Field(ge=0, le=10_000)] = 0


class ForwardIn(Strict):
    """Forward an article, with its attachments, to outside addresses."""

    to: Annotated[list[Email], Field(min_length=1, max_length=50)]
    cc: Annotated[list[Email], Field(max_length=50)] = Field(default_factory=list)
    comment: Annotated[str, StringConstraints(max_length=100_000)] = ""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"to": ["repairs@vendor.example"], "comment": "Can you have a look?"}
            ]
        }
    )


class TicketIn(Strict):
    """A new ticket with its first article."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=250)]
    customer: Email | None = Field(
        None, description="The customer's email; customers may only name themselves."
    )
    queue: Name | None = None
    priority: Name | None = None
    type: Name | None = None
    channel: Literal["email", "web", "phone", "chat", "api", "note"] = "web"
    hidden: bool = False
    fields: Annotated[
        dict[Annotated[str, StringConstraints(max_length=64)], FieldScalar],
        Field(max_length=100),
    ] = Field(default_factory=dict)
    article: ArticleIn


class AttachmentOut(BaseModel):
    """A stored attachment and where to download it."""

    name: str
    content_type: str
    size: int
    sha256: str
    url: str


class ArticleOut(BaseModel):
    """One article as the caller may see it; withheld fields are null."""

    article_id: str
    sender: str
    visibility: str
    channel: str
    subject: str
    body: str
    body_html: str | None
    from_address: str | None
    to: list[str]
    cc: list[str]
    attachments: list[AttachmentOut]
    message_id: str | None
    in_reply_to: str | None
    time_spent_minutes: int | None = Field(
        None, description="Minutes spent writing it; null for customers."
    )
    author: str
    created_at: datetime | None

    @classmethod
    def of(cls, number: str, article: Article, told: Disclosure) -> ArticleOut:
        """The response form of an article, with what the reader may be told."""
        base = f"/api/v1/tickets/{number}/articles/{article.article_id}/attachments"
        values: dict[str, Any] = {
            "article_id": article.article_id,
            "sender": article.sender,
            "visibility": article.visibility,
            "channel": article.channel,
            "subject": article.subject,
            "body": article.body,
            "body_html": article.body_html,
            "from_address": article.from_address,
            "to": article.to,
            "cc": article.cc,
            "attachments": [
                AttachmentOut(
                    name=a.name,
                    content_type=a.content_type,
                    size=a.size,
                    sha256=a.sha256,
                    url=f"{base}/{i}",
                )
                for i, a in enumerate(article.attachments)
            ],
            "message_id": article.message_id,
            "in_reply_to": article.in_reply_to,
            "time_spent_minutes": article.time_spent_minutes,
            "author": article.author,
            "created_at": article.created_at,
        }
        return cls(**{k: v for k, v in values.items() if told.sees_article_field(k)})


class LinkOut(BaseModel):
    """Another ticket and how it relates to this one."""

    number: str
    kind: str


class RatingOut(BaseModel):
    """The customer's satisfaction rating, and who recorded it."""

    score: int
    comment: str
    rated_by: str


class TicketOut(BaseModel):
    """A ticket with the articles the caller may see; withheld fields are null."""

    number: str
    version: int
    title: str
    customer: str
    organization: str | None
    queue: str
    priority: str
    type: str
    channel: str
    status: str
    status_category: str
    pending_until: datetime | None
    owner: str | None
    responsible: str | None = None
    hidden: bool | None = None
    tags: list[str]
    links: list[LinkOut]
    merged_into: str | None
    absorbed: list[str]
    fields: dict[str, FieldScalar] | None = None
    time_accounted_minutes: int | None = None
    tasks: list[TaskOut] | None = Field(
        None, description="Scheduled tasks, oldest first; null for customers."
    )
    rating: RatingOut | None
    first_response_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime
    articles: list[ArticleOut]

    @classmethod
    def of(cls, ticket: Ticket, told: Disclosure) -> TicketOut:
        """The response form of a ticket, with what the reader may be told."""
        rating = ticket.rating
        values: dict[str, Any] = {
            "number": ticket.number,
            "version": ticket.version,
            "title": ticket.title,
            "customer": ticket.customer,
            "organization": ticket.organization,
            "queue": ticket.queue,
            "priority": ticket.priority,
            "type": ticket.type,
            "channel": ticket.channel,
            "status": ticket.status,
            "status_category": ticket.status_category,
            "pending_until": ticket.pending_until,
            "owner": ticket.owner,
            "responsible": ticket.responsible,
            "hidden": ticket.hidden,
            "tags": ticket.tags,
            "links": [
                LinkOut(number=x.number, kind=x.kind) for x in told.links(ticket.links)
            ],
            "merged_into": told.other_ticket(ticket.merged_into),
            "absorbed": told.tickets(ticket.absorbed),
            "fields": dict(ticket.fields),
            "time_accounted_minutes": sum(e.minutes for e in ticket.time_entries),
            "tasks": [TaskOut.of(task) for task in ticket.tasks],
            "rating": RatingOut(
                score=rating.score, comment=rating.comment, rated_by=rating.rated_by
            )
            if rating
            else None,
            "first_response_at": ticket.first_response_at,
            "finished_at": ticket.finished_at,
            "created_at": ticket.created_on,
            "updated_at": ticket.modified_on,
            "articles": [
                ArticleOut.of(ticket.number, a, told)
                for a in told.articles(ticket.articles)
            ],
        }
        return cls(**{k: v for k, v in values.items() if told.sees_ticket_field(k)})


class CommandOut(BaseModel):
    """The outcome of a write: the ticket's new version and the log position."""

    number: str
    version: int
    position: int | None = Field(
        None, description="Log position of the last event written (None if none)."
    )
    article_id: str | None = None
    follow_up_number: str | None = Field(
        None, description="Set when a follow-up opened a new ticket instead."
    )
    replayed: bool = Field(False, description="True when an idempotent retry.")
    task_id: str | None = Field(None, description="The id of a task scheduled.")

    @classmethod
    def of(cls, result: CommandResult) -> CommandOut:
        """The response form of a command result."""
        return cls(
            number=result.number,
            version=result.version,
            position=result.position,
            article_id=result.article_id,
            follow_up_number=result.follow_up_number,
            replayed=result.replayed,
            task_id=result.task_id,
        )


class AssignIn(Strict):
    """Give the ticket to an agent."""

    owner: Name
    responsible: Name | None = None


class StatusIn(Strict):
    """Set a status; pending statuses may carry pending_until."""

    status: Name
    pending_until: Moment | None = None
    reason: Annotated[str, StringConstraints(max_length=500)] = ""


class PriorityIn(Strict):
    """Set the priority."""

    priority: Name


class MoveIn(Strict):
    """Move to another queue."""

    queue: Name


class TypeIn(Strict):
    """Set the ticket type."""

    type: Name


class TitleIn(Strict):
    """Change the title."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=250)]


class FieldIn(Strict):
    """Set (or, with null, clear) a custom field."""

    value: FieldScalar


class TagIn(Strict):
    """Add a tag; a new tag's name can be one segment of a URL path."""

    tag: Annotated[str, StringConstraints(min_length=1, max_length=64), PathSafe]


class LinkIn(Strict):
    """Link another ticket."""

    number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    kind: Literal["related", "parent", "child", "duplicate"] = "related"


class MergeIn(Strict):
    """Merge this ticket into the target."""

    target: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TimeIn(Strict):
    """Account minutes of work."""

    minutes: Annotated[int, Field(ge=1, le=10_000)]
    activity: Annotated[str, StringConstraints(max_length=100)] = ""
    article_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class RatingIn(Strict):
    """Rate the resolution (1 to 5)."""

    score: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""
