"""Replaying a ticket's stream reproduces the state the commands left behind."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import DomainError
from domain.people import Agent, Customer
from domain.queues import FollowUp, Queue
from domain.ticket import Ticket

ADMIN = Origin("admin:test")
ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")

State = dict[str, Any]


@dataclass(frozen=True)
class Command:
    """One command on the ticket under test, valid or not."""

    kind: str
    value: str = ""
    amount: int = 0


def _command(kind: str, values: list[str] | None = None) -> st.SearchStrategy[Command]:
    return st.builds(Command, st.just(kind), st.sampled_from(values or [""]))


COMMANDS = st.one_of(
    _command("customer_reply"),
    _command("customer_note"),
    _command("agent_reply"),
    _command("agent_note"),
    _command("assign", ["alice", "carol", "ivan", "nobody"]),
    _command("unassign"),
    _command(
        "status",
        ["open", "waiting_on_agent", "postponed", "resolved", "closed", "merged", "x"],
    ),
    _command("priority", ["low", "high", "critical", "urgent"]),
    _command("tag", ["vip", "printer", "two words"]),
    _command("untag", ["vip", "printer"]),
    _command("link", ["related", "parent", "duplicate", "sibling"]),
    _command("unlink", ["related", "parent", "duplicate"]),
    _command("reopen"),
    st.builds(
        Command, st.just("time"), st.just(""), st.sampled_from([0, 1, 45, 10_001])
    ),
    st.builds(Command, st.just("rate"), st.just("ok"), st.integers(0, 6)),
    _command("merge"),
    _command("snapshot"),
)


class RecordingDesk(HelpDesk):
    """A desk that remembers each ticket's live state after every saved version."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.live: dict[UUID, Ticket] = {}
        self.states: dict[UUID, dict[int, State]] = {}
        self._article_ids = itertools.count(1)
        self._snapshots: set[tuple[UUID, int]] = set()

    def save(self, *aggregates: Any, **kwargs: Any) -> Any:
        """Save, then note the live tickets and their state at each new version."""
        pending = {
            a.id: list(a.pending_events) for a in aggregates if isinstance(a, Ticket)
        }
        recordings = super().save(*aggregates, **kwargs)
        for aggregate in aggregates:
            if isinstance(aggregate, Ticket):
                self._remember(aggregate, pending[aggregate.id])
        return recordings

    def _remember(self, ticket: Ticket, events: list[CanMutateAggregate[UUID]]) -> None:
        # Apply the very event objects the command made to the previous live state,
        # so versions in the middle of a command are known too.
        if not events:
            return
        folded = copy.deepcopy(self.live.get(ticket.id))
        for event in events:
            folded = event.mutate(folded)
            assert folded is not None
            self.states.setdefault(ticket.id, {})[folded.version] = copy.deepcopy(
                vars(folded) | {"_pending_events": []}
            )
        assert vars(folded) | {"_pending_events": []} == vars(ticket)
        self.live[ticket.id] = copy.deepcopy(ticket)

    def snapshot(self, ticket: Ticket) -> None:
        """Snapshot the ticket, once per version (the store refuses a second)."""
        if (ticket.id, ticket.version) not in self._snapshots:
            self._snapshots.add((ticket.id, ticket.version))
            self.take_snapshot(ticket.id)

    def article(self, sender: str, visibility: str) -> Article:
        """An article with a fresh id."""
        return Article(f"a{next(self._article_ids)}", sender, visibility, "web", "hi")


def new_desk(cold: bool = False) -> RecordingDesk:
    """A desk with alice (support), carol (billing), inactive ivan and bob.

    Follow-ups reopen in queue General, open a new ticket in Fresh and are
    rejected in Strict. A cold desk keeps no record cache: every command loads
    its ticket from the store, from a snapshot whose articles stay packed.
    """
    desk = RecordingDesk({"RECORD_CACHE_SIZE": "0"} if cold else None)
    desk.initialize()
    for login, groups, active in (
        ("alice", ["support"], True),
        ("carol", ["billing"], True),
        ("ivan", ["support"], False),
    ):
        agent = Agent.hire(login, login, f"{login}@example.com", groups, [], ADMIN)
        agent.update(login, agent.email, groups, [], active, ADMIN)
        desk.save_config(agent)
    desk.save_config(Customer.register("bob@acme.test", "Bob", None, ADMIN))
    for queue, policy in (("Fresh", FollowUp.NEW_TICKET), ("Strict", FollowUp.REJECT)):
        desk.save_config(Queue.open(queue, "support", policy, None, ADMIN))
    return desk


def run(desk: RecordingDesk, number: str, other: str, command: Command) -> None:
    """Send one command to the desk."""
    kind, value = command.kind, command.value
    if kind.startswith(("customer_", "agent_")):
        sender, visibility = kind.split("_")
        article = desk.article(
            sender, "public" if visibility == "reply" else "internal"
        )
        desk.add_article(number, article, BOB if sender == "customer" else ALICE)
    elif kind == "assign":
        desk.assign(number, value, None, ALICE)
    elif kind == "unassign":
        desk.unassign(number, ALICE)
    elif kind == "status":
        until = desk.clock() + timedelta(days=1) if value == "postponed" else None
        desk.change_status(number, value, until, "", ALICE)
    elif kind == "priority":
        desk.change_priority(number, value, ALICE)
    elif kind == "tag":
        desk.tag(number, value, ALICE)
    elif kind == "untag":
        desk.untag(number, value, ALICE)
    elif kind == "link":
        desk.link(number, other, value, ALICE)
    elif kind == "unlink":
        desk.unlink(number, other, value, ALICE)
    elif kind == "reopen":
        desk.reopen(number, ALICE)
    elif kind == "time":
        desk.account_time(number, command.amount, "work", None, ALICE)
    elif kind == "rate":
        desk.rate(number, command.amount, value, BOB)
    elif kind == "merge":
        desk.merge(number, other, ALICE)
    elif kind == "snapshot":
        desk.snapshot(desk.ticket(number))
    else:
        raise AssertionError(kind)


def folded(desk: HelpDesk, ticket_id: UUID) -> Ticket:
    """The ticket folded from its stored events alone, no snapshot."""
    ticket: Aggregate | None = None
    for event in desk.events.get(ticket_id):
        assert isinstance(event, Aggregate.Event)
        ticket = event.mutate(ticket)
    assert isinstance(ticket, Ticket)
    return ticket


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["General", "Fresh", "Strict"]),
    st.lists(COMMANDS, max_size=30),
    st.booleans(),
)
def test_reloading_a_ticket_gives_the_live_state_at_every_version(
    queue: str, commands: list[Command], cold: bool
) -> None:
    desk = new_desk(cold)
    draft = TicketDraft("Printer on fire", "bob@acme.test", queue)
    number = desk.open_ticket(draft, desk.article("customer", "public"), BOB).number
    other = desk.open_ticket(draft, desk.article("customer", "public"), BOB).number

    for command in commands:
        before = vars(desk.ticket(number))
        position = desk.recorder.max_notification_id()
        try:
            run(desk, number, other, command)
        except DomainError:
            assert vars(desk.ticket(number)) == before
            assert desk.recorder.max_notification_id() == position

    for ticket_id, live in desk.live.items():
        assert vars(desk.repository.get(ticket_id)) == vars(live)
        assert vars(folded(desk, ticket_id)) == vars(live)
        states = desk.states[ticket_id]
        assert sorted(states) == list(range(1, live.version + 1))
        for version, state in states.items():
            assert vars(desk.ticket(live.number, version=version)) == state
