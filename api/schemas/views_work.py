"""Query and response models of the work views: waiting tickets, agent dashboard."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.moments import Moment
from api.schemas.views import MAX_LIMIT, MAX_WAIT_SECONDS, Terms
from domain.errors import InvalidValue
from projections.agents.durations import EXACT_UP_TO
from projections.agents.figures import AgentFigures, Dashboard, Figures
from projections.tickets.waiting import WaitingPage

DEFAULT_PERIOD = timedelta(days=30)
MAX_PERIOD = timedelta(days=366)

After = Annotated[int, Field(ge=0, le=2**62)] | None
Wait = Annotated[float, Field(ge=0, le=MAX_WAIT_SECONDS)]
AFTER_HELP = "A write's position: answer once the view includes it."
WAIT_HELP = "Seconds to wait for `after` before answering anyway."


class WaitingQuery(BaseModel):
    """Filters and paging of the waiting tickets."""

    model_config = ConfigDict(extra="forbid")

    queue: Terms = Field([], description="Tickets in any of these queues.")
    first_response_pending: bool | None = Field(
        None, description="true: no public agent reply yet; false: answered before."
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = (
        Field(None, description="next_cursor of the previous page.")
    )
    after: After = Field(None, description=AFTER_HELP)
    wait: Wait = Field(2.0, description=WAIT_HELP)


class WaitingTicketOut(BaseModel):
    """A ticket whose customer spoke last, and how long they have waited."""

    number: str
    title: str
    customer: str
    queue: str
    priority: str
    owner: str | None
    status: str
    status_category: str
    created_at: datetime
    waiting_since: datetime
    waited_seconds: int = Field(description="From waiting_since to `now`.")
    first_response_pending: bool


class WaitingListOut(BaseModel):
    """A page of waiting tickets, the longest wait first."""

    tickets: list[WaitingTicketOut]
    total: int
    next_cursor: str | None
    now: datetime = Field(description="The moment waited_seconds were measured at.")
    position: int
    caught_up: bool

    @classmethod
    def of(cls, page: WaitingPage, caught_up: bool) -> WaitingListOut:
        """The response form of a page."""
        return cls(
            tickets=[WaitingTicketOut(**asdict(t)) for t in page.tickets],
            total=page.total,
            next_cursor=page.next_cursor,
            now=page.now,
            position=page.position,
            caught_up=caught_up,
        )


class DashboardQuery(BaseModel):
    """The period of the dashboard, [from, to): by default the last 30 days."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Moment | None = Field(None, alias="from")
    end: Moment | None = Field(None, alias="to")
    after: After = Field(None, description=AFTER_HELP)
    wait: Wait = Field(2.0, description=WAIT_HELP)

    def period(self, now: datetime) -> tuple[datetime, datetime]:
        """The period asked for; InvalidValue if it is empty or over a year."""
        end = self.end or now
        start = self.start or end - DEFAULT_PERIOD
        if start >= end:
            raise InvalidValue("`from` must lie before `to`")
        if end - start > MAX_PERIOD:
            raise InvalidValue(f"a period spans at most {MAX_PERIOD.days} days")
        return start, end


MEDIAN_PRECISION = (
    f"Exact over up to {EXACT_UP_TO:,} durations; beyond that within +/-2% of "
    "the exact median (the middle durations' histogram buckets are 3.9% wide)."
)


class FiguresOut(BaseModel):
    """Open and pending tickets now; responses and resolutions in the period."""

    open: int = Field(description="Tickets in category new or open.")
    pending: int = Field(description="Tickets in category pending.")
    resolved: int = Field(description="Resolutions in the period.")
    first_responses: int = Field(description="First responses in the period.")
    median_first_response_seconds: float | None = Field(
        description="Median first response time in the period, in seconds; null "
        f"without any. {MEDIAN_PRECISION}"
    )
    median_resolution_seconds: float | None = Field(
        description="Median resolution time in the period, in seconds; null "
        f"without any. {MEDIAN_PRECISION}"
    )

    @classmethod
    def of(cls, figures: Figures) -> FiguresOut:
        """The response form of some figures."""
        return cls(**asdict(figures))


class AgentFiguresOut(FiguresOut):
    """One agent's figures: the tickets they own, the answers they are credited."""

    login: str
    active: bool

    @classmethod
    def of_agent(cls, agent: AgentFigures) -> AgentFiguresOut:
        """The response form of an agent's figures."""
        return cls(login=agent.login, active=agent.active, **asdict(agent.figures))


class PeriodOut(BaseModel):
    """Where the figures stand: the period, the view's position, caught up or not."""

    model_config = ConfigDict(serialize_by_alias=True)

    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    overall: FiguresOut = Field(description="Every ticket, owned or not.")
    position: int
    caught_up: bool


class DashboardOut(PeriodOut):
    """The agents the caller may see, and the desk's overall figures."""

    agents: list[AgentFiguresOut]

    @classmethod
    def of(cls, board: Dashboard, caught_up: bool) -> DashboardOut:
        """The response form of a dashboard."""
        return cls.model_validate(
            {
                "from": board.start,
                "to": board.end,
                "agents": [AgentFiguresOut.of_agent(a) for a in board.agents],
                "overall": FiguresOut.of(board.overall),
                "position": board.position,
                "caught_up": caught_up,
            }
        )


class AgentDashboardOut(PeriodOut):
    """One agent's figures beside the desk's overall figures."""

    agent: AgentFiguresOut

    @classmethod
    def of(
        cls, board: Dashboard, agent: AgentFigures, caught_up: bool
    ) -> AgentDashboardOut:
        """The response form of one agent's row of a dashboard."""
        return cls.model_validate(
            {
                "from": board.start,
                "to": board.end,
                "agent": AgentFiguresOut.of_agent(agent),
                "overall": FiguresOut.of(board.overall),
                "position": board.position,
                "caught_up": caught_up,
            }
        )
