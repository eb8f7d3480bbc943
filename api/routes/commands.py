"""Command sub-resources of a ticket: assign, status, priority, move, merge and more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import CommandOrigin, Desk, Rater, Staff
from api.policy import visible_ticket
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
from domain.desk import CommandResult, HelpDesk

router = APIRouter(prefix="/api/v1/tickets/{number}", tags=["ticket commands"])

Number = Annotated[str, Path(min_length=1, max_length=64)]


def _run(
    desk: HelpDesk,
    caller: Principal,
    number: str,
    response: Response,
    command: Callable[[], CommandResult],
    other: str | None = None,
) -> CommandOut:
    # A command that changes another ticket too needs the caller to see both;
    # one they may not see answers 404, exactly like a missing one.
    for ticket in (number, other):
        if ticket is not None:
            visible_ticket(desk, caller, ticket)
    result = command()
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
        number,
        response,
        lambda: desk.assign(number, body.owner, body.responsible, origin),
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
    return _run(desk, caller, number, response, lambda: desk.unassign(number, origin))


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
        number,
        response,
        lambda: desk.change_status(
            number, body.status, body.pending_until, body.reason, origin
        ),
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
        number,
        response,
        lambda: desk.change_priority(number, body.priority, origin),
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
    return _run(
        desk, caller, number, response, lambda: desk.move(number, body.queue, origin)
    )


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
        number,
        response,
        lambda: desk.change_type(number, body.type, origin),
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
    return _run(
        desk, caller, number, response, lambda: desk.retitle(number, body.title, origin)
    )


@router.put("/fields/{name}", response_model=CommandOut)
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
        number,
        response,
        lambda: desk.set_field(number, name, body.value, origin),
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
    return _run(
        desk, caller, number, response, lambda: desk.tag(number, body.tag, origin)
    )


@router.delete("/tags/{tag}", response_model=CommandOut)
def untag(
    number: Number,
    tag: Annotated[str, Path(max_length=64)],
    desk: Desk,
    caller: Staff,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """Remove a tag."""
    return _run(desk, caller, number, response, lambda: desk.untag(number, tag, origin))


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
        number,
        response,
        lambda: desk.link(number, body.number, body.kind, origin),
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
        number,
        response,
        lambda: desk.unlink(number, other, kind, origin),
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
        number,
        response,
        lambda: desk.merge(number, body.target, origin),
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
    return _run(desk, caller, number, response, lambda: desk.reopen(number, origin))


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
        number,
        response,
        lambda: desk.account_time(
            number, body.minutes, body.activity, body.article_id, origin
        ),
    )


@router.post("/rating", response_model=CommandOut)
def rate(
    number: Number,
    body: RatingIn,
    desk: Desk,
    caller: Rater,
    origin: CommandOrigin,
    response: Response,
) -> CommandOut:
    """The customer rates the resolution of their ticket (1 to 5)."""
    return _run(
        desk,
        caller,
        number,
        response,
        lambda: desk.rate(number, body.score, body.comment, origin),
    )
