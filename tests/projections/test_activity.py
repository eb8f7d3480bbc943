"""The activity feed: a row per ticket event, who may read it, and rebuilds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.commands import CompleteTask, ReopenTask, ScheduleTask
from domain.desk import HelpDesk, TicketDraft
from domain.fields import FieldDefinition
from domain.people import Agent, Customer, Organization
from domain.queues import FollowUp, Queue
from projections.activity.feed import Activity, ActivityFilter, find_activity
from projections.activity.projection import TOPICS, ActivityFeed
from projections.engine.rebuild import rebuild
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import Row, ViewStore
from projections.engine.view import live_tables
from tests.examples import examples_with_fixtures
from tests.projections.steps import run_steps
from tests.projections.view_stores import wipe

ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")
EVERYTHING = Scope()
BOB_SCOPE = Scope(customer="bob@acme.test", organization="ACME")
DAVE_SCOPE = Scope(customer="dave@acme.test", organization="ACME")


def staff(desk: HelpDesk) -> HelpDesk:
    """Agents alice and dan (support) and carol (billing), queues and a field."""
    for login, group in (
        ("alice", "support"),
        ("dan", "support"),
        ("carol", "billing"),
    ):
        desk.save_config(
            Agent.hire(login, login, f"{login}@x.test", [group], [], ALICE)
        )
    desk.save_config(Queue.open("Hardware", "support", FollowUp.REOPEN, None, ALICE))
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, ALICE))
    desk.save_config(FieldDefinition.define("printer", "Printer", "text", [], ALICE))
    desk.save_config(Organization.register("ACME", ["acme.test"], ALICE))
    for email in ("bob@acme.test", "dave@acme.test"):
        desk.save_config(Customer.register(email, email[:4], "ACME", ALICE))
    return desk


def open_ticket(desk: HelpDesk, hidden: bool = False, body: str = "Help!") -> str:
    """A ticket opened by bob; its number."""
    article = Article(desk.new_article_id(), "customer", "public", "web", body)
    draft = TicketDraft(title="Printer", customer="bob@acme.test", hidden=hidden)
    return desk.open_ticket(draft, article, BOB).number


def note(desk: HelpDesk, number: str, visibility: str, minutes: int = 0) -> object:
    """An agent's reply or internal note."""
    article_id = desk.new_article_id()
    text = Article(article_id, "agent", visibility, "web", "Words.")
    text = replace(text, time_spent_minutes=minutes)
    return desk.add_article(number, text, ALICE)


def schedule_task(desk: HelpDesk, number: str, title: str, task_id: str) -> object:
    """A task for dan, due tomorrow."""
    due_at = datetime.now(UTC) + timedelta(days=1)
    return desk.handle(ScheduleTask(number, title, "dan", due_at, task_id), ALICE)


def activity(store: ViewStore, scope: Scope = EVERYTHING) -> list[Activity]:
    """Everything the scope may read, oldest first."""
    page = find_activity(store, scope, ActivityFilter(), limit=100_000)
    return page.activities[::-1]


@pytest.fixture
def runner(desk: HelpDesk, view_store: ViewStore) -> ViewRunner:
    """The feed's runner on a staffed desk; small batches cross boundaries."""
    staff(desk)
    return ViewRunner(desk, view_store, [ActivityFeed()], batch_size=3)


Step = Callable[[HelpDesk, str, str], object]

# Each step, the summary of a row it adds (a no-op step checks a consequence of
# the step before), and whether that row is internal.
STEPS: list[tuple[Step, str, bool]] = [
    (lambda d, n, o: note(d, n, "internal"), "article added (internal note)", True),
    (lambda d, n, o: note(d, n, "public", 5), "article added (agent via web)", False),
    (lambda d, n, o: None, "status new → waiting_for_customer", False),
    (lambda d, n, o: None, "5 minutes accounted (article)", True),
    (
        lambda d, n, o: d.assign(n, "alice", "dan", ALICE),
        "assigned to alice, responsible dan",
        False,
    ),
    (
        lambda d, n, o: d.change_priority(n, "high", ALICE),
        "priority normal → high",
        False,
    ),
    (lambda d, n, o: d.move(n, "Hardware", ALICE), "queue General → Hardware", False),
    (
        lambda d, n, o: d.change_type(n, "incident", ALICE),
        "type question → incident",
        False,
    ),
    (lambda d, n, o: d.retitle(n, "Printer smokes", ALICE), "title changed", False),
    (lambda d, n, o: d.set_field(n, "printer", "HP", ALICE), "field printer set", True),
    (
        lambda d, n, o: schedule_task(d, n, "Call back", "t1"),
        "task scheduled for dan: Call back",
        True,
    ),
    (lambda d, n, o: d.handle(CompleteTask(n, "t1"), ALICE), "task t1 done", True),
    (
        lambda d, n, o: d.handle(ReopenTask(n, "t1"), ALICE),
        "task t1 reopened",
        True,
    ),
    (lambda d, n, o: d.tag(n, "fire", ALICE), "tagged fire", False),
    (lambda d, n, o: d.untag(n, "fire", ALICE), "untagged fire", False),
    (lambda d, n, o: d.link(n, o, "related", ALICE), "linked to {o} (related)", False),
    (
        lambda d, n, o: d.unlink(n, o, "related", ALICE),
        "unlinked from {o} (related)",
        False,
    ),
    (lambda d, n, o: d.unassign(n, ALICE), "unassigned from alice", False),
    (
        lambda d, n, o: d.change_status(n, "resolved", None, "fixed", ALICE),
        "status waiting_for_customer → resolved",
        False,
    ),
    (lambda d, n, o: d.rate(n, 4, "Quick", BOB), "rated 4 of 5", False),
    (lambda d, n, o: d.reopen(n, ALICE), "reopened: status resolved → open", False),
    (lambda d, n, o: d.merge(n, o, ALICE), "merged into {o}", False),
]


def test_every_ticket_event_is_a_row_at_its_log_position(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number, other = open_ticket(desk), open_ticket(desk)
    runner.catch_up()
    opened = [a.summary for a in activity(runner.store) if a.ticket == number]
    assert opened == ["ticket opened in General", "article added (customer via web)"]
    for step, summary, internal in STEPS:
        step(desk, number, other)
        runner.catch_up()
        expected = summary.format(o=other)
        found = [a for a in activity(runner.store) if a.summary == expected]
        assert found, f"no row says {expected!r}"
        assert found[-1].internal is internal
    log = desk.recorder.select_notifications(1, 10_000, topics=TOPICS)
    assert [a.position for a in activity(runner.store)] == [n.id for n in log]
    assert activity(runner.store)[-1].summary == f"absorbed {number}"


def test_customers_read_public_activity_of_their_organization_only(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number, hidden = open_ticket(desk), open_ticket(desk, hidden=True)
    note(desk, number, "internal", minutes=7)
    note(desk, number, "public", minutes=3)
    desk.assign(number, "alice", "dan", ALICE)
    desk.set_field(number, "printer", "HP", ALICE)
    schedule_task(desk, number, "Ring the boss", "ring")
    desk.handle(CompleteTask(number, "ring"), ALICE)
    desk.change_status(number, "resolved", None, "blame the printer", ALICE)
    desk.link(number, hidden, "related", ALICE)
    runner.catch_up()
    staff_rows = activity(runner.store)
    bob_rows = activity(runner.store, BOB_SCOPE)
    assert activity(runner.store, DAVE_SCOPE) == bob_rows
    assert activity(runner.store, Scope(customer="erin@x.test")) == []
    assert {a.ticket for a in bob_rows} == {number}
    assert not any(a.internal for a in bob_rows)
    told = " ".join(f"{a.summary} {a.changes}" for a in bob_rows)
    secrets = ("internal", "responsible", "dan", "blame", "HP", "time", "Ring", "task")
    for secret in (*secrets, hidden):
        assert secret not in told
    assert {a.summary for a in bob_rows} >= {
        "assigned to alice",
        "status waiting_for_customer → resolved",
    }
    assert len(staff_rows) - len(bob_rows) == len([a for a in staff_rows if a.internal])


def test_agents_read_the_tickets_of_their_queues_as_they_are_now(
    desk: HelpDesk, runner: ViewRunner
) -> None:
    number, billing = open_ticket(desk), open_ticket(desk)
    desk.move(billing, "Billing", ALICE)
    runner.catch_up()
    alice = Scope(queues=("General", "Hardware"))
    carol = Scope(queues=("Billing",))
    assert {a.ticket for a in activity(runner.store, alice)} == {number}
    assert {a.ticket for a in activity(runner.store, carol)} == {billing}
    desk.move(number, "Billing", ALICE)
    runner.catch_up()
    assert activity(runner.store, alice) == []
    assert len(activity(runner.store, carol)) == len(activity(runner.store))
    assert activity(runner.store, Scope(queues=())) == []


def test_filters_and_pages_newest_first(desk: HelpDesk, runner: ViewRunner) -> None:
    first, second = open_ticket(desk), open_ticket(desk)
    later = datetime(2030, 1, 1, tzinfo=UTC)
    desk.tag(first, "fire", replace(ALICE, at=later))
    runner.catch_up()
    everything = activity(runner.store)[::-1]
    store = runner.store
    alice = find_activity(store, EVERYTHING, ActivityFilter(actors=("agent:alice",)))
    assert [a.summary for a in alice.activities] == ["tagged fire"]
    mine = find_activity(store, EVERYTHING, ActivityFilter(tickets=(second,)))
    assert {a.ticket for a in mine.activities} == {second}
    assert mine.total == 2
    assert find_activity(store, EVERYTHING, ActivityFilter(since=later)).total == 1
    assert find_activity(store, EVERYTHING, ActivityFilter(until=later)).total == 4
    pages: list[Activity] = []
    cursor = None
    while True:
        page = find_activity(store, EVERYTHING, ActivityFilter(), 2, cursor)
        pages += page.activities
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == everything


Command = Callable[[HelpDesk, list[str], int], object]

COMMANDS: dict[str, Command] = {
    "open": lambda d, m, i: m.append(open_ticket(d)),
    "open hidden": lambda d, m, i: m.append(open_ticket(d, hidden=True)),
    "reply": lambda d, m, i: note(d, m[i], "public", i),
    "internal note": lambda d, m, i: note(d, m[i], "internal", i),
    "assign": lambda d, m, i: d.assign(m[i], "alice", ("dan", None)[i % 2], ALICE),
    "resolve": lambda d, m, i: d.change_status(m[i], "resolved", None, "", ALICE),
    "reopen": lambda d, m, i: d.reopen(m[i], ALICE),
    "move": lambda d, m, i: d.move(m[i], ("Hardware", "Billing")[i % 2], ALICE),
    "field": lambda d, m, i: d.set_field(m[i], "printer", f"HP {i}", ALICE),
    "time": lambda d, m, i: d.account_time(m[i], 5, "call", None, ALICE),
    "task": lambda d, m, i: schedule_task(d, m[i], f"Task {i}", f"t{i % 2}"),
    "task done": lambda d, m, i: d.handle(CompleteTask(m[i], f"t{i % 2}"), ALICE),
    "link": lambda d, m, i: d.link(m[i], m[(i + 1) % len(m)], "related", ALICE),
    "merge": lambda d, m, i: d.merge(m[i], m[(i + 1) % len(m)], ALICE),
    "catch up": lambda d, m, i: None,
}


def raw_rows(store: ViewStore) -> dict[str, list[Row]]:
    """Every row of the feed's tables, in a fixed order."""
    with store.transaction() as rows:
        found = {}
        for logical, table in live_tables(ActivityFeed()).items():
            rows.execute(f"SELECT * FROM {table} ORDER BY 1")
            found[logical] = rows.fetchall()
    return found


@examples_with_fixtures(20)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 4)), max_size=25
    )
)
def test_incremental_equals_rebuilt(
    view_store: ViewStore, steps: list[tuple[str, int]]
) -> None:
    wipe(view_store, ActivityFeed())
    desk = HelpDesk()
    desk.initialize()
    staff(desk)
    runner = ViewRunner(desk, view_store, [ActivityFeed()], batch_size=3)
    run_steps(desk, COMMANDS, steps, runner.catch_up)
    incremental = raw_rows(view_store)
    log = desk.recorder.select_notifications(1, 10_000, topics=TOPICS)
    assert [row[0] for row in incremental["activity"]] == [n.id for n in log]
    rebuild(desk, view_store, ActivityFeed(), batch_size=4)
    assert raw_rows(view_store) == incremental
