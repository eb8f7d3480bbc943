"""Reading the agent dashboard: each agent's figures and the desk's, for a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidValue
from projections.agents.dashboard import NAME, RESOLUTION, RESPONSE
from projections.agents.durations import (
    EXACT_UP_TO,
    OVERALL,
    Durations,
    Medians,
    Period,
    medians,
)
from projections.engine.store import ViewCursor, ViewStore
from projections.engine.tracking import position
from projections.engine.values import micros

AGENTS, HELD = "view_dashboard_agents", "view_dashboard_held"
RESPONSES = Durations(RESPONSE, "view_dashboard_responses", "responded_us")
RESOLUTIONS = Durations(RESOLUTION, "view_dashboard_resolutions", "resolved_us")


@dataclass(frozen=True)
class Figures:
    """Tickets held now, and the period's responses and resolutions.

    The medians are in seconds, None when the period has nothing to measure;
    exact up to 1,000 durations, beyond that within +/-2%.
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
    store: ViewStore,
    start: datetime,
    end: datetime,
    login: str | None = None,
    exact_up_to: int = EXACT_UP_TO,
) -> Dashboard:
    """Every agent's figures (or only this login's) and the desk's, for a period.

    The overall figures count every ticket, held by an agent or not, and every
    first response and resolution, credited to an agent or not. A median over
    more than `exact_up_to` durations comes from the histograms (+/-2%).
    """
    if start >= end:
        raise InvalidValue("the period must end after it starts")
    period = Period.of(micros(start), micros(end))
    with store.transaction() as rows:
        rows.execute(
            f"SELECT login, active FROM {AGENTS} "
            f"{'WHERE login = ? ' if login else ''}ORDER BY login",
            [login] if login else [],
        )
        agents = [(str(name), bool(active)) for name, active in rows.fetchall()]
        held = _held(rows)
        logins = [name for name, _ in agents]
        responses = medians(rows, RESPONSES, period, logins, exact_up_to)
        resolutions = medians(rows, RESOLUTIONS, period, logins, exact_up_to)
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


def _held(rows: ViewCursor) -> dict[str, tuple[int, int]]:
    """Open and pending tickets by owner (NOBODY: nobody's), from the counters."""
    rows.execute(f"SELECT owner, held, tickets FROM {HELD} WHERE tickets <> 0")
    held: dict[str, dict[str, int]] = {}
    for owner, kind, tickets in rows.fetchall():
        held.setdefault(owner, {})[kind] = int(tickets)
    return {
        owner: (counts.get("open", 0), counts.get("pending", 0))
        for owner, counts in held.items()
    }


def _timing(responses: Medians, resolutions: Medians, key: str) -> dict[str, Any]:
    """The period's part of the figures under one key."""
    responded, response = responses.get(key, (0, None))
    resolved, resolution = resolutions.get(key, (0, None))
    return {
        "resolved": resolved,
        "first_responses": responded,
        "median_first_response_seconds": response,
        "median_resolution_seconds": resolution,
    }
