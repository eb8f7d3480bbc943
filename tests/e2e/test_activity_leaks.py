"""No command sequence shows a customer an internal article, a task or a hidden
ticket."""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.app import create_app
from api.services import Services
from domain.commands import ScheduleTask
from domain.desk import HelpDesk
from domain.errors import DomainError
from projections.activity.projection import ActivityFeed
from projections.engine.runner import ViewRunner
from projections.engine.store import SQLiteViewStore
from tests.e2e.activity_feed import add_note, feed, stream
from tests.e2e.memory_desk import (
    AGENT,
    CALLERS,
    Auth,
    MemoryBlobs,
    open_ticket,
    staffed_desk,
    tokens,
)
from tests.examples import examples_with_fixtures


@dataclass
class World:
    """Tickets made so far, and what no customer may ever be told."""

    visible: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    def any_ticket(self, i: int) -> str:
        """One of the tickets, visible or hidden."""
        return pick(self.visible + self.hidden, i)


def pick(items: list[str], i: int) -> str:
    """An item chosen by i; IndexError when there is none."""
    if not items:
        raise IndexError("nothing to pick from")
    return items[i % len(items)]


def open_hidden(desk: HelpDesk, world: World, i: int) -> None:
    """A hidden ticket of bob's or dave's: its number is a secret."""
    customer = ("bob@acme.test", "dave@acme.test")[i % 2]
    number = open_ticket(desk, customer, hidden=True)
    world.hidden.append(number)
    world.secrets.append(number)


def internal_note(desk: HelpDesk, world: World, i: int) -> None:
    """An internal note: its body and its id are secrets."""
    body = f"secret note {len(world.secrets)}"
    world.secrets += [body, add_note(desk, world.any_ticket(i), body, "internal")]


def schedule_task(desk: HelpDesk, world: World, i: int) -> None:
    """A task on any ticket: its title and its id are secrets."""
    title = f"secret task {len(world.secrets)}"
    due_at = datetime.now(UTC) + timedelta(days=1)
    made = desk.handle(ScheduleTask(world.any_ticket(i), title, "alice", due_at), AGENT)
    world.secrets += [title, str(made.task_id)]


COMMANDS: dict[str, Callable[[HelpDesk, World, int], object]] = {
    "open": lambda d, w, i: w.visible.append(open_ticket(d, "bob@acme.test")),
    "open hidden": open_hidden,
    "internal note": internal_note,
    "reply": lambda d, w, i: add_note(d, w.any_ticket(i), "Try this.", "public"),
    "time": lambda d, w, i: d.account_time(w.any_ticket(i), 5, "call", None, AGENT),
    "task": schedule_task,
    "link": lambda d, w, i: d.link(
        pick(w.visible, i), pick(w.hidden, i), "related", AGENT
    ),
    "merge": lambda d, w, i: d.merge(pick(w.visible, i), pick(w.hidden, i), AGENT),
    "absorb": lambda d, w, i: d.merge(pick(w.hidden, i), pick(w.visible, i), AGENT),
    "resolve": lambda d, w, i: d.change_status(
        pick(w.visible, i), "resolved", None, "", AGENT
    ),
}


def leak_desk() -> tuple[HelpDesk, Auth]:
    """A fresh staffed desk, and the tokens of customers bob and dave of ACME."""
    desk = staffed_desk()
    return desk, tokens(desk, {who: CALLERS[who] for who in ("bob", "dave")})


@examples_with_fixtures(25)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 6)), max_size=20
    )
)
def test_no_command_sequence_leaks_to_a_customer(
    blobs: MemoryBlobs, steps: list[tuple[str, int]]
) -> None:
    desk, auth = leak_desk()
    world = World(visible=[open_ticket(desk, "bob@acme.test")])
    for kind, i in steps:
        with contextlib.suppress(DomainError, IndexError):
            COMMANDS[kind](desk, world, i)
    with tempfile.TemporaryDirectory() as scratch:
        store = SQLiteViewStore(Path(scratch) / "views.sqlite3")
        views = ViewRunner(desk, store, [ActivityFeed()])
        views.catch_up()
        app = create_app(Services(desk=desk, blobs=blobs, views=views))
        with TestClient(app) as api:
            for who in ("bob", "dave"):
                told = json.dumps(feed(api, auth, who, limit=200))
                told += json.dumps(stream(api, auth, who, after=0))
                leaked = [s for s in world.secrets if s in told]
                assert not leaked, f"{who} was told {leaked}"
        store.close()
