"""Every read model the runner keeps, in one list the composition root hands over."""

from __future__ import annotations

from projections.activity import ActivityFeed
from projections.agent_dashboard import AgentDashboard
from projections.queue_view import QueueView
from projections.search_index import SearchIndex
from projections.status_view import StatusView
from projections.ticket_summary import TicketSummary
from projections.view import View


def all_views() -> list[View]:
    """A fresh instance of every read model."""
    return [
        TicketSummary(),
        QueueView(),
        StatusView(),
        ActivityFeed(),
        AgentDashboard(),
        SearchIndex(),
    ]
