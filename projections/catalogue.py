"""Every read model the runner keeps, in one list the composition root hands over."""

from __future__ import annotations

from projections.ticket_summary import TicketSummary
from projections.view import View


def all_views() -> list[View]:
    """A fresh instance of every read model."""
    return [TicketSummary()]
