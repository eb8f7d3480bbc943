"""Fixtures of the unit tests: an initialized in-memory desk on the shared clock."""

from __future__ import annotations

import pytest

from domain.articles import Article
from domain.desk import HelpDesk, TicketDraft

from .builders import BOB, BOB_EMAIL, Clock, OpenTicket, article, setup_desk


@pytest.fixture
def desk(clock: Clock) -> HelpDesk:
    """An initialized in-memory desk with agents and a customer."""
    return setup_desk(HelpDesk(clock=clock))


@pytest.fixture
def open_ticket(desk: HelpDesk) -> OpenTicket:
    """Open a ticket from bob (a customer article unless told) and return its number."""

    def _open(first: Article | None = None, queue: str = "General") -> str:
        draft = TicketDraft(title="Printer on fire", customer=BOB_EMAIL, queue=queue)
        return desk.open_ticket(draft, first or article(), BOB).number

    return _open
