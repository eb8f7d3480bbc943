"""Every read model the runner keeps, in one list the composition root hands over."""

from __future__ import annotations

from projections.activity.projection import ActivityFeed
from projections.agents.dashboard import AgentDashboard
from projections.engine.view import View
from projections.escalations.view import EscalationView
from projections.mail.view import MailView
from projections.outbox.view import OutboxView
from projections.queues.view import QueueView
from projections.search.index import SearchIndex
from projections.statuses.view import StatusView
from projections.tasks.view import TaskView
from projections.tickets.summary import TicketSummary


def all_views() -> list[View]:
    """A fresh instance of every read model."""
    return [
        TicketSummary(),
        QueueView(),
        StatusView(),
        ActivityFeed(),
        AgentDashboard(),
        SearchIndex(),
        EscalationView(),
        TaskView(),
        MailView(),
        OutboxView(),
    ]
