"""The work views: tickets waiting for an answer, and the agent dashboard."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Desk, Reader
from api.policy import dashboard_scope, ticket_scope
from api.principal import Principal
from api.reading import Views, answer_position, caught_up
from api.schemas.views_work import (
    AgentDashboardOut,
    DashboardOut,
    DashboardQuery,
    WaitingListOut,
    WaitingQuery,
)
from api.workers import Router
from domain.desk import HelpDesk
from projections.agents import dashboard as agent_dashboard
from projections.agents.figures import AgentFigures, Figures, dashboard
from projections.engine.runner import ViewRunner
from projections.tickets import summary as ticket_summary
from projections.tickets.waiting import WaitingFilter, find_waiting

router = Router(prefix="/api/v1/views", tags=["views"])

Login = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/waiting", response_model=WaitingListOut)
async def waiting_tickets(
    desk: Desk, views: Views, caller: Reader, query: Annotated[WaitingQuery, Query()]
) -> WaitingListOut:
    """Tickets whose customer spoke last and that are not finished, oldest wait first.

    Agents see the tickets of their groups' queues; admins and auditors see all.
    """
    await caught_up(views, query.after, query.wait, ticket_summary.NAME)
    return await run_in_threadpool(_waiting, desk, views, caller, query)


def _waiting(
    desk: HelpDesk, views: ViewRunner, caller: Principal, query: WaitingQuery
) -> WaitingListOut:
    target = answer_position(desk, query.after)
    wanted = WaitingFilter(
        allowed_queues=ticket_scope(desk, caller).queues,
        queues=tuple(query.queue),
        first_response_pending=query.first_response_pending,
    )
    page = find_waiting(
        views.store, wanted, datetime.now(UTC), query.limit, query.cursor
    )
    return WaitingListOut.of(page, caught_up=page.position >= target)


@router.get("/agents", response_model=DashboardOut)
async def agents_dashboard(
    desk: Desk, views: Views, caller: Reader, query: Annotated[DashboardQuery, Query()]
) -> DashboardOut:
    """Each agent's open, pending and resolved tickets and median times, and overall.

    Agents see their own row; admins and auditors every agent's.
    """
    login = dashboard_scope(caller)
    await caught_up(views, query.after, query.wait, agent_dashboard.NAME)
    return await run_in_threadpool(_dashboard, desk, views, login, query)


def _dashboard(
    desk: HelpDesk, views: ViewRunner, login: str | None, query: DashboardQuery
) -> DashboardOut:
    target = answer_position(desk, query.after)
    start, end = query.period(datetime.now(UTC))
    board = dashboard(views.store, start, end, login)
    return DashboardOut.of(board, caught_up=board.position >= target)


@router.get("/agents/{login}", response_model=AgentDashboardOut)
async def one_agent_dashboard(
    desk: Desk,
    views: Views,
    caller: Reader,
    login: Login,
    query: Annotated[DashboardQuery, Query()],
) -> AgentDashboardOut:
    """One agent's figures beside the overall ones; agents may ask for their own."""
    dashboard_scope(caller, login)
    await caught_up(views, query.after, query.wait, agent_dashboard.NAME)
    return await run_in_threadpool(_one_agent, desk, views, login, query)


def _one_agent(
    desk: HelpDesk, views: ViewRunner, login: str, query: DashboardQuery
) -> AgentDashboardOut:
    # The desk knows every agent, even one the view has not caught up with.
    hired = desk.agent(login)
    target = answer_position(desk, query.after)
    start, end = query.period(datetime.now(UTC))
    board = dashboard(views.store, start, end, login)
    row = board.agents[0] if board.agents else None
    return AgentDashboardOut.of(
        board,
        row or AgentFigures(login, hired.active, Figures()),
        caught_up=board.position >= target,
    )
