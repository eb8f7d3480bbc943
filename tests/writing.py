"""Writing to a test store as its users would: tickets with a few events each."""

from __future__ import annotations

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft

ALICE = Origin("agent:alice")


def open_tickets(desk: HelpDesk, count: int, busy: bool = False) -> list[str]:
    """Tickets by bob, each tagged by alice; busy ones get a priority and a reply too.

    Their numbers, in the order opened.
    """
    made = []
    for i in range(count):
        text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
        draft = TicketDraft(title=f"Ticket {i}", customer="bob@acme.test")
        number = desk.open_ticket(draft, text, Origin("customer:bob")).number
        desk.tag(number, f"tag{i % 3}", ALICE)
        if busy:
            desk.change_priority(number, "high", ALICE)
            reply = Article(desk.new_article_id(), "agent", "public", "web", "On it")
            desk.add_article(number, reply, ALICE)
            desk.tag(number, "seen", ALICE)
        made.append(number)
    return made


def end_of_log(desk: HelpDesk) -> int:
    """The log's last notification id."""
    return desk.recorder.max_notification_id() or 0
