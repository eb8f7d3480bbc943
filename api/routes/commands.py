"""Command sub-resources of a ticket: assign, status, priority, move, merge and more."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import CommandOrigin, CustomerSide, Desk, Staff
from api.policy import require_ticket_customer, visible_ticket
from api.principal import Principal
from api.schemas.tickets import (
    AssignIn,
    CommandOut,
    FieldIn,
    LinkIn,
    MergeIn,
    MoveIn,
    PriorityIn,
    RatingIn,
    StatusIn,
    TagIn,
    TimeIn,
    TitleIn,
    TypeIn,
)
from domain import commands as c
from domain.audit import Origin
from domain.commands import TicketCommand
from domain.desk import HelpDesk

router = APIRouter(prefix="/api/v1/tickets/{number}", tags=["ticket commands"])

Number = Annotated[str, Path(min_length=1, max_length=64)]


def _run(
    desk: HelpDesk,
    caller: Principal,
    origin: Origin,
    response: Response,
    command: TicketCommand,
    other: str | None = None,
) -> CommandOut:
    # A command that changes another ticket too needs the caller to see both;
    # one they may not see answers 404, exactly like a missing one.
    for ticket in (command.number, other):
        if ticket is not None:
            visible_ticket(desk, caller, ticket)
    result = desk.handle(command, origin)
    response.headers["ETag"] = f'"{result.version}"'
    return CommandOut.of(result)


@router.post("/assign", response_model=CommandOut)
def assign(
    number: Number,
    body: AssignIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Give the ticket to an active agent of its queue (optionally a responsible)."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.Assign(number, body.owner, body.responsible),
    )


@router.post("/unassign", response_model=CommandOut)
def unassign(
    number: Number,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Take the ticket from its owner."""
    return _run(desk, caller, origin, response, c.Unassign(number))


@router.post("/status", response_model=CommandOut)
def change_status(
    number: Number,
    body: StatusIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Set the status; pending statuses may carry pending_until."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.ChangeStatus(number, body.status, body.pending_until, body.reason),
    )


@router.post("/priority", response_model=CommandOut)
def change_priority(
    number: Number,
    body: PriorityIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Set the priority."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.ChangePriority(number, body.priority),
    )


@router.post("/move", response_model=CommandOut)
def move(
    number: Number,
    body: MoveIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Move the ticket to another queue."""
    return _run(desk, caller, origin, response, c.Move(number, body.queue))


@router.post("/type", response_model=CommandOut)
def change_type(
    number: Number,
    body: TypeIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Set the ticket type."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.ChangeType(number, body.type),
    )


@router.post("/title", response_model=CommandOut)
def retitle(
    number: Number,
    body: TitleIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Change the title."""
    return _run(desk, caller, origin, response, c.Retitle(number, body.title))


@router.put("/fields/{name:path}", response_model=CommandOut)
def set_field(
    number: Number,
    name: Annotated[str, Path(max_length=64)],
    body: FieldIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Set a custom field (null clears it), checked against its definition."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.SetField(number, name, body.value),
    )


@router.post("/tags", response_model=CommandOut)
def tag(
    number: Number,
    body: TagIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Add a tag."""
    return _run(desk, caller, origin, response, c.Tag(number, body.tag))


@router.delete("/tags/{tag:path}", response_model=CommandOut)
def untag(
    number: Number,
    tag: Annotated[str, Path(max_length=64)],
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Remove a tag."""
    return _run(desk, caller, origin, response, c.Untag(number, tag))


@router.post("/links", response_model=CommandOut)
def link(
    number: Number,
    body: LinkIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Link another ticket (both tickets record it)."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.Link(number, body.number, body.kind),
        other=body.number,
    )


@router.delete("/links/{kind}/{other}", response_model=CommandOut)
def unlink(
    number: Number,
    kind: Annotated[str, Path(max_length=16)],
    other: Annotated[str, Path(max_length=64)],
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Remove a link from both tickets; both must exist and be the caller's to see."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.Unlink(number, other, kind),
        other=other,
    )


@router.post("/merge", response_model=CommandOut)
def merge(
    number: Number,
    body: MergeIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Merge this ticket into the target; this ticket then refuses every change."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.Merge(number, body.target),
        other=body.target,
    )


@router.post("/reopen", response_model=CommandOut)
def reopen(
    number: Number,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Reopen a resolved or closed ticket, back to its last owner."""
    return _run(desk, caller, origin, response, c.Reopen(number))


@router.post("/time", response_model=CommandOut)
def account_time(
    number: Number,
    body: TimeIn,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Account minutes of work, optionally against an article."""
    return _run(
        desk,
        caller,
        origin,
        response,
        c.AccountTime(number, body.minutes, body.activity, body.article_id),
    )


@router.post("/rating", response_model=CommandOut)
def rate(
    number: Number,
    body: RatingIn,
    desk: Desk,
    caller: CustomerSide,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """The ticket's own customer rates its resolution (1 to 5); a new rating
    replaces theirs. An admin may record it for them; the rating says who rated."""
    require_ticket_customer(caller, visible_ticket(desk, caller, number), "rate")
    return _run(
        desk,
        caller,
        origin,
        response,
        c.Rate(number, body.score, body.comment),
    )


@router.post("/close", response_model=CommandOut)
def close(
    number: Number,
    desk: Desk,
    caller: CustomerSide,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """The ticket's own customer closes it (an admin may, for them); a later
    reply from the customer meets the queue's follow-up policy."""
    require_ticket_customer(caller, visible_ticket(desk, caller, number), "close")
    return _run(desk, caller, origin, response, c.Close(number))


@router.post("/hide", response_model=CommandOut)
def hide(
    number: Number,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Hide the ticket from its customer and their organization."""
    return _run(desk, caller, origin, response, c.Hide(number, hidden=True))


@router.post("/unhide", response_model=CommandOut)
def unhide(
    number: Number,
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Show a hidden ticket to its customer again."""
    return _run(desk, caller, origin, response, c.Hide(number, hidden=False))
