"""SLA: the escalation view, the day's reminders, and a ticket's clocks at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, Desk, Reader
from api.policy import ticket_scope, visible_ticket
from api.principal import Principal
from api.problems import ApiProblem
from api.reading import Views, answer_position, caught_up
from api.schemas.escalations import (
    AgentRemindersOut,
    CustomerSlaOut,
    EscalationListOut,
    EscalationQuery,
    ReminderOut,
    ReminderQuery,
    RemindersOut,
    SlaOut,
    SlaQuery,
    SolutionDueOut,
    TallyListOut,
    TallyOut,
    TallyQuery,
)
from api.workers import Router
from domain.business_time import zone
from domain.desk import HelpDesk
from domain.desk.sla import sla_report
from domain.sla_clocks import Clock
from domain.tokens import Role
from projections.engine.runner import ViewRunner
from projections.escalations import view as escalation_view
from projections.escalations.query import (
    EscalationFilter,
    find_clocks,
    reminders,
    tallies,
)

router = Router(tags=["sla"])


@router.get("/api/v1/views/escalations", response_model=EscalationListOut)
async def escalations(
    desk: Desk,
    views: Views,
    caller: Reader,
    query: Annotated[EscalationQuery, Query()],
) -> EscalationListOut:
    """Every unfinished ticket's counting SLA clocks: breached first, then the
    nearest due; paused clocks last.

    Agents see the tickets of their groups' queues; admins and auditors see all;
    customers never.
    """
    await caught_up(views, query.after, query.wait, escalation_view.NAME)
    return await run_in_threadpool(_escalations, desk, views, caller, query)


def _escalations(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: EscalationQuery
) -> EscalationListOut:
    target = answer_position(desk, query.after)
    wanted = EscalationFilter(
        allowed_queues=ticket_scope(desk, caller).queues,
        queues=tuple(query.queue),
        owner=query.owner,
        clock=query.clock,
        urgency=query.state,
    )
    page = find_clocks(
        views.store, wanted, datetime.now(UTC), query.limit, query.cursor
    )
    return EscalationListOut.of(page, caught_up=page.position >= target)


@router.get("/api/v1/views/escalations/counts", response_model=TallyListOut)
def escalation_counts(
    desk: Desk, views: Views, caller: Reader, query: Annotated[TallyQuery, Query()]
) -> TallyListOut:
    """Counting clocks per queue or per owner, and how many are breached and
    warned now; agents count their groups' queues only."""
    now = datetime.now(UTC)
    found = tallies(views.store, query.by, now, ticket_scope(desk, caller).queues)
    return TallyListOut(by=query.by, now=now, tallies=[TallyOut.of(t) for t in found])


@router.get("/api/v1/views/reminders", response_model=RemindersOut)
def day_reminders(
    desk: Desk, views: Views, caller: Reader, query: Annotated[ReminderQuery, Query()]
) -> RemindersOut:
    """Pending tickets whose pending time passes on the day (today by default),
    per owner. When it passes, the ticket returns to open (PendingExpired)."""
    local = zone(query.time_zone)
    day = query.day or datetime.now(local).date()
    start = datetime(day.year, day.month, day.day, tzinfo=local)
    end = start + timedelta(days=1)
    page = reminders(
        views.store,
        start.astimezone(UTC),
        # The next local midnight, whatever a DST change does to the day's length.
        datetime(end.year, end.month, end.day, tzinfo=local).astimezone(UTC),
        query.owner,
        ticket_scope(desk, caller).queues,
        query.limit,
        query.cursor,
    )
    owners: dict[str | None, list[ReminderOut]] = {}
    for reminder in page.reminders:
        owners.setdefault(reminder.owner, []).append(ReminderOut.of(reminder))
    return RemindersOut(
        day=day,
        time_zone=query.time_zone,
        start=start,
        end=end,
        agents=[
            AgentRemindersOut(owner=owner, reminders=listed)
            for owner, listed in sorted(owners.items(), key=lambda o: o[0] or "")
        ],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/api/v1/tickets/{number}/sla",
    response_model=SlaOut | CustomerSlaOut,
    responses={403: {"description": "A customer, where the queue shows no SLA times."}},
)
def ticket_sla(
    number: str, desk: Desk, caller: Caller, query: Annotated[SlaQuery, Query()]
) -> SlaOut | CustomerSlaOut:
    """The ticket's SLA clocks now, or as they stood at `as_of`: read from its
    events under the policies and calendars of that moment.

    Customers are told only the solution due time, and only where the ticket's
    queue shows it; staff and auditors everything.
    """
    ticket = visible_ticket(desk, caller, number)
    now = desk.clock()
    at = min(query.as_of, now) if query.as_of is not None else now
    report = sla_report(desk, number, at, query.as_of)
    if caller.role is Role.CUSTOMER:
        if not desk.queue(ticket.queue).show_solution_due:
            raise ApiProblem(
                403, "Forbidden", "this ticket's queue does not show SLA times"
            )
        return CustomerSlaOut(
            number=number,
            at=at,
            clocks=[
                SolutionDueOut(clock=r.clock, due_at=r.due_at)
                for r in report.clocks
                if r.clock is Clock.SOLUTION
            ],
        )
    policy = report.applied.policy if report.applied else None
    return SlaOut.of(number, at, policy, report.timeline, report.clocks)
