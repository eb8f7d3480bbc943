"""For random command sequences, the incremental summary equals a rebuilt one.

And every total the summary's counters answer equals the tickets listed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.commands import CompleteTask, ScheduleTask
from domain.desk import HelpDesk, TicketDraft
from projections.engine.rebuild import rebuild
from projections.engine.runner import ViewRunner
from projections.engine.scope import Scope
from projections.engine.store import ViewStore
from projections.tickets.listing import TicketFilter
from projections.tickets.summary import TicketSummary
from tests.examples import examples_with_fixtures
from tests.projections.counting import staffed_desk
from tests.projections.steps import run_steps
from tests.projections.summary import expected_rows, summary_rows, wrong_totals
from tests.projections.view_stores import wipe

ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")

Command = Callable[[HelpDesk, list[str], int], object]


def _article(sender: str, visibility: str) -> Command:
    origin = BOB if sender == "customer" else ALICE

    def add(desk: HelpDesk, made: list[str], i: int) -> object:
        text = Article(desk.new_article_id(), sender, visibility, "web", "Words")
        return desk.add_article(made[i], text, origin)

    return add


def _open(desk: HelpDesk, made: list[str], i: int) -> object:
    text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
    draft = TicketDraft(title=f"T{len(made)}", customer="bob@acme.test", hidden=i > 2)
    made.append(desk.open_ticket(draft, text, BOB).number)
    return None


def _task(desk: HelpDesk, made: list[str], i: int) -> object:
    due_at = desk.clock() + timedelta(hours=i + 1)
    return desk.handle(ScheduleTask(made[i], "Call", "alice", due_at, f"t{i}"), ALICE)


COMMANDS: dict[str, Command] = {
    "open": _open,
    "customer reply": _article("customer", "public"),
    "agent reply": _article("agent", "public"),
    "agent note": _article("agent", "internal"),
    "assign": lambda d, m, i: d.assign(m[i], "alice", None, ALICE),
    "unassign": lambda d, m, i: d.unassign(m[i], ALICE),
    "resolve": lambda d, m, i: d.change_status(m[i], "resolved", None, "", ALICE),
    "close": lambda d, m, i: d.change_status(m[i], "closed", None, "", ALICE),
    "reopen": lambda d, m, i: d.reopen(m[i], ALICE),
    "priority": lambda d, m, i: d.change_priority(m[i], ("low", "high")[i % 2], ALICE),
    "tag": lambda d, m, i: d.tag(m[i], f"t{i}", ALICE),
    "untag": lambda d, m, i: d.untag(m[i], f"t{i % 2}", ALICE),
    "merge": lambda d, m, i: d.merge(m[i], m[(i + 1) % len(m)], ALICE),
    "move": lambda d, m, i: d.move(m[i], ("General", "Hardware")[i % 2], ALICE),
    "retitle": lambda d, m, i: d.retitle(m[i], f"Retitled {i}", ALICE),
    "task": _task,
    "task done": lambda d, m, i: d.handle(CompleteTask(m[i], f"t{i}"), ALICE),
    "catch up": lambda d, m, i: None,
}

STEPS = st.lists(
    st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 4)), max_size=30
)


def _some(values: list[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(st.sampled_from(values), unique=True, max_size=2).map(tuple)


QUEUES = ["General", "Hardware"]
#: Lists in the terms the counters keep: scopes of queues, and their filters.
COUNTED = st.lists(
    st.tuples(
        st.sampled_from(
            [Scope(), Scope(queues=()), *(Scope(queues=(q,)) for q in QUEUES)]
        ),
        st.builds(
            TicketFilter,
            statuses=_some(["new", "open", "resolved", "closed", "merged"]),
            categories=_some(["new", "open", "pending", "resolved", "merged"]),
            queues=_some(QUEUES),
            owners=_some([None, "alice"]),
            priorities=_some(["low", "normal", "high"]),
            hidden=st.none() | st.booleans(),
            preset=st.none() | st.sampled_from(["new_and_open", "closed"]),
            group_queues=st.none() | _some(QUEUES),
        ),
    ),
    min_size=1,
    max_size=8,
)


def play(store: ViewStore, steps: list[tuple[str, int]]) -> tuple[HelpDesk, list[str]]:
    """A fresh desk (alice, a second queue) after the steps; the tickets made."""
    wipe(store, TicketSummary())
    desk = staffed_desk()
    runner = ViewRunner(desk, store, [TicketSummary()], batch_size=3)
    made = run_steps(desk, COMMANDS, steps, runner.catch_up)
    return desk, made


@examples_with_fixtures(25)
@given(steps=STEPS)
def test_incremental_equals_rebuilt(
    view_store: ViewStore, steps: list[tuple[str, int]]
) -> None:
    desk, made = play(view_store, steps)
    incremental = summary_rows(view_store)
    assert incremental == expected_rows(desk, made)
    rebuild(desk, view_store, TicketSummary(), batch_size=4)
    assert summary_rows(view_store) == incremental


@examples_with_fixtures(25)
@given(steps=STEPS, lists=COUNTED)
def test_counted_totals_equal_the_tickets_listed(
    view_store: ViewStore,
    steps: list[tuple[str, int]],
    lists: list[tuple[Scope, TicketFilter]],
) -> None:
    desk, _ = play(view_store, steps)
    assert wrong_totals(view_store, lists) == []
    rebuild(desk, view_store, TicketSummary(), batch_size=4)
    assert wrong_totals(view_store, lists) == [], "after a rebuild"
