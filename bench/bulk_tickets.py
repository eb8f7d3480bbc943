"""Many tickets fast, with the very events the desk writes, for the views at scale.

Each ticket is built by the Ticket aggregate's own commands (open, add_article,
assign, change_status, change_priority, tag), so every event is the one a desk
command would record, stamped with an Origin whose `at` spreads the tickets over
90 days. What is bypassed, for speed, is the desk's per-command work around
those calls: loading the configuration (queue, statuses, priorities, agent) from
the store for every command, loading the ticket back before each change, the
idempotency lookup, and the store lookup that a new number is unused (a set of
the numbers handed out does that here: the store holds no other tickets). Many
tickets are then saved in one recording by the application's save(), so the
notification log, snapshots and rows are exactly what the desk would store.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.articles import Article, Sender, Visibility
from domain.audit import Origin
from domain.desk import HelpDesk
from domain.people import Agent, Customer
from domain.queues import FollowUp, Queue
from domain.statuses import StatusCatalogue, Step
from domain.ticket import Ticket
from tickettape.settings import Settings
from tickettape.stores import event_store_env

SETUP = Origin("admin:bench")
GROUPS = ("support", "network", "billing", "facilities")
QUEUES = tuple(
    f"{area} {tier}"
    for area in ("printers", "network", "billing", "access", "hardware")
    for tier in ("desk", "field", "vip", "backlog")
)
AGENTS = tuple(f"agent{n}" for n in range(1, 9))
CUSTOMERS = tuple(f"customer{n}@acme.test" for n in range(1, 201))
PRIORITIES = ("low", "normal", "normal", "normal", "high", "critical")
CHANNELS = ("email", "web", "phone")
SPREAD = timedelta(days=90)
#: Common words (in many tickets), then rare ones (each in few).
COMMON = ("printer", "toner", "network", "invoice", "password", "laptop", "error")
RARE = tuple(f"zx{n:04d}" for n in range(2000))
FILLER = ("the", "after", "with", "since", "this", "morning", "please", "check")


def queue_group(queue: str) -> str:
    """The group that works a queue: the queues take the groups in turn."""
    return GROUPS[QUEUES.index(queue) % len(GROUPS)]


def group_agents(group: str) -> tuple[str, ...]:
    """The agents of a group: two each."""
    at = GROUPS.index(group)
    return tuple(a for i, a in enumerate(AGENTS) if i % len(GROUPS) == at)


@dataclass
class Seeded:
    """What a bulk seeding wrote and how long it took."""

    tickets: int
    events: int
    seconds: float
    #: The seconds of each recording (one save of many tickets).
    saves: list[float]


class BulkTickets:
    """A desk of 20 queues, 8 agents and 200 customers, and tickets in bulk."""

    def __init__(self, settings: Settings, now: datetime, seed: int = 6) -> None:
        self._at = now
        self.now = now
        # The desk's clock reads the moment of the ticket being made, so the
        # desk's own numbering dates each ticket by its creation day.
        self.desk = HelpDesk(env=event_store_env(settings), clock=lambda: self._at)
        self._random = random.Random(seed)
        self._numbers: set[str] = set()
        self._articles = 0
        self.tickets = 0
        if self.desk.initialize(SETUP):
            self.desk.save(
                *(
                    Queue.open(q, queue_group(q), FollowUp.REOPEN, None, SETUP)
                    for q in QUEUES
                ),
                *(
                    Agent.hire(
                        a,
                        a.title(),
                        f"{a}@example.com",
                        [GROUPS[i % len(GROUPS)]],
                        [],
                        SETUP,
                    )
                    for i, a in enumerate(AGENTS)
                ),
                *(
                    Customer.register(c, c.split("@")[0], None, SETUP)
                    for c in CUSTOMERS
                ),
            )
        self.statuses: StatusCatalogue = self.desk.statuses()
        self.queues = {q: self.desk.queue(q) for q in QUEUES}
        self.agents = {a: self.desk.agent(a) for a in AGENTS}

    def close(self) -> None:
        """Close the desk's store."""
        self.desk.close()

    def seed(self, count: int, per_save: int = 200) -> Seeded:
        """Make `count` more tickets, saving `per_save` of them per recording."""
        began, events, saves = time.perf_counter(), 0, []
        for start in range(0, count, per_save):
            batch = [self._ticket() for _ in range(min(per_save, count - start))]
            events += sum(len(t.pending_events) for t in batch)
            saving = time.perf_counter()
            self.desk.save(*batch)
            saves.append(time.perf_counter() - saving)
        self.tickets += count
        return Seeded(count, events, time.perf_counter() - began, saves)

    def _ticket(self) -> Ticket:
        pick = self._random
        self._at = at = self.now - SPREAD * pick.random()
        # Numbers as the desk makes them; this seeder alone writes the store, so
        # its own set keeps them unique without the desk's read per number.
        number = self._number()
        while number in self._numbers:
            number = self._number()
        self._numbers.add(number)
        queue = self.queues[pick.choice(QUEUES)]
        customer = Origin(f"customer:{pick.choice(CUSTOMERS)}", at=at)
        ticket = Ticket.open(
            number,
            self._words(4, 7),
            customer.actor.split(":", 1)[1],
            None,
            queue,
            pick.choice(PRIORITIES),
            "problem" if pick.random() < 0.6 else "question",
            pick.choice(CHANNELS),
            False,
            {},
            self.statuses.for_step(Step.INITIAL),
            customer,
        )
        ticket.add_article(
            self._article(Sender.CUSTOMER), self.statuses, queue, at, customer
        )
        self._life(ticket, queue, customer)
        return ticket

    def _number(self) -> str:
        """A number as the desk makes one: its date and six random digits."""
        return f"{self.desk.clock():%Y%m%d}{self._random.randrange(10**6):06d}"

    def _life(self, ticket: Ticket, queue: Queue, customer: Origin) -> None:
        """What happens next: a fixed share of tickets reach each stage."""
        pick, at = self._random, self._at
        if pick.random() < 0.25:
            return
        owner = pick.choice(group_agents(queue.group))
        agent = Origin(
            f"agent:{owner}", at=self._later(at, minutes=pick.randint(1, 600))
        )
        ticket.assign(self.agents[owner], queue, None, agent)
        if pick.random() < 0.1:
            ticket.change_priority("high", agent)
        if pick.random() < 0.1:
            ticket.tag(pick.choice(("vip", "outage", "hardware")), agent)
        if pick.random() < 0.2:
            return
        reply = Origin(
            agent.actor, at=self._later(agent.time(), hours=pick.randint(1, 48))
        )
        ticket.add_article(
            self._article(Sender.AGENT), self.statuses, queue, reply.time(), reply
        )
        if pick.random() < 0.3:
            back = Origin(customer.actor, at=self._later(reply.time(), hours=2))
            ticket.add_article(
                self._article(Sender.CUSTOMER), self.statuses, queue, back.time(), back
            )
            return
        if pick.random() < 0.3:
            return
        done = Origin(
            agent.actor, at=self._later(reply.time(), days=pick.randint(1, 5))
        )
        ticket.change_status(
            self.statuses.settable("resolved"), None, "solved", done.time(), done
        )
        if pick.random() < 0.5:
            ticket.change_status(
                self.statuses.settable("closed"), None, "closed", done.time(), done
            )

    def _later(self, at: datetime, **delta: int) -> datetime:
        """A moment after `at`, but never after now (the dashboard's period end)."""
        return min(at + timedelta(**delta), self.now)

    def _article(self, sender: str) -> Article:
        self._articles += 1
        return Article(
            article_id=f"bulk{self._articles}",
            sender=sender,
            visibility=Visibility.PUBLIC,
            channel="web" if sender == Sender.CUSTOMER else "note",
            body=self._words(25, 60),
        )

    def _words(self, fewest: int, most: int) -> str:
        """Text of filler words with one or two common words and maybe a rare one."""
        pick = self._random
        words = pick.choices(FILLER, k=pick.randint(fewest, most))
        words[0] = pick.choice(COMMON)
        if pick.random() < 0.5:
            words[-1] = pick.choice(COMMON)
        if pick.random() < 0.2:
            words[len(words) // 2] = pick.choice(RARE)
        return " ".join(words)


def utc_now() -> datetime:
    """Now, the moment seeded tickets look back from."""
    return datetime.now(UTC)
