"""For random command sequences, every view tells each ticket's facts as they
fold from the ticket's own events (domain.ticket_facts), and so does the ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings

from domain.desk import HelpDesk
from domain.ticket_facts import TicketFacts
from projections.agents.dashboard import AgentDashboard
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.engine.values import micros
from projections.engine.view import View, live_tables
from projections.tickets.summary import TicketSummary
from projections.tickets.waiting import WaitingFilter, find_waiting
from tests.projections.facts import folded
from tests.projections.summary import summary_rows
from tests.projections.view_stores import wipe
from tests.projections.work_desk import STEPS, play, staffed_desk
from tests.unit.builders import stored_events

Facts = dict[str, tuple[Any, ...]]


def the_tickets(desk: HelpDesk, made: list[str]) -> Facts:
    """Per ticket, what the aggregate says."""
    found = {}
    for number in made:
        t = desk.ticket(number)
        found[number] = (
            t.queue,
            t.owner,
            t.status_category,
            t.last_public_sender,
            t.first_response_at,
            t.finished_at,
        )
    return found


def the_summary(store: ViewStore, made: list[str]) -> Facts:
    """Per ticket, what the ticket list says."""
    rows = summary_rows(store)
    return {
        n: (
            rows[n].queue,
            rows[n].owner,
            rows[n].status_category,
            rows[n].last_public_sender,
            rows[n].first_response_at,
            rows[n].waiting_for_agent,
        )
        for n in made
    }


def the_waiting(store: ViewStore, now: Any) -> Facts:
    """Per waiting ticket, what the waiting list says."""
    page = find_waiting(store, WaitingFilter(), now, limit=10_000)
    return {
        t.number: (t.queue, t.owner, t.waiting_since, t.first_response_pending)
        for t in page.tickets
    }


def the_dashboard(store: ViewStore, ids: dict[str, str]) -> Facts:
    """Per ticket, its owner, category, working clock and first response as the
    dashboard keeps them, and the moments of its resolutions."""
    tables = live_tables(AgentDashboard())
    with store.transaction() as cursor:
        cursor.execute(
            "SELECT t.id, t.owner, t.status_category, t.working_since_us, "
            f"r.responded_us FROM {tables['dashboard_tickets']} t "
            f"LEFT JOIN {tables['dashboard_responses']} r ON r.ticket = t.id"
        )
        kept = cursor.fetchall()
        cursor.execute(
            f"SELECT ticket, resolved_us FROM {tables['dashboard_resolutions']}"
        )
        resolved = cursor.fetchall()
    return {
        ids[row[0]]: (
            *row[1:],
            sorted(at for ticket, at in resolved if ticket == row[0]),
        )
        for row in kept
    }


def expected_dashboard(desk: HelpDesk, number: str) -> tuple[Any, ...]:
    """The dashboard's facts of a ticket, and the moments its work was finished."""
    facts, resolutions = TicketFacts(), []
    for event in stored_events(desk, number):
        before, facts = facts, facts.after(event)
        if before.working_since is not None and facts.working_since is None:
            resolutions.append(micros(event.timestamp))
    return (
        facts.owner,
        facts.status_category,
        _micros(facts.working_since),
        _micros(facts.first_response_at),
        resolutions,
    )


def _micros(moment: Any) -> int | None:
    return None if moment is None else micros(moment)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_every_view_tells_the_facts_folded_from_the_events(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    views: list[View] = [TicketSummary(), AgentDashboard()]
    for view in views:
        wipe(view_store, view)
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, views, batch_size=3)
    made = play(desk, clock, runner, steps)
    facts = {n: folded(desk, n) for n in made}
    assert the_tickets(desk, made) == {
        n: (
            f.queue,
            f.owner,
            f.status_category,
            f.last_public_sender,
            f.first_response_at,
            f.finished_at,
        )
        for n, f in facts.items()
    }
    assert the_summary(view_store, made) == {
        n: (
            f.queue,
            f.owner,
            f.status_category,
            f.last_public_sender,
            f.first_response_at,
            f.waiting_since is not None,
        )
        for n, f in facts.items()
    }
    assert the_waiting(view_store, clock() + timedelta(days=1)) == {
        n: (f.queue, f.owner, f.waiting_since, f.first_response_at is None)
        for n, f in facts.items()
        if f.waiting_since is not None
    }
    ids = {str(desk.ticket(n).id): n for n in made}
    assert the_dashboard(view_store, ids) == {
        n: expected_dashboard(desk, n) for n in made
    }
