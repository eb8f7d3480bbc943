"""Reading the agent dashboard: each agent's figures and the desk's, for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidValue
from domain.statuses import Category
from projections.agent_dashboard import NAME
from projections.store import ViewCursor, ViewStore
from projections.ticket_summary import micros
from projections.tracking import position

AGENTS, TICKETS = "view_dashboard_agents", "view_dashboard_tickets"
RESPONSES, RESOLUTIONS = "view_dashboard_responses", "view_dashboard_resolutions"
OPEN = (Category.NEW.value, Category.OPEN.value)
PENDING = (Category.PENDING.value,)

#: The key of the desk's own figures among the agents' (no login has a '*').
OVERALL = "*"
#: Per agent (or OVERALL), how many durations and their median in seconds.
Medians = dict[str | None, tuple[int, float]]


@dataclass(frozen=True)
class Figures:
    """Tickets held now, and the period's responses and resolutions.

    The medians are in seconds, None when the period has nothing to measure.
    """

    open: int = 0
    pending: int = 0
    resolved: int = 0
    first_responses: int = 0
    median_first_response_seconds: float | None = None
    median_resolution_seconds: float | None = None


@dataclass(frozen=True)
class AgentFigures:
    """One agent's figures."""

    login: str
    active: bool
    figures: Figures


@dataclass(frozen=True)
class Dashboard:
    """The agents' figures and the overall ones for a period [start, end)."""

    start: datetime
    end: datetime
    agents: list[AgentFigures]
    overall: Figures
    position: int


def dashboard(
    store: ViewStore, start: datetime, end: datetime, login: str | None = None
) -> Dashboard:
    """Every agent's figures (or only this login's) and the desk's, for a period.

    The overall figures count every ticket, held by an agent or not, and every
    first response and resolution, credited to an agent or not.
    """
    if start >= end:
        raise InvalidValue("the period must end after it starts")
    period = (micros(start), micros(end))
    with store.transaction() as rows:
        rows.execute(
            f"SELECT login, active FROM {AGENTS} "
            f"{'WHERE login = ? ' if login else ''}ORDER BY login",
            [login] if login else [],
        )
        agents = [(str(name), bool(active)) for name, active in rows.fetchall()]
        held = _held(rows)
        responses = _medians(rows, RESPONSES, "responded_us", period)
        resolutions = _medians(rows, RESOLUTIONS, "resolved_us", period)
        at = position(rows, NAME)
    overall = Figures(
        open=sum(counts[0] for counts in held.values()),
        pending=sum(counts[1] for counts in held.values()),
        **_timing(responses, resolutions, OVERALL),
    )
    return Dashboard(
        start,
        end,
        [
            AgentFigures(
                name,
                active,
                Figures(
                    *held.get(name, (0, 0)), **_timing(responses, resolutions, name)
                ),
            )
            for name, active in agents
        ],
        overall,
        at,
    )


def _held(rows: ViewCursor) -> dict[str | None, tuple[int, int]]:
    """Open and pending tickets by owner (None: nobody's)."""
    rows.execute(
        "SELECT owner, "
        "SUM(CASE WHEN status_category IN (?, ?) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status_category = ? THEN 1 ELSE 0 END) "
        f"FROM {TICKETS} WHERE status_category IN (?, ?, ?) GROUP BY owner",
        [*OPEN, *PENDING, *OPEN, *PENDING],
    )
    return {owner: (int(o), int(p)) for owner, o, p in rows.fetchall()}


def _medians(
    rows: ViewCursor, table: str, moment: str, period: tuple[int, int]
) -> Medians:
    """Per agent (None: nobody credited) and overall (OVERALL), count and median.

    The median is the middle duration, or the mean of the middle two, found by
    window functions both stores have, so no duration leaves the database.
    """
    found: Medians = {}
    for partition, key, grouping in (
        ("PARTITION BY agent", "agent", " GROUP BY agent"),
        ("", "NULL", ""),
    ):
        rows.execute(
            f"SELECT {key}, MAX(c), AVG(duration_us) FROM (SELECT agent, "
            f"duration_us, ROW_NUMBER() OVER ({partition} ORDER BY duration_us) "
            f"AS n, COUNT(*) OVER ({partition}) AS c FROM {table} "
            f"WHERE {moment} >= ? AND {moment} < ?) ranked "
            f"WHERE n IN ((c + 1) / 2, (c + 2) / 2){grouping}",
            period,
        )
        for name, count, median in rows.fetchall():
            if count is not None:
                found[name if partition else OVERALL] = (
                    int(count),
                    float(median) / 1e6,
                )
    return found


def _timing(
    responses: Medians, resolutions: Medians, key: str | None
) -> dict[str, Any]:
    """The period's part of the figures under one key."""
    responded, response = responses.get(key, (0, None))
    resolved, resolution = resolutions.get(key, (0, None))
    return {
        "resolved": resolved,
        "first_responses": responded,
        "median_first_response_seconds": response,
        "median_resolution_seconds": resolution,
    }
