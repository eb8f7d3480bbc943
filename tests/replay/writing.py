"""Writing to a test store as its users would: tickets with a few events each."""

from __future__ import annotations

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft


def open_tickets(desk: HelpDesk, count: int) -> None:
    """Tickets by bob, each a few events long."""
    for i in range(count):
        text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
        draft = TicketDraft(title=f"Ticket {i}", customer="bob@acme.test")
        number = desk.open_ticket(draft, text, Origin("customer:bob")).number
        desk.tag(number, "printer", Origin("agent:alice"))


def end_of_log(desk: HelpDesk) -> int:
    """The log's last notification id."""
    return desk.recorder.max_notification_id() or 0
