"""The summary row after each kind of ticket event, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.people import Agent
from domain.queues import FollowUp, Queue
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.tickets.listing import TicketFilter, find_tickets
from projections.tickets.summary import TicketSummary
from tests.projections.summary import (
    COUNTED_LISTS,
    expected_rows,
    summary_rows,
    wrong_totals,
)

ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")


def open_ticket(desk: HelpDesk, title: str = "Printer on fire") -> str:
    """A ticket opened by bob; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", "Help!")
    draft = TicketDraft(title=title, customer="bob@acme.test")
    return desk.open_ticket(draft, article, BOB).number


def article(desk: HelpDesk, sender: str, visibility: str = "public") -> Article:
    """A new article."""
    return Article(desk.new_article_id(), sender, visibility, "web", "Words.")


@pytest.fixture
def runner(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The summary's runner, with a staffed second queue."""
    desk.save_config(Agent.hire("alice", "Alice", "a@x.test", ["support"], [], ALICE))
    desk.save_config(Queue.open("Hardware", "support", FollowUp.REOPEN, None, ALICE))
    return ViewRunner(desk, view_store, [TicketSummary()], batch_size=3)


Step = Callable[[HelpDesk, str, str], object]

STEPS: list[tuple[str, Step]] = [
    (
        "internal note",
        lambda d, n, o: d.add_article(n, article(d, "agent", "internal"), ALICE),
    ),
    ("agent reply", lambda d, n, o: d.add_article(n, article(d, "agent"), ALICE)),
    ("customer reply", lambda d, n, o: d.add_article(n, article(d, "customer"), BOB)),
    ("assigned", lambda d, n, o: d.assign(n, "alice", None, ALICE)),
    ("priority", lambda d, n, o: d.change_priority(n, "critical", ALICE)),
    ("moved", lambda d, n, o: d.move(n, "Hardware", ALICE)),
    ("type", lambda d, n, o: d.change_type(n, "incident", ALICE)),
    ("retitled", lambda d, n, o: d.retitle(n, "Printer still on fire", ALICE)),
    ("tagged", lambda d, n, o: d.tag(n, "hardware", ALICE)),
    ("tagged again", lambda d, n, o: d.tag(n, "urgent", ALICE)),
    ("untagged", lambda d, n, o: d.untag(n, "urgent", ALICE)),
    ("linked", lambda d, n, o: d.link(n, o, "related", ALICE)),
    ("unlinked", lambda d, n, o: d.unlink(n, o, "related", ALICE)),
    ("time", lambda d, n, o: d.account_time(n, 15, "diagnosis", None, ALICE)),
    ("unassigned", lambda d, n, o: d.unassign(n, ALICE)),
    (
        "pending",
        lambda d, n, o: d.change_status(n, "waiting_for_customer", None, "", ALICE),
    ),
    ("resolved", lambda d, n, o: d.change_status(n, "resolved", None, "done", ALICE)),
    ("rated", lambda d, n, o: d.rate(n, 5, "Thanks", BOB)),
    ("reopened", lambda d, n, o: d.reopen(n, ALICE)),
    ("merged", lambda d, n, o: d.merge(n, o, ALICE)),
]


def test_the_row_follows_every_kind_of_event(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number, other = open_ticket(desk), open_ticket(desk, "Same printer")
    runner.catch_up()
    assert summary_rows(runner.store) == expected_rows(desk, [number, other])
    for name, step in STEPS:
        step(desk, number, other)
        runner.catch_up()
        assert summary_rows(runner.store) == expected_rows(desk, [number, other]), name
        assert wrong_totals(runner.store, COUNTED_LISTS) == [], name
    row = summary_rows(runner.store)[number]
    assert (row.status_category, row.merged_into) == ("merged", other)
    assert row.first_response_at is not None
    assert row.queue == "Hardware"


def test_totals_come_from_the_counters_unless_the_filter_needs_rows(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number = open_ticket(desk)
    runner.catch_up()
    kind = summary_rows(runner.store)[number].type
    with runner.store.transaction(write=True) as cursor:
        cursor.execute("UPDATE view_ticket_counts SET tickets = tickets + 10")
    counted = find_tickets(runner.store, Scope(), TicketFilter(owners=(None,)))
    assert counted.total == 11, "the counters answer"
    for scope, wanted in [
        (Scope(customer="bob@acme.test"), TicketFilter()),
        (Scope(), TicketFilter(owners=(None,), types=(kind,))),
        (Scope(), TicketFilter(waiting_for_agent=True)),
    ]:
        assert find_tickets(runner.store, scope, wanted).total == 1, "rows counted"


def test_waiting_for_agent_and_first_response(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number = open_ticket(desk)
    runner.catch_up()
    assert summary_rows(runner.store)[number].waiting_for_agent
    desk.add_article(number, article(desk, "agent", "internal"), ALICE)
    runner.catch_up()
    row = summary_rows(runner.store)[number]
    assert row.waiting_for_agent
    assert row.first_response_at is None, "an internal note is no response"
    desk.add_article(number, article(desk, "agent"), ALICE)
    runner.catch_up()
    row = summary_rows(runner.store)[number]
    assert not row.waiting_for_agent
    assert row.last_public_sender == "agent"
    assert row.first_response_at == row.last_public_at


def test_a_new_priority_order_reranks_every_ticket(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number = open_ticket(desk)
    runner.catch_up()
    assert summary_rows(runner.store)[number].priority_rank == 1
    priorities = desk.priorities()
    priorities.replace(["normal", "low", "high", "critical"], "normal", ALICE)
    desk.save_config(priorities)
    runner.catch_up()
    assert summary_rows(runner.store)[number].priority_rank == 0


def test_a_new_priority_order_amid_a_batch_ranks_before_and_after_it(
    desk: HelpDesk, view_store: ViewStore
) -> None:
    # One batch holds the ticket's events on both sides of the new order: what
    # came before is written before the re-rank, what comes after reads it.
    runner = ViewRunner(desk, view_store, [TicketSummary()], batch_size=500)
    first, second = open_ticket(desk), open_ticket(desk, "Scanner jams")
    desk.tag(first, "vip", ALICE)
    priorities = desk.priorities()
    priorities.replace(["normal", "low", "high", "critical"], "normal", ALICE)
    desk.save_config(priorities)
    desk.change_priority(first, "critical", ALICE)
    desk.untag(first, "vip", ALICE)
    desk.tag(second, "printer", ALICE)
    runner.catch_up()

    rows = summary_rows(runner.store)
    assert rows == expected_rows(desk, [first, second])
    assert (rows[first].priority_rank, rows[second].priority_rank) == (3, 0)
    assert (rows[first].tags, rows[second].tags) == ([], ["printer"])
    assert wrong_totals(runner.store, COUNTED_LISTS) == []


def test_positions_report_the_lag(desk: HelpDesk, runner: ViewRunner) -> None:
    open_ticket(desk)
    top = desk.recorder.max_notification_id() or 0
    (before,) = runner.positions()
    assert before.lag == top - before.position > 0
    runner.catch_up()
    (after,) = runner.positions()
    assert (after.name, after.position, after.lag) == ("ticket_summary", top, 0)


def test_the_background_thread_catches_up_on_its_own(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    runner.start()
    try:
        number = open_ticket(desk)
        position = desk.recorder.max_notification_id() or 0
        assert runner.wait_until(position, 10, "ticket_summary")
    finally:
        runner.stop()
    page = find_tickets(runner.store, Scope(), TicketFilter())
    assert [t.number for t in page.tickets] == [number]
