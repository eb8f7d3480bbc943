"""Command sub-resources of a ticket: assign, status, priority, move, merge and more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Response

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
from api.workers import Router
from domain import commands as c
from domain.audit import Origin
from domain.commands import TicketCommand
from domain.desk import HelpDesk

router = Router(prefix="/api/v1/tickets/{number}", tags=["ticket commands"])

Number = Annotated[str, Path(min_length=1, max_length=64)]


@dataclass(frozen=True)
class Run:
    """What a command route runs its command with: the desk, the caller, the
    command's origin (actor, request and idempotency key) and the response."""

    desk: HelpDesk
    caller: Principal
    origin: Origin
    response: Response

    def __call__(self, command: TicketCommand, other: str | None = None) -> CommandOut:
        """Handle the command; answer its result with the ticket's version as ETag."""
        # A command that changes another ticket too needs the caller to see both;
        # one they may not see answers 404, exactly like a missing one.
        for ticket in (command.number, other):
            if ticket is not None:
                visible_ticket(self.desk, self.caller, ticket)
        result = self.desk.handle(command, self.origin)
        self.response.headers["ETag"] = f'"{result.version}"'
        return CommandOut.of(result)


async def _staff_run(
    desk: Desk, caller: Staff, origin: CommandOrigin, response: Response
) -> Run:
    return Run(desk, caller, origin, response)


async def _customer_run(
    desk: Desk, caller: CustomerSide, origin: CommandOrigin, response: Response
) -> Run:
    return Run(desk, caller, origin, response)


#: Commands staff give, and those a ticket's own customer gives (or an admin).
StaffRun = Annotated[Run, Depends(_staff_run)]
CustomerRun = Annotated[Run, Depends(_customer_run)]


@router.post("/assign", response_model=CommandOut)
def assign(number: Number, body: AssignIn, run: StaffRun) -> CommandOut:
    """Give the ticket to an active agent of its queue (optionally a responsible)."""
    return run(c.Assign(number, body.owner, body.responsible))


@router.post("/unassign", response_model=CommandOut)
def unassign(number: Number, run: StaffRun) -> CommandOut:
    """Take the ticket from its owner."""
    return run(c.Unassign(number))


@router.post("/status", response_model=CommandOut)
def change_status(number: Number, body: StatusIn, run: StaffRun) -> CommandOut:
    """Set the status; pending statuses may carry pending_until."""
    return run(c.ChangeStatus(number, body.status, body.pending_until, body.reason))


@router.post("/priority", response_model=CommandOut)
def change_priority(number: Number, body: PriorityIn, run: StaffRun) -> CommandOut:
    """Set the priority."""
    return run(c.ChangePriority(number, body.priority))


@router.post("/move", response_model=CommandOut)
def move(number: Number, body: MoveIn, run: StaffRun) -> CommandOut:
    """Move the ticket to another queue."""
    return run(c.Move(number, body.queue))


@router.post("/type", response_model=CommandOut)
def change_type(number: Number, body: TypeIn, run: StaffRun) -> CommandOut:
    """Set the ticket type."""
    return run(c.ChangeType(number, body.type))


@router.post("/title", response_model=CommandOut)
def retitle(number: Number, body: TitleIn, run: StaffRun) -> CommandOut:
    """Change the title."""
    return run(c.Retitle(number, body.title))


@router.put("/fields/{name:name}", response_model=CommandOut)
def set_field(
    number: Number,
    name: Annotated[str, Path(max_length=64)],
    body: FieldIn,
    run: StaffRun,
) -> CommandOut:
    """Set a custom field (null clears it), checked against its definition."""
    return run(c.SetField(number, name, body.value))


@router.post("/tags", response_model=CommandOut)
def tag(number: Number, body: TagIn, run: StaffRun) -> CommandOut:
    """Add a tag."""
    return run(c.Tag(number, body.tag))


@router.delete("/tags/{tag:name}", response_model=CommandOut)
def untag(
    number: Number,
    tag: Annotated[str, Path(max_length=64)],
    run: StaffRun,
) -> CommandOut:
    """Remove a tag."""
    return run(c.Untag(number, tag))


@router.post("/links", response_model=CommandOut)
def link(number: Number, body: LinkIn, run: StaffRun) -> CommandOut:
    """Link another ticket (both tickets record it)."""
    return run(
        c.Link(number, body.number, body.kind),
        other=body.number,
    )


@router.delete("/links/{kind}/{other}", response_model=CommandOut)
def unlink(
    number: Number,
    kind: Annotated[str, Path(max_length=16)],
    other: Annotated[str, Path(max_length=64)],
    run: StaffRun,
) -> CommandOut:
    """Remove a link from both tickets; both must exist and be the caller's to see."""
    return run(
        c.Unlink(number, other, kind),
        other=other,
    )


@router.post("/merge", response_model=CommandOut)
def merge(number: Number, body: MergeIn, run: StaffRun) -> CommandOut:
    """Merge this ticket into the target; this ticket then refuses every change."""
    return run(
        c.Merge(number, body.target),
        other=body.target,
    )


@router.post("/reopen", response_model=CommandOut)
def reopen(number: Number, run: StaffRun) -> CommandOut:
    """Reopen a resolved or closed ticket, back to its last owner."""
    return run(c.Reopen(number))


@router.post("/time", response_model=CommandOut)
def account_time(number: Number, body: TimeIn, run: StaffRun) -> CommandOut:
    """Account minutes of work, optionally against an article."""
    return run(c.AccountTime(number, body.minutes, body.activity, body.article_id))


@router.post("/rating", response_model=CommandOut)
def rate(number: Number, body: RatingIn, run: CustomerRun) -> CommandOut:
    """The ticket's own customer rates its resolution (1 to 5); a new rating
    replaces theirs. An admin may record it for them; the rating says who rated."""
    require_ticket_customer(
        run.caller, visible_ticket(run.desk, run.caller, number), "rate"
    )
    return run(c.Rate(number, body.score, body.comment))


@router.post("/close", response_model=CommandOut)
def close(number: Number, run: CustomerRun) -> CommandOut:
    """The ticket's own customer closes it (an admin may, for them); a later
    reply from the customer meets the queue's follow-up policy."""
    require_ticket_customer(
        run.caller, visible_ticket(run.desk, run.caller, number), "close"
    )
    return run(c.Close(number))


@router.post("/hide", response_model=CommandOut)
def hide(number: Number, run: StaffRun) -> CommandOut:
    """Hide the ticket from its customer and their organization."""
    return run(c.Hide(number, hidden=True))


@router.post("/unhide", response_model=CommandOut)
def unhide(number: Number, run: StaffRun) -> CommandOut:
    """Show a hidden ticket to its customer again."""
    return run(c.Hide(number, hidden=False))
